"""Reading lead workbooks: fast (fastexcel: Rust and Arrow), tolerant (sheets found by name
or by their header row, the seed template's own labels understood), and careful (the file is
checked before it is opened: size, zip damage, encryption, zip bombs).

The result keeps every value where it was: sheet, Excel row, column. Values are returned as
the cells hold them; ``normalize`` turns them into comparable values without changing them.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from leadbook.core.catalog import Catalog
from leadbook.core.errors import InputError
from leadbook.core.texts import sheet_names

HEADER_SCAN_ROWS = 20
MIN_HEADER_MATCHES = 3
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# A zip that unpacks to more than this many times its own size, and to over 64 MiB, is
# refused before it is unpacked (real xlsx files stay under 30x).
ZIP_RATIO_LIMIT = 200
ZIP_SIZE_FLOOR = 64 * 1024 * 1024

_MESSAGES = {
    "zh": {
        "missing": "文件不存在",
        "empty": "文件是空的(0 字节)",
        "too_large": "文件有 {mb:.0f} MB,超过上限 {limit:.0f} MB(可在配置 validate.max_file_mb 调整)",
        "encrypted": "工作簿设置了打开密码:请用 --password-env 变量名 提供密码(密码放在环境变量里)",
        "wrong_password": "密码不对,无法打开这个加密的工作簿",
        "not_workbook": "不是 Excel 工作簿(.xlsx / .xlsm / .xls)",
        "damaged": "文件已损坏,无法读取(压缩包不完整或已截断):{detail}",
        "bomb": "文件解压后有 {mb:.0f} MB,是压缩前的 {ratio:.0f} 倍,疑似压缩炸弹,已拒绝",
        "bomb_lying": "文件解压后超过 {mb:.0f} MB(压缩包目录里只写了 {declared}),"
        "是压缩前的 {ratio:.0f} 倍以上,疑似压缩炸弹,已拒绝",
        "malformed": "文件已损坏,无法读取(工作簿的内容不完整或格式不对):{detail}",
        "reader_failed": "读取时出错,可能有超出范围的值(如日期格式的单元格里填了很大的负数):{detail}",
        "no_register": "找不到线索台账:没有名为“线索台账”的工作表,也没有哪个工作表的表头能认出至少 3 个字段",
        "unreadable": "无法读取:{detail}",
    },
    "en": {
        "missing": "file not found",
        "empty": "the file is empty (0 bytes)",
        "too_large": "the file is {mb:.0f} MB, over the {limit:.0f} MB limit (config validate.max_file_mb)",
        "encrypted": "the workbook is password-protected: give the password with --password-env VAR (the password in an environment variable)",
        "wrong_password": "wrong password: the encrypted workbook cannot be opened",
        "not_workbook": "not an Excel workbook (.xlsx / .xlsm / .xls)",
        "damaged": "the file is damaged and cannot be read (truncated or corrupt zip): {detail}",
        "bomb": "the file unpacks to {mb:.0f} MB, {ratio:.0f} times its size: a suspected zip bomb, refused",
        "bomb_lying": "the file unpacks to over {mb:.0f} MB (its zip directory claims {declared}), "
        "over {ratio:.0f} times its size: a suspected zip bomb, refused",
        "malformed": "the file is damaged and cannot be read (parts of the workbook are missing or malformed): {detail}",
        "reader_failed": "the reader failed, maybe on a value out of range (a large negative number in a date cell): {detail}",
        "no_register": "no lead register found: no sheet named 线索台账/Leads, and no sheet whose header row names at least 3 fields",
        "unreadable": "cannot read: {detail}",
    },
}


def input_error(lang: str, key: str, **params: Any) -> InputError:
    return InputError(_MESSAGES.get(lang, _MESSAGES["zh"])[key].format(**params))


@dataclass
class SheetData:
    """One sheet's data: a text column per field key, aligned with ``rows``."""

    name: str
    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # field key (or composite key) -> 0-based column index
    unknown: list[tuple[int, str]]  # columns whose header matches no field
    rows: list[int] = field(default_factory=list)  # Excel row numbers of the data rows
    frame: Any = None  # polars DataFrame: one text column per field key, aligned with rows
    extra: Any = None  # polars DataFrame: the unknown columns' text, named by column index

    def extra_values(self, col: int, rows: list[int]) -> list[str | None]:
        """The trimmed text of an unknown column (0-based index) at the given Excel rows
        (a master's provenance columns: not catalog fields, kept as they are)."""
        import polars as pl

        name = str(col)
        if self.extra is None or name not in self.extra.columns:
            return [None] * len(rows)
        first = self.header_row + 1
        index = pl.Series([r - first for r in rows], dtype=pl.Int64)
        text = self.extra[name].gather(index).str.strip_chars()
        return [v or None for v in text.to_list()]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class RawBook:
    path: str
    register: SheetData
    log: SheetData | None
    properties: dict[str, str]


# ------------------------------------------------------------------------- headers
def norm_header(text: Any) -> str:
    """A header as compared: NFKC, no spaces, no required-markers, lower case."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[(\[](必填|选填|required|optional)[)\]]$", "", s)
    return s.strip("*※")


@cache
def header_index(catalog: Catalog, sheet: str) -> dict[str, str]:
    """Normalised header -> field key (composites included) for ``register`` or ``log``."""
    index: dict[str, str] = {}
    for fd in catalog.sheet_fields(sheet):
        for name in fd.header_names:
            index.setdefault(norm_header(name), fd.key)
    if sheet == "register":
        for comp in catalog.composites:
            for label in comp.labels:
                index.setdefault(norm_header(label), comp.key)
    return index


def match_header(row: list[Any], index: dict[str, str]) -> tuple[dict[str, int], list]:
    columns: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    for i, cell in enumerate(row):
        if cell in ("", None):
            continue
        key = index.get(norm_header(cell))
        if key is None or key in columns:
            unknown.append((i, str(cell).strip()))
        else:
            columns[key] = i
    return columns, unknown


def find_header(rows: list[list[Any]], index: dict[str, str]) -> tuple[int, dict, list] | None:
    """(0-based row, columns, unknown) of the best header in the first rows, if any."""
    best = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns, unknown = match_header(row, index)
        if len(columns) >= MIN_HEADER_MATCHES and (best is None or len(columns) > len(best[1])):
            best = (r, columns, unknown)
    return best


# ---------------------------------------------------------------------------- files
def check_file(
    path: Path, max_bytes: float, lang: str = "zh", password: str | None = None
) -> tuple[str, bytes]:
    """Refuse what must not be opened. Returns the kind (``zip`` or ``ole``) and the bytes
    to read (decrypted, for an encrypted workbook opened with its password).

    The file is read once: the bytes checked here are the bytes the reader parses (a file
    swapped between the check and the read cannot slip through), and a name the system
    cannot decode (a GBK name unpacked on a UTF-8 system) is no obstacle."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise input_error(lang, "missing") from None
    except OSError as exc:
        raise input_error(lang, "unreadable", detail=exc.strerror) from None
    if size == 0:
        raise input_error(lang, "empty")
    if size > max_bytes:
        raise input_error(lang, "too_large", mb=size / 2**20, limit=max_bytes / 2**20)
    try:
        with open(path, "rb") as fh:
            data = fh.read(int(max_bytes) + 1)
    except OSError as exc:
        raise input_error(lang, "unreadable", detail=exc.strerror) from None
    if len(data) > max_bytes:  # it grew since stat
        raise input_error(lang, "too_large", mb=len(data) / 2**20, limit=max_bytes / 2**20)
    if not data:
        raise input_error(lang, "empty")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM not in data[: 1 << 20]:
            return "ole", data  # a legacy .xls
        if password is None:
            raise input_error(lang, "encrypted")
        from leadbook.core.crypto import decrypt

        data = decrypt(data, password, str(input_error(lang, "wrong_password")))
        _check_zip(io.BytesIO(data), lang)
        return "zip", data
    if not data.startswith(b"PK"):
        raise input_error(lang, "not_workbook")
    _check_zip(io.BytesIO(data), lang)
    return "zip", data


def _check_zip(source: Path | io.BytesIO, lang: str) -> None:
    """Refuse a damaged zip or a zip bomb, reading the zip the way a workbook reader would.

    The directory's sizes are checked first (a bomb that tells the truth is refused before
    anything is unpacked); then every part is inflated in bounded chunks, counting the bytes
    it really holds and checking its CRC: a bomb whose directory lies about the sizes is
    stopped at the limit, and damage that still inflates (calamine checks no CRC, so it would
    read altered values) is caught.
    """
    packed = len(source.getbuffer()) if isinstance(source, io.BytesIO) else source.stat().st_size
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
                raise input_error(lang, "not_workbook")
            declared = sum(i.file_size for i in infos)
            compressed = max(1, sum(i.compress_size for i in infos))
            if declared > ZIP_SIZE_FLOOR and declared / compressed > ZIP_RATIO_LIMIT:
                raise input_error(lang, "bomb", mb=declared / 2**20, ratio=declared / compressed)
            limit = max(ZIP_SIZE_FLOOR, ZIP_RATIO_LIMIT * packed)
            unpacked = 0
            for info in infos:
                size, damage = _inflate(zf, info, limit - unpacked)
                unpacked += size
                if unpacked > limit:
                    raise input_error(
                        lang,
                        "bomb_lying",
                        mb=limit / 2**20,
                        declared=_size_text(declared),
                        ratio=limit / max(1, packed),
                    )
                if damage and _is_read(info.filename):
                    raise zipfile.BadZipFile(f"{info.filename}: {damage}")
    except InputError:
        raise
    except Exception as exc:  # zipfile, zlib, bz2, lzma: each raises its own types on damage
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise input_error(lang, "damaged", detail=detail) from None


ZIP_CHUNK = 1 << 20


def _size_text(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 2**10:.0f} KB"


# Parts no reader of leadbook opens: damage there is ignored (Excel repairs such files).
UNREAD_PARTS = re.compile(r"^(xl/media/|xl/printerSettings/|xl/vbaProject\.bin$|docProps/thumb)")


def _is_read(name: str) -> bool:
    return not UNREAD_PARTS.match(name)


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> tuple[int, str]:
    """(bytes one part really unpacks to, up to just past ``budget``; its damage or "").

    The CRC is checked, and the size compared with the directory's: calamine checks
    neither, so a damaged part could otherwise be read as altered values.
    """
    probe = copy.copy(info)
    probe.file_size = 1 << 62  # read to the end of the data, whatever the directory says
    size = 0
    try:
        with zf.open(probe) as fh:
            while chunk := fh.read(ZIP_CHUNK):
                size += len(chunk)
                if size > budget:
                    return size, ""
    except Exception as exc:
        return size, str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    if size != info.file_size:
        return size, f"holds {size} bytes, the zip directory says {info.file_size}"
    return size, ""


_PROPERTY = re.compile(
    r'<property[^>]*name="(leadbook_[a-z_]+)"[^>]*>\s*<vt:lpwstr>([^<]{0,200})</vt:lpwstr>'
)


def read_properties(source: Path | io.BytesIO) -> dict[str, str]:
    """leadbook's custom document properties (template version, catalog and config hash)."""
    try:
        with zipfile.ZipFile(source) as zf:
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > 1 << 20:
                return {}
            text = zf.read(info).decode("utf-8", "replace")
    except Exception:  # a missing or damaged part: no properties (the values were read)
        return {}
    return dict(_PROPERTY.findall(text))


def read_book(
    path: str | Path,
    catalog: Catalog,
    *,
    max_bytes: float = 100 * 2**20,
    lang: str = "zh",
    password: str | None = None,
) -> RawBook:
    """Read the register and the follow-up log of one workbook. Raises ``InputError``.

    Values are read with fastexcel (Rust, Arrow: no Python object per cell), every column as
    text so no type guessing can lose a value; ``normalize`` parses dates and numbers.
    """
    import fastexcel

    path = Path(path)
    kind, data = check_file(path, max_bytes, lang, password)
    try:
        wb = fastexcel.read_excel(data)
        names = list(wb.sheet_names)
        register = _find_sheet(wb, names, catalog, "register", exclude=None)
        if register is None:
            raise input_error(lang, "no_register")
        log = _find_sheet(wb, names, catalog, "log", exclude=register.name)
    except InputError:
        raise
    except BaseException as exc:  # the reader raises its own types for every kind of damage
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        if not isinstance(exc, Exception):
            if type(exc).__name__ != "PanicException":
                raise  # KeyboardInterrupt, SystemExit
            # A Rust panic in calamine (pyo3 raises it as a BaseException): seen for a number
            # far out of range in a date-formatted cell.
            raise input_error(lang, "reader_failed", detail=detail) from None
        if "password" in detail.lower() or "encrypt" in detail.lower():
            raise input_error(lang, "encrypted") from None
        # The zip is sound (check_file read all of it): the damage is in the XML.
        if kind == "zip" and "cannot detect file format" in detail.lower():
            detail = _xml_damage(data) or detail  # what calamine's format sniffing hides
        raise input_error(lang, "malformed", detail=detail) from None
    properties = read_properties(io.BytesIO(data)) if kind == "zip" else {}
    return RawBook(str(path), register, log, properties)


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _xml_damage(data: bytes) -> str | None:
    """Read from bytes, calamine tries every format and reports only "cannot detect file
    format"; name the usual cause instead: a DTD declaring entities (never in a workbook)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.filename.endswith(".xml") and _is_read(info.filename):
                with zf.open(info) as fh:
                    if _DTD.search(fh.read(1 << 16)):
                        return f"{info.filename}: a DTD declares an unrecognized entity (<!ENTITY>)"
    return None


def _load(wb, name: str):
    """A whole sheet as text, rows from the sheet's first row, with each column's position."""
    sheet = wb.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
    frame = sheet.to_polars()
    positions = [c.absolute_index for c in sheet.available_columns()]
    return frame, positions


def _find_sheet(wb, names: list[str], catalog: Catalog, role: str, exclude: str | None):
    index = header_index(catalog, role)
    preferred = set(sheet_names(role))
    candidates = sorted(
        (n for n in names if n != exclude), key=lambda n: (n not in preferred, names.index(n))
    )
    best = None
    for name in candidates:
        frame, positions = _load(wb, name)
        head = _head_rows(frame, positions)
        found = find_header(head, index)
        if found is None:
            continue
        if role == "log" and not {"contact_at", "content", "method"} & set(found[1]):
            continue  # a register-like sheet is not a log
        if name in preferred:
            best = (name, frame, positions, found)
            break
        if best is None or len(found[1]) > len(best[3][1]):
            best = (name, frame, positions, found)
    if best is None:
        return None
    name, frame, positions, (header, columns, unknown) = best
    return _sheet_data(name, frame, positions, header, columns, unknown)


def _head_rows(frame, positions: list[int]) -> list[list[Any]]:
    """The first rows as lists indexed by absolute column (A = 0)."""
    width = (max(positions) + 1) if positions else 0
    rows = []
    for values in frame.head(HEADER_SCAN_ROWS).iter_rows():
        row: list[Any] = [""] * width
        for pos, value in zip(positions, values, strict=True):
            row[pos] = "" if value is None else value
        rows.append(row)
    return rows


def _sheet_data(name, frame, positions, header: int, columns: dict, unknown: list) -> SheetData:
    """The mapped columns below the header, renamed to field keys (empty rows included:
    ``normalize`` drops them, vectorised)."""
    import polars as pl

    data = SheetData(name, header + 1, columns, unknown)
    by_position = dict(zip(positions, frame.columns, strict=True))  # frame.columns: a copy
    body = frame.slice(header + 1)
    data.rows = list(range(header + 2, header + 2 + body.height))
    data.frame = body.select(
        [
            (pl.col(by_position[col]) if col in by_position else pl.lit(None, pl.String)).alias(key)
            for key, col in columns.items()
        ]
    )
    data.extra = body.select(
        pl.col(by_position[col]).alias(str(col)) for col, _ in unknown if col in by_position
    )
    return data


def expand_paths(paths: list[str]) -> list[Path]:
    """Files as given, folders searched recursively for workbooks, globs expanded; in order,
    without duplicates. Lock files of Excel (``~$x.xlsx``) are left out."""
    import glob

    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            items = sorted(
                q for q in p.rglob("*") if q.suffix.lower() in WORKBOOK_SUFFIXES and q.is_file()
            )
        elif any(ch in raw for ch in "*?["):
            items = sorted(Path(m) for m in glob.glob(raw, recursive=True))
        else:
            items = [p]
        found.extend(q for q in items if not q.name.startswith("~$"))
    seen: set[Path] = set()
    unique = []
    for q in found:
        key = q.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(q)
    return unique
