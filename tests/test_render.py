"""A report as text (grouped, worst file first, summary) and as JSON (a fixed shape)."""

import json
from datetime import datetime

import pytest
from conftest import AS_OF

from leadbook.check.codes import make_issue
from leadbook.check.issues import FileReport, Report
from leadbook.check.render import display_width, render_json, render_text, worst_first

REG = "线索台账"


def issue(code, file, row=None, column=None, field=None, value=None, lang="zh", **params):
    return make_issue(
        code,
        file=file,
        sheet=REG,
        row=row,
        column=column,
        field=field,
        value=value,
        lang=lang,
        **params,
    )


def sample(lang: str = "zh") -> Report:
    clean = FileReport("clean.xlsx", rows=100)
    warned = FileReport(
        "warned.xlsx",
        rows=150,
        issues=[issue("vague-need", "warned.xlsx", 7, "P", "need", "想了解", lang)],
    )
    bad = FileReport(
        "bad.xlsx",
        rows=200,
        issues=[
            issue("vague-need", "bad.xlsx", 12, "P", "need", "看看", lang),
            issue("invalid-phone", "bad.xlsx", 3, "N", "office_phone", "755-1", lang),
            issue("personal-mobile", "bad.xlsx", 10, "P", "need", "138****5678", lang),
            issue("missing-column", "bad.xlsx", lang=lang, label="潜力等级"),
        ],
    )
    broken = FileReport("broken.xlsx", error="not an Excel workbook (13812345678)")
    return Report(as_of=AS_OF, files=[clean, warned, bad, broken], lang=lang)


def test_files_worst_first():
    names = [f.path for f in worst_first(sample().files)]
    assert names == ["broken.xlsx", "bad.xlsx", "warned.xlsx", "clean.xlsx"]


def test_text_groups_by_file_orders_findings_and_sums_up():
    text = render_text(sample())
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if not line.startswith(" ") and line]
    assert [lines[i].split()[0] for i in starts[:4]] == [
        "broken.xlsx",
        "bad.xlsx",
        "warned.xlsx",
        "clean.xlsx",
    ]
    assert lines[starts[0] + 1].strip() == "无法读取:not an Excel workbook (138****5678)"
    assert "bad.xlsx  (200 行:错误 3 个,警告 1 个)" in lines
    assert "clean.xlsx  (100 行:没有问题)" in lines
    bad = lines[starts[1] + 1 : starts[2]]
    assert [line.split()[0] for line in bad] == [REG, f"{REG}!N3", f"{REG}!P10", f"{REG}!P12"]
    assert [line.split()[2] for line in bad] == [
        "missing-column",
        "invalid-phone",
        "personal-mobile",
        "vague-need",
    ]
    phone = bad[1]
    assert "办公电话“755-1”不是有效的办公电话号码。" in phone
    assert "  → 写成“区号-号码”" in phone
    assert lines[-1] == "共 4 个文件、450 行:错误 3 个,警告 2 个,无法读取 1 个"
    assert "13812345678" not in text


def test_text_columns_are_aligned_by_display_width():
    lines = [line for line in render_text(sample()).splitlines() if line.startswith("  ")]
    findings = [line for line in lines if line.split()[1] in ("错误", "警告")]
    assert len(findings) == 5
    severity_at = {display_width(line[: line.index(line.split()[1])]) for line in findings}
    code_at = {display_width(line[: line.index(line.split()[2])]) for line in findings}
    assert len(severity_at) == 1 and len(code_at) == 1


def test_text_in_english():
    text = render_text(sample("en"))
    assert "cannot be read: not an Excel workbook" in text
    assert "bad.xlsx  (200 rows: 3 errors, 1 warning)" in text
    assert "warning  vague-need" in text
    assert text.splitlines()[-1] == "4 files, 450 rows: 3 errors, 2 warnings, 1 unreadable"


def test_text_of_an_empty_report():
    assert render_text(Report(as_of=AS_OF)) == "共 0 个文件、0 行:错误 0 个,警告 0 个,无法读取 0 个"


def test_colour_uses_ansi_red_and_yellow(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = render_text(sample())
    coloured = render_text(sample(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31m" in coloured and "\x1b[33m" in coloured
    stripped = __import__("re").sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert stripped == plain


ISSUE_KEYS = {
    "code": str,
    "severity": str,
    "sheet": (str, type(None)),
    "row": (int, type(None)),
    "column": (str, type(None)),
    "field": (str, type(None)),
    "value": (str, type(None)),
    "message": str,
    "hint": str,
}


def test_json_has_exactly_the_documented_shape():
    text = render_json(sample())
    data = json.loads(text)
    assert list(data) == ["version", "as_of", "files", "summary"]
    assert data["version"] == 1
    assert datetime.fromisoformat(data["as_of"]) == AS_OF
    assert data["summary"] == {
        "files": 4,
        "rows": 450,
        "errors": 3,
        "warnings": 2,
        "unreadable": 1,
        "skipped": 0,
    }
    assert [f["path"] for f in data["files"]] == [
        "clean.xlsx",
        "warned.xlsx",
        "bad.xlsx",
        "broken.xlsx",
    ]
    for f in data["files"]:
        assert list(f) == ["path", "ok", "rows", "issues", "error", "skipped", "notes"]
        assert isinstance(f["ok"], bool) and isinstance(f["rows"], int)
        assert f["error"] is None or isinstance(f["error"], str)
        assert f["skipped"] is None and f["notes"] == []
        for i in f["issues"]:
            assert list(i) == list(ISSUE_KEYS)
            for key, kind in ISSUE_KEYS.items():
                assert isinstance(i[key], kind), key
    ok = {f["path"]: f["ok"] for f in data["files"]}
    assert ok == {"clean.xlsx": True, "warned.xlsx": True, "bad.xlsx": False, "broken.xlsx": False}
    bad = data["files"][2]["issues"]
    assert bad[1] == {
        "code": "invalid-phone",
        "severity": "error",
        "sheet": REG,
        "row": 3,
        "column": "N",
        "field": "office_phone",
        "value": "755-1",
        "message": "办公电话“755-1”不是有效的办公电话号码。",
        "hint": "写成“区号-号码”,如 0755-12345678;有分机的写在后面,如 0755-12345678-801。",
    }
    assert "办公电话" in text  # ensure_ascii=False
    assert "13812345678" not in text
    assert data["files"][3]["error"] == "not an Excel workbook (138****5678)"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_json_is_stable(lang):
    assert render_json(sample(lang)) == render_json(sample(lang))
