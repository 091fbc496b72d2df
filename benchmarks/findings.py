"""``leadbook validate`` when the rows are wrong: findings on every row, and millions of them.

Two workbooks (``data.py`` variants): (a) the 50,000-row sample with two findings planted on
every register row (a 潜力 not in the list, a 规模 that is no size), timed against the floor
round by round; (b) a workbook where every register cell is wrong (a mobile number in every
field; about 26 findings a row, 85,000 rows: 2.2 million findings, 8 MB of xlsx), run once
for its peak RSS. Both print ``--format json`` (every finding) to /dev/null. The findings
per row of (b) are counted on a 100-row workbook of the same kind.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import data
from benchmarks.util import (
    Command,
    Options,
    command_table,
    interleave,
    leadbook_argv,
    memory_row,
    python,
    ratio_row,
)
from benchmarks.util import verdict as _verdict

TITLE = "findings: `leadbook validate` with findings on every row, and with millions of them"
HERE = Path(__file__).resolve().parent
FLOOR, LEADBOOK, ALL_WRONG = (
    "floor (zip + expat)",
    "leadbook validate",
    "leadbook validate all-wrong",
)
PROBE_ROWS = 100


@dataclass(frozen=True)
class Sizes:
    rows: int = 50_000  # (a): rows, each with two findings
    aim: float = 4.0  # leadbook / floor on (a) at most
    wrong_rows: int = 85_000  # (b): rows where every cell is wrong
    limit_mb: float = 1_500  # peak RSS on (b) under this


FULL = Sizes()
QUICK = Sizes(rows=5_000, wrong_rows=2_000)


def validate_command(name: str, path: Path) -> Command:
    argv = (*leadbook_argv(), "validate", str(path), "--format", "json")
    return Command(name, (*argv, "--as-of", data.AS_OF_ARG), ok_codes=(1,))  # 1: errors found


def validate_json(path: Path) -> dict:
    """What ``leadbook validate --format json`` reports on ``path``."""
    argv = validate_command("count", path).argv
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return json.loads(done.stdout)


def count_findings(path: Path) -> int:
    """The findings ``leadbook validate --format json`` reports on ``path`` (all files)."""
    return sum(len(f["issues"]) for f in validate_json(path)["files"])


def run(opts: Options, sizes: Sizes | None = None) -> dict:
    sizes = sizes or (QUICK if opts.quick else FULL)
    log = opts.log
    two = data.DataSet(1, sizes.rows, defects=0.0, variant=data.TWO_PER_ROW)
    wrong = data.DataSet(1, sizes.wrong_rows, variant=data.ALL_WRONG)
    probe = data.DataSet(1, PROBE_ROWS, variant=data.ALL_WRONG)
    folders = data.prepare(opts.out, [two, wrong, probe], log)
    two_path, wrong_path, probe_path = (data.files_of(f)[0] for f in folders)
    per_row = count_findings(probe_path) / PROBE_ROWS
    findings = round(per_row * sizes.wrong_rows)
    result: dict = {
        "title": TITLE,
        "sizes": asdict(sizes),
        "runs": opts.runs,
        "as_of": data.AS_OF_ARG,
        "two_per_row_xlsx_mb": round(two_path.stat().st_size / 2**20, 2),
        "all_wrong_xlsx_mb": round(wrong_path.stat().st_size / 2**20, 2),
        "all_wrong_findings_per_row": per_row,
        "all_wrong_findings": findings,
    }
    log(f"findings: {sizes.rows} rows with two findings each ({result['two_per_row_xlsx_mb']} MB)")
    commands = [
        Command(FLOOR, (python(), str(HERE / "floor.py"), str(two_path))),
        validate_command(LEADBOOK, two_path),
    ]
    series = interleave(commands, opts.runs, log=log)
    log(
        f"findings: {sizes.wrong_rows} rows, every cell wrong ({result['all_wrong_xlsx_mb']} MB,"
        f" about {findings:,} findings), once"
    )
    big = interleave([validate_command(ALL_WRONG, wrong_path)], 1, log=log)[ALL_WRONG]
    floor, lead = series[FLOOR], series[LEADBOOK]
    result["commands"] = [
        s.as_dict() | {"x_floor": round(s.median / floor.median, 2)} for s in (floor, lead, big)
    ]
    result["rows"] = [
        ratio_row(
            "every-row",
            f"validate {sizes.rows:,} rows, two findings on every row / floor",
            lead,
            floor,
            "floor",
            sizes.aim,
        ),
        memory_row(
            "millions",
            f"validate {findings:,} findings ({result['all_wrong_xlsx_mb']:.1f} MB xlsx,"
            " every cell wrong): peak RSS",
            big,
            sizes.limit_mb,
            "-",
        ),
    ]
    result["headlines"] = headlines(result)
    return result


def headlines(result: dict) -> list[str]:
    return [
        f"{row['measure']}: {row['leadbook']}, {row['ratio_text']} (aim {row['aim']})"
        f" {_verdict(row['met'])}"
        for row in result["rows"]
    ]


def report(result: dict) -> str:
    first = f"{result['sizes']['rows']} rows x 2 findings ({result['two_per_row_xlsx_mb']:.1f} MB)"
    parts = [TITLE, "", command_table(result["commands"], first)]
    parts.append(
        f"all-wrong: {result['sizes']['wrong_rows']} rows, {result['all_wrong_findings_per_row']:g}"
        f" findings a row (counted on {PROBE_ROWS} rows): about {result['all_wrong_findings']:,}"
    )
    parts += ["", *result["headlines"]]
    return "\n".join(parts)
