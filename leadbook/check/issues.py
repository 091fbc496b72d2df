"""Findings as values (STYLE.md 2): an ``Issue`` per problem, a ``FileReport`` per input, a
``Report`` over a run. Rendering to text, JSON and a marked-up workbook lives in ``render``
and ``annotate``; the catalogue of codes (titles, messages, hints) in ``codes``.

A file's findings are a :class:`Findings` sequence: the cell findings of the rules are held
in columns (``Chunk``: one code at one column, the rows and values in a polars frame) and
become ``Issue`` values only where a caller reads them, so a workbook where every cell is
wrong costs a few bytes a finding, not an object each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import polars as pl

Severity = Literal["error", "warning"]
SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True, slots=True)
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
class Chunk:
    """Findings of one code at one column of one sheet, in columns: ``frame`` holds ``row``
    (Excel's row number), ``value`` (the cell's text, unmasked) and a column per message
    parameter that varies by row; ``params`` the parameters common to every row (already
    shown). ``make(row, value, params)`` turns one row into its ``Issue``."""

    code: str
    severity: Severity
    sheet: str | None
    column: str | None
    field: str | None
    frame: pl.DataFrame
    params: dict[str, str]
    make: Any  # (code, chunk, row, value, params) -> Issue

    def __len__(self) -> int:
        return self.frame.height

    def issues(self, positions: Iterable[int] | None = None) -> Iterator[Issue]:
        frame = self.frame if positions is None else self.frame[list(positions)]
        names = frame.columns[2:]
        for values in frame.iter_rows():
            params = dict(self.params)
            params.update(zip(names, values[2:], strict=True))
            yield self.make(self, values[0], values[1], params)

    def reasons(self) -> list | None:
        """Each row's ``reason`` parameter (None when the chunk has one for all)."""
        return self.frame["reason"].to_list() if "reason" in self.frame.columns else None


class Findings(MutableSequence):
    """A file's findings in the order they were found: ``Issue`` values and ``Chunk``s. A
    list of ``Issue`` to its callers (iterating, indexing, ``len``, ``append``); changing it
    other than at its end turns it into a plain list of ``Issue`` first."""

    def __init__(self, issues: Iterable[Issue] = ()) -> None:
        self.parts: list[list[Issue] | Chunk] = []
        self.extend(issues)

    # ---- the compact side
    def add(self, chunk: Chunk) -> None:
        if len(chunk):
            self.parts.append(chunk)

    def severity_count(self, severity: Severity) -> int:
        n = 0
        for part in self.parts:
            if isinstance(part, Chunk):
                n += len(part) if part.severity == severity else 0
            else:
                n += sum(1 for i in part if i.severity == severity)
        return n

    def places(self) -> Iterator[tuple[str | None, int | None, str]]:
        """(sheet, row, code) of every finding, in the order found, without making them."""
        for part in self.parts:
            if isinstance(part, Chunk):
                for row in part.frame["row"].to_list():
                    yield part.sheet, row, part.code
            else:
                for i in part:
                    yield i.sheet, i.row, i.code

    def order(self) -> Iterator[tuple[int, int]]:
        """(part, position) of every finding, sorted by :meth:`Issue.sort_key` (ties in the
        order found); read from the sorted frame a slice at a time."""
        import polars as pl

        keys = []
        for p, part in enumerate(self.parts):
            if isinstance(part, Chunk):
                n = len(part)
                keys.append(
                    pl.DataFrame(
                        {
                            "s": pl.repeat(SEVERITY_ORDER[part.severity], n, eager=True),
                            "sheet": pl.repeat(part.sheet or "", n, eager=True),
                            "row": part.frame["row"].cast(pl.Int64).fill_null(0),
                            "col": pl.repeat(_column_number(part.column), n, eager=True),
                            "code": pl.repeat(part.code, n, eager=True),
                            "part": pl.repeat(p, n, eager=True),
                            "pos": pl.int_range(0, n, eager=True),
                        },
                        schema=_ORDER_SCHEMA,
                    )
                )
            elif part:
                rows = [(*i.sort_key(), p, pos) for pos, i in enumerate(part)]
                keys.append(pl.DataFrame(rows, schema=_ORDER_SCHEMA, orient="row"))
        if not keys:
            return
        frame = pl.concat(keys).sort("s", "sheet", "row", "col", "code", maintain_order=True)
        for piece in frame.select("part", "pos").iter_slices(ORDER_SLICE):
            yield from zip(piece["part"].to_list(), piece["pos"].to_list(), strict=True)

    def at(self, part: int, pos: int) -> Issue:
        chunk = self.parts[part]
        return chunk[pos] if isinstance(chunk, list) else next(chunk.issues([pos]))

    def sorted(self) -> list[Issue]:
        return list(self.iter_sorted())

    def iter_sorted(self) -> Iterator[Issue]:
        """The findings sorted by :meth:`Issue.sort_key`, made one by one."""
        if all(isinstance(p, list) for p in self.parts):
            yield from sorted(self, key=Issue.sort_key)
            return
        columns: dict[int, list[list]] = {}  # a chunk's columns as lists, once
        for part, pos in self.order():
            chunk = self.parts[part]
            if isinstance(chunk, list):
                yield chunk[pos]
                continue
            lists = columns.get(part)
            if lists is None:
                lists = columns[part] = [c.to_list() for c in chunk.frame.get_columns()]
            params = dict(chunk.params)
            for name, values in zip(chunk.frame.columns[2:], lists[2:], strict=True):
                params[name] = values[pos]
            yield chunk.make(chunk, lists[0][pos], lists[1][pos], params)

    # ---- the list side
    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __iter__(self) -> Iterator[Issue]:
        for part in self.parts:
            yield from (part.issues() if isinstance(part, Chunk) else part)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        for part in self.parts:
            if index < len(part):
                return part[index] if isinstance(part, list) else next(part.issues([index]))
            index -= len(part)
        raise IndexError("finding index out of range")

    def _flat(self) -> list[Issue]:
        if len(self.parts) != 1 or not isinstance(self.parts[0], list):
            self.parts = [list(self)]
        return self.parts[0]  # type: ignore[return-value]

    def __setitem__(self, index, value) -> None:  # type: ignore[override]
        self._flat()[index] = value

    def __delitem__(self, index) -> None:  # type: ignore[override]
        del self._flat()[index]

    def insert(self, index: int, value: Issue) -> None:
        if index >= len(self):
            self.append(value)
        else:
            self._flat().insert(index, value)

    def append(self, value: Issue) -> None:
        if not self.parts or not isinstance(self.parts[-1], list):
            self.parts.append([])
        self.parts[-1].append(value)  # type: ignore[union-attr]

    def extend(self, values: Iterable[Issue]) -> None:
        for value in values:
            self.append(value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Findings | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Findings({len(self)} findings)"


ORDER_SLICE = 65_536  # sorted positions turned into Python values at a time
_ORDER_SCHEMA = {
    "s": int,
    "sheet": str,
    "row": int,
    "col": int,
    "code": str,
    "part": int,
    "pos": int,
}


@dataclass
class FileReport:
    path: str
    rows: int = 0
    issues: Findings = field(default_factory=Findings)
    error: str | None = None  # why the file could not be read at all
    # Values computed for formula cells that held none ((sheet, "A3") -> value): written
    # into the annotated copy's formulas, so the copy reads like its original.
    formula_values: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    skipped: str | None = None  # why the file was listed but not read (not an error)
    notes: list[str] = field(default_factory=list)  # e.g. the annotated copy not written

    def __post_init__(self) -> None:
        if not isinstance(self.issues, Findings):
            self.issues = Findings(self.issues)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "issues" and not isinstance(value, Findings):
            value = Findings(value)
        object.__setattr__(self, name, value)

    @property
    def errors(self) -> int:
        return self.issues.severity_count("error")

    @property
    def warnings(self) -> int:
        return self.issues.severity_count("warning")

    @property
    def ok(self) -> bool:
        return self.error is None and self.skipped is None and self.errors == 0

    @property
    def read(self) -> bool:
        """Whether the file was read (neither unreadable nor skipped)."""
        return self.error is None and self.skipped is None

    def sorted_issues(self) -> list[Issue]:
        return self.issues.sorted()


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
