"""Lead IDs held by formulas that have no value (issue 10.3).

The register's lead IDs are formulas. A workbook saved by a program that does not compute
them (openpyxl: leadbook's own annotated copies, a script), a ``.xls`` written by LibreOffice
(its string results read back as 0), or a file never recalculated holds the formula with no
cached value, or a stale one (empty, 0, an error). The readers return values only, so such a
lead would have no ID: its log entries "unknown", its row "missing" its ID.

Here the lead-ID column is scanned for formulas, only when some row needs it (a row with a
channel and a creation time but no usable ID): a regex over the sheet's XML for ``.xlsx``, a
walk over the BIFF records for ``.xls``. Those cells then get the ID the formula computes,
from :func:`leadbook.core.leadid.assign_lead_ids` (tests prove it equal to the formula).

A rep's workbook (``leadbook new --rep``) computes IDs with the rep's code: its formula holds
the code as a text constant, and the workbook's custom properties say the same
(``leadbook_rep_code``, ``leadbook_lead_id_format``, written with the formulas). The
properties are what is read (:func:`formula_id_format`): one small part (``docProps/custom.xml``;
in an .xls, the user-defined section of the DocumentSummaryInformation stream, which
LibreOffice and Excel keep), where the formulas' text would need every cell's formula parsed
(in an .xls, BIFF tokens). Without them, the seed's format.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from leadbook.core.leadid import TEAM_FORMAT, assign_lead_ids, format_parts

# A cached value that is no ID: what a formula holds when nothing recalculated it.
STALE = re.compile(r"^\s*(0(\.0*)?|#.*)?\s*$")


def needs_scan(sheet: Any) -> bool:
    """Whether any row of the register has a channel and a creation time but an empty (or
    0, or error) lead ID: only then are the formulas looked for (off the fast path)."""
    import polars as pl

    frame = sheet.frame
    if frame is None or frame.height == 0:
        return False
    if not {"lead_id", "channel", "created_at"} <= set(frame.columns):
        return False
    lead_id = pl.col("lead_id")
    hit = frame.select(
        (
            (lead_id.is_null() | lead_id.str.contains(STALE.pattern))
            & pl.col("channel").str.strip_chars().str.len_chars().gt(0)
            & pl.col("created_at").str.strip_chars().str.len_chars().gt(0)
        ).any()
    ).item()
    return bool(hit)


def stale_formula_rows(source: Path | io.BytesIO, kind: str, sheet: Any) -> set[int]:
    """Excel rows of ``sheet`` (the register, as read) whose lead-ID cell is a formula with
    no usable cached value. Empty when no row needs it or the file cannot be scanned."""
    col = sheet.columns.get("lead_id")
    if col is None or not needs_scan(sheet):
        return set()
    try:
        if kind == "ole":
            cells = xls_formula_cells(source, sheet.name, col)
        else:
            cells = xlsx_formula_cells(source, sheet.name, col)
    except Exception:  # a part the readers could read but this scan cannot: keep the values
        return set()
    return {row for row, cached in cells.items() if cached is None or STALE.match(cached)}


# ------------------------------------------------------------------------- .xlsx
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): _unescape(v.decode("utf-8")) for k, v in _ATTR.findall(tag)}


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def sheet_part(zf: zipfile.ZipFile, name: str) -> str | None:
    """The zip path of the worksheet called ``name``."""
    rid = None
    for tag in _SHEET.findall(zf.read("xl/workbook.xml")):
        attrs = _attrs(tag)
        if attrs.get("name") == name:
            rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
            break
    if rid is None:
        return None
    for tag in _REL.findall(zf.read("xl/_rels/workbook.xml.rels")):
        attrs = _attrs(tag)
        if attrs.get("Id") == rid:
            target = attrs.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _column_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def xlsx_formula_cells(source: Path | io.BytesIO, sheet: str, col: int) -> dict[int, str | None]:
    """{Excel row: cached value or None} of the formula cells in column ``col`` (0-based)."""
    found: dict[int, str | None] = {}
    with zipfile.ZipFile(source) as zf:
        part = sheet_part(zf, sheet)
        if part is None:
            return found
        xml = zf.read(part)
    letter = _column_letter(col).encode()
    cell = re.compile(rb'<c r="' + letter + rb'(\d+)"[^>]*?(/>|>)')
    formula = re.compile(rb"<f\b[^>]*?(?:/>|>[^<]*</f>)")
    value = re.compile(rb"<v>([^<]*)</v>|<v\s*/>")
    for m in cell.finditer(xml):
        if m.group(2) == b"/>":
            continue
        f = formula.match(xml, m.end())
        if f is None:
            continue
        v = value.match(xml, f.end())
        cached = v.group(1) if v is not None else None
        found[int(m.group(1))] = None if cached is None else _unescape(cached.decode("utf-8"))
    return found


# -------------------------------------------------------------------------- .xls
_BOF, _EOF, _BOUNDSHEET, _FORMULA, _STRING, _CONTINUE = 0x0809, 0x000A, 0x85, 0x06, 0x207, 0x3C


def _records(data: bytes, start: int = 0):
    pos, end = start, len(data)
    while pos + 4 <= end:
        kind, size = struct.unpack_from("<HH", data, pos)
        yield pos, kind, data[pos + 4 : pos + 4 + size]
        pos += 4 + size


def _biff_text(body: bytes, count: int, offset: int) -> str:
    wide = body[offset] & 1
    raw = body[offset + 1 : offset + 1 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def xls_formula_cells(source: Path | io.BytesIO, sheet: str, col: int) -> dict[int, str | None]:
    """{Excel row: cached value or None} of the FORMULA records in column ``col`` of the
    BIFF8 worksheet ``sheet`` (string results from the STRING record after them)."""
    import olefile

    with olefile.OleFileIO(source) as ole:
        data = ole.openstream("Workbook").read()
    offset = None
    for _, kind, body in _records(data):
        if kind == _BOUNDSHEET and len(body) >= 8:
            if _biff_text(body, body[6], 7) == sheet:
                offset = struct.unpack_from("<I", body)[0]
                break
        elif kind == _EOF:
            break
    found: dict[int, str | None] = {}
    if offset is None:
        return found
    pending: int | None = None  # the row whose string result the next STRING record holds
    for _, kind, body in _records(data, offset):
        if kind == _EOF:
            break
        if kind == _FORMULA and len(body) >= 14:
            row, column = struct.unpack_from("<HH", body)
            pending = None
            if column != col:
                continue
            value = body[6:14]
            if value[6:8] == b"\xff\xff":
                if value[0] == 0:  # a string, in the next STRING record
                    found[row + 1] = None
                    pending = row + 1
                else:  # 1 bool, 2 error, 3 empty string
                    found[row + 1] = None
            else:
                number = struct.unpack("<d", value)[0]
                found[row + 1] = repr(number)
        elif kind == _STRING and pending is not None and len(body) >= 3:
            found[pending] = _biff_text(body, struct.unpack_from("<H", body)[0], 2)
            pending = None
        elif kind != _CONTINUE:
            pending = None
    return found


# ------------------------------------------------------------------ computing IDs
def computed_ids(
    rows: Sequence[int],
    channels: Sequence[str | None],
    created: Sequence[Any],
    stale: set[int],
    codes: dict[str, str],
    rep: str = "",
    fmt: str = TEAM_FORMAT,
) -> dict[int, str | None]:
    """{Excel row: the ID its formula computes} for the ``stale`` rows, from every row's
    channel and creation time (the formula counts all rows of the register); ``rep`` and
    ``fmt``: the rep's code and the IDs' format (:func:`formula_id_format`)."""
    ids = assign_lead_ids(list(zip(channels, created, strict=True)), codes, rep, fmt)
    return {row: lead_id for row, lead_id in zip(rows, ids, strict=True) if row in stale}


# ------------------------------------------------------- the IDs' format (a rep's)
def formula_id_format(
    source: Path | io.BytesIO, kind: str, properties: dict[str, str]
) -> tuple[str, str]:
    """(rep code, format) of the register's lead-ID formulas: from the workbook's custom
    properties (``properties`` as read from an .xlsx; an .xls's read here); ("", TEAM_FORMAT)
    (the seed's IDs) when the workbook names no rep code or an unusable one."""
    if kind == "ole":
        try:
            properties = xls_custom_properties(source)
        except Exception:  # a damaged or foreign property set: the seed's format
            properties = {}
    code = properties.get("leadbook_rep_code", "")
    fmt = properties.get("leadbook_lead_id_format") or TEAM_FORMAT
    if not re.fullmatch(r"[A-Z]{1,4}", code):
        return "", TEAM_FORMAT
    try:
        format_parts(fmt)
    except ValueError:
        fmt = TEAM_FORMAT
    return code, fmt


_USER_DEFINED = bytes.fromhex("05d5cdd59c2e1b10939708002b2cf9ae")  # FMTID_UserDefinedProperties
_VT_I2, _VT_LPSTR, _VT_LPWSTR = 0x02, 0x1E, 0x1F


def xls_custom_properties(source: Path | io.BytesIO) -> dict[str, str]:
    """leadbook's custom properties (``leadbook_*``, text) of an OLE workbook: the
    user-defined section of its ``\x05DocumentSummaryInformation`` property set ([MS-OLEPS])."""
    import olefile

    with olefile.OleFileIO(source) as ole:
        if not ole.exists("\x05DocumentSummaryInformation"):
            return {}
        data = ole.openstream("\x05DocumentSummaryInformation").read(1 << 20)
    (count,) = struct.unpack_from("<I", data, 24)
    for i in range(min(count, 4)):
        fmtid, offset = (
            data[28 + 20 * i : 44 + 20 * i],
            struct.unpack_from("<I", data, 44 + 20 * i)[0],
        )
        if fmtid == _USER_DEFINED:
            return _user_section(data, offset)
    return {}


def _user_section(data: bytes, base: int) -> dict[str, str]:
    nprops = min(struct.unpack_from("<I", data, base + 4)[0], 256)
    where = dict(struct.unpack_from("<II", data, base + 8 + 8 * i) for i in range(nprops))
    codepage = 1252
    if 1 in where and struct.unpack_from("<H", data, base + where[1])[0] == _VT_I2:
        codepage = struct.unpack_from("<h", data, base + where[1] + 4)[0] & 0xFFFF
    encoding = {1200: "utf-16-le", 65001: "utf-8"}.get(codepage, f"cp{codepage}")
    names: dict[int, str] = {}
    if 0 in where:  # the dictionary: property id -> name
        pos = base + where[0]
        (entries,) = struct.unpack_from("<I", data, pos)
        pos += 4
        for _ in range(min(entries, 256)):
            pid, length = struct.unpack_from("<II", data, pos)
            size = length * (2 if codepage == 1200 else 1)
            names[pid] = data[pos + 8 : pos + 8 + size].decode(encoding, "replace").rstrip("\x00")
            pos += 8 + size + ((-size) % 4 if codepage == 1200 else 0)
    found: dict[str, str] = {}
    for pid, name in names.items():
        if not name.startswith("leadbook_") or pid not in where:
            continue
        pos = base + where[pid]
        kind, length = struct.unpack_from("<HxxI", data, pos)
        if kind == _VT_LPSTR:
            raw, text_encoding = data[pos + 8 : pos + 8 + length], encoding
        elif kind == _VT_LPWSTR:
            raw, text_encoding = data[pos + 8 : pos + 8 + 2 * length], "utf-16-le"
        else:
            continue
        found[name] = raw.decode(text_encoding, "replace").rstrip("\x00")[:200]
    return found
