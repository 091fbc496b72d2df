"""What a workbook is written from (``WorkbookSpec``, ``Extra``) and where its rows are.

The row numbers (0-based, as XlsxWriter counts) are the layout every reader of a written
workbook relies on: the register's group bands, headers and first lead; the log's headers.
Every sheet is protected with the same options (``SHEET_PROTECTION``): sorting, filtering
and resizing stay allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadbook.core.catalog import Catalog
from leadbook.core.config import Rep, TeamConfig

BAND_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 2  # register, 0-based
LOG_HEADER_ROW = 0
# Rows a sheet prints: its records, at least this many (a blank workbook prints one page of
# empty rows, not every prepared one).
BLANK_ROWS_PRINTED = 30
SHEET_PROTECTION = {
    "sort": True,
    "autofilter": True,
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


@dataclass(frozen=True)
class Extra:
    """A column outside the catalog, appended after it (merge provenance)."""

    key: str
    label: str
    width: int = 16


@dataclass(frozen=True)
class WorkbookSpec:
    """Everything that shapes the written workbook, apart from the records in it."""

    catalog: Catalog
    config: TeamConfig
    lang: str = "zh"
    rows: int = 500
    log_rows: int | None = None
    lead_id_formula: bool = True  # False: IDs written as values (the master keeps its sources')
    extra: tuple[Extra, ...] = ()
    log_extra: tuple[Extra, ...] = ()
    created: datetime | None = None
    # The rep whose workbook it is (leadbook new --rep): first in the 跟进人 dropdowns, named
    # on the instructions and in the properties; with a code, the lead IDs carry it.
    rep: Rep | None = None
    # True: a record whose lead_id is not the one the formula gives its row keeps its ID,
    # written as a value (a handed-over lead, a lead whose neighbours moved); others: formula
    keep_lead_ids: bool = False
    # True: written in XlsxWriter's constant_memory mode (the merged master: rows streamed to
    # disk top to bottom, memory flat in the number of leads). That mode refuses add_table:
    # the sheets get an autofilter over the same range instead of an Excel table.
    constant_memory: bool = False
