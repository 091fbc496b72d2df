"""The workbook being written (``Book``) and what its sheet writers share.

A ``Book`` holds the XlsxWriter workbook, the spec, the texts in the spec's language, the
lists sheet's content and the cell formats; each sheet module takes one. Shared here: the
columns of a table sheet (catalog fields, then extras), the Excel table over them, and
writing one record value as a typed cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from leadbook.core.catalog import Field
from leadbook.core.config import CASCADE_PARENTS
from leadbook.core.sheetlook import fit_width
from leadbook.core.texts import texts
from leadbook.workbook.formats import Formats
from leadbook.workbook.listsheet import ListSheet
from leadbook.workbook.spec import Extra, WorkbookSpec

WIDTH_SAMPLE = 5_000  # records looked at for the column widths (a large master: the first ones)
LIST_MAX = 44  # widest column; longer values wrap


class Book:
    """One workbook being written from a spec."""

    def __init__(self, wb: Workbook, spec: WorkbookSpec) -> None:
        self.wb, self.spec = wb, spec
        self.cat, self.cfg, self.lang = spec.catalog, spec.config, spec.lang
        self.t = texts(spec.lang)
        self.lists = ListSheet.build(self.cat, self.cfg)
        self.f = Formats(wb)
        self.column_formats: list[Any] = []  # of the sheet being written (``table``)

    def columns(self, fields: Sequence[Field], extra: Sequence[Extra]) -> list[tuple[str, str]]:
        """(key, label) of each column: the catalog's fields, then the extras."""
        return [(fd.key, fd.label(self.lang)) for fd in fields] + [(e.key, e.label) for e in extra]

    def table(
        self,
        ws: Worksheet,
        name: str,
        header_row: int,
        last: int,
        fields: Sequence[Field],
        extra: Sequence[Extra],
        records: Sequence[dict[str, Any]] = (),
    ) -> list[float]:
        """The Excel table ``name`` from ``header_row`` to ``last``, with its column formats;
        each column as wide as its content needs (``column_width``). Returns the widths."""
        columns, widths = [], []
        sample = records[:WIDTH_SAMPLE]
        self.column_formats = []
        for i, fd in enumerate(fields):
            header = self.f.header_required if fd.required else self.f.header
            columns.append({"header": fd.label(self.lang), "header_format": header})
            widths.append(self.column_width(fd, sample))
            self.column_formats.append(self.f.cell_for(fd))
            ws.set_column(i, i, widths[-1], self.column_formats[-1])
        for j, e in enumerate(extra, start=len(fields)):
            columns.append({"header": e.label, "header_format": self.f.header})
            widths.append(fit_width(e.label, (r.get(e.key) for r in sample), least=e.width))
            self.column_formats.append(self.f.locked_text)
            ws.set_column(j, j, widths[-1], self.f.locked_text)
        if self.spec.constant_memory:
            # XlsxWriter's constant_memory mode has no add_table (it returns -3): the headers
            # as cells and an autofilter over the table's range (filters, sorting) instead.
            for c, column in enumerate(columns):
                ws.write_string(header_row, c, column["header"], column["header_format"])
            ws.autofilter(header_row, 0, last, len(columns) - 1)
            return widths
        ws.add_table(
            header_row,
            0,
            last,
            len(columns) - 1,
            {"name": name, "columns": columns, "style": "Table Style Light 9", "autofilter": True},
        )
        return widths

    def write_record(
        self,
        ws: Worksheet,
        row: int,
        col: dict[str, int],
        record: dict[str, Any],
        skip: str | None = None,
    ) -> None:
        """A record's values (but ``skip``'s) on ``row``, with one ``write_row`` call: a value
        the column's format shows as :meth:`cell` would write it (text, numbers, a date-time
        in a date-time column, a date in a date column) is a cell of the row with no format
        of its own, so it takes the column's (the same cell as :meth:`cell` writes); the rest
        (empty text, a date-time in a date column, other types) are written with :meth:`cell`.
        The sheet's columns are the last :meth:`table`'s."""
        formats, f = self.column_formats, self.f
        tokens: list[Any] = [None] * len(formats)
        odd = []
        for key, value in record.items():
            c = col.get(key)
            if c is None or value is None or key == skip:
                continue
            kind = value.__class__
            if kind is str:
                if value:
                    tokens[c] = value
                    continue
            elif kind is int or kind is float or kind is bool:
                tokens[c] = value
                continue
            elif kind is datetime:
                if formats[c] is f.datetime:
                    tokens[c] = value
                    continue
            elif kind is date and formats[c] is f.date:
                tokens[c] = value
                continue
            odd.append((c, value))
        ws.write_row(row, 0, tokens)
        for c, value in odd:
            self.cell(ws, row, c, value)

    def column_width(self, fd: Field, records: Sequence[dict[str, Any]]) -> float:
        """A field's column width: its label, example, list values and the records' values
        fit (CJK counted double), at least the catalog's width; longer free text wraps."""
        values: list[Any] = [fd.example]
        if fd.is_time:
            values.append("2024-05-21 09:30" if fd.type == "datetime" else "2024-05-21")
        elif fd.list in CASCADE_PARENTS:
            values += [v for children in self.cfg.cascade(fd.list).values() for v in children]
        elif fd.list and fd.list != "lead_ids":
            values += self.cfg.values(fd.list)
        if not fd.is_time:
            values += [r.get(fd.key) for r in records]
        return fit_width(fd.label(self.lang), values, least=fd.width, most=LIST_MAX)

    def cell(self, ws: Worksheet, row: int, col: int, value: Any) -> None:
        """Write one record value with the cell type its Python type asks for."""
        if isinstance(value, datetime):
            ws.write_datetime(row, col, value, self.f.datetime)
        elif isinstance(value, date):
            ws.write_datetime(row, col, datetime(value.year, value.month, value.day), self.f.date)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value)
        else:
            # User text is always text: "=1+1" stays a string, never a formula or a link.
            ws.write_string(row, col, str(value))


def num(value: float) -> str:
    """A number as a formula or a text shows it: ``24``, not ``24.0``."""
    return str(int(value)) if float(value).is_integer() else str(value)


def quote(name: str) -> str:
    """A sheet name quoted for a reference: ``'线索台账'``."""
    return "'" + name.replace("'", "''") + "'"
