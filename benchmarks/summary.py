"""The one table ``make bench`` ends with: every measure against its anchor and its aim.

Each benchmark returns the rows it measured (``result["rows"]``, see ``util.ratio_row``);
this module puts them in the order of :data:`ORDER` (issue 14's table), marks a row no
benchmark of the run measured as "not run", and renders the table as text (the terminal)
and as markdown (``bench-out/table.md``, ready to paste into the README's performance
section).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from benchmarks.util import missing_row, table

# (row id, the measure as the row says it when it was not run, the aim)
ORDER: tuple[tuple[str, str, str], ...] = (
    ("validate-one", "validate 50,000 rows / floor", "<= 2x"),
    ("validate-mid", "validate 10,000 rows / floor", "<= 3x"),
    ("validate-many", "validate 500 x 200 rows / floor", "<= 2.5x"),
    ("every-row", "validate 50,000 rows, two findings on every row / floor", "<= 4x"),
    ("millions", "validate 2.2M findings (every cell wrong): peak RSS", "< 1,500 MB"),
    (
        "startup",
        "validate a 1-row workbook / `import polars, fastexcel, pandera.polars`",
        "<= 1.5x",
    ),
    ("merge", "merge 500 x 200 / anchor", "<= 1.2x"),
    ("merge-rss", "merge 500 x 200: peak RSS", "< 600 MB"),
    ("report", "report on the 100,000-lead master (HTML + Excel) / floor", "<= 2x"),
    ("naive", "validate 50,000 rows vs pandas + openpyxl + pandera", ">= 8x faster"),
    ("frictionless", "validate 50,000 rows vs frictionless validate", "-"),
)
HEADER = ("measure", "leadbook", "anchor", "ratio", "aim", "met")


def collect(results: Mapping[str, dict]) -> list[dict]:
    """The rows of every benchmark in ``results``, in :data:`ORDER`; one row per id."""
    measured: dict[str, dict] = {}
    for name, result in results.items():
        if name == "meta" or not isinstance(result, dict):
            continue
        for row in result.get("rows", ()):
            measured[row["id"]] = row
    rows = [measured.pop(i, None) or missing_row(i, what, "not run", aim) for i, what, aim in ORDER]
    return rows + list(measured.values())  # a row ORDER does not name yet: at the end


def met_text(met: bool | None) -> str:
    return {True: "yes", False: "NO", None: "-"}[met]


def cells(row: dict) -> list[str]:
    return [
        row["measure"],
        row["leadbook"],
        row["anchor"],
        row["ratio_text"],
        row["aim"],
        met_text(row["met"]),
    ]


def text(rows: Sequence[dict]) -> str:
    return table([cells(r) for r in rows], HEADER)


def markdown(rows: Sequence[dict], caption: str = "") -> str:
    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    out = [caption, ""] if caption else []
    out += [line(HEADER), "|" + "---|" * len(HEADER), *(line(cells(r)) for r in rows)]
    return "\n".join(out) + "\n"


def tally(rows: Sequence[dict]) -> str:
    judged = [r for r in rows if r["met"] is not None]
    met = sum(1 for r in judged if r["met"])
    return f"{met} of {len(judged)} aims met"
