"""The field guide sheet (字段说明): one row per register field, then one per log field.

Each row: the field's group, label and key, whether it is required, what it accepts (its
list's first values, its parent list, its type's rule), its help and an example.
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from leadbook.core.catalog import Field
from leadbook.core.sheetlook import lines_needed, print_setup, row_height
from leadbook.core.texts import sheet_name
from leadbook.workbook.book import Book
from leadbook.workbook.spec import SHEET_PROTECTION

WIDTHS = [14, 18, 18, 10, 40, 60, 26]
PREVIEW = 12  # list values shown before "…"


def write_guide(book: Book, ws: Worksheet) -> None:
    """Write the field guide to ``ws`` and protect it."""
    g, f = book.t["guide"], book.f
    for i, w in enumerate(WIDTHS):
        ws.set_column(i, i, w, f.wrap)
    row = 0
    for title, fields in ((None, book.cat.register), (g["log_title"], book.cat.log)):
        if title:
            row += 1
            ws.write_string(row, 0, title, f.subtitle)
            row += 1
        for i, header in enumerate(g["headers"]):
            ws.write_string(row, i, header, f.header)
        row += 1
        for fd in fields:
            values = _values(book, fd)
            for i, value in enumerate(values):
                ws.write_string(row, i, value, f.wrap)
            lines = max(lines_needed(v, w) for v, w in zip(values, WIDTHS, strict=True))
            ws.set_row(row, row_height(lines))
            row += 1
    ws.freeze_panes(1, 0)
    print_setup(ws, row - 1, len(WIDTHS) - 1, width=sum(WIDTHS))
    ws.protect("", SHEET_PROTECTION)


def _values(book: Book, fd: Field) -> list[str]:
    """The guide's row for one field, in the order of its headers."""
    g = book.t["guide"]
    return [
        book.cat.group(fd.group).label(book.lang),
        fd.label(book.lang),
        fd.key,
        g["required"] if fd.required else g["optional"],
        rule_text(book, fd),
        fd.help(book.lang),
        fd.example,
    ]


def rule_text(book: Book, fd: Field) -> str:
    """What a field accepts, in words."""
    g = book.t["guide"]
    rules = g["rules"]
    if fd.type == "list" and fd.parent:
        parent = book.cat.sheet_fields("register")
        parent_label = next((p.label(book.lang) for p in parent if p.key == fd.parent), "")
        text = rules["cascade"].format(parent=parent_label)
    elif fd.type == "list":
        values = _values_preview(book, fd.list or "")
        text = rules["list"].format(values=values) if values else rules["text"]
    else:
        text = rules.get(fd.type, rules["text"])
    if fd.key in ("office_phone", "im_account"):
        text += ";" + g["one_of_contact"]
    if fd.sensitive:
        text += ";" + g["sensitive"]
    return text


def _values_preview(book: Book, list_key: str) -> str:
    if list_key == "lead_ids":
        return sheet_name("register", book.lang)
    values = book.cfg.values(list_key)
    shown = "、".join(values[:PREVIEW])
    return shown + ("…" if len(values) > PREVIEW else "")
