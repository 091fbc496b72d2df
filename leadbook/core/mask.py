"""Masking personal data wherever leadbook prints or writes a value (R-K2, R-S2.2).

A mobile keeps its prefix, its first three and last four digits and the shape of its
separators; the middle four digits become ``*``::

    13812345678        -> 138****5678
    +86 138-1234-5678  -> +86 138-****-5678
    0086 138 1234 5678 -> 0086 138 **** 5678

An e-mail keeps the first character of its local part and its domain:
``zhang.san@qq.com -> z***@qq.com`` (always three ``*``: the length is not told).

Full-width digits, ``＋``, ``－``, ``＠`` and the ideographic space (as typed with a Chinese
input method) are read as their ASCII forms, so ``１３８１２３４５６７８`` is a mobile too; masking
keeps every other character of the text as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# A Chinese mobile: optional +86 / 86 / 0086 prefix, then 1[3-9]x xxxx xxxx with at most one
# space or dash between the 3-4-4 groups. Never part of a longer run of digits: not inside an
# 18-digit ID number, not the tail of a landline such as 0755-12345678.
MOBILE = re.compile(
    r"(?<!\d)(?P<prefix>(?:\+|00)?86[- ]?)?(?P<number>1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)"
)
# An e-mail address with an ASCII local part and domain; Chinese text may touch it directly.
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})"
)
_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "＋": "+",
        "－": "-",
        "＠": "@",
        "\u3000": " ",
    }
)
# Text without any of these cannot hold a mobile or an e-mail.
_MAYBE = re.compile(r"[\d@＠]")


def _normal(text: str) -> str:
    """``text`` with full-width digits and signs as ASCII: same length, same positions."""
    return text.translate(_FULL_WIDTH)


def find_mobiles(text: Any) -> list[str]:
    """Every mobile number in ``text``, as written there."""
    text = _as_text(text)
    if not _MAYBE.search(text):
        return []
    return [text[m.start() : m.end()] for m in MOBILE.finditer(_normal(text))]


def find_emails(text: Any) -> list[str]:
    """Every e-mail address in ``text``, as written there."""
    text = _as_text(text)
    if not _MAYBE.search(text):
        return []
    return [text[m.start() : m.end()] for m in EMAIL.finditer(_normal(text))]


def mask_mobile(mobile: str) -> str:
    """``13812345678 -> 138****5678``; prefix and separators are kept.

    Given anything that is not exactly one mobile number, every digit but the first three
    and the last four is masked (all digits when there are fewer than eight).
    """
    m = MOBILE.fullmatch(_normal(mobile))
    if m is not None:
        return _mask_digits(mobile, m.start("number"), first=3, count=4)
    digits = sum(ch.isdecimal() for ch in mobile)
    if digits < 8:
        return "".join("*" if ch.isdecimal() else ch for ch in mobile)
    return _mask_digits(mobile, 0, first=3, count=digits - 7)


def mask_email(email: str) -> str:
    """``zhang.san@qq.com -> z***@qq.com``: the first character and the domain are kept."""
    at = _normal(email).rfind("@")
    if at < 0:
        return "***" if email else email
    return f"{email[:at][:1]}***{email[at:]}"


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
    if not _MAYBE.search(text):
        return text
    normal = _normal(text)
    spans: list[tuple[int, int, str]] = []
    for m in EMAIL.finditer(normal):
        spans.append((m.start(), m.end(), email(text[m.start() : m.end()])))
    taken = [(a, b) for a, b, _ in spans]
    for m in MOBILE.finditer(normal):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue  # already masked as (part of) an e-mail address
        spans.append((m.start(), m.end(), mobile(text[m.start() : m.end()])))
    if not spans:
        return text
    out, pos = [], 0
    for start, end, masked in sorted(spans):
        out.append(text[pos:start])
        out.append(masked)
        pos = end
    out.append(text[pos:])
    return "".join(out)


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
