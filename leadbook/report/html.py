"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script, no
external font or file, so it works offline, as an e-mail attachment and printed on A4.

Jinja2 renders ``templates/report.html.j2`` with autoescaping on: every value that came from a
workbook is escaped. The charts' geometry is computed here (a few small dataclasses); the
macros in ``templates/report/charts.html.j2`` only draw it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from leadbook.core.atomic import atomic_path
from leadbook.core.paths import data_dir
from leadbook.report.trendviews import counts_chart, pipeline_chart, stage_names, todo_groups
from leadbook.report.view import HTML_ROWS, LIST_COLUMNS, ReportView, cards_text, fmt_num, fmt_pct

WIDTH = 480  # a chart's width in SVG units (two charts side by side on a page)
BAR = 14  # bar height
ROW_GAP = 8
SERIES_GAP = 2
FONT = 12
VALUE_ROOM = 64  # room right of the longest bar for its value
# Shares at or above GOOD are green, at or above FAIR amber, else red.
GOOD, FAIR = 0.9, 0.7


# ------------------------------------------------------------------------------ charts
@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    cls: str
    text: str
    tx: float


@dataclass
class Row:
    label: str
    y: float  # baseline of the label
    bars: list[Bar]


@dataclass
class Legend:
    cls: str
    text: str
    x: float


@dataclass
class BarChart:
    title: str
    width: float
    height: float
    label_w: float
    rows: list[Row]
    legend: list[Legend] = field(default_factory=list)
    empty: bool = False


def text_width(text: str, size: float = FONT) -> float:
    """Rough rendered width: CJK characters 1 em, others 0.6 em."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def hbars(
    title: str,
    rows: Sequence[tuple[str, Sequence[float | None]]],
    *,
    fmt: Callable[[float | None], str],
    classes: Sequence[str] = ("s0",),
    legend: Sequence[str] = (),
    vmax: float | None = None,
    width: float = WIDTH,
    colour: Callable[[float | None], str] | None = None,
) -> BarChart:
    """Horizontal bars: one row per label, one bar per series (``classes`` names the CSS
    class of each series). ``colour(value)`` picks the class of a single-series bar."""
    label_w = min(max([text_width(label) for label, _ in rows] + [24]) + 10, width * 0.4)
    top = 22 if legend else 4
    values = [v for _, vs in rows for v in vs if v is not None]
    vmax = vmax if vmax is not None else max(values + [0])
    plot_w = width - label_w - VALUE_ROOM
    series = len(classes)
    row_h = series * BAR + (series - 1) * SERIES_GAP + ROW_GAP
    out = []
    for i, (label, vs) in enumerate(rows):
        y0 = top + i * row_h
        bars = []
        for j, v in enumerate(vs):
            w = 0.0 if not v or vmax <= 0 else max(plot_w * v / vmax, 1.5)
            y = y0 + j * (BAR + SERIES_GAP)
            cls = colour(v) if colour else classes[j]
            bars.append(Bar(label_w, y, round(w, 1), BAR, cls, fmt(v), round(label_w + w + 4, 1)))
        out.append(
            Row(label, round(y0 + (series * BAR + (series - 1) * SERIES_GAP) / 2 + 4, 1), bars)
        )
    keys = []
    x = label_w
    for cls, text in zip(classes, legend, strict=False):
        keys.append(Legend(cls, text, x))
        x += text_width(text) + 30
    height = top + len(rows) * row_h + 2
    return BarChart(title, width, height, label_w, out, keys, empty=not rows)


@dataclass
class Pareto:
    title: str
    width: float
    height: float
    plot_top: float
    plot_bottom: float
    left: float
    right: float
    columns: list[Bar]
    labels: list[tuple[float, float, str]]  # x, y, text (rotated when long)
    line: str  # SVG points of the cumulative line
    dots: list[tuple[float, float, str]]
    ticks: list[tuple[float, str]]  # y, text of the right axis
    empty: bool = False


def pareto(title: str, rows: Sequence[tuple[str, int, float]], *, width: float = WIDTH) -> Pareto:
    """Columns (counts, largest first) and the cumulative share as a line (right axis)."""
    left, right, top, plot_h = 8.0, 40.0, 18.0, 150.0
    longest = max([text_width(label, 11) for label, _, _ in rows] + [0])
    label_h = min(longest, 90) + 8
    bottom = top + plot_h
    n = max(len(rows), 1)
    step = (width - left - right) / n
    vmax = max([c for _, c, _ in rows] + [1])
    columns, labels, points, dots = [], [], [], []
    for i, (label, count, cum) in enumerate(rows):
        h = plot_h * count / vmax
        x = left + i * step + step * 0.15
        w = step * 0.7
        columns.append(Bar(round(x, 1), round(bottom - h, 1), round(w, 1), round(h, 1), "s0",
                           str(count), round(x + w / 2, 1)))  # fmt: skip
        labels.append((round(x + w / 2, 1), bottom + 14, label))
        py = bottom - plot_h * cum
        points.append(f"{x + w / 2:.1f},{py:.1f}")
        dots.append((round(x + w / 2, 1), round(py, 1), fmt_pct(cum, 0)))
    ticks = [(round(bottom - plot_h * f, 1), f"{int(f * 100)}%") for f in (0, 0.5, 1)]
    return Pareto(title, width, bottom + label_h, top, bottom, left, width - right, columns,
                  labels, " ".join(points), dots, ticks, empty=not rows)  # fmt: skip


def share_colour(value: float | None) -> str:
    if value is None:
        return "none"
    return "good" if value >= GOOD else "fair" if value >= FAIR else "bad"


# ------------------------------------------------------------------------------ values
def fmt_cell(value: Any, kind: str, view: ReportView) -> str:
    """A table cell as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "pct":
        return fmt_pct(value)
    if kind == "pp":
        points = value * 100
        return f"{points:+.1f}"
    if kind == "hours":  # in hours, as the Excel summary shows them (one unit per number)
        return f"{value:.1f} {view.text['hours']}"
    if kind == "float":
        return fmt_num(value, 1)
    if kind == "int":
        return fmt_num(value)
    if kind == "datetime" and isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if kind in ("date", "datetime") and isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if kind == "outcome":
        return view.text["outcomes"].get(value, value)
    return str(value)


NUMERIC = {"int", "float", "pct", "pp", "hours"}
NOWRAP = {"datetime", "date", "outcome"}


def _cls(kind: str) -> str:
    return "num" if kind in NUMERIC else "nw" if kind in NOWRAP else ""


@dataclass
class Table:
    """A table as the template draws it: headers and rows of (text, CSS class) cells."""

    headers: list[tuple[str, str]]
    rows: list[list[tuple[str, str]]]
    total: int
    classes: list[str] = field(default_factory=list)


def table(
    view: ReportView,
    frame: pl.DataFrame,
    columns: Sequence[tuple[str, str]],
    *,
    limit: int | None = None,
    blank: str | None = None,
) -> Table:
    """``columns``: (frame column, kind); null text shows ``blank`` (the report's (未填))."""
    columns = [(c, k) for c, k in columns if c in frame.columns]
    shown = frame.head(limit) if limit else frame
    headers = [(view.label(c), _cls(k)) for c, k in columns]
    rows = []
    for record in shown.select([c for c, _ in columns]).iter_rows():
        cells = []
        for value, (_, kind) in zip(record, columns, strict=True):
            if value is None and kind == "text" and blank is not None:
                cells.append((blank, ""))
            else:
                cells.append((fmt_cell(value, kind, view), _cls(kind)))
        rows.append(cells)
    return Table(headers, rows, frame.height)


# ------------------------------------------------------------------------------ the page
def page_context(view: ReportView) -> dict[str, Any]:
    """Everything the template shows, as plain values."""
    m, t = view.metrics, view.text
    cols = t["columns"]
    blank = t["blank"]
    p = m.period

    def name(value: str | None) -> str:
        return blank if value is None else value

    funnel_rows = [
        (name(s), [a, b]) for s, a, b in m.funnel.select("status", "leads", "entered").iter_rows()
    ]
    channel_rows = [
        (name(c), [cur, prev])
        for c, cur, prev in m.channels.select(
            "channel", "conversion", "prev_conversion"
        ).iter_rows()
    ]
    ttc = m.time_to_close

    def ttc_rows(dim: str) -> list[tuple[str, list]]:
        part = ttc.filter(pl.col("dimension") == dim)
        return [(name(g), [v]) for g, v in part.select("group", "median_days").iter_rows()]

    days = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
    count = lambda v: "–" if v is None else fmt_num(v)  # noqa: E731
    pct = lambda v: fmt_pct(v)  # noqa: E731
    sla_level = [
        (name(lv), [s]) for lv, s in m.sla_by_level.select("potential", "share").iter_rows()
    ]
    order = view.config.values("potential_levels")
    sla_level.sort(key=lambda r: order.index(r[0]) if r[0] in order else len(order))
    sla_rep = [
        (name(r), [s])
        for r, s in m.sla_by_rep.filter(pl.col("evaluated") > 0)
        .sort("share", REP_COL, descending=[False, False])
        .select(REP_COL, "share")
        .iter_rows()
    ]
    charts = {
        "funnel": hbars(
            t["sections"]["funnel"], funnel_rows, fmt=count, classes=("s0", "s1"),
            legend=(cols["leads"], cols["entered"]),
        ),
        "channels": hbars(
            t["sections"]["channels"], channel_rows, fmt=pct, classes=("s0", "s1"),
            legend=(t["this_period"], t["prev_period"]),
        ),
        "ttc_potential": hbars(f"{t['dimensions']['potential']} · {cols['median_days']}", ttc_rows("potential"), fmt=days),
        "ttc_channel": hbars(f"{t['dimensions']['channel']} · {cols['median_days']}", ttc_rows("channel"), fmt=days),
        "sla_level": hbars(t["dimensions"]["potential"], sla_level, fmt=pct, vmax=1.0, colour=share_colour),
        "sla_rep": hbars(cols["rep"], sla_rep, fmt=pct, vmax=1.0, colour=share_colour),
        "loss": pareto(
            t["sections"]["loss"],
            [(name(r), n, c) for r, n, c in m.loss_reasons.select("reason", "lost", "cumulative").iter_rows()],
        ),
        "terms": hbars(
            t["sections"]["terms"],
            [(term, [n]) for term, n in m.terms.select("term", "leads").iter_rows()],
            fmt=count,
        ),
    }  # fmt: skip
    tables = {
        "channels": table(view, m.channels, [
            ("channel", "text"), ("new", "int"), ("won", "int"), ("lost", "int"),
            ("conversion", "pct"), ("prev_new", "int"), ("prev_conversion", "pct"),
            ("change", "pp"), ("total", "int"), ("total_conversion", "pct"),
        ], blank=blank),
        "industry": table(view, ttc.filter(pl.col("dimension") == "industry").rename({"group": "industry"}), [
            ("industry", "text"), ("deals", "int"), ("mean_days", "float"), ("median_days", "float"),
            ("deals_period", "int"), ("median_days_period", "float"),
        ], limit=10, blank=blank),
        "loss_channel": _loss_matrix(view),
        "terms": table(view, m.terms, [("term", "text"), ("leads", "int"), ("example", "text")]),
        "reps": table(view, m.reps, [
            (REP_COL, "text"), ("leads", "int"), ("new", "int"), ("contacts", "int"),
            ("won", "int"), ("won_total", "int"), ("conversion", "pct"), ("sla_share", "pct"),
            ("overdue_actions", "int"),
        ], blank=blank),
    }  # fmt: skip
    lists = [
        {
            "key": al.key,
            "title": t["lists"][al.key],
            "table": table(view, al.frame, [(c.key, c.kind) for c in al.columns], limit=HTML_ROWS, blank=blank),
        }
        for al in view.lists
        if al.key != "due"  # shown per rep (todo)
    ]  # fmt: skip
    return {
        "t": t,
        "view": view,
        "h": m.headline,
        "p": p,
        "notes": view.notes(),
        "cards": cards(view),
        "charts": charts,
        "tables": tables,
        "lists": lists,
        "HTML_ROWS": HTML_ROWS,
        **trend_context(view),
    }


TREND_TABLE = [("label", "text"), ("new_leads", "int"), ("won", "int"), ("conversion", "pct"),
               ("cycle_days_median", "float"), ("sla_share", "pct")]  # fmt: skip


def trend_context(view: ReportView) -> dict[str, Any]:
    """The trend charts and table, and the to-do per rep (``todo``: rep, table)."""
    blank, m = view.text["blank"], view.metrics
    stages = [(s, "int") for s in stage_names(view)]
    trend = {
        "counts": counts_chart(view),
        "pipeline": pipeline_chart(view),
        "table": table(view, m.trend, TREND_TABLE + stages),
    }
    due = [(c, k) for c, k in LIST_COLUMNS["due"] if c != REP_COL]
    todo = [
        {"rep": blank if rep is None else rep,
         "table": table(view, frame, due, limit=HTML_ROWS, blank=blank)}
        for rep, frame in todo_groups(view)
    ]  # fmt: skip
    return {"trend": trend, "todo": todo}


REP_COL = "rep"


def _loss_matrix(view: ReportView) -> Table:
    """Loss reasons (rows, Pareto order) by channel (columns)."""
    m, blank = view.metrics, view.text["blank"]
    reasons = m.loss_reasons["reason"].to_list()
    channel_names = [c.name for c in view.config.channels]
    found = m.loss_by_channel["channel"].unique().to_list()
    channels = [c for c in channel_names if c in found] + sorted(
        c for c in found if c not in channel_names and c is not None
    )
    if None in found:
        channels.append(None)
    counts = {(r, c): n for r, c, n in m.loss_by_channel.iter_rows()}
    headers = [(view.label("reason"), "")] + [(blank if c is None else c, "num") for c in channels]
    rows = [
        [(blank if r is None else r, "")]
        + [(fmt_num(counts.get((r, c), 0)) if counts.get((r, c)) else "·", "num") for c in channels]
        for r in reasons
    ]
    return Table(headers, rows, len(rows))


def cards(view: ReportView) -> list[dict[str, Any]]:
    """The headline cards: label, value and the line under it as the terminal shows them
    (:func:`~leadbook.report.view.cards_text`), the change against the previous period and
    its tone."""
    h, t = view.metrics.headline, view.text
    text = cards_text(view)

    def delta(cur, prev, *, points=False, lower_is_better=False) -> tuple[str, str]:
        if cur is None or prev is None:
            return "", "flat"
        diff = cur - prev
        if points:
            text = f"{diff * 100:+.1f} {t['points']}"
        elif prev:
            text = f"{diff / prev * 100:+.0f}%"
        else:
            text = f"{diff:+,}"
        tone = "flat" if abs(diff) < 1e-9 else ("up" if (diff > 0) != lower_is_better else "down")
        return text, tone

    changes = {
        "new": delta(h["new"], h["prev_new"]),
        "won": delta(h["won"], h["prev_won"]),
        "conversion": delta(h["conversion"], h["prev_conversion"], points=True),
        "median_days": ("", "flat"),
        "sla": delta(h["sla_share"], h["prev_sla_share"], points=True),
        "todo": ("", "flat"),
    }
    out = []
    for key, (d, tone) in changes.items():
        flag = share_colour(h["sla_share"]) if key == "sla" else ""
        out.append({"key": key, **text[key], "delta": d, "tone": tone, "flag": flag})
    return out


def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(data_dir("templates"))),
        autoescape=True,  # every template, whatever its name: workbook text is escaped
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = fmt_num
    env.filters["pct"] = fmt_pct
    return env


def render_html(view: ReportView) -> str:
    """The report page as text."""
    return environment().get_template("report.html.j2").render(**page_context(view))


def write_html(view: ReportView, path: str | Path) -> Path:
    """Write the page (atomically, replacing an existing file)."""
    path = Path(path)
    text = render_html(view)
    with atomic_path(path, force=True) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
