"""What is due (issue 12, point 6): each rep's to-do for the coming days, and the SLA breaches
of the period kept apart from the old backlog.

The window is as_of's day and the ``days`` days after it (the team config's ``due_days``,
default 7): a next action due on 1 July is in a window from 30 June for any ``days`` >= 1.
Two kinds of items (``task``):

- ``action``: an open lead whose next action's deadline (行动截止日期, a day) lies in the
  window; one whose day is before as_of's day is overdue instead (``overdue_actions``);
- ``first_contact``: an open lead of a level with an SLA (高潜力, 中潜力) without any contact
  yet whose first follow-up deadline (creation + ``sla_hours``) lies between as_of and the
  end of the window (``sla_outcomes``: pending).

``days_left`` counts whole days from as_of's day to the item's day (0: today).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from leadbook.metrics.activity import PENDING, sla_outcomes
from leadbook.metrics.facts import Facts
from leadbook.metrics.period import Period
from leadbook.metrics.tables import KEY, REP

ACTION, FIRST_CONTACT = "action", "first_contact"
NO_TIME = pl.lit(None, dtype=pl.Datetime("us"))
COLUMNS = [REP, "task", "lead_id", "company", "potential", "status", "next_due", "deadline"]
COLUMNS += ["days_left", "next_action", KEY]


def window(as_of: datetime, days: int) -> tuple[datetime, datetime]:
    """(as_of's day at 00:00, the first instant after the window's last day)."""
    today = datetime(as_of.year, as_of.month, as_of.day)
    return today, today + timedelta(days=days + 1)


def due_items(facts: Facts, days: int | None = None) -> pl.DataFrame:
    """One row per item due in the window, by rep (null last), then by when it is due and the
    lead's potential: the columns of :data:`COLUMNS`."""
    days = facts.config.due_days if days is None else days
    today, end = window(facts.as_of, days)
    due_day = pl.col("next_due").dt.truncate("1d")
    actions = facts.leads.filter(
        ~pl.col("_closed") & (due_day >= today) & (due_day < end)
    ).with_columns(
        pl.lit(ACTION).alias("task"), NO_TIME.alias("deadline"), pl.col("next_due").alias("_when")
    )
    firsts = (
        sla_outcomes(facts)
        .filter((pl.col("_sla") == PENDING) & (pl.col("_deadline") < end))
        .with_columns(
            pl.lit(FIRST_CONTACT).alias("task"),
            NO_TIME.alias("next_due"),
            pl.col("_deadline").alias("deadline"),
            pl.col("_deadline").alias("_when"),
        )
    )
    left = (pl.col("_when").dt.truncate("1d") - pl.lit(today)).dt.total_days()
    columns = [c for c in COLUMNS if c != "days_left"]
    return (
        pl.concat(
            [f.select(*columns, "_when", "_rank") for f in (actions, firsts)],
            how="vertical_relaxed",
        )
        .with_columns(left.cast(pl.Int64).alias("days_left"))
        .sort(REP, "_when", "_rank", "task", "lead_id", nulls_last=True)
        .select(COLUMNS)
    )


def split_breaches(breaches: pl.DataFrame, period: Period) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the period's breaches, the backlog): a breach whose deadline lies before the period's
    start belongs to the backlog (a lead left without its first contact since before the
    period), every other one to the period's list; for the last complete period that list
    also holds the leads whose deadline passed after it, up to as_of (recent, to act on now:
    not backlog)."""
    old = pl.col("deadline") < period.start
    return breaches.filter(~old), breaches.filter(old)
