"""The report's numbers for scripts (``leadbook report --format json``): the same headline
values the terminal, the page and the Excel summary show, from the masked view.

    {"period": "month", "period_start": "2026-11-01", "period_end": "2026-11-30",
     "leads": 1234, "new_leads": 76, "won": 9, "conversion": 0.118, "cycle_days_median": 32.8,
     "sla_share": 0.91, "previous": {...}, "todo": {...}, "trend": [{...}, ...],
     "due": {"张伟": 5, ...}, ...}

Dates are ISO dates, times ISO (seconds), shares fractions (0.118 is 11.8%), durations days.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import polars as pl

from leadbook.metrics.period import previous_periods
from leadbook.report.view import ReportView, due_counts

VERSION = 1


def _value(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    return v


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: _value(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]


def report_json(view: ReportView) -> dict[str, Any]:
    """The report as a JSON-ready dict (see the module's docstring)."""
    m = view.metrics
    h, p = m.headline, m.period
    prev = previous_periods(p, 2)[0]
    due = due_counts(view)
    out: dict[str, Any] = {
        "version": VERSION,
        "period": p.kind,
        "label": p.label,
        "period_text": view.period_text,
        "to_date": p.to_date,
        "complete": p.complete,
        "period_start": p.start.date(),
        "period_end": p.last_day,
        "as_of": view.as_of,
        "files": len(view.files),
        "leads": h["leads"],
        "later": h["later"],
        "open": h["open"],
        "new_leads": h["new"],
        "won": h["won"],
        "cohort_won": h["cohort_won"],
        "conversion": h["conversion"],
        "cycle_days_median": h["median_days"],
        "cycle_deals": h["cycle_deals"],
        "sla_share": h["sla_share"],
        "sla_evaluated": h["sla_evaluated"],
        "previous": {
            k: _value(v)
            for k, v in {
                "label": prev.label,
                "period_start": prev.start.date(),
                "period_end": prev.last_day,
                "new_leads": h["prev_new"],
                "won": h["prev_won"],
                "conversion": h["prev_conversion"],
                "cycle_days_median": h["prev_median_days"],
                "sla_share": h["prev_sla_share"],
            }.items()
        },
        "won_to_date": h["deals"],
        "lost_to_date": h["lost"],
        "moved": h["moved"],
        "todo": {
            "leads": h["todo"],
            "items": h["todo_items"],
            "breaches": h["breaches"],
            "backlog": h["backlog"],
            "dormant_soon": h["dormant_soon"],
            "dormant_overdue": h["dormant_overdue"],
            "overdue_actions": h["overdue_actions"],
            "reactivation": h["reactivation"],
        },
        "trend": _rows(m.trend),
        "due": due,
        "unreadable": [{"path": path, "error": error} for path, error in view.unreadable],
        "skipped": [{"path": path, "reason": reason} for path, reason in view.skipped],
    }
    return {k: v if isinstance(v, dict | list) else _value(v) for k, v in out.items()}


def render_report_json(view: ReportView) -> str:
    """:func:`report_json` as indented UTF-8 text (Chinese as is, not escaped)."""
    return json.dumps(report_json(view), ensure_ascii=False, indent=2)
