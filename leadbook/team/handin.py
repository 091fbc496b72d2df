"""The hand-in check (``merge`` and ``validate`` with reps in the team config): which
configured reps handed in no workbook, which workbooks belong to no configured rep, and (with
``merge --into``) which workbooks hold no contact newer than the last master has.

A workbook's rep is found as ``merge`` fills 负责销售: the custom document property
``leadbook_rep`` when the workbook has one, else its most common 最近跟进人, else its log's
most common 跟进人, else the file's name; a name that is a configured rep's code (``ZH.xlsx``,
as ``split`` names the files) stands for that rep. A shared sheet (no one 最近跟进人 on most
rows) hands in for each rep its rows credit, as merge credits them. A master (its provenance columns) is no rep's
workbook; with ``--into`` it gives, per rep (its 负责销售), the newest 最近跟进时间 it holds: a
rep's workbook with no 最近跟进时间 and no log contact after that is "unchanged" (the old
state sent again). A rep the master holds no lead of has nothing to compare with.

Without reps in the config the check is off (``check_hand_in`` returns None). Names and paths
are shown masked (mobiles, e-mails), as everything leadbook prints.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from leadbook.core import provenance
from leadbook.core.config import TeamConfig
from leadbook.core.mask import mask_text
from leadbook.core.messages import text
from leadbook.core.show import shown_path
from leadbook.merge.versions import file_rep as merge_rep
from leadbook.merge.versions import row_reps
from leadbook.read.normalize import ROW
from leadbook.read.reader import RawBook

REP_PROPERTY = "leadbook_rep"  # a workbook's own rep (custom document property), if set


@dataclass(frozen=True)
class Workbook:
    """One rep's workbook as the check sees it."""

    path: str
    rep: str  # masked
    newest: datetime | None  # its newest 最近跟进时间 or log contact


@dataclass
class Seen:
    """What ``take`` (an ``on_frames`` callback) kept of each readable file."""

    config: TeamConfig | None = None  # to read a rep's code as the rep
    workbooks: list[Workbook] = field(default_factory=list)
    # per rep (masked 负责销售): the newest 最近跟进时间 in a master read as an input
    master_newest: dict[str, datetime] = field(default_factory=dict)
    master_paths: list[str] = field(default_factory=list)

    def take(self, report: Any, raw: RawBook, reg: pl.DataFrame, log: Any) -> None:
        headers = [h for _, h in raw.register.unknown]
        if provenance.is_master(headers):
            self.master_paths.append(raw.path)
            self._master(raw, reg)
            return
        if shared(reg):  # a shared sheet hands in for every rep whose rows it holds
            reps = row_reps(reg, log, Path(raw.path).stem)
            for rep in dict.fromkeys(reps.to_list()):
                mine = reg.filter(reps == rep)
                self.workbooks.append(Workbook(raw.path, self._rep(rep), _newest(mine, None)))
            return
        rep = workbook_rep(raw, reg, log, self.config)
        self.workbooks.append(Workbook(raw.path, rep, _newest(reg, log)))

    def _rep(self, rep: str) -> str:
        return by_code(rep, self.config)

    def _master(self, raw: RawBook, reg: pl.DataFrame) -> None:
        keys = provenance.header_keys()
        col = next((c for c, h in raw.register.unknown if keys.get(h) == "rep"), None)
        if col is None or "last_contact_at" not in reg.columns or not reg.height:
            return
        reps = raw.register.extra_values(col, reg[ROW].to_list())
        for rep, when in zip(reps, reg["last_contact_at"].to_list(), strict=True):
            if rep and when is not None:
                rep = mask_text(rep)
                if rep not in self.master_newest or when > self.master_newest[rep]:
                    self.master_newest[rep] = when


def workbook_rep(
    raw: RawBook, reg: pl.DataFrame, log: Any, config: TeamConfig | None = None
) -> str:
    """The workbook's rep (masked): its ``leadbook_rep`` property, else as merge finds it; a
    configured rep's code stands for the rep."""
    own = (raw.properties or {}).get(REP_PROPERTY, "").strip()
    rep = mask_text(own) if own else merge_rep(reg, log, Path(raw.path).stem)
    return by_code(rep, config)


def by_code(rep: str, config: TeamConfig | None) -> str:
    """``rep``, or the configured rep whose code it is (``ZH`` -> ``*张``)."""
    if config is not None and rep not in config.reps:
        coded = next((r for r in config.team if r.code and r.code == rep.upper()), None)
        if coded is not None:
            return mask_text(coded.name)
    return rep


def shared(reg: pl.DataFrame) -> bool:
    """A shared sheet (``provenance.shared_sheet``: no one 最近跟进人 on most rows)."""
    if "last_owner" not in reg.columns:
        return False
    return provenance.shared_sheet(Counter(v for v in reg["last_owner"].to_list() if v))


def _newest(reg: pl.DataFrame, log: Any) -> datetime | None:
    times = []
    for frame, key in ((reg, "last_contact_at"), (log, "contact_at")):
        if frame is not None and key in frame.columns and frame.height:
            value = frame[key].max()
            if isinstance(value, datetime):
                times.append(value)
    return max(times) if times else None


@dataclass(frozen=True)
class HandIn:
    """The check's result: names and paths as shown (masked)."""

    missing: tuple[str, ...]  # configured reps without a workbook, config order
    unknown: tuple[tuple[str, str], ...]  # (path, rep) of workbooks of no configured rep
    unchanged: tuple[tuple[str, str, datetime | None, datetime], ...]  # path, rep, newest, master's
    checked_unchanged: bool = False  # whether a master was there to compare with

    @property
    def complete(self) -> bool:
        return not (self.missing or self.unknown or self.unchanged)


def check_hand_in(seen: Seen, config: TeamConfig) -> HandIn | None:
    """The hand-in check over what ``seen`` collected (None: no reps configured, or no rep's
    workbook was read at all, e.g. only a master validated)."""
    if not config.reps or not seen.workbooks:
        return None
    configured = {mask_text(name): name for name in config.reps}
    handed = {w.rep for w in seen.workbooks}
    missing = tuple(mask_text(name) for name in config.reps if mask_text(name) not in handed)
    unknown = tuple((shown_path(w.path), w.rep) for w in seen.workbooks if w.rep not in configured)
    unchanged = []
    for w in seen.workbooks:
        before = seen.master_newest.get(w.rep)
        if before is not None and (w.newest is None or w.newest <= before):
            unchanged.append((shown_path(w.path), w.rep, w.newest, before))
    return HandIn(missing, unknown, tuple(unchanged), bool(seen.master_paths))


def _when(value: datetime | None, lang: str) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else text("handin_no_contact", lang)


def hand_in_lines(check: HandIn | None, lang: str = "zh") -> list[str]:
    """The check as summary lines (none when the check is off)."""
    if check is None:
        return []
    if check.complete:
        return [text("handin_complete", lang)]
    lines = []
    if check.missing:
        lines.append(text("handin_missing", lang, n=len(check.missing)))
        lines += [f"  {mask_text(rep)}" for rep in check.missing]
    if check.unknown:
        lines.append(text("handin_unknown", lang, n=len(check.unknown)))
        lines += [f"  {path}: {mask_text(rep)}" for path, rep in check.unknown]
    if check.unchanged:
        lines.append(text("handin_unchanged", lang, n=len(check.unchanged)))
        lines += [
            "  "
            + text(
                "handin_unchanged_line",
                lang,
                path=path,
                rep=mask_text(rep),
                newest=_when(newest, lang),
                master=_when(master, lang),
            )
            for path, rep, newest, master in check.unchanged
        ]
    return lines


def hand_in_dict(check: HandIn | None) -> dict[str, Any] | None:
    """The check for a JSON document (None when the check is off)."""
    if check is None:
        return None
    iso = lambda t: t.isoformat(timespec="seconds") if t else None  # noqa: E731
    return {
        "complete": check.complete,
        "missing_reps": [mask_text(r) for r in check.missing],
        "unknown_workbooks": [{"path": p, "rep": mask_text(r)} for p, r in check.unknown],
        "compared_with_master": check.checked_unchanged,
        "unchanged_workbooks": [
            {"path": p, "rep": mask_text(r), "newest_contact": iso(n), "master_newest": iso(m)}
            for p, r, n, m in check.unchanged
        ],
    }
