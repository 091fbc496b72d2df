"""The code catalogue: complete, bilingual, placeholders filled, bad entries refused."""

import pytest

from leadbook.check.codes import (
    CODES,
    KEYS,
    PARAMS,
    describe,
    make_issue,
    parse_codes,
    placeholders,
    severity,
)
from leadbook.check.issues import Issue
from leadbook.core.catalog import read_toml
from leadbook.core.errors import ConfigError
from leadbook.core.paths import schema_file

EXPECTED = {
    "missing-column": "error",
    "unknown-column": "warning",
    "required-missing": "error",
    "not-in-list": "error",
    "invalid-lead-id": "error",
    "duplicate-lead-id": "error",
    "invalid-phone": "error",
    "invalid-datetime": "error",
    "invalid-budget": "error",
    "personal-mobile": "error",
    "personal-email": "error",
    "unmasked-name": "error",
    "region-mismatch": "error",
    "industry-mismatch": "error",
    "lost-without-reason": "error",
    "vague-need": "warning",
    "high-potential-incomplete": "warning",
    "sla-breach": "warning",
    "dormant-overdue": "warning",
    "unknown-lead": "error",
    "log-mismatch": "warning",
    "template-mismatch": "warning",
    "industry-detail": "warning",
    "invalid-size": "error",
    "date-as-text": "warning",
    "checks-skipped": "warning",
}
SAMPLE = {
    "label": "办公电话",
    "value": "755-1",
    "allowed": "展会、官网表单",
    "reason": "some reason",
    "parent": "广东省",
    "hours": 24,
    "level": "高潜力",
    "days": 90,
    "idle": 120,
    "detail": "some detail",
    "rows": [5, 9],
    "reg_sheet": "线索台账",
    "log_sheet": "跟进记录",
    "logged": "2024-06-22 14:30",
    "division": "汽车制造业",
    "section": "制造业",
    "date": "2024-05-20 14:30",
    "columns": "“创建时间”",
    "checks": "首次跟进时限",
}


def test_exactly_the_stable_codes_with_their_severity():
    assert {c: CODES[c].severity for c in CODES} == EXPECTED
    assert all(severity(c) == s for c, s in EXPECTED.items())
    assert "unreadable" not in CODES


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_code_is_complete_in_both_languages(code):
    entry = CODES[code]
    for key in KEYS:
        assert getattr(entry, key).strip(), key
    for lang in ("zh", "en"):
        message, hint = describe(code, lang, **SAMPLE)
        assert message and hint
        assert "{" not in message + hint
    assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.message_zh + entry.hint_zh)
    assert entry.message_en.isascii() or entry.message_en != entry.message_zh
    assert entry.specs and all(s.startswith(("R-", "SPEC")) for s in entry.specs)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_templates_use_only_the_documented_placeholders(code):
    entry = CODES[code]
    templates = [entry.message_zh, entry.message_en, entry.hint_zh, entry.hint_en]
    used = set().union(*(placeholders(t) for t in templates))
    assert used <= set(entry.params)
    for r in entry.reasons:  # a reason's own texts may use the code's placeholders too
        used |= set().union(*(placeholders(t) for t in (r.zh, r.message_zh, r.hint_zh)))
        used.add("reason")
    for extra in PARAMS.get(code, ()):
        if extra != "reason" or code != "required-missing":
            assert extra in used, (code, extra)


def test_describe_fills_placeholders():
    message, hint = describe(
        "not-in-list", "zh", label="来源渠道", value="展销会", allowed="展会、其他"
    )
    assert message == "“来源渠道”填的“展销会”不在可选列表中。"
    assert hint.endswith("可选:展会、其他")
    message, _ = describe("sla-breach", "en", level="高潜力", hours=24.0)
    assert message.startswith("A 高潜力 lead must be first contacted within 24 hours")
    message, _ = describe("dormant-overdue", "zh", days=90, idle=121)
    assert message == "已有 121 天没有跟进(超过 90 天),线索仍未关闭。"
    message, _ = describe("duplicate-lead-id", "zh", label="线索编号", value="X", rows=[5, 9])
    assert message == "线索编号“X”与第 5、9 行重复。"
    message, _ = describe("duplicate-lead-id", "en", label="Lead ID", value="X", rows=(5, 9))
    assert "row(s) 5, 9" in message


def test_describe_renders_missing_placeholders_as_empty():
    message, hint = describe("not-in-list", "zh")
    assert message == "“”填的“”不在可选列表中。"
    assert "{" not in hint
    message, _ = describe("invalid-phone", "en", label="Office phone", value=None)
    assert message == "Office phone “” is not a valid office phone number."


def test_a_label_left_without_its_value_is_trimmed():
    assert describe("not-in-list", "zh")[1] == "点单元格右侧的箭头,从下拉列表中选择。"
    assert describe("not-in-list", "en")[1].endswith("pick a value from the list.")
    assert describe("template-mismatch", "zh")[0] == "这个文件与当前模板不一致"
    assert describe("template-mismatch", "en", detail="x:")[0].endswith("template: x:")
    assert describe("not-in-list", "zh", allowed="A:")[1].endswith("可选:A:")


def test_named_reasons_give_their_text_and_hint():
    message, hint = describe(
        "invalid-phone", "zh", label="办公电话", value="75512345678", reason="leading-zero"
    )
    assert message.startswith("办公电话“75512345678”不是有效的办公电话号码。号码开头的 0 丢了")
    assert "文本" in hint
    message, hint = describe("invalid-phone", "en", value="7551", reason="leading-zero")
    assert "leading 0 is missing" in message and "Format the cell as Text" in hint
    # free text is shown as given, the code's hint stays
    message, hint = describe(
        "invalid-datetime", "zh", label="创建时间", value="明天", reason="无法解析"
    )
    assert message.endswith("无法解析") and hint == CODES["invalid-datetime"].hint_zh
    # the keys the rules use; "_" and "-" alike
    message, hint = describe("invalid-datetime", "en", reason="before_created")
    assert message.endswith("earlier than the lead's creation time.")
    assert "Created at" in hint
    message, _ = describe(
        "invalid-lead-id", "zh", label="线索编号", value="WEB20240521001", reason="code"
    )
    assert message.endswith("渠道代码与“来源渠道”不一致。")
    message, _ = describe("invalid-datetime", "zh", reason="format")
    assert message.endswith("无法识别为日期。")
    message, hint = describe("required-missing", "zh", reason="one-of-contact")
    assert "至少要填一项" in message and "0755-12345678" in hint


def test_make_issue_fills_severity_message_hint_and_label():
    issue = make_issue(
        "invalid-phone",
        file="a.xlsx",
        sheet="线索台账",
        row=3,
        column="N",
        field="office_phone",
        value="755-1",
    )
    assert isinstance(issue, Issue)
    assert (issue.severity, issue.cell, issue.value) == ("error", "线索台账!N3", "755-1")
    assert issue.message == "办公电话“755-1”不是有效的办公电话号码。"
    assert issue.hint.startswith("写成“区号-号码”")
    en = make_issue("required-missing", file="a.xlsx", field="company", lang="en")
    assert en.message == "“Company” is required but empty."
    assert en.value is None
    header = make_issue("missing-column", file="a.xlsx", sheet="线索台账", label="潜力等级")
    assert header.message == "表头中找不到“潜力等级”这一列。" and header.row is None
    # a field of the log sheet takes the log's label
    log = make_issue(
        "required-missing", file="a.xlsx", sheet="跟进记录", row=2, field="next_action"
    )
    assert "下一步行动”" in log.message
    # numbers (a phone kept as a number) are shown without ".0"
    assert make_issue("invalid-phone", file="a", value=75512345678.0).value == "75512345678"


def test_unknown_code_is_a_clear_error():
    with pytest.raises(KeyError, match="no-such-code"):
        describe("no-such-code", "zh")


def _raw():
    return read_toml(schema_file("codes.toml"))


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda d: d["vague-need"].pop("hint_en"), "missing key 'hint_en'"),
        (lambda d: d["vague-need"].update(severity="fatal"), "severity"),
        (lambda d: d["vague-need"].update(message_zh="{label}{nope}"), "unknown placeholder"),
        (lambda d: d["vague-need"].update(hint_en="{label"), "not a valid template"),
        (lambda d: d["vague-need"].update(spec="S2"), "not a SPEC.md requirement"),
        (lambda d: d["vague-need"].update(colour="red"), "unknown key 'colour'"),
        (lambda d: d.update({"Bad_Code": d["vague-need"]}), "lower-case words"),
        (lambda d: d["vague-need"].update(reasons={"x": {"zh": "a", "en": "b"}}), "no {reason}"),
        (
            lambda d: d["invalid-phone"]["reasons"].update(x={"zh": "a"}),
            "'zh' and 'en' go together",
        ),
        (lambda d: d.pop("sla-breach"), "PARAMS names codes"),
        (
            lambda d: d["invalid-phone"]["reasons"].update(No_Dash={"zh": "a", "en": "b"}),
            "a reason is lower-case",
        ),
    ],
)
def test_bad_catalogue_entries_are_refused(change, match):
    data = _raw()
    change(data)
    with pytest.raises(ConfigError, match=match):
        parse_codes(data)


def test_the_shipped_catalogue_parses_to_the_loaded_one():
    assert parse_codes(_raw()) == dict(CODES)
