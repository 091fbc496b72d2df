"""``leadbook assign``: existing customers to their owner, territory, fewest open leads under
capacity, round-robin; IDs with the rep's code; copies that validate; inputs unchanged."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import datetime
from pathlib import Path

from teambooks import team_books, team_config

from leadbook.check.validate import validate_paths
from leadbook.cli import cli
from leadbook.core.config import Rep, load_config
from leadbook.team.rules import Load, choose, take

AS_OF = "2024-07-01T10:00"
HEADER = ["公司名称", "来源渠道", "潜力等级", "所属行业", "行业大类", "省份", "城市", "联系人",
          "职位", "办公电话", "企业微信", "需求描述"]  # fmt: skip
ROWS = [  # rows 2.. of the list; no 公司规模 column (a required field the reps complete)
    ["华创智能科技（深圳）有限公司", "展会", "中潜力", "制造业", "汽车制造业", "广东省",
     "深圳市", "*陈", "采购经理", "0755-23001111", "", "传感器"],  # ZH's customer, other name
    ["杭州云帆网络技术有限公司", "官网表单", "中潜力", "制造业", "汽车制造业", "浙江省",
     "杭州市", "*孙", "技术总监", "0571-88002222", "", "系统"],
    ["广州市明达机械有限公司", "展会", "中潜力", "制造业", "汽车制造业", "广东省", "广州市",
     "*钱", "厂长", "020-66003333", "", "设备"],
    ["北京天策咨询有限公司", "展会", "中潜力", "制造业", "汽车制造业", "北京市", "北京市",
     "*吴", "经理", "010-55004444", "", "咨询"],
    ["成都蜀光电子有限公司", "展会", "中潜力", "制造业", "汽车制造业", "四川省", "成都市",
     "*郑", "经理", "028-55005555", "", "元件"],
    ["", "展会", "中潜力", "制造业", "汽车制造业", "北京市", "北京市", "*冯", "经理",
     "010-55006666", "", "不明"],
    ["宁波海曙贸易有限公司", "展会", "中潜力", "制造业", "汽车制造业", "浙江省", "宁波市",
     "*褚", "经理", "0574-55007777", "", "贸易"],
    ["美旭电器销售（顺德）有限公司", "展会", "中潜力", "制造业", "汽车制造业", "广东省",
     "佛山市", "*卫", "经理", "0757-55008888", "WXID_MEIXU01", "电器"],  # ZH's by IM account
]  # fmt: skip
# Worked out by hand from the rules and the team in teambooks.py:
EXPECTED = [  # (list row, rep, reason, lead ID)
    (2, "*张", "existing", "EXPO20240701ZH002"),  # after ZH's EXPO20240701001
    (3, "*李", "territory", "WEB20240701LI001"),
    (4, "*张", "territory", "EXPO20240701ZH003"),
    (5, "*王", "least-loaded", "EXPO20240701WA001"),  # the one rep without territory
    (6, None, "full", None),  # *王 is at capacity 2 now; *周 has no workbook
    (7, None, "no-company", None),
    (8, "*李", "territory", "EXPO20240701LI001"),
    (9, "*张", "existing", "EXPO20240701ZH004"),
]


def _digests(paths) -> dict[str, str]:
    return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def _setup(tmp_path: Path):
    cfg = team_config(tmp_path)
    books = team_books(tmp_path / "reps", cfg)
    new = tmp_path / "expo.csv"
    with open(new, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return cfg, books, new


def test_assign_puts_each_lead_where_the_rules_say(tmp_path, runner):
    cfg, books, new = _setup(tmp_path)
    out = tmp_path / "out"
    before = _digests([*books.values(), new])
    args = ["assign", str(new), "--reps", str(tmp_path / "reps"), "-o", str(out)]
    args += ["--config", str(cfg), "--as-of", AS_OF, "--format", "json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output  # two leads not assigned
    doc = json.loads(result.output)
    got = [(a["row"], a["rep"] or None, a["reason"], a["lead_id"] or None)
           for a in doc["assignments"]]  # fmt: skip
    assert got == EXPECTED
    by_row = {a["row"]: a for a in doc["assignments"]}
    assert by_row[2]["why"] == "老客户:*张 的 EXPO20240603001"
    assert by_row[9]["why"] == "老客户:*张 的 EXPO20240701001"
    assert doc["summary"] == {"leads": 8, "assigned": 6, "unassigned": 2}
    loads = {r["rep"]: (r["open_before"], r["assigned"]) for r in doc["reps"]}
    assert loads == {"*张": (2, 3), "*李": (1, 2), "*王": (1, 1), "*周": (0, 0)}
    # the list's own findings (no company in row 7); each lead's fields for the rep to fill
    found = {(f["code"], f["field"], f["row"]) for f in doc["findings"]}
    assert found == {("required-missing", "company", 7)}
    assert {a["row"]: a["to_complete_fields"] for a in doc["assignments"] if a["lead_id"]} == {
        r: ["size"] for r in (2, 3, 4, 5, 8, 9)
    }
    assert by_row[2]["to_complete"] == "公司规模"
    assert _digests([*books.values(), new]) == before  # inputs unchanged
    assert sorted(p.name for p in out.iterdir()) == [
        "LI.xlsx",
        "WA.xlsx",
        "ZH.xlsx",
        "assignments.csv",
    ]
    with open(out / "assignments.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][:5] == ["来源清单", "清单行", "公司名称", "线索编号", "分配给"]
    assert [(int(r[1]), r[3] or None) for r in table[1:]] == [(e[0], e[3]) for e in EXPECTED]


def test_copies_validate_with_no_new_errors(tmp_path, runner):
    cfg, books, new = _setup(tmp_path)
    out = tmp_path / "out"
    args = ["assign", str(new), "--reps", str(tmp_path / "reps"), "-o", str(out)]
    args += ["--config", str(cfg), "--as-of", AS_OF, "--format", "json"]
    doc = json.loads(runner.invoke(cli, args).output)
    config = load_config(cfg)
    as_of = datetime(2024, 7, 1, 10, 0)
    every_id: list[str] = []
    for code, src in books.items():
        old = validate_paths([src], config=config, as_of=as_of)
        copy = validate_paths([out / src.name], config=config, as_of=as_of)
        assert old.errors == 0
        mine = [a for a in doc["assignments"] if a["copy"].endswith(src.name)]
        # no error but the required fields each new lead was announced to leave empty
        errors = {(i.row, i.field, i.code) for i in copy.issues() if i.severity == "error"}
        assert errors == {
            (a["copy_row"], f, "required-missing") for a in mine for f in a["to_complete_fields"]
        }
        assert copy.warnings == old.warnings  # new leads are within their SLA at as_of
        lead_ids = []

        def keep(report, raw, reg, log, ids=lead_ids):
            ids.extend(reg["lead_id"].to_list())

        validate_paths([out / src.name], config=config, as_of=as_of, on_frames=keep, check=False)
        assert len(lead_ids) == len(set(lead_ids)) and None not in lead_ids
        mine = [a["lead_id"] for a in mine]
        assert mine and all(re.fullmatch(rf"[A-Z]+20240701{code}\d{{3}}", i) for i in mine)
        assert set(mine) <= set(lead_ids)
        every_id += lead_ids
    assert len(every_id) == len(set(every_id))  # unique across the team


def test_text_output_names_rep_and_reason(tmp_path, runner):
    cfg, books, new = _setup(tmp_path)
    args = ["assign", str(new), "--reps", str(tmp_path / "reps"), "-o", str(tmp_path / "o")]
    args += ["--config", str(cfg), "--as-of", AS_OF, "--lang", "en"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "-> *张 EXPO20240701ZH002  (existing customer of *张: EXPO20240603001)" in result.output
    assert "-> *王 EXPO20240701WA001  (fewest open leads)" in result.output
    assert "not assigned  (every rep who could take it is at capacity" in result.output
    assert "the folder holds no workbook of *周" in result.output
    again = runner.invoke(cli, args)  # the copies exist now: refused without --force
    assert again.exit_code == 2 and "Traceback" not in again.output


def test_round_robin_on_ties_in_config_order():
    loads = [Load(Rep("*甲"), 0, 3), Load(Rep("*乙"), 1, 3), Load(Rep("*丙", capacity=4), 2, 3)]
    order = []
    for turn in range(6):
        load, reason = choose(loads, "四川省", None)
        order.append(load.rep.name if load else None)
        if load:
            take(load, turn)
    # all tie at 3: 甲 乙 丙 in turn; then 甲 and 乙 (丙 is full at 4), and so on
    assert order == ["*甲", "*乙", "*丙", "*甲", "*乙", "*甲"]


def test_territory_first_then_general_pool():
    gd = Load(Rep("*张", provinces=("广东",), capacity=1), 0, 0)
    other = Load(Rep("*王"), 1, 5)
    assert choose([gd, other], "广东省", "制造业")[1] == "territory"
    take(gd, 0)
    load, reason = choose([gd, other], "广东省", "制造业")  # territory full: general pool
    assert (load.rep.name, reason) == ("*王", "least-loaded")
    ind = Load(Rep("*李", industries=("金融业",)), 2, 9)
    assert choose([ind, other], "北京市", "金融业")[0].rep.name == "*李"
    assert choose([ind, other], "北京市", "制造业")[0].rep.name == "*王"


def test_master_customers_and_an_xlsx_list_with_english_headers(tmp_path, runner):
    """The master (--into) knows *王's customer although *王's workbook is not in the folder;
    an .xlsx list (English headers, openpyxl) is read by header; a damaged list is reported
    and does not stop the others."""
    import openpyxl

    cfg, books, _ = _setup(tmp_path)
    master = tmp_path / "master.xlsx"
    merged = runner.invoke(
        cli, ["merge", str(tmp_path / "reps"), "-o", str(master), "--config", str(cfg)]
    )
    assert merged.exit_code == 0, merged.output
    books["WA"].unlink()  # *王 handed in nothing this week
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Company", "Channel", "Province", "City", "Contact", "Office phone"])
    ws.append(["北京京华软件股份有限公司", "电话推荐", "北京市", "北京市", "*何", "010-12345678"])
    ws.append(
        ["Hangzhou Lakeview Co., Ltd.", "电话推荐", "浙江省", "杭州市", "*吕", "0571-1234567"]
    )
    wb.save(tmp_path / "partner.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    args = ["assign", str(tmp_path / "partner.xlsx"), str(tmp_path / "broken.xlsx")]
    args += ["--reps", str(tmp_path / "reps"), "-o", str(tmp_path / "out"), "--into", str(master)]
    args += ["--config", str(cfg), "--as-of", AS_OF, "--format", "json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    got = [(a["row"], a["rep"] or None, a["reason"], a["lead_id"] or None)
           for a in doc["assignments"]]  # fmt: skip
    assert got == [
        (2, "*王", "owner-no-workbook", None),  # the master's customer of *王 (EXPO20240606001)
        (3, "*李", "territory", "TEL20240701LI001"),
    ]
    assert doc["assignments"][0]["why"].startswith("老客户:*王 的 EXPO20240606001")
    assert [u["path"].rsplit("/", 1)[-1] for u in doc["unreadable"]] == ["broken.xlsx"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["LI.xlsx", "assignments.csv"]


def test_the_copies_merge_without_renumbering_and_recalculate_in_libreoffice(tmp_path, runner):
    """The copy's formulas (their cached values dropped by openpyxl) give LibreOffice the same
    IDs the reader computes; merging the copies renumbers nothing."""
    import openpyxl
    from realclients import soffice_convert

    cfg, books, new = _setup(tmp_path)
    out = tmp_path / "out"
    args = ["assign", str(new), "--reps", str(tmp_path / "reps"), "-o", str(out)]
    runner.invoke(cli, [*args, "--config", str(cfg), "--as-of", AS_OF])
    config = load_config(cfg)
    ids: list = []
    validate_paths(
        [out / "ZH.xlsx"], config=config, check=False,
        on_frames=lambda rep, raw, reg, log: ids.extend(reg["lead_id"].to_list()),
    )  # fmt: skip
    assert ids == ["EXPO20240603001", "EXPO20240701001", "EXPO20240701ZH002",
                   "EXPO20240701ZH003", "EXPO20240701ZH004"]  # fmt: skip
    again = soffice_convert(out / "ZH.xlsx", "xlsx", tmp_path / "lo", recalc=True)
    ws = openpyxl.load_workbook(again, data_only=True)["线索台账"]
    assert [ws.cell(row=r, column=1).value for r in range(3, 8)] == ids
    merged = runner.invoke(
        cli, ["merge", str(out), "-o", str(tmp_path / "m.xlsx"), "--config", str(cfg),
              "--as-of", AS_OF, "--format", "json"],
    )  # fmt: skip
    doc = json.loads(merged.output)
    assert doc["renumbered"] == 0 and doc["master_rows"] == 5 + 4 + 2  # ZH 2+3, LI 2+2, WA 1+1
    assert doc["handin"]["missing_reps"] == ["*周"]


def test_no_workbook_of_a_configured_rep(tmp_path, runner):
    cfg, books, new = _setup(tmp_path)
    empty = tmp_path / "nobody"
    empty.mkdir()
    args = ["assign", str(new), "--reps", str(empty), "-o", str(tmp_path / "out")]
    doc = json.loads(
        runner.invoke(
            cli, [*args, "--config", str(cfg), "--as-of", AS_OF, "--format", "json"]
        ).output
    )
    assert {a["reason"] for a in doc["assignments"]} == {"no-rep", "no-company"}
    assert len(doc["notes"]) == 4  # each rep: no workbook
    no_reps = runner.invoke(cli, args)  # the default config names no reps: cannot run
    assert no_reps.exit_code == 2 and "[[reps]]" in no_reps.output


def test_personal_data_masked_and_the_table_is_no_input(tmp_path, runner):
    cfg, books, _ = _setup(tmp_path)
    new = tmp_path / "web.csv"
    new.write_text(
        "公司名称,来源渠道,省份,联系人,办公电话,需求描述\n"
        "华光13812345678电子有限公司,官网表单,广东省,*王,13912345678,找 zhang.san@qq.com\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["assign", str(new), "--reps", str(tmp_path / "reps"), "-o", str(out)]
    args += ["--config", str(cfg), "--as-of", AS_OF]
    text = runner.invoke(cli, args).output
    doc = runner.invoke(cli, [*args, "-o", str(tmp_path / "o2"), "--format", "json"]).output
    written = [p.read_bytes().decode("utf-8", "replace") for p in [out / "assignments.csv"]]
    import zipfile

    with zipfile.ZipFile(out / "ZH.xlsx") as zf:
        written += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist()]
    for shown in [text, doc, *written]:
        assert not re.search(r"13812345678|13912345678|zhang\.san", shown)
    assert "华光138****5678电子有限公司 → *张 WEB20240701ZH001" in text
    # leadbook's own table in the folder is left out of a later validate or merge
    check = runner.invoke(cli, ["validate", str(out), "--format", "json", "--config", str(cfg)])
    skipped = {Path(f["path"]).name: f["skipped"] for f in json.loads(check.output)["files"]}
    assert skipped["assignments.csv"] == "leadbook assign 写出的分配表,不是线索台账"


def test_first_lead_of_an_empty_workbook_is_editable(tmp_path, runner):
    """*周's workbook has no lead yet (named ZO.xlsx): *周 has capacity 1 and no lead, so
    the Beijing lead goes to *周; its cells stay unlocked in the protected sheet and its
    creation time is a date."""
    import openpyxl
    from teambooks import book

    cfg, books, _ = _setup(tmp_path)
    book(tmp_path / "reps" / "ZO.xlsx", cfg, [])
    new = tmp_path / "call.csv"
    new.write_text(
        "公司名称,来源渠道,省份,城市\n北京天策咨询有限公司,电话推荐,北京市,北京市\n"
        "北京远山咨询有限公司,电话推荐,北京市,北京市\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["assign", str(new), "--reps", str(tmp_path / "reps"), "-o", str(out)]
    doc = json.loads(
        runner.invoke(
            cli, [*args, "--config", str(cfg), "--as-of", AS_OF, "--format", "json"]
        ).output
    )
    got = [(a["rep"], a["reason"], a["lead_id"], a["copy_row"]) for a in doc["assignments"]]
    assert got == [
        ("*周", "least-loaded", "TEL20240701ZO001", 3),  # 周 0 open, 王 1
        ("*王", "least-loaded", "TEL20240701WA001", 4),  # 周 is full (capacity 1)
    ]
    ws = openpyxl.load_workbook(out / "ZO.xlsx")["线索台账"]
    assert ws.protection.sheet is True
    written = [ws[f"{c}3"] for c in "BCDF"]  # 创建时间 来源渠道 线索状态 公司名称
    assert all(c.has_style and not c.protection.locked for c in written)
    # 潜力等级 (E3) is left to the rep: no cell in the file, so its column's unlocked style
    assert not ws["E3"].has_style and not ws.column_dimensions["E"].protection.locked
    assert ws["B3"].is_date and ws["B3"].value == datetime(2024, 7, 1, 10, 0)
    assert ws["A3"].value == "TEL20240701ZO001"
