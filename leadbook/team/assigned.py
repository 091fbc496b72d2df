"""What ``leadbook assign`` shows and writes: who got which lead and why, as text lines, as
a small table (``assignments.csv``, UTF-8 with BOM so Excel and WPS open it right) and as a
JSON document. Companies, names and paths are shown masked (mobiles, e-mails)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from leadbook.check.render import issue_dict
from leadbook.core.atomic import atomic_path
from leadbook.core.catalog import load_catalog
from leadbook.core.mask import mask_text
from leadbook.core.messages import text
from leadbook.core.outputs import ASSIGNMENTS_HEADERS
from leadbook.core.show import shown_path
from leadbook.team.assign import Assignment, AssignResult

TABLE_NAME = "assignments.csv"
REASONS = {  # Assignment.reason -> its message
    "territory": "assign_reason_territory",
    "least-loaded": "assign_reason_least_loaded",
    "existing": "assign_reason_existing",
    "full": "assign_reason_full",
    "no-rep": "assign_reason_no_rep",
    "no-company": "assign_reason_no_company",
    "no-channel": "assign_reason_no_channel",
    "owner-no-workbook": "assign_reason_owner_no_workbook",
}
COLUMNS = (
    "source", "row", "company", "lead_id", "rep", "reason", "why", "copy", "copy_row",
    "to_complete",
)  # fmt: skip


def why(a: Assignment, lang: str) -> str:
    """The reason in words (``assign_reason_<reason>``)."""
    return text(
        REASONS[a.reason],
        lang,
        rep=mask_text(a.rep or ""),
        lead_id=a.owner_lead or "-",
    )


def assign_lines(result: AssignResult, lang: str = "zh") -> list[str]:
    """The findings about the lists, one line per lead, the reps' loads, the notes."""
    lines = []
    if result.findings:
        lines.append(text("assign_findings", lang, n=len(result.findings)))
        for i in result.findings:
            place = f"{shown_path(i.file)} {i.cell}"
            lines.append(f"  {place}  {i.code}  {mask_text(i.message)}")
    for f in result.unreadable:
        lines.append(text("assign_unreadable", lang, path=shown_path(f.path), error=f.error))
    for a in result.assignments:
        where = {"source": a.source, "row": a.row, "company": a.company or "-"}
        if a.assigned:
            line = text("assign_line", lang, **where, rep=a.rep, lead_id=a.lead_id)
        else:
            line = text("assign_line_unassigned", lang, **where)
        lines.append(f"  {line}  ({why(a, lang)})")
        if a.to_complete:
            lines.append("    " + text("assign_to_complete", lang, fields=_labels(a, lang)))
    lines.append(
        text(
            "assign_summary",
            lang,
            n=len(result.assignments),
            assigned=len(result.assignments) - len(result.unassigned),
            unassigned=len(result.unassigned),
        )
    )
    for ld in result.loads:
        cap = "-" if ld.capacity is None else str(ld.capacity)
        lines.append(
            "  "
            + text(
                "assign_load",
                lang,
                rep=ld.rep,
                code=ld.code or "-",
                before=ld.open_before,
                assigned=ld.assigned,
                capacity=cap,
            )
        )
    lines += [text(key, lang, **params) for key, params in result.notes]
    return lines


def _labels(a: Assignment, lang: str) -> str:
    catalog = load_catalog()
    sep = "、" if lang == "zh" else ", "
    return sep.join(catalog.field(k).label(lang) for k in a.to_complete)


def table_rows(result: AssignResult, lang: str = "zh") -> list[dict[str, Any]]:
    return [
        {
            "source": a.source,
            "row": a.row,
            "company": a.company,
            "lead_id": a.lead_id or "",
            "rep": a.rep or "",
            "reason": a.reason,
            "why": why(a, lang),
            "copy": a.copy or "",
            "copy_row": a.copy_row or "",
            "to_complete": _labels(a, lang),
            "to_complete_fields": list(a.to_complete),
        }
        for a in result.assignments
    ]


def write_table(result: AssignResult, path: Path, lang: str = "zh", force: bool = False) -> Path:
    """``assignments.csv``: one row per new lead, headers in ``lang``, written atomically."""
    headers = ASSIGNMENTS_HEADERS.get(lang, ASSIGNMENTS_HEADERS["zh"])
    with (
        atomic_path(path, force=force) as tmp,
        open(tmp, "w", encoding="utf-8-sig", newline="") as fh,
    ):
        writer = csv.writer(fh)
        writer.writerow(headers)
        for row in table_rows(result, lang):
            writer.writerow([mask_text(str(row[c])) for c in COLUMNS])
    return path


def assign_dict(result: AssignResult, lang: str = "zh") -> dict[str, Any]:
    """The JSON document of an assignment run."""
    return {
        "version": 1,
        "as_of": result.as_of.isoformat(timespec="seconds"),
        "assignments": table_rows(result, lang),
        "findings": [{"file": shown_path(i.file), **issue_dict(i)} for i in result.findings],
        "unreadable": [
            {"path": shown_path(f.path), "error": mask_text(f.error or "")}
            for f in result.unreadable
        ],
        "reps": [
            {
                "rep": ld.rep,
                "code": ld.code,
                "capacity": ld.capacity,
                "open_before": ld.open_before,
                "assigned": ld.assigned,
                "workbook": ld.workbook,
            }
            for ld in result.loads
        ],
        "notes": [text(key, lang, **params) for key, params in result.notes],
        "written": [shown_path(p) for p in result.written],
        "summary": {
            "leads": len(result.assignments),
            "assigned": len(result.assignments) - len(result.unassigned),
            "unassigned": len(result.unassigned),
        },
    }
