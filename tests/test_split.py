"""``leadbook split``: the master back to the reps, one workbook each, and merged again.

Inputs are made with openpyxl (small hand-made teams, their IDs worked out by hand) or with
``leadbook sample`` (the round trip of the issue); outputs are read with openpyxl."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from conftest import clean_record

from leadbook.cli import cli
from leadbook.core import provenance
from leadbook.core.catalog import load_catalog
from leadbook.core.config import load_config
from leadbook.team.split import safe_name, split_master

CAT = load_catalog()
PROVENANCE_LABELS = {zh for _, zh, _, _ in provenance.REGISTER + provenance.LOG}
AS_OF = "2024-06-30"

TEAM = """
[[reps]]
name = "*张"
code = "ZH"

[[reps]]
name = "*李"
code = "LI"
"""


# ------------------------------------------------------------------------------ helpers
def rep_book(path: Path, rep: str, leads: list[dict]) -> Path:
    """A rep's workbook as a script or another program writes one (openpyxl): the register
    with the IDs typed as values, two log entries per lead."""
    wb = openpyxl.Workbook()
    reg = wb.active
    reg.title = "线索台账"
    fields = [fd for fd in CAT.register]
    reg.append([fd.zh for fd in fields])
    for lead in leads:
        record = clean_record(last_owner=rep, **lead)
        reg.append([record.get(fd.key) for fd in fields])
    log = wb.create_sheet("跟进记录")
    log_fields = [fd for fd in CAT.log]
    log.append([fd.zh for fd in log_fields])
    for lead in leads:
        first = lead["created_at"] + timedelta(hours=2)
        company = clean_record(**lead)["company"] or "-"
        for when, text in (
            (first, "首次电话沟通,确认需求"),
            (datetime(2024, 6, 20, 14, 30), "报价"),
        ):
            entry = {"lead_id": lead["lead_id"], "owner": rep, "contact_at": when,
                     "method": "电话", "content": f"{text}({company[:6]})"}  # fmt: skip
            log.append([entry.get(fd.key) for fd in log_fields])
    wb.save(path)
    return path


def team(tmp_path: Path) -> Path:
    """*张 and *李, IDs as each rep's workbook numbers them (from 001 per channel and day):

    *张  EXPO20240521001  华创 (09:00)
    *李  EXPO20240521001  远航 (10:00)  -> the master renumbers it EXPO20240521003
    *李  EXPO20240521002  华创 (11:00)  -> 撞单 with *张's 华创: *张 registered it first
    *李  TEL20240521001   星河 (12:00)
    """
    folder = tmp_path / "reps"
    folder.mkdir()
    day = datetime(2024, 5, 21)
    huachuang = {"company": "深圳市华创智能科技有限公司", "office_phone": "0755-86001234",
                 "im_account": "wxid_hc2024"}  # fmt: skip
    rep_book(folder / "zhang.xlsx", "*张", [
        {"lead_id": "EXPO20240521001", "created_at": day.replace(hour=9), **huachuang},
    ])  # fmt: skip
    rep_book(folder / "li.xlsx", "*李", [
        {"lead_id": "EXPO20240521001", "created_at": day.replace(hour=10),
         "company": "上海远航物流有限公司", "office_phone": "021-38068540", "im_account": None},
        {"lead_id": "EXPO20240521002", "created_at": day.replace(hour=11), **huachuang},
        {"lead_id": "TEL20240521001", "created_at": day.replace(hour=12), "channel": "电话推荐",
         "company": "杭州星河网络科技有限公司", "office_phone": "0571-88001234",
         "im_account": "wxid_xh01"},
    ])  # fmt: skip
    return folder


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(runner, *args):
    return runner.invoke(cli, [str(a) for a in args])


def merged(runner, inputs, out: Path, *extra) -> Path:
    result = run(runner, "merge", *inputs, "-o", out, "--as-of", AS_OF, *extra)
    assert result.exit_code == 0, result.output
    return out


def read_master(path: Path) -> tuple[dict[str, dict], dict[str, Counter]]:
    """The register by lead ID (the catalog's fields, not the provenance columns) and the
    log entries per lead."""
    wb = openpyxl.load_workbook(path)
    reg, log = wb["线索台账"], wb["跟进记录"]
    header = [c.value for c in reg[2]]
    rows = {}
    for values in reg.iter_rows(min_row=3, values_only=True):
        if all(v is None for v in values):
            continue
        row = {h: v for h, v in zip(header, values, strict=True) if h not in PROVENANCE_LABELS}
        assert row["线索编号"] not in rows
        rows[row["线索编号"]] = row
    log_header = [c.value for c in log[1]]
    entries: dict[str, Counter] = {}
    for values in log.iter_rows(min_row=2, values_only=True):
        if all(v is None for v in values):
            continue
        entry = {
            h: v for h, v in zip(log_header, values, strict=True) if h not in PROVENANCE_LABELS
        }
        entries.setdefault(entry["线索编号"], Counter())[tuple(sorted(entry.items()))] += 1
    return rows, entries


def id_cells(path: Path) -> list[str]:
    """The register's lead-ID cells of the leads: a formula (``=...``) or a value."""
    ws = openpyxl.load_workbook(path).worksheets[1]  # the register, in either language
    return [row[0] for row in ws.iter_rows(min_row=3, values_only=True) if _is_lead(row)]


def _is_lead(row) -> bool:
    """A register row with a value besides its lead ID (the empty rows hold the formula)."""
    return any(v not in (None, "") for v in row[1:])


def cached_ids(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[1]
    return [row[0] for row in ws.iter_rows(min_row=3, values_only=True) if _is_lead(row)]


# ------------------------------------------------------------------------------ tests
def test_split_a_team_with_codes_keeps_the_masters_ids(runner, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text(TEAM, encoding="utf-8")
    master = merged(runner, [team(tmp_path)], tmp_path / "master.xlsx", "--config", config)
    before = digest(master)
    out = tmp_path / "back"
    result = run(runner, "split", master, "-o", out, "--config", config)
    assert result.exit_code == 0, result.output
    assert digest(master) == before  # the master is never modified
    assert sorted(p.name for p in out.iterdir()) == ["LI.xlsx", "ZH.xlsx"]
    lines = result.output.splitlines()
    assert lines[0] == f"已写入 {out / 'ZH.xlsx'}:*张,线索 2 条,跟进记录 4 条"
    assert lines[1] == f"已写入 {out / 'LI.xlsx'}:*李,线索 2 条,跟进记录 4 条"
    assert "撞单:1 条线索" in lines[2]
    # *张 gets *李's 华创 lead (撞单: *张 registered the customer first). ZH.xlsx is *张's own
    # workbook: its formula computes IDs with the rep's code (EXPO20240521ZH001), but these
    # leads came in with seed IDs: the master's IDs are kept, as values.
    assert cached_ids(out / "ZH.xlsx") == ["EXPO20240521001", "EXPO20240521002"]
    assert id_cells(out / "ZH.xlsx") == ["EXPO20240521001", "EXPO20240521002"]
    # *李's 远航 was renumbered by the merge (EXPO20240521003): kept, like 星河's ID.
    assert id_cells(out / "LI.xlsx") == ["EXPO20240521003", "TEL20240521001"]
    assert cached_ids(out / "LI.xlsx") == ["EXPO20240521003", "TEL20240521001"]
    # A new lead *李 types in gets the formula with *李's code.
    ws = openpyxl.load_workbook(out / "LI.xlsx").worksheets[1]
    assert "LI" in str(ws.cell(row=5, column=1).value)
    # The reps' workbooks carry no provenance columns, and the template's sheets.
    wb = openpyxl.load_workbook(out / "LI.xlsx")
    assert wb.sheetnames[:4] == ["使用说明", "线索台账", "跟进记录", "字段说明"]
    assert not {c.value for c in wb["线索台账"][2]} & PROVENANCE_LABELS
    assert wb["线索台账"].data_validations.dataValidation  # the dropdowns
    # Merging the reps' workbooks again: the same leads, IDs and logs, nothing renumbered.
    again = merged(runner, [out], tmp_path / "again.xlsx", "--config", config)
    assert read_master(again) == read_master(master)
    assert "编号重复改号 0 条" in run(runner, "merge", out, "-o", tmp_path / "x.xlsx").output


def test_the_ids_survive_libreoffice_recalculating(runner, tmp_path):
    from realclients import soffice_convert

    master = merged(runner, [team(tmp_path)], tmp_path / "master.xlsx")
    out = tmp_path / "back"
    assert run(runner, "split", master, "-o", out).exit_code == 0
    recalculated = soffice_convert(out / "rep-李.xlsx", "xlsx", tmp_path / "lo")
    assert cached_ids(recalculated) == ["EXPO20240521003", "TEL20240521001"]
    again = merged(runner, [recalculated, out / "rep-张.xlsx"], tmp_path / "again.xlsx")
    assert read_master(again) == read_master(master)


@pytest.mark.parametrize("codes", [False, True], ids=["names", "codes"])
def test_round_trip_of_a_sample_team(runner, tmp_path, codes):
    """sample (4 reps, 撞单 planted) -> merge -> split -> merge: the same leads, IDs, logs.
    With ``codes`` a team config gives the sample's reps the codes RA, RB, RC, RD."""
    reps = tmp_path / "reps"
    done = run(runner, "sample", reps, "--reps", 4, "--leads", 40, "--as-of", AS_OF)
    assert done.exit_code == 0, done.output
    planted = json.loads((reps / "manifest.json").read_text(encoding="utf-8"))
    assert planted["duplicates"]  # 撞单 planted
    names = [f["rep"] for f in planted["files"]]
    file_of = {name: f"rep-{name.removeprefix('*')}.xlsx" for name in names}
    options = []
    if codes:
        config = tmp_path / "team.toml"
        config.write_text("".join(f'[[reps]]\nname = "{n}"\ncode = "R{"ABCD"[i]}"\n\n'
                                  for i, n in enumerate(names)), encoding="utf-8")  # fmt: skip
        file_of = {name: f"R{'ABCD'[i]}.xlsx" for i, name in enumerate(names)}
        options = ["--config", config]
    master = merged(runner, [reps], tmp_path / "master.xlsx", *options)
    rows, log = read_master(master)
    wb = openpyxl.load_workbook(master)["线索台账"]
    header = [c.value for c in wb[2]]
    prov = [dict(zip(header, r, strict=True)) for r in wb.iter_rows(min_row=3, values_only=True)]
    prov = [p for p in prov if p["线索编号"]]
    renumbered = [p for p in prov if p["原线索编号"] != p["线索编号"]]
    assert renumbered  # IDs the reps' formulas would not compute again
    out = tmp_path / "back"
    result = run(runner, "split", master, "-o", out, *options)
    assert result.exit_code == 0, result.output
    books = {p.name for p in out.iterdir()}
    assert books == set(file_of.values()) == {file_of[p["负责销售"]] for p in prov}
    # Every lead is in exactly one workbook: its owner's (撞单: the rep named by the mark).
    where = {}
    for name in books:
        for lead_id in cached_ids(out / name):
            assert lead_id not in where
            where[lead_id] = name
    assert set(where) == set(rows)
    for p in prov:
        mark = re.search(r"撞单:以 (\S+) ", p["校验结果"] or "")
        rep = mark[1] if mark else p["负责销售"]
        assert where[p["线索编号"]] == file_of[rep], p["线索编号"]
    assert any(p["校验结果"] and "撞单" in p["校验结果"] for p in prov)
    # Log entries in the output lines add up to the master's.
    total = sum(sum(c.values()) for c in log.values())
    assert result.output.splitlines()[-1].endswith(f"线索 {len(rows)} 条,跟进记录 {total} 条")
    again = merged(runner, [out], tmp_path / "again.xlsx", *options)
    again_rows, again_log = read_master(again)
    assert set(again_rows) == set(rows)
    for lead_id, row in rows.items():
        assert again_rows[lead_id] == row, lead_id
    assert again_log == log
    # Next week the reps send the split workbooks back into the master: nothing new.
    week2 = merged(runner, [out], tmp_path / "week2.xlsx", "--into", master, *options)
    assert read_master(week2) == (rows, log)


def test_leads_of_no_known_rep_go_to_unassigned(runner, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text('reps = ["*张"]\n', encoding="utf-8")  # *李 is not in the team
    master = merged(runner, [team(tmp_path)], tmp_path / "master.xlsx")
    out = tmp_path / "back"
    result = run(runner, "split", master, "-o", out, "--config", config, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["rep-张.xlsx", "unassigned.xlsx"]
    assert cached_ids(out / "rep-张.xlsx") == ["EXPO20240521001", "EXPO20240521002"]
    assert cached_ids(out / "unassigned.xlsx") == ["EXPO20240521003", "TEL20240521001"]
    lines = result.output.splitlines()
    assert lines[0] == f"wrote {out / 'rep-张.xlsx'}: *张, 2 leads, 4 log entries"
    assert lines[1] == f"wrote {out / 'unassigned.xlsx'}: 2 leads of no known rep, 4 log entries"
    again = merged(runner, [out], tmp_path / "again.xlsx")
    assert read_master(again) == read_master(master)


def test_a_rep_named_after_the_file_is_unknown(tmp_path):
    """No 最近跟进人 and no 跟进人: merge names the rep after the file, which is no rep."""
    folder = team(tmp_path)
    wb = openpyxl.load_workbook(folder / "li.xlsx")
    for sheet, col in (("线索台账", "最近跟进人"), ("跟进记录", "跟进人")):
        ws = wb[sheet]
        j = [c.value for c in ws[1]].index(col)
        for row in ws.iter_rows(min_row=2):
            row[j].value = None
    wb.save(folder / "li.xlsx")
    from leadbook.merge.master import merge_paths, write_master

    master = write_master(merge_paths([folder]), tmp_path / "master.xlsx")
    result = split_master(master, tmp_path / "back", config=load_config())
    assert [(b.path.name, b.rep, b.leads, b.log_entries) for b in result.books] == [
        ("rep-张.xlsx", "*张", 2, 4),
        ("unassigned.xlsx", None, 2, 4),
    ]
    assert result.moved == 1


def test_refuses_to_overwrite_without_force(runner, tmp_path):
    master = merged(runner, [team(tmp_path)], tmp_path / "master.xlsx")
    out = tmp_path / "back"
    assert run(runner, "split", master, "-o", out).exit_code == 0
    stamp = digest(out / "rep-李.xlsx")
    again = run(runner, "split", master, "-o", out)
    assert again.exit_code == 2
    assert again.output.strip().endswith("文件已存在(加 --force 覆盖)")
    assert len(again.output.strip().splitlines()) == 1
    assert digest(out / "rep-李.xlsx") == stamp
    assert run(runner, "split", master, "-o", out, "--force").exit_code == 0
    # The master itself is never an output, not even with --force.
    inside = out / "rep-张.xlsx"
    refused = run(runner, "split", inside, "-o", out, "--force")
    assert refused.exit_code == 2


@pytest.mark.parametrize("kind", ["rep workbook", "garbage", "missing", "text"])
def test_a_bad_master_is_one_clear_error(runner, tmp_path, kind):
    folder = team(tmp_path)
    path = {
        "rep workbook": folder / "li.xlsx",
        "garbage": tmp_path / "broken.xlsx",
        "missing": tmp_path / "none.xlsx",
        "text": tmp_path / "notes.txt",
    }[kind]
    if kind == "garbage":
        path.write_bytes(b"PK\x03\x04 not really a workbook")
    if kind == "text":
        path.write_text("hello", encoding="utf-8")
    out = tmp_path / "back"
    result = run(runner, "split", path, "-o", out)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith(f"leadbook: {path}")
    expected = {
        "rep workbook": "不是 leadbook 合并出的总表",
        "garbage": "无法读取总表",
        "missing": "找不到要拆分的总表",
        "text": "无法读取总表",
    }[kind]
    assert expected in lines[0]
    assert not out.exists()  # nothing written
    english = run(runner, "split", path, "-o", out, "--lang", "en")
    assert english.exit_code == 2 and "master" in english.output


def test_out_dir_is_a_file(runner, tmp_path):
    master = merged(runner, [team(tmp_path)], tmp_path / "master.xlsx")
    (tmp_path / "back").write_text("x", encoding="utf-8")
    result = run(runner, "split", master, "-o", tmp_path / "back")
    assert result.exit_code == 2


def test_encrypted_master_and_workbooks(runner, tmp_path, monkeypatch):
    from leadbook.core.crypto import is_encrypted

    monkeypatch.setenv("LEADS_PW", "s3cret-pw")
    reps = team(tmp_path)
    master = merged(runner, [reps], tmp_path / "master.xlsx", "--password-env", "LEADS_PW",
                    "--encrypt")  # fmt: skip
    assert is_encrypted(master)
    out = tmp_path / "back"
    result = run(runner, "split", master, "-o", out, "--password-env", "LEADS_PW", "--encrypt")
    assert result.exit_code == 0, result.output
    assert all(is_encrypted(p) for p in out.iterdir())
    plain = merged(runner, [reps], tmp_path / "plain.xlsx")
    again = merged(runner, [out], tmp_path / "again.xlsx", "--password-env", "LEADS_PW")
    assert read_master(again) == read_master(plain)


def test_safe_file_names():
    assert safe_name("*张") == "rep-张"
    assert safe_name('*a/b:c?"d') == "rep-a_b_c__d"
    assert safe_name("*") == "rep"
    assert safe_name("李四") == "rep-四"  # an unmasked name is masked
    assert safe_name("*王.. ") == "rep-王"
    assert (
        safe_name("*张13812345678") == "rep-张138____5678"
    )  # masked, and * is no file name character


def test_hand_offs_are_applied(runner, tmp_path):
    """*李 hands 星河 over to *张 (``leadbook handoff``); the master of the handed-over copies
    splits with 星河 and its whole log, the hand-off entry too, in *张's workbook."""
    config = tmp_path / "team.toml"
    config.write_text(TEAM, encoding="utf-8")
    reps = team(tmp_path)
    handed = tmp_path / "handed"
    done = run(runner, "handoff", reps / "li.xlsx", "--lead", "TEL20240521001", "--to",
               reps / "zhang.xlsx", "--rep", "*张", "--out-dir", handed, "--as-of",
               "2024-06-25 10:00", "--config", config)  # fmt: skip
    assert done.exit_code == 0, done.output
    master = merged(runner, [handed], tmp_path / "master.xlsx", "--config", config)
    out = tmp_path / "back"
    assert run(runner, "split", master, "-o", out, "--config", config).exit_code == 0
    assert cached_ids(out / "ZH.xlsx") == ["EXPO20240521001", "EXPO20240521002", "TEL20240521001"]
    assert cached_ids(out / "LI.xlsx") == ["EXPO20240521003"]
    wb = openpyxl.load_workbook(out / "ZH.xlsx")
    reg = wb["线索台账"]
    header = [c.value for c in reg[2]]
    lead = dict(
        zip(header, next(reg.iter_rows(min_row=5, max_row=5, values_only=True)), strict=True)
    )
    assert lead["公司名称"] == "杭州星河网络科技有限公司" and lead["最近跟进人"] == "*张"
    log = [
        r for r in wb["跟进记录"].iter_rows(min_row=2, values_only=True) if r[0] == "TEL20240521001"
    ]
    assert sorted(r[4] for r in log) == [
        "报价(杭州星河网络)",
        "移交给 *张(原负责 *李)",
        "首次电话沟通,确认需求(杭州星河网络)",
    ]
    again = merged(runner, [out], tmp_path / "again.xlsx", "--config", config)
    assert read_master(again) == read_master(master)


def test_an_id_edited_in_the_master_is_the_one_split_keeps(runner, tmp_path):
    """The manager changed 远航's ID in the master by hand (openpyxl), in the register and
    the log: the split carries the edited ID, not the one a new merge would compute."""
    master = merged(runner, [team(tmp_path)], tmp_path / "master.xlsx")
    wb = openpyxl.load_workbook(master)
    changed = 0
    for sheet, first in (("线索台账", 3), ("跟进记录", 2)):
        for row in wb[sheet].iter_rows(min_row=first):
            if row[0].value == "EXPO20240521003":
                row[0].value = "EXPO20240521009"
                changed += 1
    assert changed == 3  # the lead and its two log entries
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    out = tmp_path / "back"
    result = run(runner, "split", edited, "-o", out)
    assert result.exit_code == 0, result.output
    assert cached_ids(out / "rep-李.xlsx") == ["EXPO20240521009", "TEL20240521001"]
    again = merged(runner, [out], tmp_path / "again.xlsx")
    assert read_master(again) == read_master(edited)
    assert set(read_master(again)[1]) == {
        "EXPO20240521001", "EXPO20240521002", "EXPO20240521009", "TEL20240521001"
    }  # fmt: skip


def test_workbooks_left_in_the_folder_are_named(runner, tmp_path):
    master = merged(runner, [team(tmp_path)], tmp_path / "master.xlsx")
    out = tmp_path / "back"
    out.mkdir()
    (out / "last-week.xlsx").write_bytes(b"x")
    (out / "notes.txt").write_text("x", encoding="utf-8")
    result = run(runner, "split", master, "-o", out)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("注意")]
    assert notes == [
        f"注意:{out} 中还有不是这次写入的工作簿(last-week.xlsx),再合并这个文件夹时会一并读入"
    ]


def test_an_unmasked_rep_is_shown_masked(tmp_path):
    folder = team(tmp_path)
    wb = openpyxl.load_workbook(folder / "li.xlsx")
    for sheet, col in (("线索台账", "最近跟进人"), ("跟进记录", "跟进人")):
        ws = wb[sheet]
        j = [c.value for c in ws[1]].index(col)
        for row in ws.iter_rows(min_row=2):
            row[j].value = "李四"
    wb.save(folder / "li.xlsx")
    from leadbook.merge.master import merge_paths, write_master

    master = write_master(merge_paths([folder]), tmp_path / "master.xlsx")
    result = split_master(master, tmp_path / "back", config=load_config())
    assert [(b.path.name, b.rep, b.leads) for b in result.books] == [
        ("rep-张.xlsx", "*张", 2),
        ("rep-四.xlsx", "*四", 2),
    ]


def test_the_week_goes_on_from_the_split(runner, tmp_path):
    """The reps work on in the split workbooks (*李 follows 远航 up, in openpyxl) and send
    them back: ``merge --into`` the master knows 远航 by the master's ID, EXPO20240521003,
    which is no new lead (nor a 撞单 with itself)."""
    master = merged(runner, [team(tmp_path)], tmp_path / "master.xlsx")
    out = tmp_path / "back"
    assert run(runner, "split", master, "-o", out).exit_code == 0
    wb = openpyxl.load_workbook(out / "rep-李.xlsx")
    reg, log = wb["线索台账"], wb["跟进记录"]
    header = [c.value for c in reg[2]]
    assert reg["A3"].value == "EXPO20240521003"
    when = datetime(2024, 6, 28, 10, 0)
    reg.cell(3, header.index("最近跟进时间") + 1, when)
    reg.cell(3, header.index("跟进内容摘要") + 1, "确认合同条款")
    first_free = next(r for r in range(2, 2000) if log.cell(r, 1).value is None)
    for col, value in enumerate(["EXPO20240521003", "*李", when, "电话", "确认合同条款"], 1):
        log.cell(first_free, col, value)
    wb.save(out / "rep-李.xlsx")
    week2 = tmp_path / "week2.xlsx"
    result = run(runner, "merge", out, "--into", master, "-o", week2, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "撞单 1 组" in result.output  # only 华创, registered by *张 and *李
    rows, entries = read_master(week2)
    assert set(rows) == {"EXPO20240521001", "EXPO20240521002", "EXPO20240521003", "TEL20240521001"}
    assert rows["EXPO20240521003"]["跟进内容摘要"] == "确认合同条款"
    assert rows["EXPO20240521003"]["最近跟进时间"] == when
    assert sum(entries["EXPO20240521003"].values()) == 3


def test_a_lead_without_a_company_is_known_again_after_a_split(runner, tmp_path):
    """Identified by position (no company), a lead moved by the split is still one lead:
    *李's lead without a company, WEB20240521001 in *李's workbook, is renumbered
    WEB20240521002 by the master (*张's WEB lead of that day was created earlier)."""
    folder = tmp_path / "reps"
    folder.mkdir()
    day = datetime(2024, 5, 21)
    rep_book(folder / "zhang.xlsx", "*张", [
        {"lead_id": "WEB20240521001", "created_at": day.replace(hour=8), "channel": "官网表单"},
    ])  # fmt: skip
    rep_book(folder / "li.xlsx", "*李", [
        {"lead_id": "WEB20240521001", "created_at": day.replace(hour=13), "channel": "官网表单",
         "company": None, "office_phone": "0571-88001234", "im_account": None},
    ])  # fmt: skip
    master = merged(runner, [folder], tmp_path / "master.xlsx")
    assert set(read_master(master)[0]) == {"WEB20240521001", "WEB20240521002"}
    out = tmp_path / "back"
    assert run(runner, "split", master, "-o", out).exit_code == 0
    assert id_cells(out / "rep-李.xlsx") == ["WEB20240521002"]  # a value: the formula gives 001
    for week2 in (
        ["merge", out, "--into", master, "-o", tmp_path / "week2.xlsx"],
        ["merge", out, master, "-o", tmp_path / "other-order.xlsx"],
    ):
        result = run(runner, *week2, "--as-of", AS_OF)
        assert result.exit_code == 0, result.output
        assert "主表 2 行" in result.output and "撞单 0 组" in result.output
        assert read_master(Path(week2[-1])) == read_master(master)
