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
    # the target copy: B already has an EXPO20240522001 (its own lead, the seed's
    # per-workbook sequence), so the moved lead takes the next free sequence, 002, and says so;
    # B's own lead keeps its ID although the moved lead was created earlier that day
    leads = {r["公司名称"]: r for r in sheet(dst, "线索台账")}
    moved = leads["深圳市华创能科技有限公司"]
    assert moved["线索编号"] == "EXPO20240522002"
    assert leads["广州市恒泰贸易有限公司"]["线索编号"] == "EXPO20240522001"
    assert "线索编号 EXPO20240522001 在目标工作簿中已被占用,改为 EXPO20240522002" in result.output
    assert "EXPO20240522001 -> EXPO20240522002" in result.output
    assert moved["最近跟进人"] == "*李"
    assert moved["最近跟进时间"] == AS_OF
    assert moved["跟进内容摘要"] == "移交给 *李(原负责 *销售)"
    log = sheet(dst, "跟进记录")
    mine = [e for e in log if e["线索编号"] == "EXPO20240522002"]
    assert len(mine) == 3  # its two entries, and the hand-off
    # the hand-off entry: by the previous owner, the status unchanged
    assert mine[-1]["跟进人"] == "*销售" and mine[-1]["沟通内容"] == "移交给 *李(原负责 *销售)"
    assert mine[-1]["跟进时间"] == AS_OF and mine[-1]["状态变更为"] == ""
    assert mine[-1]["沟通方式"] == "其他"  # the default methods end with 其他
    assert len([e for e in log if e["线索编号"] == "EXPO20240522001"]) == 2


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


def test_a_lead_whose_id_is_free_in_the_target_keeps_it(runner, books):
    a, b = books
    result = run(runner, a, b, "--lead", "EXPO20240521001")
    assert result.exit_code == 0, result.output
    assert "已被占用" not in result.output and "->" not in result.output
    dst = b.with_name("b.handoff.xlsx")
    ids = {r["公司名称"]: r["线索编号"] for r in sheet(dst, "线索台账")}
    assert ids == {"广州市恒泰贸易有限公司": "EXPO20240522001",
                   "深圳市华创智科技有限公司": "EXPO20240521001"}  # fmt: skip
    left = [r["线索编号"] for r in sheet(a.with_name("a.handoff.xlsx"), "线索台账")]
    assert left == ["EXPO20240522001", "EXPO20240523001"]  # the source renumbers nothing
    entries = [e for e in sheet(dst, "跟进记录") if e["线索编号"] == "EXPO20240521001"]
    assert [e["跟进人"] for e in entries] == ["*销售", "*销售", "*销售"]
    assert entries[-1]["沟通内容"] == "移交给 *李(原负责 *销售)"


def test_the_leads_left_behind_keep_their_ids_and_new_rows_keep_the_formula(runner, tmp_path):
    """Two leads of one channel and day: moving the first would make the formula give the
    second 001; it keeps 002, written as a value, and the empty rows keep the ID formula."""
    import openpyxl

    first = clean_record(created_at=datetime(2024, 5, 21, 9, 30), company="深圳市甲科技有限公司")
    second = clean_record(created_at=datetime(2024, 5, 21, 11, 0), company="深圳市乙科技有限公司")
    a = make_book(tmp_path / "a.xlsx", [first, second])
    own = clean_record(created_at=datetime(2024, 5, 25, 9, 0), company="广州市丙贸易有限公司")
    b = make_book(tmp_path / "b.xlsx", [own])
    result = run(runner, a, b, "--lead", "EXPO20240521001")
    assert result.exit_code == 0, result.output
    src = a.with_name("a.handoff.xlsx")
    assert [r["线索编号"] for r in sheet(src, "线索台账")] == ["EXPO20240521002"]
    ws = openpyxl.load_workbook(src)["线索台账"]
    assert ws["A3"].value == "EXPO20240521002"  # a value: the formula would say 001
    assert str(ws["A4"].value).startswith("=IF(")  # the next empty row: the formula
    dst = b.with_name("b.handoff.xlsx")
    ids = {r["公司名称"]: r["线索编号"] for r in sheet(dst, "线索台账")}
    assert ids == {
        "广州市丙贸易有限公司": "EXPO20240525001",
        "深圳市甲科技有限公司": "EXPO20240521001",
    }
    cells = openpyxl.load_workbook(dst)["线索台账"]
    assert all(str(cells[c].value).startswith("=IF(") for c in ("A3", "A4"))  # formula agrees
    report = validate_paths([src, dst], as_of=AS_OF)
    assert not {i.code for i in report.issues()} & {"duplicate-lead-id", "invalid-lead-id",
                                                   "unknown-lead", "log-mismatch"}  # fmt: skip


def test_moves_are_recorded_in_the_history_store(runner, books, tmp_path):
    from leadbook.history.store import load_moves, write_snapshot

    a, b = books
    master = tmp_path / "master.xlsx"
    missing = run(runner, a, b, "--lead", "EXPO20240522001", "--history", str(master))
    assert missing.exit_code == 2 and "master.history.sqlite" in missing.output
    assert not a.with_name("a.handoff.xlsx").exists()  # refused before writing anything
    store = tmp_path / "master.history.sqlite"
    write_snapshot(store, [], taken_at=datetime(2024, 6, 28, 18, 0), master="master.xlsx",
                   version="test")  # fmt: skip
    result = run(runner, a, b, "--lead", "EXPO20240522001", "--history", str(master))
    assert result.exit_code == 0, result.output
    assert f"已在历史库记录 1 次移交:{store}" in result.output
    [move] = load_moves(store)
    assert (move.lead_id, move.previous_id, move.from_rep, move.to_rep) == (
        "EXPO20240522002",
        "EXPO20240522001",
        "*销售",
        "*李",
    )
    assert move.moved_at == datetime(2024, 6, 30, 18, 0)


def test_after_a_hand_off_the_next_merge_finds_the_same_leads(runner, tmp_path):
    """The IDs stay, so merging the two copies into last week's master folds every lead into
    its own row again: no new rows, no 撞单, the moved lead now the new rep's."""

    def one(day, hour, company, n, **more):
        when = datetime(2024, 5, day, hour, 0)
        phone, im = f"0755-8600{n}000", f"wxid_lead{n}"  # three customers, nothing shared
        return clean_record(created_at=when, company=company, office_phone=phone, im_account=im,
                            **more)  # fmt: skip

    first, second = one(21, 9, "深圳市甲科技有限公司", 1), one(21, 11, "深圳市乙科技有限公司", 2)
    a = make_book(tmp_path / "a.xlsx", [first, second])
    own = one(25, 9, "广州市丙贸易有限公司", 3, last_owner="*李")
    b = make_book(tmp_path / "b.xlsx", [own])
    master = tmp_path / "master.xlsx"
    made = runner.invoke(cli, ["merge", str(a), str(b), "-o", str(master), "--as-of", "2024-06-29"])
    assert made.exit_code == 0, made.output
    assert run(runner, a, b, "--lead", "EXPO20240521001").exit_code == 0
    copies = [str(a.with_name("a.handoff.xlsx")), str(b.with_name("b.handoff.xlsx"))]
    again = runner.invoke(cli, ["merge", *copies, "--into", str(master), *ASOF])
    assert again.exit_code == 0, again.output
    register = sheet(master, "线索台账")
    assert len(register) == 3
    rows = {r["公司名称"]: (r["线索编号"], r["负责销售"]) for r in register}
    assert rows == {
        "深圳市甲科技有限公司": ("EXPO20240521001", "*李"),
        "深圳市乙科技有限公司": ("EXPO20240521002", "*销售"),
        "广州市丙贸易有限公司": ("EXPO20240525001", "*李"),
    }
    assert "撞单" not in "".join(str(r["校验结果"]) for r in register)


def test_team_unique_ids_never_collide_and_are_kept(runner, tmp_path):
    """IDs with rep codes (EXPO20240522ZH001, typed as values by openpyxl over the formula): the
    moved lead keeps its ID in the target although the target has a lead of the same channel
    and day (EXPO20240522LI001), and nothing is renumbered."""
    import openpyxl

    def with_ids(path: Path, ids: list[str]) -> Path:
        wb = openpyxl.load_workbook(path)
        reg, log = wb["线索台账"], wb["跟进记录"]
        formula_ids = {}
        for row, new in enumerate(ids, start=3):
            formula_ids[sheet(path, "线索台账")[row - 3]["线索编号"]] = new
            reg.cell(row, 1).value = new
        for row in range(2, log.max_row + 1):
            cell = log.cell(row, 1)
            cell.value = formula_ids.get(cell.value, cell.value)
        wb.save(path)
        return path

    zh = clean_record(created_at=datetime(2024, 5, 22, 9, 0), company="深圳市甲科技有限公司")
    li = clean_record(created_at=datetime(2024, 5, 22, 15, 0), company="广州市丙贸易有限公司",
                      last_owner="*李", office_phone="020-87001234", im_account="wxid_li")  # fmt: skip
    a = with_ids(make_book(tmp_path / "ZH.xlsx", [zh]), ["EXPO20240522ZH001"])
    b = with_ids(make_book(tmp_path / "LI.xlsx", [li]), ["EXPO20240522LI001"])
    result = run(runner, a, b, "--lead", "EXPO20240522ZH001")
    assert result.exit_code == 0, result.output
    assert "->" not in result.output and "已被占用" not in result.output
    dst = b.with_name("LI.handoff.xlsx")
    assert [r["线索编号"] for r in sheet(dst, "线索台账")] == [
        "EXPO20240522LI001",
        "EXPO20240522ZH001",
    ]
    moved = [e for e in sheet(dst, "跟进记录") if e["线索编号"] == "EXPO20240522ZH001"]
    assert len(moved) == 3 and moved[-1]["沟通内容"] == "移交给 *李(原负责 *销售)"


def test_each_copy_stays_its_reps_own_workbook(runner, tmp_path):
    """With rep codes in the config, the copies' new rows compute IDs with their rep's code:
    the target (*李's) EXPO...LI..., the source (*销售's) EXPO...SA...; the moved lead keeps
    its ID as a value."""
    import openpyxl

    config = tmp_path / "team.toml"
    config.write_text(
        '[[reps]]\nname = "*销售"\ncode = "SA"\n[[reps]]\nname = "*李"\ncode = "LI"\n', "utf-8"
    )
    zh = clean_record(created_at=datetime(2024, 5, 22, 9, 0), company="深圳市甲科技有限公司")
    other = clean_record(created_at=datetime(2024, 5, 22, 10, 0), company="深圳市乙科技有限公司",
                         office_phone="0755-86001234", im_account="wxid_yi")  # fmt: skip
    li = clean_record(created_at=datetime(2024, 5, 22, 15, 0), company="广州市丙贸易有限公司",
                      last_owner="*李", office_phone="020-87001234", im_account="wxid_li")  # fmt: skip
    a = make_book(tmp_path / "SA.xlsx", [zh, other])
    b = make_book(tmp_path / "LI.xlsx", [li])
    moving = sheet(a, "线索台账")[0]["线索编号"]
    result = run(runner, a, b, "--lead", moving, "--config", str(config))
    assert result.exit_code == 0, result.output
    for name, code, leads in (("LI.handoff.xlsx", "LI", 2), ("SA.handoff.xlsx", "SA", 1)):
        ws = openpyxl.load_workbook(tmp_path / name)["线索台账"]
        first_empty = ws.cell(row=3 + leads, column=1).value
        assert str(first_empty).startswith("=") and f'"{code}"' in str(first_empty), first_empty
    ids = [r["线索编号"] for r in sheet(tmp_path / "LI.handoff.xlsx", "线索台账")]
    assert moving in ids  # kept, although *李's formula would give it an LI code
