"""The seed's one-cell industry (所属行业 = ``门类-大类``, e.g. ``制造业-汽车制造业``) as
section and division of GB/T 4754-2017, as the single address column is split into province
and city.

Accepted: ``门类-大类`` with ``-``, ``/``, a space or a full-width dash between the two; a
section alone (``制造业``); a division alone (``汽车制造业``: its section is found). A part
below the division that is not a standard name (``制造业-汽车零部件``) is kept as *detail*:
validate warns about it and names the likely division (``industry_keywords.csv``, then the
division names themselves), never fills it in (SPEC R-K1).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from leadbook.core import reference

# Between section and division: ASCII and full-width dashes and slashes, dash-like
# punctuation, spaces, ">" and arrows. Section names contain "、" and "，": never split on them.
SEPARATORS = re.compile(r"\s*[-/\\|>~\u2010-\u2015\u2212\u2192\uff0d\uff0f\uff5e]+\s*|\s+")
# Two-character pieces shared by more than this many division names carry no information.
COMMON_PIECE_LIMIT = 3


@dataclass(frozen=True)
class IndustryCell:
    section: str | None  # a GB/T section name, or the text as written when none is found
    division: str | None  # a GB/T division name (maybe of another section: a mismatch)
    detail: str | None = None  # what is not a standard name (汽车零部件)
    suggestion: str | None = None  # the likely division of the detail


def split_industry(text: str | None) -> IndustryCell:
    """One 所属行业 cell as section, division and detail (see the module doc)."""
    if not text or not text.strip():
        return IndustryCell(None, None)
    s = unicodedata.normalize("NFKC", text).strip()
    sections, divisions = reference.industries(), reference.division_sections()
    if s in sections:
        return IndustryCell(s, None)
    if s in divisions:
        return IndustryCell(divisions[s], s)
    parts = [p for p in SEPARATORS.split(s) if p]
    head, rest = parts[0], parts[1:]
    if head in sections:
        section, division = head, None
    elif head in divisions:
        section, division = divisions[head], head
    else:  # not a standard name at all: readable only when a keyword places it
        suggestion = suggest_division(s, None)
        if suggestion is None:
            return IndustryCell(s, None)
        return IndustryCell(None, None, s, suggestion)
    if division is None and rest and rest[0] in divisions:
        division, rest = rest[0], rest[1:]
    if not rest:
        return IndustryCell(section, division)
    detail = "-".join(rest)
    if division is not None:  # 制造业-汽车制造业-汽车零部件: finer than needed, and fine
        return IndustryCell(section, division)
    return IndustryCell(section, None, detail, suggest_division(detail, section))


def suggest_division(text: str, section: str | None) -> str | None:
    """The division ``text`` most likely belongs to (within ``section`` when given): the
    longest keyword of ``industry_keywords.csv`` it contains, else the division sharing the
    most informative two-character pieces with it; None when nothing fits."""
    allowed = set(reference.industries().get(section, ())) if section else None
    words = reference.industry_keywords()
    folded = text.lower()
    hits = [
        (len(k), d)
        for k, d in words.items()
        if k.lower() in folded and (allowed is None or d in allowed)
    ]
    if hits:
        return max(hits)[1]
    pieces = _pieces(text)
    weights = _piece_weights()
    best, score = None, 0.0
    for division in allowed if allowed is not None else reference.division_sections():
        shared = sum(weights.get(p, 0.0) for p in pieces & _pieces(division))
        if shared > score:
            best, score = division, shared
    return best


def _pieces(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


@cache
def _piece_weights() -> dict[str, float]:
    counts: dict[str, int] = {}
    for division in reference.division_sections():
        for p in _pieces(division):
            counts[p] = counts.get(p, 0) + 1
    return {p: 1.0 / n for p, n in counts.items() if n <= COMMON_PIECE_LIMIT}
