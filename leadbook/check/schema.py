"""The column rules of a sheet as a pandera schema (polars backend), built from the catalog
and the team config: required values, list membership, patterns. Row and cross-row rules
live in ``rules``.

Every check is registered with the finding code it produces, so pandera's failure cases
(column, check number, row index) turn straight into findings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import polars as pl

from leadbook.core.catalog import Field
from leadbook.core.config import CASCADE_PARENTS, TeamConfig
from leadbook.core.leadid import valid_id_pattern
from leadbook.read.normalize import FREE, RAW

# Pattern-checked types and the code a mismatch produces.
PATTERN_CODES = {
    "phone": "invalid-phone",
    "budget": "invalid-budget",
    "masked_name": "unmasked-name",
    "lead_id": "invalid-lead-id",
}


@dataclass(frozen=True)
class ColumnFailure:
    index: int  # row position in the validated frame
    field: str
    code: str


def _list_values(fd: Field, config: TeamConfig) -> tuple[str, ...]:
    if fd.type != "list" or not fd.list or fd.list in CASCADE_PARENTS or fd.list == "lead_ids":
        # A size's list is the dropdown's standard bands; any readable band is valid (rules).
        return ()  # cascades are row rules; lead IDs are checked against the register
    return config.values(fd.list)


def build_schema(fields: Sequence[Field], config: TeamConfig, present: set[str]):
    """(pandera schema, {(column, check number): code}) for the fields present."""
    import pandera.polars as pa

    columns = {}
    codes: dict[tuple[str, int], str] = {}
    for fd in fields:
        if fd.key not in present:
            continue
        if fd.is_time:
            # Parsed to date-times (``rules`` checks them); a required one must hold something:
            # its raw text is checked, so an unreadable value is not also called missing.
            if fd.required and fd.key + RAW in present:
                columns[fd.key + RAW] = pa.Column(str, nullable=False, required=False)
            continue
        checks = []
        values = _list_values(fd, config)
        if values:
            checks.append(pa.Check.isin(list(values)))
            codes[(fd.key, len(checks) - 1)] = "not-in-list"
        if fd.pattern and fd.type in PATTERN_CODES:
            # A lead ID: the seed's format or the team's (a rep code, as the config orders it).
            pattern = valid_id_pattern(config.lead_id_format) if fd.type == "lead_id" else None
            checks.append(pa.Check.str_matches(pattern or fd.pattern))
            codes[(fd.key, len(checks) - 1)] = PATTERN_CODES[fd.type]
        nullable = not fd.required or fd.type == "lead_id"
        columns[fd.key] = pa.Column(str, checks=checks, nullable=nullable, required=False)
    return pa.DataFrameSchema(columns, strict=False, name="leadbook"), codes


def column_failures(
    frame: pl.DataFrame, fields: Sequence[Field], config: TeamConfig
) -> Iterator[ColumnFailure]:
    """Every failure of the column rules, lazily validated (all failures, not the first)."""
    for index, key, code in failure_frame(frame, fields, config).iter_rows():
        yield ColumnFailure(index, key, code)


FAILURE_SCHEMA = {"index": pl.Int64, "field": pl.String, "code": pl.String}


def failure_frame(frame: pl.DataFrame, fields: Sequence[Field], config: TeamConfig) -> pl.DataFrame:
    """Every failure of the column rules as a frame: ``index`` (row position in ``frame``),
    ``field``, ``code``; in pandera's order (validated lazily: all failures, not the first)."""
    import pandera.polars as pa

    schema, codes = build_schema(fields, config, set(frame.columns))
    empty = pl.DataFrame(schema=FAILURE_SCHEMA)
    if not schema.columns or frame.height == 0:
        return empty
    try:
        schema.validate(frame.select(list(schema.columns)), lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.select("column", "check", "check_number", "index")
    else:
        return empty
    cases = cases.filter(pl.col("index").is_not_null())
    kinds = cases.select("column", "check", "check_number").unique(maintain_order=True)
    parts = []
    for column, check, number in kinds.iter_rows():
        code = "required-missing" if check == "not_nullable" else codes.get((column, number))
        if not code:
            continue
        mine = cases.filter(
            (pl.col("column") == column)
            & (pl.col("check") == check)
            & (pl.col("check_number").eq_missing(number))
        )
        free = column.removesuffix(RAW) + FREE
        if code == "required-missing" and free in frame.columns:
            # A required value this row's layout does not ask for (``normalize.FREE``).
            taken = frame[free].fill_null(False).gather(mine["index"].cast(pl.Int64))
            mine = mine.filter(~taken)
        parts.append(
            mine.select(
                pl.col("index").cast(pl.Int64),
                pl.lit(column.removesuffix(RAW)).alias("field"),
                pl.lit(code).alias("code"),
            )
        )
    if not parts:
        return empty
    # pandera's order of the cases, as when they were read one by one
    return pl.concat(parts)
