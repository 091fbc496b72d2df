"""Rules for the formats real sheets use (issue 10): the seed's one-cell 所属行业 with a part
below the division, company sizes as any band, dates typed as text. Registered in
``rules.RULES`` on import (``validate`` imports this module)."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from leadbook.check.rules import Hits, _has, _hits, _text, rule, time_fields
from leadbook.core import reference
from leadbook.read.normalize import CELL, DETAIL, HINT, KIND, TEXT


@rule
def industry_is_standard(reg, log, ctx) -> Iterator[Hits]:
    """R-S2.1: a one-cell 所属行业 with a part below the division that is not a GB/T 4754
    name (制造业-汽车零部件): a warning naming the likely division, never an error."""
    if not _has(reg, "industry" + DETAIL):
        return
    rows = reg.filter(pl.col("industry" + DETAIL).is_not_null())
    if rows.height:
        division = pl.col("industry" + HINT)
        yield _hits(
            "industry-detail",
            "register",
            "industry",
            rows,
            pl.col("industry" + CELL),
            detail=pl.col("industry" + DETAIL),
            division=division,
            section=division.replace_strict(
                reference.division_sections(), default=None, return_dtype=pl.String
            ),
            reason=pl.when(division.is_not_null()).then(pl.lit("guess")).otherwise(pl.lit("")),
        )


@rule
def size_is_readable(reg, log, ctx) -> Iterator[Hits]:
    """R-S2.1: a company size is an employee or revenue band (any, not only the list's)."""
    if not _has(reg, "size", "size" + KIND):
        return
    unreadable = reg.filter(pl.col("size").is_not_null() & pl.col("size" + KIND).is_null())
    if unreadable.height:
        yield _hits("invalid-size", "register", "size", unreadable, _text("size"))
    reversed_ = reg.filter(pl.col("size__low") > pl.col("size__high"))
    if reversed_.height:
        yield _hits(
            "invalid-size", "register", "size", reversed_, _text("size"), reason=pl.lit("reversed")
        )


# The date-as-text reason of each field: what the workbook cannot do with the text.
DATE_AS_TEXT_REASONS = {"created_at": "created-at", "last_contact_at": "last-contact-at"}


@rule
def dates_are_dates(reg, log, ctx) -> Iterator[Hits]:
    """A date-time typed as text (2024/5/20 14:30 in LibreOffice, 2026.11.29) is checked as
    the date it reads as, and noted: the workbook's formulas and colours need a real date."""
    for role, frame, fd in time_fields(reg, log, ctx, TEXT):
        rows = frame.filter(pl.col(fd.key + TEXT))
        if rows.height:
            shown = "%Y-%m-%d %H:%M" if fd.type == "datetime" else "%Y-%m-%d"
            reason = DATE_AS_TEXT_REASONS.get(fd.key, "other") if role == "register" else "other"
            yield _hits(
                "date-as-text",
                role,
                fd.key,
                rows,
                _text(fd.key),
                date=pl.col(fd.key).dt.strftime(shown),
                reason=pl.lit(reason),
            )
