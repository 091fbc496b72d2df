"""``leadbook handoff``: leads move to another rep's workbook with their whole log (R-K5)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
from books import clean_records, make_book
from conftest import AS_OF, clean_record
from python_calamine import CalamineWorkbook

from leadbook.check.validate import validate_paths
from leadbook.cli import cli

ASOF = ["--as-of", "2024-06-30 18:00"]


def sheet(path: Path, name: str) -> list[dict]:
    """A sheet's rows as dicts by header (the register's header is its second row)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    skip = 1 if name == "线索台账" else 0
    header, body = rows[skip], rows[skip + 1 :]
    return [dict(zip(header, r, strict=False)) for r in body if any(v != "" for v in r)]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def books(tmp_path):
    """Rep A with three leads (one per day), rep B with one lead created on the second day,
    on the same channel, a little later than A's lead of that day."""
    a = make_book(tmp_path / "a.xlsx", clean_records(3))
    mine = clean_record(
        created_at=datetime(2024, 5, 22, 15, 0),
        company="广州市恒泰贸易有限公司",
        last_owner="*李",
        last_contact_at=datetime(2024, 6, 21, 10, 0),
    )
    b = make_book(tmp_path / "b.xlsx", [mine])
    return a, b


def run(runner, a, b, *more):
    args = ["handoff", str(a), "--to", str(b), "--rep", "*李", *ASOF, *more]
    return runner.invoke(cli, args)


def test_a_lead_moves_with_its_whole_log(runner, books):
    a, b = books
    before = {p: sha(p) for p in books}
    result = run(runner, a, b, "--lead", "EXPO20240522001")
    assert result.exit_code == 0, result.output
    assert {p: sha(p) for p in books} == before  # the originals stay as they were
    src, dst = a.with_name("a.handoff.xlsx"), b.with_name("b.handoff.xlsx")
    assert f"已写入 {src}, {dst}" in result.output
    # the source copy: two leads left, their log only
    left = sheet(src, "线索台账")
    assert [r["公司名称"] for r in left] == ["深圳市华创智科技有限公司", "深圳市华创光科技有限公司"]
    assert {e["线索编号"] for e in sheet(src, "跟进记录")} == {r["线索编号"] for r in left}
    # the target copy: the moved lead, created earlier that day, takes sequence 001 there;
    # B's own lead becomes 002 (the ID formula), its log follows
    leads = {r["公司名称"]: r for r in sheet(dst, "线索台账")}
    moved = leads["深圳市华创能科技有限公司"]
    assert moved["线索编号"] == "EXPO20240522001"
    assert leads["广州市恒泰贸易有限公司"]["线索编号"] == "EXPO20240522002"
    assert "线索编号 EXPO20240522001 改为 EXPO20240522002" in result.output
    assert moved["最近跟进人"] == "*李"
    assert moved["最近跟进时间"] == AS_OF
    assert moved["跟进内容摘要"] == "转交自 *销售"
    log = sheet(dst, "跟进记录")
    mine = [e for e in log if e["线索编号"] == "EXPO20240522001"]
    assert len(mine) == 3  # its two entries, and the hand-off
    assert mine[-1]["跟进人"] == "*李" and mine[-1]["沟通内容"] == "转交自 *销售"
    assert mine[-1]["跟进时间"] == AS_OF
    assert mine[-1]["沟通方式"] == "其他"  # the default methods end with 其他
    assert len([e for e in log if e["线索编号"] == "EXPO20240522002"]) == 2


def test_the_copies_validate_cleanly(runner, books):
    a, b = books
    assert run(runner, a, b, "--lead", "EXPO20240522001").exit_code == 0
    copies = [a.with_name("a.handoff.xlsx"), b.with_name("b.handoff.xlsx")]
    report = validate_paths(copies, as_of=AS_OF)
    codes = {i.code for i in report.issues()}
    assert not codes & {"log-mismatch", "unknown-lead", "duplicate-lead-id", "invalid-lead-id"}


def test_out_dir_and_several_leads(runner, books, tmp_path):
    a, b = books
    out = tmp_path / "out"
    out.mkdir()
    lead = ["--lead", "EXPO20240521001", "--lead", "EXPO20240523001"]
    result = run(runner, a, b, *lead, "--out-dir", str(out), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "handed 2 leads (4 log entries)" in result.output
    assert len(sheet(out / "a.handoff.xlsx", "线索台账")) == 1
    assert len(sheet(out / "b.handoff.xlsx", "线索台账")) == 3


def test_unknown_lead_ids_are_named_on_one_line(runner, books):
    a, b = books
    result = run(runner, a, b, "--lead", "EXPO20240522001", "--lead", "WEB20990101001")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "WEB20990101001" in result.output
    assert not a.with_name("a.handoff.xlsx").exists()


def test_existing_copies_need_force(runner, books):
    a, b = books
    assert run(runner, a, b, "--lead", "EXPO20240522001").exit_code == 0
    again = run(runner, a, b, "--lead", "EXPO20240522001")
    assert again.exit_code == 2 and "--force" in again.output
    assert run(runner, a, b, "--lead", "EXPO20240522001", "--force").exit_code == 0


def test_a_hand_off_before_the_last_contact_is_refused(runner, books):
    a, b = books
    args = ["handoff", str(a), "--to", str(b), "--rep", "*李", "--lead", "EXPO20240522001"]
    result = runner.invoke(cli, [*args, "--as-of", "2024-06-01"])
    assert result.exit_code == 2 and "--as-of" in result.output


def test_source_and_target_must_differ(runner, books):
    a, _ = books
    result = run(runner, a, a, "--lead", "EXPO20240522001")
    assert result.exit_code == 2 and "转出和转入的是同一个工作簿" in result.output
    english = run(runner, a, a, "--lead", "EXPO20240522001", "--lang", "en")
    assert english.exit_code == 2 and "same workbook" in english.output
