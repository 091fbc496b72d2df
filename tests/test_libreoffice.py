"""The workbook in a real spreadsheet: LibreOffice Calc, headless.

Nothing here is skipped: CI installs LibreOffice (libreoffice-calc-nogui, python3-uno,
fonts-noto-cjk, poppler-utils); without it these tests fail loudly. One workbook per language
is written and converted once per module (each soffice start takes a second or two).

The lead-ID test cannot pass on cached values: the workbook is written with every cached
lead ID deliberately wrong ("WRONG"), so only LibreOffice's own evaluation of the column-A
formula can produce the IDs the Python rule gives.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from realclients import ARTIFACTS, UNO_CHECK, png_size, render_png, run_uno, soffice_convert
from xlsxwriter.utility import xl_col_to_name

import leadbook.workbook.template as template
from leadbook.core.catalog import load_catalog
from leadbook.core.config import load_config
from leadbook.core.leadid import ids_for
from leadbook.core.texts import sheet_name
from leadbook.workbook.listsheet import CASCADES, ListSheet, list_name

ROWS = 40  # register rows of the test workbooks (data rows 3..42)
WRONG = "WRONG"
ROLES = ("instructions", "register", "log", "guide", "lists")


def _rec(channel, created, **more):
    return {"channel": channel, "created_at": created, **more}


# Two channels, two days, rows out of order, two leads of one channel in the very same minute,
# then rows that get no ID (no channel and time; no time; a channel without a code).
RECORDS = [
    _rec(
        "展会",
        datetime(2024, 5, 21, 10, 0),
        status="跟进中",
        potential="高潜力",
        company="深圳市华创智能科技有限公司",
        industry="制造业",
        industry_division="汽车制造业",
        size="200-499人",
        province="广东省",
        city="深圳市",
        contact="*经理",
        position="采购部主管",
    ),
    _rec(
        "展会",
        datetime(2024, 5, 21, 9, 0),
        status="待跟进",
        potential="中潜力",
        company="上海澄明软件有限公司",
        industry="信息传输、软件和信息技术服务业",
        industry_division="软件和信息技术服务业",
        size="50-99人",
        province="上海市",
        city="浦东新区",
        contact="*总",
        position="技术总监",
    ),
    _rec(
        "官网表单",
        datetime(2024, 5, 21, 9, 0),
        status="待报价",
        potential="高潜力",
        company="广州穗联物流有限公司",
        industry="交通运输、仓储和邮政业",
        industry_division="道路运输业",
        size="100-199人",
        province="广东省",
        city="广州市",
        contact="*主管",
        office_phone="020-87654321",
    ),
    _rec(
        "展会",
        datetime(2024, 5, 21, 10, 0),
        status="跟进中",
        potential="低潜力",
        company="佛山市顺德区精工机械厂",
        industry="制造业",
        industry_division="通用设备制造业",
        province="广东省",
        city="佛山市",
        contact="*厂长",
    ),
    _rec(
        "展会",
        datetime(2024, 5, 20, 16, 30),
        status="已成交",
        potential="高潜力",
        company="杭州云栖数据科技有限公司",
        province="浙江省",
        city="杭州市",
        contact="*经理",
    ),
    _rec(
        "官网表单",
        datetime(2024, 5, 20, 8, 15),
        status="已流失",
        potential="中潜力",
        company="北京京华教育咨询有限公司",
        province="北京市",
        city="海淀区",
        contact="*老师",
        loss_reason="预算不足",
    ),
    _rec(
        "官网表单",
        datetime(2024, 5, 21, 14, 37),
        status="跟进中",
        potential="中潜力",
        company="成都蓉兴食品有限公司",
        industry="制造业",
        industry_division="食品制造业",
        province="四川省",
        city="成都市",
        contact="*经理",
    ),
    _rec(
        "展会",
        datetime(2024, 5, 21, 9, 45),
        status="无效",
        potential="低潜力",
        company="苏州某某贸易商行",
        province="江苏省",
        city="苏州市",
        contact="*先生",
    ),
    {"company": "只有公司名称的线索"},
    {"channel": "电话推荐", "company": "没有创建时间的线索"},
    _rec("未知渠道", datetime(2024, 5, 21, 11, 0), company="渠道不在列表中的线索"),
]
N_IDS = 8  # the first eight records get an ID
BAD_CHANNEL_ROW = 3 + len(RECORDS) - 1  # Excel row of the channel without a code

# The columns a user must pick from a list, at the least (register, follow-up log).
REGISTER_LISTS = {
    "channel",
    "status",
    "potential",
    "industry",
    "industry_division",
    "size",
    "province",
    "city",
    "loss_reason",
}
LOG_LISTS = {"lead_id", "method", "status_to"}

T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
S = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def codes(config):
    return {c.name: c.code for c in config.channels}


def _cols(fields) -> dict[str, str]:
    return {fd.key: xl_col_to_name(i) for i, fd in enumerate(fields)}


@pytest.fixture(scope="module")
def reg_cols(catalog):
    return _cols(catalog.register)


@pytest.fixture(scope="module")
def log_cols(catalog):
    return _cols(catalog.log)


def _write(path: Path, lang: str) -> Path:
    """A workbook whose cached lead IDs are all wrong (the formula must do the work)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(template, "ids_for", lambda records, *_: [WRONG] * len(list(records)))
        template.write_workbook(path, lang=lang, rows=ROWS, register=RECORDS)
    return path


@pytest.fixture(scope="module")
def zh_book(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("zh") / "leads.xlsx", "zh")


@pytest.fixture(scope="module", params=["zh", "en"])
def ods(request, tmp_path_factory, zh_book):
    lang = request.param
    book = zh_book if lang == "zh" else _write(tmp_path_factory.mktemp("en") / "leads.xlsx", "en")
    out = soffice_convert(book, "ods", tmp_path_factory.mktemp(f"ods-{lang}"))
    with zipfile.ZipFile(out) as z:
        root = ET.fromstring(z.read("content.xml"))
    return lang, root


@pytest.fixture(scope="module")
def roundtrip(zh_book, tmp_path_factory) -> Path:
    return soffice_convert(zh_book, "xlsx", tmp_path_factory.mktemp("roundtrip"), recalc=True)


# ----------------------------------------------------------------------- ods helpers
def _tables(root) -> dict[str, ET.Element]:
    return {t.get(T + "name"): t for t in root.iter(T + "table")}


def _row_validations(table: ET.Element, row: int, conditions: dict[str, str]) -> dict[int, str]:
    """Column index -> validation condition ("" = a validation without condition) of one row."""
    at = 0
    for tr in table.iter(T + "table-row"):
        repeat = int(tr.get(T + "number-rows-repeated", "1"))
        if at <= row < at + repeat:
            out, col = {}, 0
            for cell in tr:
                if cell.tag not in (T + "table-cell", T + "covered-table-cell"):
                    continue
                span = int(cell.get(T + "number-columns-repeated", "1"))
                name = cell.get(T + "content-validation-name")
                for c in range(col, col + span):
                    if name:
                        out[c] = conditions[name]
                col += span
            return out
        at += repeat
    raise AssertionError(f"row {row + 1} not found in table {table.get(T + 'name')}")


def _expected(fields, row: int, cols: dict[str, str], lists: ListSheet) -> dict[str, str]:
    """Field key -> the ODF condition LibreOffice should hold for it (list and custom rules)."""
    out = {}
    for fd in fields:
        if fd.type == "list" and fd.list in CASCADES and fd.parent in cols:
            parent_list, prefix = CASCADES[fd.list]
            out[fd.key] = (
                f'of:cell-content-is-in-list(INDIRECT("{prefix}"&MATCH([.${cols[fd.parent]}{row}];'
                f"{list_name(parent_list)};0)))"
            )
        elif fd.type == "list" and fd.list == "lead_ids":
            out[fd.key] = "of:cell-content-is-in-list(LEAD_IDS)"
        elif fd.type in ("list", "size") and lists.has(list_name(fd.list)):  # size: any band too
            out[fd.key] = f"of:cell-content-is-in-list({list_name(fd.list)})"
        elif fd.type == "masked_name":
            out[fd.key] = f'of:is-true-formula(LEFT([.{cols[fd.key]}{row}];1)="*")'
        elif fd.type in ("date", "datetime"):
            out[fd.key] = "of:cell-content-is-date() and cell-content-is-between(32874,73050)"
    return out


# --------------------------------------------------------------------- a. validations
def test_ods_keeps_every_validation(ods, catalog, config):
    lang, root = ods
    conditions = {
        v.get(T + "name"): v.get(T + "condition", "") for v in root.iter(T + "content-validation")
    }
    tables = _tables(root)
    lists = ListSheet.build(catalog, config)
    for role, fields, row, must in (
        ("register", catalog.register, 3, REGISTER_LISTS),
        ("log", catalog.log, 2, LOG_LISTS),
    ):
        cols = _cols(fields)
        got = _row_validations(tables[sheet_name(role, lang)], row - 1, conditions)
        by_key = {fd.key: got.get(i) for i, fd in enumerate(fields)}
        expected = _expected(fields, row, cols, lists)
        assert must <= {k for k, v in expected.items() if "in-list" in v}
        for key, condition in expected.items():
            assert by_key[key] == condition, (role, key)
        # The last data row carries the same rules (one validation covers the whole column;
        # relative references are written relative to its first cell).
        last = (3 + ROWS - 1) if role == "register" else (2 + ROWS * 3 - 1)
        got_last = _row_validations(tables[sheet_name(role, lang)], last - 1, conditions)
        for i, fd in enumerate(fields):
            if fd.key in expected:
                assert got_last.get(i) == expected[fd.key], (role, fd.key, last)
    reg = _cols(catalog.register)
    first_row = _row_validations(tables[sheet_name("register", lang)], 2, conditions)
    phone = first_row[catalog.register.index(catalog.field("office_phone"))]
    assert phone.startswith(f'of:is-true-formula(AND(LEFT([.{reg["office_phone"]}3];1)="0"')


def test_ods_keeps_names_and_hidden_lists_sheet(ods, catalog, config):
    lang, root = ods
    assert list(_tables(root)) == [sheet_name(role, lang) for role in ROLES]
    lists_sheet = sheet_name("lists", lang)
    ranges = {
        r.get(T + "name"): r.get(T + "cell-range-address") for r in root.iter(T + "named-range")
    }
    columns = ListSheet.build(catalog, config).columns
    assert any(n.startswith("IND_") for n in columns) and any(n.startswith("REG_") for n in columns)
    address = re.compile(r"^\$'?(.+?)'?\.\$([A-Z]+)\$(\d+):\.\$([A-Z]+)\$(\d+)$")
    for name, values in columns.items():
        assert name in ranges, name
        m = address.match(ranges[name])
        assert m, ranges[name]
        assert m.group(1) == lists_sheet and m.group(2) == m.group(4)
        assert int(m.group(5)) - int(m.group(3)) + 1 == len(values), name
    register = sheet_name("register", lang)
    assert ranges["LEAD_IDS"].strip("$").startswith(f"{register}.$A$3:.$A${3 + ROWS - 1}")
    # The lists sheet stays hidden.
    style = _tables(root)[lists_sheet].get(T + "style-name")
    props = [
        st.find(S + "table-properties")
        for st in root.iter(S + "style")
        if st.get(S + "name") == style
    ]
    assert props and props[0].get(T + "display") == "false"


# ------------------------------------------------------------------------ b. lead IDs
def _column_a(path: Path, sheet: str, first: int, last: int) -> list[str]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [ws.cell(r, 1).value or "" for r in range(first, last + 1)]


def test_cached_ids_are_sabotaged(zh_book, tmp_path):
    """The premise: written caches are wrong, and LibreOffice keeps them unless told not to."""
    reg = sheet_name("register", "zh")
    assert _column_a(zh_book, reg, 3, 3 + len(RECORDS) - 1) == [WRONG] * len(RECORDS)
    kept = soffice_convert(zh_book, "xlsx", tmp_path, recalc=False)
    assert _column_a(kept, reg, 3, 3 + len(RECORDS) - 1) == [WRONG] * len(RECORDS)


def test_libreoffice_computes_the_python_lead_ids(roundtrip, codes):
    expected = [i or "" for i in ids_for(RECORDS, codes)]
    assert all(expected[:N_IDS]) and len(set(expected[:N_IDS])) == N_IDS
    assert expected[N_IDS:] == [""] * (len(RECORDS) - N_IDS)
    got = _column_a(roundtrip, sheet_name("register", "zh"), 3, 3 + ROWS - 1)
    assert got == expected + [""] * (ROWS - len(RECORDS))
    # Spot checks of the rule itself: same channel and day counts by time, ties by row order.
    assert expected[:4] == [
        "EXPO20240521003",
        "EXPO20240521001",
        "WEB20240521001",
        "EXPO20240521004",
    ]


# ---------------------------------------------------------------- c. Calc's validation
@pytest.fixture(scope="module")
def uno(zh_book, reg_cols, log_cols, codes):
    reg, log = sheet_name("register", "zh"), sheet_name("log", "zh")
    c = reg_cols
    r = 3 + ROWS - 5  # an empty register row
    real_id = ids_for(RECORDS, codes)[0]

    def cell(col, value, **setup):
        return {
            "sheet": reg,
            "cell": f"{c[col]}{r}",
            "value": value,
            "setup": {f"{c[k]}{r}": v for k, v in setup.items()},
        }

    spec = {
        "recalc": True,
        "invalid": [reg],
        "cells": [
            # First, before any typing dirties the ID formulas: only a recalculation puts the
            # real IDs (not the cached WRONG) into the log's lead-ID dropdown.
            {"sheet": log, "cell": f"{log_cols['lead_id']}5", "value": real_id},
            {"sheet": log, "cell": f"{log_cols['lead_id']}5", "value": WRONG},
            cell("channel", "不存在的渠道"),
            cell("channel", "展会"),
            cell("industry_division", "汽车制造业", industry="制造业"),
            cell("industry_division", "软件和信息技术服务业", industry="制造业"),
            cell("industry_division", "汽车制造业"),  # no industry chosen yet
            cell("city", "深圳市", province="广东省"),
            cell("city", "浦东新区", province="广东省"),
            cell("contact", "张三"),
            cell("contact", "*经理"),
            cell("created_at", "2024-05-21 10:00"),
            cell("created_at", "下周一"),
            {"sheet": log, "cell": f"{log_cols['method']}5", "value": "飞鸽传书"},
            {"sheet": log, "cell": f"{log_cols['method']}5", "value": "电话"},
        ],
        "offers": [
            {
                "sheet": reg,
                "cell": f"{c['industry_division']}{r}",
                "setup": {f"{c['industry']}{r}": "制造业"},
            },
            {
                "sheet": reg,
                "cell": f"{c['city']}{r + 1}",
                "setup": {f"{c['province']}{r + 1}": "广东省"},
            },
            {"sheet": reg, "cell": f"{c['channel']}{r}"},
        ],
        "formulas": [
            '=ROWS(INDIRECT("IND_"&MATCH("制造业";LIST_industry_sections;0)))',
            '=INDEX(INDIRECT("REG_"&MATCH("广东省";LIST_provinces;0));3)',
        ],
    }
    return run_uno(UNO_CHECK, zh_book, json.dumps(spec, ensure_ascii=False))


def test_calc_accepts_and_rejects_typed_values(uno, reg_cols):
    valid = {(it["value"], bool(it.get("setup"))): it["valid"] for it in uno["cells"]}
    assert valid[("不存在的渠道", False)] is False
    assert valid[("展会", False)] is True
    assert valid[("汽车制造业", True)] is True
    assert valid[("软件和信息技术服务业", True)] is False
    assert valid[("汽车制造业", False)] is False  # the division needs its industry first
    assert valid[("深圳市", True)] is True
    assert valid[("浦东新区", True)] is False
    assert valid[("张三", False)] is False
    assert valid[("*经理", False)] is True
    assert valid[("2024-05-21 10:00", False)] is True
    assert valid[("下周一", False)] is False
    assert valid[("飞鸽传书", False)] is False
    assert valid[("电话", False)] is True
    # The log's lead-ID dropdown offers the IDs the register computes (not the cached ones).
    assert valid[(WRONG, False)] is False
    assert [it["valid"] for it in uno["cells"] if it["value"].startswith("EXPO")] == [True]
    # Every rejection is a stop: Calc refuses the input, it does not merely warn.
    for item in uno["cells"]:
        assert item["validation"]["error_style"] == "STOP", item
        assert item["validation"]["show_error"], item
        # Calc circles the typed cell, besides the one bad channel among the filled rows.
        circled = set(item["circled"]) - {f"{reg_cols['channel']}{BAD_CHANNEL_ROW}"}
        assert circled == (set() if item["valid"] else {item["cell"]}), item


def test_calc_finds_only_the_bad_channel_in_the_filled_rows(uno, reg_cols):
    assert uno["invalid"][sheet_name("register", "zh")] == [
        f"{reg_cols['channel']}{BAD_CHANNEL_ROW}"
    ]


def test_cascades_narrow_the_dropdowns(uno, config):
    division, city, channel = uno["offers"]
    assert division["error"] == 0 and city["error"] == 0
    assert division["entries"] == list(config.cascade("industry_divisions")["制造业"])
    assert len(division["entries"]) == 31
    assert city["entries"] == list(config.cascade("cities")["广东省"])
    assert len(city["entries"]) == 21 and "深圳市" in city["entries"]
    assert channel["entries"] == [c.name for c in config.channels]
    rows, third_city = uno["formulas"]
    assert (rows["error"], rows["value"]) == (0, 31)
    assert third_city["string"] == config.cascade("cities")["广东省"][2]


# ----------------------------------------------------------------------- e. screenshot
def test_register_renders_to_png(zh_book, catalog):
    contact_end = max(i for i, fd in enumerate(catalog.register) if fd.group == "contact")
    out = render_png(
        zh_book,
        sheet_name("register", "zh"),
        ARTIFACTS / "register.png",
        columns=f"A:{xl_col_to_name(contact_end)}",
    )
    width, height = png_size(out)
    assert out.stat().st_size > 5_000
    assert width > 600 and 100 < height < width
