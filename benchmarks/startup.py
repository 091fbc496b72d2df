"""``leadbook validate`` on a one-row workbook: what starting up costs.

Round by round: ``python -c pass`` (the interpreter alone), the import anchor ``python -c
"import polars, fastexcel, pandera.polars"`` (the libraries validate cannot do without) and
``leadbook validate`` of a workbook with one lead. Aim: within 1.5x the import anchor.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import data
from benchmarks.util import (
    Command,
    Options,
    command_table,
    interleave,
    leadbook_argv,
    ratio_row,
    user_python,
)
from benchmarks.util import verdict as _verdict

TITLE = "startup: `leadbook validate` of a one-row workbook vs importing its libraries"
PASS, IMPORTS, LEADBOOK = (
    "python -c pass",
    "import polars, fastexcel, pandera.polars",
    "leadbook validate",
)


@dataclass(frozen=True)
class Sizes:
    rows: int = 1
    aim: float = 1.5  # leadbook / the import anchor at most


FULL = QUICK = Sizes()


def run(opts: Options, sizes: Sizes | None = None) -> dict:
    sizes = sizes or FULL
    folder = data.prepare(opts.out, [data.DataSet(1, sizes.rows)], opts.log)[0]
    path: Path = data.files_of(folder)[0]
    argv = (*leadbook_argv(), "validate", str(path), "--format", "json")
    commands = [
        Command(PASS, (user_python(), "-c", "pass")),
        Command(IMPORTS, (user_python(), "-c", f"{IMPORTS}")),
        Command(LEADBOOK, (*argv, "--as-of", data.AS_OF_ARG), ok_codes=(0, 1)),
    ]
    opts.log(f"startup: a workbook of {sizes.rows} row(s)")
    runs = opts.runs if opts.quick else max(opts.runs, 5)  # short: a few more runs
    series = interleave(commands, runs, log=opts.log)
    anchor, lead = series[IMPORTS], series[LEADBOOK]
    result: dict = {
        "title": TITLE,
        "sizes": asdict(sizes),
        "commands": [
            s.as_dict() | {"x_floor": round(s.median / anchor.median, 2)} for s in series.values()
        ],
    }
    result["rows"] = [
        ratio_row(
            "startup",
            f"validate a {sizes.rows}-row workbook / `{IMPORTS}`",
            lead,
            anchor,
            "imports",
            sizes.aim,
        )
    ]
    row = result["rows"][0]
    result["headlines"] = [
        f"{row['measure']}: {row['leadbook']} = {row['ratio_text']} (aim {row['aim']})"
        f" {_verdict(row['met'])}"
    ]
    return result


def report(result: dict) -> str:
    table = command_table(result["commands"], "one-row workbook", ratio_label="x imports")
    return "\n".join([TITLE, "", table, "", *result["headlines"]])
