"""``leadbook merge`` as a whole process, against the read floor plus the write floor.

500 workbooks of 200 leads merged into one master. In the same run, round by round: the
read floor over the inputs (``floor.py``), ``leadbook merge`` and the write floor
(``write_floor.py``: XlsxWriter in constant_memory mode writing the master's register and
log rows, no formatting). The rows come from the master a first ``leadbook merge`` wrote
(``data.master``, cached). Aim: merge within 1.2x floor + write, at most 600 MB peak RSS.
Then leadbook's peak RSS on 10%, 40% and 100% of the files: flat if the most files take at
most 1.25x the fewest; the report gives the growth per 1,000 leads as well.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import data
from benchmarks.util import (
    Command,
    Measurement,
    Options,
    Series,
    command_table,
    interleave,
    leadbook_argv,
    memory_row,
    python,
    ratio_row,
    table,
)
from benchmarks.util import verdict as _verdict

TITLE = "merge: `leadbook merge` process vs the read floor of the inputs + the write floor"
HERE = Path(__file__).resolve().parent
MEMORY_SHARES = (0.1, 0.4, 1.0)
FLOOR, LEADBOOK, WRITE = "floor (zip + expat)", "leadbook merge", "xlsxwriter constant_memory"


@dataclass(frozen=True)
class Sizes:
    files: int = 500  # workbooks ...
    file_rows: int = 200  # ... of this many leads each
    aim: float = 1.2  # merge / (read floor + write floor) at most
    flat: float = 1.25  # peak RSS on all files <= this x peak RSS on a tenth of them
    limit_mb: float = 600  # peak RSS on all files under this


FULL = Sizes()
QUICK = Sizes(files=50)


def merge_command(name: str, inputs: list[Path], out: Path) -> Command:
    argv = (*leadbook_argv(), "merge", *map(str, inputs), "-o", str(out), "--force")
    return Command(name, (*argv, "--as-of", data.AS_OF_ARG))  # exit 1 (input skipped): failed


def run(opts: Options, sizes: Sizes | None = None) -> dict:
    sizes = sizes or (QUICK if opts.quick else FULL)
    log = opts.log
    ds = data.DataSet(sizes.files, sizes.file_rows)
    folder = data.prepare(opts.out, [ds], log)[0]
    master = data.master(opts.out, ds, log)
    files = data.files_of(folder)
    info = master.info
    xlsx_mb = sum(p.stat().st_size for p in files) / 2**20
    log(
        f"merge {ds.files}x{ds.rows}: {len(files)} workbooks ({xlsx_mb:.1f} MB xlsx) -> a master"
        f" of {info['leads']} leads and {info['log_entries']} log entries ({info['xlsx_mb']:.1f} MB)"
    )
    result: dict = {
        "title": TITLE,
        "sizes": asdict(sizes),
        "runs": opts.runs,
        "as_of": data.AS_OF_ARG,
        "files": len(files),
        "inputs_xlsx_mb": round(xlsx_mb, 2),
        "master": info,
    }
    with tempfile.TemporaryDirectory(prefix="merge-", dir=opts.out) as tmp:
        tmp = Path(tmp)
        phases = tmp / "write-phases.jsonl"
        commands = [
            Command(FLOOR, (python(), str(HERE / "floor.py"), str(folder))),
            merge_command(LEADBOOK, [folder], tmp / "master.xlsx"),
            Command(
                WRITE,
                (
                    python(),
                    str(HERE / "write_floor.py"),
                    str(master.rows),
                    str(tmp / "floor.xlsx"),
                    "--phases",
                    str(phases),
                ),
            ),
        ]
        series = interleave(commands, opts.runs, log=log)
        result["write_phases"] = _phases(phases)
        result["written_mb"] = {
            "leadbook": round((tmp / "master.xlsx").stat().st_size / 2**20, 2),
            "write_floor": round((tmp / "floor.xlsx").stat().st_size / 2**20, 2),
        }
        result |= _timing(series, sizes.aim)
        result["rows"] = _rows(series, sizes, len(files))
        log(f"merge memory: leadbook on subsets of the {len(files)} files")
        result["memory"] = memory(files, series[LEADBOOK], sizes, tmp, opts)
    result["headlines"] = headlines(result)
    return result


def _phases(path: Path) -> dict:
    """Medians of the write floor's own phase times over its runs."""
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    if not lines:
        return {}
    return {k: round(statistics.median(x[k] for x in lines), 3) for k in lines[0]}


def _timing(series: dict[str, Series], aim: float) -> dict:
    floor, lead, write = series[FLOOR], series[LEADBOOK], series[WRITE]
    pairs = zip(floor.times, write.times, strict=True)
    base = statistics.median(f + w for f, w in pairs)  # run by run, as the table's row
    rows = [s.as_dict() | {"x_base": round(s.median / base, 2)} for s in series.values()]
    ratio = lead.median / base
    return {
        "commands": rows,
        "leadbook_s": round(lead.median, 3),
        "floor_s": round(floor.median, 3),
        "write_s": round(write.median, 3),
        "leadbook_x_base": round(ratio, 2),
        "aim_x_base": aim,
        "ok": ratio <= aim,
    }


def _rows(series: dict[str, Series], sizes: Sizes, files: int) -> list[dict]:
    floor, lead, write = series[FLOOR], series[LEADBOOK], series[WRITE]
    anchor = Series(Command("anchor", ()))  # read floor + write floor, run by run
    anchor.runs = [
        Measurement(f.seconds + w.seconds, max(f.max_rss_kb, w.max_rss_kb), 0)
        for f, w in zip(floor.runs, write.runs, strict=True)
    ]
    label = f"(read floor {floor.median:.2f} + constant_memory write {write.median:.2f})"
    what = f"merge {files} x {sizes.file_rows}"
    return [
        ratio_row("merge", f"{what} / anchor", lead, anchor, label, sizes.aim),
        memory_row(
            "merge-rss",
            f"{what}: peak RSS",
            lead,
            sizes.limit_mb,
            f"write floor {write.rss_mb:.0f} MB",
        ),
    ]


def memory(files: list[Path], full: Series, sizes: Sizes, tmp: Path, opts: Options) -> dict:
    """leadbook's peak RSS on growing shares of the files (each run a fresh process). The
    run on all files is the timed one above (its peak RSS is measured the same way)."""
    counts = sorted({max(1, round(len(files) * share)) for share in MEMORY_SHARES})
    cmds = [
        merge_command(f"leadbook merge {n} files", files[:n], tmp / f"master-{n}.xlsx")
        for n in counts
        if n < len(files)
    ]
    series = interleave(cmds, opts.runs, log=opts.log)
    measured = [series[c.name] for c in cmds] + [full]
    rss = [round(s.rss_mb, 1) for s in measured]
    leads = [n * sizes.file_rows for n in counts]
    ratio = rss[-1] / rss[0]
    span = (leads[-1] - leads[0]) / 1000
    per_k = (rss[-1] - rss[0]) / span if span else None
    return {
        "files": counts,
        "leads": leads,
        "rss_mb": rss,
        "median_s": [round(s.median, 3) for s in measured],
        "ratio": round(ratio, 3),
        "aim_ratio": sizes.flat,
        "flat": ratio <= sizes.flat,
        "mb_per_1000_leads": None if per_k is None else round(per_k, 2),
        "note": f"{counts[-1]} files: the timed runs above",
    }


def headlines(result: dict) -> list[str]:
    s = result["sizes"]
    m = result["memory"]
    info = result["master"]
    lines = [
        f"merge {s['files']}x{s['file_rows']}: leadbook {result['leadbook_s']:.1f} s"
        f" = {result['leadbook_x_base']:.1f}x (floor {result['floor_s']:.1f} s"
        f" + write {result['write_s']:.1f} s) (aim <= {result['aim_x_base']:g}x)"
        f" {_verdict(result['ok'])}"
    ]
    pairs = ", ".join(
        f"{n} files {mb:.0f} MB" for n, mb in zip(m["files"], m["rss_mb"], strict=True)
    )
    lines.append(
        f"merge memory: peak RSS {pairs}; {m['ratio']:.2f}x from fewest to most files"
        f" (flat: aim <= {m['aim_ratio']:g}x) {_verdict(m['flat'])}"
    )
    if m["mb_per_1000_leads"] is not None:
        per_lead = info["log_entries"] / max(1, info["leads"])
        lines.append(
            f"merge memory: the master's own size grows with the rows (here with the files):"
            f" peak RSS +{m['mb_per_1000_leads']:.1f} MB per 1,000 leads in"
            f" (each with ~{per_lead:.1f} log entries)"
        )
    return lines


def report(result: dict) -> str:
    info = result["master"]
    parts = [TITLE]
    first = f"{result['files']} files ({result['inputs_xlsx_mb']:.1f} MB xlsx)"
    parts += ["", command_table(result["commands"], first, "x_base", "x (floor+write)")]
    written = result["written_mb"]
    parts.append(
        f"master: {info['leads']} leads, {info['log_entries']} log entries;"
        f" leadbook writes {written['leadbook']:.1f} MB, the write floor {written['write_floor']:.1f} MB"
    )
    ph = result["write_phases"]
    if ph:
        parts.append(
            "write floor: xlsxwriter constant_memory writes the master's register and log rows"
            f" (write_row, no formats); inside the process: load the cached rows"
            f" {ph['load_s']:.2f} s, write_row {ph['write_s']:.2f} s, close {ph['close_s']:.2f} s"
        )
    m = result["memory"]
    rows = [
        [f"leadbook merge {n} files", f"{leads}", f"{s:.2f}", f"{mb:.0f}"]
        for n, leads, s, mb in zip(m["files"], m["leads"], m["median_s"], m["rss_mb"], strict=True)
    ]
    parts += ["", table(rows, ["memory", "leads in", "median s", "peak MB"]), f"({m['note']})"]
    parts += ["", *result["headlines"]]
    return "\n".join(parts)
