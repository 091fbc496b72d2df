"""Where the time of ``leadbook validate`` goes, by phase (a diagnostic, not a benchmark).

``python -m benchmarks.profile_validate PATH... [--as-of T] [--cprofile N] [--sequential]``

Times, in one process: interpreter start (measured apart), the imports, reading (python-
calamine, in reader threads), whole-file findings, frame building, pandera's column rules,
each row rule, issue construction, and rendering the JSON report. It wraps leadbook's
functions by name, so a renamed function shows up as "not wrapped" rather than failing.
Reading runs in two threads alongside checking, so the phase sums can exceed the wall time
and include waiting for the GIL; ``--sequential`` reads in the main thread instead (each
phase's own cost, no overlap).
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import datetime

IMPORTS = (
    "click",
    "leadbook.cli",
    "leadbook.check.validate",
    "leadbook.check.render",
    "fastexcel",
    "python_calamine",
    "polars",
    "leadbook.read.normalize",
    "leadbook.check.schema",
    "leadbook.check.rules",
    "leadbook.check.codes",
    "pandera.polars",
)


class Phases:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self.lock:
            self.seconds[name] += seconds
            self.calls[name] += 1

    def wrap(self, name: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t)

        return timed

    def wrap_gen(self, name: str, fn):
        """A generator function, timed while it runs to the end (its items collected)."""

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            t = time.perf_counter()
            items = list(fn(*args, **kwargs))
            self.add(name, time.perf_counter() - t)
            yield from items

        return timed


def patch(module, attr: str, phases: Phases, name: str, gen: bool = False) -> bool:
    fn = getattr(module, attr, None)
    if fn is None:
        print(f"  (not wrapped: {module.__name__}.{attr})")
        return False
    setattr(module, attr, (phases.wrap_gen if gen else phases.wrap)(name, fn))
    return True


def startup_seconds() -> float:
    """A bare interpreter start (site included), best of three."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        best = min(best, time.perf_counter() - t)
    return best


class _Inline:
    """A stand-in for ThreadPoolExecutor that runs each task when it is submitted."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def submit(self, fn, *args, **kwargs):
        from concurrent.futures import Future

        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile_validate")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--as-of", default="2024-06-30 18:00")
    ap.add_argument(
        "--cprofile", type=int, default=0, metavar="N", help="also show cProfile's top N"
    )
    ap.add_argument("--sequential", action="store_true", help="read files in the main thread")
    args = ap.parse_args(argv)

    phases = Phases()
    start_import = time.perf_counter()
    for name in IMPORTS:
        t = time.perf_counter()
        try:
            __import__(name)
        except ImportError:
            continue
        phases.add(f"import {name} (incremental)", time.perf_counter() - t)
    imports = time.perf_counter() - start_import

    import leadbook.check.render as render
    import leadbook.check.rules as rules
    import leadbook.check.schema as schema
    import leadbook.check.validate as validate
    import leadbook.read.normalize as normalize
    import leadbook.read.reader as reader

    patch(validate, "read_book", phases, "read: read_book, all (threads)")
    for attr in ("check_file", "read_properties", "_load", "_head_rows", "_sheet_data"):
        if hasattr(reader, attr):
            patch(reader, attr, phases, f"read: reader.{attr}")
    patch(validate, "_file_findings", phases, "check: whole-file findings")
    for attr in ("sheet_frame", "batch_frame"):  # per file, or per batch
        if hasattr(normalize, attr):
            patch(normalize, attr, phases, f"check: frame building ({attr})")
    patch(schema, "column_failures", phases, "check: pandera column rules", gen=True)
    patch(validate, "_issue", phases, "check: issue construction (_issue)")
    patch(validate, "_drop_shadowed", phases, "check: drop shadowed issues")
    patch(validate, "_check_batch", phases, "check: _check_batch total")
    rules.RULES[:] = [phases.wrap_gen(f"rule: {getattr(r, '__name__', r)}", r) for r in rules.RULES]

    if args.sequential:
        validate.ThreadPoolExecutor = _Inline

    from leadbook.core.config import load_config

    as_of = datetime.fromisoformat(args.as_of)
    profiler = None
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t = time.perf_counter()
    report = validate.validate_paths(args.paths, config=load_config(), as_of=as_of)
    wall_validate = time.perf_counter() - t
    t = time.perf_counter()
    text = render.render_json(report)
    wall_render = time.perf_counter() - t
    if profiler is not None:
        profiler.disable()

    issues = sum(len(f.issues) for f in report.files)
    rows = sum(f.rows or 0 for f in report.files)
    print(
        f"{len(report.files)} files, {rows} register rows, {issues} issues, {len(text) / 2**20:.1f} MB json"
    )
    print(f"interpreter start (python -c pass)        {startup_seconds():7.3f} s")
    print(f"imports, all of the above                 {imports:7.3f} s")
    print(f"validate_paths (wall)                     {wall_validate:7.3f} s")
    print(f"render_json (wall)                        {wall_render:7.3f} s")
    print()
    width = max(len(k) for k in phases.seconds)
    for name, seconds in phases.seconds.items():
        print(f"  {name:<{width}}  {seconds:7.3f} s  {phases.calls[name]:7d} calls")
    rule_total = sum(s for k, s in phases.seconds.items() if k.startswith("rule: "))
    print(f"  {'rules, all':<{width}}  {rule_total:7.3f} s")
    if profiler is not None:
        import pstats

        print()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.cprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
