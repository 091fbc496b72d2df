"""Recognising one customer written in different ways (撞单 detection in ``merge``).

``company_key`` folds a company name to what identifies the business: the brand and the
industry word. ``深圳市华创科技有限公司``, ``华创科技(深圳)有限公司``, ``华创科技股份有限公司``,
``深圳华创科技有限公司`` and ``华创科技（深圳）有限公司`` all become ``华创科技``:

- NFKC (full-width letters, digits and brackets to half-width), case folded, spaces and
  punctuation dropped;
- a branch's ``…有限公司XX分公司`` cut back to the company;
- brackets holding a place (``(深圳)``, ``(广东省)``) or ``(中国)`` / ``(集团)`` removed anywhere;
- the legal form at the end removed (``股份有限公司``, ``有限责任公司``, ``集团有限公司``,
  ``有限公司``, ``集团``, ``公司``, ``Co., Ltd.`` ...);
- a leading province, city or municipal district removed (``广东省``, ``广东``, ``深圳市``,
  ``深圳``, ``北京市``, ``朝阳区``), but only while at least ``MIN_CORE`` characters remain: ``北京银行``
  and ``上海银行`` stay apart.

``phone_key`` and ``im_key`` fold the other two things that tie rows to one customer: the
office phone (its digits, extension dropped, at least 10) and the IM account (case folded).
A masked value (``138****5678``, ``z***@qq.com``) identifies no one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from leadbook.core import reference

MIN_CORE = 4  # characters a name keeps when a leading place is removed
MIN_PHONE_DIGITS = 10  # area code + number; shorter is no identity
LEGAL_FORMS = (
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "总公司",
    "集团",
    "公司",
    # English forms, after punctuation and spaces are gone ("Co., Ltd." -> "coltd")
    "corporationlimited",
    "colimited",
    "coltd",
    "limited",
    "ltd",
    "incorporated",
    "inc",
    "corporation",
    "corp",
)
BRACKET_WORDS = frozenset({"中国", "集团", "控股", "china", "group", "holding", "holdings"})
_BRACKET = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]")
_NOT_WORD = re.compile(r"[\W_]+")
_BRANCH = re.compile(r"^(.+?)(?:股份有限公司|有限责任公司|有限公司|公司).+分公司$")
_PROVINCE_SUFFIX = re.compile(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$")
_EXTENSION = re.compile(r"^(.*?\d{7,}.*?)(?:\s*(?:转|ext\.?|x|#|-)\s*\d{1,5})?$", re.IGNORECASE)


@cache
def place_names() -> frozenset[str]:
    """Province-level names and their short forms (广东省, 广东, 内蒙古), prefecture cities with
    and without 市 (深圳市, 深圳), other prefectures (延边朝鲜族自治州) and municipal districts."""
    names: set[str] = set()
    for province, cities in reference.regions().items():
        names.add(province)
        short = _PROVINCE_SUFFIX.sub("", province)
        if len(short) >= 2:
            names.add(short)
        for city in cities:
            names.add(city)
            if city.endswith("市") and len(city) >= 3:
                names.add(city[:-1])
    return frozenset(names)


@cache
def _lengths() -> tuple[int, ...]:
    return tuple(sorted({len(n) for n in place_names()}, reverse=True))


def _leading_place(s: str) -> int:
    """Length of the longest place name ``s`` starts with (0: none)."""
    names = place_names()
    for n in _lengths():
        if n < len(s) and s[:n] in names:
            return n
    return 0


def _bracket(m: re.Match) -> str:
    inner = _NOT_WORD.sub("", m.group(1))
    if not inner or inner in BRACKET_WORDS or inner in place_names():
        return ""
    return inner


_LEGAL_FORM = re.compile("(?:" + "|".join(map(re.escape, LEGAL_FORMS)) + ")$")


def _strip_legal_form(s: str) -> str:
    for _ in range(3):  # "集团" + "有限公司" and the like, written apart
        m = _LEGAL_FORM.search(s)
        if m is None or m.start() == 0:
            break
        s = s[: m.start()]
    return s


@lru_cache(maxsize=200_000)
def company_key(name: str | None) -> str:
    """The name folded to brand + industry word; "" for an empty name."""
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", name).casefold()
    s = "".join(s.split())
    branch = _BRANCH.match(s)
    if branch:
        s = branch.group(1)
    s = _BRACKET.sub(_bracket, s)
    s = _NOT_WORD.sub("", s)
    s = _strip_legal_form(s)
    for _ in range(3):  # 广东省 深圳市 南山区
        n = _leading_place(s)
        if not n or len(s) - n < MIN_CORE:
            break
        s = s[n:]
    return s


def phone_key(phone: str | None) -> str:
    """The office phone's digits without an extension (0755-86001234-801 -> 075586001234);
    "" when fewer than ``MIN_PHONE_DIGITS`` digits remain."""
    if not phone or "*" in phone:  # a masked number (138****5678) identifies no one
        return ""
    s = unicodedata.normalize("NFKC", phone).strip()
    m = _EXTENSION.match(s)
    if m:
        s = m.group(1)
    digits = "".join(ch for ch in s if ch.isdigit())
    if digits.startswith("86") and len(digits) > 12:  # +86 755 ...
        digits = "0" + digits[2:]
    return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def im_key(account: str | None) -> str:
    """The IM account as compared: NFKC, case folded, without spaces ("" when masked)."""
    if not account or "*" in account:
        return ""
    return "".join(unicodedata.normalize("NFKC", account).casefold().split())
