"""``python -m benchmarks [--quick] [--only NAME] [--runs N]``: run, print, write results.json."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

from benchmarks import BENCHMARKS
from benchmarks.util import DEFAULT_OUT, BenchError, CpuSnapshot, Options

BUSY_SHARE = 0.1  # other processes using more than this share of the CPUs: say so


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small data sets: a smoke run")
    ap.add_argument("--only", choices=BENCHMARKS, action="append", help="run only this benchmark")
    ap.add_argument("--runs", type=int, default=3, help="measured runs per command (median)")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive stack")
    ap.add_argument(
        "--naive-register-only",
        action="store_true",
        help="the naive stack reads only the register (by default it reads and checks the "
        "follow-up log too, as leadbook does: like for like)",
    )
    ap.add_argument(
        "--naive-slow",
        type=float,
        default=60.0,
        metavar="S",
        help="run the naive stack once when its first run takes longer than S seconds",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="cache and results folder")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    opts = Options(
        runs=args.runs,
        out=args.out,
        quick=args.quick,
        naive=not args.no_naive,
        naive_log=not args.naive_register_only,
        naive_slow_s=args.naive_slow,
        log=lambda line: print(line, flush=True),
    )
    opts.out.mkdir(parents=True, exist_ok=True)
    names = args.only or list(BENCHMARKS)
    results: dict = {"meta": _meta(opts)}
    reports = []
    start, cpu = time.perf_counter(), CpuSnapshot.take()
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {module.TITLE}", flush=True)
        try:
            result = module.run(opts)
        except BenchError as exc:
            print(f"benchmark {name} failed: {exc}", file=sys.stderr)
            return 2
        results[name] = result
        reports.append(module.report(result))
    results["meta"]["seconds"] = round(time.perf_counter() - start, 1)
    results["meta"]["other_cpu"] = other = CpuSnapshot.take().others_since(cpu)
    variant = "".join(
        f"-{w}"
        for w, on in (("quick", opts.quick), ("naive-register-only", not opts.naive_log))
        if on
    )
    target = opts.out / f"results{variant}.json"  # variants do not overwrite the real numbers
    if target.exists():  # --only NAME replaces that benchmark's numbers and keeps the others'
        try:
            earlier = json.loads(target.read_text(encoding="utf-8"))
        except ValueError:
            earlier = {}
        results = {**{k: v for k, v in earlier.items() if k != "meta"}, **results}
    target.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print()
    print("\n\n".join(reports))
    if other["share"] is not None and other["share"] > BUSY_SHARE:
        print(
            f"\nnote: other processes used {other['seconds']:.0f} CPU-seconds during the run"
            f" ({other['share']:.0%} of the machine): trust the ratios more than the seconds"
        )
    print(f"\nall numbers: {target}")
    return 0


def _meta(opts: Options) -> dict:
    from importlib.metadata import version

    versions = {}
    for dist in ("leadbook", "pandas", "pandera", "polars", "python-calamine", "openpyxl"):
        try:
            versions[dist] = version(dist)
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            versions[dist] = None
    return {
        "when": datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "runs": opts.runs,
        "quick": opts.quick,
        "versions": versions,
    }


if __name__ == "__main__":
    sys.exit(main())
