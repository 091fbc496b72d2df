"""A ``Report`` shown as text (terminal, optionally coloured) or as JSON (other programs).

The text groups findings by file, worst file first, one aligned line per finding, and ends
with a summary line in the report's language. Every value, message, hint and error passes
through :func:`leadbook.core.mask.mask_text` once more on the way out (R-K2): callers mask first,
this is the last guard.
"""

from __future__ import annotations

import io
import json
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leadbook.check.issues import Chunk, FileReport, Findings, Issue, Report
from leadbook.core.mask import mask_text
from leadbook.core.show import shown, shown_path

JSON_VERSION = 1
HINT_SEPARATOR = "→"
# The words of the text report and of the findings sheet (annotate), per language.
WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "error": "错误",
        "warning": "警告",
        "unreadable": "无法读取:{error}",
        "skipped": "已跳过:{reason}",
        "skipped_count": ",跳过 {skipped} 个",
        "note": "注意:{note}",
        "file_ok": "{rows} 行:没有问题",
        "file_counts": "{rows} 行:错误 {errors} 个,警告 {warnings} 个",
        "summary": "共 {files} 个文件、{rows} 行:错误 {errors} 个,警告 {warnings} 个,"
        "无法读取 {unreadable} 个",
        "file_summary": "{file}:共 {rows} 行,错误 {errors} 个,警告 {warnings} 个",
        "findings_sheet": "校验结果",
        "headers": "位置|严重程度|代码|字段|值|说明|修改建议",
        "hint": "修改建议",
        "cells": "({count:,} 行)",
        "values": "值如:{values} 等",
    },
    "en": {
        "error": "error",
        "warning": "warning",
        "unreadable": "cannot be read: {error}",
        "skipped": "skipped: {reason}",
        "skipped_count": ", {skipped} skipped",
        "note": "note: {note}",
        "file_ok": "{rows_n}: no findings",
        "file_counts": "{rows_n}: {errors_n}, {warnings_n}",
        "summary": "{files_n}, {rows_n}: {errors_n}, {warnings_n}, {unreadable} unreadable",
        "file_summary": "{file}: {rows_n}, {errors_n}, {warnings_n}",
        "findings_sheet": "Findings",
        "headers": "Cell|Severity|Code|Field|Value|Message|How to fix",
        "hint": "How to fix",
        "cells": "({count:,} rows)",
        "values": "Values include {values}.",
    },
}
_STYLES = {"error": "bold red", "warning": "yellow", "file": "bold", "hint": "dim"}

Segment = tuple[str, str | None]


def words(lang: str) -> dict[str, str]:
    return WORDS["en" if lang == "en" else "zh"]


def _counts(**counts: int) -> dict[str, Any]:
    """Each count as a number (``errors``) and with its English noun (``errors_n``)."""
    nouns = {"files": "file", "rows": "row", "errors": "error", "warnings": "warning"}
    out: dict[str, Any] = dict(counts)
    for key, n in counts.items():
        if key in nouns:
            out[f"{key}_n"] = f"{n} {nouns[key]}{'' if n == 1 else 's'}"
    return out


def summary_text(report: Report) -> str:
    """``共 3 个文件、450 行:错误 12 个,警告 5 个,无法读取 1 个`` (or English)."""
    w = words(report.lang)
    text = w["summary"].format(
        **_counts(
            files=len(report.files) - report.skipped,
            rows=report.rows,
            errors=report.errors,
            warnings=report.warnings,
            unreadable=report.unreadable,
        )
    )
    if report.skipped:
        text += w["skipped_count"].format(skipped=report.skipped)
    return text


def file_summary_text(fr: FileReport, lang: str, name: str | None = None) -> str:
    """One file's counts, e.g. ``leads.xlsx:共 50 行,错误 2 个,警告 1 个``."""
    return words(lang)["file_summary"].format(
        file=name or shown_path(fr.path),
        **_counts(rows=fr.rows, errors=fr.errors, warnings=fr.warnings),
    )


def worst_first(files: list[FileReport]) -> list[FileReport]:
    """Unreadable files, then by errors and warnings (most first); ties keep their order."""
    return sorted(files, key=lambda f: (f.error is None, -f.errors, -f.warnings))


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: Chinese (wide) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _one_line(text: str | None) -> str:
    return " ".join(mask_text(text).split())


CELL_WIDTH_MAX = 40  # a longer cell text (a group's ranges) is not padded to align
VALUES_SHOWN = 3  # a group's first values shown


@dataclass
class Group:
    """Findings of one code at one column (and reason) on many rows: one line of text."""

    first: Issue
    rows: Sequence[int]
    values: list[str]

    @property
    def cell(self) -> str:
        """``线索台账!H4:H6, H9, H11:H12``: consecutive rows as ranges."""
        col = self.first.column or ""
        ranges = [f"{col}{a}" if a == b else f"{col}{a}:{col}{b}" for a, b in row_ranges(self.rows)]
        return f"{self.first.sheet}!{', '.join(ranges)}" if self.first.sheet else ", ".join(ranges)


def row_ranges(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted distinct rows as (first, last) runs: [4, 5, 6, 9] -> [(4, 6), (9, 9)]."""
    if any(a > b for a, b in zip(rows, rows[1:], strict=False)):
        rows = sorted(rows)  # a group's rows come sorted: only a hand-made list is not
    out: list[tuple[int, int]] = []
    for row in rows:
        if out and row <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(row, out[-1][1]))
        else:
            out.append((row, row))
    return out


def groups(findings: Findings) -> list[Issue | Group]:
    """A file's findings sorted, those of one code in one column (and of one reason) on
    several rows as one ``Group`` at the place of its first; the others as they are."""
    keyed: dict[tuple, list] = {}  # key -> [first (part, pos), rows, values, positions]
    lone: list[tuple[int, int]] = []
    lists: dict[int, tuple[list, list, list | None]] = {}
    for part, pos in findings.order():
        chunk = findings.parts[part]
        if isinstance(chunk, Chunk):
            got = lists.get(part)
            if got is None:
                got = lists[part] = (
                    chunk.frame["row"].to_list(),
                    chunk.frame["value"].to_list(),
                    chunk.reasons(),
                )
            row, value = got[0][pos], got[1][pos]
            key = (part, None if got[2] is None else got[2][pos])
            if row is None or chunk.column is None:
                key = None
        else:
            issue = chunk[pos]
            row, value = issue.row, issue.value
            key = (issue.severity, issue.sheet, issue.column, issue.code, issue.field)
            if row is None or issue.column is None:
                key = None
        if key is None:
            lone.append((part, pos))
            keyed[("lone", len(lone))] = [(part, pos), None, None, None]
            continue
        entry = keyed.get(key)
        if entry is None:
            keyed[key] = [(part, pos), array("l", [row]), [value], [(part, pos)]]
            continue
        entry[1].append(row)
        if len(entry[2]) < VALUES_SHOWN and value not in entry[2]:
            entry[2].append(value)
            entry[3].append((part, pos))
    out: list[Issue | Group] = []
    for (part, pos), rows, _values, places in keyed.values():
        first = findings.at(part, pos)
        if rows is None or len(rows) == 1:
            out.append(first)
            continue
        shown = [first.value]
        for place in places[1:]:
            shown.append(findings.at(*place).value)
        out.append(Group(first, rows, [v for v in shown if v]))
    return out


def _lines(report: Report, all_cells: bool = False) -> list[list[Segment]]:
    w = words(report.lang)
    files = worst_first(report.files)
    entries = {
        id(f): (f.sorted_issues() if all_cells else groups(f.issues)) for f in files if f.read
    }
    cells = [display_width(_cell_text(e, w)) for found in entries.values() for e in found]
    cell_w = max((c for c in cells if c <= CELL_WIDTH_MAX), default=0)
    every = [e.first if isinstance(e, Group) else e for found in entries.values() for e in found]
    sev_w = max((display_width(w[i.severity]) for i in every), default=0)
    code_w = max((len(i.code) for i in every), default=0)
    lines: list[list[Segment]] = []
    for fr in files:
        if fr.error is not None:
            lines.append([(shown_path(fr.path), "file")])
            lines.append(
                [("  ", None), (w["unreadable"].format(error=_one_line(fr.error)), "error")]
            )
            continue
        if fr.skipped is not None:
            lines.append([(shown_path(fr.path), "file")])
            lines.append([("  ", None), (w["skipped"].format(reason=_one_line(fr.skipped)), None)])
            continue
        counts = w["file_counts"] if fr.issues else w["file_ok"]
        counts = counts.format(**_counts(rows=fr.rows, errors=fr.errors, warnings=fr.warnings))
        lines.append([(shown_path(fr.path), "file"), (f"  ({counts})", None)])
        for note in fr.notes:
            lines.append([("  ", None), (w["note"].format(note=_one_line(note)), "warning")])
        for entry in entries[id(fr)]:
            lines.append(_issue_line(entry, w, cell_w, sev_w, code_w))
    if lines:
        lines.append([])
    lines.append(_summary_line(report))
    return lines


def _cell_text(entry: Issue | Group, w: dict[str, str]) -> str:
    if isinstance(entry, Group):
        return f"{shown(entry.cell)} {w['cells'].format(count=len(entry.rows))}"
    return shown(entry.cell)


def _issue_line(entry: Issue | Group, w: dict[str, str], cell_w: int, sev_w: int, code_w: int):
    issue = entry.first if isinstance(entry, Group) else entry
    style = issue.severity
    message = _one_line(issue.message)
    if isinstance(entry, Group) and len(entry.values) > 1:
        sep = "、" if w is WORDS["zh"] else ", "
        values = sep.join(f"“{_one_line(v)}”" for v in entry.values)
        message += (" " if w is WORDS["en"] else "") + w["values"].format(values=values)
    line: list[Segment] = [
        ("  ", None),
        (_pad(_cell_text(entry, w), cell_w), None),
        ("  ", None),
        (_pad(w[issue.severity], sev_w), style),
        ("  ", None),
        (_pad(issue.code, code_w), style),
        ("  ", None),
        (message, None),
    ]
    if issue.hint:
        line.append((f"  {HINT_SEPARATOR} {_one_line(issue.hint)}", "hint"))
    return line


def _summary_line(report: Report) -> list[Segment]:
    if report.unreadable or report.errors:
        style = "error"
    elif report.warnings:
        style = "warning"
    else:
        style = None
    return [(summary_text(report), style)]


def render_text(report: Report, *, color: bool = False, all_cells: bool = False) -> str:
    """The report as lines for a terminal (no trailing newline); ANSI colours when ``color``.
    The findings of one code in one column on many rows are one line (their rows as ranges,
    a count, the first values); ``all_cells`` gives one line per finding."""
    lines = _lines(report, all_cells)
    if not color:
        return "\n".join("".join(text for text, _ in line).rstrip() for line in lines)
    from rich.console import Console
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        width=100_000,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )
    for line in lines:
        text = Text()
        for chunk, style in line:
            text.append(chunk, style=_STYLES[style] if style else "")
        text.rstrip()
        console.print(text)
    return buffer.getvalue().rstrip("\n")


def issue_dict(issue: Issue, cache: dict | None = None) -> dict[str, Any]:
    """One finding as JSON values; ``cache`` keeps the shown sheet names and hints, which
    repeat, for the next findings."""
    if cache is None:
        cache = {}
    sheet, hint = cache.get(("sheet", issue.sheet)), cache.get(("hint", issue.hint))
    if sheet is None:
        sheet = cache[("sheet", issue.sheet)] = issue.sheet and shown(issue.sheet)
    if hint is None:
        hint = cache[("hint", issue.hint)] = mask_text(issue.hint)
    return {
        "code": issue.code,
        "severity": issue.severity,
        "sheet": sheet,
        "row": issue.row,
        "column": issue.column,
        "field": issue.field,
        "value": None if issue.value is None else _cached(cache, "value", issue.value),
        "message": _cached(cache, "message", issue.message),
        "hint": hint,
    }


CACHE_KEPT = 50_000  # masked texts remembered while writing findings


def _cached(cache: dict, kind: str, text: str) -> str:
    out = cache.get((kind, text))
    if out is None:
        if len(cache) >= CACHE_KEPT:
            cache.clear()
        out = cache[(kind, text)] = mask_text(text)
    return out


def report_dict(report: Report, issues: bool = True) -> dict[str, Any]:
    """The JSON document as Python values (files in the report's order; their findings
    left out without ``issues``, as :func:`write_json` streams them)."""
    return {
        "version": JSON_VERSION,
        "as_of": report.as_of.isoformat(timespec="seconds"),
        "files": [
            {
                "path": shown_path(fr.path),
                "ok": fr.ok,
                "rows": fr.rows,
                "issues": [issue_dict(i) for i in fr.issues.iter_sorted()] if issues else [],
                "error": None if fr.error is None else mask_text(fr.error),
                "skipped": None if fr.skipped is None else mask_text(fr.skipped),
                "notes": [mask_text(n) for n in fr.notes],
            }
            for fr in report.files
        ],
        "summary": {
            "files": len(report.files),
            "rows": report.rows,
            "errors": report.errors,
            "warnings": report.warnings,
            "unreadable": report.unreadable,
            "skipped": report.skipped,
        },
    }


def render_json(report: Report) -> str:
    """``{"version": 1, "as_of", "files": [...], "summary": {...}}``, UTF-8 text, indented."""
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2)


_ISSUES_TOKEN = "\x00issues\x00"
_FILES_TOKEN = "\x00files\x00"


def write_json(report: Report, write, extra: dict[str, Any] | None = None) -> None:
    """The JSON document of :func:`render_json` (and ``extra``'s keys at its end) written
    piece by piece with ``write``: one finding at a time, never the whole text at once."""
    doc = report_dict(report, issues=False)
    files = doc["files"]
    doc["files"] = _FILES_TOKEN
    doc.update(extra or {})
    head, tail = _dumps(doc).split(json.dumps(_FILES_TOKEN))
    if not files:
        write(head + "[]" + tail)
        return
    write(head + "[\n")
    for n, (fr, entry) in enumerate(zip(report.files, files, strict=True)):
        entry["issues"] = _ISSUES_TOKEN
        text = _indented(_dumps(entry), "    ")
        before, after = text.split(json.dumps(_ISSUES_TOKEN))
        write("    " + before)
        _write_issues(fr, write, "      ")
        write(after + (",\n" if n < len(files) - 1 else "\n"))
    write("  ]" + tail)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _indented(text: str, pad: str) -> str:
    return text.replace("\n", "\n" + pad)


def _write_issues(fr: FileReport, write, pad: str) -> None:
    """``[{...}, ...]`` of a file's findings, as ``json.dumps(indent=2)`` writes them at
    ``pad`` (the key's indentation)."""
    found = False
    cache: dict = {}
    inner = pad + "    "
    sep = ",\n" + inner
    for issue in fr.issues.iter_sorted():
        d = issue_dict(issue, cache)
        body = sep.join(
            [f'"{k}": {_encode(v) if v.__class__ is str else _scalar(v)}' for k, v in d.items()]
        )
        write(("," if found else "[") + "\n" + pad + "  {\n" + inner + body + "\n" + pad + "  }")
        found = True
    write(("\n" + pad + "]") if found else "[]")


_encode = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return _encode(value)
    return json.dumps(value)
