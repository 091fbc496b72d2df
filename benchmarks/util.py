"""Timing whole processes: one command at a time, wall clock and peak memory, interleaved runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench-out"
BIN = Path(sys.executable).parent  # the dev venv's bin folder: python, leadbook
_USER_BIN: list[Path] = []  # set by use_install: where leadbook runs as a user installs it


@dataclass(frozen=True)
class Options:
    runs: int = 3  # measured runs per command (the median is reported)
    out: Path = DEFAULT_OUT  # cached data and results.json
    quick: bool = False  # smaller data sets: a smoke run
    naive: bool = True  # also time the naive stack (pandas + openpyxl + pandera)
    naive_log: bool = True  # the naive stack also reads and checks the log (like for like)
    naive_slow_s: float = 60.0  # a naive run slower than this is not repeated
    log: Callable[[str], None] = print


class BenchError(RuntimeError):
    """A measured command failed (exit code not expected): the numbers would be meaningless."""


@dataclass(frozen=True)
class Command:
    """A command to time, with the exit codes that count as success."""

    name: str
    argv: tuple[str, ...]
    ok_codes: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class Measurement:
    seconds: float  # wall clock, from spawn to exit
    max_rss_kb: int  # peak resident set size of the process (and its children)
    code: int  # exit code


def use_install(bin_dir: Path) -> None:
    """Time leadbook (and ``user_python``) from this venv's bin folder (``install.py``)."""
    _USER_BIN[:] = [bin_dir]


def python() -> str:
    """The dev venv's interpreter: for the floors and the naive stack."""
    return sys.executable


def user_python() -> str:
    """The interpreter leadbook runs under: the user install's, when there is one."""
    return str(_USER_BIN[0] / "python") if _USER_BIN else sys.executable


def leadbook_argv() -> list[str]:
    """The installed console script, as a user runs it (``python -m leadbook`` as fallback)."""
    script = (_USER_BIN[0] if _USER_BIN else BIN) / "leadbook"
    return [str(script)] if script.exists() else [user_python(), "-m", "leadbook"]


# The wrapper that runs each measured command: a bare interpreter (-S -I, ~8 MB) that spawns
# the command, waits for it and reports its wall time, peak RSS and exit code. Spawned
# straight from this (large) process, a child's ru_maxrss would start at our own peak RSS:
# Linux carries the old memory image's high-water mark across exec.
WRAPPER = """
import os, sys, time
argv = sys.argv[1:]
null = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
t = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=null)
_, status, usage = os.wait4(pid, 0)
t = time.perf_counter() - t
print(t, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def measure(cmd: Command) -> Measurement:
    """Run ``cmd`` once in a fresh wrapper process, output discarded: wall time, peak RSS.

    The wrapper has one child, so its ``os.wait4`` usage is the command's own (the
    ``RUSAGE_CHILDREN`` of a long-lived process is the maximum over every child so far).
    The time runs from spawn to exit: interpreter start and imports included.
    """
    with tempfile.TemporaryFile() as err:
        done = subprocess.run(
            [sys.executable, "-S", "-I", "-c", WRAPPER, *cmd.argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            check=False,
        )
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-2000:]
    try:
        seconds, rss, code = done.stdout.decode().split()
    except ValueError:
        raise BenchError(f"{cmd.name}: the wrapper failed\n{tail}") from None
    if int(code) not in cmd.ok_codes:
        shown = " ".join(cmd.argv[:6])
        raise BenchError(f"{cmd.name}: exit code {code}\n$ {shown} ...\n{tail}")
    return Measurement(float(seconds), int(rss), int(code))  # ru_maxrss is in KiB on Linux


@dataclass
class Series:
    """The measurements of one command over the runs."""

    command: Command
    runs: list[Measurement] = field(default_factory=list)
    note: str = ""

    @property
    def times(self) -> list[float]:
        return [m.seconds for m in self.runs]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def rss_mb(self) -> float:
        """Median peak RSS, MiB."""
        return statistics.median(m.max_rss_kb for m in self.runs) / 1024

    def as_dict(self) -> dict:
        return {
            "command": self.command.name,
            "argv_head": list(self.command.argv[:4]),
            "median_s": round(self.median, 4),
            "min_s": round(self.min, 4),
            "times_s": [round(t, 4) for t in self.times],
            "max_rss_mb": round(self.rss_mb, 1),
            "exit_codes": sorted({m.code for m in self.runs}),
            "runs": len(self.runs),
            "note": self.note,
        }


def interleave(
    commands: Sequence[Command],
    runs: int,
    *,
    once: Sequence[str] = (),
    slow_s: float = float("inf"),
    log: Callable[[str], None] = print,
) -> dict[str, Series]:
    """Run the commands round by round (a, b, c, a, b, c, ...) so noise hits them alike.

    A command named in ``once``, or whose first run took longer than ``slow_s``, runs in the
    first round only (its series says so in ``note``).
    """
    series = {c.name: Series(c) for c in commands}
    for i in range(runs):
        for cmd in commands:
            s = series[cmd.name]
            if i > 0 and (cmd.name in once or s.times[0] > slow_s):
                if not s.note:
                    why = f"first run took {s.times[0]:.0f} s" if cmd.name not in once else "asked"
                    s.note = f"run once ({why})"
                continue
            m = measure(cmd)
            s.runs.append(m)
            log(
                f"  run {i + 1}/{runs}  {cmd.name:<28} {m.seconds:7.2f} s  {m.max_rss_kb / 1024:6.0f} MB"
            )
    return series


def command_table(
    commands: Sequence[dict], first: str, ratio_key: str = "x_floor", ratio_label: str = "x floor"
) -> str:
    """The usual table of measured commands: median, min, ratio, peak memory, runs."""
    rows = [
        [
            c["command"],
            f"{c['median_s']:.2f}",
            f"{c['min_s']:.2f}",
            f"{c[ratio_key]:.2f}" if ratio_key == "x_base" else f"{c[ratio_key]:.1f}",
            f"{c['max_rss_mb']:.0f}",
            f"{c['runs']}" + (f" ({c['note']})" if c["note"] else ""),
        ]
        for c in commands
    ]
    return table(rows, [first, "median s", "min s", ratio_label, "peak MB", "runs"])


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """A plain text table, first column left-aligned, the others right-aligned."""
    cells = [list(header), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(r: Sequence[str]) -> str:
        out = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


@dataclass(frozen=True)
class CpuSnapshot:
    """Machine-wide busy CPU time and our own (this process and its waited-for children)."""

    wall: float
    busy: float | None  # seconds, from /proc/stat (None where there is none)
    ours: float

    @classmethod
    def take(cls) -> CpuSnapshot:
        import resource

        ours = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            ours += usage.ru_utime + usage.ru_stime
        busy = None
        try:
            with open("/proc/stat", encoding="ascii") as f:
                ticks = [int(x) for x in f.readline().split()[1:]]
            # user nice system idle iowait irq softirq steal: all but idle and iowait
            busy = (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
        return cls(time.perf_counter(), busy, ours)

    def others_since(self, start: CpuSnapshot) -> dict:
        """CPU time other processes used between ``start`` and this snapshot."""
        wall = self.wall - start.wall
        if self.busy is None or start.busy is None or wall <= 0:
            return {"seconds": None, "share": None}
        others = max(0.0, (self.busy - start.busy) - (self.ours - start.ours))
        return {
            "seconds": round(others, 1),
            "share": round(others / (wall * (os.cpu_count() or 1)), 3),
        }


# --------------------------------------------------------------------- the one table's rows
# Each benchmark returns, under "rows", the rows it measured of the table `make bench` ends
# with (benchmarks/summary.py): a measure against its anchor and its aim, measured in the
# same run. ``id`` names the row (summary.ORDER gives the order and the rows to expect).


def ratio_row(
    row_id: str, measure: str, lead: Series, anchor: Series, anchor_label: str, aim: float
) -> dict:
    """leadbook's median over the anchor's median, aim: at most ``aim`` times."""
    ratio = lead.median / anchor.median
    return {
        "id": row_id,
        "measure": measure,
        "leadbook": f"{lead.median:.2f} s",
        "anchor": f"{anchor.median:.2f} s {anchor_label}",
        "ratio": round(ratio, 2),
        "ratio_text": f"{ratio:.2f}x",
        "aim": f"<= {aim:g}x",
        "met": ratio <= aim,
    }


def speedup_row(
    row_id: str, measure: str, lead: Series, other: Series, other_label: str, aim: float
) -> dict:
    """How many times faster leadbook is than ``other``: at least ``aim`` times."""
    speedup = other.median / lead.median
    note = f" ({other.note})" if other.note else ""
    return {
        "id": row_id,
        "measure": measure,
        "leadbook": f"{lead.median:.2f} s",
        "anchor": f"{other.median:.2f} s {other_label}{note}",
        "ratio": round(speedup, 2),
        "ratio_text": f"{speedup:.1f}x faster",
        "aim": f">= {aim:g}x faster",
        "met": speedup >= aim,
    }


def memory_row(row_id: str, measure: str, lead: Series, limit_mb: float, anchor: str) -> dict:
    """leadbook's median peak RSS against a limit (the ratio is to the limit)."""
    mb = lead.rss_mb
    return {
        "id": row_id,
        "measure": measure,
        "leadbook": f"{mb:,.0f} MB peak ({lead.median:.1f} s)",
        "anchor": anchor,
        "ratio": round(mb / limit_mb, 2),
        "ratio_text": f"{mb / limit_mb:.2f} of the limit",
        "aim": f"< {limit_mb:,.0f} MB",
        "met": mb < limit_mb,
    }


def missing_row(row_id: str, measure: str, why: str, aim: str) -> dict:
    """A row that could not be measured in this run (``met`` is None)."""
    return {
        "id": row_id,
        "measure": measure,
        "leadbook": "-",
        "anchor": why,
        "ratio": None,
        "ratio_text": "-",
        "aim": aim,
        "met": None,
    }
