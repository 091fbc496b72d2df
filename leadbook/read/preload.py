"""A large workbook's follow-up log loaded in a second thread while the register loads
(``read_book``).

fastexcel lets go of the GIL while it parses, but one reader object serves one call at a time;
so the log is loaded by a second reader of the very bytes ``check_file`` checked, in a thread
of its own, and the two sheets load side by side on two cores (at 50,000 leads: 2.2 s instead
of 3.7 s). The frame is the frame one reader would load (the same call); if the second reader
fails in any way, the sheet is loaded by the first, and any error is then that reader's own.
``LEADBOOK_JOBS=1`` keeps to one thread (a validate worker process does: its cores are taken).
"""

from __future__ import annotations

import os
import threading
from typing import Any

PRELOAD_BYTES = 1 * 2**20  # smaller workbooks load in well under a second: one reader
JOBS_ENV = "LEADBOOK_JOBS"


def wanted(kind: str, data: bytes) -> bool:
    if kind != "xlsx" or len(data) < PRELOAD_BYTES or (os.cpu_count() or 1) < 2:
        return False
    return os.environ.get(JOBS_ENV, "").strip() != "1"


class Preloaded:
    """A fastexcel workbook whose log sheet a second reader is loading: ``load(name)`` as
    ``reader._load`` expects; that reader's frame for the log, the first reader's for others."""

    def __init__(self, wb, data: bytes) -> None:
        from leadbook.core.texts import sheet_names

        self.wb = wb
        self.sheet_names = wb.sheet_names
        logs = set(sheet_names("log"))
        self.name = next((n for n in self.sheet_names if n in logs), None)
        self._answer: list[Any] = []
        self._thread: threading.Thread | None = None
        if self.name is not None:
            self._thread = threading.Thread(target=self._load_log, args=(data,), daemon=True)
            self._thread.start()

    def _load_log(self, data: bytes) -> None:
        import fastexcel

        try:
            self._answer.append(load_frame(fastexcel.read_excel(data), self.name))
        except BaseException:  # noqa: BLE001 - the first reader loads it, and says what fails
            return

    def load(self, name: str):
        if name == self.name and self._thread is not None:
            thread, self._thread = self._thread, None
            thread.join()
            if self._answer:
                return (*self._answer.pop(), None)
        return (*load_frame(self.wb, name), None)


def load_frame(wb, name: str):
    """One sheet as text (a frame) and the position of each of its columns."""
    sheet = wb.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
    return sheet.to_polars(), [c.absolute_index for c in sheet.available_columns()]
