"""Personal data masked in the places of a workbook that are not cell values: document
properties, headers and footers, defined names, data-validation prompts, hyperlinks and
formula text (issue 11). For the annotated copy, which openpyxl writes from the rep's own
workbook (cell values and comments are masked in ``annotate``).

A formula whose text holds personal data (``=HYPERLINK("mailto:zhang@qq.com")``) is replaced
by its masked text: the copy is for reading the findings, and a masked formula would not run.
"""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook

from leadbook.core.mask import mask_text

_PROPERTIES = ("creator", "lastModifiedBy", "title", "subject", "description", "keywords",
               "category", "identifier", "contentStatus")  # fmt: skip
_VALIDATION_TEXTS = ("prompt", "promptTitle", "error", "errorTitle")
_HEADER_PARTS = ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader",
                 "firstFooter")  # fmt: skip


def _masked(text):
    if not isinstance(text, str) or not text:
        return text
    return mask_text(text)


def scrub_workbook(wb: Workbook) -> None:
    """Mask every mobile and e-mail address outside the cells' values and comments."""
    props = wb.properties
    for name in _PROPERTIES:
        setattr(props, name, _masked(getattr(props, name, None)))
    for defined in list(wb.defined_names.values()):
        defined.attr_text = _masked(defined.attr_text)
    for ws in wb.worksheets:
        for name in ws.defined_names:
            ws.defined_names[name].attr_text = _masked(ws.defined_names[name].attr_text)
        for part in _HEADER_PARTS:
            header = getattr(ws, part, None)
            for side in ("left", "center", "right"):
                piece = getattr(header, side, None) if header is not None else None
                if piece is not None and piece.text:
                    piece.text = _masked(piece.text)
        for dv in ws.data_validations.dataValidation:
            for name in _VALIDATION_TEXTS:
                setattr(dv, name, _masked(getattr(dv, name, None)))
        for cell in list(ws._cells.values()):
            link = cell.hyperlink
            if link is not None:
                for name in ("target", "display", "tooltip", "location"):
                    setattr(link, name, _masked(getattr(link, name, None)))
            if cell.data_type == "f" and isinstance(cell.value, str):
                masked = mask_text(cell.value)
                if masked != cell.value:
                    cell.value = masked
                    cell.data_type = "s"  # shown as text: a masked formula would not run
