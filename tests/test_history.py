"""Issue 13.5: the history store beside the master: a snapshot per merged week (a re-run of
the week replaces it), written atomically and under the master's lock, with no personal
data; ``leadbook history`` lists it and ``report`` reads it.

The reps' workbooks are the seed's own table written by openpyxl (``books.seed_table_openpyxl``).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from books import seed_table_openpyxl, seed_table_row

from leadbook.cli import cli
from leadbook.history.store import (
    SCHEMA_VERSION,
    list_snapshots,
    load_snapshots,
    store_path,
    week_label,
    write_snapshot,
)

MOBILE = "13987654321"
X, Y, Z, W = (
    "深圳市华创智能科技有限公司",
    "广州市恒泰贸易有限公司",
    "东莞市精密模具有限公司",
    "佛山市顺成家电有限公司",
)


def lead(lead_id: str, company: str, status: str, contact: datetime, **more) -> dict:
    return seed_table_row(lead_id, 公司名称=company, 线索状态=status, 最近跟进时间=contact, **more)


def week(folder: Path, a: list[dict], b: list[dict]) -> Path:
    seed_table_openpyxl(folder / "repA.xlsx", a)
    seed_table_openpyxl(folder / "repB.xlsx", b)
    return folder


@pytest.fixture
def weeks(tmp_path):
    """Week 0 makes the master; weeks 1 and 2 are merged into it; 2b is week 2 sent again
    with changes (B's lead lost, a new lead of B's)."""
    x0 = lead("EXPO20240521001", X, "跟进中", datetime(2024, 6, 10, 10, 0))
    y0 = lead("WEB20240522001", Y, "跟进中", datetime(2024, 6, 11, 10, 0))
    w0 = week(tmp_path / "w0", [x0], [y0])
    x1 = lead("EXPO20240521001", X, "跟进中", datetime(2024, 6, 20, 10, 0))
    z1 = lead("EXPO20240618001", Z, "待跟进", datetime(2024, 6, 19, 10, 0))
    w1 = week(tmp_path / "w1", [x1, z1], [y0])
    x2 = lead("EXPO20240521001", X, "已成交", datetime(2024, 6, 27, 10, 0))
    w2 = week(tmp_path / "w2", [x2], [y0])
    y3 = lead("WEB20240522001", Y, "已流失", datetime(2024, 6, 29, 9, 0))
    n3 = lead("REF20240628001", W, "待跟进", datetime(2024, 6, 28, 16, 0))
    w2b = week(tmp_path / "w2b", [x2], [y3, n3])
    return tmp_path, w0, w1, w2, w2b


def merge(runner, *args):
    result = runner.invoke(cli, ["merge", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def run_weeks(runner, weeks, rerun: bool = True):
    root, w0, w1, w2, w2b = weeks
    master = root / "master.xlsx"
    merge(runner, w0, "-o", master, "--as-of", "2024-06-14 18:00")
    assert not store_path(master).exists()  # merge -o records no history unless asked
    first = merge(runner, w1, "--into", master, "--as-of", "2024-06-21 18:00")
    second = merge(runner, w2, "--into", master, "--as-of", "2024-06-28 18:00")
    third = merge(runner, w2b, "--into", master, "--as-of", "2024-06-29 12:00") if rerun else None
    return master, (first, second, third)


def test_two_weeks_two_snapshots_and_a_rerun_replaces_the_week(runner, weeks):
    master, (first, second, third) = run_weeks(runner, weeks)
    store = master.with_name("master.history.sqlite")
    assert store_path(master) == store
    assert f"已记录历史快照 2024-W25(3 条线索):{store}" in first.output
    assert f"已记录历史快照 2024-W26(3 条线索):{store}" in second.output
    assert f"已替换本周(2024-W26)的历史快照(4 条线索):{store}" in third.output
    snaps = list_snapshots(store, won=["已成交"], closed=["已成交", "已流失", "无效", "已休眠"])
    # week 25: X and Y 跟进中, Z 待跟进; week 26 as re-run: X won, Y lost, Z and W open
    rows = [(s.week, s.taken_at, s.leads, s.won, s.open) for s in snaps]
    assert rows == [
        ("2024-W25", datetime(2024, 6, 21, 18, 0), 3, 0, 3),
        ("2024-W26", datetime(2024, 6, 29, 12, 0), 4, 1, 2),
    ]
    stored = load_snapshots(store)
    by_id = {r["lead_id"]: r for r in stored[1].leads}
    assert by_id["EXPO20240521001"]["status"] == "已成交"
    assert by_id["EXPO20240521001"]["won_at"] == datetime(
        2024, 6, 27, 10, 0
    )  # no log: 最近跟进时间
    assert by_id["WEB20240522001"]["lost_at"] == datetime(2024, 6, 29, 9, 0)
    assert by_id["REF20240628001"]["rep"] == "*销售" and by_id["REF20240628001"]["won_at"] is None
    assert {r["source_file"] for r in stored[1].leads} == {"repA.xlsx", "repB.xlsx"}
    with sqlite3.connect(store) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM leads").fetchone()[0] == 7  # 3 + 4, none stale
        assert (
            con.execute("SELECT count(*) FROM lead_history WHERE week = '2024-W26'").fetchone()[0]
            == 4
        )


def test_the_history_command_lists_the_snapshots(runner, weeks):
    master, _ = run_weeks(runner, weeks)
    result = runner.invoke(cli, ["history", str(master)])
    assert result.exit_code == 0, result.output
    store = master.with_name("master.history.sqlite")
    assert result.output.splitlines() == [
        f"{store}:2 个快照",
        "  2024-06-21 18:00  2024-W25  线索 3  已成交 0  未关闭 3  master.xlsx",
        "  2024-06-29 12:00  2024-W26  线索 4  已成交 1  未关闭 2  master.xlsx",
    ]
    english = runner.invoke(cli, ["history", str(store), "--lang", "en"])
    assert "  2024-06-21 18:00  2024-W25  leads 3  won 0  open 3  master.xlsx" in english.output
    doc = json.loads(runner.invoke(cli, ["history", str(master), "--format", "json"]).output)
    assert [(s["week"], s["leads"], s["won"], s["open"]) for s in doc["snapshots"]] == [
        ("2024-W25", 3, 0, 3),
        ("2024-W26", 4, 1, 2),
    ]
    assert doc["snapshots"][1]["taken_at"] == "2024-06-29 12:00" and doc["moves"] == 0


def test_history_of_a_master_without_a_store_is_one_line(runner, tmp_path):
    result = runner.invoke(cli, ["history", str(tmp_path / "master.xlsx")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "master.history.sqlite" in result.output
    junk = tmp_path / "junk.history.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    bad = runner.invoke(cli, ["history", str(junk), "--lang", "en"])
    assert bad.exit_code == 2 and "not a readable history store" in bad.output


def test_merge_o_records_history_only_when_asked(runner, weeks, tmp_path):
    _, w0, *_ = weeks
    store = tmp_path / "team.history.sqlite"
    out = tmp_path / "m.xlsx"
    merge(runner, w0, "-o", out, "--as-of", "2024-06-14", "--history", store)
    assert [(s.week, s.leads) for s in list_snapshots(store)] == [("2024-W24", 2)]
    assert not store_path(out).exists()
    # --history naming a workbook means the store beside it
    other = tmp_path / "other.xlsx"
    merge(runner, w0, "-o", other, "--as-of", "2024-06-14", "--history", other)
    assert [s.leads for s in list_snapshots(tmp_path / "other.history.sqlite")] == [2]


def test_the_report_reads_the_store_beside_the_master(runner, weeks, monkeypatch):
    import leadbook.report.make as make

    master, _ = run_weeks(runner, weeks)
    seen = []
    real = make.report_view
    monkeypatch.setattr(make, "report_view", lambda tables, **kw: seen.append(tables) or real(
        tables, **kw))  # fmt: skip
    result = make.make_report([master], as_of=datetime(2024, 6, 30, 18, 0), period="week")
    assert result.snapshots == 2 and result.history == store_path(master)
    snaps = seen[0].snapshots
    assert [(s.taken_at, s.register.height) for s in snaps] == [
        (datetime(2024, 6, 21, 18, 0), 3),
        (datetime(2024, 6, 29, 12, 0), 4),
    ]
    frame = snaps[1].register
    assert {"lead_id", "status", "channel", "potential", "rep", "created_at", "won_at"} <= set(
        frame.columns
    )
    assert sorted(frame["status"].to_list()) == sorted(["已成交", "已流失", "待跟进", "待跟进"])
    # an as-of before the second snapshot sees only the first
    earlier = make.make_report([master], as_of=datetime(2024, 6, 24, 9, 0), period="week")
    assert earlier.snapshots == 1
    # the command says what it read; --history names a store
    cli_run = runner.invoke(cli, ["report", str(master), "--as-of", "2024-06-30 18:00"])
    assert cli_run.exit_code == 0, cli_run.output
    assert f"历史:读取 2 个快照({store_path(master)})" in cli_run.output
    other = runner.invoke(
        cli, ["report", str(master), "--history", str(master.with_name("no.sqlite"))]
    )
    assert other.exit_code == 2 and "no.sqlite" in other.output


def test_a_failed_snapshot_leaves_the_previous_state(runner, weeks):
    """A failure in the middle of the write (a planted SQLite error on the third lead row, then
    a Python error) rolls the whole snapshot back: the week keeps its earlier snapshot."""
    master, _ = run_weeks(runner, weeks, rerun=False)
    store = store_path(master)
    before = [(s.week, s.leads, s.taken_at) for s in list_snapshots(store)]
    assert before[-1] == ("2024-W26", 3, datetime(2024, 6, 28, 18, 0))
    with sqlite3.connect(store) as con:
        con.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON leads WHEN NEW.lead_id = 'REF20240628001' "
            "BEGIN SELECT RAISE(ABORT, 'planted failure'); END"
        )
    root = weeks[0]
    result = runner.invoke(
        cli, ["merge", str(root / "w2b"), "--into", str(master), "--as-of", "2024-06-29 12:00"]
    )
    assert result.exit_code == 1  # the master is written; the history says it is not
    assert "历史快照未记录" in result.output and "planted failure" in result.output
    assert [(s.week, s.leads, s.taken_at) for s in list_snapshots(store)] == before
    with sqlite3.connect(store) as con:
        assert con.execute("SELECT count(*) FROM leads").fetchone()[0] == 6
    rows = [{"lead_id": f"L{i}", "status": "跟进中"} for i in range(5)]
    when = datetime(2024, 6, 28, 9, 0)
    with pytest.raises(RuntimeError):
        write_snapshot(store, rows, taken_at=when, master="m.xlsx", version="t", _fail_after=3)
    assert [(s.week, s.leads, s.taken_at) for s in list_snapshots(store)] == before


def test_the_history_is_written_under_the_masters_lock(runner, weeks, monkeypatch):
    import os

    import leadbook.merge.history as history
    from leadbook.merge.into import _try_lock, lock_path

    master, _ = run_weeks(runner, weeks, rerun=False)
    held = []
    real = history.record_snapshot

    def checked(result, store, **kw):
        fd = os.open(lock_path(master), os.O_RDWR)
        try:
            held.append(not _try_lock(fd))  # another holder: this merge
        finally:
            os.close(fd)
        return real(result, store, **kw)

    monkeypatch.setattr(history, "record_snapshot", checked)
    merge(runner, weeks[0] / "w2b", "--into", master, "--as-of", "2024-06-29 12:00")
    assert held == [True]


def test_no_personal_data_reaches_the_store(runner, tmp_path):
    """A mobile planted in the office phone, the IM account, the need and the summary, a
    contact's name and a company: none of them is in the store's bytes."""
    row = lead(
        "EXPO20240521001",
        "深圳市私密测试科技有限公司",
        "跟进中",
        datetime(2024, 6, 20, 10, 0),
        办公电话=MOBILE,
        **{"企业/钉钉账号": f"wx{MOBILE}", "核心需求描述": f"手机 {MOBILE} 联系",
           "跟进内容摘要": f"客户留了 {MOBILE}", "姓名": "*秘密经理"},
    )  # fmt: skip
    folder = week(
        tmp_path / "w", [row], [lead("WEB20240522001", Y, "跟进中", datetime(2024, 6, 11))]
    )
    master = tmp_path / "master.xlsx"
    merge(runner, folder, "-o", master, "--as-of", "2024-06-21", "--history", store_path(master))
    data = store_path(master).read_bytes()
    for secret in (MOBILE, "9876", "私密测试", "秘密经理", "0755", "wx", "30-50万", "总经理审批"):
        assert secret.encode() not in data, secret
    assert b"EXPO20240521001" in data  # the store does hold the lead


def test_week_labels_follow_iso_weeks():
    assert week_label(datetime(2024, 6, 24)) == week_label(datetime(2024, 6, 30, 23, 59))
    assert week_label(datetime(2024, 6, 23)) == "2024-W25"
    assert week_label(datetime(2024, 12, 30)) == "2025-W01"


def test_a_store_of_a_newer_leadbook_is_refused(runner, weeks, tmp_path):
    store = tmp_path / "new.history.sqlite"
    write_snapshot(store, [], taken_at=datetime(2024, 6, 3), master="m.xlsx", version="t")
    with sqlite3.connect(store) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    _, w0, *_ = weeks
    out = tmp_path / "m.xlsx"
    result = runner.invoke(cli, ["merge", str(w0), "-o", str(out), "--history", str(store)])
    assert result.exit_code == 2 and "请升级 leadbook" in result.output
    assert not out.exists()  # refused before the merge wrote anything


def test_an_unreadable_store_beside_the_master_does_not_stop_the_report(runner, weeks):
    root, w0, *_ = weeks
    master = root / "master.xlsx"
    merge(runner, w0, "-o", master, "--as-of", "2024-06-14 18:00")
    store_path(master).write_bytes(b"garbage, not SQLite" * 50)
    result = runner.invoke(cli, ["report", str(master), "--as-of", "2024-06-30", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert (
        "not a readable history store" in result.output and "without the history" in result.output
    )
    named = runner.invoke(cli, ["report", str(master), "--history", str(store_path(master))])
    assert named.exit_code == 2 and "不是可读取的历史库" in named.output


def test_the_store_masks_what_it_keeps(tmp_path):
    """Belt and braces: a mobile or e-mail in a text the store does keep (typed into the status
    or the file name) is stored masked, whoever calls it."""
    store = tmp_path / "s.history.sqlite"
    rows = [{"lead_id": "EXPO20240521001", "status": f"跟进中 {MOBILE}", "rep": "*张",
             "source_file": "zhang.san@qq.com.xlsx", "created_at": datetime(2024, 5, 21, 9, 30)}]  # fmt: skip
    write_snapshot(
        store, rows, taken_at=datetime(2024, 6, 28), master=f"{MOBILE}.xlsx", version="t"
    )
    data = store.read_bytes()
    assert MOBILE.encode() not in data and b"zhang.san" not in data
    [snap] = load_snapshots(store)
    assert snap.leads[0]["status"] == "跟进中 139****4321"
    assert snap.leads[0]["created_at"] == datetime(2024, 5, 21, 9, 30)
    assert snap.info.master == "139****4321.xlsx"
