"""The import diet: ``leadbook validate`` imports only what validating uses (no workbook
writer, no template engine, no openpyxl), as a fresh process run from the command line."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime

import openpyxl
from books import seed_table_openpyxl, seed_table_row
from openpyxl.comments import Comment

# Imported by other commands only (make, merge, report, annotate, sparse sheets).
NOT_FOR_VALIDATE = ("xlsxwriter", "jinja2", "openpyxl")
_IMPORTED = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", re.MULTILINE)


def imported(*args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``python -X importtime -m leadbook ARGS``: the process and every module it
    imported (top-level package names and full names)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "leadbook", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    names = set(_IMPORTED.findall(proc.stderr))
    return proc, names | {n.split(".")[0] for n in names}


def _book(tmp_path):
    """Two leads in the seed's table (openpyxl): one clean, one with a personal mobile in
    a field and a comment holding another (a finding at a field's cell and one at the
    comment's cell)."""
    rows = [
        seed_table_row("XS202405200001"),
        seed_table_row(
            "XS202405200002", 办公电话="13812345678", 最近跟进时间=datetime(2024, 5, 21, 9, 0)
        ),
    ]
    path = seed_table_openpyxl(tmp_path / "two.xlsx", rows)
    wb = openpyxl.load_workbook(path)
    wb.active["D4"].comment = Comment("客户手机 13912345678", "rep")
    wb.save(path)
    return path


def test_validate_imports_no_writer(tmp_path):
    path = _book(tmp_path)
    for fmt in ("text", "json"):
        proc, names = imported(
            "validate", str(path), "--format", fmt, "--as-of", "2024-06-30", "--lang", "en"
        )
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        assert "leadbook.check.validate" in names  # the import list was read
        assert "personal" in proc.stdout  # the findings were rendered (mobile: masked)
        assert "13812345678" not in proc.stdout and "13912345678" not in proc.stdout
        for name in NOT_FOR_VALIDATE:
            assert name not in names, (fmt, name)
        assert not {n for n in names if n.startswith(("leadbook.workbook", "leadbook.report"))}


def test_the_check_imports_nothing_for_another_command():
    """``leadbook --help`` imports no data library at all: each command imports its own."""
    proc, names = imported("--help")
    assert proc.returncode == 0
    for name in (*NOT_FOR_VALIDATE, "polars", "pandera", "pandas", "fastexcel"):
        assert name not in names, name
