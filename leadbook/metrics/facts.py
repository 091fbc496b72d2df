"""Per-lead facts every metric uses, computed once from the register and the log:

- ``_first`` / ``_last_log``: the first and newest logged contact (entries after as_of ignored);
- ``_won_at`` / ``_lost_at``: when a won (lost) lead was closed: the first log entry whose
  状态变更为 is a won (lost) status, else its 最近跟进时间;
- ``_touch``: the newest of creation, 最近跟进时间 and the newest logged contact (idle time
  counts from here);
- ``_won``, ``_lost``, ``_dormant``, ``_closed``: the lead's current status in the config's
  status groups; ``_rank``: its potential level's place (0 = highest; unknown last).
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
    log = tables.log.filter(pl.col("contact_at").is_null() | (pl.col("contact_at") <= as_of))
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
        tables.register.join(per_lead, on=KEY, how="left")
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
