"""The workbook read back with openpyxl: sheets, columns, dropdowns, formats, protection."""

import tomllib
import zipfile
from datetime import datetime

import openpyxl
import pytest
from conftest import clean_record
from openpyxl.utils import get_column_letter

from leadbook.core.catalog import load_catalog, parse_catalog
from leadbook.core.config import load_config
from leadbook.core.errors import OutputError
from leadbook.core.paths import schema_file
from leadbook.workbook.template import write_workbook

ZH_SHEETS = ["使用说明", "线索台账", "跟进记录", "字段说明", "字典"]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "leads.xlsx"
    write_workbook(path, rows=50, register=[clean_record()])
    return openpyxl.load_workbook(path)


def validations(ws) -> dict[str, object]:
    """First column letter of each validation's range -> the validation."""
    return {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
        for dv in ws.data_validations.dataValidation
    }


def test_sheets_in_order_and_lists_hidden(book):
    assert book.sheetnames == ZH_SHEETS
    assert book["字典"].sheet_state == "hidden"
    assert book["字典"].protection.sheet
    assert book.active.title == "线索台账"


def test_register_headers_bands_and_table(book):
    ws = book["线索台账"]
    catalog = load_catalog()
    headers = [c.value for c in ws[2]]
    assert headers == [f.zh for f in catalog.register]
    assert ws["A1"].value == "线索基础信息"
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    table = ws.tables["Leads"]
    assert table.ref.startswith("A2:") and table.ref == "A2:AC52"
    assert table.autoFilter is not None
    assert ws.freeze_panes == "B3"
    assert ws.column_dimensions["F"].width == pytest.approx(catalog.field("company").width, abs=1)
    assert ws["B3"].number_format == "yyyy-mm-dd hh:mm"


def test_every_list_field_has_a_named_dropdown(book):
    ws = book["线索台账"]
    dvs = validations(ws)
    catalog = load_catalog()
    expected = {
        "channel": "LIST_channels",
        "status": "LIST_statuses",
        "potential": "LIST_potential_levels",
        "industry": "LIST_industry_sections",
        "province": "LIST_provinces",
        "loss_reason": "LIST_loss_reasons",
    }
    for key, name in expected.items():
        letter = get_column_letter([f.key for f in catalog.register].index(key) + 1)
        dv = dvs[letter]
        assert dv.type == "list" and dv.formula1 == name, key
        assert dv.errorStyle in (None, "stop") and dv.showErrorMessage
        assert dv.allow_blank
        assert name in book.defined_names
    # The size's standard bands as a dropdown that accepts any band typed (50-100人).
    size = dvs[get_column_letter([f.key for f in catalog.register].index("size") + 1)]
    assert size.type == "list" and size.formula1 == "LIST_company_sizes"
    assert not size.showErrorMessage and size.allow_blank
    assert dvs["H"].formula1 == 'INDIRECT("IND_"&MATCH($G3,LIST_industry_sections,0))'
    assert dvs["K"].formula1 == 'INDIRECT("REG_"&MATCH($J3,LIST_provinces,0))'
    assert dvs["B"].type == "date"
    for dv in dvs.values():
        assert dv.promptTitle and dv.prompt  # input help on every column


def test_the_log_offers_register_lead_ids(book):
    dvs = validations(book["跟进记录"])
    assert dvs["A"].formula1 == "LEAD_IDS"
    assert book.defined_names["LEAD_IDS"].attr_text == "'线索台账'!$A$3:$A$52"
    assert dvs["D"].formula1 == "LIST_contact_methods"


def test_cascade_names_hold_each_parents_children(book):
    config = load_config()
    sections = list(config.cascade("industry_divisions"))
    lists = book["字典"]
    name = book.defined_names[f"IND_{sections.index('制造业') + 1}"]
    ref = name.attr_text.split("!")[1].replace("$", "")
    values = [c.value for row in lists[ref] for c in row]
    assert values == list(config.cascade("industry_divisions")["制造业"])
    assert len(values) == 31


def test_conditional_formats_for_sla_dormancy_and_status(book):
    ws = book["线索台账"]
    formulas = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules]
    assert any('$E3="高潜力"' in f and "24/24" in f for f in formulas)
    assert any('$E3="中潜力"' in f and "48/24" in f for f in formulas)
    assert any(">90" in f and "NOW()" in f for f in formulas)
    assert any(f == 'OR($D3="已成交")' for f in formulas)


def test_protection_allows_sort_and_filter_and_opens_data_cells(book):
    ws = book["线索台账"]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.protection.sort is False and ws.protection.autoFilter is False  # False = allowed
    assert ws["A3"].protection.locked
    assert ws["A2"].protection.locked
    assert not ws["F3"].protection.locked


def test_the_lead_id_formula_and_user_text(book):
    ws = book["线索台账"]
    assert ws["A3"].value.startswith('=IF(OR($C3=""')
    assert ws["F3"].value == "深圳市华创智能科技有限公司"
    assert ws["B3"].value == datetime(2024, 5, 21, 9, 30)


def test_field_guide_lists_every_field(book):
    ws = book["字段说明"]
    labels = {row[1] for row in ws.iter_rows(values_only=True)}
    for fd in (*load_catalog().register, *load_catalog().log):
        assert fd.zh in labels


def test_instructions_tell_the_five_steps_and_colours(book):
    text = "\n".join(str(c.value) for row in book["使用说明"].iter_rows() for c in row if c.value)
    for word in ("第一步", "第五步", "24 小时", "48 小时", "90 天", "红色", "橙色", "绿色", "灰色"):
        assert word in text


def test_properties_carry_template_version_and_hashes(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", rows=5)
    with zipfile.ZipFile(path) as z:
        custom = z.read("docProps/custom.xml").decode()
    assert load_catalog().digest in custom and load_config().digest in custom
    assert "leadbook_template_version" in custom
    assert openpyxl.load_workbook(path).properties.title


def test_formula_text_from_a_user_stays_text(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", rows=5, register=[clean_record(need="=1+1")])
    ws = openpyxl.load_workbook(path)["线索台账"]
    need_col = get_column_letter([f.key for f in load_catalog().register].index("need") + 1)
    assert ws[f"{need_col}3"].value == "=1+1" and ws[f"{need_col}3"].data_type == "s"


def test_english_workbook(tmp_path):
    path = write_workbook(tmp_path / "en.xlsx", lang="en", rows=5)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Instructions", "Leads", "Follow-ups", "Field guide", "Lists"]
    assert wb["Leads"]["C2"].value == "Channel"
    assert "Pick where the lead came from" in validations(wb["Leads"])["C"].prompt


def test_team_config_changes_lists_reps_and_rules(tmp_path):
    from pathlib import Path

    config = load_config(Path(__file__).parent.parent / "examples" / "team.toml")
    path = write_workbook(tmp_path / "t.xlsx", config=config, rows=5)
    wb = openpyxl.load_workbook(path)
    dvs = validations(wb["线索台账"])
    assert dvs["T"].formula1 == "LIST_reps"  # 最近跟进人 offers the team's reps
    ref = wb.defined_names["LIST_channel_codes"].attr_text.split("!")[1].replace("$", "")
    assert "ADS" in [c.value for row in wb["字典"][ref] for c in row]
    assert "华东区域销售部" in str(wb["使用说明"]["B2"].value)


def test_a_field_added_to_the_catalog_appears_everywhere(tmp_path):
    with open(schema_file("fields.toml"), "rb") as fh:
        data = tomllib.load(fh)
    data["register"].append(
        {
            "key": "meeting_method",
            "zh": "首选沟通方式",
            "en": "Preferred method",
            "group": "contact",
            "type": "list",
            "list": "contact_methods",
            "help_zh": "客户希望的沟通方式。",
            "help_en": "How the customer prefers to be contacted.",
            "example": "电话",
        }
    )
    catalog = parse_catalog(data)
    path = write_workbook(tmp_path / "plus.xlsx", catalog=catalog, rows=5)
    wb = openpyxl.load_workbook(path)
    headers = [c.value for c in wb["线索台账"][2]]
    assert "首选沟通方式" in headers
    letter = get_column_letter(headers.index("首选沟通方式") + 1)
    dv = validations(wb["线索台账"])[letter]
    assert dv.formula1 == "LIST_contact_methods" and dv.prompt == "客户希望的沟通方式。"
    guide = {row[1] for row in wb["字段说明"].iter_rows(values_only=True)}
    assert "首选沟通方式" in guide
    assert headers.index("首选沟通方式") < headers.index("need".replace("need", "核心需求描述"))


def test_never_overwrites_without_force(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"precious")
    with pytest.raises(OutputError, match="already exists"):
        write_workbook(path)
    assert path.read_bytes() == b"precious"
    write_workbook(path, force=True, rows=3)
    assert zipfile.is_zipfile(path)
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]  # no temp file left behind
