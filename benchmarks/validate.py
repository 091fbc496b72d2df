"""``leadbook validate`` as a whole process, against the floor and against the naive stack.

Three data sets: (a) one workbook of 50,000 register rows, (b) one of 10,000 rows, (c) 500
workbooks of 200 rows. For each, the floor (``floor.py``) and ``leadbook validate --format
json`` run round by round, on (a) also the naive stack (``naive.py``); the medians give
leadbook's ratio to the floor and its speed-up over the naive stack. Then leadbook's peak RSS on 10%, 40% and 100% of the files
of (b) shows whether memory stays flat in the number of files.
"""

from __future__ import annotations

import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import data
from benchmarks.util import (
    Command,
    Options,
    Series,
    command_table,
    interleave,
    leadbook_argv,
    missing_row,
    python,
    ratio_row,
    speedup_row,
    table,
)
from benchmarks.util import verdict as _verdict

TITLE = "validate: `leadbook validate` processes vs the floor and the naive stack"
HERE = Path(__file__).resolve().parent
AIM_NAIVE = 8.0  # leadbook at least this many times faster than the naive stack
FLAT = 1.25  # peak RSS on all files <= this x peak RSS on a tenth of them
MEMORY_SHARES = (0.1, 0.4, 1.0)
FLOOR, LEADBOOK, NAIVE = (
    "floor (zip + expat)",
    "leadbook validate",
    "naive (pandas+openpyxl+pandera)",
)


@dataclass(frozen=True)
class Sizes:
    rows: int = 50_000  # (a): one workbook of this many rows
    files: int = 500  # (b): this many workbooks ...
    file_rows: int = 200  # ... of this many rows each
    aim_one: float = 2.0  # leadbook / floor on (a) at most
    aim_many: float = 2.5  # leadbook / floor on (c) at most
    mid_rows: int = 10_000  # (b): one workbook of this many rows
    aim_mid: float = 3.0  # leadbook / floor on (b) at most


FULL = Sizes()
QUICK = Sizes(rows=5_000, files=50, mid_rows=1_000)


def commands(target: Path, spec: Path, naive: bool) -> list[Command]:
    out = [
        Command(FLOOR, (python(), str(HERE / "floor.py"), str(target))),
        Command(
            LEADBOOK,
            (
                *leadbook_argv(),
                "validate",
                str(target),
                "--format",
                "json",
                "--as-of",
                data.AS_OF_ARG,
            ),
            ok_codes=(0, 1),  # 1: errors found (the sample plants defects)
        ),
    ]
    if naive:
        out.append(
            Command(NAIVE, (python(), str(HERE / "naive.py"), str(spec), str(target))),
        )
    return out


def run(opts: Options, sizes: Sizes | None = None) -> dict:
    sizes = sizes or (QUICK if opts.quick else FULL)
    log = opts.log
    one, many = data.DataSet(1, sizes.rows), data.DataSet(sizes.files, sizes.file_rows)
    mid = data.DataSet(1, sizes.mid_rows)
    folder_one, folder_many, folder_mid = data.prepare(opts.out, [one, many, mid], log)
    spec = None
    if opts.naive:
        from benchmarks.naive import write_spec

        spec = write_spec(opts.out / "naive-spec.json", log=opts.naive_log)
    big, files = data.files_of(folder_one)[0], data.files_of(folder_many)
    middle = data.files_of(folder_mid)[0]
    sets = [  # key, label, what the commands are given, the files, the aim (x floor), naive
        ("one", f"{sizes.rows} rows", big, [big], sizes.aim_one, opts.naive),
        ("mid", f"{sizes.mid_rows} rows", middle, [middle], sizes.aim_mid, False),
        ("many", f"{len(files)} files", folder_many, files, sizes.aim_many, False),
    ]
    naive_sheets = ["register", "log"] if opts.naive_log else ["register"]
    result: dict = {
        "title": TITLE,
        "sizes": asdict(sizes),
        "runs": opts.runs,
        "as_of": data.AS_OF_ARG,
        "naive_sheets": naive_sheets if opts.naive else [],
        "datasets": [],
    }
    rows = []
    for key, label, target, paths, aim, naive in sets:
        log(f"validate {label}: {_describe(paths)}")
        series = interleave(
            commands(target, spec, naive), opts.runs, slow_s=opts.naive_slow_s, log=log
        )
        result["datasets"].append(_dataset(key, label, paths, series, aim))
        n = {"one": sizes.rows, "mid": sizes.mid_rows}.get(key)
        what = f"validate {n:,} rows" if n else f"validate {len(paths)} x {sizes.file_rows} rows"
        rows.append(
            ratio_row(
                f"validate-{key}",
                f"{what} / floor",
                series[LEADBOOK],
                series[FLOOR],
                "floor",
                aim,
            )
        )
        if naive:
            sheets = "register + log" if opts.naive_log else "register only"
            rows.append(
                speedup_row(
                    "naive",
                    f"validate {n:,} rows vs pandas + openpyxl + pandera ({sheets})",
                    series[LEADBOOK],
                    series[NAIVE],
                    "naive",
                    AIM_NAIVE,
                )
            )
    if not opts.naive:
        rows.append(missing_row("naive", "validate vs naive", "not run (--no-naive)", ">= 8x"))
    rows.append(
        missing_row(
            "frictionless",
            f"validate {sizes.rows:,} rows vs frictionless validate",
            "frictionless is not installed (measured once: notes/performance.md)",
            "-",
        )
    )
    result["rows"] = rows
    log(f"validate memory: leadbook on {len(files)} files and subsets")
    result["memory"] = memory(files, opts)
    result["headlines"] = headlines(result)
    return result


def _describe(paths: list[Path]) -> str:
    xlsx = sum(p.stat().st_size for p in paths)
    xml = 0
    for p in paths:
        with zipfile.ZipFile(p) as zf:
            xml += sum(
                i.file_size
                for i in zf.infolist()
                if i.filename.startswith("xl/worksheets/sheet")
                or i.filename == "xl/sharedStrings.xml"
            )
    return (
        f"{len(paths)} workbook(s), {xlsx / 2**20:.1f} MB xlsx, {xml / 2**20:.1f} MB of sheet XML"
    )


def _dataset(
    key: str, label: str, paths: list[Path], series: dict[str, Series], aim: float
) -> dict:
    floor, lead, naive = series[FLOOR], series[LEADBOOK], series.get(NAIVE)
    rows = []
    for s in series.values():
        rows.append(s.as_dict() | {"x_floor": round(s.median / floor.median, 2)})
    out = {
        "key": key,
        "label": label,
        "files": len(paths),
        "xlsx_mb": round(sum(p.stat().st_size for p in paths) / 2**20, 2),
        "commands": rows,
        "leadbook_s": round(lead.median, 3),
        "floor_s": round(floor.median, 3),
        "leadbook_x_floor": round(lead.median / floor.median, 2),
        "aim_x_floor": aim,
        "floor_ok": lead.median / floor.median <= aim,
        "aim_x_naive": AIM_NAIVE,
    }
    if naive is not None:
        speedup = naive.median / lead.median
        out |= {"naive_s": round(naive.median, 3), "naive_over_leadbook": round(speedup, 2)}
        out |= {"naive_ok": speedup >= AIM_NAIVE, "naive_note": naive.note}
    return out


def memory(files: list[Path], opts: Options) -> dict:
    """leadbook's peak RSS on growing shares of the files (each run a fresh process)."""
    counts = sorted({max(1, round(len(files) * share)) for share in MEMORY_SHARES})
    cmds = [
        Command(
            f"leadbook validate {n} files",
            (
                *leadbook_argv(),
                "validate",
                *map(str, files[:n]),
                "--format",
                "json",
                "--as-of",
                data.AS_OF_ARG,
            ),
            ok_codes=(0, 1),
        )
        for n in counts
    ]
    series = interleave(cmds, opts.runs, log=opts.log)
    rss = [round(series[c.name].rss_mb, 1) for c in cmds]
    ratio = rss[-1] / rss[0]
    return {
        "files": counts,
        "rss_mb": rss,
        "median_s": [round(series[c.name].median, 3) for c in cmds],
        "ratio": round(ratio, 3),
        "aim_ratio": FLAT,
        "flat": ratio <= FLAT,
    }


def headlines(result: dict) -> list[str]:
    lines = []
    for d in result["datasets"]:
        line = (
            f"validate {d['label']}: leadbook {d['leadbook_s']:.2f} s = {d['leadbook_x_floor']:.1f}x floor"
            f" (aim <= {d['aim_x_floor']:g}x) {_verdict(d['floor_ok'])}"
        )
        if "naive_s" in d:
            note = f", naive {d['naive_note']}" if d["naive_note"] else ""
            line += (
                f"; {d['naive_over_leadbook']:.1f}x faster than naive"
                f" (aim >= {d['aim_x_naive']:g}x{note}) {_verdict(d['naive_ok'])}"
            )
        else:
            line += "; naive stack not run"
        lines.append(line)
    m = result["memory"]
    pairs = ", ".join(
        f"{n} files {mb:.0f} MB" for n, mb in zip(m["files"], m["rss_mb"], strict=True)
    )
    lines.append(
        f"validate memory: peak RSS {pairs}; {m['ratio']:.2f}x from fewest to most files"
        f" (flat: aim <= {m['aim_ratio']:g}x) {_verdict(m['flat'])}"
    )
    return lines


def report(result: dict) -> str:
    parts = [TITLE]
    if result["naive_sheets"]:
        sheets = " and ".join(result["naive_sheets"])
        parts.append(f"(the naive stack reads and checks the {sheets}; leadbook, register and log)")
    for d in result["datasets"]:
        first = f"{d['label']} ({d['xlsx_mb']:.1f} MB xlsx)"
        parts += ["", command_table(d["commands"], first)]
    m = result["memory"]
    rows = [
        [f"leadbook validate {n} files", f"{s:.2f}", f"{mb:.0f}"]
        for n, s, mb in zip(m["files"], m["median_s"], m["rss_mb"], strict=True)
    ]
    parts += ["", table(rows, ["memory (files of the second set)", "median s", "peak MB"])]
    parts += ["", *result["headlines"]]
    return "\n".join(parts)
