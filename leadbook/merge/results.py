"""What a merge produces: the master's rows and log (:class:`MergeResult`), and what it found
on the way: field conflicts, renumbered lead IDs and 撞单 groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from leadbook.check.issues import FileReport, Report
from leadbook.merge.columns import FINDINGS


@dataclass(frozen=True)
class Conflict:
    """One field of one lead whose versions differ."""

    lead_id: str | None  # the master's lead ID
    company: str  # as the master keeps it
    field: str
    values: tuple[tuple[str, str, str, str], ...]  # (source file, position, rep, value)
    winner: tuple[str, str]  # (source file, position) of the version the master keeps
    identity: tuple[str, str, str] = field(default=("", "", ""), repr=False, compare=False)
    # why the winner won: its 最近跟进时间 (None: no version has one), and whether another
    # version had the same one (then the smaller content digest decided, not input order)
    latest: datetime | None = field(default=None, compare=False)
    tie: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Renumbered:
    """A lead whose source ID another customer's lead already had."""

    old_id: str
    new_id: str
    company: str
    rep: str
    source_file: str
    position: str


@dataclass(frozen=True)
class Member:
    lead_id: str | None  # in the master
    source_lead_id: str  # in its source workbook
    rep: str
    company: str
    created_at: datetime | None
    source_file: str
    position: str


@dataclass(frozen=True)
class DuplicateGroup:
    """One customer under several lead IDs (撞单); ``members[0]`` registered first and owns it."""

    members: tuple[Member, ...]
    linked_by: tuple[str, ...]  # "company", "office_phone", "im_account"

    @property
    def owner(self) -> Member:
        return self.members[0]

    @property
    def reps(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.rep for m in self.members))


@dataclass
class MergeResult:
    report: Report  # validation of every input (unreadable ones included)
    register: pl.DataFrame  # master rows: field keys (+ key__txt for times) and provenance
    log: pl.DataFrame
    conflicts: list[Conflict] = field(default_factory=list)
    renumbered: list[Renumbered] = field(default_factory=list)
    groups: list[DuplicateGroup] = field(default_factory=list)
    input_rows: int = 0
    merged: int = 0  # versions folded into another row
    dropped: int = 0  # rows left out (valid_only)
    input_log: int = 0
    log_merged: int = 0  # identical log entries kept once
    log_dropped: int = 0  # entries of rows left out

    @property
    def master_rows(self) -> int:
        return self.register.height

    @property
    def files_read(self) -> int:
        return sum(1 for f in self.report.files if f.read)

    @property
    def skipped(self) -> list[FileReport]:
        """Files listed but not read (lock files, other files, leadbook's own outputs)."""
        return [f for f in self.report.files if f.skipped is not None]

    @property
    def unreadable(self) -> list[FileReport]:
        return [f for f in self.report.files if f.error is not None]

    @property
    def flagged(self) -> int:
        """Master rows with findings (validation codes or a 撞单 mark)."""
        return self.register.filter(pl.col(FINDINGS) != "").height


def summary_dict(result: MergeResult) -> dict:
    """A merge's counts for a JSON document (``merge --format json``); paths as shown."""
    from leadbook.core.mask import mask_text
    from leadbook.core.show import shown_path

    return {
        "files_read": result.files_read,
        "input_rows": result.input_rows,
        "master_rows": result.master_rows,
        "merged": result.merged,
        "dropped": result.dropped,
        "log_entries": result.log.height,
        "conflicts": len(result.conflicts),
        "renumbered": len(result.renumbered),
        "duplicate_groups": len(result.groups),
        "flagged": result.flagged,
        "unreadable": [
            {"path": shown_path(f.path), "error": mask_text(f.error)} for f in result.unreadable
        ],
        "skipped": [
            {"path": shown_path(f.path), "reason": mask_text(f.skipped or "")}
            for f in result.skipped
        ],
    }
