"""Whole-process benchmarks for leadbook (``make bench``, ``python -m benchmarks``).

Every command is timed as a whole process (interpreter start and imports included) against
a floor measured in the same run, and the runs of the commands are interleaved so that noise
hits them all alike. Generated workbooks are cached in ``bench-out/``.

A benchmark is one module of this package with

- ``TITLE``: one line saying what it measures;
- ``run(opts: Options, sizes=None) -> dict``: measure (printing progress) and return every
  number, JSON-ready, with a ``"headlines"`` list of the lines to print at the end;
- ``report(result: dict) -> str``: the tables and headlines for the terminal;
- in the result, ``"rows"``: its rows of the one table the run ends with (``summary.py``,
  whose ``ORDER`` lists every row to expect).

Add a module and its name to ``BENCHMARKS``; ``python -m benchmarks --only NAME`` runs one.
"""

BENCHMARKS = (
    "validate",
    "findings",
    "startup",
    "merge",
    "report",
)  # module names, run in this order
