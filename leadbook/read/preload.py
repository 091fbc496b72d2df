"""A large workbook's follow-up log loaded by a helper process while this process loads the
register (``read_book``).

fastexcel holds the GIL while it parses, so two sheets loaded in two threads take turns;
in two processes they do not. For a workbook of 4 MB or more (about 10,000 leads, where
loading the two sheets is most of ``validate``'s time), the sheet the log is looked for first
(by its name) is loaded by a helper, ``python -m leadbook.read.preload``: started once, kept
for the next large files, fed the very bytes ``check_file`` checked through a pipe, and
answering with the frame in Arrow IPC. It is a plain subprocess (not ``multiprocessing``), so
a caller's script is never imported again. The helper's frame is the frame this process would
load (the same call); if the helper fails in any way, the sheet is loaded here and any error
is this process's own. ``LEADBOOK_JOBS=1`` keeps everything in one process (a validate worker
process does: the cores are taken).
"""

from __future__ import annotations

import atexit
import json
import os
import struct
import subprocess
import sys
import threading
from typing import Any

PRELOAD_BYTES = 4 * 2**20
JOBS_ENV = "LEADBOOK_JOBS"
_ASK = struct.Struct("<QI")  # workbook bytes, sheet-name bytes
_ANSWER = struct.Struct("<BQQ")  # ok, frame (IPC) bytes, positions (JSON) bytes
_HELPER: list[subprocess.Popen] = []  # the helper process, started on first use
_LOCK = threading.Lock()  # one request at a time through the pipe


def wanted(kind: str, data: bytes) -> bool:
    return kind == "xlsx" and _large(len(data))


def _large(size: int) -> bool:
    """A workbook of this many bytes is worth a helper (and there is a core for one)."""
    if size < PRELOAD_BYTES or (os.cpu_count() or 1) < 2:
        return False
    return os.environ.get(JOBS_ENV, "").strip() != "1"


def warm(path) -> None:
    """Start the helper now when ``path`` is large enough to want it: its start (an
    interpreter and polars, about 0.3 s) then overlaps this process's checks of the file."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return
    if _large(size):
        with _LOCK:
            try:
                _helper()
            except OSError:
                return


class Preloaded:
    """A fastexcel workbook whose log sheet is being loaded by the helper: ``load(name)`` as
    ``reader._load`` expects; the helper's frame for that sheet, this process's for others."""

    def __init__(self, wb, data: bytes) -> None:
        from leadbook.core.texts import sheet_names

        self.wb = wb
        self.sheet_names = wb.sheet_names
        logs = set(sheet_names("log"))
        self.name = next((n for n in self.sheet_names if n in logs), None)
        self._answer: list[Any] = []
        self._thread: threading.Thread | None = None
        if self.name is not None:
            self._thread = threading.Thread(target=self._ask, args=(data,), daemon=True)
            self._thread.start()

    def _ask(self, data: bytes) -> None:
        try:
            self._answer.append(_exchange(data, self.name))
        except Exception:  # noqa: BLE001 - no helper, or it failed: loaded here instead
            _stop()

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


def _exchange(data: bytes, name: str):
    import io

    import polars as pl

    with _LOCK:
        helper = _helper()
        raw_name = name.encode("utf-8")
        helper.stdin.write(_ASK.pack(len(data), len(raw_name)) + raw_name)
        helper.stdin.write(data)
        helper.stdin.flush()
        ok, n_frame, n_positions = _ANSWER.unpack(_read(helper.stdout, _ANSWER.size))
        frame_bytes = _read(helper.stdout, n_frame)
        positions = json.loads(_read(helper.stdout, n_positions))
    if not ok:
        raise RuntimeError(frame_bytes.decode("utf-8", "replace"))
    return pl.read_ipc(io.BytesIO(frame_bytes)), positions


def _read(stream, n: int) -> bytes:
    out = stream.read(n)
    if len(out) != n:
        raise EOFError("the preload helper stopped")
    return out


def _helper() -> subprocess.Popen:
    if _HELPER and _HELPER[0].poll() is None:
        return _HELPER[0]
    _HELPER[:] = [
        subprocess.Popen(
            [sys.executable, "-m", "leadbook.read.preload"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, JOBS_ENV: "1"},
        )
    ]
    if len(_HELPER) == 1 and not getattr(_helper, "registered", False):
        atexit.register(_stop)
        _helper.registered = True  # type: ignore[attr-defined]
    return _HELPER[0]


def _stop() -> None:
    for helper in _HELPER:
        try:
            helper.stdin.close()  # the helper's loop ends at the end of its input
            helper.wait(timeout=5)
        except Exception:  # noqa: BLE001 - stopping anyway
            helper.kill()
            helper.wait()
        helper.stdout.close()
    _HELPER.clear()


def serve(stdin=None, stdout=None) -> None:
    """The helper's loop: a workbook and a sheet name in, the sheet out, until end of input."""
    import io

    import fastexcel
    import polars  # noqa: F401  (imported before the first request comes, not after)

    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    while True:
        head = stdin.read(_ASK.size)
        if len(head) < _ASK.size:
            return
        n_data, n_name = _ASK.unpack(head)
        name = stdin.read(n_name).decode("utf-8")
        data = stdin.read(n_data)
        try:
            frame, positions = load_frame(fastexcel.read_excel(data), name)
            buf = io.BytesIO()
            frame.write_ipc(buf, compression="uncompressed")
            body, extra, ok = buf.getvalue(), json.dumps(positions).encode(), 1
        except BaseException as exc:  # noqa: BLE001 - told to the parent, which loads it itself
            body, extra, ok = f"{type(exc).__name__}: {exc}".encode()[:2000], b"[]", 0
        stdout.write(_ANSWER.pack(ok, len(body), len(extra)) + body + extra)
        stdout.flush()


if __name__ == "__main__":
    serve()
