"""``leadbook split``: the master back to the reps, one workbook per rep.

After a merge (conflicts resolved, 撞单 found, hand-offs applied) the master is the truth;
each rep gets a workbook of the template (dropdowns, formulas, colours) holding the rep's
leads as the master has them (the winning versions, the master's lead IDs) with their whole
follow-up logs, so that next week the rep goes on from the master's state.

Who gets a lead: its 负责销售 (the master's provenance column); a lead of a 撞单 group goes to
the group's owner, the rep who registered the customer first (when that rep is known). A rep
is known when the team config lists it (when the config lists no reps: any rep but a file's
name, which merge uses when a workbook names no 最近跟进人 or 跟进人); leads of no known rep
go to ``unassigned.xlsx``, as do log entries whose lead is not in the register. The master's
own provenance columns are not copied: they are the master's.

A file is named by the rep's code in the team config (``ZH.xlsx``), else by the masked name
(``rep-张.xlsx``; an unmasked name masked, characters Windows does not allow in a file name
replaced). The master's lead IDs are kept: where the template's formula would compute
another ID for a lead (a lead renumbered by the merge, a 撞单 lead moved to its owner), that
cell holds the ID as a value (``write_workbook(keep_lead_ids=True)``), so merging the reps' workbooks again gives the
master's IDs back.

Nothing is written until the master is read and every output is checked; the master is
never modified and each workbook is written atomically.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from leadbook.core import provenance
from leadbook.core.atomic import check_target, refuse_inputs
from leadbook.core.catalog import Catalog, load_catalog
from leadbook.core.config import TeamConfig, load_config
from leadbook.core.errors import InputError, OutputError
from leadbook.core.mask import mask_text

UNASSIGNED = "unassigned.xlsx"
HEADROOM = 100  # empty register rows prepared after the last lead
MIN_ROWS = 500  # as ``leadbook new``
NAME_LIMIT = 40  # characters of a rep's name in a file name
_FORBIDDEN = set('<>:"/\\|?*')  # not allowed in a Windows file name
_PROVENANCE = {key for key, *_ in provenance.REGISTER + provenance.LOG}


@dataclass(frozen=True)
class SplitBook:
    """One workbook written: its rep (as shown: masked; None for ``unassigned.xlsx``) and
    the rep's code."""

    path: Path
    rep: str | None
    code: str | None
    leads: int
    log_entries: int
    pinned: int = 0  # lead IDs written as values (the formula would compute another one)


@dataclass
class SplitResult:
    master: Path
    books: list[SplitBook] = field(default_factory=list)
    moved: int = 0  # 撞单 leads given to the customer's owner rather than their own rep
    # Workbooks already in the folder that this split did not write (last week's leftovers):
    # merging the folder again would read them too.
    others: list[Path] = field(default_factory=list)

    @property
    def leads(self) -> int:
        return sum(b.leads for b in self.books)

    @property
    def log_entries(self) -> int:
        return sum(b.log_entries for b in self.books)


@dataclass
class _Share:
    rep: str | None
    register: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)


def split_master(
    master: str | Path,
    out_dir: str | Path,
    *,
    config: TeamConfig | None = None,
    catalog: Catalog | None = None,
    force: bool = False,
    lang: str = "zh",
    password: str | None = None,
    encrypt: bool = False,
    created: datetime | None = None,
) -> SplitResult:
    """Write one workbook per rep of ``master`` into ``out_dir`` (created when missing).

    Raises ``InputError`` (unreadable file, not a master, no leads) or ``OutputError`` (an
    output exists without ``force``, ``out_dir`` is a file) before anything is written. An
    encrypted master is decrypted in memory with ``password``; with ``encrypt`` the reps'
    workbooks are encrypted with it.
    """
    if encrypt and password is None:
        raise ValueError("encrypt needs a password")
    master, folder = Path(master), Path(out_dir)
    config = config or load_config()
    catalog = catalog or load_catalog()
    if folder.exists() and not folder.is_dir():
        raise OutputError(key="split_out_dir_file", path=folder)
    register, log, groups = read_master(master, config, catalog, lang, password)
    shares, moved = _shares(register, log, groups, config)
    names = _file_names(list(shares), config)
    outs = {rep: folder / names[rep] for rep in shares}
    refuse_inputs(outs.values(), [master], lang)
    if folder.is_dir():
        for out in outs.values():
            check_target(out, force)
    else:
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(
                key="cannot_create_folder", path=folder, reason=exc.strerror
            ) from None
    result = SplitResult(master, moved=moved, others=_others(folder, outs.values()))
    lock = password if encrypt else None
    for rep, share in shares.items():
        pinned = write_rep_book(
            outs[rep], share.register, share.log, config=config, catalog=catalog, lang=lang,
            force=force, password=lock, created=created, rep=rep,
        )  # fmt: skip
        code = config.rep_code(rep) if rep else None
        result.books.append(
            SplitBook(
                outs[rep], rep and shown_rep(rep), code, len(share.register), len(share.log), pinned
            )  # fmt: skip
        )
    return result


# ------------------------------------------------------------------------------ reading
def read_master(master: Path, config: TeamConfig, catalog: Catalog, lang: str, password):
    """The master's register and log as records (field keys, and ``rep`` for the 负责销售),
    and its 撞单 groups; ``InputError`` when it cannot be read or is no master."""
    from leadbook.check.validate import validate_paths
    from leadbook.merge.master import master_records
    from leadbook.merge.resolve import resolve
    from leadbook.merge.versions import Collector, concat_versions

    if not master.is_file():
        raise InputError(key="split_master_missing", path=master)
    collector = Collector(catalog, password)
    masters: list[bool] = []

    def take(report, raw, reg, log) -> None:
        masters.append(provenance.is_master(header for _, header in raw.register.unknown))
        collector.take(report, raw, reg, log)

    report = validate_paths(
        [master], config=config, catalog=catalog, lang=lang, on_frames=take,
        password=password, check=False,
    )  # fmt: skip
    for file_report in report.files:
        why = file_report.error or file_report.skipped
        if why is not None:
            raise InputError(key="split_unreadable", path=master, reason=why)
    if not masters or not all(masters):
        raise InputError(key="split_not_master", path=master)
    versions = concat_versions(collector.registers, catalog.register)
    entries = concat_versions(collector.logs, catalog.log)
    result = resolve(report, versions, entries, catalog, lang=lang)
    if result.register.height == 0:
        raise InputError(key="split_no_leads", path=master)
    _as_written(result)
    register, log = master_records(result, catalog, lang)
    return list(register), list(log), result.groups


def _as_written(result) -> None:
    """The lead IDs as the master has them written. Resolving a master alone renumbers its
    leads from their 原线索编号 as the merge that wrote it did, so the IDs agree; where one
    does not (an ID edited in the master by hand), the written ID is the master's: the
    register, the log and the 撞单 groups are given it."""
    import polars as pl

    from leadbook.merge.columns import LINK

    frame = result.register
    pairs = frame.select("lead_id", LINK).filter(pl.col("lead_id").ne_missing(pl.col(LINK)))
    if pairs.height == 0:
        return
    ids = {a: b for a, b in pairs.iter_rows() if a is not None}
    result.register = frame.with_columns(pl.col(LINK).alias("lead_id"))
    result.log = result.log.with_columns(pl.col("lead_id").replace(ids))
    result.groups = [
        replace(g, members=tuple(replace(m, lead_id=ids.get(m.lead_id, m.lead_id))
                                 for m in g.members))
        for g in result.groups
    ]  # fmt: skip


# ------------------------------------------------------------------------------ sharing
def known_rep(rep: str | None, source_file: str | None, config: TeamConfig) -> bool:
    """Whether ``rep`` (the 负责销售 of a lead from ``source_file``) is a rep a workbook is
    made for: one of the config's reps; when the config lists none, any rep but the one
    merge names after the file when the file names no 最近跟进人 or 跟进人."""
    if not rep:
        return False
    if config.reps:
        return rep in config.reps
    return not source_file or rep != Path(source_file).stem


def shown_rep(rep: str) -> str:
    """A rep's name as leadbook shows it: masked (``*张``; an unmasked name loses its first
    character), mobiles and e-mails masked."""
    rep = mask_text(rep)
    return rep if rep.startswith("*") else "*" + rep[1:]


def _key(record: dict[str, Any]) -> tuple:
    """A master row's identity among its rows: its lead ID, else where it came from."""
    if record.get("lead_id"):
        return ("id", record["lead_id"])
    return ("pos", record.get("source_file"), record.get("source_row"))


def _shares(register, log, groups, config: TeamConfig) -> tuple[dict[str | None, _Share], int]:
    """Each known rep's leads and log entries (in the master's order), then the rest (None)."""
    owner: dict[tuple, str] = {}
    for group in groups:  # 撞单: every lead of the customer goes to the first registration's rep
        if known_rep(group.owner.rep, group.owner.source_file, config):
            for m in group.members[1:]:
                key = ("id", m.lead_id) if m.lead_id else ("pos", m.source_file, m.position)
                owner[key] = group.owner.rep
    shares: dict[str | None, _Share] = {}
    where: dict[str, str | None] = {}
    moved = 0
    for record in register:
        rep = record.get("rep")
        rep = rep if known_rep(rep, record.get("source_file"), config) else None
        to = owner.get(_key(record), rep)
        moved += to != rep
        shares.setdefault(to, _Share(to)).register.append(_fields(record))
        if record.get("lead_id"):
            where.setdefault(record["lead_id"], to)
    for entry in log:
        to = where.get(entry.get("lead_id"))  # None: an unknown lead, or of no known rep
        shares.setdefault(to, _Share(to)).log.append(_fields(entry))
    ordered = {rep: shares[rep] for rep in sorted((r for r in shares if r), key=_sort_key)}
    if None in shares:
        ordered[None] = shares[None]
    return ordered, moved


def _sort_key(rep: str) -> tuple:
    return (rep.casefold(), rep)


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    """A record without the master's provenance columns."""
    return {k: v for k, v in record.items() if k not in _PROVENANCE}


# ------------------------------------------------------------------------------ files
def safe_name(rep: str) -> str:
    """A file stem for a rep without a code: ``rep-`` and the masked name, with the
    characters Windows forbids (and control characters) replaced by ``_``."""
    name = unicodedata.normalize("NFKC", shown_rep(rep.strip())).lstrip("*").strip()
    name = "".join("_" if ch in _FORBIDDEN or ord(ch) < 32 else ch for ch in name)
    name = name[:NAME_LIMIT].rstrip(". ")
    return f"rep-{name}" if name else "rep"


def _file_names(reps: Sequence[str | None], config: TeamConfig) -> dict[str | None, str]:
    """Each rep's file name (the code, else the safe name; ``unassigned.xlsx`` for None),
    unique even on a file system that ignores case."""
    names: dict[str | None, str] = {}
    taken: Counter[str] = Counter()
    for rep in reps:
        if rep is None:
            continue
        code = config.rep_code(rep)
        stem = code or safe_name(rep)
        taken[stem.casefold()] += 1
        n = taken[stem.casefold()]
        names[rep] = f"{stem}.xlsx" if n == 1 else f"{stem}-{n}.xlsx"
    if None in reps:
        names[None] = UNASSIGNED
    return names


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def _others(folder: Path, outs) -> list[Path]:
    """The workbooks in ``folder`` that are not among ``outs``."""
    if not folder.is_dir():
        return []
    mine = {p.name for p in outs}
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and p.name not in mine
        and not p.name.startswith((".", "~$"))
    )  # fmt: skip


def write_rep_book(
    out: Path,
    register: Sequence[dict[str, Any]],
    log: Sequence[dict[str, Any]],
    *,
    config: TeamConfig,
    catalog: Catalog,
    lang: str,
    force: bool,
    password: str | None,
    created: datetime | None = None,
    rep: str | None = None,
) -> int:
    """Write one rep's workbook from the template (atomically): the rep's own workbook (its
    dropdowns, its rep-coded ID formula) with the leads' IDs as the master has them (a value
    where the formula would give another). Returns how many IDs are values."""
    from leadbook.core.leadid import ids_for
    from leadbook.workbook.template import write_workbook

    owner = config.rep(rep)
    code = (owner.code if owner else None) or ""
    codes = {c.name: c.code for c in config.channels}
    computed = ids_for(register, codes, code, config.lead_id_format)
    write_workbook(
        out,
        catalog=catalog,
        config=config,
        lang=lang,
        rows=max(MIN_ROWS, len(register) + HEADROOM),
        register=register,
        log=log,
        created=created,
        force=force,
        password=password,
        rep=owner,
        keep_lead_ids=True,
    )
    own = [r.get("lead_id") for r in register]
    return sum(1 for a, b in zip(own, computed, strict=True) if a is not None and a != b)
