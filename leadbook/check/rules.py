"""Row and cross-row rules (SPEC R-S1 to R-K5) over a batch of normalised sheets.

Each rule is a small function that returns ``Hits``: the finding code, the sheet role and
field it points at, and a frame of the rows that break it (``_file``, ``_row``, ``value``,
plus the message's parameters). ``validate`` turns hits into ``Issue`` values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from leadbook.core import mask, reference
from leadbook.core.catalog import Catalog
from leadbook.core.config import TeamConfig
from leadbook.core.leadid import id_patterns, valid_id_pattern
from leadbook.read.normalize import BAD, FILE, RAW, ROW, TEXT

DUPLICATE_ROWS_SHOWN = 5  # rows named in a duplicate-lead-id message
VAGUE_MAX_CHARS = 12  # a need this short, with a vague term and no number, is vague
SLA_STALE_DAYS = 30  # a first follow-up deadline passed longer ago: a record to put right


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    config: TeamConfig
    as_of: datetime
    lang: str = "zh"


@dataclass(frozen=True)
class Hits:
    code: str
    role: str  # "register" | "log"
    field: str
    rows: pl.DataFrame  # _file, _row, value (str), and the message's parameters


Rule = Callable[[pl.DataFrame, pl.DataFrame | None, Context], Iterator[Hits]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def _has(frame: pl.DataFrame | None, *cols: str) -> bool:
    return frame is not None and all(c in frame.columns for c in cols)


def _hits(code: str, role: str, fd: str, frame: pl.DataFrame, value: pl.Expr, **params: pl.Expr):
    selected = frame.select(
        pl.col(FILE),
        pl.col(ROW),
        value.cast(pl.String).alias("value"),
        *[expr.alias(name) for name, expr in params.items()],
    )
    return Hits(code, role, fd, selected)


def _text(fd: str) -> pl.Expr:
    return pl.col(fd + RAW)


def _fmt_time(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------ register rules
@rule
def contact_required(reg, log, ctx) -> Iterator[Hits]:
    """R-S2.1: at least one business contact, office phone or IM account."""
    present = [c for c in ("office_phone", "im_account") if c in reg.columns]
    if not present:
        return
    missing = reg.filter(pl.all_horizontal(pl.col(present).is_null()))
    if missing.height:
        yield _hits(
            "required-missing",
            "register",
            present[0],
            missing,
            pl.lit(None),
            reason=pl.lit("one-of-contact"),
        )


def _cascade(reg, code, parent, child, tree):
    if not _has(reg, parent, child):
        return
    pairs = pl.DataFrame(
        [(p, c) for p, cs in tree.items() for c in cs],
        schema={parent: pl.String, child: pl.String},
        orient="row",
    ).with_columns(pl.lit(True).alias("_ok"))
    rows = reg.filter(pl.col(parent).is_in(list(tree)) & pl.col(child).is_not_null())
    bad = rows.join(pairs, on=[parent, child], how="left").filter(pl.col("_ok").is_null())
    if bad.height:
        yield _hits(code, "register", child, bad, _text(child), parent=pl.col(parent))


@rule
def region_matches(reg, log, ctx) -> Iterator[Hits]:
    """City within its province (GB/T 2260)."""
    yield from _cascade(reg, "region-mismatch", "province", "city", reference.regions())


@rule
def industry_matches(reg, log, ctx) -> Iterator[Hits]:
    """Division within its section (GB/T 4754-2017)."""
    yield from _cascade(
        reg, "industry-mismatch", "industry", "industry_division", reference.industries()
    )


@rule
def lost_has_reason(reg, log, ctx) -> Iterator[Hits]:
    """R-S4.2: 已流失 needs a loss reason."""
    lost = list(ctx.config.status_groups.get("lost", ()))
    if not _has(reg, "status", "loss_reason") or not lost:
        return  # without the column (the seed's table has none): the file says so once
    bad = reg.filter(pl.col("status").is_in(lost) & pl.col("loss_reason").is_null())
    if bad.height:
        yield _hits("lost-without-reason", "register", "loss_reason", bad, pl.col("status"))


@rule
def need_is_specific(reg, log, ctx) -> Iterator[Hits]:
    """R-S3.1: a short need made of vague words, without any number, is flagged."""
    terms = list(ctx.config.vague_terms)
    if not _has(reg, "need") or not terms:
        return
    need = pl.col("need")
    bad = reg.filter(
        need.is_not_null()
        & need.str.contains_any(terms)
        & ~need.str.contains(r"\d")
        & (need.str.len_chars() <= VAGUE_MAX_CHARS)
    )
    if bad.height:
        yield _hits("vague-need", "register", "need", bad, _text("need"))


@rule
def high_potential_is_complete(reg, log, ctx) -> Iterator[Hits]:
    """R-S1.2: a lead at the first (highest) potential level needs need, budget, timeline."""
    levels = ctx.config.values("potential_levels")
    if not _has(reg, "potential") or not levels:
        return
    high = reg.filter(pl.col("potential") == levels[0])
    for key in ("need", "budget", "timeline"):  # each missing one, at its own cell
        if key not in high.columns:
            continue  # no such column: the file's missing-column finding says so
        bad = high.filter(pl.col(key).is_null())
        if bad.height:
            yield _hits(
                "high-potential-incomplete",
                "register",
                key,
                bad,
                pl.lit(None),
                level=pl.lit(levels[0]),
            )


@rule
def lead_id_is_consistent(reg, log, ctx) -> Iterator[Hits]:
    """The ID's code and date agree with channel and creation time; an ID is present."""
    if not _has(reg, "lead_id"):
        return
    codes = {c.name: c.code for c in ctx.config.channels}
    fmt = ctx.config.lead_id_format
    well_formed = reg.filter(pl.col("lead_id").str.contains(valid_id_pattern(fmt)))
    # The ID's parts, by name: its format may put the rep's code anywhere (core.leadid).
    parts = [pl.col("lead_id").str.extract_groups(p.pattern) for p in id_patterns(fmt)]
    checks = []
    if "channel" in reg.columns:
        expected = pl.col("channel").replace_strict(codes, default=None, return_dtype=pl.String)
        code = pl.coalesce(p.struct.field("code") for p in parts)
        checks.append((expected.is_not_null() & (code != expected), pl.lit("code")))
    if "created_at" in reg.columns:
        day = pl.col("created_at").dt.strftime("%Y%m%d")
        date = pl.coalesce(p.struct.field("date") for p in parts)
        checks.append((day.is_not_null() & (date != day), pl.lit("date")))
    for condition, reason in checks:
        bad = well_formed.filter(condition)
        if bad.height:
            yield _hits(
                "invalid-lead-id", "register", "lead_id", bad, pl.col("lead_id"), reason=reason
            )
    if _has(reg, "channel", "created_at"):
        missing = reg.filter(  # an ID could have been generated, yet there is none
            pl.col("lead_id").is_null()
            & pl.col("channel").is_in(list(codes))
            & pl.col("created_at").is_not_null()
        )
        as_text = pl.col("created_at" + TEXT).fill_null(False)
        if missing.filter(~as_text).height:
            yield _hits(
                "required-missing", "register", "lead_id", missing.filter(~as_text), pl.lit(None)
            )
        if missing.filter(as_text).height:  # the formula cannot read a date typed as text
            yield _hits(
                "required-missing",
                "register",
                "lead_id",
                missing.filter(as_text),
                _text("created_at"),
                reason=pl.lit("created-as-text"),
            )


@rule
def lead_id_is_unique(reg, log, ctx) -> Iterator[Hits]:
    if not _has(reg, "lead_id"):
        return
    ids = reg.filter(pl.col("lead_id").is_not_null())
    dup = ids.with_columns(
        pl.col(ROW)
        .head(DUPLICATE_ROWS_SHOWN)
        .cast(pl.String)
        .str.join(", ")
        .over([FILE, "lead_id"])
        .alias("_rows"),
        pl.len().over([FILE, "lead_id"]).alias("_n"),
    ).filter(pl.col("_n") > 1)
    if dup.height:
        yield _hits(
            "duplicate-lead-id",
            "register",
            "lead_id",
            dup,
            pl.col("lead_id"),
            rows=pl.col("_rows"),
        )


# Time fields that cannot lie after the as-of time (deadlines can).
PAST_ONLY = {"register": ("created_at", "last_contact_at"), "log": ("contact_at",)}


def time_fields(reg, log, ctx: Context, column: str = ""):
    """(role, frame, field) for every date or time field whose ``key + column`` the sheet
    has, register first, then the log."""
    for role, frame, fields in (
        ("register", reg, ctx.catalog.register),
        ("log", log, ctx.catalog.log),
    ):
        if frame is None:
            continue
        for fd in fields:
            if fd.is_time and fd.key + column in frame.columns:
                yield role, frame, fd


@rule
def datetimes_are_readable(reg, log, ctx) -> Iterator[Hits]:
    for role, frame, fd in time_fields(reg, log, ctx):
        bad = frame.filter(pl.col(fd.key + BAD))
        if bad.height:
            yield _hits(
                "invalid-datetime", role, fd.key, bad, _text(fd.key), reason=pl.lit("format")
            )
        if fd.key in PAST_ONLY[role]:
            future = frame.filter(pl.col(fd.key) > ctx.as_of)
            if future.height:
                yield _hits(
                    "invalid-datetime",
                    role,
                    fd.key,
                    future,
                    _fmt_time(fd.key),
                    reason=pl.lit("future"),
                )
    if _has(reg, "created_at", "last_contact_at"):
        early = reg.filter(pl.col("last_contact_at") < pl.col("created_at"))
        if early.height:
            yield _hits(
                "invalid-datetime",
                "register",
                "last_contact_at",
                early,
                _fmt_time("last_contact_at"),
                reason=pl.lit("before_created"),
            )


def _first_contacts(log: pl.DataFrame | None) -> pl.DataFrame | None:
    if not _has(log, "lead_id", "contact_at"):
        return None
    return (
        log.filter(pl.col("lead_id").is_not_null() & pl.col("contact_at").is_not_null())
        .group_by(FILE, "lead_id")
        .agg(pl.col("contact_at").min().alias("_first"), pl.col("contact_at").max().alias("_last"))
    )


def _closed(ctx: Context) -> pl.Expr:
    closed = list(ctx.config.status_groups.get("closed", ()))
    return pl.col("status").is_in(closed) if closed else pl.lit(False)


@rule
def first_contact_in_time(reg, log, ctx) -> Iterator[Hits]:
    """R-K3: first follow-up within the level's SLA hours of creation."""
    hours = ctx.config.sla_hours
    if not _has(reg, "potential", "created_at") or not hours:
        return
    frame = reg.filter(pl.col("potential").is_in(list(hours)) & pl.col("created_at").is_not_null())
    firsts = _first_contacts(log)
    if firsts is not None and "lead_id" in frame.columns:
        frame = frame.join(firsts, on=[FILE, "lead_id"], how="left")
        first = pl.col("_first")
    else:
        first = pl.lit(None, dtype=pl.Datetime("us"))
    # Without a log entry the first contact is unknown (R-K1: no guessing), unless there was
    # no contact at all.
    contacted = first.is_not_null() | _col_or_null(frame, "last_contact_at").is_not_null()
    sla = pl.col("potential").replace_strict(hours, default=None, return_dtype=pl.Float64)
    deadline = pl.col("created_at") + pl.duration(minutes=sla * 60)
    status_closed = _closed(ctx) if "status" in frame.columns else pl.lit(False)
    late = first.is_not_null() & (first > deadline)
    never = ~contacted & (pl.lit(ctx.as_of) > deadline) & ~status_closed
    bad = frame.filter(late | never)
    if bad.height:
        # Whole days since the deadline of a lead never contacted: long ago, the finding is a
        # record to put right (log the real contact, update the status), not a call to make.
        overdue = (pl.lit(ctx.as_of) - deadline).dt.total_days()
        stale = first.is_null() & (overdue > SLA_STALE_DAYS)
        reason = (
            pl.when(stale)
            .then(pl.lit("long-ago"))
            .when(first.is_not_null())
            .then(pl.lit("late"))
            .otherwise(pl.lit(None, dtype=pl.String))
        )
        yield _hits(
            "sla-breach",
            "register",
            "last_contact_at",
            bad,
            pl.coalesce(first.dt.strftime("%Y-%m-%d %H:%M"), pl.lit("")),
            hours=sla.cast(pl.Int64).cast(pl.String),
            level=pl.col("potential"),
            reason=reason,
            days=overdue.cast(pl.String),
        )


def _col_or_null(frame: pl.DataFrame, col: str) -> pl.Expr:
    return pl.col(col) if col in frame.columns else pl.lit(None, dtype=pl.Datetime("us"))


@rule
def not_dormant(reg, log, ctx) -> Iterator[Hits]:
    """R-S5.2: an open lead without contact for more than the dormancy days."""
    if not _has(reg, "created_at", "status"):
        return
    last = pl.max_horizontal(pl.col("created_at"), _col_or_null(reg, "last_contact_at"))
    idle = (pl.lit(ctx.as_of) - last).dt.total_days()
    bad = reg.filter(last.is_not_null() & ~_closed(ctx) & (idle > ctx.config.dormancy_days))
    if bad.height:
        yield _hits(
            "dormant-overdue",
            "register",
            "last_contact_at",
            bad,
            last.dt.strftime("%Y-%m-%d %H:%M"),
            days=pl.lit(str(ctx.config.dormancy_days)),
            idle=idle.cast(pl.String),
        )


# -------------------------------------------------------------------- log rules
@rule
def log_names_known_leads(reg, log, ctx) -> Iterator[Hits]:
    if not _has(log, "lead_id") or not _has(reg, "lead_id"):
        return
    known = reg.select(FILE, "lead_id").filter(pl.col("lead_id").is_not_null()).unique()
    known = known.with_columns(pl.lit(True).alias("_known"))
    rows = log.filter(pl.col("lead_id").is_not_null()).join(known, on=[FILE, "lead_id"], how="left")
    bad = rows.filter(pl.col("_known").is_null())
    if bad.height:
        yield _hits("unknown-lead", "log", "lead_id", bad, pl.col("lead_id"))


@rule
def register_matches_log(reg, log, ctx) -> Iterator[Hits]:
    """R-K4: the register's latest follow-up is the newest log entry."""
    firsts = _first_contacts(log)
    if firsts is None or not _has(reg, "lead_id", "last_contact_at"):
        return
    logged = firsts.select(pl.col(FILE).unique())
    rows = reg.join(logged, on=FILE, how="semi").join(firsts, on=[FILE, "lead_id"], how="left")
    differs = pl.col("_last").is_not_null() & (
        pl.col("last_contact_at").is_null() | (pl.col("last_contact_at") != pl.col("_last"))
    )
    unlogged = pl.col("_last").is_null() & pl.col("last_contact_at").is_not_null()
    bad = rows.filter(differs | unlogged)
    if bad.height:
        reason = (
            pl.when(unlogged)
            .then(pl.lit("unlogged"))
            .when(pl.col("last_contact_at").is_null())
            .then(pl.lit("register-empty"))
            .otherwise(pl.lit(""))
        )
        yield _hits(
            "log-mismatch",
            "register",
            "last_contact_at",
            bad,
            pl.coalesce(_fmt_time("last_contact_at"), pl.lit("")),
            logged=pl.coalesce(_fmt_time("_last"), pl.lit("")),
            reason=reason,
        )


# ------------------------------------------------------------------ personal data
def _scanned(ctx: Context, role: str) -> list[str]:
    fields = ctx.catalog.sheet_fields(role)
    return [f.key for f in fields if f.scan_pii or f.type in ("phone", "masked_name")]


@rule
def no_personal_data(reg, log, ctx) -> Iterator[Hits]:
    """R-S2.2: no personal mobile or personal e-mail in any text cell."""
    personal = set(ctx.config.personal_email_domains)
    for role, frame in (("register", reg), ("log", log)):
        if frame is None:
            continue
        for key in _scanned(ctx, role):
            if key not in frame.columns:
                continue
            col = pl.col(key)
            candidates = frame.filter(col.str.contains(mask.PREFILTER)).select(FILE, ROW, key)
            mobiles, emails = [], []
            for file_index, row, text in candidates.iter_rows():
                for code, value in mask.personal_data(
                    text, personal, ctx.config.allow_company_email
                ):
                    (mobiles if code == "personal-mobile" else emails).append(
                        (file_index, row, value)
                    )
            for code, found_rows in (("personal-mobile", mobiles), ("personal-email", emails)):
                if found_rows:
                    rows = pl.DataFrame(
                        found_rows,
                        schema={FILE: pl.UInt32, ROW: pl.Int32, "v": pl.String},
                        orient="row",
                    )
                    yield _hits(code, role, key, rows, pl.col("v"))
