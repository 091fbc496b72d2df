"""The instructions sheet (使用说明): title, steps, keys, the colour legend, the dropdowns.

Its texts come from the language's ``instructions`` block, with the team config's numbers
(company, SLA hours, dormancy days) and the template, catalog and config versions filled in.
"""

from __future__ import annotations

import math
from datetime import datetime

from xlsxwriter.worksheet import Worksheet

from leadbook.core.leadid import format_lead_id
from leadbook.core.sheetlook import print_setup, text_width
from leadbook.workbook.book import Book, num
from leadbook.workbook.spec import SHEET_PROTECTION

TEXT_WIDTH = 90  # the text column: with the numbers' column, one portrait A4 page wide


def write_instructions(book: Book, ws: Worksheet) -> None:
    """Write the instructions to ``ws`` and protect it."""
    t, f = book.t["instructions"], book.f
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, TEXT_WIDTH)
    ws.hide_gridlines(2)
    row = 0
    ws.write_string(row, 1, t["title"], f.title)
    ws.set_row(row, 30)
    row += 1
    if book.cfg.company:
        ws.write_string(row, 1, fill(book, t["company"]), f.para)
        row += 1
    intro = fill(book, t["intro"])
    ws.write_string(row, 1, intro, f.para)
    ws.set_row(row, _height(intro))
    row += 1
    rep = book.spec.rep
    if rep is not None:  # whose workbook it is (leadbook new --rep)
        note = t["rep_note"] if rep.code else t["rep_note_no_code"]
        example = format_lead_id(
            "EXPO", datetime(2024, 5, 21), 1, rep.code or "", book.cfg.lead_id_format
        )
        text = note.format(rep=rep.name, code=rep.code, example=example)
        ws.write_string(row, 1, text, f.para)
        ws.set_row(row, _height(text))
        row += 1
    row += 1
    for title_key, items_key in (("steps_title", "steps"), ("keys_title", "keys")):
        ws.write_string(row, 1, t[title_key], f.subtitle)
        row += 1
        for i, item in enumerate(t[items_key], start=1):
            ws.write_string(row, 0, str(i), f.para)
            text = fill(book, item)
            ws.write_string(row, 1, text, f.para)
            ws.set_row(row, _height(text))
            row += 1
        row += 1
    ws.write_string(row, 1, t["colours_title"], f.subtitle)
    row += 1
    for colour in ("red", "amber", "green", "grey"):
        ws.write_blank(row, 0, None, f.swatch[colour])
        text = fill(book, t[f"colour_{colour}"])
        ws.write_string(row, 1, text, f.para)
        ws.set_row(row, _height(text))
        row += 1
    row += 1
    ws.write_string(row, 1, t["dropdowns_title"], f.subtitle)
    row += 1
    for item in t["dropdowns"]:
        text = fill(book, item)
        ws.write_string(row, 1, text, f.para)
        ws.set_row(row, _height(text))
        row += 1
    row += 1
    ws.write_string(row, 1, fill(book, t["version"]), f.small)
    print_setup(ws, row, 1, header_rows=None, landscape=False)
    ws.protect("", SHEET_PROTECTION)


def fill(book: Book, template: str) -> str:
    """``template`` with the team's company, SLA hours, dormancy days and versions in it."""
    cfg = book.cfg
    hours = cfg.sla_hours
    levels = cfg.values("potential_levels")
    return template.format(
        company=cfg.company or "—",
        sla_high=num(hours.get(levels[0], 24)),
        sla_mid=num(hours.get(levels[1], 48)) if len(levels) > 1 else "—",
        dormancy_days=cfg.dormancy_days,
        version=book.cat.template_version,
        catalog=book.cat.digest,
        config=cfg.digest,
    )


def _height(text: str) -> float:
    """Row height (points) of a paragraph in the text column: one 14-point line per line it
    wraps to (CJK counted double-width), a little air."""
    lines = max(1, math.ceil(text_width(text) / (TEXT_WIDTH - 4)))
    return 14 * lines + 4
