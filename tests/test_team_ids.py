"""Issue 13.1: lead IDs unique across the team. A rep of the team config has a code; the rep's
workbook (``leadbook new --rep``, ``leadbook sample --config``) puts it in every lead ID
(EXPO20240521ZH001, or as the config's ``lead_id_format`` orders the parts), the workbook's
formula and Python agree (proven in LibreOffice, the cached values sabotaged), and merging
the team's workbooks renumbers nothing. Workbooks without a rep keep the seed's IDs.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from books import clean_records, log_for
from conftest import AS_OF
from realclients import soffice_convert
from xlsxwriter.utility import xl_col_to_name

import leadbook.workbook.template as template
from leadbook.check.validate import validate_paths
from leadbook.cli import cli
from leadbook.core.catalog import load_catalog
from leadbook.core.config import build_config, load_config
from leadbook.core.errors import ConfigError
from leadbook.core.leadid import TEAM_FORMAT, excel_formula, ids_for, parse_lead_id, split_lead_id
from leadbook.merge.master import merge_paths
from leadbook.read.normalize import batch_frame, fill_formula_ids
from leadbook.read.reader import read_book
from leadbook.sample.make import make_sample

TEAM = {
    "company": "华东区域销售部",
    "reps": [
        {"name": "*张", "code": "ZH"},
        {"name": "*李", "code": "LI"},
        {"name": "*王", "code": "WA"},
        {"name": "*赵", "code": "ZO"},
    ],
}
TEAM_TOML = 'company = "华东区域销售部"\n' + "".join(
    f'[[reps]]\nname = "{r["name"]}"\ncode = "{r["code"]}"\n' for r in TEAM["reps"]
)
CODES = {c.name: c.code for c in load_config().channels}
REG = "线索台账"
WRONG = "WRONG"

# Four leads (channel, created): two 展会 on 21 May out of order, a 官网表单 the same minute as
# one of them, a 展会 the next day; then a row without a time (no ID).
ROWS = [
    ("展会", datetime(2024, 5, 21, 10, 0)),
    ("展会", datetime(2024, 5, 21, 9, 0)),
    ("官网表单", datetime(2024, 5, 21, 9, 0)),
    ("展会", datetime(2024, 5, 22, 8, 0)),
    ("展会", None),
]
RECORDS = [
    {"channel": ch, "created_at": cr, "company": f"测试公司{i}"} for i, (ch, cr) in enumerate(ROWS)
]


@pytest.fixture
def team_toml(tmp_path) -> Path:
    path = tmp_path / "team.toml"
    path.write_text(TEAM_TOML, encoding="utf-8")
    return path


def _ids(path: Path, first: int, last: int) -> list[str]:
    """Column A of the register as the file caches it."""
    ws = openpyxl.load_workbook(path, data_only=True)[REG]
    return [ws.cell(r, 1).value or "" for r in range(first, last + 1)]


# ------------------------------------------------------------------ the config and the format
def test_the_default_format_puts_the_rep_code_after_the_date():
    config = build_config(TEAM)
    assert config.lead_id_format == TEAM_FORMAT == "{channel}{date}{rep}{seq}"
    assert ids_for(RECORDS, CODES, "ZH", config.lead_id_format) == [
        "EXPO20240521ZH002",
        "EXPO20240521ZH001",
        "WEB20240521ZH001",
        "EXPO20240522ZH001",
        None,
    ]
    assert ids_for(RECORDS, CODES)[:2] == ["EXPO20240521002", "EXPO20240521001"]  # the seed's


def test_a_configured_format_orders_and_separates_the_parts():
    config = build_config(TEAM | {"lead_id_format": "{rep}-{channel}{date}_{seq}"})
    fmt = config.lead_id_format
    ids = ids_for(RECORDS, CODES, config.rep_code("*李"), fmt)
    assert ids[:3] == ["LI-EXPO20240521_002", "LI-EXPO20240521_001", "LI-WEB20240521_001"]
    assert split_lead_id("LI-EXPO20240521_002", fmt) == {
        "rep": "LI",
        "code": "EXPO",
        "date": "20240521",
        "seq": "002",
    }
    # Rep first, channel after the date: read in the format's own order, not as code ZH.
    assert split_lead_id("ZH20240521EXPO001", "{rep}{date}{channel}{seq}")["code"] == "EXPO"


def test_old_and_new_ids_are_both_read():
    assert parse_lead_id("EXPO20240521001") == ("EXPO", "20240521", 1)
    assert parse_lead_id("EXPO20240521ZH001") == ("EXPO", "20240521", 1)
    assert split_lead_id("EXPO20240521ZH001")["rep"] == "ZH"
    assert split_lead_id("EXPO20240521001")["rep"] == ""
    assert parse_lead_id("EXPO20240521ZHX") is None and parse_lead_id("EXPO2024052ZH001") is None


@pytest.mark.parametrize(
    "fmt",
    [
        "{channel}{date}{seq}",  # no rep: not unique across the team
        "{channel}{rep}{date}{seq}",  # two runs of letters side by side
        "{channel}/{date}{rep}{seq}",  # not a separator
        "{channel}{date}{rep}{seq}{seq}",
        "{channel}{day}{rep}{seq}",
    ],
)
def test_an_unusable_format_is_a_config_error_naming_the_key(fmt):
    with pytest.raises(ConfigError) as info:
        build_config(TEAM | {"lead_id_format": fmt}, "team.toml")
    assert str(info.value).startswith("team.toml: key 'lead_id_format'")
    assert "{channel}" in info.value.text("zh") and "不是可用的线索编号格式" in info.value.text(
        "zh"
    )


def test_the_formula_holds_the_rep_code_and_the_seed_formula_is_unchanged():
    seed = excel_formula(5, "C", "B", 3, 502)
    rep = excel_formula(5, "C", "B", 3, 502, rep="ZH")
    assert '&"ZH"&' not in seed and rep == seed.replace("+DAY($B5))&IF(", '+DAY($B5))&"ZH"&IF(')
    custom = excel_formula(5, "C", "B", 3, 502, rep="ZH", fmt="{rep}-{channel}{date}{seq}")
    assert 'IFERROR("ZH"&"-"&INDEX(' in custom


# ------------------------------------------------------- the formula in LibreOffice
def _sabotaged(path: Path, config, rep_name: str) -> Path:
    """A rep's workbook whose cached IDs are all wrong: only a recalculation gives IDs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(template, "ids_for", lambda records, *a: [WRONG] * len(list(records)))
        template.write_workbook(
            path, config=config, rows=10, register=RECORDS, rep=config.find_rep(rep_name)
        )
    return path


@pytest.mark.parametrize(
    ("fmt", "rep", "first_two"),
    [
        (TEAM_FORMAT, "*张", ["EXPO20240521ZH002", "EXPO20240521ZH001"]),
        ("{channel}-{rep}-{date}-{seq}", "*赵", ["EXPO-ZO-20240521-002", "EXPO-ZO-20240521-001"]),
    ],
)
def test_libreoffice_computes_the_python_ids_with_the_rep_code(tmp_path, fmt, rep, first_two):
    config = build_config(TEAM | {"lead_id_format": fmt})
    book = _sabotaged(tmp_path / "rep.xlsx", config, rep)
    assert _ids(book, 3, 7) == [WRONG] * 5  # the premise: the caches are wrong
    recalculated = soffice_convert(book, "xlsx", tmp_path / "lo", recalc=True)
    expected = ids_for(RECORDS, CODES, config.rep_code(rep), fmt)
    assert expected[:2] == first_two and expected[4] is None
    assert _ids(recalculated, 3, 12) == [i or "" for i in expected] + [""] * 5


# ------------------------------------------------------------------- leadbook new --rep
def _columns() -> dict[str, int]:
    return {fd.key: i + 1 for i, fd in enumerate(load_catalog().register)}


def test_new_rep_writes_that_reps_workbook(runner, tmp_path, team_toml):
    out = tmp_path / "LI.xlsx"
    args = ["new", str(out), "--config", str(team_toml), "--rep", "*李", "--rows", "10"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["leadbook_rep"] == "*李" and props["leadbook_rep_code"] == "LI"
    assert props["leadbook_lead_id_format"] == TEAM_FORMAT
    reg = wb[REG]
    assert '&"LI"&' in reg["A3"].value and '&"LI"&' in reg["A12"].value
    notes = [c.value for c in wb["使用说明"]["B"] if c.value]
    assert any("*李" in n and "EXPO20240521LI001" in n for n in notes)
    # The dropdown still offers the whole team, the rep first; its prompt names the rep.
    lists = wb.defined_names["LIST_reps"].attr_text.replace("$", "").split("!")
    ws = wb[lists[0].strip("'")]
    reps = [c.value for row in ws[lists[1]] for c in row]
    assert reps == ["*李", "*张", "*王", "*赵"]
    owner_col = xl_col_to_name(_columns()["last_owner"] - 1)
    (dv,) = [d for d in reg.data_validations.dataValidation if str(d.sqref).startswith(owner_col)]
    assert dv.formula1 == "LIST_reps" and dv.prompt.startswith("本工作簿属于 *李")
    log_prompts = [d.prompt for d in wb["跟进记录"].data_validations.dataValidation]
    assert any(p and p.startswith("本工作簿属于 *李") for p in log_prompts)


def test_new_rep_can_be_named_by_code_or_full_width(runner, tmp_path, team_toml):
    for i, rep in enumerate(["WA", "＊王"]):
        out = tmp_path / f"{i}.xlsx"
        args = ["new", str(out), "--config", str(team_toml), "--rep", rep, "--rows", "5"]
        assert runner.invoke(cli, args).exit_code == 0
        props = {p.name: p.value for p in openpyxl.load_workbook(out).custom_doc_props.props}
        assert props["leadbook_rep"] == "*王" and props["leadbook_rep_code"] == "WA"


def test_new_with_an_unknown_rep_names_the_configured_reps_masked(runner, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text('[[reps]]\nname = "张三"\ncode = "ZS"\n', encoding="utf-8")
    out = tmp_path / "x.xlsx"
    result = runner.invoke(cli, ["new", str(out), "--config", str(config), "--rep", "李四"])
    assert result.exit_code == 2 and not out.exists()
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert "*四" in result.output and "*三 (ZS)" in result.output
    assert "李四" not in result.output and "张三" not in result.output
    result = runner.invoke(cli, ["new", str(out), "--rep", "*钱", "--lang", "en"])
    assert result.exit_code == 2 and "not one of the team config's reps (—)" in result.output


def test_a_rep_without_a_code_keeps_the_seed_ids_and_is_told(runner, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text('reps = ["*张", "*李"]\n', encoding="utf-8")
    out = tmp_path / "z.xlsx"
    result = runner.invoke(cli, ["new", str(out), "--config", str(config), "--rep", "*张"])
    assert result.exit_code == 0 and "没有销售代码" in result.output
    wb = openpyxl.load_workbook(out)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["leadbook_rep"] == "*张" and "leadbook_rep_code" not in props
    assert wb[REG]["A3"].value == excel_formula(3, "C", "B", 3, 502)


def test_new_without_rep_keeps_the_seed_formula(runner, tmp_path, team_toml):
    out = tmp_path / "plain.xlsx"
    assert runner.invoke(cli, ["new", str(out), "--config", str(team_toml)]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb[REG]["A3"].value == excel_formula(3, "C", "B", 3, 502)
    assert "leadbook_rep" not in {p.name for p in wb.custom_doc_props.props}


def test_a_filled_rep_workbook_computes_the_reps_ids(runner, tmp_path, team_toml):
    """Rows typed into a `new --rep` workbook (openpyxl: formulas kept, no values): LibreOffice
    computes the rep's IDs, and leadbook computes the same for the formulas without a value,
    in the .xlsx and in the .xls LibreOffice writes (the rep's code from the properties)."""
    made = tmp_path / "made" / "LI.xlsx"
    made.parent.mkdir()
    args = ["new", str(made), "--config", str(team_toml), "--rep", "*李", "--rows", "10"]
    assert runner.invoke(cli, args).exit_code == 0
    wb = openpyxl.load_workbook(made)
    col = _columns()
    for r, (channel, created) in enumerate(ROWS[:4], start=3):
        wb[REG].cell(r, col["channel"], channel)
        wb[REG].cell(r, col["created_at"], created)
    filled = tmp_path / "filled" / "LI.xlsx"
    filled.parent.mkdir()
    wb.save(filled)
    expected = ["EXPO20240521LI002", "EXPO20240521LI001", "WEB20240521LI001", "EXPO20240522LI001"]
    by_lo = soffice_convert(filled, "xlsx", tmp_path / "lo", recalc=True)
    assert _ids(by_lo, 3, 7) == [*expected, ""]

    # An .xls LibreOffice writes from a rep's workbook keeps the string results as 0.
    config = load_config(team_toml)
    (tmp_path / "book").mkdir()
    book = template.write_workbook(
        tmp_path / "book" / "LI.xlsx", config=config, register=RECORDS[:4], rows=10,
        rep=config.find_rep("*李"),
    )  # fmt: skip
    xls = soffice_convert(book, "xls", tmp_path / "xls", recalc=False)
    catalog = load_catalog()
    for path in (filled, xls):
        raw = read_book(path, catalog)
        assert raw.register.formula_rows >= {3, 4, 5, 6}, path
        assert raw.register.formula_rep == "LI", path
        sheets = [(0, raw.register)]
        _, ids = fill_formula_ids(batch_frame(sheets, catalog.register), sheets, CODES)
        assert [ids[0][r] for r in (3, 4, 5, 6)] == expected, path


# ------------------------------------------------------------- sample --config and merge
def test_sample_config_makes_one_workbook_per_rep_named_by_code(runner, tmp_path, team_toml):
    out = tmp_path / "team"
    args = [
        "sample",
        str(out),
        "--config",
        str(team_toml),
        "--leads",
        "30",
        "--as-of",
        "2024-06-30",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "LI.xlsx",
        "WA.xlsx",
        "ZH.xlsx",
        "ZO.xlsx",
        "manifest.json",
    ]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["reps"] == 4
    assert [(f["file"], f["rep"], f["code"]) for f in manifest["files"]] == [
        ("ZH.xlsx", "*张", "ZH"),
        ("LI.xlsx", "*李", "LI"),
        ("WA.xlsx", "*王", "WA"),
        ("ZO.xlsx", "*赵", "ZO"),
    ]
    sizes = {f["file"]: f["leads"] for f in manifest["files"]}
    assert sum(sizes.values()) == 4 * 30  # reps differ in activity; --leads is the mean
    for rep in TEAM["reps"]:
        path = out / f"{rep['code']}.xlsx"
        wb = openpyxl.load_workbook(path)
        props = {p.name: p.value for p in wb.custom_doc_props.props}
        assert props["leadbook_rep"] == rep["name"] and props["leadbook_rep_code"] == rep["code"]
        leads = sizes[path.name]
        ids = [i for i in _ids(path, 3, 2 + leads) if i]
        assert len(ids) >= leads - 2  # a planted defect may leave a lead without its ID
        pattern = re.compile(rf"^[A-Z]{{2,8}}20\d{{6}}{rep['code']}\d{{3}}$")
        assert all(pattern.match(i) for i in ids), ids


def test_sample_for_some_reps_and_reps_without_codes(runner, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text('[[reps]]\nname = "*张"\ncode = "ZH"\n[[reps]]\nname = "*李"\n', "utf-8")
    out = tmp_path / "s"
    args = ["sample", str(out), "--config", str(config), "--reps", "3", "--leads", "10"]
    assert runner.invoke(cli, [*args, "--as-of", "2024-06-30"]).exit_code == 0
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["ZH.xlsx", "rep02.xlsx", "rep03.xlsx"]
    assert all(re.match(r"^[A-Z]+\d{11}$", i) for i in _ids(out / "rep02.xlsx", 3, 12) if i)
    props = {
        p.name: p.value for p in openpyxl.load_workbook(out / "rep02.xlsx").custom_doc_props.props
    }
    assert props["leadbook_rep"] == "*李" and "leadbook_rep_code" not in props
    three = tmp_path / "three"
    team = tmp_path / "team4.toml"
    team.write_text(TEAM_TOML, encoding="utf-8")
    args = ["sample", str(three), "--config", str(team), "--reps", "3", "--leads", "10"]
    assert runner.invoke(cli, [*args, "--as-of", "2024-06-30"]).exit_code == 0
    assert sorted(p.name for p in three.glob("*.xlsx")) == ["LI.xlsx", "WA.xlsx", "ZH.xlsx"]


def test_merging_a_team_with_rep_codes_renumbers_nothing(tmp_path):
    config = build_config(TEAM)
    team = make_sample(tmp_path / "team", leads=60, as_of=AS_OF, config=config)
    assert [p.name for p in team.paths] == ["ZH.xlsx", "LI.xlsx", "WA.xlsx", "ZO.xlsx"]
    result = merge_paths([tmp_path / "team"], config=config, as_of=AS_OF)
    assert result.files_read == 4 and result.renumbered == []
    master = sorted(i for i in result.register["lead_id"].to_list() if i)
    books = [openpyxl.load_workbook(p, data_only=True)[REG] for p in team.paths]
    in_books = sorted(c.value for ws in books for c in ws["A"][2:] if c.value)
    assert master == in_books and len(master) > 200 and len(set(master)) == len(master)
    # The planted 撞单 are still found: each pair's two IDs in one group.
    groups = [{m.source_lead_id for m in g.members} for g in result.groups]
    assert len(team.duplicates) == 2
    for planted in team.duplicates:
        pair = {lead_id for _, lead_id, _ in planted.entries}
        assert any(pair <= g for g in groups), pair

    # The contrast: the same team without codes collides, as the seed's IDs do.
    plain = make_sample(tmp_path / "plain", reps=4, leads=60, as_of=AS_OF)
    assert [p.name for p in plain.paths][0] == "rep01.xlsx"
    assert len(merge_paths([tmp_path / "plain"], as_of=AS_OF).renumbered) > 5  # 13 here


def test_merge_command_reports_zero_renumbered(runner, tmp_path, team_toml):
    out = tmp_path / "team"
    args = ["sample", str(out), "--config", str(team_toml), "--leads", "40"]
    assert runner.invoke(cli, [*args, "--as-of", "2024-06-30"]).exit_code == 0
    master = tmp_path / "master.xlsx"
    args = [
        "merge",
        str(out),
        "-o",
        str(master),
        "--config",
        str(team_toml),
        "--as-of",
        "2024-06-30",
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    assert "编号重复改号 0 条" in result.output and "撞单 2 组" in result.output


# ------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("fmt", "wrong_date", "wrong_code"),
    [
        (TEAM_FORMAT, "EXPO20240521ZH009", "WEB20240523ZH001"),
        ("{channel}-{rep}-{date}-{seq}", "EXPO-ZH-20240521-009", "WEB-ZH-20240523-001"),
    ],
)
def test_validation_checks_the_code_and_date_of_rep_ids(tmp_path, fmt, wrong_date, wrong_code):
    """A rep's IDs are well formed (no finding); one whose date or channel code disagrees is
    invalid-lead-id, as a seed ID is; under the default config a custom format's ID is no ID."""
    config = build_config(TEAM | {"lead_id_format": fmt})
    records = clean_records(4)
    ids = ids_for(records, CODES, "ZH", fmt)
    rows = [dict(r, lead_id=i) for r, i in zip(records, ids, strict=True)]
    rows[1]["lead_id"] = wrong_date  # created 22 May
    rows[2]["lead_id"] = wrong_code  # a 展会 lead
    rows[3]["lead_id"] = ids_for(records, CODES)[3]  # the seed's ID: still valid
    log = [dict(e, lead_id=rows[i // 2]["lead_id"]) for i, e in enumerate(log_for(records))]
    path = template.write_workbook(
        tmp_path / "ZH.xlsx", config=config, register=rows, log=log, rows=10,
        lead_id_formula=False,
    )  # fmt: skip
    (report,) = validate_paths([path], config=config, as_of=AS_OF).files
    bad = {(i.row, i.code) for i in report.issues if i.field == "lead_id"}
    assert bad == {(4, "invalid-lead-id"), (5, "invalid-lead-id")}
    (default,) = validate_paths([path], as_of=AS_OF).files
    bad = {i.row for i in default.issues if i.code == "invalid-lead-id" and i.sheet == REG}
    assert bad == ({3, 4, 5} if fmt != TEAM_FORMAT else {4, 5})


def test_two_workbooks_of_one_rep_collide_only_within_the_reps_ids(tmp_path):
    """The same rep's IDs in two files for different customers: renumbered to the rep's own
    next free sequence (EXPO20240521ZH002), never into the seed's or another rep's IDs."""
    config = build_config(TEAM)
    records = clean_records(1)
    other = [dict(records[0], company="杭州云栖数据科技有限公司", office_phone="0571-88886666")]
    for name, recs in (("a", records), ("b", other)):
        (tmp_path / name).mkdir()
        template.write_workbook(
            tmp_path / name / "ZH.xlsx", config=config, register=recs, rows=5,
            rep=config.find_rep("*张"),
        )  # fmt: skip
    result = merge_paths([tmp_path / "a", tmp_path / "b"], config=config, as_of=AS_OF)
    assert [(r.old_id, r.new_id) for r in result.renumbered] == [
        ("EXPO20240521ZH001", "EXPO20240521ZH002")
    ]
    assert sorted(result.register["lead_id"].to_list()) == [
        "EXPO20240521ZH001",
        "EXPO20240521ZH002",
    ]


def test_a_rep_code_cannot_break_out_of_the_formula():
    with pytest.raises(ValueError):
        excel_formula(3, "C", "B", 3, 502, rep='Z")&HYPERLINK("x')
