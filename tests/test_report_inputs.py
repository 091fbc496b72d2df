"""Inputs counted once (issue 12, point 3): a master and the workbooks it was merged from,
leadbook's own outputs in a folder, masters of successive weeks, a shared sheet, and nothing
to report.

The sample: 3 reps, 10 leads each on average (no planted defects), so 30 leads; the reps'
sizes differ (the sample's reps differ), so each rep's count is taken from the sample's
manifest.json (``files[].leads``: 14, 10 and 6 for seed 5), kept as team/manifest.json.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import clean_record
from realclients import soffice_convert

from leadbook.cli import cli
from leadbook.core import outputs
from leadbook.core.catalog import load_catalog
from leadbook.core.config import load_config
from leadbook.core.errors import InputError
from leadbook.core.provenance import shared_sheet
from leadbook.merge.columns import REP
from leadbook.merge.handoff import SUFFIX
from leadbook.merge.master import merge_paths, write_master
from leadbook.metrics.inputs import taken_at
from leadbook.metrics.tables import load_tables
from leadbook.report.make import make_report
from leadbook.sample.make import make_sample

SAMPLE_AS_OF = datetime(2026, 11, 20, 18, 0)
WEEK47 = datetime(2026, 11, 22, 18, 0)  # Sunday evening: the week-47 merge
WEEK48 = datetime(2026, 11, 29, 18, 0)
REPS, LEADS = 3, 10


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Path:
    """reps/rep01..03.xlsx (30 leads in all, sizes in manifest.json) and master.xlsx merged
    from them (at WEEK47)."""
    root = tmp_path_factory.mktemp("team")
    make_sample(root / "reps", reps=REPS, leads=LEADS, seed=5, defects=0, as_of=SAMPLE_AS_OF)
    shutil.move(root / "reps" / "manifest.json", root / "manifest.json")  # not an input
    merged = merge_paths([root / "reps"], config=load_config(), as_of=WEEK47)
    write_master(merged, root / "master.xlsx", config=load_config())
    return root


def _sizes(team: Path) -> dict[str, int]:
    """Each rep's number of leads, by the sample's manifest."""
    files = json.loads((team / "manifest.json").read_text(encoding="utf-8"))["files"]
    return {f["rep"]: f["leads"] for f in files}


def _file_leads(team: Path, name: str) -> int:
    files = json.loads((team / "manifest.json").read_text(encoding="utf-8"))["files"]
    return next(f["leads"] for f in files if f["file"] == name)


def _reps(tables) -> dict[str, int]:
    counts = tables.register.group_by("rep").len()
    return dict(zip(counts["rep"].to_list(), counts["len"].to_list(), strict=True))


def _header(ws, label: str) -> tuple[int, int]:
    """(row, column) of a header cell in the first rows of a sheet."""
    for row in ws.iter_rows(min_row=1, max_row=6):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip().lstrip("*").startswith(label):
                return cell.row, cell.column
    raise AssertionError(f"no header {label}")


# ----------------------------------------------------------- a master and its workbooks
def test_workbooks_and_their_master_count_each_lead_once(team):
    alone = load_tables([team / "master.xlsx"])
    both = load_tables([team / "reps", team / "master.xlsx"])
    books = load_tables([team / "reps"])
    sizes = _sizes(team)
    assert len(sizes) == REPS and sum(sizes.values()) == REPS * LEADS
    assert alone.leads == both.leads == books.leads == REPS * LEADS  # 30, not 60
    assert _reps(both) == sizes  # each rep's own count, once (14, 10, 6)
    assert _reps(both) == _reps(books)
    notes = dict(both.skipped)
    for i in range(1, REPS + 1):
        note = notes[str(team / "reps" / f"rep{i:02d}.xlsx")]
        assert "已包含在汇总表 master.xlsx 中" in note and "2026-11-22 18:00" in note
    assert str(team / "master.xlsx") not in notes
    kw = {"as_of": WEEK47, "period": "quarter"}
    together = make_report([team / "reps", team / "master.xlsx"], **kw).metrics
    single = make_report([team / "master.xlsx"], **kw).metrics
    assert together.headline == single.headline
    assert together.reps.equals(single.reps)
    english = load_tables([team / "master.xlsx", team / "reps"], lang="en")
    assert english.leads == REPS * LEADS
    assert all("already in the master master.xlsx" in r for _, r in english.skipped)


def test_a_workbook_with_leads_the_master_lacks_stops_with_one_line(team, tmp_path, runner):
    reps = tmp_path / "reps"
    shutil.copytree(team / "reps", reps)
    wb = openpyxl.load_workbook(reps / "rep02.xlsx")
    ws = wb["线索台账"]
    head, id_col = _header(ws, "线索编号")
    _, co_col = _header(ws, "公司名称")
    row = next(r for r in range(head + 1, ws.max_row + 2) if not ws.cell(r, co_col).value)
    ws.cell(row, id_col, "WEB20261127009")  # a lead the rep added after the merge
    ws.cell(row, co_col, "杭州新添精密机械有限公司")
    wb.save(reps / "rep02.xlsx")
    with pytest.raises(InputError) as caught:
        load_tables([reps, team / "master.xlsx"])
    line = caught.value.text("zh")
    assert "rep02.xlsx 有 1 条线索(如 WEB20261127009)不在汇总表" in line
    assert "--into" in line and "\n" not in line
    html = tmp_path / "r.html"
    done = runner.invoke(cli, ["report", str(reps), str(team / "master.xlsx"), "--html", str(html)])
    assert done.exit_code == 2 and "Traceback" not in done.output
    assert done.output.strip().splitlines()[-1].startswith("leadbook: ")
    assert "rep02.xlsx 有 1 条线索" in done.output and not html.exists()
    # the other workbooks alone are still covered
    assert load_tables([reps / "rep01.xlsx", team / "master.xlsx"]).leads == REPS * LEADS


# ----------------------------------------------------------- leadbook's outputs in a folder
def test_leadbooks_own_outputs_in_a_folder_are_skipped_each_with_its_note(team, tmp_path, runner):
    out = tmp_path / "demo-out"
    shutil.copytree(team / "reps", out / "reps")
    shutil.copy(team / "master.xlsx", out / "master.xlsx")
    ran = [
        ["validate", str(out / "reps"), "--annotate", str(out / "checked")],
        ["merge", str(out / "reps"), "-o", str(tmp_path / "m.xlsx"), "--conflicts",
         str(out / "conflicts.xlsx")],
        ["merge", str(out / "reps"), "-o", str(tmp_path / "m2.xlsx"), "--conflicts",
         str(out / "conflicts.csv")],
        ["report", str(out / "master.xlsx"), "--xlsx", str(out / "summary.xlsx"), "--html",
         str(out / "report.html")],
    ]  # fmt: skip
    for args in ran:
        assert runner.invoke(cli, args).exit_code in (0, 1), args
    lead = load_tables([out / "reps" / "rep01.xlsx"]).register["lead_id"][0]
    handed = runner.invoke(
        cli, ["handoff", str(out / "reps" / "rep01.xlsx"), "--to", str(out / "reps" / "rep02.xlsx"),
              "--lead", lead, "--rep", "*吴"],
    )  # fmt: skip
    assert handed.exit_code == 0, handed.output
    # opened and saved again in LibreOffice, as .xlsx and as .ods
    soffice_convert(out / "summary.xlsx", "xlsx", out / "resaved")
    for name in ("summary.xlsx", "conflicts.xlsx", "checked/rep01.xlsx"):
        soffice_convert(out / name, "ods", out / "resaved")
    tables = load_tables([out])
    assert tables.leads == REPS * LEADS  # 30, not 30 x (reps, master, copies, summaries)
    notes = {str(Path(p).relative_to(out)): r for p, r in tables.skipped}
    expected = {
        "checked/rep01.xlsx": "校验结果副本", "checked/rep02.xlsx": "校验结果副本",
        "checked/rep03.xlsx": "校验结果副本", "resaved/rep01.ods": "校验结果副本",
        "summary.xlsx": "Excel 汇总表", "resaved/summary.xlsx": "Excel 汇总表",
        "resaved/summary.ods": "Excel 汇总表",
        "conflicts.xlsx": "冲突报告", "conflicts.csv": "冲突报告", "resaved/conflicts.ods": "冲突报告",
        "report.html": "不是 Excel/WPS 表格文件",
        "reps/rep01" + SUFFIX: "交接副本", "reps/rep02" + SUFFIX: "交接副本",
        "reps/rep01.xlsx": "已包含在汇总表", "reps/rep02.xlsx": "已包含在汇总表",
        "reps/rep03.xlsx": "已包含在汇总表",
    }  # fmt: skip
    assert set(notes) == set(expected)
    for name, words in expected.items():
        assert words in notes[name], (name, notes[name])
    assert tables.files and [f for f in tables.files if f not in dict(tables.skipped)] == [
        str(out / "master.xlsx")
    ]
    done = runner.invoke(cli, ["report", str(out), "--as-of", "2026-11-22 18:00"])
    assert done.exit_code == 0, done.output
    assert done.output.count("已跳过") == len(expected)


def test_the_hand_off_suffix_is_the_writers():
    assert outputs.HANDOFF_SUFFIX == SUFFIX


def test_a_hand_off_copy_without_its_original_is_read(team, tmp_path):
    shutil.copy(team / "reps" / "rep01.xlsx", tmp_path / ("rep01" + SUFFIX))
    tables = load_tables([tmp_path])
    assert tables.leads == _file_leads(team, "rep01.xlsx") and not tables.skipped


# ----------------------------------------------------------- masters of successive weeks
@pytest.fixture(scope="module")
def weeks(team, tmp_path_factory) -> tuple[Path, Path]:
    """master-w47 (the team as of WEEK47) and master-w48 (a week later: one more lead won, the
    first of rep03's leads in progress)."""
    root = tmp_path_factory.mktemp("weeks")
    shutil.copy(team / "master.xlsx", root / "master-w47.xlsx")
    reps = root / "w48"
    shutil.copytree(team / "reps", reps)
    wb = openpyxl.load_workbook(reps / "rep03.xlsx")
    ws = wb["线索台账"]
    head, col = _header(ws, "线索状态")
    in_progress = {"跟进中", "待报价", "方案提交中", "商务谈判"}
    row = next(r for r in range(head + 1, ws.max_row + 1) if ws.cell(r, col).value in in_progress)
    ws.cell(row, col, "已成交")
    wb.save(reps / "rep03.xlsx")
    merged = merge_paths([reps], config=load_config(), as_of=WEEK48)
    write_master(merged, root / "master-w48.xlsx", config=load_config())
    return root / "master-w47.xlsx", root / "master-w48.xlsx"


def _won(register: pl.DataFrame) -> int:
    return register.filter(pl.col("status") == "已成交").height


def test_masters_of_successive_weeks_are_history_not_added_up(team, weeks):
    w47, w48 = weeks
    old, new = load_tables([w47]), load_tables([w48])
    assert _won(new.register) == _won(old.register) + 1
    for order in ([w47, w48], [w48, w47]):
        tables = load_tables(order)
        assert tables.leads == REPS * LEADS  # 30, not 60
        assert _won(tables.register) == _won(new.register)  # the newest is the register
        assert tables.files and set(tables.files) == {str(w47), str(w48)}
        (snap,) = tables.snapshots
        assert snap.taken_at == WEEK47 and snap.source == str(w47)
        assert snap.register.height == REPS * LEADS and "rep" in snap.register.columns
        assert _won(snap.register) == _won(old.register)
        assert _reps(snap) == _sizes(team)
        ((path, note),) = tables.skipped
        assert path == str(w47) and "较早的汇总表(截至 2026-11-22 18:00)" in note
        assert "master-w48.xlsx" in note


def test_the_merge_time_survives_a_libreoffice_save_and_else_the_file_time(weeks, tmp_path):
    w47, _ = weeks
    resaved = soffice_convert(w47, "ods", tmp_path)
    assert taken_at(w47) == WEEK47 == taken_at(resaved)
    plain = tmp_path / "plain.csv"
    plain.write_text("x\n", encoding="utf-8")
    stamp = datetime(2026, 11, 1, 8, 30).timestamp()
    os.utime(plain, (stamp, stamp))
    assert taken_at(plain) == datetime(2026, 11, 1, 8, 30)


def test_masters_of_two_teams_are_both_counted(team, tmp_path):
    other = tmp_path / "north"
    make_sample(other, reps=2, leads=4, seed=9, defects=0, as_of=SAMPLE_AS_OF)
    (other / "manifest.json").unlink()
    for p in other.glob("rep*.xlsx"):
        p.rename(p.with_name("north-" + p.name))
    merged = merge_paths([other], config=load_config(), as_of=WEEK48)
    write_master(merged, tmp_path / "north.xlsx", config=load_config())
    tables = load_tables([team / "master.xlsx", tmp_path / "north.xlsx"])
    assert tables.leads == REPS * LEADS + 2 * 4 and not tables.snapshots and not tables.skipped


# ----------------------------------------------------------- one shared sheet
OWNERS = ["*张", "*张", "*李", "*李", "*王", None]  # the sixth lead's log names *王 twice


def _shared_sheet(path: Path) -> Path:
    """One sheet for a team of three, written with openpyxl: 6 leads, 2 per rep."""
    catalog = load_catalog()
    wb = openpyxl.Workbook()
    reg = wb.active
    reg.title = "线索台账"
    fields = [f for f in catalog.register if f.key != "next_due"]
    reg.append([f.label("zh") for f in fields])
    ids = []
    for i, owner in enumerate(OWNERS):
        lead_id = f"EXPO2026110{i + 1}001"
        ids.append(lead_id)
        rec = clean_record(
            created_at=datetime(2026, 11, 1 + i, 9, 30),
            company=f"苏州共享{'甲乙丙丁戊己'[i]}电子有限公司",
            office_phone=f"0512-6600{i:04d}",
            im_account=f"wxid_share{i}",
            last_owner=owner,
            last_contact_at=datetime(2026, 11, 10 + i, 15, 0),
        )
        rec["lead_id"] = lead_id
        reg.append([rec.get(f.key) for f in fields])
    log = wb.create_sheet("跟进记录")
    log.append([f.label("zh") for f in catalog.log])
    entries = [(ids[i], owner) for i, owner in enumerate(OWNERS) if owner]
    entries += [(ids[5], "*王"), (ids[5], "*王"), (ids[5], "*张")]
    for n, (lead_id, owner) in enumerate(entries):
        log.append([lead_id, owner, datetime(2026, 11, 10, 9 + n % 8), "电话", "电话沟通需求"])
    wb.save(path)
    return path


def test_a_shared_sheet_credits_each_lead_to_its_rows_rep(tmp_path):
    sheet = _shared_sheet(tmp_path / "团队线索.xlsx")
    tables = load_tables([sheet])
    assert tables.leads == 6
    assert _reps(tables) == {"*张": 2, "*李": 2, "*王": 2}
    merged = merge_paths([sheet], config=load_config(), as_of=WEEK48)
    counts = merged.register.group_by(REP).len()
    assert dict(zip(counts[REP].to_list(), counts["len"].to_list(), strict=True)) == {
        "*张": 2,
        "*李": 2,
        "*王": 2,
    }
    write_master(merged, tmp_path / "master.xlsx", config=load_config())
    assert _reps(load_tables([tmp_path / "master.xlsx"])) == {"*张": 2, "*李": 2, "*王": 2}


def test_a_reps_own_workbook_stays_his_when_a_colleague_covered_a_contact():
    assert shared_sheet({"*张": 2, "*李": 2, "*王": 2})
    assert not shared_sheet({"*张": 9, "*李": 1})  # a colleague covered one of ten
    assert shared_sheet({"*张": 7, "*李": 3})
    assert not shared_sheet({"*张": 5}) and not shared_sheet({})


# ----------------------------------------------------------- nothing to report
def test_nothing_to_report_writes_no_file(team, tmp_path, runner):
    folder = tmp_path / "only-outputs"
    folder.mkdir()
    html, xlsx = tmp_path / "r.html", tmp_path / "s.xlsx"
    made = make_report([team / "master.xlsx"], as_of=WEEK47, xlsx=folder / "summary.xlsx")
    assert made.xlsx is not None
    result = make_report([folder], as_of=WEEK47, html=html, xlsx=xlsx)
    assert result.html is None and result.xlsx is None and not result.view.files
    cases = {
        "skipped": ([str(folder)], "1 个文件已跳过"),
        "missing": ([str(tmp_path / "nope.xlsx")], "无法生成报告"),
        "empty": ([str(tmp_path / "empty")], "无法生成报告"),
    }
    (tmp_path / "empty").mkdir()
    for name, (args, words) in cases.items():
        done = runner.invoke(cli, ["report", *args, "--html", str(html), "--xlsx", str(xlsx)])
        assert done.exit_code == 2, (name, done.output)
        assert words in done.output.strip().splitlines()[-1], (name, done.output)
        assert "Traceback" not in done.output
        assert not html.exists() and not xlsx.exists(), name
    english = runner.invoke(cli, ["report", str(folder), "--html", str(html), "--lang", "en"])
    assert english.exit_code == 2 and "nothing to report, no file written" in english.output
    assert not html.exists()


def test_a_report_as_of_an_earlier_week_takes_that_weeks_master(weeks):
    w47, w48 = weeks
    tables = load_tables([w47, w48], as_of=datetime(2026, 11, 24, 9, 0))
    assert tables.leads == REPS * LEADS and not tables.snapshots
    assert _won(tables.register) == _won(load_tables([w47]).register)
    ((path, note),) = tables.skipped
    assert path == str(w48) and "晚于 --as-of 2026-11-24 09:00" in note
    assert "master-w47.xlsx" in note
