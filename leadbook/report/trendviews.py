"""The trend and to-do parts of the report page (issue 12, points 5 and 6): the geometry of a
line chart (new leads and deals per period, conversion on a right axis) and of a stacked
column chart (the pipeline by stage at each period's end), and the to-do grouped per rep.

Like :mod:`.html`, only plain values: the macros of ``templates/report/trend.html.j2`` draw
them as inline SVG (no script, no external file).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import polars as pl

from leadbook.metrics.tables import REP
from leadbook.metrics.trend import stage_columns
from leadbook.report.view import ReportView, fmt_num, fmt_pct

WIDTH = 480
LEFT, RIGHT, PLOT_H, LABEL_H = 40.0, 44.0, 160.0, 22.0
LEGEND_ROW = 18.0
STAGE_CLASSES = 8  # st0 ... st7 in style.css, used in turn


@dataclass
class Key:
    cls: str
    text: str
    x: float
    y: float


@dataclass
class Dot:
    x: float
    y: float
    title: str


@dataclass
class Line:
    cls: str
    points: str
    dots: list[Dot]


@dataclass
class Segment:
    y: float
    h: float
    cls: str
    title: str


@dataclass
class Column:
    x: float
    w: float
    segments: list[Segment]
    total: str
    total_y: float


@dataclass
class TrendChart:
    """A chart over the periods: lines or stacked columns, ticks left (and right)."""

    title: str
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    xlabels: list[tuple[float, str]]
    ticks: list[tuple[float, str]]
    rticks: list[tuple[float, str]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    legend: list[Key] = field(default_factory=list)
    empty: bool = False


def _text_width(text: str, size: float = 12) -> float:
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def nice_step(vmax: float, ticks: int = 4, whole: bool = True) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if vmax <= 0:
        return 1.0
    raw = vmax / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * power
        if step >= raw and (not whole or step >= 1 and float(step).is_integer()):
            return step
    return 10 * power


def short_label(label: str, kind: str) -> str:
    """2024-W26 -> W26, 2024-06 -> 24-06, 2024-Q2 -> 24Q2 (room for 12 under a chart)."""
    if kind == "week":
        return label.split("-", 1)[-1]
    if kind == "quarter":
        return label[2:].replace("-", "")
    return label[2:]


def _legend(items: list[tuple[str, str]], left: float, width: float) -> tuple[list[Key], float]:
    """Legend keys in rows that fit the width; returns (keys, height taken)."""
    keys, x, y = [], left, 4.0
    for cls, text in items:
        w = _text_width(text) + 28
        if x + w > width and x > left:
            x, y = left, y + LEGEND_ROW
        keys.append(Key(cls, text, round(x, 1), y))
        x += w
    return keys, (y + LEGEND_ROW + 4 if items else 4)


def _frame(title, n, legend, kind_labels, width=WIDTH):
    keys, top = _legend(legend, LEFT, width)
    bottom = top + PLOT_H
    step = (width - LEFT - RIGHT) / max(n, 1)
    xs = [round(LEFT + (i + 0.5) * step, 1) for i in range(n)]
    xlabels = list(zip(xs, kind_labels, strict=True))
    return keys, top, bottom, step, xs, xlabels


def counts_chart(view: ReportView) -> TrendChart:
    """New leads and deals won per period (left axis), conversion as a dashed line (right
    axis, percent)."""
    trend, t = view.metrics.trend, view.text
    cols, tr = t["columns"], t["trend"]
    kind = view.metrics.period.kind
    labels = [short_label(v, kind) for v in trend["label"].to_list()]
    legend = [("l0", cols["new_leads"]), ("l1", cols["won"]), ("l2", tr["conversion"])]
    keys, top, bottom, _, xs, xlabels = _frame(tr["counts"], trend.height, legend, labels)
    counts = trend["new_leads"].to_list() + trend["won"].to_list()
    step = nice_step(max(counts + [1]))
    vmax = step * max(math.ceil(max(counts + [1]) / step), 1)
    rates = [v for v in trend["conversion"].to_list() if v is not None]
    rstep = nice_step(max(rates + [0.01]), whole=False)
    rmax = rstep * max(math.ceil(max(rates + [0.01]) / rstep - 1e-9), 1)

    def y(value: float, top_value: float) -> float:
        return round(bottom - PLOT_H * value / top_value, 1)

    full = trend["label"].to_list()
    lines = []
    for cls, col, scale, fmt in (
        ("l0", "new_leads", vmax, fmt_num),
        ("l1", "won", vmax, fmt_num),
        ("l2", "conversion", rmax, fmt_pct),
    ):
        dots, points = [], []
        for x, value, label in zip(xs, trend[col].to_list(), full, strict=True):
            if value is None:  # no cohort, no conversion: the line passes by
                continue
            dots.append(Dot(x, y(value, scale), f"{label} · {cols[col]}: {fmt(value)}"))
            points.append(f"{x},{y(value, scale)}")
        lines.append(Line(cls, " ".join(points), dots))
    ticks = [(y(k * step, vmax), fmt_num(k * step)) for k in range(round(vmax / step) + 1)]
    rticks = [(y(k * rstep, rmax), fmt_pct(k * rstep, 0 if rstep >= 0.01 else 1))
              for k in range(round(rmax / rstep) + 1)]  # fmt: skip
    return TrendChart(tr["counts"], WIDTH, bottom + LABEL_H, LEFT, WIDTH - RIGHT, top, bottom,
                      xlabels, ticks, rticks, lines=lines, legend=keys,
                      empty=trend.height == 0)  # fmt: skip


def stage_names(view: ReportView) -> list[str]:
    return stage_columns(view.metrics.trend)


def pipeline_chart(view: ReportView) -> TrendChart:
    """The pipeline at each period's end: a column per period, a segment per stage (the
    first stage at the bottom), the total above."""
    trend, t = view.metrics.trend, view.text
    tr = t["trend"]
    kind = view.metrics.period.kind
    names = stage_names(view)
    labels = [short_label(v, kind) for v in trend["label"].to_list()]
    legend = [(f"st{i % STAGE_CLASSES}", s) for i, s in enumerate(names)]
    keys, top, bottom, step, xs, xlabels = _frame(tr["pipeline"], trend.height, legend, labels)
    totals = [sum(r) for r in trend.select(names).iter_rows()] if names else [0] * trend.height
    tick = nice_step(max(totals + [1]))
    vmax = tick * max(math.ceil(max(totals + [1]) / tick), 1)
    columns = []
    w = round(step * 0.6, 1)
    full = trend["label"].to_list()
    for i, (x, label) in enumerate(zip(xs, full, strict=True)):
        base = bottom
        segments = []
        for j, stage in enumerate(names):
            value = trend[stage][i]
            if not value:
                continue
            h = PLOT_H * value / vmax
            base -= h
            segments.append(Segment(round(base, 1), round(h, 1), f"st{j % STAGE_CLASSES}",
                                    f"{label} · {stage}: {fmt_num(value)}"))  # fmt: skip
        columns.append(Column(round(x - w / 2, 1), w, segments, fmt_num(totals[i]),
                              round(base - 4, 1)))  # fmt: skip
    ticks = [(round(bottom - PLOT_H * k * tick / vmax, 1), fmt_num(k * tick))
             for k in range(round(vmax / tick) + 1)]  # fmt: skip
    return TrendChart(tr["pipeline"], WIDTH, bottom + LABEL_H, LEFT, WIDTH - RIGHT, top, bottom,
                      xlabels, ticks, columns=columns, legend=keys,
                      empty=trend.height == 0 or not names)  # fmt: skip


def todo_groups(view: ReportView) -> list[tuple[str | None, pl.DataFrame]]:
    """The to-do per rep: the config's reps in its order, then the others by name, a lead
    without a rep last; each rep's items as :func:`leadbook.metrics.due.due_items` sorts
    them (the ``rep`` column left out)."""
    due = next((al.frame for al in view.lists if al.key == "due"), None)
    if due is None or not due.height or REP not in due.columns:
        return []
    found = due[REP].unique().to_list()
    known = [r for r in view.config.reps if r in found]
    others = sorted(r for r in found if r is not None and r not in known)
    order = known + others + ([None] if None in found else [])
    return [
        (rep, due.filter(pl.col(REP).is_null() if rep is None else pl.col(REP) == rep).drop(REP))
        for rep in order
    ]
