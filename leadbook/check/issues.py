"""Findings as values (STYLE.md 2): an ``Issue`` per problem, a ``FileReport`` per input, a
``Report`` over a run. Rendering to text, JSON and a marked-up workbook lives in ``render``
and ``annotate``; the catalogue of codes (titles, messages, hints) in ``codes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Severity = Literal["error", "warning"]
SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True)
class Issue:
    """One finding about one place. ``row`` is the row number Excel shows; ``value`` is
    already masked when it holds personal data; ``message`` and ``hint`` are in the
    report's language."""

    code: str
    severity: Severity
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    value: str | None = None
    message: str = ""
    hint: str = ""

    @property
    def cell(self) -> str:
        """``sheet!C12`` (or as much of it as is known)."""
        where = f"{self.column or ''}{self.row or ''}"
        if self.sheet and where:
            return f"{self.sheet}!{where}"
        return self.sheet or where or "-"

    def sort_key(self) -> tuple:
        return (
            SEVERITY_ORDER[self.severity],
            self.sheet or "",
            self.row or 0,
            _column_number(self.column),
            self.code,
        )


@dataclass
class FileReport:
    path: str
    rows: int = 0
    issues: list[Issue] = field(default_factory=list)
    error: str | None = None  # why the file could not be read at all
    # Values computed for formula cells that held none ((sheet, "A3") -> value): written
    # into the annotated copy's formulas, so the copy reads like its original.
    formula_values: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    skipped: str | None = None  # why the file was listed but not read (not an error)
    notes: list[str] = field(default_factory=list)  # e.g. the annotated copy not written

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.error is None and self.skipped is None and self.errors == 0

    @property
    def read(self) -> bool:
        """Whether the file was read (neither unreadable nor skipped)."""
        return self.error is None and self.skipped is None

    def sorted_issues(self) -> list[Issue]:
        return sorted(self.issues, key=Issue.sort_key)


@dataclass
class Report:
    as_of: datetime
    files: list[FileReport] = field(default_factory=list)
    lang: str = "zh"

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    @property
    def unreadable(self) -> int:
        return sum(1 for f in self.files if f.error is not None)

    @property
    def skipped(self) -> int:
        return sum(1 for f in self.files if f.skipped is not None)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def valid(self) -> bool:
        return self.unreadable == 0 and self.errors == 0

    def issues(self) -> list[Issue]:
        return [i for f in self.files for i in f.sorted_issues()]

    def flatten(self, *attrs: str) -> list[tuple[Any, ...]]:
        """Issues as tuples of the named attributes, for one-line test assertions."""
        return [tuple(getattr(i, a) for a in attrs) for i in self.issues()]

    def exit_code(self, strict: bool = False) -> int:
        if self.unreadable:
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0


def _column_number(letters: str | None) -> int:
    n = 0
    for ch in letters or "":
        n = n * 26 + ord(ch) - 64
    return n
