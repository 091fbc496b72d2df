"""Is the team working its leads: first follow-up in time (R-K3), leads going dormant and the
quarterly re-activation list (R-S5.2), overdue next actions, and the numbers per rep (R-K5).
Pure functions of :class:`Facts` and a period."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from leadbook.metrics.facts import Facts
from leadbook.metrics.period import Period
from leadbook.metrics.tables import KEY, REP

# First follow-up outcome of a lead with an SLA (hours per potential level):
MET, LATE, MISSED = "met", "late", "missed"  # evaluated: in time; too late; none, deadline passed
PENDING, UNKNOWN = "pending", "unknown"  # not evaluated: deadline ahead; contacted, not logged
SHOWN = ["lead_id", "company", "potential", "channel", "status", REP]


def sla_outcomes(facts: Facts) -> pl.DataFrame:
    """Every lead whose level has an SLA, with ``_deadline`` and ``_sla``: met, late, missed,
    pending or unknown. The first contact is the lead's earliest log entry; a lead contacted
    (最近跟进时间 filled) without any log entry is unknown (R-K1: no guessing); a lead never
    contacted after its deadline is missed, unless it is closed (then unknown)."""
    hours = facts.config.sla_hours
    sla = pl.col("potential").replace_strict(hours, default=None, return_dtype=pl.Float64)
    leads = facts.leads.filter(
        pl.col("potential").is_in(list(hours)) & pl.col("created_at").is_not_null()
    ).with_columns((pl.col("created_at") + pl.duration(minutes=sla * 60)).alias("_deadline"))
    first, deadline = pl.col("_first"), pl.col("_deadline")
    untouched = first.is_null() & pl.col("last_contact_at").is_null()
    outcome = (
        pl.when(first.is_not_null() & (first <= deadline))
        .then(pl.lit(MET))
        .when(first.is_not_null())
        .then(pl.lit(LATE))
        .when(untouched & (deadline >= facts.as_of) & ~pl.col("_closed"))
        .then(pl.lit(PENDING))
        .when(untouched & ~pl.col("_closed"))
        .then(pl.lit(MISSED))
        .otherwise(pl.lit(UNKNOWN))
    )
    return leads.with_columns(outcome.alias("_sla"))


def _share(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    evaluated = pl.col("_sla").is_in([MET, LATE, MISSED])
    aggs = [
        (pl.col("_sla") == MET).sum().cast(pl.Int64).alias("met"),
        (pl.col("_sla") == LATE).sum().cast(pl.Int64).alias("late"),
        (pl.col("_sla") == MISSED).sum().cast(pl.Int64).alias("missed"),
        (pl.col("_sla") == PENDING).sum().cast(pl.Int64).alias("pending"),
        evaluated.sum().cast(pl.Int64).alias("evaluated"),
    ]
    out = frame.group_by(by).agg(aggs) if by else frame.select(aggs)
    return out.with_columns(
        pl.when(pl.col("evaluated") > 0).then(pl.col("met") / pl.col("evaluated")).alias("share")
    )


def first_follow_up(facts: Facts, period: Period, by: str | None = None) -> pl.DataFrame:
    """Share of the period's cohort (leads with an SLA created in the period) contacted in
    time: met / (met + late + missed); ``pending`` are not counted yet. ``by`` a column
    (``potential``, ``rep``) or None for one row; ``prev_share`` is the previous cohort's."""
    outcomes = sla_outcomes(facts)
    keys = [by] if by else []
    cur = _share(outcomes.filter(period.current("created_at")), keys)
    prev = _share(outcomes.filter(period.previous("created_at")), keys).select(
        *keys, pl.col("share").alias("prev_share")
    )
    if not by:
        return pl.concat([cur, prev], how="horizontal")
    out = cur.join(prev, on=keys, how="full", coalesce=True).with_columns(
        pl.col("met", "late", "missed", "pending", "evaluated").fill_null(0)
    )
    # group_by and the join keep no order: levels in the config's order, reps by name
    levels = list(facts.config.values("potential_levels")) if by == "potential" else []
    order = pl.col(by).replace_strict(levels, list(range(len(levels))), default=len(levels))
    return out.sort(order if levels else pl.col(by), pl.col(by), nulls_last=True)


def sla_breaches(facts: Facts, period: Period) -> pl.DataFrame:
    """The leads to act on: the period's cohort contacted late or not at all, and leads from
    outside it (before it, or after it when the period is the last complete one) still
    waiting for their first contact past the deadline. ``hours_late``
    is first contact (or as_of, when none) minus the deadline. Never-contacted first, then by
    potential and creation."""
    outcomes = sla_outcomes(facts)
    cohort = period.current("created_at")
    rows = outcomes.filter(
        (cohort & pl.col("_sla").is_in([LATE, MISSED])) | (~cohort & (pl.col("_sla") == MISSED))
    )
    late = (pl.coalesce("_first", pl.lit(facts.as_of)) - pl.col("_deadline")).dt.total_seconds()
    return rows.with_columns((late / 3600).alias("hours_late")).sort(
        pl.col("_sla") != MISSED, "_rank", "created_at"
    ).select(
        *SHOWN, "created_at", pl.col("_deadline").alias("deadline"),
        pl.col("_first").alias("first_contact_at"), "hours_late", pl.col("_sla").alias("outcome"),
        "need", "next_action", KEY,
    )  # fmt: skip


def _idle(as_of: datetime) -> pl.Expr:
    """Whole days since the last touch (the way ``validate`` counts them)."""
    return (pl.lit(as_of) - pl.col("_touch")).dt.total_days()


def dormancy(facts: Facts) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(overdue, soon): open leads idle more than dormancy_days (to mark 已休眠), and open
    leads that turn dormant within dormant_soon_days (``days_left``: act now)."""
    days, soon = facts.config.dormancy_days, facts.config.dormant_soon_days
    open_ = facts.leads.filter(~pl.col("_closed") & pl.col("_touch").is_not_null()).with_columns(
        _idle(facts.as_of).alias("idle_days")
    )
    columns = [*SHOWN, pl.col("_touch").alias("last_touch"), "idle_days"]
    overdue = (
        open_.filter(pl.col("idle_days") > days)
        .sort("_rank", pl.col("idle_days"), descending=[False, True])
        .select(*columns, "next_action", KEY)
    )
    coming = (
        open_.filter((pl.col("idle_days") > days - soon) & (pl.col("idle_days") <= days))
        .with_columns((days - pl.col("idle_days")).alias("days_left"))
        .sort("days_left", "_rank")
        .select(*columns, "days_left", "next_action", KEY)
    )
    return overdue, coming


def reactivation(facts: Facts, period: Period) -> pl.DataFrame:
    """The quarter's re-activation list (R-S5.2): every 已休眠 lead not touched since the
    quarter began, highest potential first, then the longest idle."""
    return (
        facts.leads.filter(
            pl.col("_dormant")
            & (pl.col("_touch").is_null() | (pl.col("_touch") < period.quarter_start))
        )
        .with_columns(_idle(facts.as_of).alias("idle_days"))
        .sort("_rank", "_touch", nulls_last=False)
        .select(*SHOWN, pl.col("_touch").alias("last_touch"), "idle_days", "need", KEY)
    )


def overdue_actions(facts: Facts) -> pl.DataFrame:
    """Open leads whose next action's deadline (行动截止日期) is before as_of's day."""
    today = datetime(facts.as_of.year, facts.as_of.month, facts.as_of.day)
    due = pl.col("next_due").dt.truncate("1d")
    return (
        facts.leads.filter(~pl.col("_closed") & (due < today))
        .with_columns(((pl.lit(today) - due).dt.total_days()).alias("days_overdue"))
        .sort(pl.col("days_overdue"), "_rank", descending=[True, False])
        .select(*SHOWN, "next_due", "days_overdue", "next_action", KEY)
    )


def reps(facts: Facts, period: Period) -> pl.DataFrame:
    """Per rep: ``leads`` owned, ``new`` (created in the period), ``contacts`` (log entries the
    rep made in the period), ``won`` (closed in the period), ``won_total``, ``conversion``
    (won_total / leads), ``sla_share`` (the period's cohort), ``overdue_actions`` (open leads
    with a next action past its deadline)."""
    today = datetime(facts.as_of.year, facts.as_of.month, facts.as_of.day)
    leads = facts.leads.filter(pl.col(REP).is_not_null())
    per_rep = leads.group_by(REP).agg(
        pl.len().cast(pl.Int64).alias("leads"),
        period.current("created_at").sum().cast(pl.Int64).alias("new"),
        period.current("_won_at").sum().cast(pl.Int64).alias("won"),
        pl.col("_won").sum().cast(pl.Int64).alias("won_total"),
        (~pl.col("_closed") & (pl.col("next_due").dt.truncate("1d") < today))
        .sum()
        .cast(pl.Int64)
        .alias("overdue_actions"),
    )
    contacts = (
        facts.log.filter(period.current("contact_at") & pl.col("owner").is_not_null())
        .group_by(pl.col("owner").alias(REP))
        .agg(pl.len().cast(pl.Int64).alias("contacts"))
    )
    sla = first_follow_up(facts, period, by=REP).select(REP, pl.col("share").alias("sla_share"))
    counts = ["leads", "new", "won", "won_total", "overdue_actions", "contacts"]
    return (
        per_rep.join(contacts, on=REP, how="full", coalesce=True)
        .join(sla, on=REP, how="left")
        .filter(pl.col(REP).is_not_null())
        .with_columns(pl.col(counts).fill_null(0))
        .with_columns(
            pl.when(pl.col("leads") > 0)
            .then(pl.col("won_total") / pl.col("leads"))
            .alias("conversion")
        )
        .sort(pl.col("won"), pl.col("won_total"), pl.col(REP), descending=[True, True, False])
        .select(
            REP,
            "leads",
            "new",
            "contacts",
            "won",
            "won_total",
            "conversion",
            "sla_share",
            "overdue_actions",
        )
    )
