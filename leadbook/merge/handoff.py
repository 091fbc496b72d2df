"""``leadbook handoff``: move leads, with their whole follow-up log, from one rep's workbook
to another's (R-K5, team hand-off).

Nothing is changed in place: both workbooks are written anew as ``<stem>.handoff.xlsx`` (in
``out_dir``, default each file's own folder) and the originals stay as they were. The source
copy lacks the moved leads and their log entries; the target copy has them appended, each
with 最近跟进人 set to the new rep and one new log entry by the previous owner, "移交给 *李
(原负责 *张)", at the hand-off time, its status unchanged; the register's 最近跟进时间 and
跟进内容摘要 repeat it (so the register still matches its log).

Lead IDs do not change: a moved lead keeps its ID, and so does every lead left in either
workbook (a row whose ID formula would now give another ID keeps its ID as a value; the
other rows keep the formula). Only a moved lead whose ID the target already uses (the seed's
per-workbook sequences; team-unique IDs with rep codes never collide) gets the next free
sequence of its code and day there; its log follows, and the change is reported. With a
history store (``history``) each move is recorded in its ``moves`` table. Values are
written as they were read (dates parsed, text as written).

Every argument is checked before anything is written: the new owner (masked, ``*李``, and one
of the config's ``reps`` when it lists them), the lead IDs (each in the source's register),
then the outputs; ``out_dir`` is created last, when all is right.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from leadbook.core.atomic import check_target
from leadbook.core.catalog import Catalog, load_catalog
from leadbook.core.config import TeamConfig, load_config
from leadbook.core.errors import InputError, OutputError
from leadbook.core.texts import sheet_name
from leadbook.history.store import Move, check_store, record_moves, store_path

SUFFIX = ".handoff.xlsx"
HEADROOM = 100  # empty register rows prepared after the last lead
MIN_ROWS = 500  # as ``leadbook new``
NOTE = {"zh": "移交给 {rep}(原负责 {owner})", "en": "handed over to {rep} (previously {owner})"}
FALLBACK_METHOD = "其他"


@dataclass
class _Book:
    path: Path
    lang: str
    register: list[dict[str, Any]]
    log: list[dict[str, Any]]


@dataclass
class HandoffResult:
    source_out: Path
    target_out: Path
    moved: list[tuple[str, str]] = field(default_factory=list)  # (ID in source, ID in target)
    log_entries: int = 0  # moved log entries, the new hand-off entries not counted
    renumbered: list[tuple[str, str, str]] = field(default_factory=list)  # (file, old, new)
    moves: list[Move] = field(default_factory=list)  # as recorded in the history store
    history: Path | None = None  # the store the moves were recorded in


def output_path(path: Path, out_dir: Path | None) -> Path:
    name = path.name[: -len(path.suffix)] + SUFFIX if path.suffix else path.name + SUFFIX
    return (out_dir or path.parent) / name


def handoff(
    source: str | Path,
    target: str | Path,
    lead_ids: Sequence[str],
    rep: str,
    *,
    out_dir: str | Path | None = None,
    config: TeamConfig | None = None,
    catalog: Catalog | None = None,
    as_of: datetime | None = None,
    force: bool = False,
    password: str | None = None,
    encrypt: bool = False,
    history: str | Path | None = None,
) -> HandoffResult:
    """Move ``lead_ids`` from ``source`` to ``target`` (rep ``rep``), writing new copies of
    both. Raises ``InputError`` (unreadable workbook, unknown lead IDs, a hand-off before a
    lead's last contact) or ``OutputError`` before anything is written.

    Encrypted workbooks are decrypted in memory with ``password``; with ``encrypt`` both
    copies are encrypted with it. With ``history`` (a master, whose store is beside it, or a
    store) each move is recorded in the store's ``moves`` table; the store must exist.
    """
    if encrypt and password is None:
        raise ValueError("encrypt needs a password")
    source, target = Path(source), Path(target)
    config = config or load_config()
    catalog = catalog or load_catalog()
    as_of = (as_of or datetime.now()).replace(second=0, microsecond=0)
    rep = check_rep(rep, config)
    if source.resolve() == target.resolve():
        raise InputError(key="handoff_same_book", path=source)
    wanted = list(dict.fromkeys(_norm(i) for i in lead_ids if _norm(i)))
    if not wanted:
        raise InputError(key="handoff_no_leads", path=source)
    folder = Path(out_dir) if out_dir is not None else None
    outs = (output_path(source, folder), output_path(target, folder))
    if outs[0].resolve() == outs[1].resolve():
        raise OutputError(key="handoff_same_output", path=outs[0])
    if folder is not None and folder.exists() and not folder.is_dir():
        raise OutputError(key="handoff_out_dir_file", path=folder)
    store = store_path(history) if history is not None else None
    if store is not None:
        if not store.is_file():
            raise InputError(key="history_missing", path=store)
        check_store(store)
    src, tgt = _read(source, target, config, catalog, as_of, password)
    known = {r["lead_id"] for r in src.register}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise InputError(key="handoff_unknown_leads", path=source, ids=", ".join(unknown))
    for out in outs:  # the inputs are right: now the outputs (their folder made last)
        if out.exists() and not force:
            check_target(out, force)
    result = HandoffResult(*outs)
    # Each copy stays its rep's own workbook: the formula of its new rows with the rep's code.
    owners = (config.rep(_usual_owner(src, source)), config.rep(rep))
    moving = set(wanted)
    moved = [r for r in src.register if r["lead_id"] in moving]
    moved_log = [e for e in src.log if e["lead_id"] in moving]
    src.register = [r for r in src.register if r["lead_id"] not in moving]
    src.log = [e for e in src.log if e["lead_id"] not in moving]
    result.log_entries = len(moved_log)
    notes = _hand_over(moved, moved_log, rep, as_of, config, _usual_owner(src, source), tgt.lang)
    moved_map = _free_ids([r["lead_id"] for r in moved], {r["lead_id"] for r in tgt.register})
    tgt.log = tgt.log + _relinked(moved_log + notes, moved_map)
    tgt.register = tgt.register + _renamed(moved, moved_map)
    result.moved = [(old, moved_map.get(old, old)) for old in wanted]
    result.renumbered = [(target.name, a, b) for a, b in moved_map.items() if a != b]
    result.moves = [
        Move(moved_map[n["lead_id"]], n["lead_id"], n["owner"], rep, as_of) for n in notes
    ]
    if folder is not None and not folder.is_dir():
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(f"{folder}: cannot create folder: {exc.strerror}") from None
    for out in outs:  # every check passed: the folder, then the copies
        check_target(out, force)
    lock = password if encrypt else None
    for book, out, owner in ((src, outs[0], owners[0]), (tgt, outs[1], owners[1])):
        _write(book, out, config, catalog, as_of, force, lock, owner)
    if store is not None:
        record_moves(store, result.moves)
        result.history = store
    return result


def check_rep(rep: str, config: TeamConfig) -> str:
    """The new owner as the 跟进人 columns name reps: masked (``*李``, the surname hidden) and,
    when the team config lists its reps, one of them; else ``InputError``."""
    rep = unicodedata.normalize("NFKC", rep).strip()
    if not rep:
        raise InputError(key="handoff_no_rep")
    if config.reps and rep not in config.reps:
        raise InputError(key="handoff_rep_unknown", rep=mask_rep(rep), reps="、".join(config.reps))
    if not rep.startswith("*") or len(rep) < 2:
        raise InputError(key="handoff_rep_unmasked", rep=mask_rep(rep))
    return rep


def mask_rep(rep: str) -> str:
    """A rep's name as a message may show it: an unmasked name loses its first character."""
    return rep if rep.startswith("*") else "*" + rep[1:]


def _norm(lead_id: str) -> str:
    return unicodedata.normalize("NFKC", lead_id).strip()


# ------------------------------------------------------------------------------ reading
def _read(source: Path, target: Path, config, catalog, as_of, password) -> tuple[_Book, _Book]:
    from leadbook.check.validate import validate_paths
    from leadbook.merge.records import Records
    from leadbook.merge.versions import sheet_values

    books: dict[str, _Book] = {}

    def take(report, raw, reg, log) -> None:
        lang = raw.properties.get("leadbook_lang") or (
            "en" if raw.register.name == sheet_name("register", "en") else "zh"
        )
        register = list(Records(sheet_values(reg, raw.register, catalog.register, mask=False),
                                catalog.register, {}))  # fmt: skip
        entries = []
        if log is not None and raw.log is not None:
            values = sheet_values(log, raw.log, catalog.log, mask=False)
            entries = list(Records(values, catalog.log, {}))
        books[report.path] = _Book(Path(raw.path), lang, register, entries)

    report = validate_paths(
        [source, target],
        config=config,
        catalog=catalog,
        as_of=as_of,
        on_frames=take,
        password=password,
    )
    for file_report in report.files:
        if file_report.error is not None or file_report.skipped is not None:
            raise InputError(f"{file_report.path}: {file_report.error or file_report.skipped}")
    return books[str(source)], books[str(target)]


def _usual_owner(book: _Book, path: Path) -> str:
    counts = Counter(r["last_owner"] for r in book.register if r.get("last_owner"))
    if counts:
        return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return path.stem


# ------------------------------------------------------------------------------ moving
def _hand_over(moved, moved_log, rep, as_of, config, usual, lang) -> list[dict[str, Any]]:
    """Set each moved lead's owner and latest contact; one hand-off log entry per lead, by the
    previous owner, its status unchanged."""
    methods = config.values("contact_methods")
    method = FALLBACK_METHOD if FALLBACK_METHOD in methods else methods[0]
    note = NOTE.get(lang, NOTE["zh"])
    entries = []
    for lead in moved:
        times = [e["contact_at"] for e in moved_log if e["lead_id"] == lead["lead_id"]]
        times.append(lead.get("last_contact_at"))
        latest = max((t for t in times if isinstance(t, datetime)), default=None)
        if latest is not None and latest > as_of:
            raise InputError(
                key="handoff_after_as_of",
                lead=lead["lead_id"],
                latest=f"{latest:%Y-%m-%d %H:%M}",
                as_of=f"{as_of:%Y-%m-%d %H:%M}",
            )
        owner = lead.get("last_owner") or usual
        content = note.format(rep=rep, owner=owner)
        entries.append(
            {"lead_id": lead["lead_id"], "owner": owner, "contact_at": as_of, "method": method,
             "content": content}
        )  # fmt: skip
        lead.update(last_owner=rep, last_contact_at=as_of, last_summary=content)
    return entries


SEQ = re.compile(r"^(?P<prefix>.*?)(?P<seq>\d{3,})$")


def _free_ids(moving: list[str], taken: set[str]) -> dict[str, str]:
    """Each moved lead's ID in the target: its own when the target has no lead of that ID,
    else the next free sequence of its prefix (code + day, and rep code if any) there."""
    used = {i for i in taken if i}
    mapping: dict[str, str] = {}
    for old in moving:
        new = old
        if old in used:
            m = SEQ.match(old)
            if m:
                prefix = m["prefix"]
                seqs = [
                    int(x["seq"]) for i in used if (x := SEQ.match(i)) and x["prefix"] == prefix
                ]
                new = f"{prefix}{max(seqs) + 1:03d}"
            else:  # not code + day + sequence: a suffix keeps it readable
                k = 2
                while f"{old}-{k}" in used:
                    k += 1
                new = f"{old}-{k}"
        used.add(new)
        mapping[old] = new
    return mapping


def _relinked(entries: list[dict], mapping: dict[str, str]) -> list[dict]:
    return [{**e, "lead_id": mapping.get(e["lead_id"], e["lead_id"])} for e in entries]


def _renamed(register: list[dict], mapping: dict[str, str]) -> list[dict]:
    return [{**r, "lead_id": mapping.get(r["lead_id"], r["lead_id"])} for r in register]


def _write(book: _Book, out: Path, config, catalog, as_of, force, password, owner=None) -> None:
    from leadbook.workbook.template import write_workbook

    write_workbook(
        out,
        catalog=catalog,
        config=config,
        lang=book.lang,
        rows=max(MIN_ROWS, len(book.register) + HEADROOM),
        register=book.register,
        log=book.log,
        force=force,
        created=as_of,
        password=password,
        rep=owner,
        keep_lead_ids=True,
    )
