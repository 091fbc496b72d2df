"""The report's view: the metrics of a period with every text value masked (personal data,
always), the action lists with their columns, and the words of the report's language (R-K2).

With ``redact`` the view leaves out every column that could carry budget, decision, contact or
free text (needs, next actions, examples of need terms): the writers (:mod:`.html`,
:mod:`.xlsx`) never see them. :func:`summary_lines` is the view as the terminal shows it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any

import polars as pl

from leadbook.core.config import TeamConfig
from leadbook.core.mask import PREFILTER, mask_text
from leadbook.core.paths import template_file
from leadbook.core.show import shown_path
from leadbook.metrics import Metrics, compute
from leadbook.metrics.tables import REP, Tables

# Columns that hold the sales team's own text: left out of a redacted report (R-K2). Budget,
# decision process, contact, phone and IM are never shown in any report.
SENSITIVE = frozenset({"need", "next_action", "example", "last_summary", "content"})
NEVER_SHOWN = frozenset({"budget", "decision", "contact", "office_phone", "im_account"})
HTML_ROWS = 30  # rows of an action list shown on the page (the Excel summary has them all)


@dataclass(frozen=True)
class Column:
    key: str
    kind: str  # text | int | float | pct | pp | datetime | date | hours | outcome


@dataclass
class ActionList:
    key: str  # breaches | soon | overdue | reactivation | actions
    frame: pl.DataFrame
    columns: list[Column]


LIST_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "breaches": [
        ("lead_id", "text"), ("company", "text"), ("potential", "text"), ("channel", "text"),
        (REP, "text"), ("created_at", "datetime"), ("deadline", "datetime"),
        ("first_contact_at", "datetime"), ("hours_late", "hours"), ("outcome", "outcome"),
        ("need", "text"),
    ],
    "soon": [
        ("lead_id", "text"), ("company", "text"), ("potential", "text"), ("status", "text"),
        (REP, "text"), ("last_touch", "datetime"), ("idle_days", "int"), ("days_left", "int"),
        ("next_action", "text"),
    ],
    "overdue": [
        ("lead_id", "text"), ("company", "text"), ("potential", "text"), ("status", "text"),
        (REP, "text"), ("last_touch", "datetime"), ("idle_days", "int"), ("next_action", "text"),
    ],
    "reactivation": [
        ("lead_id", "text"), ("company", "text"), ("potential", "text"), ("channel", "text"),
        (REP, "text"), ("last_touch", "datetime"), ("idle_days", "int"), ("need", "text"),
    ],
    "actions": [
        ("lead_id", "text"), ("company", "text"), ("potential", "text"), ("status", "text"),
        (REP, "text"), ("next_due", "date"), ("days_overdue", "int"), ("next_action", "text"),
    ],
    "backlog": [
        ("lead_id", "text"), ("company", "text"), ("potential", "text"), ("channel", "text"),
        (REP, "text"), ("created_at", "datetime"), ("deadline", "datetime"),
        ("hours_late", "hours"), ("need", "text"),
    ],
    "due": [
        (REP, "text"), ("task", "outcome"), ("lead_id", "text"), ("company", "text"),
        ("potential", "text"), ("status", "text"), ("next_due", "date"),
        ("deadline", "datetime"), ("days_left", "int"), ("next_action", "text"),
    ],
}  # fmt: skip
LIST_SOURCES = {
    "breaches": "breaches",
    "soon": "dormant_soon",
    "overdue": "dormant_overdue",
    "reactivation": "reactivation",
    "actions": "overdue_actions",
    "backlog": "backlog",
    "due": "due",
}


@cache
def _labels() -> dict[str, Any]:
    with open(template_file("report/labels.toml"), "rb") as fh:
        return tomllib.load(fh)


def labels(lang: str) -> dict[str, Any]:
    """The report's words in ``lang`` (zh, en)."""
    return _labels()["en" if lang == "en" else "zh"]


@dataclass
class ReportView:
    """Everything a writer shows, already masked, and redacted when asked."""

    metrics: Metrics
    config: TeamConfig
    lang: str
    redact: bool
    files: list[str]
    unreadable: list[tuple[str, str]]
    leads: int
    lists: list[ActionList] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # listed, not read: why

    @property
    def text(self) -> dict[str, Any]:
        return labels(self.lang)

    @property
    def as_of(self) -> datetime:
        return self.metrics.period.as_of

    def label(self, key: str) -> str:
        return self.text["columns"].get(key, key)

    def notes(self) -> dict[str, str]:
        """The section notes with the config's numbers filled in."""
        hours = self.config.sla_hours
        levels = self.config.values("potential_levels")
        params = {
            "high": _hours(hours.get(levels[0])) if levels else "-",
            "mid": _hours(hours.get(levels[1])) if len(levels) > 1 else "-",
            "days": self.config.dormancy_days,
            "soon": self.config.dormant_soon_days,
            "quarter": f"{self.metrics.period.quarter_start:%Y-%m-%d}",
            "due_days": self.config.due_days,
            "entry": next(iter(self.config.values("statuses")), "-"),
            "period_start": f"{self.metrics.period.start:%Y-%m-%d}",
        }
        return {k: v.format(**params) for k, v in self.text["notes"].items()}


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def build_view(
    metrics: Metrics,
    *,
    config: TeamConfig,
    lang: str = "zh",
    redact: bool = False,
    files: Sequence[str] = (),
    unreadable: Sequence[tuple[str, str]] = (),
    leads: int = 0,
    skipped: Sequence[tuple[str, str]] = (),
) -> ReportView:
    """Mask every text value (always) and drop the sensitive columns (``redact``)."""
    frames = {}
    for name in Metrics.__dataclass_fields__:
        value = getattr(metrics, name)
        if isinstance(value, pl.DataFrame):
            frames[name] = _masked(_redacted(value, redact))
    masked = replace(metrics, **frames)
    lists = []
    for key, spec in LIST_COLUMNS.items():
        frame = frames[LIST_SOURCES[key]]
        columns = [Column(k, kind) for k, kind in spec if k in frame.columns]
        lists.append(ActionList(key, frame.select([c.key for c in columns]), columns))
    not_read = {p for p, _ in unreadable} | {p for p, _ in skipped}
    readable = [shown_path(f) for f in files if f not in not_read]
    reasons = [(shown_path(path), mask_text(error)) for path, error in unreadable]
    skips = [(shown_path(path), mask_text(reason)) for path, reason in skipped]
    return ReportView(masked, config, lang, redact, readable, reasons, leads, lists, skips)


def _redacted(frame: pl.DataFrame, redact: bool) -> pl.DataFrame:
    hidden = NEVER_SHOWN | (SENSITIVE if redact else frozenset())
    return frame.drop([c for c in frame.columns if c in hidden])


def _masked(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column with mobiles and e-mail addresses masked (R-K2)."""
    out = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        col = frame[name]
        candidates = col.filter(col.str.contains(PREFILTER)).unique().to_list()
        mapping = {v: m for v in candidates if (m := mask_text(v)) != v}
        if mapping:
            out.append(col.replace(mapping).alias(name))
    return frame.with_columns(out) if out else frame


def report_view(
    tables: Tables,
    *,
    period: str,
    as_of: datetime,
    config: TeamConfig,
    lang: str = "zh",
    redact: bool = False,
) -> ReportView:
    """The metrics of ``tables`` as a writer's view (what ``make_report`` renders)."""
    metrics = compute(tables, period=period, as_of=as_of, config=config)
    return build_view(
        metrics,
        config=config,
        lang=lang,
        redact=redact,
        files=tables.files,
        unreadable=tables.unreadable,
        leads=tables.leads,
        skipped=tables.skipped,
    )


# ----------------------------------------------------------------------------- summary
def summary_lines(view: ReportView) -> list[str]:
    """The headline numbers as a few lines of text (what the command prints)."""
    h, t, p = view.metrics.headline, view.text, view.metrics.period
    cards = t["cards"]
    lines = [
        f"{t['title']} · {t['kinds'][p.kind]} {p.label}  "
        + t["range"].format(start=f"{p.start:%Y-%m-%d}", end=f"{p.last_day:%Y-%m-%d}"),
        f"  {cards['new']}: {h['new']}  ({t['vs_prev'].format(value=h['prev_new'])})",
        f"  {cards['won']}: {h['won']}  ({t['vs_prev'].format(value=h['prev_won'])})",
        f"  {cards['conversion']}: {fmt_pct(h['conversion'])}"
        f"  ({t['vs_prev'].format(value=fmt_pct(h['prev_conversion']))})",
        f"  {cards['median_days']}: {fmt_num(h['median_days'], 1)} {t['days']}",
        f"  {cards['sla']}: {fmt_pct(h['sla_share'])}"
        f"  ({t['vs_prev'].format(value=fmt_pct(h['prev_sla_share']))})",
        f"  {cards['todo']}: "
        + cards["todo_sub"].format(
            breaches=h["breaches"],
            backlog=h["backlog"],
            soon=h["dormant_soon"],
            overdue=h["dormant_overdue"],
            actions=h["overdue_actions"],
        ),
    ]
    for path, error in view.unreadable:
        lines.append(f"  ! {path}: {error}")
    return lines


def fmt_pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def fmt_num(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if digits else f"{round(value):,}"
