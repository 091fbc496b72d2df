"""Version frames as records to write back (dicts keyed by field key), made chunk by chunk:
the master's sheets (``leadbook merge``) and a workbook's rows (``leadbook handoff``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

import polars as pl

from leadbook.core.catalog import Field
from leadbook.merge.columns import TXT


class Records(Sequence):
    """A frame's rows as records (dicts keyed by field key), made ``CHUNK`` rows at a time so
    that a large master never exists as a list of dicts. A time field holds its date-time, or
    its text when unreadable; a date field at midnight holds a ``date``."""

    CHUNK = 20_000

    def __init__(self, frame: pl.DataFrame, fields: Sequence[Field], extra: dict[str, str]):
        self.times = [fd.key for fd in fields if fd.is_time]
        self.dates = {fd.key for fd in fields if fd.type == "date"}
        blank = [pl.when(pl.col(c) != "").then(pl.col(c)).alias(k) for c, k in extra.items()]
        self.frame = frame.select(
            *[fd.key for fd in fields], *[k + TXT for k in self.times], *blank
        )
        self._start, self._rows = -1, []

    def __len__(self) -> int:
        return self.frame.height

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        start = i - i % self.CHUNK
        if start != self._start:
            self._start, self._rows = start, self._convert(self.frame.slice(start, self.CHUNK))
        return self._rows[i - start]

    def _convert(self, chunk: pl.DataFrame) -> list[dict[str, Any]]:
        records = chunk.to_dicts()
        for key in self.times:
            txt, is_date = key + TXT, key in self.dates
            for rec in records:
                text = rec.pop(txt)
                if text is not None:
                    rec[key] = text
                elif is_date and rec[key] is not None and rec[key].time() == time():
                    rec[key] = rec[key].date()  # written with the date format
        return records
