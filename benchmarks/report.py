"""``leadbook report`` as a whole process over a large master, against its read floor.

The master is what ``leadbook merge`` makes of 500 workbooks of 200 leads (``data.master``,
cached): 100,000 leads and the sample's follow-up log (about 4.2 entries a lead, so fewer
than the issue's 500,000; the actual counts are printed). In the same run, round by round:
the floor over the master (``floor.py``) and ``leadbook report`` writing the HTML page and
the Excel summary. Aim: within 2x the floor.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import data
from benchmarks.util import (
    Command,
    Options,
    command_table,
    interleave,
    leadbook_argv,
    python,
    ratio_row,
)
from benchmarks.util import verdict as _verdict

TITLE = "report: `leadbook report` process (HTML + Excel) vs the read floor of the master"
HERE = Path(__file__).resolve().parent
ISSUE_LOG = 500_000  # log entries the issue asks for
FLOOR, LEADBOOK = "floor (zip + expat)", "leadbook report"


@dataclass(frozen=True)
class Sizes:
    files: int = 500  # the master merges this many workbooks ...
    file_rows: int = 200  # ... of this many leads each
    aim: float = 2.0  # report / floor at most


FULL = Sizes()
QUICK = Sizes(files=50)


def run(opts: Options, sizes: Sizes | None = None) -> dict:
    sizes = sizes or (QUICK if opts.quick else FULL)
    log = opts.log
    master = data.master(opts.out, data.DataSet(sizes.files, sizes.file_rows), log)
    info = master.info
    log(
        f"report: a master of {info['leads']} leads and {info['log_entries']} log entries"
        f" ({info['xlsx_mb']:.1f} MB xlsx)"
    )
    result: dict = {
        "title": TITLE,
        "sizes": asdict(sizes),
        "runs": opts.runs,
        "as_of": data.AS_OF_ARG,
        "master": info,
        "issue_log_entries": ISSUE_LOG,
    }
    with tempfile.TemporaryDirectory(prefix="report-", dir=opts.out) as tmp:
        tmp = Path(tmp)
        html, xlsx = tmp / "r.html", tmp / "s.xlsx"
        argv = (*leadbook_argv(), "report", str(master.path), "--html", str(html))
        commands = [
            Command(FLOOR, (python(), str(HERE / "floor.py"), str(master.path))),
            Command(LEADBOOK, (*argv, "--xlsx", str(xlsx), "--as-of", data.AS_OF_ARG)),
        ]
        series = interleave(commands, opts.runs, log=log)
        result["written_mb"] = {
            "html": round(html.stat().st_size / 2**20, 2),
            "xlsx": round(xlsx.stat().st_size / 2**20, 2),
        }
    floor, lead = series[FLOOR], series[LEADBOOK]
    ratio = lead.median / floor.median
    result |= {
        "commands": [
            s.as_dict() | {"x_floor": round(s.median / floor.median, 2)} for s in series.values()
        ],
        "leadbook_s": round(lead.median, 3),
        "floor_s": round(floor.median, 3),
        "leadbook_x_floor": round(ratio, 2),
        "aim_x_floor": sizes.aim,
        "ok": ratio <= sizes.aim,
    }
    result["rows"] = [
        ratio_row(
            "report",
            f"report on the {info['leads']:,}-lead master (HTML + Excel) / floor",
            lead,
            floor,
            "floor",
            sizes.aim,
        )
    ]
    result["headlines"] = headlines(result)
    return result


def headlines(result: dict) -> list[str]:
    info = result["master"]
    return [
        f"report {info['leads']} leads + {info['log_entries']} log entries:"
        f" leadbook {result['leadbook_s']:.1f} s = {result['leadbook_x_floor']:.1f}x floor"
        f" ({result['floor_s']:.2f} s) (aim <= {result['aim_x_floor']:g}x)"
        f" {_verdict(result['ok'])}"
    ]


def report(result: dict) -> str:
    info = result["master"]
    first = f"master ({info['xlsx_mb']:.1f} MB xlsx), html + xlsx"
    written = result["written_mb"]
    parts = [TITLE, "", command_table(result["commands"], first)]
    parts.append(
        f"master: {info['leads']} leads, {info['log_entries']} log entries;"
        f" written: HTML {written['html']:.1f} MB, Excel summary {written['xlsx']:.1f} MB"
    )
    if info["log_entries"] < result["issue_log_entries"]:
        parts.append(
            f"(the issue asks for {result['issue_log_entries']:,} log entries: the sample gives"
            f" {info['log_entries'] / max(1, info['leads']):.1f} a lead, and no more on request)"
        )
    parts += ["", *result["headlines"]]
    return "\n".join(parts)
