"""The hand-in check of ``merge`` and ``validate``: the configured rep without a workbook, a
workbook of no configured rep, workbooks unchanged since the last master (``--into``)."""

from __future__ import annotations

import json
from datetime import datetime

from teambooks import book, lead, team_books, team_config

from leadbook.cli import cli

AS_OF = "2024-07-01T10:00"


def _team(tmp_path):
    cfg = team_config(tmp_path)
    books = team_books(tmp_path / "reps", cfg)
    return cfg, books


def test_merge_names_the_rep_who_did_not_hand_in(tmp_path, runner):
    cfg, _ = _team(tmp_path)
    stray = lead("*赵", "上海浦江化工有限公司", datetime(2024, 6, 10, 9, 0), province="上海市",
                 city="上海市", office_phone="021-66001234", im_account="wxid_pujiang")  # fmt: skip
    book(tmp_path / "reps" / "zhao.xlsx", cfg, [stray])
    args = ["merge", str(tmp_path / "reps"), "--config", str(cfg), "--as-of", AS_OF]
    text = runner.invoke(cli, [*args, "-o", str(tmp_path / "m.xlsx")])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    at = lines.index("交表检查:1 位销售没有交台账:")
    assert lines[at + 1] == "  *周"
    assert "交表检查:1 个台账不属于团队配置中的任何销售" in lines[at + 2]
    assert lines[at + 3].endswith("zhao.xlsx: *赵")
    out = runner.invoke(cli, [*args, "-o", str(tmp_path / "m2.xlsx"), "--format", "json"])
    doc = json.loads(out.output)
    assert doc["handin"]["missing_reps"] == ["*周"]
    assert [
        (w["path"].rsplit("/", 1)[-1], w["rep"]) for w in doc["handin"]["unknown_workbooks"]
    ] == [("zhao.xlsx", "*赵")]
    assert doc["master_rows"] == 6 and doc["renumbered"] == 0 and doc["handin"]["complete"] is False


def test_validate_lists_the_hand_in_too(tmp_path, runner):
    cfg, _ = _team(tmp_path)
    args = ["validate", str(tmp_path / "reps"), "--config", str(cfg), "--as-of", AS_OF]
    text = runner.invoke(cli, [*args, "--lang", "en"])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[-2:] == [
        "Hand-in check: 1 rep(s) handed in no workbook:",
        "  *周",
    ]
    doc = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert doc["handin"]["missing_reps"] == ["*周"] and doc["handin"]["unknown_workbooks"] == []


def test_no_reps_in_config_no_check(tmp_path, runner):
    cfg, _ = _team(tmp_path)
    plain = runner.invoke(cli, ["validate", str(tmp_path / "reps"), "--as-of", AS_OF])
    assert "交表检查" not in plain.output
    doc = json.loads(
        runner.invoke(cli, ["validate", str(tmp_path / "reps"), "--format", "json"]).output
    )
    assert "handin" not in doc


def test_merge_into_names_unchanged_workbooks(tmp_path, runner):
    cfg, books = _team(tmp_path)
    master = tmp_path / "master.xlsx"
    base = ["--config", str(cfg), "--as-of", AS_OF]
    first = runner.invoke(cli, ["merge", str(tmp_path / "reps"), "-o", str(master), *base])
    assert first.exit_code == 0, first.output
    # next week: *李 logged a new contact, *张 and *王 send the same workbooks again
    week2 = tmp_path / "week2"
    week2.mkdir()
    li = [
        lead("*李", "杭州西湖数码科技有限公司", datetime(2024, 6, 4, 9, 0), province="浙江省",
             city="杭州市", office_phone="0571-86001234", im_account="wxid_xihu01"),
        lead("*李", "宁波港城物流有限公司", datetime(2024, 6, 5, 9, 0), status="已成交",
             province="浙江省", city="宁波市", office_phone="0574-86001234",
             im_account="wxid_gangcheng"),
    ]  # fmt: skip
    li[0]["last_contact_at"] = datetime(2024, 6, 30, 16, 0)
    book(week2 / "LI.xlsx", cfg, li)
    for code in ("ZH", "WA"):
        (week2 / f"{code}.xlsx").write_bytes(books[code].read_bytes())
    args = ["merge", str(week2), "--into", str(master), "-o", str(tmp_path / "m2.xlsx"), *base]
    doc = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    unchanged = {w["path"].rsplit("/", 1)[-1]: w for w in doc["handin"]["unchanged_workbooks"]}
    assert sorted(unchanged) == ["WA.xlsx", "ZH.xlsx"]
    assert unchanged["ZH.xlsx"]["newest_contact"] == "2024-07-01T09:00:00"
    assert unchanged["ZH.xlsx"]["master_newest"] == "2024-07-01T09:00:00"
    assert doc["handin"]["compared_with_master"] is True
    assert doc["handin"]["missing_reps"] == ["*周"]  # the master is no rep's workbook
    text = runner.invoke(cli, [*args[:-6], "-o", str(tmp_path / "m3.xlsx"), *base])
    assert "交表检查:2 个台账自上次主表以来没有新的跟进" in text.output


def test_a_workbook_named_by_the_rep_code_is_that_reps(tmp_path, runner):
    """A fresh workbook without leads (no 最近跟进人) named ZO.xlsx, as split names them,
    counts as *周's hand-in."""
    import openpyxl

    cfg, _ = _team(tmp_path)
    book(tmp_path / "reps" / "ZO.xlsx", cfg, [])
    assert openpyxl.load_workbook(tmp_path / "reps" / "ZO.xlsx").sheetnames[1] == "线索台账"
    args = ["validate", str(tmp_path / "reps"), "--config", str(cfg), "--as-of", AS_OF]
    doc = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert doc["handin"] == {
        "complete": True,
        "missing_reps": [],
        "unknown_workbooks": [],
        "compared_with_master": False,
        "unchanged_workbooks": [],
    }
    assert runner.invoke(cli, args).output.splitlines()[-1] == "交表检查:每位配置的销售都交了台账。"


def test_a_shared_sheet_hands_in_for_each_rep_it_holds(tmp_path, runner):
    """One sheet kept by *王 and *周 half and half (a shared sheet, as merge credits it per
    row): neither is missing."""
    cfg, books = _team(tmp_path)
    books["WA"].unlink()
    rows = [
        lead("*王", "北京京华软件有限公司", datetime(2024, 6, 6, 9, 0), province="北京市",
             city="北京市", office_phone="010-66001234", im_account="wxid_jinghua"),
        lead("*周", "天津海河机电有限公司", datetime(2024, 6, 7, 9, 0), province="天津市",
             city="天津市", office_phone="022-66001234", im_account="wxid_haihe"),
    ]  # fmt: skip
    book(tmp_path / "reps" / "north.xlsx", cfg, rows)
    args = ["merge", str(tmp_path / "reps"), "-o", str(tmp_path / "m.xlsx"), "--config", str(cfg)]
    doc = json.loads(runner.invoke(cli, [*args, "--as-of", AS_OF, "--format", "json"]).output)
    assert doc["handin"]["missing_reps"] == [] and doc["handin"]["unknown_workbooks"] == []
    assert doc["handin"]["complete"] is True
