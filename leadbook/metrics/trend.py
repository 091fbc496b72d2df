"""How the numbers moved: the last 12 periods (weeks, months or quarters, the report's kind),
oldest first, ending with the report's period (issue 12, point 5).

Per period, the same numbers as the headline, by the same function
(:func:`~leadbook.metrics.headline.period_numbers`), so the last point is the headline:
``new_leads`` (created in it), ``won`` (closed won in it: ``_won_at``),
``conversion`` (won / new of its cohort, by the leads' status now),
``cycle_days_median`` (days from creation to close of the deals won in it),
``sla_share`` (first follow-up in time of its cohort) and the pipeline by stage at its end:
one column per open status of the config (待跟进 ... 商务谈判), the leads in that status then;
last (:data:`COUNTS`, not drawn) ``leads`` (created by its end) and the counts behind the
shares (``cohort_won``, ``cycle_deals``, ``sla_evaluated``), so each point of
``report --format json`` has the headline's keys.

The status of a lead at a moment (the period's end; as_of for a period still running):

1. a lead created after the moment (or without a creation time) is not counted;
2. the last 状态变更为 of its follow-up log dated before the moment;
3. none before but one later, or the lead was won / lost (``_won_at``, ``_lost_at``) after the
   moment: the status a lead starts in (the config's first status, 待跟进);
4. otherwise (the log records no status change at all): its status now.

Where an earlier register state is known (:attr:`Tables.snapshots`: an older master given
with the newest one, or kept by ``merge --into``), the pipeline at a period's end is the
latest snapshot taken in that period (after its start, at or before its end), counted as it
was then, instead of the reconstruction. A leading run of periods that end before the first
lead (and the first snapshot) is left out: the trend has at most 12 points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from leadbook.metrics.activity import sla_outcomes
from leadbook.metrics.facts import Facts, group
from leadbook.metrics.headline import period_numbers
from leadbook.metrics.period import Period, previous_periods
from leadbook.metrics.tables import KEY, Snapshot
from leadbook.read.normalize import FILE, ROW

TREND_PERIODS = 12
COLUMNS = ["period_start", "period_end", "label", "new_leads", "won", "conversion"]
COLUMNS += ["cycle_days_median", "sla_share"]
COUNTS = ["leads", "cohort_won", "cycle_deals", "sla_evaluated"]


def stage_columns(frame: pl.DataFrame) -> list[str]:
    """The pipeline's columns of a :func:`trend` frame (those neither numbers nor counts)."""
    return [c for c in frame.columns if c not in COLUMNS and c not in COUNTS]


def stages(facts: Facts) -> list[str]:
    """The pipeline's stages: the config's statuses that are not closed, in its order."""
    closed = set(group(facts.config, "closed"))
    return [s for s in facts.config.values("statuses") if s not in closed]


def _before(col: str, period: Period) -> pl.Expr:
    """True where the time in ``col`` lies before the period's end and not after as_of."""
    return (pl.col(col) < period.end) & (pl.col(col) <= period.as_of)


@dataclass(frozen=True)
class Changes:
    """The log's status changes in the order they were made (time, then file and row) and
    each lead's newest change (``_last_change``): made once for every period's end."""

    log: pl.DataFrame  # _lead, contact_at, status_to
    last: pl.DataFrame  # _lead, _last_change


def status_changes(facts: Facts) -> Changes:
    log = (
        facts.log.filter(
            pl.col(KEY).is_not_null()
            & pl.col("contact_at").is_not_null()
            & pl.col("status_to").is_not_null()
        )
        .sort("contact_at", FILE, ROW)
        .select(KEY, "contact_at", "status_to")
    )
    last = log.group_by(KEY).agg(pl.col("contact_at").max().alias("_last_change"))
    return Changes(log, last)


def status_at(facts: Facts, period: Period, changes: Changes | None = None) -> pl.DataFrame:
    """``_lead`` and ``status`` of every lead that existed at the period's end (the rule in
    the module's docstring). ``changes``: :func:`status_changes`, when already made."""
    changes = status_changes(facts) if changes is None else changes
    then = (
        changes.log.filter(_before("contact_at", period))
        .group_by(KEY)  # the order within a lead is kept: the last is the newest change
        .agg(pl.col("status_to").last().alias("_then"))
    )
    statuses = facts.config.values("statuses")
    entry = statuses[0] if statuses else None
    later = pl.col("_last_change").is_not_null() & ~_before("_last_change", period)
    closed_later = (pl.col("_won_at") >= period.end) | (pl.col("_lost_at") >= period.end)
    status = (
        pl.when(pl.col("_then").is_not_null())
        .then(pl.col("_then"))
        .when(later | closed_later.fill_null(False))
        .then(pl.lit(entry, dtype=pl.String))
        .otherwise(pl.col("status"))
    )
    return (
        facts.leads.filter(pl.col("created_at").is_not_null() & _before("created_at", period))
        .select(KEY, "status", "_won_at", "_lost_at")
        .join(then, on=KEY, how="left")
        .join(changes.last, on=KEY, how="left")
        .select(KEY, status.alias("status"))
    )


def snapshot_for(period: Period, snapshots: Sequence[Snapshot]) -> Snapshot | None:
    """The latest snapshot taken in the period (after its start, at or before its end and
    as_of), or None."""
    inside = [
        s
        for s in snapshots
        if period.start < s.taken_at <= min(period.end, period.as_of) and "status" in s.register
    ]
    return max(inside, key=lambda s: s.taken_at) if inside else None


def pipeline_at(
    facts: Facts,
    period: Period,
    snapshots: Sequence[Snapshot] = (),
    changes: Changes | None = None,
) -> dict[str, int]:
    """Leads per open stage at the period's end (from a snapshot where one was taken)."""
    snap = snapshot_for(period, snapshots)
    frame = snap.register if snap is not None else status_at(facts, period, changes)
    counts = dict(frame.group_by("status").agg(pl.len()).iter_rows())
    return {s: int(counts.get(s, 0)) for s in stages(facts)}


def trend(
    facts: Facts, period: Period, snapshots: Sequence[Snapshot] = (), n: int = TREND_PERIODS
) -> pl.DataFrame:
    """One row per period, oldest first: the columns of the module's docstring."""
    periods = previous_periods(period, n)
    known = [s.taken_at for s in snapshots if s.taken_at <= facts.as_of]
    firsts = [facts.leads["created_at"].min(), *known]
    first = min((t for t in firsts if t is not None), default=None)
    periods = [q for q in periods if first is not None and q.end > first] or [period]
    names = stages(facts)
    changes = status_changes(facts)
    outcomes = sla_outcomes(facts)
    created = facts.leads["created_at"].drop_nulls()
    rows = []
    for q in periods:
        numbers = period_numbers(facts, q, outcomes)  # the headline's numbers, the same way
        numbers["leads"] = int(((created < q.end) & (created <= q.as_of)).sum())
        rows.append(
            {
                "period_start": q.start.date(),
                "period_end": q.last_day,
                "label": q.label,
                **{k: numbers[k] for k in COLUMNS[3:]},
                **pipeline_at(facts, q, snapshots, changes),
                **{k: numbers[k] for k in COUNTS},
            }
        )
    schema = {
        "period_start": pl.Date, "period_end": pl.Date, "label": pl.String,
        "new_leads": pl.Int64, "won": pl.Int64, "conversion": pl.Float64,
        "cycle_days_median": pl.Float64, "sla_share": pl.Float64,
        **{s: pl.Int64 for s in names}, **{k: pl.Int64 for k in COUNTS},
    }  # fmt: skip
    return pl.DataFrame(rows, schema=schema)
