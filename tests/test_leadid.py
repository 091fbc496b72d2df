from datetime import datetime

from leadbook.core.config import load_config
from leadbook.core.leadid import assign_lead_ids, excel_formula, parse_lead_id

CODES = {c.name: c.code for c in load_config().channels}


def test_seed_example():
    assert assign_lead_ids([("展会", datetime(2024, 5, 21, 10, 0))], CODES) == ["EXPO20240521001"]


def test_sequence_per_channel_and_day_counts_earlier_leads_first():
    rows = [
        ("展会", datetime(2024, 5, 21, 15, 0)),
        ("展会", datetime(2024, 5, 21, 9, 0)),
        ("官网表单", datetime(2024, 5, 21, 9, 0)),
        ("展会", datetime(2024, 5, 22, 9, 0)),
        ("展会", datetime(2024, 5, 21, 9, 0)),  # same minute as row 2: the later row counts up
        (None, datetime(2024, 5, 21, 9, 0)),
        ("展会", None),
        ("不存在", datetime(2024, 5, 21, 9, 0)),
    ]
    assert assign_lead_ids(rows, CODES) == [
        "EXPO20240521003",
        "EXPO20240521001",
        "WEB20240521001",
        "EXPO20240522001",
        "EXPO20240521002",
        None,
        None,
        None,
    ]


def test_ids_do_not_change_when_rows_are_sorted():
    rows = [("展会", datetime(2024, 5, 21, h, 0)) for h in (15, 9, 11)]
    ids = dict(zip(rows, assign_lead_ids(rows, CODES), strict=True))
    reordered = sorted(rows, key=lambda r: r[1])
    assert dict(zip(reordered, assign_lead_ids(reordered, CODES), strict=True)) == ids


def test_parse():
    assert parse_lead_id("EXPO20240521001") == ("EXPO", "20240521", 1)
    assert parse_lead_id("EXPO2024052101") is None


def test_formula_is_locale_free_and_blank_for_empty_rows():
    f = excel_formula(5, "C", "B", 3, 502)
    assert f.startswith('=IF(OR($C5="",NOT(ISNUMBER($B5))),""')
    assert "TEXT(" not in f  # TEXT format codes differ between locales
    assert "$C$3:$C$502" in f and "$C$3:$C5" in f


def test_a_rep_code_goes_between_the_date_and_the_sequence():
    rows = [("展会", datetime(2024, 5, 21, 10, 0)), ("展会", datetime(2024, 5, 21, 9, 0))]
    assert assign_lead_ids(rows, CODES, "ZH") == ["EXPO20240521ZH002", "EXPO20240521ZH001"]
