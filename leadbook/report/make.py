"""``leadbook report``: read workbooks or a master, compute the review metrics, write an HTML
page and an Excel summary (R-S5.1, R-S5.2, R-K2, R-K3, R-K5).

:func:`make_report` is the one call the CLI makes; what both writers render is the
:class:`~leadbook.report.view.ReportView`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from leadbook.core.asof import as_of_time
from leadbook.core.config import TeamConfig, load_config
from leadbook.core.errors import LeadbookError, OutputError
from leadbook.core.texts import LANGS
from leadbook.metrics import Metrics
from leadbook.metrics.history import history_snapshots, store_for
from leadbook.metrics.tables import load_tables
from leadbook.metrics.terms import warm as warm_terms
from leadbook.report.view import ReportView, report_view


@dataclass
class ReportResult:
    view: ReportView
    html: Path | None
    xlsx: Path | None
    seconds: dict[str, float]
    history: Path | None = None  # the history store read (its snapshots in the view's tables)
    snapshots: int = 0  # how many it gave
    history_error: LeadbookError | None = None  # the store beside the master could not be read

    @property
    def metrics(self) -> Metrics:
        return self.view.metrics


def make_report(
    paths: Sequence[str | Path],
    *,
    period: str = "month",
    as_of: date | datetime | None = None,
    to_date: bool = False,
    html: str | Path | None = None,
    xlsx: str | Path | None = None,
    redact: bool = False,
    lang: str = "zh",
    config: TeamConfig | None = None,
    on_file=None,
    password: str | None = None,
    encrypt: bool = False,
    history: str | Path | None = None,
) -> ReportResult:
    """Read ``paths`` (workbooks, folders, globs, a master), compute the metrics of the last
    complete ``period`` before ``as_of`` (with ``to_date``: the period containing ``as_of``, up
    to it), and write the HTML page and / or the Excel summary (each written atomically; an
    existing file is replaced). When no input could be read (all skipped or unreadable:
    ``result.view.files`` is empty) nothing is written. Raises ``LeadbookError``, also when a
    master and a workbook given with it disagree.

    ``as_of`` is a cut (nothing created, contacted or logged later counts); a date means the
    end of that day, None the current minute.

    Encrypted inputs are decrypted in memory with ``password``; with ``encrypt`` the Excel
    summary is encrypted with it. An HTML page cannot be encrypted, so ``encrypt`` with
    ``html`` is refused (``OutputError``) rather than leaving the page in clear.

    The history store ``history`` (default: ``MASTER.history.sqlite`` beside a single master
    given as ``paths``, when there is one) adds its snapshots up to ``as_of`` to
    ``tables.snapshots``. A store found beside the master that cannot be read is left out
    (``history_error`` says why); one named by ``history`` raises.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    if encrypt and password is None:
        raise ValueError("encrypt needs a password")
    if encrypt and html is not None:
        raise OutputError(key="html_not_encrypted", path=html)
    config = config or load_config()
    as_of = as_of_time(as_of)
    for target in (html, xlsx):
        if target is not None:
            _check_folder(Path(target))
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    threading.Thread(target=warm_terms, daemon=True).start()  # jieba loads while we read
    tables = load_tables(
        paths, config=config, as_of=as_of, lang=lang, on_file=on_file, password=password
    )
    store, stored, unread = store_for(paths, history), [], None
    try:
        stored = [s for s in history_snapshots(store) if s.taken_at <= as_of] if store else []
    except LeadbookError as exc:
        if history is not None:
            raise
        unread = exc  # found beside the master, not asked for: the report goes on without it
    if stored:
        tables.snapshots = sorted(tables.snapshots + stored, key=lambda s: s.taken_at)
    seconds["read"] = time.perf_counter() - clock
    view = report_view(
        tables, period=period, as_of=as_of, config=config, lang=lang, redact=redact,
        to_date=to_date,
    )  # fmt: skip
    seconds["metrics"] = time.perf_counter() - clock - seconds["read"]
    written: dict[str, Path | None] = {"html": None, "xlsx": None}
    if not view.files:  # nothing read (every input skipped or unreadable): nothing written
        return ReportResult(view, None, None, seconds)
    if html is not None:
        from leadbook.report.html import write_html

        start = time.perf_counter()
        written["html"] = write_html(view, html)
        seconds["html"] = time.perf_counter() - start
    if xlsx is not None:
        from leadbook.report.xlsx import write_xlsx

        start = time.perf_counter()
        written["xlsx"] = write_xlsx(view, xlsx, password=password if encrypt else None)
        seconds["xlsx"] = time.perf_counter() - start
    return ReportResult(view, written["html"], written["xlsx"], seconds, store, len(stored), unread)


def _check_folder(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(key="output_is_folder", path=path)
    if not folder.is_dir():
        raise OutputError(key="output_folder_missing", path=path, folder=folder)
