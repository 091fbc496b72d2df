"""The headline numbers of one period, each defined once (issue 12, point 4): the report's
period, the previous period and every point of the trend come from :func:`period_numbers`, so
the terminal, the page, the Excel summary and ``--format json`` show one value per number.

- ``new_leads``: leads created in the period (its cohort);
- ``won``: deals closed in the period (the log entry that set a won status, else the lead's
  最近跟进时间);
- ``conversion``: the share of the cohort won by as_of (``cohort_won`` / ``new_leads``);
- ``cycle_days_median``: the median days from creation to close of the deals closed in the
  period (``cycle_deals`` of them, those with both times);
- ``sla_share``: the share of the cohort's leads with an SLA contacted in time, of those whose
  deadline has passed (``sla_evaluated``).
"""

from __future__ import annotations

import polars as pl

from leadbook.metrics.activity import LATE, MET, MISSED, sla_outcomes
from leadbook.metrics.facts import Facts
from leadbook.metrics.period import Period

NUMBERS = ("new_leads", "won", "cohort_won", "conversion", "cycle_days_median", "cycle_deals",
           "sla_share", "sla_evaluated")  # fmt: skip


def period_numbers(
    facts: Facts, period: Period, outcomes: pl.DataFrame | None = None
) -> dict[str, float | int | None]:
    """The headline numbers of ``period`` (see the module's docstring); ``outcomes`` is
    :func:`sla_outcomes` of ``facts`` when the caller has it already."""
    outcomes = sla_outcomes(facts) if outcomes is None else outcomes
    leads = facts.leads
    cohort = period.current("created_at")
    closed = period.current("_won_at")
    valid = pl.col("created_at").is_not_null() & (pl.col("_won_at") >= pl.col("created_at"))
    days = (pl.col("_won_at") - pl.col("created_at")).dt.total_seconds() / 86400
    row = leads.select(
        cohort.sum().alias("new"),
        (cohort & pl.col("_won")).sum().alias("cohort_won"),
        closed.sum().alias("won"),
        days.filter(closed & valid).median().alias("median"),
        (closed & valid).sum().alias("deals"),
    ).row(0, named=True)
    sla = (
        outcomes.filter(period.current("created_at"))
        .select(
            (pl.col("_sla") == MET).sum().alias("met"),
            pl.col("_sla").is_in([MET, LATE, MISSED]).sum().alias("evaluated"),
        )
        .row(0, named=True)
    )
    new, cohort_won = int(row["new"] or 0), int(row["cohort_won"] or 0)
    evaluated = int(sla["evaluated"] or 0)
    return {
        "new_leads": new,
        "won": int(row["won"] or 0),
        "cohort_won": cohort_won,
        "conversion": cohort_won / new if new else None,
        "cycle_days_median": row["median"],
        "cycle_deals": int(row["deals"] or 0),
        "sla_share": int(sla["met"] or 0) / evaluated if evaluated else None,
        "sla_evaluated": evaluated,
    }
