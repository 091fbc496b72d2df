"""Issue 14: a workbook's log is loaded by a second reader in a thread while the register
loads (``read.preload``). What is read is the same either way, also when that reader fails."""

from __future__ import annotations

import fastexcel
from books import clean_records, make_book

from leadbook.core.catalog import load_catalog
from leadbook.read import preload
from leadbook.read.reader import read_book


def _read(path, monkeypatch, jobs: str):
    monkeypatch.setenv(preload.JOBS_ENV, jobs)
    return read_book(path, load_catalog())


def _same(a, b) -> None:
    for sa, sb in ((a.register, b.register), (a.log, b.log)):
        assert sa.name == sb.name and sa.columns == sb.columns and sa.rows == sb.rows
        assert sa.frame.equals(sb.frame)


def test_the_second_reader_reads_what_one_reader_reads(tmp_path, monkeypatch):
    path = make_book(tmp_path / "big.xlsx", clean_records(8))
    here = _read(path, monkeypatch, "1")
    monkeypatch.setattr(preload, "PRELOAD_BYTES", 0)  # every workbook counts as large
    loaded = []
    real = preload.load_frame
    monkeypatch.setattr(preload, "load_frame", lambda wb, n: loaded.append(n) or real(wb, n))
    helped = _read(path, monkeypatch, "")
    assert "跟进记录" in loaded  # the log went through the second reader
    _same(helped, here)
    assert helped.log.frame.height >= 16  # two entries a lead


def test_a_failing_second_reader_changes_nothing(tmp_path, monkeypatch):
    path = make_book(tmp_path / "big.xlsx", clean_records(5))
    here = _read(path, monkeypatch, "1")
    monkeypatch.setattr(preload, "PRELOAD_BYTES", 0)
    real = fastexcel.read_excel
    calls = []

    def second_fails(data):
        calls.append(1)
        if len(calls) == 2:  # the second reader
            raise RuntimeError("cannot open")
        return real(data)

    monkeypatch.setattr(fastexcel, "read_excel", second_fails)
    _same(_read(path, monkeypatch, ""), here)
    assert len(calls) == 2


def test_small_workbooks_and_one_job_keep_one_reader(tmp_path, monkeypatch):
    data = make_book(tmp_path / "a.xlsx", clean_records(3)).read_bytes()
    monkeypatch.delenv(preload.JOBS_ENV, raising=False)
    assert not preload.wanted("xlsx", data)  # a few KB
    monkeypatch.setattr(preload, "PRELOAD_BYTES", 0)
    assert preload.wanted("xlsx", data) and not preload.wanted("ods", data)
    monkeypatch.setenv(preload.JOBS_ENV, "1")
    assert not preload.wanted("xlsx", data)
