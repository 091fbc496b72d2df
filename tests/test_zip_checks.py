"""The zip checks inflate each part straight from the zip's bytes (issue 14): the same
verdicts as through ``zipfile`` (CRC, size, damage), for deflated and stored parts, and the
sparse-sheet detection still sees every chunk."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pytest

from leadbook.core.errors import InputError
from leadbook.read import checks


def _book(path, far: bool = False):
    """A small workbook by openpyxl: 30 rows of 6 cells (and one value at XFD1048576)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 31):
        ws.append([f"r{r}c{c}" for c in range(1, 7)])
    if far:
        ws["XFD1048576"] = "far"
    wb.save(path)
    return path


def _rezip(src, dst, method):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", method) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    return dst


def _set_crc(data: bytes, name: str, crc: int) -> bytes:
    """The zip with ``name``'s CRC replaced in its local header and the central directory
    (the data itself untouched: it inflates, to bytes whose CRC differs)."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<L", out, info.header_offset + 14, crc)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:  # the central directory's entries
        n, m, k = struct.unpack_from("<3H", data, pos + 28)
        if data[pos + 46 : pos + 46 + n] == name.encode():
            struct.pack_into("<L", out, pos + 16, crc)
        pos = data.find(b"PK\x01\x02", pos + 46 + n + m + k)
    return bytes(out)


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_same_verdicts_as_zipfile(tmp_path, method):
    book = _rezip(_book(tmp_path / "a.xlsx"), tmp_path / "b.xlsx", method)
    data = book.read_bytes()
    sheet = "xl/worksheets/sheet1.xml"
    bad = _set_crc(data, sheet, 0x12345678)
    for blob in (data, bad):
        zf = zipfile.ZipFile(io.BytesIO(blob))
        for info in zf.infolist():
            for budget in (1 << 30, info.file_size):
                fast = checks._inflate(zf, info, budget, None, memoryview(blob))
                slow = checks._inflate_zipfile(zf, info, budget, None)
                assert fast[1] == slow[1], (info.filename, budget)
                if not fast[1]:
                    assert fast[0] == slow[0] == info.file_size
            # One byte short of the budget: stopped there (a lying bomb), damaged or not.
            size, damage = checks._inflate(zf, info, info.file_size - 1, None, memoryview(blob))
            assert (size, damage) == (info.file_size, "")
    zf = zipfile.ZipFile(io.BytesIO(bad))
    size, damage = checks._inflate(zf, zf.getinfo(sheet), 1 << 30, None, memoryview(bad))
    assert damage == f"Bad CRC-32 for file '{sheet}'"
    assert size == zf.getinfo(sheet).file_size  # every byte was inflated and counted
    assert checks.check_file(book, 1 << 30)[0] == "xlsx"
    (tmp_path / "bad.xlsx").write_bytes(bad)
    with pytest.raises(InputError) as err:  # the sheet is read: damage refused
        checks.check_file(tmp_path / "bad.xlsx", 1 << 30, lang="en")
    assert "CRC" in str(err.value)


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_sparse_sheet_seen_either_way(tmp_path, method):
    far = _rezip(_book(tmp_path / "far.xlsx", far=True), tmp_path / "far2.xlsx", method)
    near = _rezip(_book(tmp_path / "near.xlsx"), tmp_path / "near2.xlsx", method)
    assert checks.check_file(far, 1 << 30)[0] == checks.SPARSE
    assert checks.check_file(near, 1 << 30)[0] == "xlsx"


def test_extent_across_chunks():
    """A sheet fed in small chunks (as zlib hands them out): the wide reference split over
    a seam is found, and the last row is the last one numbered."""
    xml = b"<sheetData>" + b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(1, 2001)
    )
    xml += b'<row r="900000"><c r="XFD900000"><v>1</v></c></row></sheetData>'
    for size in (7, 64, 1000, 1 << 16):
        extent = checks._Extent()
        for start in range(0, len(xml), size):
            extent.feed(xml[start : start + size])
        assert extent.width == 16384, size
        assert extent.last_row == 900000, size
        assert extent.mostly_empty(), size
