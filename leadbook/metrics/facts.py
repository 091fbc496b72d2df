"""Per-lead facts every metric uses, computed once from the register and the log:

- ``_first`` / ``_last_log``: the first and newest logged contact (entries after as_of ignored);
- ``_won_at`` / ``_lost_at``: when a won (lost) lead was closed: the first log entry whose
  状态变更为 is a won (lost) status, else its 最近跟进时间;
- ``_touch``: the newest of creation, 最近跟进时间 and the newest logged contact (idle time
  counts from here);
- ``_won``, ``_lost``, ``_dormant``, ``_closed``: the lead's current status in the config's
  status groups; ``_rank``: its potential level's place (0 = highest; unknown last).

``as_of`` is a cut: the register as it stood then, as far as the master tells it. Leads created
after as_of are left out; log entries after as_of are ignored; a 最近跟进时间 after as_of is
replaced by the newest logged contact up to as_of (or none); a lead whose status a log entry
after as_of changed has the status of its last change up to as_of (or the first status, a new
lead's, when none). So a master with later rows gives the report the earlier master gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from leadbook.core.config import TeamConfig
from leadbook.metrics.tables import KEY, Tables

NO_TIME = pl.lit(None, dtype=pl.Datetime("us"))


@dataclass(frozen=True)
class Facts:
    leads: pl.DataFrame  # the register with the derived columns above
    log: pl.DataFrame  # log entries up to as_of, with ``_lead``
    config: TeamConfig
    as_of: datetime


def group(config: TeamConfig, name: str) -> list[str]:
    return list(config.status_groups.get(name, ()))


def prepare(tables: Tables, config: TeamConfig, as_of: datetime) -> Facts:
    later = tables.log.filter(pl.col("contact_at") > as_of)
    log = tables.log.filter(pl.col("contact_at").is_null() | (pl.col("contact_at") <= as_of))
    register = _as_it_stood(tables.register, log, later, config, as_of)
    won, lost = group(config, "won"), group(config, "lost")
    dated = log.filter(pl.col(KEY).is_not_null() & pl.col("contact_at").is_not_null())
    per_lead = dated.group_by(KEY).agg(
        pl.col("contact_at").min().alias("_first"),
        pl.col("contact_at").max().alias("_last_log"),
        pl.col("contact_at").filter(pl.col("status_to").is_in(won)).min().alias("_won_log"),
        pl.col("contact_at").filter(pl.col("status_to").is_in(lost)).min().alias("_lost_log"),
    )
    levels = list(config.values("potential_levels"))
    status = pl.col("status")
    leads = (
        register.join(per_lead, on=KEY, how="left")
        .with_columns(
            pl.when(pl.col("last_contact_at") > as_of)
            .then(pl.col("_last_log"))
            .otherwise(pl.col("last_contact_at"))
            .alias("last_contact_at")
        )
        .with_columns(
            status.is_in(won).alias("_won"),
            status.is_in(lost).alias("_lost"),
            status.is_in(group(config, "dormant")).alias("_dormant"),
            status.is_in(group(config, "closed")).alias("_closed"),
            pl.col("potential")
            .replace_strict(levels, list(range(len(levels))), default=len(levels))
            .cast(pl.Int32)
            .alias("_rank"),
            pl.max_horizontal("created_at", "last_contact_at", "_last_log").alias("_touch"),
        )
        .with_columns(
            pl.when("_won").then(pl.coalesce("_won_log", "last_contact_at")).alias("_won_at"),
            pl.when("_lost").then(pl.coalesce("_lost_log", "last_contact_at")).alias("_lost_at"),
        )
        .drop("_won_log", "_lost_log")
    )
    return Facts(leads, log, config, as_of)


def _as_it_stood(
    register: pl.DataFrame, log: pl.DataFrame, later: pl.DataFrame, config: TeamConfig, as_of
) -> pl.DataFrame:
    """The register without the leads created after as_of, each lead's status as of as_of."""
    register = register.filter(pl.col("created_at").is_null() | (pl.col("created_at") <= as_of))
    changed = later.filter(pl.col(KEY).is_not_null() & pl.col("status_to").is_not_null())
    if changed.is_empty():
        return register
    statuses = config.values("statuses")
    before = (
        log.filter(pl.col(KEY).is_not_null() & pl.col("status_to").is_not_null())
        .filter(pl.col("contact_at").is_not_null())
        .sort("contact_at")
        .group_by(KEY)
        .agg(pl.col("status_to").last().alias("_status_then"))
    )
    moved = changed.select(pl.col(KEY).unique(), pl.lit(True).alias("_moved"))
    first = pl.lit(statuses[0] if statuses else None, dtype=pl.String)
    return (
        register.join(moved, on=KEY, how="left")
        .join(before, on=KEY, how="left")
        .with_columns(
            pl.when(pl.col("_moved"))
            .then(pl.coalesce("_status_then", first))
            .otherwise(pl.col("status"))
            .alias("status")
        )
        .drop("_moved", "_status_then")
    )
