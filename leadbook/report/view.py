"""The report's view: the metrics of a period with every text value masked (personal data,
always), the action lists with their columns, and the words of the report's language (R-K2).

With ``redact`` the view leaves out every column that could carry budget, decision, contact or
free text (needs, next actions, examples of need terms): the writers (:mod:`.html`,
:mod:`.xlsx`) never see them. :func:`summary_lines` is the view as the terminal shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from typing import Any

import polars as pl

from leadbook.core import tomlcache
from leadbook.core.config import TeamConfig
from leadbook.core.mask import PREFILTER, mask_text
from leadbook.core.paths import template_file
from leadbook.core.show import shown_path
from leadbook.metrics import Metrics, compute
from leadbook.metrics.period import Period, previous_periods
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
        ("first_contact_at", "datetime"), ("days_late", "float"), ("outcome", "outcome"),
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
    return tomlcache.load(template_file("report/labels.toml"))


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

    @property
    def period_text(self) -> str:
        """The period in words: 2026年11月(11月1日–11月30日), Week 48, 23–29 November."""
        return period_words(self.metrics.period, self.lang)

    @property
    def compared_text(self) -> str:
        """What the period is compared with, in words."""
        p = self.metrics.period
        prev = previous_periods(p, 2)[0]
        key = "compared_to_date" if p.to_date and not p.complete else "compared"
        return self.text["period"][key].format(period=period_words(prev, self.lang))

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
        if "hours_late" in frame.columns:  # one unit for delays everywhere: days
            frame = frame.with_columns((pl.col("hours_late") / 24).alias("days_late"))
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
    to_date: bool = False,
) -> ReportView:
    """The metrics of ``tables`` as a writer's view (what ``make_report`` renders): the last
    complete ``period`` before ``as_of``, or with ``to_date`` the one containing it."""
    metrics = compute(tables, period=period, as_of=as_of, config=config, to_date=to_date)
    return build_view(
        metrics,
        config=config,
        lang=lang,
        redact=redact,
        files=tables.files,
        unreadable=tables.unreadable,
        leads=int(metrics.headline["leads"] or 0),
        skipped=tables.skipped,
    )


# ----------------------------------------------------------------------------- words
def period_words(p: Period, lang: str) -> str:
    """``p`` as a manager says it (labels.toml ``[period]``): the month, ISO week or quarter
    and its days; "to date" when it is the period containing as_of and not over yet."""
    words = labels(lang)["period"]
    first, last = p.start.date(), p.last_day
    params = {
        "year": first.year,
        "month": first.month,
        "month_name": words["months"][first.month - 1],
        "week": first.isocalendar()[1],
        "quarter": (first.month - 1) // 3 + 1,
        "to_date": words["to_date"] if p.to_date and not p.complete else "",
        "range": day_range(first, last, lang, short=p.kind == "week"),
    }
    return words[p.kind].format(**params)


def day_range(first, last, lang: str, short: bool = False) -> str:
    """11月1日–11月30日 (``short``: 11月23日–29日), 6月29日–7月5日, 2025年12月29日–2026年1月4日;
    23–29 November, 29 June – 5 July, 29 December 2025 – 4 January 2026; one day alone when
    first is last."""
    if lang == "en":
        months = labels("en")["period"]["months"]

        def en(d, year: bool = False) -> str:
            return f"{d.day} {months[d.month - 1]}" + (f" {d.year}" if year else "")

        if first == last:
            return en(first)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{en(last)}"
        if first.year == last.year:
            return f"{en(first)} – {en(last)}"
        return f"{en(first, True)} – {en(last, True)}"
    if first == last:
        return f"{first.month}月{first.day}日"
    if short and (first.year, first.month) == (last.year, last.month):
        return f"{first.month}月{first.day}日–{last.day}日"
    if first.year == last.year:
        return f"{first.month}月{first.day}日–{last.month}月{last.day}日"
    return f"{first.year}年{first.month}月{first.day}日–{last.year}年{last.month}月{last.day}日"


# ----------------------------------------------------------------------------- summary
def summary_lines(view: ReportView) -> list[str]:
    """The headline numbers as a few lines of text (what the command prints): the same
    numbers, in the same units, as the page's cards and the summary's overview."""
    h, t = view.metrics.headline, view.text
    c = cards_text(view)
    lines = [
        f"{t['title']} · {t['kinds'][view.metrics.period.kind]} {view.period_text}",
        f"  {view.compared_text} · "
        + t["as_of"].format(as_of=f"{view.as_of:%Y-%m-%d %H:%M}")
        + f" · {inputs_text(view)}",
    ]
    for key in ("new", "won", "conversion", "median_days", "sla", "todo"):
        lines.append(f"  {c[key]['label']}: {c[key]['value']}  ({c[key]['sub']})")
    due = due_counts(view)
    if due:
        each = " · ".join(f"{rep} {n}" for rep, n in due.items())
        lines.append("  " + t["due_line"].format(days=view.config.due_days, reps=each))
    if h["later"]:
        lines.append("  " + t["later"].format(n=fmt_num(h["later"])))
    for path, error in view.unreadable:
        lines.append(f"  ! {path}: {error}")
    return lines


def due_counts(view: ReportView) -> dict[str, int]:
    """Each rep's number of to-do items in the coming ``due_days`` (the terminal, the JSON)."""
    due = view.metrics.due
    if REP not in due.columns:
        return {}
    counts = due.group_by(REP).len().sort(REP, nulls_last=True).iter_rows()
    return {view.text["blank"] if rep is None else rep: int(n) for rep, n in counts}


def inputs_text(view: ReportView) -> str:
    return view.text["inputs"].format(files=len(view.files), leads=fmt_num(view.leads))


def cards_text(view: ReportView) -> dict[str, dict[str, str]]:
    """Each headline number as shown (label, value, the line under it), for the terminal and
    the page alike."""
    h, t = view.metrics.headline, view.text
    c = t["cards"]
    vs = t["vs_prev"].format

    def days(v) -> str:
        return "-" if v is None else f"{fmt_num(v, 1)} {t['days']}"

    return {
        "new": {"label": c["new"], "value": fmt_num(h["new"]), "sub": vs(value=fmt_num(h["prev_new"]))},
        "won": {"label": c["won"], "value": fmt_num(h["won"]), "sub": vs(value=fmt_num(h["prev_won"]))},
        "conversion": {
            "label": c["conversion"], "value": fmt_pct(h["conversion"]),
            "sub": c["conversion_sub"].format(won=fmt_num(h["cohort_won"]), new=fmt_num(h["new"]))
            + " · " + vs(value=fmt_pct(h["prev_conversion"])),
        },
        "median_days": {
            "label": c["median_days"], "value": days(h["median_days"]),
            "sub": c["median_days_sub"].format(deals=fmt_num(h["cycle_deals"]))
            + " · " + vs(value=days(h["prev_median_days"])),
        },
        "sla": {
            "label": c["sla"], "value": fmt_pct(h["sla_share"]),
            "sub": c["sla_sub"].format(n=fmt_num(h["sla_evaluated"]))
            + " · " + vs(value=fmt_pct(h["prev_sla_share"])),
        },
        "todo": {
            "label": c["todo"], "value": fmt_num(h["todo"]),
            "sub": c["todo_sub"].format(
                breaches=fmt_num(h["breaches"]), backlog=fmt_num(h["backlog"]),
                soon=fmt_num(h["dormant_soon"]),
                overdue=fmt_num(h["dormant_overdue"]), actions=fmt_num(h["overdue_actions"]),
            ) + " · " + c["todo_once"].format(items=fmt_num(h["todo_items"]), leads=fmt_num(h["todo"])),
        },
    }  # fmt: skip


def fmt_pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def fmt_num(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if digits else f"{round(value):,}"
