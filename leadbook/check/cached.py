"""Cached values for formula cells of a copy written by openpyxl (issue 10.3).

openpyxl keeps formulas but writes no value with them, so a program that reads values (a
reader, a preview, pandas) sees the annotated copy's lead IDs as empty. The IDs validation
computed for those cells (``FileReport.formula_values``) are written into the copy's sheet
XML as the formulas' cached string results, as Excel would have stored them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from leadbook.read.formulas import sheet_part

_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}\d+)"([^>]*?)>(<f\b[^>]*?(?:/>|>[^<]*</f>))(?:<v>[^<]*</v>|<v\s*/>)?'
)
_TYPE = re.compile(rb'\st="[^"]*"')


def cache_formula_values(path: Path, values: Mapping[tuple[str, str], str]) -> None:
    """Rewrite the workbook at ``path`` (a temporary file being written) with ``values``
    ({(sheet, "A3"): text}) cached in those cells' formulas."""
    if not values:
        return
    by_sheet: dict[str, dict[bytes, str]] = {}
    for (sheet, ref), value in values.items():
        by_sheet.setdefault(sheet, {})[ref.encode()] = value
    with zipfile.ZipFile(path) as zf:
        parts = {sheet_part(zf, sheet): cells for sheet, cells in by_sheet.items()}
        parts.pop(None, None)
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in entries:
            cells = parts.get(info.filename)
            if cells:
                data = _CELL.sub(lambda m, c=cells: _cached(m, c), data)
            out.writestr(info, data)


def _cached(match: re.Match[bytes], cells: dict[bytes, str]) -> bytes:
    ref, attrs, formula = match.groups()
    value = cells.get(ref)
    if value is None:
        return match.group(0)
    attrs = _TYPE.sub(b"", attrs) + b' t="str"'
    text = escape(value).encode("utf-8")
    return b'<c r="' + ref + b'"' + attrs + b">" + formula + b"<v>" + text + b"</v>"
