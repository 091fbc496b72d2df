"""``python -m benchmarks.readme [TABLE.md] [README.md]``: paste the bench table into the README.

Replaces what stands between the README's ``<!-- bench-table -->`` and ``<!-- /bench-table
-->`` lines with TABLE.md (default ``bench-out/table.md``, what ``make bench`` writes).
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.util import DEFAULT_OUT, REPO

START, END = "<!-- bench-table -->", "<!-- /bench-table -->"


def paste(table: str, readme: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    head, start, rest = readme.partition(START + "\n")
    body, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the README has no {START} ... {END} block")
    return head + start + table.rstrip("\n") + "\n" + end + tail


def main(args: list[str]) -> int:
    table = Path(args[0]) if args else DEFAULT_OUT / "table.md"
    readme = Path(args[1]) if len(args) > 1 else REPO / "README.md"
    try:
        text = paste(table.read_text(encoding="utf-8"), readme.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"benchmarks.readme: {exc}", file=sys.stderr)
        return 2
    readme.write_text(text, encoding="utf-8")
    print(f"pasted {table} into {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
