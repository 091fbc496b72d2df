"""What high-intent customers ask for (R-S5.1): the most frequent words in the core needs
(核心需求描述) of 高潜力 (the first potential level) and won leads.

Needs are cut into words by jieba (personal data taken out first); stop words (``schemas/stopwords.txt``), one-character
words and numbers are left out. A word counts once per lead. Each word comes with an example:
the most frequent need that holds it, masked and shortened.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import cache

import polars as pl

from leadbook.core.mask import drop_personal, mask_text
from leadbook.core.paths import schema_file
from leadbook.metrics.facts import Facts

TOP = 20
EXAMPLE_CHARS = 40
# A word must hold a letter or a CJK character, and be more than a number with a unit sign.
_WORDLIKE = re.compile(r"[A-Za-z\u4e00-\u9fff]")
_NUMBER = re.compile(r"^[\d.,%±~+\-/×x*]+$")


@cache
def stop_words() -> frozenset[str]:
    lines = schema_file("stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@cache
def _cut():
    import jieba  # slow to import and to load its dictionary: only when needed

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on stderr
    return jieba.lcut


def warm() -> None:
    """Import jieba and load its dictionary now: ``make_report`` calls this from a thread
    while the inputs are read (the reader releases the GIL while it parses), so the terms do
    not wait for it afterwards."""
    _cut()("预热")


def words(text: str) -> set[str]:
    """The distinct counted words of one need (mobiles and e-mail addresses taken out first:
    their parts, such as an address's local part, are no words to show)."""
    stop = stop_words()
    return {
        w
        for w in (t.strip() for t in _cut()(drop_personal(text)))
        if len(w) > 1 and w not in stop and _WORDLIKE.search(w) and not _NUMBER.match(w)
    }


def intent_needs(facts: Facts) -> pl.DataFrame:
    """Distinct needs of high-potential or won leads, with how many leads hold each (``n``)."""
    levels = facts.config.values("potential_levels")
    top = pl.col("potential") == levels[0] if levels else pl.lit(False)
    return (
        facts.leads.filter((top | pl.col("_won")) & pl.col("need").is_not_null())
        .group_by("need")
        .agg(pl.len().alias("n"))
        .sort("n", "need", descending=[True, False])
    )


def need_terms(facts: Facts, top: int = TOP) -> pl.DataFrame:
    """``term``, ``leads`` (how many intent leads' needs hold it), ``share`` (of those leads)
    and ``example`` (a need holding it, masked, at most 40 characters), most frequent first."""
    needs = intent_needs(facts)
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for text, n in needs.iter_rows():
        for w in words(text):
            counts[w] += n
            examples.setdefault(w, text)
    total = int(needs["n"].sum()) if needs.height else 0
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return pl.DataFrame(
        {
            "term": [t for t, _ in ranked],
            "leads": [c for _, c in ranked],
            "share": [c / total for _, c in ranked] if total else [],
            "example": [_shorten(mask_text(examples[t])) for t, _ in ranked],
        },
        schema={"term": pl.String, "leads": pl.Int64, "share": pl.Float64, "example": pl.String},
    )


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"
