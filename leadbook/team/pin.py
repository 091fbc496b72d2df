"""Keeping given lead IDs in a workbook whose register computes its IDs by formula.

The template's lead-ID formula numbers a workbook's leads by channel, day and position, and
its cached value is what the formula computes. A workbook made from a master (``leadbook
split``) must carry the master's IDs, which the formula gives only where the rep's leads are
numbered as they were when the rep registered them: a renumbered lead, or a 撞单 lead moved
to its owner, would get another ID the moment the sheet is recalculated. Those cells are
turned from formula into the ID as a value (an inline string, in the ID column's locked
format); every other cell keeps its formula, the empty rows below the leads too, so that the
rep's new leads are numbered as in any workbook of the template.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from leadbook.read.formulas import sheet_part

# A lead-ID cell as XlsxWriter writes it: <c r="A3" s="9" t="str"><f>…</f><v>…</v></c>.
_CELL = re.compile(
    rb'<c r="A(?P<row>\d+)"(?P<style> s="\d+")?(?: t="str")?>'
    rb"<f>(?P<f>[^<]*)</f>(?:<v>(?P<v>[^<]*)</v>|<v/>)?</c>"
)


def _unescape(text: bytes) -> str:
    return (
        text.decode("utf-8")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def pin_lead_ids(
    source: Path, target: Path, sheet: str, first_row: int, ids: Sequence[str | None]
) -> int:
    """Copy the workbook ``source`` to ``target`` with the register ``sheet``'s lead IDs
    ``ids`` (the leads from Excel row ``first_row`` down, in order) kept: each lead-ID
    formula whose cached value is not the wanted ID becomes that ID as a value (no ID: an
    empty cell). Returns how many cells were changed."""
    with zipfile.ZipFile(source) as zf:
        part = sheet_part(zf, sheet)
        if part is None:
            raise ValueError(f"{source}: no sheet {sheet!r}")
        xml = zf.read(part)
    changed, seen = 0, 0

    def keep(m: re.Match) -> bytes:
        nonlocal changed, seen
        i = int(m["row"]) - first_row
        if not 0 <= i < len(ids):
            return m[0]
        seen += 1
        want = ids[i] or ""
        cached = _unescape(m["v"]) if m["v"] is not None else ""
        if cached == want:
            return m[0]
        changed += 1
        style = m["style"] or b""
        if not want:
            return b'<c r="A' + m["row"] + b'"' + style + b"/>"
        text = escape(want).encode("utf-8")
        return (
            b'<c r="A'
            + m["row"]
            + b'"'
            + style
            + b' t="inlineStr"><is><t>'
            + text
            + b"</t></is></c>"
        )

    xml = _CELL.sub(keep, xml)
    if seen != len(ids):  # the template writes its lead-ID cells otherwise: never guess
        raise ValueError(f"{source}: {seen} of {len(ids)} lead-ID formulas found in {part}")
    if not changed:
        shutil.copyfile(source, target)
        return 0
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = xml if info.filename == part else zin.read(info.filename)
            zout.writestr(info, data, compress_type=info.compress_type)
    return changed
