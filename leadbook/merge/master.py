"""``leadbook merge``: many reps' workbooks into one master workbook (a leadbook workbook
itself, with provenance columns), idempotent and independent of the order of the inputs.

How rows become the master:

1. Every input is read and validated once (``validate_paths(on_frames=...)``). Each register
   row is a *version* of a lead, with its provenance: source file, position (``线索台账!5``),
   rep (the file's most common 最近跟进人; in a shared sheet the row's own), and its findings
   (the codes validation reported on that row). A master read as an input carries all of
   these in its provenance columns.
2. Text is kept as written, but mobiles and e-mail addresses are masked in every text cell
   (R-S2.2); time fields are the parsed date-times (to the second), or the text when
   unreadable.
3. A lead's identity is (source lead ID, normalised company). Versions of one identity
   become one master row: the latest 最近跟进时间 wins, ties go to the smaller content digest
   (never to input order); every field whose values differ is a :class:`Conflict`. A
   version under the ID the master renumbered a lead to (a rep's workbook from ``leadbook
   split``) is that lead (``renumber.master_ids_known``).
4. One source lead ID with different companies (IDs are per-workbook sequences) is an ID
   collision: the earliest-created keeps the ID, the others get the next free sequence of
   their channel code and day (:class:`Renumbered`); 原线索编号 keeps the source ID, so that
   merging the master again finds the same identities.
5. Identities linked by normalised company, office phone or IM account form a
   :class:`DuplicateGroup` (撞单); the first registration owns the customer and the others are
   marked in the findings column. No row is ever dropped, except with ``valid_only`` (rows
   with error findings, counted).
6. Log entries follow their lead (renumbered IDs relinked); identical entries (lead,
   time, owner, content) are kept once.

Where each step lives: 1 and 2 in ``versions`` (with ``findings`` for the findings column),
3 in ``resolve``, 4 in ``renumber``, 5 in ``duplicates``, 6 in ``log``; the version frames'
columns in ``columns``, what a merge returns in ``results``, rows to write in ``records``.
This module runs them in order and writes the master.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import polars as pl

from leadbook.check.issues import FileReport
from leadbook.core import provenance
from leadbook.core.catalog import Catalog, load_catalog
from leadbook.core.config import TeamConfig, load_config
from leadbook.merge.columns import FINDINGS, POS, REP, SID, SRC
from leadbook.merge.findings import finding_codes, shown_findings
from leadbook.merge.records import Records
from leadbook.merge.resolve import resolve
from leadbook.merge.results import MergeResult
from leadbook.merge.versions import Collector, concat_versions


def merge_paths(
    paths: Sequence[str | Path],
    *,
    config: TeamConfig | None = None,
    catalog: Catalog | None = None,
    as_of: datetime | None = None,
    lang: str = "zh",
    valid_only: bool = False,
    on_file: Callable[[FileReport], None] | None = None,
    password: str | None = None,
    on_frames: Callable | None = None,
) -> MergeResult:
    """Read, validate and merge every workbook named by ``paths`` (files, folders, globs,
    masters). Unreadable files are reported in ``result.report``, the rest merged.
    Encrypted inputs are decrypted in memory with ``password``. ``on_frames`` also sees each
    readable file's frames (as ``validate_paths`` hands them over; the hand-in check)."""
    from leadbook.check.validate import validate_paths

    config = config or load_config()
    catalog = catalog or load_catalog()
    collector = Collector(catalog, password)

    def take(*args) -> None:
        collector.take(*args)
        if on_frames is not None:
            on_frames(*args)

    report = validate_paths(
        paths,
        config=config,
        catalog=catalog,
        as_of=as_of,
        lang=lang,
        on_file=on_file,
        on_frames=take,
        password=password,
    )
    versions = concat_versions(collector.registers, catalog.register)
    entries = concat_versions(collector.logs, catalog.log)
    return resolve(report, versions, entries, catalog, lang=lang, valid_only=valid_only)


def write_master(
    result: MergeResult,
    out: str | Path,
    *,
    config: TeamConfig | None = None,
    catalog: Catalog | None = None,
    lang: str = "zh",
    force: bool = False,
    created: datetime | None = None,
    password: str | None = None,
) -> Path:
    """Write the master workbook (atomically): the template's sheets, dropdowns and formats,
    lead IDs as values, the provenance columns after the fields. With ``password`` the master
    is encrypted (Excel's "Encrypt with Password"). Written in constant-memory mode, row by
    row: the register and log have an autofilter where a rep's workbook has an Excel table."""
    from leadbook.workbook.template import Extra, write_workbook

    register, log = master_records(result, catalog, lang)  # lazy: dicts made chunk by chunk
    english = lang == "en"
    return write_workbook(
        out,
        config=config,
        catalog=catalog,
        lang=lang,
        rows=max(1, len(register)),
        register=register,
        log=log,
        force=force,
        lead_id_formula=False,
        extra=[Extra(k, en if english else zh, w) for k, zh, en, w in provenance.REGISTER],
        log_extra=[Extra(k, en if english else zh, w) for k, zh, en, w in provenance.LOG],
        created=created or result.report.as_of,
        password=password,
        constant_memory=True,  # rows streamed: memory flat in the number of leads
    )


def master_records(
    result: MergeResult, catalog: Catalog | None = None, lang: str = "zh"
) -> tuple[Records, Records]:
    """The master's register and log as records keyed by field key (and provenance key);
    ``findings`` names the row's findings by their titles in ``lang``, ``finding_codes``
    lists their codes."""
    catalog = catalog or load_catalog()
    names = {SRC: "source_file", POS: "source_row", REP: "rep", SID: "source_lead_id"}
    frame = result.register.with_columns(
        _per_value(result.register, lambda t: shown_findings(t, lang), SHOWN),
        _per_value(result.register, finding_codes, CODES_COLUMN),
    )
    extra = {**names, SHOWN: "findings", CODES_COLUMN: "finding_codes"}
    register = Records(frame, catalog.register, extra)
    log = Records(result.log, catalog.log, {SRC: "source_file", POS: "source_row"})
    return register, log


SHOWN, CODES_COLUMN = "_findings_shown", "_finding_codes"


def _per_value(frame: pl.DataFrame, fn: Callable[[str], str], alias: str) -> pl.Expr:
    """``fn`` over the findings column, computed once per distinct value."""
    table = {v: fn(v) for v in frame[FINDINGS].unique().to_list() if v}
    return (
        pl.col(FINDINGS)
        .replace_strict(table, default="", return_dtype=pl.String)
        .fill_null("")
        .alias(alias)
    )
