"""The data validations of the register and the log: one per column, from the field's type.

Lists point at the lists sheet's defined names (cascades through ``INDIRECT``), the log's
lead ID at the register's ``LEAD_IDS``; date and time columns accept 1990-2099; phones and
masked names have a formula. Every column gets the field's help as its input message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from leadbook.core.catalog import Field
from leadbook.workbook.book import Book
from leadbook.workbook.listsheet import CASCADES, cascade_source, list_name

STOP = {"error_type": "stop"}


def add_validations(
    book: Book, ws: Worksheet, fields: Sequence[Field], first: int, last: int, col: dict[str, int]
) -> None:
    """Validate rows ``first`` to ``last`` of each field's column (``col``: key -> column)."""
    for fd in fields:
        if fd.type == "lead_id":
            ws.data_validation(first, 0, last, 0, _input(book, fd, {"validate": "any"}))
            continue
        c = col[fd.key]
        options = _rule(book, fd, xl_col_to_name(c), first + 1, col)
        options.setdefault("ignore_blank", True)
        ws.data_validation(first, c, last, c, _input(book, fd, options))


def _rule(book: Book, fd: Field, letter: str, row: int, col: dict[str, int]) -> dict[str, Any]:
    """The validation of field ``fd`` in column ``letter``, formulas relative to ``row``."""
    if fd.type == "list":
        return _list_rule(book, fd, row, col)
    if fd.type == "size" and book.lists.has(list_name(fd.list or "")):
        # The standard bands as a dropdown that accepts any other band typed (50-100人).
        return {"validate": "list", "source": f"={list_name(fd.list or '')}", "show_error": False}
    if fd.is_time:
        return _time_rule(book, fd)
    return _formula_rule(book, fd, f"{letter}{row}")


def _input(book: Book, fd: Field, options: dict[str, Any]) -> dict[str, Any]:
    options["input_title"] = fd.label(book.lang)[:32]
    message = fd.help(book.lang)
    if book.spec.rep is not None and fd.list == "reps":
        message = book.t["validation"]["own_rep"].format(rep=book.spec.rep.name) + message
    options["input_message"] = message[:255]
    return options


def _list_rule(book: Book, fd: Field, row: int, col: dict[str, int]) -> dict[str, Any]:
    v = book.t["validation"]
    label = fd.label(book.lang)
    if fd.list in CASCADES and fd.parent in col:
        parent = book.cat.field(fd.parent)
        parent_cell = f"${xl_col_to_name(col[fd.parent])}{row}"
        message = v["cascade_message"].format(label=label, parent=parent.label(book.lang))
        return {
            "validate": "list",
            "source": cascade_source(fd.list, parent_cell),
            "error_title": v["list_title"],
            "error_message": message[:255],
            **STOP,
        }
    if fd.list == "lead_ids":
        return {"validate": "list", "source": "=LEAD_IDS", **STOP}
    if book.lists.has(list_name(fd.list or "")):
        values = "、".join(book.cfg.values(fd.list or ""))
        message = v["list_message"].format(label=label, values=values)
        if len(message) > 255:
            message = message[:254] + "…"
        return {
            "validate": "list",
            "source": f"={list_name(fd.list or '')}",
            "error_title": v["list_title"],
            "error_message": message,
            **STOP,
        }
    return {"validate": "any"}


def _time_rule(book: Book, fd: Field) -> dict[str, Any]:
    v = book.t["validation"]
    message = v["datetime_message" if fd.type == "datetime" else "date_message"]
    return {
        "validate": "date",
        "criteria": "between",
        "minimum": date(1990, 1, 1),
        "maximum": date(2099, 12, 31),
        "error_title": v["datetime_title"],
        "error_message": message.format(label=fd.label(book.lang)),
        **STOP,
    }


def _formula_rule(book: Book, fd: Field, cell: str) -> dict[str, Any]:
    v = book.t["validation"]
    if fd.type == "phone":
        formula = (
            f'=AND(LEFT({cell},1)="0",ISNUMBER(FIND("-",{cell})),LEN({cell})>=11,LEN({cell})<=20)'
        )
        return {
            "validate": "custom",
            "value": formula,
            "error_title": v["phone_title"],
            "error_message": v["phone_message"],
            **STOP,
        }
    if fd.type == "masked_name":
        return {
            "validate": "custom",
            "value": f'=LEFT({cell},1)="*"',
            "error_title": v["name_title"],
            "error_message": v["name_message"],
            **STOP,
        }
    return {"validate": "any"}
