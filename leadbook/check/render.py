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
from typing import Any

from leadbook.check.issues import FileReport, Issue, Report
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


def _lines(report: Report) -> list[list[Segment]]:
    w = words(report.lang)
    files = worst_first(report.files)
    issues = [i for f in files for i in f.sorted_issues()]
    cell_w = max((display_width(shown(i.cell)) for i in issues), default=0)
    sev_w = max((display_width(w[i.severity]) for i in issues), default=0)
    code_w = max((len(i.code) for i in issues), default=0)
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
        for issue in fr.sorted_issues():
            lines.append(_issue_line(issue, w, cell_w, sev_w, code_w))
    if lines:
        lines.append([])
    lines.append(_summary_line(report))
    return lines


def _issue_line(issue: Issue, w: dict[str, str], cell_w: int, sev_w: int, code_w: int):
    style = issue.severity
    line: list[Segment] = [
        ("  ", None),
        (_pad(shown(issue.cell), cell_w), None),
        ("  ", None),
        (_pad(w[issue.severity], sev_w), style),
        ("  ", None),
        (_pad(issue.code, code_w), style),
        ("  ", None),
        (_one_line(issue.message), None),
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


def render_text(report: Report, *, color: bool = False) -> str:
    """The report as lines for a terminal (no trailing newline); ANSI colours when ``color``."""
    lines = _lines(report)
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


def issue_dict(issue: Issue) -> dict[str, Any]:
    return {
        "code": issue.code,
        "severity": issue.severity,
        "sheet": issue.sheet and shown(issue.sheet),
        "row": issue.row,
        "column": issue.column,
        "field": issue.field,
        "value": None if issue.value is None else mask_text(issue.value),
        "message": mask_text(issue.message),
        "hint": mask_text(issue.hint),
    }


def report_dict(report: Report) -> dict[str, Any]:
    """The JSON document as Python values (files in the report's order)."""
    return {
        "version": JSON_VERSION,
        "as_of": report.as_of.isoformat(timespec="seconds"),
        "files": [
            {
                "path": shown_path(fr.path),
                "ok": fr.ok,
                "rows": fr.rows,
                "issues": [issue_dict(i) for i in fr.sorted_issues()],
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
