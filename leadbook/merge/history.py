"""A merged master's state as a snapshot of the history store (``leadbook.history.store``):
each ``merge --into`` (and ``merge -o`` with ``--history``) appends one, under the master's
lock.

The lead rows are taken from the merge's own result (texts already masked), with the facts the
reports derive from the log computed the way ``leadbook.metrics.facts`` computes them: the
first logged contact, and when a won (lost) lead closed: its first log entry changing to a won
(lost) status, else its 最近跟进时间. Log entries after the as-of are ignored.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl

from leadbook import __version__
from leadbook.core.config import TeamConfig, load_config
from leadbook.history.store import LEAD_KEYS, SnapshotInfo, write_snapshot
from leadbook.merge.columns import REP, SRC
from leadbook.merge.results import MergeResult

_FIELDS = ("lead_id", "channel", "status", "potential", "industry", "loss_reason")
_TIMES = ("created_at", "last_contact_at", "next_due")


def snapshot_frame(result: MergeResult, config: TeamConfig, as_of: datetime) -> pl.DataFrame:
    """One row per master lead with the store's columns (:data:`LEAD_KEYS`)."""
    won = list(config.status_groups.get("won", ()))
    lost = list(config.status_groups.get("lost", ()))
    log = result.log
    dated = log.filter(
        pl.col("lead_id").is_not_null()
        & pl.col("contact_at").is_not_null()
        & (pl.col("contact_at") <= as_of)
    )
    per_lead = dated.group_by("lead_id").agg(
        pl.col("contact_at").min().alias("first_contact_at"),
        pl.col("contact_at").filter(pl.col("status_to").is_in(won)).min().alias("_won_log"),
        pl.col("contact_at").filter(pl.col("status_to").is_in(lost)).min().alias("_lost_log"),
    )
    reg = result.register
    time = pl.Datetime("us")
    frame = (
        reg.select(
            *[pl.col(k).cast(pl.String) for k in _FIELDS],
            *[pl.col(k).cast(time) for k in _TIMES],
            pl.col(REP).alias("rep"),
            pl.col(SRC).alias("source_file"),
        )
        .join(per_lead, on="lead_id", how="left", nulls_equal=False, maintain_order="left")
        .with_columns(
            pl.when(pl.col("status").is_in(won))
            .then(pl.coalesce("_won_log", "last_contact_at"))
            .alias("won_at"),
            pl.when(pl.col("status").is_in(lost))
            .then(pl.coalesce("_lost_log", "last_contact_at"))
            .alias("lost_at"),
        )
    )
    return frame.select(LEAD_KEYS)


def record_snapshot(
    result: MergeResult,
    store: str | Path,
    *,
    master: str | Path,
    config: TeamConfig | None = None,
    written_at: datetime | None = None,
) -> SnapshotInfo:
    """Write the master's state as the snapshot of the merge's as-of week (replacing that
    week's snapshot). Raises ``LeadbookError``; the store is unchanged then."""
    config = config or load_config()
    as_of = result.report.as_of
    frame = snapshot_frame(result, config, as_of)
    return write_snapshot(
        store,
        frame,
        taken_at=as_of,
        master=Path(master).name,
        version=__version__,
        written_at=written_at,
    )
