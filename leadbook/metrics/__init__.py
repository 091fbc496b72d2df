"""The numbers of the weekly / monthly review (R-S5.1, R-S5.2, R-K3, R-K5): pure functions over
the tables of :mod:`leadbook.metrics.tables`, with ``as_of`` and the period as parameters.

    facts = prepare(tables, config, as_of)      # as_of is a cut: nothing later counts
    period = report_period("month", as_of)      # the last complete month (to_date: this one)
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
from leadbook.metrics.headline import period_numbers
from leadbook.metrics.period import PERIODS, Period, period_for, previous_periods, report_period
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
    "period_numbers",
    "prepare",
    "reactivation",
    "report_period",
    "reps",
    "sla_breaches",
    "sla_outcomes",
    "stage_moves",
    "time_to_close",
    "trend",
    "won_in_period",
    "due_items",
    "split_breaches",
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
    to_date: bool = False,
) -> Metrics:
    """All metrics of the last complete ``period`` (week, month, quarter) before ``as_of``, or
    with ``to_date`` of the period containing ``as_of`` up to it (:func:`report_period`).
    Nothing created, contacted or logged after ``as_of`` counts (:func:`prepare`)."""
    facts = prepare(tables, config, as_of)
    p = report_period(period, as_of, to_date)
    cur = period_numbers(facts, p)
    prev = period_numbers(facts, previous_periods(p, 2)[0])
    ttc = time_to_close(facts, p)
    overdue, soon = dormancy(facts)
    breaches, backlog = split_breaches(sla_breaches(facts, p), p)
    react = reactivation(facts, p)
    actions = overdue_actions(facts)
    lists = (breaches, backlog, overdue, soon, actions)
    headline = {
        "leads": facts.leads.height,
        "later": tables.register.height - facts.leads.height,  # created after as_of
        "open": int((~facts.leads["_closed"]).sum()),
        "new": cur["new_leads"],
        "prev_new": prev["new_leads"],
        "conversion": cur["conversion"],
        "prev_conversion": prev["conversion"],
        "cohort_won": cur["cohort_won"],
        "won": cur["won"],
        "prev_won": prev["won"],
        "moved": stage_moves(facts, p),
        "median_days": cur["cycle_days_median"],
        "prev_median_days": prev["cycle_days_median"],
        "cycle_deals": cur["cycle_deals"],
        "deals": int(facts.leads["_won"].sum()),
        "sla_share": cur["sla_share"],
        "prev_sla_share": prev["sla_share"],
        "sla_evaluated": cur["sla_evaluated"],
        "breaches": breaches.height,
        "backlog": backlog.height,
        "dormant_overdue": overdue.height,
        "dormant_soon": soon.height,
        "reactivation": react.height,
        "overdue_actions": actions.height,
        "todo": pl.concat([f.select(KEY) for f in lists])[KEY].n_unique(),
        "todo_items": sum(f.height for f in lists),
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
