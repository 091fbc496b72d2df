"""Masking personal data (R-K2): mobiles and e-mail addresses, in values and free text."""

import pytest

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
        "138--1234-5678",
        "138  1234 5678",
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
