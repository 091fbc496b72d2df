"""Issue 14: a large workbook's log is loaded by a helper process while the register loads
here (``read.preload``). What is read is the same either way, also when the helper fails."""

from __future__ import annotations

import io
import struct

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


def test_the_helper_reads_what_this_process_reads(tmp_path, monkeypatch):
    path = make_book(tmp_path / "big.xlsx", clean_records(8))
    here = _read(path, monkeypatch, "1")
    monkeypatch.setattr(preload, "PRELOAD_BYTES", 0)  # every workbook counts as large
    asked = []
    real = preload._exchange
    monkeypatch.setattr(preload, "_exchange", lambda d, n: asked.append(n) or real(d, n))
    helped = _read(path, monkeypatch, "")
    assert asked == ["跟进记录"]  # the log was loaded by the helper
    _same(helped, here)
    assert helped.log.frame.height >= 16  # two entries a lead


def test_a_failing_helper_changes_nothing(tmp_path, monkeypatch):
    path = make_book(tmp_path / "big.xlsx", clean_records(5))
    here = _read(path, monkeypatch, "1")
    monkeypatch.setattr(preload, "PRELOAD_BYTES", 0)

    def broken(data, name):
        raise EOFError("the preload helper stopped")

    monkeypatch.setattr(preload, "_exchange", broken)
    _same(_read(path, monkeypatch, ""), here)


def test_the_helper_answers_a_missing_sheet_with_an_error(tmp_path):
    data = make_book(tmp_path / "a.xlsx", clean_records(3)).read_bytes()
    ask = b""
    for name in ("没有这张表", "跟进记录"):
        raw = name.encode()
        ask += preload._ASK.pack(len(data), len(raw)) + raw + data
    out = io.BytesIO()
    preload.serve(io.BytesIO(ask), out)
    answers = io.BytesIO(out.getvalue())
    ok, n_frame, n_pos = preload._ANSWER.unpack(answers.read(preload._ANSWER.size))
    assert ok == 0 and "没有这张表".encode() in answers.read(n_frame) + answers.read(n_pos)
    ok, n_frame, n_pos = preload._ANSWER.unpack(answers.read(preload._ANSWER.size))
    import polars as pl

    frame = pl.read_ipc(io.BytesIO(answers.read(n_frame)))
    local, _ = preload.load_frame(fastexcel.read_excel(data), "跟进记录")
    assert ok == 1 and frame.equals(local) and answers.read(n_pos).startswith(b"[")
    assert answers.read() == b""  # nothing more than the two answers
    assert struct.calcsize("<BQQ") == preload._ANSWER.size
