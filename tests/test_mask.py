"""Masking personal data (R-K2): mobiles and e-mail addresses, in values and free text."""

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadbook.core.mask import (
    EMAIL,
    MOBILE,
    find_emails,
    find_mobiles,
    mask_email,
    mask_mobile,
    mask_text,
)


@pytest.mark.parametrize(
    "text, found, masked",
    [
        ("13812345678", ["13812345678"], "138****5678"),
        ("+86 138 1234 5678", ["+86 138 1234 5678"], "+86 138 **** 5678"),
        ("0086-13812345678", ["0086-13812345678"], "0086-138****5678"),
        ("+86 138-1234-5678", ["+86 138-1234-5678"], "+86 138-****-5678"),
        ("8613812345678", ["8613812345678"], "86138****5678"),
        ("请拨13812345678联系", ["13812345678"], "请拨138****5678联系"),
        ("请拨138-1234-5678联系", ["138-1234-5678"], "请拨138-****-5678联系"),
        (
            "手机 19912345678,座机 0755-86001234",
            ["19912345678"],
            "手机 199****5678,座机 0755-86001234",
        ),
        ("１３８１２３４５６７８", ["１３８１２３４５６７８"], "１３８****５６７８"),
        # 11 digits after an area code cannot be a landline number: treated as a mobile
        ("0755-13812345678", ["13812345678"], "0755-138****5678"),
    ],
)
def test_mobiles_are_found_and_masked(text, found, masked):
    assert find_mobiles(text) == found
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "0755-12345678",
        "0755-12345678-801",
        "010-13812345",
        "440301199001011234",  # an ID number: a longer run of digits
        "44030119900101123X",
        "138123456789",  # 12 digits
        "1381234567",  # 10 digits
        "12812345678",  # no mobile starts with 12
        "EXPO20240521001",
        "2024-05-21 13:30",
        "预算30-50万",
    ],
)
def test_not_a_mobile(text):
    assert find_mobiles(text) == []
    assert MOBILE.search(text) is None
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "text, found, masked",
    [
        ("zhang.san@qq.com", ["zhang.san@qq.com"], "z***@qq.com"),
        ("邮箱zhang@163.com谢谢", ["zhang@163.com"], "邮箱z***@163.com谢谢"),
        (
            "Mail: Li.Si+sales@corp.example.com.cn.",
            ["Li.Si+sales@corp.example.com.cn"],
            "Mail: L***@corp.example.com.cn.",
        ),
        ("a@b.cn, x_y@gmail.com", ["a@b.cn", "x_y@gmail.com"], "a***@b.cn, x***@gmail.com"),
        ("wang＠qq.com", ["wang＠qq.com"], "w***＠qq.com"),
    ],
)
def test_emails_are_found_and_masked_keeping_the_domain(text, found, masked):
    assert find_emails(text) == found
    assert mask_text(text) == masked


def test_not_an_email():
    for text in ("@qq.com", "zhang@", "zhang@qq", "微信 wxid_abc123", "价格 @ 30万"):
        assert find_emails(text) == [] and EMAIL.search(text) is None
        assert mask_text(text) == text


def test_a_mobile_used_as_an_email_name_is_masked_once():
    assert mask_text("13812345678@139.com") == "1***@139.com"
    assert mask_text("电话13812345678,邮箱 li@qq.com") == "电话138****5678,邮箱 l***@qq.com"


def test_mask_mobile_and_mask_email_directly():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("+86 138-1234-5678") == "+86 138-****-5678"
    assert mask_mobile("12345") == "*****"  # not a mobile: every digit hidden
    assert mask_mobile("021-123456789") == "021-*****6789"
    assert mask_email("zhang.san@qq.com") == "z***@qq.com"
    assert mask_email("a@b.cn") == "a***@b.cn"
    assert mask_email("no-at-sign") == "***"


def test_masking_is_idempotent():
    once = mask_text("13812345678 / zhang@qq.com")
    assert mask_text(once) == once


def test_text_without_digits_or_at_is_returned_unchanged():
    text = "客户对方案细节提出疑问,需补充技术参数说明"
    assert mask_text(text) is text
    assert find_mobiles(text) == [] and find_emails(text) == []


def test_non_text_values():
    assert mask_text(None) == ""
    assert mask_text(13812345678) == "138****5678"
    assert mask_text(13812345678.0) == "138****5678.0"
    assert mask_text(75512345678) == "75512345678"


# Issue 11: the spellings reps really type, paste from the web or WeChat, or make up to hide.
SPELLINGS = [
    ("138.1234.5678", "138.****.5678"),
    ("138  1234  5678", "138  ****  5678"),
    ("138\u00a01234\u00a05678", "138\u00a0****\u00a05678"),  # no-break spaces (web, WeChat)
    ("138\t1234\t5678", "138\t****\t5678"),
    ("138–1234–5678", "138–****–5678"),  # en dash
    ("138/1234/5678", "138/****/5678"),
    ("138 - 1234 - 5678", "138 - **** - 5678"),
    ("013812345678", "0138****5678"),  # a trunk 0
    ("138\u200b1234\u200b5678", "138\u200b****\u200b5678"),  # zero-width spaces
    ("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "𝟏𝟑𝟖****𝟓𝟔𝟕𝟖"),  # mathematical bold digits
    ("+86 (0)138 1234 5678", None),
    ("(+86)13812345678", "(+86)138****5678"),
    ("手机:1 3 8 1 2 3 4 5 6 7 8", "手机:1 3 8 * * * * 5 6 7 8"),
]


@pytest.mark.parametrize("text, masked", SPELLINGS)
def test_every_spelling_of_a_mobile_is_found_and_masked(text, masked):
    assert find_mobiles(text), text
    out = mask_text(text)
    assert out != text and find_mobiles(out) == []
    if masked is not None:
        assert out == masked
    assert "12345678" not in "".join(ch for ch in out if ch.isdecimal())


EMAIL_SPELLINGS = [
    ("zhang＠qq．com", "z***＠qq．com"),
    ("li@163。com", "l***@163。com"),  # the IME's full stop
    ("a @ qq.com", "a***@ qq.com"),
    ("用户@qq.com", "用***@qq.com"),
    ("邮箱 wang﹫gmail.com", "邮箱 w***﹫gmail.com"),
]


@pytest.mark.parametrize("text, masked", EMAIL_SPELLINGS)
def test_every_spelling_of_an_email_is_found_and_masked(text, masked):
    assert find_emails(text), text
    assert mask_text(text) == masked
    assert find_emails(mask_text(text)) == []


DIGIT_SETS = {
    "ascii": "0123456789",
    "full-width": "０１２３４５６７８９",
    "math-bold": "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗",
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
}
SEPARATORS = [" ", "-", ".", "/", "\u00a0", "\t", "–", "—", "\u200b", "\u3000", "－"]
EXAMPLES = int(os.environ.get("LEADBOOK_FUZZ_EXAMPLES", "150"))


@st.composite
def spelled_mobiles(draw):
    digits = (
        "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    )
    script = DIGIT_SETS[draw(st.sampled_from(sorted(DIGIT_SETS)))]
    parts = []
    for i, d in enumerate(digits):
        if i:
            parts.append("".join(draw(st.lists(st.sampled_from(SEPARATORS), max_size=3))))
        parts.append(script[int(d)])
    prefix = draw(st.sampled_from(["", "+86 ", "0086-", "86", "0", "(+86)", "＋86 "]))
    before = draw(st.sampled_from(["", "手机", "电话:", "请联系 ", "备注:"]))
    after = draw(st.sampled_from(["", "谢谢", " 王经理", ",座机0755-86001234"]))
    return digits, before + prefix + "".join(parts) + after


@settings(max_examples=EXAMPLES, deadline=None)
@given(spelled_mobiles())
def test_detect_equals_mask_for_every_generated_spelling(case):
    digits, text = case
    assert find_mobiles(text), text
    out = mask_text(text)
    assert find_mobiles(out) == [] and mask_text(out) == out
    shown = "".join(
        str(int(ch)) if ch.isdecimal() else ch for ch in out if ch.isdecimal() or ch == "*"
    )
    assert digits not in shown and "****" in shown


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    local=st.sampled_from(["zhang", "li.si", "a", "用户", "wang_1"]),
    at=st.sampled_from(["@", "＠", " @ ", "﹫"]),
    domain=st.sampled_from(["qq", "163", "gmail", "corp-x"]),
    dot=st.sampled_from([".", "．", "。"]),
    tld=st.sampled_from(["com", "cn", "net"]),
)
def test_detect_equals_mask_for_generated_emails(local, at, domain, dot, tld):
    text = f"邮箱{local}{at}{domain}{dot}{tld}谢谢"
    assert find_emails(text), text
    out = mask_text(text)
    assert find_emails(out) == [] and mask_text(out) == out
    assert domain in out
    assert len(local) == 1 or local[1:] not in out.removeprefix("邮箱")
