"""The floor: the least a reader of xlsx files can do, as a whole process.

For each workbook: open the zip, inflate every worksheet and the shared strings, and parse
them with expat without Python callbacks (no values are built). Run as a script, standard
library only: ``python benchmarks/floor.py FILE_OR_FOLDER ...`` (see
../shared/notes/performance.md, where the readers were measured against the same floor).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.parsers import expat


def workbooks(args: list[str]) -> list[Path]:
    """Files as given; folders searched for ``*.xlsx`` (recursively, sorted)."""
    out: list[Path] = []
    for arg in args:
        p = Path(arg)
        out += sorted(p.rglob("*.xlsx")) if p.is_dir() else [p]
    return out


def parse(path: Path) -> int:
    """Parse the sheets and shared strings of one workbook; return the XML bytes parsed."""
    size = 0
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            sheet = name.startswith("xl/worksheets/sheet") and name.endswith(".xml")
            if sheet or name == "xl/sharedStrings.xml":
                data = zf.read(name)
                expat.ParserCreate().Parse(data, True)
                size += len(data)
    return size


def main(args: list[str]) -> int:
    files = workbooks(args)
    if not files:
        print("floor: no workbooks", file=sys.stderr)
        return 2
    for path in files:
        parse(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
