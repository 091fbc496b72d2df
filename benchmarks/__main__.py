"""``python -m benchmarks [--quick] [--only NAME] [--runs N]``: run, print, write results.json.

The run ends with one table (``summary.py``): every measure against its anchor and aim, all
measured in this run; written as markdown to ``bench-out/table.md`` too (``table-quick.md``
for ``--quick``), ready for the README's performance section."""

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

from benchmarks import BENCHMARKS, install, summary
from benchmarks.util import DEFAULT_OUT, BenchError, CpuSnapshot, Options, use_install

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
    ap.add_argument(
        "--dev-venv",
        action="store_true",
        help="time leadbook in this (dev) venv, with pandas installed, instead of a user's"
        " install of the wheel (install.py)",
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
    if not args.dev_venv:
        try:
            use_install(install.user_venv(opts.out, opts.log))
        except BenchError as exc:
            print(f"benchmarks: {exc}", file=sys.stderr)
            return 2
    results: dict = {"meta": _meta(opts)}
    reports = []
    failed = []
    start, cpu = time.perf_counter(), CpuSnapshot.take()
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {module.TITLE}", flush=True)
        try:
            result = module.run(opts)
        except BenchError as exc:  # the others still run; its rows say "not run"
            print(f"benchmark {name} failed: {exc}", file=sys.stderr)
            failed.append(name)
            continue
        results[name] = result
        reports.append(module.report(result))
    rows = summary.collect(results)  # this run's rows only (not the earlier results')
    results["meta"]["seconds"] = round(time.perf_counter() - start, 1)
    results["meta"]["other_cpu"] = other = CpuSnapshot.take().others_since(cpu)
    results["table"] = rows
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
    markdown = opts.out / f"table{variant}.md"
    markdown.write_text(summary.markdown(rows, caption(results["meta"])), encoding="utf-8")
    print()
    print("\n\n".join(reports))
    if other["share"] is not None and other["share"] > BUSY_SHARE:
        print(
            f"\nnote: other processes used {other['seconds']:.0f} CPU-seconds during the run"
            f" ({other['share']:.0%} of the machine): trust the ratios more than the seconds"
        )
    print(f"\nall numbers: {target}")
    print(f"\n== the table ({summary.tally(rows)}; markdown: {markdown})")
    print(summary.text(rows))
    if failed:
        print(f"\nfailed: {', '.join(failed)} (see above)", file=sys.stderr)
        return 2
    return 0


def caption(meta: dict) -> str:
    """The line above the markdown table: when, where, how."""
    when = meta["when"][:10]
    other = meta.get("other_cpu", {}).get("share")
    load = f", other processes {other:.0%} of the CPUs" if other is not None else ""
    quick = " (--quick: small data sets, a smoke run)" if meta["quick"] else ""
    return (
        f"Measured on {when}{quick}, {meta['cpus']} cores, shared machine{load}; ratios in"
        f" one run (`make bench`: whole processes, runs alternating, medians of"
        f" {meta['runs']})."
    )


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
