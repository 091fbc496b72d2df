"""Masking personal data wherever leadbook prints or writes a value (R-K2, R-S2.2).

A mobile keeps its prefix, its first three and last four digits and the shape of its
separators; the middle four digits become ``*``::

    13812345678        -> 138****5678
    +86 138-1234-5678  -> +86 138-****-5678
    0086 138 1234 5678 -> 0086 138 **** 5678

An e-mail keeps the first character of its local part and its domain:
``zhang.san@qq.com -> z***@qq.com`` (always three ``*``: the length is not told).

Every spelling counts (issue 11): separators of any kind and number up to three between
digits (spaces, no-break spaces, tabs, dashes of every width, dots, slashes), zero-width
characters, full-width, mathematical and other Unicode digits, ``+86`` / ``0086`` / ``86`` or a
trunk ``0`` in front; e-mail addresses with ``＠`` ``﹫`` ``．`` ``。``, spaces around the ``@``
or a non-ASCII local part (``用户@qq.com``). One normal form (:func:`normal_form`) is read by
both the detectors and the maskers, so what is found is what is masked; masking keeps every
other character of the text as it was. :data:`PREFILTER` is the cheap first pass over whole
polars columns (validate, merge, report).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

# Every spelling is read through one normal form (:func:`normal_form`): NFKC per character
# (full-width and mathematical digits, ＠, ．, no-break and ideographic spaces), every Unicode
# decimal digit as its ASCII digit, every dash as "-", 。 as ".", every space or tab as " ",
# zero-width characters and soft hyphens dropped. Detection and masking both run on it, so
# what is found is exactly what is masked.
SEP = r"[ \-./]{0,3}"  # between any two digits: none, or up to three spaces, dashes, dots, slashes
# A Chinese mobile: optional +86 / 0086 / 86 prefix (a trunk 0 too: 013812345678), then
# 1[3-9] and nine more digits. Never the middle of a longer run of digits (an 18-digit ID
# number, the tail of a landline such as 0755-12345678).
MOBILE = re.compile(
    r"(?<!\d)(?P<prefix>(?:(?:\+|00)" + SEP + r"86|86)[ \-./)]{0,3}|\(\+?86\)" + SEP + r")?"
    r"0?(?P<number>1" + SEP + r"[3-9](?:" + SEP + r"\d){9})(?!\d)"
)
# An e-mail address: an ASCII local part (or, when none, up to four other letters such as
# 用户), optional spaces around the @, a domain with an alphabetic top level.
EMAIL = re.compile(
    r"(?:(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*)"
    r"|(?P<wide>[^\x00-\x7f\s\d@.,;:，。；：、()（）<>《》\[\]【】「」\"']{1,4})) ?@ ?"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})(?![A-Za-z0-9-])"
)
# Text without any of these cannot hold a mobile or an e-mail (\d: any Unicode digit).
_MAYBE = re.compile(r"[\d@＠﹫]")
# The same test for polars (Rust regex, where \d is any Unicode digit too): an @ of any width,
# or eleven digits with at most six other characters between neighbours. A cheap first pass
# over whole columns; :func:`find_mobiles` / :func:`find_emails` decide.
PREFILTER = r"[@＠﹫]|\d(?:\D{0,6}\d){10}"

_DROPPED = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_DOTS = frozenset("。｡︒")
_ASCII_SPACES = str.maketrans("\t\n\r\x0b\x0c", "     ")


def normal_form(text: str) -> tuple[str, list[int] | None]:
    """``text`` as the detectors read it, and for each of its characters the index of the
    character of ``text`` it comes from (``None``: the same positions, ASCII text)."""
    if text.isascii():
        return text.translate(_ASCII_SPACES), None
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _FOLD[ord(ch)]  # "" for a dropped character
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


class _Fold(dict):
    """``str.translate`` table giving each character its text in :func:`normal_form` (built
    as characters are met), so a text's normal form is had without a Python loop."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in _DROPPED:
            folded = ""
        elif ch.isdecimal():
            folded = str(unicodedata.decimal(ch))
        elif ch in _DOTS:
            folded = "."
        elif ch.isspace():
            folded = " "
        elif unicodedata.category(ch) == "Pd" or ch == "\u2212":
            folded = "-"
        else:
            folded = unicodedata.normalize("NFKC", ch)
        self[code] = folded
        return folded


_FOLD = _Fold()


def _folded(text: str) -> str:
    """``normal_form(text)[0]``, fast."""
    return text.translate(_ASCII_SPACES) if text.isascii() else text.translate(_FOLD)


def _spans(text: str, pattern: re.Pattern) -> list[tuple[re.Match, int, int]]:
    """Each match of ``pattern`` in the normal form of ``text``, with its span in ``text``."""
    if not _MAYBE.search(text) or not pattern.search(_folded(text)):
        return []  # the common case, without building the map of positions
    normal, origin = normal_form(text)
    found = []
    for m in pattern.finditer(normal):
        if origin is None:
            found.append((m, m.start(), m.end()))
        else:
            found.append((m, origin[m.start()], origin[m.end() - 1] + 1))
    return found


def find_mobiles(text: Any) -> list[str]:
    """Every mobile number in ``text``, as written there."""
    text = _as_text(text)
    return [text[a:b] for _, a, b in _spans(text, MOBILE)]


def find_emails(text: Any) -> list[str]:
    """Every e-mail address in ``text``, as written there."""
    text = _as_text(text)
    return [text[a:b] for _, a, b in _spans(text, EMAIL)]


def email_domain(address: str) -> str:
    """The domain of an e-mail address as found by :func:`find_emails`, in its normal form and
    lower case (``li@163。com -> 163.com``), to compare with a list of domains."""
    m = EMAIL.search(normal_form(address)[0])
    return m.group("domain").lower() if m else ""


def personal_data(
    text: Any, personal_domains: set[str], allow_company_email: bool = False
) -> list[tuple[str, str]]:
    """The personal data a cell holds, as findings want it: ``("personal-mobile", masked)``
    for its first mobile and ``("personal-email", masked)`` for its first e-mail address on a
    personal domain (any domain unless ``allow_company_email``)."""
    found = []
    mobiles = find_mobiles(text)
    if mobiles:
        found.append(("personal-mobile", mask_mobile(mobiles[0])))
    for address in find_emails(text):
        if email_domain(address) in personal_domains or not allow_company_email:
            found.append(("personal-email", mask_email(address)))
            break
    return found


def mask_mobile(mobile: str) -> str:
    """``13812345678 -> 138****5678``; prefix and separators are kept.

    Given anything that is not exactly one mobile number, every digit but the first three
    and the last four is masked (all digits when there are fewer than eight).
    """
    spans = _spans(mobile, MOBILE)
    if len(spans) == 1 and spans[0][1] == 0 and spans[0][2] == len(mobile):
        # the prefix's digits (86, a trunk 0) stay: count the number's digits from its end
        return _mask_digits_from_end(mobile, keep_last=4, count=4)
    digits = sum(ch.isdecimal() for ch in mobile)
    if digits < 8:
        return "".join("*" if ch.isdecimal() else ch for ch in mobile)
    return _mask_digits(mobile, 0, first=3, count=digits - 7)


def mask_email(email: str) -> str:
    """``zhang.san@qq.com -> z***@qq.com``: the first character and the domain are kept."""
    normal, origin = normal_form(email)
    at = normal.rfind("@")
    if at < 0:
        return "***" if email else email
    at = at if origin is None else origin[at]
    return f"{email.lstrip()[:1]}***{email[at:]}"


def mask_text(text: Any) -> str:
    """``text`` with every mobile and every e-mail address in it masked.

    ``None`` becomes ""; other non-text values are shown with ``str`` first (a mobile kept as
    a number is still masked).
    """
    return _replace(_as_text(text), mask_email, mask_mobile)


def drop_personal(text: Any, by: str = " ") -> str:
    """``text`` with every mobile and every e-mail address replaced by ``by``: for text that
    is cut into words (a masked address would still give words such as ``qq`` and ``com``)."""
    return _replace(_as_text(text), lambda _: by, lambda _: by)


def _replace(text: str, email: Callable[[str], str], mobile: Callable[[str], str]) -> str:
    spans: list[tuple[int, int, str]] = []
    for _, a, b in _spans(text, EMAIL):
        spans.append((a, b, email(text[a:b])))
    taken = [(a, b) for a, b, _ in spans]
    for _, a, b in _spans(text, MOBILE):
        if any(x < b and a < y for x, y in taken):
            continue  # already masked as (part of) an e-mail address
        spans.append((a, b, mobile(text[a:b])))
    if not spans:
        return text
    out, pos = [], 0
    for start, end, masked in sorted(spans):
        out.append(text[pos:start])
        out.append(masked)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _mask_digits_from_end(text: str, *, keep_last: int, count: int) -> str:
    """``text`` with ``count`` digits hidden before its last ``keep_last`` digits."""
    chars, seen = list(text), 0
    for i in range(len(chars) - 1, -1, -1):
        if chars[i].isdecimal():
            if keep_last <= seen < keep_last + count:
                chars[i] = "*"
            seen += 1
    return "".join(chars)


def _mask_digits(text: str, start: int, *, first: int, count: int) -> str:
    """``text`` with ``count`` digits masked, after the ``first`` digits from ``start``."""
    chars, seen = list(text), 0
    for i in range(start, len(chars)):
        if chars[i].isdecimal():
            if first <= seen < first + count:
                chars[i] = "*"
            seen += 1
    return "".join(chars)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
