"""Finding the inputs: files as given, folders searched recursively, globs expanded. Every
file found is either read or listed as skipped with its reason (a lock file, another kind of
file, leadbook's own outputs); an argument that names nothing readable says what it is.
"""

from __future__ import annotations

import codecs
import csv
import glob
import html
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from leadbook.core import outputs
from leadbook.read.messages import message

READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
PEEK_LIMIT = 1 << 20  # bytes of a part read to recognise an output


@dataclass(frozen=True)
class Input:
    """One thing named by the arguments: a file to read, a file skipped (``skip``: the
    message key of the reason), or an argument with nothing to read (``error``)."""

    path: Path
    skip: str | None = None
    error: str | None = None

    @property
    def readable(self) -> bool:
        return self.skip is None and self.error is None

    def reason(self, lang: str = "zh") -> str | None:
        key = self.skip or self.error
        if key is None:
            return None
        return message(lang, key, suffix=self.path.suffix or self.path.name)


def list_inputs(paths: list[str]) -> list[Input]:
    """Every input named by ``paths``, in order, without duplicates."""
    found: list[Input] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            items = [_listed(q) for q in _walk(p)]
            if not any(i.readable for i in items):
                items.append(Input(p, error="empty_folder"))
        elif any(ch in raw for ch in "*?[") and not p.exists():
            matches = sorted(Path(m) for m in glob.glob(raw, recursive=True))
            items = [_listed(q) for q in matches if q.is_file()]
            if not items:
                items = [Input(p, error="no_match")]
        elif not p.exists():
            items = [Input(p, error="not_found")]
        else:
            items = [_named(p)]
        found.extend(items)
    seen: set[Path] = set()
    unique = []
    for item in found:
        key = item.path.resolve()
        if item.error is None and key in seen:
            continue
        seen.add(key)
        unique.append(item)
    return unique


def expand_paths(paths: list[str]) -> list[Path]:
    """The files to read among ``paths`` (see :func:`list_inputs`)."""
    return [i.path for i in list_inputs(paths) if i.readable]


def _walk(folder: Path) -> list[Path]:
    """The files below ``folder``, sorted; hidden folders (.git, .Trash) are not entered."""
    files = []
    for q in folder.rglob("*"):
        inside = q.relative_to(folder).parts[:-1]
        if any(part.startswith(".") for part in inside) or not q.is_file():
            continue
        files.append(q)
    return sorted(files)


def _listed(path: Path) -> Input:
    """A file found in a folder or by a glob: read only if it looks like a register."""
    name = path.name
    if name.startswith("~$"):
        return Input(path, skip="skip_lock")
    if name.startswith("."):
        return Input(path, skip="skip_hidden")
    if path.suffix.lower() not in READABLE_SUFFIXES:
        return Input(path, skip="skip_suffix")
    kind = own_output(path)
    if kind is None and _beside_original(path):
        kind = "handoff"
    return Input(path, skip=f"skip_{kind}") if kind else Input(path)


def _beside_original(path: Path) -> bool:
    """A hand-off copy (``rep01.handoff.xlsx``) in the folder of its original (``rep01.xlsx``):
    counting both would count the leads twice."""
    name = path.name
    if not name.lower().endswith(outputs.HANDOFF_SUFFIX):
        return False
    base = name[: -len(outputs.HANDOFF_SUFFIX)]
    return any((path.parent / (base + suffix)).is_file() for suffix in READABLE_SUFFIXES)


def _named(path: Path) -> Input:
    """A file named on the command line: read, unless it is a lock file or a report of
    leadbook's (an annotated copy named by itself is read: its rep may have fixed it)."""
    if path.name.startswith("~$"):
        return Input(path, skip="skip_lock")
    kind = own_output(path)
    own = kind in ("summary", "conflicts", "assignments")
    return Input(path, skip=f"skip_{kind}") if own else Input(path)


# ------------------------------------------------------------------ leadbook's outputs
_SHEET = re.compile(r"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")
_DESCRIPTION = re.compile(r"<dc:description>([^<]{0,200})</dc:description>")


def own_output(path: Path) -> str | None:
    """``annotated``, ``summary``, ``conflicts`` or ``assignments`` when ``path`` is one of leadbook's own
    outputs, else None (also when it cannot be told: the reader then says what is wrong)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if head.startswith(b"PK"):
            return _own_workbook(path)
        if path.suffix.lower() == ".csv":
            return _own_csv(head)
    except Exception:  # damaged, unreadable: not recognised; reading it says why
        return None
    return None


def _part(zf: zipfile.ZipFile, name: str) -> str:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return ""
    with zf.open(info) as fh:
        return fh.read(PEEK_LIMIT).decode("utf-8", "replace")


def _own_workbook(path: Path) -> str | None:
    with zipfile.ZipFile(path) as zf:
        if "content.xml" in zf.namelist():  # OpenDocument (saved again as .ods)
            sheets = _ods_sheets(zf)
            description = _DESCRIPTION.search(_part(zf, "meta.xml"))
            partial = True
        else:
            sheets = [html.unescape(n) for n in _SHEET.findall(_part(zf, "xl/workbook.xml"))]
            description = _DESCRIPTION.search(_part(zf, "docProps/core.xml"))
            partial = False
    if sheets and sheets[0] in outputs.FINDINGS_SHEETS:
        return "annotated"
    if sheets and any(
        set(sheets) == kinds or (partial and set(sheets) <= kinds)
        for kinds in outputs.CONFLICTS_SHEETS
    ):
        return "conflicts"
    if description and html.unescape(description.group(1)) in outputs.summary_generators():
        return "summary"
    return None


_ODS_TABLE = re.compile(r"<table:table\b[^>]*?\btable:name=\"([^\"]*)\"")
ODS_SCAN = 16 << 20  # bytes of an .ods content.xml scanned for sheet names


def _ods_sheets(zf: zipfile.ZipFile) -> list[str]:
    """An .ods file's sheet names, in order, as far as the first ``ODS_SCAN`` bytes of its
    content go (a sheet's cells come before the next sheet's name)."""
    names: list[str] = []
    tail = ""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    with zf.open("content.xml") as fh:
        read = 0
        while read < ODS_SCAN:
            chunk = fh.read(PEEK_LIMIT)
            if not chunk:
                break
            read += len(chunk)
            text = tail + decoder.decode(chunk)
            cut = text.rfind("<")
            whole, tail = (text[:cut], text[cut:]) if cut > len(text) - 4096 else (text, "")
            names += [html.unescape(n) for n in _ODS_TABLE.findall(whole)]
    return names


def _own_csv(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    text = head.decode("utf-8", "replace")
    first = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    if tuple(first) in outputs.CONFLICTS_HEADERS:
        return "conflicts"
    return "assignments" if tuple(first) in outputs.ASSIGNMENTS_HEADERS.values() else None
