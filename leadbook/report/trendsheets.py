"""The trend and to-do sheets of the Excel summary (issue 12, points 5 and 6), written with the
summary's writer (:class:`leadbook.report.xlsx._Writer`, passed in; this module does not
import it): the trend table with a line chart (new leads and deals, conversion on the right
axis) and a stacked column chart (the pipeline by stage at each period's end), and the to-do:
a count per rep, then every item (an Excel table: filter it by rep).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from leadbook.metrics.due import ACTION, FIRST_CONTACT
from leadbook.metrics.tables import REP
from leadbook.metrics.trend import COLUMNS as TREND_COLUMNS
from leadbook.metrics.trend import stage_columns

BLUE, GREEN, ORANGE = "#2563EB", "#16A34A", "#F97316"
STAGE_COLOURS = ["#1E3A8A", "#2563EB", "#60A5FA", "#93C5FD", "#F59E0B", "#FCD34D", "#94A3B8",
                 "#CBD5E1"]  # fmt: skip
TREND_KINDS = {
    "label": "text", "period_start": "date", "period_end": "date", "new_leads": "int",
    "won": "int", "conversion": "pct", "cycle_days_median": "float", "sla_share": "pct",
}  # fmt: skip
CHART = {"x_scale": 1.3, "y_scale": 1.3}


def trend_sheet(w: Any) -> None:
    """The trend: one row per period, the charts below the table."""
    view, t = w.view, w.t
    trend = view.metrics.trend
    ws = w.sheet("trend")
    row = w.heading(ws, t["sections"]["trend"], view.notes()["trend"])
    stages = stage_columns(trend)
    order = ["label"] + [c for c in TREND_COLUMNS if c != "label"]  # the label: the categories
    columns = [(c, TREND_KINDS[c]) for c in order] + [(s, "int") for s in stages]
    first, last = w.table(ws, row, 0, trend, columns)
    index = {c: j for j, (c, _) in enumerate(columns)}
    counts = w.chart("line", t["trend"]["counts"])
    for key, colour in (("new_leads", BLUE), ("won", GREEN)):
        w.series(counts, ws, first, last, 0, index[key], line={"color": colour, "width": 2.25}, smooth=False,
                 marker={"type": "circle", "fill": {"color": colour}, "border": {"color": colour}})  # fmt: skip
    rate = w.wb.add_chart({"type": "line"})
    w.series(rate, ws, first, last, 0, index["conversion"], y2_axis=True,
             line={"color": ORANGE, "width": 2, "dash_type": "dash"}, smooth=False,
             marker={"type": "circle", "fill": {"color": ORANGE}, "border": {"color": ORANGE}})  # fmt: skip
    rate.set_y2_axis({"num_format": "0%", "min": 0})
    counts.combine(rate)
    counts.set_y_axis(
        {"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#E2E8F0"}}}
    )
    chart_row = last + 3
    ws.insert_chart(chart_row, 0, counts, CHART)
    if stages:
        stack = w.chart("column", t["trend"]["pipeline"], subtype="stacked")
        for j, stage in enumerate(stages):
            colour = STAGE_COLOURS[j % len(STAGE_COLOURS)]
            w.series(stack, ws, first, last, 0, index[stage], fill={"color": colour}, gap=60)
        stack.set_y_axis({"min": 0})
        ws.insert_chart(chart_row, 7, stack, CHART)
    ws.freeze_panes(row + 1, 1)


def due_sheet(w: Any) -> None:
    """The to-do of the coming days: how many items each rep has, then the items."""
    view, t = w.view, w.t
    due = next((al for al in view.lists if al.key == "due"), None)
    if due is None:
        return
    ws = w.sheet("due")
    title = f"{t['sections']['todo']} ({due.frame.height:,})"
    row = w.heading(ws, title, view.notes()["todo"])
    counts = per_rep(due.frame, view.config.reps)
    headers = [w.label(REP), t["outcomes"][ACTION], t["outcomes"][FIRST_CONTACT], w.label("items")]
    _, last = w.table(ws, row, 0, counts, [(REP, "text"), (ACTION, "int"), (FIRST_CONTACT, "int"),
                      ("items", "int")], headers=headers, widths={0: 14})  # fmt: skip
    row = last + 3
    ws.write_string(row - 1, 0, t["lists"]["due"], w.bold)
    columns = [(c.key, c.kind) for c in due.columns]
    w.table(ws, row, 0, due.frame, columns, last_on_sheet=True)  # the sheet's last table
    ws.freeze_panes(row + 1, 3)


def per_rep(frame: pl.DataFrame, reps: tuple[str, ...]) -> pl.DataFrame:
    """Items per rep and task: the config's reps in its order (those with items), then the
    others by name, a lead without a rep last."""
    if not frame.height:
        return pl.DataFrame(schema={REP: pl.String, ACTION: pl.Int64, FIRST_CONTACT: pl.Int64,
                                    "items": pl.Int64})  # fmt: skip
    counts = frame.group_by(REP).agg(
        (pl.col("task") == ACTION).sum().cast(pl.Int64).alias(ACTION),
        (pl.col("task") == FIRST_CONTACT).sum().cast(pl.Int64).alias(FIRST_CONTACT),
        pl.len().cast(pl.Int64).alias("items"),
    )
    rank = {r: i for i, r in enumerate(reps)}
    key = pl.col(REP).replace_strict(rank, default=len(rank), return_dtype=pl.Int32)
    return counts.sort(key, pl.col(REP).is_null(), REP)
