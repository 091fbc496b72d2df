"""The numbers of the weekly / monthly review (R-S5.1, R-S5.2, R-K3, R-K5): pure functions over
the tables of :mod:`leadbook.metrics.tables`, with ``as_of`` and the period as parameters.

    facts = prepare(tables, config, as_of)
    period = period_for("month", as_of)
    channels(facts, period)          # conversion per channel, with the previous period

:func:`compute` runs them all into one :class:`Metrics` for the report writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from leadbook.core.config import TeamConfig
from leadbook.metrics.activity import (
    dormancy,
    first_follow_up,
    overdue_actions,
    reactivation,
    reps,
    sla_breaches,
    sla_outcomes,
)
from leadbook.metrics.due import due_items, split_breaches
from leadbook.metrics.facts import Facts, prepare
from leadbook.metrics.period import PERIODS, Period, period_for
from leadbook.metrics.pipeline import (
    channels,
    cohort_totals,
    funnel,
    loss_by_channel,
    loss_reasons,
    stage_moves,
    time_to_close,
    won_in_period,
)
from leadbook.metrics.tables import KEY, Tables
from leadbook.metrics.terms import need_terms
from leadbook.metrics.trend import trend

__all__ = [
    "PERIODS",
    "Facts",
    "Metrics",
    "Period",
    "channels",
    "cohort_totals",
    "compute",
    "dormancy",
    "first_follow_up",
    "funnel",
    "loss_by_channel",
    "loss_reasons",
    "need_terms",
    "overdue_actions",
    "period_for",
    "prepare",
    "reactivation",
    "reps",
    "sla_breaches",
    "sla_outcomes",
    "stage_moves",
    "time_to_close",
    "won_in_period",
    "due_items",
    "split_breaches",
    "trend",
]


@dataclass
class Metrics:
    """Every number of one report. Frames as the metric functions return them."""

    period: Period
    headline: dict[str, float | int | None]
    funnel: pl.DataFrame
    channels: pl.DataFrame
    time_to_close: pl.DataFrame
    sla_by_level: pl.DataFrame
    sla_by_rep: pl.DataFrame
    breaches: pl.DataFrame
    dormant_overdue: pl.DataFrame
    dormant_soon: pl.DataFrame
    reactivation: pl.DataFrame
    overdue_actions: pl.DataFrame
    loss_reasons: pl.DataFrame
    loss_by_channel: pl.DataFrame
    terms: pl.DataFrame
    reps: pl.DataFrame
    # The last periods, oldest first (metrics.trend): period_start, period_end, label,
    # new_leads, won, conversion, cycle_days_median, sla_share, one column per open stage.
    trend: pl.DataFrame
    # Each rep's to-do for the coming due_days (metrics.due): one row per item, with ``rep``.
    due: pl.DataFrame
    # SLA breaches whose deadline lies before the period (``breaches`` are the period's).
    backlog: pl.DataFrame


def compute(
    tables: Tables,
    *,
    period: str,
    as_of: datetime,
    config: TeamConfig,
    terms: bool = True,
) -> Metrics:
    """All metrics of the ``period`` (week, month, quarter) that contains ``as_of``; the
    to-do covers the config's ``due_days``."""
    facts = prepare(tables, config, as_of)
    p = period_for(period, as_of)
    cohort = cohort_totals(facts, p)
    won, prev_won = won_in_period(facts, p)
    ttc = time_to_close(facts, p)
    sla = first_follow_up(facts, p)
    overdue, soon = dormancy(facts)
    breaches, backlog = split_breaches(sla_breaches(facts, p), p)
    react = reactivation(facts, p)
    actions = overdue_actions(facts)
    overall = ttc.filter(pl.col("dimension") == "all").row(0, named=True)
    sla_row = sla.row(0, named=True)
    headline = {
        "leads": facts.leads.height,
        "open": int((~facts.leads["_closed"]).sum()),
        "new": cohort["new"],
        "prev_new": cohort["prev_new"],
        "conversion": cohort["conversion"],
        "prev_conversion": cohort["prev_conversion"],
        "won": won,
        "prev_won": prev_won,
        "moved": stage_moves(facts, p),
        "median_days": overall["median_days"],
        "median_days_period": overall["median_days_period"],
        "deals": overall["deals"],
        "sla_share": sla_row["share"],
        "prev_sla_share": sla_row["prev_share"],
        "sla_evaluated": sla_row["evaluated"],
        "breaches": breaches.height,
        "backlog": backlog.height,
        "dormant_overdue": overdue.height,
        "dormant_soon": soon.height,
        "reactivation": react.height,
        "overdue_actions": actions.height,
        "todo": pl.concat([f.select(KEY) for f in (breaches, backlog, overdue, soon, actions)])[
            KEY
        ].n_unique(),
        "lost": int(facts.leads["_lost"].sum()),
    }
    return Metrics(
        period=p,
        headline=headline,
        funnel=funnel(facts, p),
        channels=channels(facts, p),
        time_to_close=ttc,
        sla_by_level=first_follow_up(facts, p, by="potential"),
        sla_by_rep=first_follow_up(facts, p, by="rep"),
        breaches=breaches,
        dormant_overdue=overdue,
        dormant_soon=soon,
        reactivation=react,
        overdue_actions=actions,
        loss_reasons=loss_reasons(facts, p),
        loss_by_channel=loss_by_channel(facts),
        terms=need_terms(facts) if terms else need_terms_empty(),
        reps=reps(facts, p),
        trend=trend(facts, p, tables.snapshots),
        due=due_items(facts),
        backlog=backlog,
    )


def need_terms_empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"term": pl.String, "leads": pl.Int64, "share": pl.Float64, "example": pl.String}
    )
