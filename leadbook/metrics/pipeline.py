"""How leads move and convert: the funnel, conversion per channel, time to close and the
reasons deals are lost (R-S5.1, R-S4.2). Pure functions of :class:`Facts` and a period."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from leadbook.metrics.facts import Facts
from leadbook.metrics.period import Period
from leadbook.metrics.tables import KEY

DIMENSIONS = ("potential", "channel", "industry")  # time to close is shown by each of these


def ordered(frame: pl.DataFrame, col: str, order: Sequence[str]) -> pl.DataFrame:
    """``frame`` sorted by ``col`` in the config's order; other values after, then empty."""
    rank = {v: i for i, v in enumerate(order)}
    key = pl.col(col).replace_strict(rank, default=len(order), return_dtype=pl.Int32)
    return frame.sort(key, pl.col(col).is_null(), col)


def _ratio(num: str, den: str) -> pl.Expr:
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)


def funnel(facts: Facts, period: Period) -> pl.DataFrame:
    """Per status: ``leads`` in it now, and ``entered``: how many leads moved into it in the
    period (distinct leads with a log entry 状态变更为 that status)."""
    statuses = list(facts.config.values("statuses"))
    now = (
        facts.leads.filter(pl.col("status").is_not_null())
        .group_by("status")
        .agg(pl.len().cast(pl.Int64).alias("leads"))
    )
    moves = (
        facts.log.filter(
            period.current("contact_at")
            & pl.col("status_to").is_not_null()
            & pl.col(KEY).is_not_null()
        )
        .group_by(pl.col("status_to").alias("status"))
        .agg(pl.col(KEY).n_unique().cast(pl.Int64).alias("entered"))
    )
    known = pl.DataFrame({"status": statuses}, schema={"status": pl.String})
    frame = (
        pl.concat([known, now.select("status"), moves.select("status")])
        .unique(maintain_order=True)
        .join(now, on="status", how="left")
        .join(moves, on="status", how="left")
        .with_columns(pl.col("leads", "entered").fill_null(0))
    )
    return ordered(frame, "status", statuses)


def stage_moves(facts: Facts, period: Period) -> int:
    """Distinct leads whose status changed in the period."""
    moved = facts.log.filter(
        period.current("contact_at") & pl.col("status_to").is_not_null() & pl.col(KEY).is_not_null()
    )
    return moved[KEY].n_unique()


def channels(facts: Facts, period: Period) -> pl.DataFrame:
    """Per channel, the period's cohort (leads created in it): ``new``, ``won`` and ``lost``
    (of those, by their status now), ``conversion`` = won / new; the same for the previous
    period (``prev_*``), ``change`` in conversion (a fraction: 0.05 is 5 points); and to date:
    ``total``, ``total_won``, ``total_conversion``."""
    leads = facts.leads.filter(pl.col("created_at") <= facts.as_of)
    cur, prev = period.current("created_at"), period.previous("created_at")
    frame = leads.group_by("channel").agg(
        cur.sum().cast(pl.Int64).alias("new"),
        (cur & pl.col("_won")).sum().cast(pl.Int64).alias("won"),
        (cur & pl.col("_lost")).sum().cast(pl.Int64).alias("lost"),
        prev.sum().cast(pl.Int64).alias("prev_new"),
        (prev & pl.col("_won")).sum().cast(pl.Int64).alias("prev_won"),
        pl.len().cast(pl.Int64).alias("total"),
        pl.col("_won").sum().cast(pl.Int64).alias("total_won"),
    )
    known = [c.name for c in facts.config.channels]
    missing = [c for c in known if c not in frame["channel"].to_list()]
    if missing:
        zeros = pl.DataFrame({"channel": missing}).with_columns(
            [pl.lit(0, dtype=pl.Int64).alias(c) for c in frame.columns if c != "channel"]
        )
        frame = pl.concat([frame, zeros], how="diagonal_relaxed")
    frame = frame.with_columns(
        _ratio("won", "new").alias("conversion"),
        _ratio("prev_won", "prev_new").alias("prev_conversion"),
        _ratio("total_won", "total").alias("total_conversion"),
    ).with_columns((pl.col("conversion") - pl.col("prev_conversion")).alias("change"))
    columns = ["channel", "new", "won", "lost", "conversion", "prev_new", "prev_won"]
    columns += ["prev_conversion", "change", "total", "total_won", "total_conversion"]
    return ordered(frame.select(columns), "channel", known)


def cohort_totals(facts: Facts, period: Period) -> dict[str, float | int | None]:
    """new, won, conversion for the period's cohort and the previous one, over all channels."""
    leads = facts.leads
    out: dict[str, float | int | None] = {}
    for name, cond in (
        ("", period.current("created_at")),
        ("prev_", period.previous("created_at")),
    ):
        row = leads.select(cond.sum().alias("n"), (cond & pl.col("_won")).sum().alias("w")).row(0)
        n, w = int(row[0]), int(row[1])
        out |= {f"{name}new": n, f"{name}won": w, f"{name}conversion": w / n if n else None}
    return out


def _days(start: str, end: str) -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_seconds() / 86400


def time_to_close(facts: Facts, period: Period) -> pl.DataFrame:
    """Days from creation to close of every won lead, by potential level, channel and
    industry section: ``deals``, ``mean_days``, ``median_days`` (to date) and
    ``deals_period`` / ``median_days_period`` (closed in the period). One row with
    ``dimension == "all"`` (``group`` null) for every deal."""
    won = facts.leads.filter(
        pl.col("_won")
        & pl.col("created_at").is_not_null()
        & pl.col("_won_at").is_not_null()
        & (pl.col("_won_at") >= pl.col("created_at"))
        & (pl.col("_won_at") <= facts.as_of)
    ).with_columns(
        _days("created_at", "_won_at").alias("_days"), period.current("_won_at").alias("_in")
    )
    aggs = [
        pl.len().cast(pl.Int64).alias("deals"),
        pl.col("_days").mean().alias("mean_days"),
        pl.col("_days").median().alias("median_days"),
        pl.col("_in").sum().cast(pl.Int64).alias("deals_period"),
        pl.col("_days").filter(pl.col("_in")).median().alias("median_days_period"),
    ]
    orders = {
        "potential": facts.config.values("potential_levels"),
        "channel": [c.name for c in facts.config.channels],
        "industry": facts.config.values("industry_sections"),
    }
    parts = [
        won.select(aggs).with_columns(
            pl.lit("all").alias("dimension"), pl.lit(None, dtype=pl.String).alias("group")
        )
    ]
    for dim in DIMENSIONS:
        by = won.group_by(pl.col(dim).alias("group")).agg(aggs)
        if dim == "industry":
            by = by.sort("deals", "group", descending=[True, False])
        else:
            by = ordered(by, "group", orders[dim])
        parts.append(by.with_columns(pl.lit(dim).alias("dimension")))
    columns = ["dimension", "group", "deals", "mean_days", "median_days", "deals_period"]
    columns.append("median_days_period")
    return pl.concat([p.select(columns) for p in parts], how="vertical_relaxed")


def won_in_period(facts: Facts, period: Period) -> tuple[int, int]:
    """Deals closed in the period and in the previous one."""
    row = facts.leads.select(
        period.current("_won_at").sum().alias("a"), period.previous("_won_at").sum().alias("b")
    ).row(0)
    return int(row[0] or 0), int(row[1] or 0)


def loss_reasons(facts: Facts, period: Period) -> pl.DataFrame:
    """The Pareto of loss reasons over every lead lost to date (status in the lost group):
    ``lost``, ``share``, ``cumulative`` (share of the reasons up to this one, largest first),
    and ``lost_period`` (lost in the period). A lost lead without a reason counts as null."""
    lost = facts.leads.filter(pl.col("_lost"))
    frame = (
        lost.group_by(pl.col("loss_reason").alias("reason"))
        .agg(
            pl.len().cast(pl.Int64).alias("lost"),
            period.current("_lost_at").sum().cast(pl.Int64).alias("lost_period"),
        )
        .sort(
            pl.col("lost"),
            pl.col("reason").is_null(),
            pl.col("reason"),
            descending=[True, False, False],
        )
    )
    total = max(lost.height, 1)
    return frame.with_columns(
        (pl.col("lost") / total).alias("share"),
        (pl.col("lost").cum_sum() / total).alias("cumulative"),
    ).select("reason", "lost", "share", "cumulative", "lost_period")


def loss_by_channel(facts: Facts) -> pl.DataFrame:
    """Lost leads to date, reason by channel: one row per (reason, channel) with ``lost``."""
    return (
        facts.leads.filter(pl.col("_lost"))
        .group_by(pl.col("loss_reason").alias("reason"), "channel")
        .agg(pl.len().cast(pl.Int64).alias("lost"))
        .sort("reason", "channel", nulls_last=True)
    )
