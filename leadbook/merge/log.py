"""The merged log: every follow-up entry tied to its master lead (renumbered IDs relinked,
entries of rows left out dropped), identical entries (lead, time, owner, content) kept once."""

from __future__ import annotations

import polars as pl

from leadbook.merge.columns import ANON, CO, IDENTITY, LINK, POS, SID, SRC, TXT
from leadbook.read.normalize import FILE, ROW


def merge_log(entries: pl.DataFrame, versions: pl.DataFrame, master: pl.DataFrame, fields):
    """Log entries tied to their master lead, identical ones kept once (the first source).
    Joins and sorts run on narrow frames (the identity join on the versions' links, not on
    every entry); the wide one is gathered once."""
    ids = master.select(SID, CO, ANON, pl.col("lead_id").alias("_master_id"))
    links = (  # each (file, linked ID) once, with its master lead's ID (null: left out)
        versions.filter(pl.col(LINK).is_not_null())
        .select(FILE, ROW, LINK, SID, CO, ANON)
        .sort(FILE, ROW)
        .unique([FILE, LINK], keep="first", maintain_order=True)
        .join(ids, on=IDENTITY, how="left", nulls_equal=True, maintain_order="left")
        .select(FILE, LINK, "_master_id", pl.lit(True).alias("_linked"))
    )
    tied = (
        entries.select(FILE, LINK)
        .join(links, on=[FILE, LINK], how="left", maintain_order="left")
        .select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_i"),
            pl.when(pl.col("_linked").is_null())
            .then(pl.col(LINK))
            .otherwise(pl.col("_master_id"))
            .alias("lead_id"),
            (pl.col("_linked").is_not_null() & pl.col("_master_id").is_null()).alias("_gone"),
        )
    )
    del ids, links  # each step's frames freed before the next one's are made
    same = ["lead_id", "contact_at", "contact_at" + TXT, "owner", "content"]
    keys = pl.concat([tied, entries.select(*same[1:], SRC, POS)], how="horizontal").filter(
        ~pl.col("_gone")
    )
    del tied
    kept = keys.height
    # Of identical entries the first by source (file, position) is kept; then one sort by
    # time, lead and source, the rest of ``same`` breaking ties: the order a sort by ``same``
    # and source, then a stable sort by time, lead and source gave.
    by_source = pl.int_range(pl.len()).sort_by(SRC, POS, nulls_last=True, maintain_order=True)
    keys = keys.with_columns(by_source.arg_sort().alias("_r"))
    first = keys.filter(pl.col("_r") == pl.col("_r").min().over(same))
    del keys
    order = first.sort(
        "contact_at", "lead_id", SRC, POS, *same[2:], nulls_last=True, maintain_order=True
    ).select("_i", "lead_id")
    del first
    out_cols = [fd.key for fd in fields if fd.key != "lead_id"]
    out_cols += [fd.key + TXT for fd in fields if fd.is_time]
    log = entries.select(*out_cols, SRC, POS)[order["_i"]].with_columns(order["lead_id"])
    log = log.select("lead_id", *out_cols, SRC, POS)
    return log, (entries.height, kept - order.height, entries.height - kept)
