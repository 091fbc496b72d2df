"""The write floor: XlsxWriter in constant_memory mode writing given rows, no formatting.

``python benchmarks/write_floor.py ROWS.pickle OUT.xlsx [--phases FILE]``

ROWS.pickle is what ``data.master`` caches: a header ``[(sheet, row count), ...]`` then the
rows in chunks, streamed (one chunk in memory at a time). Each sheet is written with plain
``write_row`` and no formats, as fast as XlsxWriter writes, and with its URL conversion off
(``strings_to_urls``), as leadbook writes: a 官网 stays text, not a slower hyperlink. With ``--phases`` one JSON line
is appended to FILE: the seconds spent loading the pickled rows, writing and closing, so
that the load (not part of writing) can be told apart from the whole process's time.
"""

from __future__ import annotations

import json
import pickle
import sys
import time


def main(args: list[str]) -> int:
    phases = None
    if len(args) == 4 and args[2] == "--phases":
        phases = args[3]
        args = args[:2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, out = args
    import xlsxwriter

    clock = time.perf_counter()
    load = write = 0.0
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_urls": False})
    with open(source, "rb") as f:
        sheets = pickle.load(f)
        for name, count in sheets:
            ws = wb.add_worksheet(name)
            r = 0
            while r < count:
                t = time.perf_counter()
                chunk = pickle.load(f)
                t2 = time.perf_counter()
                load += t2 - t
                for row in chunk:
                    ws.write_row(r, 0, row)
                    r += 1
                write += time.perf_counter() - t2
    t = time.perf_counter()
    wb.close()
    close = time.perf_counter() - t
    if phases:
        line = {
            "load_s": round(load, 4),
            "write_s": round(write, 4),
            "close_s": round(close, 4),
            "total_s": round(time.perf_counter() - clock, 4),
        }
        with open(phases, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
