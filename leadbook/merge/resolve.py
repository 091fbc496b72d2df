"""Resolving: from every file's versions to the master's rows. Versions of one identity
(source lead ID, normalised company) become one row, the latest contact winning (ties: the
smaller content digest, never input order), with a :class:`Conflict` for every field that
differs; then lead IDs are renumbered, 撞单 marked and the log merged."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import polars as pl

from leadbook.check.issues import Report
from leadbook.core.catalog import Catalog, Field
from leadbook.merge.columns import (
    ANON,
    CO,
    FINDINGS,
    IDENTITY,
    IM,
    PHONE,
    POS,
    REP,
    SID,
    SRC,
    TXT,
    VID,
)
from leadbook.merge.company import company_key, im_key, phone_key
from leadbook.merge.duplicates import duplicate_groups
from leadbook.merge.findings import ERROR_CODES, FINDINGS_SEP
from leadbook.merge.log import merge_log
from leadbook.merge.renumber import SAME_AS, master_ids_known, renumber
from leadbook.merge.results import Conflict, MergeResult
from leadbook.read.normalize import FILE, ROW


def _mapped(frame: pl.DataFrame, col: str, fn: Callable[[str], str], alias: str) -> pl.Expr:
    """``fn`` over a text column, computed once per distinct value."""
    values = [v for v in frame[col].unique().to_list() if v is not None]
    table = {v: fn(v) for v in values}
    return (
        pl.col(col)
        .replace_strict(table, default="", return_dtype=pl.String)
        .fill_null("")
        .alias(alias)
    )


def resolve(
    report: Report,
    versions: pl.DataFrame,
    entries: pl.DataFrame,
    catalog: Catalog,
    *,
    lang: str = "zh",
    valid_only: bool = False,
) -> MergeResult:
    """From every file's versions and log entries to the master (steps 3 to 6 of
    ``leadbook.merge.master``)."""
    versions = versions.with_columns(
        _mapped(versions, "company", company_key, CO),
        _mapped(versions, "office_phone", phone_key, PHONE),
        _mapped(versions, "im_account", im_key, IM),
    )
    versions = (
        master_ids_known(versions)
        .with_columns(
            pl.when((pl.col(SID) == "") | (pl.col(CO) == ""))  # no ID or no company: the
            .then(pl.coalesce(SAME_AS, pl.col(SRC) + "|" + pl.col(POS)))  # position is
            .otherwise(pl.lit(""))  # the identity
            .alias(ANON),
            pl.int_range(pl.len(), dtype=pl.Int64).alias(VID),
        )
        .drop(SAME_AS)
    )
    master, conflicts = _winners(versions, catalog.register)
    result = MergeResult(report, master, entries, conflicts=conflicts)
    result.input_rows = versions.height
    result.merged = versions.height - master.height
    if valid_only:
        bad = (
            pl.col(FINDINGS)
            .str.split(FINDINGS_SEP)
            .list.eval(pl.element().is_in(list(ERROR_CODES)))
        )
        keep = master.filter(~bad.list.any())
        result.dropped = master.height - keep.height
        master = keep
    master, result.renumbered = renumber(master)
    if result.renumbered and result.conflicts:  # conflicts name the master's IDs
        ids = dict(zip(master.select(IDENTITY).rows(), master["lead_id"].to_list(), strict=True))
        result.conflicts = [
            replace(c, lead_id=ids.get(c.identity, c.lead_id)) for c in result.conflicts
        ]
    master, result.groups = duplicate_groups(master, lang)
    result.register = master.sort(
        "created_at", "lead_id", SRC, POS, nulls_last=True, maintain_order=True
    )
    result.log, counts = merge_log(entries, versions, master, catalog.log)
    result.input_log, result.log_merged, result.log_dropped = counts
    return result


def _shown(version: dict[str, Any], fd: Field) -> str:
    """A version's value of a field as compared and reported."""
    value = version.get(fd.key)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if fd.is_time:
        return version.get(fd.key + TXT) or ""
    return value or ""


def _digest(version: dict[str, Any], fields: Sequence[Field]) -> str:
    content = [_shown(version, fd) for fd in fields if fd.key != "lead_id"]
    content += [version[SRC], version[POS], version[REP], version[SID]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _winners(versions: pl.DataFrame, fields: Sequence[Field]):
    """One row per identity: the version with the latest contact (ties: smallest digest),
    and the conflicts among the versions."""
    shared = versions.select(pl.len().over(IDENTITY) > 1).to_series()
    if not shared.any():
        return versions, []
    groups: dict[tuple, list[dict]] = {}
    for v in versions.filter(shared).drop(FILE, ROW).to_dicts():
        groups.setdefault((v[SID], v[CO], v[ANON]), []).append(v)
    compared = [fd for fd in fields if fd.key != "lead_id"]
    winners, conflicts = [], []
    for identity in sorted(groups):
        group = groups[identity]
        newest = max(_contact(v) for v in group)
        top = [v for v in group if _contact(v) == newest]
        winner = min(top, key=lambda v: _digest(v, fields)) if len(top) > 1 else top[0]
        winners.append(winner[VID])
        ordered = sorted(group, key=lambda v: (v[SRC], v[POS]))
        for fd in compared:
            values = tuple((v[SRC], v[POS], v[REP], _shown(v, fd)) for v in ordered)
            if len({x[3] for x in values}) > 1:
                where = (winner[SRC], winner[POS])
                company = winner["company"] or ""
                known, when = newest
                conflicts.append(
                    Conflict(identity[0] or None, company, fd.key, values, where, identity,
                             when if known else None, len(top) > 1)
                )  # fmt: skip
    return versions.filter(~shared | pl.col(VID).is_in(winners)), conflicts


def _contact(version: dict[str, Any]) -> tuple[bool, datetime]:
    when = version.get("last_contact_at")
    return (True, when) if isinstance(when, datetime) else (False, datetime.min)
