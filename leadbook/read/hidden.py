"""Text a workbook holds outside its cells' values, where personal data hides (issue 11):
cell comments, hyperlink targets, defined names and document properties. Read from the small
parts of an .xlsx (never the sheets' cell data), for ``check.extra`` to flag.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from html import unescape

from leadbook.read.formulas import sheet_part

_TEXT = re.compile(rb">([^<]+)<")
_COMMENT = re.compile(rb'<comment\b[^>]*\bref="([A-Z]+\d+)"[^>]*>(.*?)</comment>', re.S)
_DEFINED = re.compile(rb"<definedName\b[^>]*>([^<]*)</definedName>")
_REL = re.compile(rb"<Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_PROPERTY_PARTS = ("docProps/core.xml", "docProps/app.xml")
_APP_TAGS = re.compile(rb"<(Company|Manager)>([^<]*)</\1>")
PART_LIMIT = 4 << 20  # parts larger than this are no comments or properties of a lead book


@dataclass(frozen=True)
class Hidden:
    place: str  # comment | hyperlink | defined-name | properties
    sheet: str | None
    cell: str | None
    text: str


def hidden_texts(data: bytes, sheets: list[str]) -> list[Hidden]:
    """The comments and hyperlinks of ``sheets``, the workbook's defined names and its
    document properties; [] for anything that cannot be read this way."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _found(zf, sheets)
    except Exception:  # a part the readers read but this scan cannot: nothing to add
        return []


def _read(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return b""
    return zf.read(info) if info.file_size <= PART_LIMIT else b""


def _text(raw: bytes) -> str:
    return unescape(raw.decode("utf-8", "replace"))


def _found(zf: zipfile.ZipFile, sheets: list[str]) -> list[Hidden]:
    found: list[Hidden] = []
    core = _read(zf, "docProps/core.xml")
    found += [Hidden("properties", None, None, _text(t)) for t in _TEXT.findall(core)]
    app = _read(zf, "docProps/app.xml")
    found += [Hidden("properties", None, None, _text(t)) for _, t in _APP_TAGS.findall(app)]
    workbook = _read(zf, "xl/workbook.xml")
    found += [Hidden("defined-name", None, None, _text(t)) for t in _DEFINED.findall(workbook)]
    for sheet in sheets:
        part = sheet_part(zf, sheet)
        if part is None:
            continue
        rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part))
        for tag in _REL.findall(_read(zf, rels_name + ".rels")):
            attrs = {k.decode(): _text(v) for k, v in _ATTR.findall(tag)}
            kind = attrs.get("Type", "")
            if kind.endswith("/hyperlink"):
                found.append(Hidden("hyperlink", sheet, None, attrs.get("Target", "")))
            elif kind.endswith("/comments"):
                target = attrs.get("Target", "")
                if target.startswith("/"):  # absolute, as openpyxl writes it
                    target = target.lstrip("/")
                else:
                    target = posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
                for ref, body in _COMMENT.findall(_read(zf, target)):
                    text = "".join(_text(t) for t in _TEXT.findall(b">" + body + b"<"))
                    found.append(Hidden("comment", sheet, ref.decode(), text))
    return [h for h in found if h.text.strip()]
