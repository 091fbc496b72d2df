"""The history store's snapshots as :class:`~leadbook.metrics.tables.Snapshot` values for the
reports (``Tables.snapshots``, oldest first): a master's store is found beside it
(``master.xlsx`` -> ``master.history.sqlite``) or named.

A snapshot's ``register`` has the store's columns: the field keys (lead_id, channel, status,
potential, industry, loss_reason, created_at, last_contact_at, next_due), ``rep``, ``_source``
(the master's 来源文件, as ``Tables`` names it) and the facts computed at the merge:
``first_contact_at``, ``won_at``, ``lost_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from leadbook.history.store import LEAD_KEYS, TIMES, load_snapshots, store_path
from leadbook.metrics.tables import SOURCE, Snapshot


def history_snapshots(path: str | Path) -> list[Snapshot]:
    """Every snapshot of the store at ``path``, oldest first. Raises ``LeadbookError``."""
    schema = {
        (SOURCE if k == "source_file" else k): pl.Datetime("us") if k in TIMES else pl.String
        for k in LEAD_KEYS
    }
    out = []
    for stored in load_snapshots(path):
        rows = [
            {(SOURCE if k == "source_file" else k): v for k, v in lead.items()}
            for lead in stored.leads
        ]
        frame = pl.DataFrame(rows, schema=schema).with_columns(pl.col(SOURCE).fill_null(""))
        out.append(Snapshot(stored.info.taken_at, frame, f"{Path(path).name} {stored.info.week}"))
    return out


def store_for(paths: Sequence[str | Path], history: str | Path | None = None) -> Path | None:
    """The store a report reads: ``history`` when given, else the one beside the only input
    when that input is a file with a store beside it, else None."""
    if history is not None:
        return Path(history)
    if len(paths) != 1:
        return None
    beside = store_path(paths[0])
    return beside if Path(paths[0]).is_file() and beside.is_file() else None
