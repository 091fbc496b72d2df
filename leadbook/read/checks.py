"""Checks before a file is opened: size, encryption, zip damage, zip bombs; and the kind of
file it really is (by its content, not its name): ``xlsx`` (also .xlsm), ``ods``, ``ole``
(a legacy .xls) or ``csv``.
"""

from __future__ import annotations

import copy
import io
import os
import re
import struct
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from isal import isal_zlib as zlib  # zlib's API, inflating about 1.5x as fast (ISA-L)

from leadbook.core.errors import InputError
from leadbook.read.messages import input_error

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
TEXT_SUFFIXES = (".csv", ".txt")
# A zip that unpacks to more than this many times its own size, and to over 64 MiB, is
# refused before it is unpacked (real xlsx files stay under 30x).
ZIP_RATIO_LIMIT = 200
ZIP_SIZE_FLOOR = 64 * 1024 * 1024
ZIP_CHUNK = 1 << 20
ZIP_SLICE = 1 << 16  # compressed bytes given to zlib at a time
PARALLEL_PART = 1 << 20  # parts of more compressed bytes than this are inflated side by side


def check_file(
    path: Path, max_bytes: float, lang: str = "zh", password: str | None = None
) -> tuple[str, bytes]:
    """Refuse what must not be opened. Returns the kind (``xlsx``, ``ods``, ``ole`` or
    ``csv``) and the bytes to read (decrypted, for an encrypted workbook opened with its
    password).

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
        return _check_zip(io.BytesIO(data), lang), data
    if data.startswith(b"PK"):
        return _check_zip(io.BytesIO(data), lang), data
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "csv", data
    raise input_error(lang, "not_workbook")


def _check_zip(source: Path | io.BytesIO, lang: str) -> str:
    """Refuse a damaged zip or a zip bomb, reading the zip the way a workbook reader would;
    returns ``xlsx`` or ``ods``.

    The directory's sizes are checked first (a bomb that tells the truth is refused before
    anything is unpacked); then every part is inflated in bounded chunks, counting the bytes
    it really holds and checking its CRC: a bomb whose directory lies about the sizes is
    stopped at the limit, and damage that still inflates (calamine checks no CRC, so it would
    read altered values) is caught.
    """
    view = memoryview(source.getvalue()) if isinstance(source, io.BytesIO) else None
    packed = len(view) if view is not None else source.stat().st_size
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                kind = "xlsx"
            elif "content.xml" in names and _is_ods(zf, names):
                kind = "ods"
            else:
                raise input_error(lang, "not_workbook")
            declared = sum(i.file_size for i in infos)
            compressed = max(1, sum(i.compress_size for i in infos))
            if declared > ZIP_SIZE_FLOOR and declared / compressed > ZIP_RATIO_LIMIT:
                raise input_error(lang, "bomb", mb=declared / 2**20, ratio=declared / compressed)
            limit = max(ZIP_SIZE_FLOOR, ZIP_RATIO_LIMIT * packed)
            budget = _Budget(limit)
            sparse = False
            for info, extent, damage in _inflate_all(zf, infos, kind, budget, view):
                sparse = sparse or (extent is not None and extent.mostly_empty())
                if budget.spent:
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
    return SPARSE if sparse else kind


# A worksheet whose cells would fill only a small part of the rectangle a reader lays them out
# in (one value typed at XFD1048576 below five leads) is read cell by cell (``read.sparse``):
# calamine would allocate the whole rectangle, 17 billion cells, and abort the process.
SPARSE = "xlsx-sparse"
SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
DENSE_CELLS = 5_000_000  # a rectangle this small is fine whatever it holds
EMPTY_RATIO = 16  # a larger rectangle is read as one only when a 16th of it holds cells
_ROW_REF = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_WIDE_REF = re.compile(rb'r="([A-Z]{3}|[B-Z][A-Z])\d')  # a cell in column BA (53) or beyond


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


class _Extent:
    """What a worksheet part holds, seen chunk by chunk as it is inflated: its cells, its
    last row, and its widest column (exactly when beyond AZ; at most AZ otherwise). Cheap:
    a count and two searches that fail fast on ordinary sheets."""

    def __init__(self) -> None:
        self.cells = 0
        self.rows = 0
        self.last_row = 0
        self.width = 52  # AZ: a bound, unless a wider column is seen
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        self.cells += chunk.count(b"<c ") + (self._tail[-2:] + chunk[:2]).count(b"<c ")
        # The chunk, and the seam with the one before (no copy of the whole chunk).
        seam = self._tail + chunk[:64]
        for part in (seam, chunk):
            for m in _WIDE_REF.finditer(part):
                self.width = max(self.width, _column(m.group(1)))
        window = chunk[-(1 << 16) :] if len(chunk) >= 1 << 16 else self._tail + chunk
        rows = _ROW_REF.findall(window)
        if rows:  # rows come in order: the last one numbered is the furthest down
            self.last_row = max(self.last_row, int(rows[-1]))
        else:  # rows without numbers (r is optional): count them
            self.rows += chunk.count(b"<row")
        self._tail = chunk[-64:] if len(chunk) >= 64 else (self._tail + chunk)[-64:]

    def mostly_empty(self) -> bool:
        area = max(self.last_row, self.rows) * self.width
        return area > DENSE_CELLS and area > EMPTY_RATIO * max(1, self.cells)


class _Budget:
    """The bytes the whole zip may unpack to, shared by the parts inflated side by side: the
    first part to pass it stops every other (a bomb of many lying parts costs one limit)."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.spent = False
        self.halted = False  # the zip was judged (damage found): the other parts may stop
        self._lock = threading.Lock()

    def take(self, n: int) -> bool:
        """Count ``n`` more bytes; False once the limit is passed (by any part)."""
        with self._lock:
            self.left -= n
            if self.left < 0:
                self.spent = True
            return not (self.spent or self.halted)


def _inflate_all(zf, infos, kind, budget: _Budget, view):
    """Every part inflated and checked: ``(info, extent, damage)`` in the zip's order, up to
    the first that passes the budget. The large parts (a register and its log) are inflated
    in threads, side by side: zlib lets go of the GIL while it inflates."""

    def one(info):
        extent = _Extent() if kind == "xlsx" and SHEET_PART.match(info.filename) else None
        damage = "" if budget.spent else _inflate(zf, info, budget, extent, view)[1]
        return info, extent, damage

    big = [i for i in infos if i.compress_size > PARALLEL_PART]
    workers = min(len(big), os.cpu_count() or 1, 4)
    if workers < 2 or view is None:  # zipfile's reads share one file object: one at a time
        for info in infos:
            yield one(info)
            if budget.spent:
                return
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        started = {id(i): pool.submit(one, i) for i in big}
        try:
            for info in infos:
                yield started[id(info)].result() if id(info) in started else one(info)
                if budget.spent:
                    return
        finally:
            budget.halted = True  # a part still inflating stops at its next chunk


def _is_ods(zf: zipfile.ZipFile, names: set[str]) -> bool:
    """An OpenDocument spreadsheet (not a text document or a presentation)."""
    if "mimetype" not in names:
        return True  # some writers leave it out; content.xml decides (the reader says)
    info = zf.getinfo("mimetype")
    return info.file_size < 200 and zf.read(info).strip() == ODS_MIMETYPE


def _size_text(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n / 2**10:.0f} KB"


# Parts no reader of leadbook opens: damage there is ignored (Excel repairs such files).
UNREAD_PARTS = re.compile(
    r"^(xl/media/|xl/printerSettings/|xl/vbaProject\.bin$|docProps/thumb|Thumbnails/|Pictures/)"
)


def _is_read(name: str) -> bool:
    return not UNREAD_PARTS.match(name)


def _inflate(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    budget: _Budget | int,
    extent: _Extent | None = None,
    data: memoryview | None = None,
) -> tuple[int, str]:
    """(bytes one part really unpacks to, up to just past ``budget``; its damage or "").

    The CRC is checked, and the size compared with the directory's: calamine checks
    neither, so a damaged part could otherwise be read as altered values. Given the zip's
    bytes, a deflated or stored part is inflated straight from them (zlib, no file object
    in between: a third faster); anything unusual takes ``zipfile``'s way.
    """
    budget = _Budget(budget) if isinstance(budget, int) else budget
    raw = _raw_data(info, data) if data is not None else None
    if raw is None:
        return _inflate_zipfile(zf, info, budget, extent)
    size = 0
    crc = 0
    if info.compress_type == zipfile.ZIP_STORED:
        for start in range(0, len(raw), ZIP_CHUNK):
            chunk = raw[start : start + ZIP_CHUNK]
            size += len(chunk)
            if not budget.take(len(chunk)):
                return size, ""
            crc = zlib.crc32(chunk, crc)
            if extent is not None:
                extent.feed(bytes(chunk))
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            # Fed a slice at a time: zlib copies the input it leaves over, so a small slice
            # keeps that copy small; and it returns at most a chunk a call.
            for start in range(0, len(raw), ZIP_SLICE):
                pending: bytes | memoryview = raw[start : start + ZIP_SLICE]
                while pending and not inflater.eof:
                    chunk = inflater.decompress(pending, ZIP_CHUNK)
                    pending = inflater.unconsumed_tail
                    size += len(chunk)
                    if not budget.take(len(chunk)):
                        return size, ""
                    crc = zlib.crc32(chunk, crc)
                    if extent is not None:
                        extent.feed(chunk)
                if inflater.eof:
                    break
            chunk = inflater.flush()
        except zlib.error as exc:  # as zipfile names it: "Error -3 while decompressing ..."
            return size, str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        size += len(chunk)
        if not budget.take(len(chunk)):
            return size, ""
        crc = zlib.crc32(chunk, crc)
        if extent is not None and chunk:
            extent.feed(chunk)
    if crc != info.CRC:
        return size, f"Bad CRC-32 for file {info.filename!r}"
    if size != info.file_size:
        return size, f"holds {size} bytes, the zip directory says {info.file_size}"
    return size, ""


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def _raw_data(info: zipfile.ZipInfo, data: memoryview) -> memoryview | None:
    """The compressed bytes of a plain part (deflated or stored, not encrypted, its local
    header where the directory says and naming the same file); ``None`` for anything else,
    which ``zipfile`` then reads (and names the damage it finds)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 1:
        return None
    offset = info.header_offset
    header = bytes(data[offset : offset + _LOCAL_HEADER.size])
    if len(header) != _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != zipfile.stringFileHeader:
        return None
    name_len, extra_len = fields[-2], fields[-1]
    start = offset + _LOCAL_HEADER.size
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    try:
        if bytes(data[start : start + name_len]) != info.orig_filename.encode(encoding):
            return None
    except UnicodeEncodeError:
        return None
    start += name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        return None
    return data[start:end]


def _inflate_zipfile(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget | int, extent: _Extent | None = None
) -> tuple[int, str]:
    """``_inflate`` through ``zipfile`` (other compressions, odd headers)."""
    budget = _Budget(budget) if isinstance(budget, int) else budget
    probe = copy.copy(info)
    probe.file_size = 1 << 62  # read to the end of the data, whatever the directory says
    size = 0
    try:
        with zf.open(probe) as fh:
            while chunk := fh.read(ZIP_CHUNK):
                size += len(chunk)
                if not budget.take(len(chunk)):
                    return size, ""
                if extent is not None:
                    extent.feed(chunk)
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


_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def xml_damage(data: bytes) -> str | None:
    """Read from bytes, calamine tries every format and reports only "cannot detect file
    format"; name the usual cause instead: a DTD declaring entities (never in a workbook)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.filename.endswith(".xml") and _is_read(info.filename):
                with zf.open(info) as fh:
                    if _DTD.search(fh.read(1 << 16)):
                        return f"{info.filename}: a DTD declares an unrecognized entity (<!ENTITY>)"
    return None
