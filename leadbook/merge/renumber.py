"""Lead ID collisions: one source lead ID (a per-workbook sequence) for several customers.
The earliest-created keeps the ID, the others get the next free sequence of their channel
code and day (and rep code: IDs with a rep's code collide only within that rep's workbooks)
(:class:`Renumbered`). IDs in another format (a team's own ``lead_id_format``) get a suffix."""

from __future__ import annotations

import polars as pl

from leadbook.core.leadid import LEAD_ID
from leadbook.merge.columns import ANON, CO, LINK, POS, REP, SID, SRC
from leadbook.merge.results import Renumbered
from leadbook.read.normalize import FILE


def renumber(master: pl.DataFrame) -> tuple[pl.DataFrame, list[Renumbered]]:
    """Lead IDs for the master: the source ID, or for an ID that several customers share,
    the next free sequence of its code and day for all but the earliest-created (then by
    company). Vectorised: at team scale most per-workbook IDs collide."""
    has_id = pl.col(SID) != ""
    parts = pl.col(SID).str.extract_groups(LEAD_ID.pattern)
    # code + date (+ the rep's code: EXPO20240521ZH): the next free sequence follows it
    prefix = pl.when(parts.struct.field("code").is_not_null()).then(
        pl.concat_str(
            parts.struct.field("code"),
            parts.struct.field("date"),
            parts.struct.field("rep").fill_null(""),
        )
    )
    # narrow: the sorts and joins below copy what they carry, and the master is wide
    ids = master.with_row_index("_i").select("_i", SID, "created_at", CO, ANON).filter(has_id)
    ids = ids.with_columns(
        prefix.alias("_prefix"), parts.struct.field("seq").cast(pl.Int64).alias("_seq")
    )
    later = (
        ids.sort(SID, "created_at", CO, ANON, nulls_last=True)
        .with_columns(pl.int_range(pl.len()).over(SID).alias("_k"))
        .filter(pl.col("_k") > 0)
    )
    top = ids.group_by("_prefix").agg(pl.col("_seq").max().alias("_top"))
    parsed = (
        later.filter(pl.col("_prefix").is_not_null())
        .join(top, on="_prefix", how="left")
        .sort("_prefix", SID, "_k")
        .with_columns(
            (pl.col("_top") + pl.int_range(1, pl.len() + 1).over("_prefix")).alias("_next")
        )
        .with_columns(
            (pl.col("_prefix") + pl.col("_next").cast(pl.String).str.zfill(3)).alias("_new")
        )
    )
    odd = later.filter(pl.col("_prefix").is_null()).sort(SID, "_k")
    used = set(ids[SID].to_list()) if odd.height else set()
    odd_new = []
    next_k: dict[str, int] = {}  # per ID, where the search for a free suffix goes on: linear
    for sid in odd[SID].to_list():  # not code + date + sequence: a suffix keeps it readable
        k = next_k.get(sid, 2)
        while f"{sid}-{k}" in used:
            k += 1
        used.add(f"{sid}-{k}")
        next_k[sid] = k + 1
        odd_new.append(f"{sid}-{k}")
    renamed = pl.concat(
        [parsed.select("_i", "_new"), odd.select("_i", pl.Series("_new", odd_new, pl.String))]
    )
    new = pl.Series("_new", [None] * master.height, dtype=pl.String)
    new = new.scatter(renamed["_i"], renamed["_new"]) if renamed.height else new
    master = master.with_columns(
        pl.coalesce(new, pl.when(has_id).then(pl.col(SID))).alias("lead_id")
    )
    done = master.select(SID, new, pl.col("company").fill_null(""), REP, SRC, POS)
    renumbered = [
        Renumbered(*row)
        for row in done.filter(pl.col("_new").is_not_null()).sort(SID, "_new").iter_rows()
    ]
    return master, renumbered


SAME_AS = "_same_as"  # the position that identifies a lead without a company, when known


def master_ids_known(versions: pl.DataFrame) -> pl.DataFrame:
    """A lead may come back under the master's ID (``leadbook split`` gives the reps the
    master's IDs, renumbered ones too). A version whose ID is the ID a master row was
    renumbered to, for the same customer (normalised company), takes that row's source ID,
    so that the two are one lead again rather than a new lead, renumbered, and a 撞单 with
    itself. A lead without a company is identified by its position, which a split moves:
    versions in different files with the same ID and the same creation time (to the second)
    take one source ID and one position (``SAME_AS``), a renumbered master row's first, then
    the smallest position (never input order)."""
    has_id = pl.col(LINK).is_not_null() & (pl.col(LINK) != "")
    renamed = (
        versions.filter(has_id & (pl.col(LINK) != pl.col(SID)) & (pl.col(CO) != ""))
        .select(LINK, CO, pl.col(SID).alias("_master_sid"))
        .unique([LINK, CO], keep="first", maintain_order=True)
    )
    if renamed.height:
        joined = versions.join(renamed, on=[LINK, CO], how="left", maintain_order="left")
        adopt = (pl.col(SID) == pl.col(LINK)) & pl.col("_master_sid").is_not_null()
        versions = joined.with_columns(
            pl.when(adopt).then(pl.col("_master_sid")).otherwise(pl.col(SID)).alias(SID)
        ).drop("_master_sid")
    return _same_position(versions, has_id)


def _same_position(versions: pl.DataFrame, has_id: pl.Expr) -> pl.DataFrame:
    """Versions without a company, in different files, with one ID and creation time: one
    source ID and position (``SAME_AS``) for all of them."""
    blank = versions.filter(has_id & (pl.col(CO) == "") & pl.col("created_at").is_not_null())
    shared = blank.filter(pl.col(FILE).n_unique().over(LINK, "created_at") > 1)
    if shared.height == 0:
        return versions.with_columns(pl.lit(None, dtype=pl.String).alias(SAME_AS))
    first = (
        shared.sort(pl.col(LINK) == pl.col(SID), SRC, POS)
        .unique([LINK, "created_at"], keep="first", maintain_order=True)
        .select(LINK, "created_at", pl.col(SID).alias("_first_sid"),
                (pl.col(SRC) + "|" + pl.col(POS)).alias(SAME_AS))
    )  # fmt: skip
    joined = versions.join(first, on=[LINK, "created_at"], how="left", maintain_order="left")
    adopt = (pl.col(CO) == "") & pl.col(SAME_AS).is_not_null()
    return joined.with_columns(
        pl.when(adopt).then(pl.col("_first_sid")).otherwise(pl.col(SID)).alias(SID),
        pl.when(adopt).then(pl.col(SAME_AS)).alias(SAME_AS),
    ).drop("_first_sid")
