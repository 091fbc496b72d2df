"""The report as an Excel summary a manager can forward: one sheet per metric with a native
chart, the action lists as Excel tables with filters, percentages and dates formatted.

Written with xlsxwriter; every text value goes through ``write_string`` (never the generic
``write``, which turns ``=...`` into a formula and URLs into links).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from leadbook.core.atomic import atomic_path
from leadbook.core.sheetlook import lines_needed, row_height
from leadbook.metrics.tables import REP
from leadbook.report.cells import install, put_column, put_rows
from leadbook.report.trendsheets import due_sheet, trend_sheet
from leadbook.report.view import ReportView

FORMATS = {
    "int": "#,##0",
    "float": "#,##0.0",
    "hours": '#,##0.0" h"',
    "pct": "0.0%",
    "pp": "+0.0;-0.0;0.0",
    "datetime": "yyyy-mm-dd hh:mm",
    "date": "yyyy-mm-dd",
}
CHART_SIZE = {"x_scale": 1.4, "y_scale": 1.3}
BLUE, GREY, ORANGE = "#2563EB", "#B6C3D6", "#F97316"
MAX_WIDTH = 60  # wider text wraps
WIDTH_SAMPLE = 5_000  # values looked at for a column's width
EXCEL_EPOCH = datetime(1899, 12, 30)
LABEL_KEYS = ("channel", "status", "potential", "reason", "group", "industry", REP)  # null: (未填)


class _Writer:
    def __init__(self, wb, view: ReportView) -> None:
        self.wb, self.view = wb, view
        self.t = view.text
        self.fmt = {
            k: wb.add_format({"num_format": v, "valign": "top"}) for k, v in FORMATS.items()
        }
        self.fmt["text"] = wb.add_format({"valign": "top", "text_wrap": True})
        self.fmt["outcome"] = self.fmt["text"]
        self.title = wb.add_format({"bold": True, "font_size": 16, "font_color": "#1E293B"})
        self.sub = wb.add_format({"font_color": "#64748B"})
        self.bold = wb.add_format({"bold": True})
        self.warn = wb.add_format({"font_color": "#92400E", "bg_color": "#FEF3C7"})
        self.tables = 0

    # -------------------------------------------------------------------- building blocks
    def sheet(self, key: str):
        ws = self.wb.add_worksheet(self.t["sheets"][key])
        install(ws)  # its plain cells' XML written fast (report.cells)
        ws.hide_gridlines(2)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_footer("&C&A · &P / &N")  # the sheet and the page
        return ws

    def heading(self, ws, title: str, note: str | None = None) -> int:
        ws.write_string(0, 0, title, self.title)
        if note:
            ws.write_string(1, 0, note, self.sub)
        return 3

    def label(self, key: str) -> str:
        return self.view.label(key)

    def table(
        self,
        ws,
        row: int,
        col: int,
        frame: pl.DataFrame,
        columns: Sequence[tuple[str, str]],
        *,
        headers: Sequence[str] | None = None,
        widths: dict[int, float] | None = None,
        last_on_sheet: bool = False,
    ) -> tuple[int, int]:
        """An Excel table (with filter buttons) at (row, col); returns its (first data row,
        last data row). Null text shows as the report's blank label in label columns.
        ``last_on_sheet``: no table follows on the sheet, so the column formats set here are
        the sheet's and the rows are written at once (``rows``: the long action lists);
        otherwise cell by cell with each cell's format."""
        columns = [(c, k) for c, k in columns if c in frame.columns]
        headers = _unique(headers or [self.label(c) for c, _ in columns])
        n = frame.height
        last = row + max(n, 1)
        self.tables += 1
        ws.add_table(
            row, col, last, col + len(columns) - 1,
            {
                "name": f"Table_{self.tables}",
                "style": "Table Style Light 9",
                "columns": [{"header": h} for h in headers],
                "autofilter": True,
            },
        )  # fmt: skip
        lengths = [_width(h) for h in headers]
        texts: dict[int, list] = {}
        data = []
        for j, (key, kind) in enumerate(columns):
            values, strings = self.column(frame[key], kind, key)
            data.append(values)
            if not last_on_sheet:  # each value with its format, as write_string / write_number
                put_column(ws, row + 1, col + j, values, self.fmt[kind], strings)
            if kind in ("text", "outcome"):
                texts[j] = values
                sample = [v for v in values[:WIDTH_SAMPLE] if v is not None]
                lengths[j] = max(lengths[j], _widest(sample))
        fitted = []
        for j, (_, kind) in enumerate(columns):
            width = {"datetime": 17, "date": 12}.get(kind, lengths[j] + 2)
            if widths and j in widths:  # a least width: content wider than it widens it
                width = max(width, widths[j])
            fitted.append(min(max(width, 8), MAX_WIDTH))
            ws.set_column(col + j, col + j, fitted[-1], self.fmt[kind])
        if last_on_sheet:
            self.rows(ws, row + 1, col, data, [self.fmt[kind] for _, kind in columns])
        tall: dict[int, int] = {}  # text wider than MAX_WIDTH wraps: its row grows
        for j, values in texts.items():
            if lengths[j] + 2 <= MAX_WIDTH:
                continue
            for r, value in enumerate(values, start=row + 1):
                if value is not None:
                    tall[r] = max(tall.get(r, 1), lines_needed(value, fitted[j]))
        for r, lines in tall.items():
            if lines > 1:
                ws.set_row(r, row_height(lines))
        return row + 1, row + n

    @staticmethod
    def rows(ws, first: int, col: int, data: list[list], formats: list) -> None:
        """The columns ``data`` written row by row from (``first``, ``col``), as one
        ``write_row`` a row would (``cells.put_rows``): each cell takes its column's format
        (the sheet's last ``set_column``), which is the one ``formats`` names.
        An empty text is no cell to ``write_row``: those are written one by one, as text."""
        put_rows(ws, first, col, data)
        for j, values in enumerate(data):
            if values and isinstance(next((v for v in values if v is not None), None), str):
                for r in (i for i, v in enumerate(values) if v == ""):
                    ws.write_string(first + r, col + j, "", formats[j])

    def column(self, series: pl.Series, kind: str, key: str) -> tuple[list, bool]:
        """A column's values as the writer takes them (one conversion per column, not per
        cell: the lists can be long), and whether they are text (else numbers)."""
        if kind in ("datetime", "date"):
            days = (series.cast(pl.Datetime("us")) - EXCEL_EPOCH).dt.total_microseconds() / 86400e6
            return days.to_list(), False
        if kind in ("int", "float", "pct", "hours", "pp"):
            numbers = series.cast(pl.Float64).fill_nan(None)
            if kind == "pp":
                numbers = numbers * 100
            return numbers.to_list(), False
        texts = series.cast(pl.String)
        if kind == "outcome":
            texts = texts.replace(self.t["outcomes"])
        elif key in LABEL_KEYS:
            texts = texts.fill_null(self.t["blank"])
        return texts.to_list(), True

    def cell(self, ws, r: int, c: int, value: Any, kind: str, key: str = "") -> None:
        fmt = self.fmt[kind]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            if kind == "text" and key in LABEL_KEYS:
                ws.write_string(r, c, self.t["blank"], fmt)
            else:
                ws.write_blank(r, c, None, fmt)
        elif kind == "outcome":
            ws.write_string(r, c, self.t["outcomes"].get(value, str(value)), fmt)
        elif kind == "pp":
            ws.write_number(r, c, value * 100, fmt)
        elif isinstance(value, datetime | date):
            ws.write_datetime(r, c, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(r, c, value, fmt)
        else:
            ws.write_string(r, c, str(value), fmt)

    def chart(self, kind: str, title: str, subtype: str | None = None):
        spec = {"type": kind}
        if subtype:
            spec["subtype"] = subtype
        chart = self.wb.add_chart(spec)
        chart.set_title({"name": title, "name_font": {"size": 12, "bold": True}})
        chart.set_legend({"position": "bottom"})
        return chart

    def series(self, chart, ws, first: int, last: int, cat_col: int, val_col: int, **more):
        name = ws.get_name()
        spec = {
            "categories": [name, first, cat_col, max(last, first), cat_col],
            "values": [name, first, val_col, max(last, first), val_col],
            "name": [name, first - 1, val_col],
        }
        spec.update(more)
        chart.add_series(spec)


def _unique(headers: Sequence[str]) -> list[str]:
    """Excel refuses a table whose headers repeat (case-insensitively): number the repeats."""
    seen: set[str] = set()
    out = []
    for h in headers:
        name, n = str(h) or "-", 1
        while name.lower() in seen:
            n += 1
            name = f"{h} ({n})"
        seen.add(name.lower())
        out.append(name)
    return out


def _width(text: str) -> float:
    return sum(2.2 if ord(ch) > 0x2E7F else 1.1 for ch in text)  # 11-point: CJK double


def _widest(texts: list[str]) -> float:
    """``max(_width(t) for t in texts)`` (0 for none), exactly, without measuring each text in
    Python: every text's width is estimated at once (1.1 a character, 1.1 more for a wide
    one), and only the few within rounding of the widest are measured as ``_width`` measures
    them (its running sum of 1.1s and 2.2s rounds its own way)."""
    if not texts:
        return 0.0
    series = pl.Series(texts, dtype=pl.String)
    wide = series.str.count_matches(r"[\x{2E80}-\x{10FFFF}]")
    estimate = ((series.str.len_chars() + wide).cast(pl.Float64) * 1.1).to_list()
    top = max(estimate)
    near = top - 1e-6 * max(top, 1.0)
    return max(_width(t) for t, e in zip(texts, estimate, strict=True) if e >= near)


# -------------------------------------------------------------------------- the sheets
def _overview(w: _Writer) -> None:
    view, t = w.view, w.t
    h, p, hl = view.metrics.headline, view.metrics.period, t["headline"]
    ws = w.sheet("overview")
    ws.write_string(0, 0, f"{t['title']} · {t['kinds'][p.kind]} {view.period_text}", w.title)
    meta = [
        t["range"].format(start=f"{p.start:%Y-%m-%d}", end=f"{p.last_day:%Y-%m-%d}")
        + ("" if p.complete else f" {t['range_open']}"),
        view.compared_text,
        t["as_of"].format(as_of=f"{view.as_of:%Y-%m-%d %H:%M}"),
        t["inputs"].format(files=len(view.files), leads=f"{view.leads:,}")
        + (" · " + t["later"].format(n=f"{h['later']:,}") if h["later"] else ""),
        f"{t['masked']} · {t['generator']}",
    ]
    for i, line in enumerate(meta, start=1):
        ws.write_string(i, 0, line, w.sub)
    row = len(meta) + 1
    if view.redact:
        ws.write_string(row, 0, t["redacted"], w.warn)
        row += 1
    for path, error in view.unreadable:
        ws.write_string(row, 0, f"{path}: {error}", w.warn)
        row += 1
    cards = t["cards"]
    rows = [  # the numbers of the page's cards and the terminal, in the same units
        (cards["new"], h["new"], h["prev_new"], "int"),
        (cards["won"], h["won"], h["prev_won"], "int"),
        (cards["conversion"], h["conversion"], h["prev_conversion"], "pct"),
        (
            cards["median_days"] + f" ({t['days']})",
            h["median_days"],
            h["prev_median_days"],
            "float",
        ),
        (cards["sla"], h["sla_share"], h["prev_sla_share"], "pct"),
        (cards["todo"], h["todo"], None, "int"),
        (hl["moved"], h["moved"], None, "int"),
        (hl["leads"], h["leads"], None, "int"),
        (hl["open"], h["open"], None, "int"),
        (hl["deals"], h["deals"], None, "int"),
        (hl["lost"], h["lost"], None, "int"),
        *[(t["lists"][al.key], al.frame.height, None, "int") for al in view.lists],
    ]
    frame = pl.DataFrame(
        {
            "metric": [r[0] for r in rows],
            "value": [None if r[1] is None else float(r[1]) for r in rows],
            "prev": [None if r[2] is None else float(r[2]) for r in rows],
        },
        schema={"metric": pl.String, "value": pl.Float64, "prev": pl.Float64},
    )
    first, _ = w.table(
        ws, row + 1, 0, frame, [("metric", "text"), ("value", "float"), ("prev", "float")],
        headers=[hl["metric"], hl["value"], hl["prev"]], widths={0: 30, 1: 14, 2: 14},
    )  # fmt: skip
    for i, (_, value, prev, kind) in enumerate(rows):  # each row in its own number format
        w.cell(ws, first + i, 1, value, kind)
        w.cell(ws, first + i, 2, prev, kind)
    ws.activate()


def _funnel(w: _Writer) -> None:
    m = w.view.metrics
    ws = w.sheet("funnel")
    row = w.heading(ws, w.t["sections"]["funnel"], w.view.notes()["funnel"])
    first, last = w.table(
        ws, row, 0, m.funnel, [("status", "text"), ("leads", "int"), ("entered", "int")]
    )
    chart = w.chart("bar", w.t["sections"]["funnel"])
    w.series(chart, ws, first, last, 0, 1, fill={"color": BLUE}, gap=60)
    w.series(chart, ws, first, last, 0, 2, fill={"color": GREY})
    chart.set_y_axis({"reverse": True})
    ws.insert_chart(row, 5, chart, CHART_SIZE)


CHANNEL_COLUMNS = [
    ("channel", "text"), ("new", "int"), ("won", "int"), ("lost", "int"), ("conversion", "pct"),
    ("prev_new", "int"), ("prev_won", "int"), ("prev_conversion", "pct"), ("change", "pp"),
    ("total", "int"), ("total_won", "int"), ("total_conversion", "pct"),
]  # fmt: skip


def _channels(w: _Writer) -> None:
    m = w.view.metrics
    ws = w.sheet("channels")
    row = w.heading(ws, w.t["sections"]["channels"], w.view.notes()["channels"])
    first, last = w.table(ws, row, 0, m.channels, CHANNEL_COLUMNS)
    chart = w.chart("column", w.t["sections"]["channels"])
    w.series(
        chart,
        ws,
        first,
        last,
        0,
        4,
        fill={"color": BLUE},
    )
    w.series(
        chart,
        ws,
        first,
        last,
        0,
        7,
        fill={"color": GREY},
    )
    chart.set_y_axis({"num_format": "0%", "min": 0})
    ws.insert_chart(last + 3, 0, chart, CHART_SIZE)


def _time_to_close(w: _Writer) -> None:
    m, t = w.view.metrics, w.t
    ws = w.sheet("time_to_close")
    row = w.heading(ws, t["sections"]["time_to_close"], w.view.notes()["time_to_close"])
    frame = m.time_to_close.with_columns(  # the row over every deal is 全部, not (未填)
        pl.when(pl.col("dimension") == "all")
        .then(pl.lit(t["dimensions"]["all"]))
        .otherwise(pl.col("group"))
        .alias("group"),
        pl.col("dimension").replace_strict(t["dimensions"], default=pl.col("dimension")),
    )
    columns = [("dimension", "text"), ("group", "text"), ("deals", "int"), ("mean_days", "float"),
               ("median_days", "float"), ("deals_period", "int"), ("median_days_period", "float")]  # fmt: skip
    w.table(ws, row, 0, frame, columns)
    dims = m.time_to_close["dimension"].to_list()
    for k, dim in enumerate(("potential", "channel")):
        rows = [i for i, d in enumerate(dims) if d == dim]
        if not rows:
            continue
        first, last = row + 1 + rows[0], row + 1 + rows[-1]
        chart = w.chart("bar", f"{t['dimensions'][dim]} · {w.label('median_days')}")
        w.series(chart, ws, first, last, 1, 4, fill={"color": BLUE})  # fmt: skip
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        ws.insert_chart(row + k * 20, 8, chart, CHART_SIZE)


def _sla(w: _Writer) -> None:
    m, t = w.view.metrics, w.t
    ws = w.sheet("sla")
    row = w.heading(ws, t["sections"]["sla"], w.view.notes()["sla"])
    counts = [("met", "int"), ("late", "int"), ("missed", "int"), ("pending", "int"),
              ("evaluated", "int"), ("share", "pct"), ("prev_share", "pct")]  # fmt: skip
    _, last = w.table(ws, row, 0, m.sla_by_level, [("potential", "text"), *counts])
    row = last + 3
    reps = m.sla_by_rep.sort("share", REP, descending=[True, False], nulls_last=True)
    first, last = w.table(ws, row, 0, reps, [(REP, "text"), *counts])
    chart = w.chart("bar", f"{t['sections']['sla']} · {w.label('rep')}")
    w.series(chart, ws, first, last, 0, 6, fill={"color": BLUE})  # fmt: skip
    chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    ws.insert_chart(3, 9, chart, CHART_SIZE)


def _dormancy(w: _Writer) -> None:
    t, view = w.t, w.view
    ws = w.sheet("dormancy")
    notes = view.notes()
    row = w.heading(ws, t["sections"]["dormancy"])
    keys = ["soon", "overdue", "reactivation"]
    lists = {al.key: al.frame.height for al in view.lists}
    frame = pl.DataFrame(
        {
            "list": [t["lists"][k] for k in keys],
            "count": [lists[k] for k in keys],
            "note": [notes[k] for k in keys],
        }  # fmt: skip
    )
    first, last = w.table(
        ws, row, 0, frame, [("list", "text"), ("count", "int"), ("note", "text")],
        headers=[t["sections"]["dormancy"], w.label("count"), w.label("note")], widths={0: 22, 2: 70},
    )  # fmt: skip
    chart = w.chart("column", t["sections"]["dormancy"])
    w.series(chart, ws, first, last, 0, 1, fill={"color": BLUE})
    chart.set_legend({"none": True})
    ws.insert_chart(last + 3, 0, chart, CHART_SIZE)


def _loss(w: _Writer) -> None:
    m, t, view = w.view.metrics, w.t, w.view
    ws = w.sheet("loss")
    row = w.heading(ws, t["sections"]["loss"], view.notes()["loss"])
    first, last = w.table(ws, row, 0, m.loss_reasons, [
        ("reason", "text"), ("lost", "int"), ("share", "pct"), ("cumulative", "pct"),
        ("lost_period", "int"),
    ], headers=[w.label(k) for k in ("reason", "lost")] + [t["share"]]
       + [w.label(k) for k in ("cumulative", "lost_period")])  # fmt: skip
    chart = w.chart("column", t["sections"]["loss"])
    w.series(chart, ws, first, last, 0, 1, fill={"color": BLUE})
    line = w.wb.add_chart({"type": "line"})
    w.series(line, ws, first, last, 0, 3, y2_axis=True, line={"color": ORANGE, "width": 2},
             marker={"type": "circle", "fill": {"color": ORANGE}, "border": {"color": ORANGE}})  # fmt: skip
    chart.combine(line)
    line.set_y2_axis({"num_format": "0%", "min": 0, "max": 1})
    ws.insert_chart(row, 7, chart, CHART_SIZE)
    # reason x channel
    row = max(last + 3, row + 22)
    matrix = m.loss_by_channel.pivot(on="channel", index="reason", values="lost")
    order = m.loss_reasons["reason"].to_list()
    matrix = (
        pl.DataFrame({"reason": order}, schema={"reason": pl.String})
        .join(matrix, on="reason", how="left", nulls_equal=True)
        .fill_null(0)
    )
    names = [c.name for c in view.config.channels]
    channel_cols = [c for c in names if c in matrix.columns]
    channel_cols += [c for c in matrix.columns if c not in channel_cols and c != "reason"]
    headers = [w.label("reason")] + [t["blank"] if c == "null" else c for c in channel_cols]
    w.table(ws, row, 0, matrix.select("reason", *channel_cols),
            [("reason", "text")] + [(c, "int") for c in channel_cols], headers=headers)  # fmt: skip


def _terms(w: _Writer) -> None:
    m, t, view = w.view.metrics, w.t, w.view
    ws = w.sheet("terms")
    note = view.notes()["terms"] + (" " + view.notes()["terms_redacted"] if view.redact else "")
    row = w.heading(ws, t["sections"]["terms"], note)
    columns = [("term", "text"), ("leads", "int"), ("share", "pct"), ("example", "text")]
    headers = [w.label("term"), w.label("leads"), t["share"], w.label("example")]
    first, last = w.table(ws, row, 0, m.terms, columns, headers=headers[: m.terms.width])
    chart = w.chart("bar", t["sections"]["terms"])
    w.series(chart, ws, first, last, 0, 1, fill={"color": BLUE})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    ws.insert_chart(row, 5, chart, {"x_scale": 1.3, "y_scale": 2.0})


def _reps(w: _Writer) -> None:
    m, t = w.view.metrics, w.t
    ws = w.sheet("reps")
    row = w.heading(ws, t["sections"]["reps"], w.view.notes()["reps"])
    first, last = w.table(ws, row, 0, m.reps, [
        (REP, "text"), ("leads", "int"), ("new", "int"), ("contacts", "int"), ("won", "int"),
        ("won_total", "int"), ("conversion", "pct"), ("sla_share", "pct"),
        ("overdue_actions", "int"),
    ])  # fmt: skip
    chart = w.chart("column", t["sections"]["reps"])
    w.series(chart, ws, first, last, 0, 4, fill={"color": BLUE})
    w.series(chart, ws, first, last, 0, 5, fill={"color": GREY})
    ws.insert_chart(last + 3, 0, chart, {"x_scale": 2.0, "y_scale": 1.3})


def _lists(w: _Writer) -> None:
    notes = w.view.notes()
    for al in w.view.lists:
        if al.key == "due":  # its own sheet (trendsheets.due_sheet)
            continue
        ws = w.sheet(al.key)
        row = w.heading(ws, f"{w.t['lists'][al.key]} ({al.frame.height:,})", notes[al.key])
        w.table(ws, row, 0, al.frame, [(c.key, c.kind) for c in al.columns], last_on_sheet=True)
        ws.freeze_panes(row + 1, 2)


def write_xlsx(view: ReportView, path: str | Path, *, password: str | None = None) -> Path:
    """Write the Excel summary (atomically, replacing an existing file); encrypted with
    ``password`` when one is given."""
    import xlsxwriter

    path = Path(path)
    with atomic_path(path, force=True, password=password) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        wb.set_properties({"title": view.text["title"], "comments": view.text["generator"]})
        w = _Writer(wb, view)
        for part in (_overview, trend_sheet, _funnel, _channels, _time_to_close, _sla, _dormancy,
                     _loss, _terms, _reps, due_sheet, _lists):  # fmt: skip
            part(w)
        wb.close()
    return path
