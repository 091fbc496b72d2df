"""The naive stack: pandas.read_excel (openpyxl) and a pandera schema on pandas, per file.

What a team would write first: read the register of each workbook into a DataFrame of text
and validate it lazily with a schema of the same kind as leadbook's (required columns,
allowed values of the list columns, patterns, a unique lead ID, a scan of the free text for
mobile numbers and e-mail addresses), collecting the failures.

By default only the register (线索台账) is read and checked, as the issue describes it;
``write_spec(..., log=True)`` adds the follow-up log (跟进记录), which leadbook also reads
and checks, for a like-for-like comparison (the default; ``--naive-register-only`` for the register alone).

Run as a script: ``python benchmarks/naive.py SPEC.json FILE_OR_FOLDER ...``. The schema's
column names and allowed values come from the spec file, which :func:`write_spec` writes
from leadbook's catalog and config in the benchmark process (so this process imports only
pandas and pandera).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Sheet name and zero-based header row: the register's labels are on its second row (the
# first holds the group bands), the log's on its first.
SHEETS = {"register": ("线索台账", 1), "log": ("跟进记录", 0)}
LIST_FIELDS = ("channel", "status", "potential", "size", "province", "method", "status_to")
PATTERN_FIELDS = ("lead_id", "office_phone", "budget", "contact")
PII = r"(?:^|\D)1[3-9]\d{9}(?:\D|$)|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"


def write_spec(path: Path, *, log: bool = False) -> Path:
    """The schemas' columns, from the catalog and the default team config, as JSON."""
    from leadbook.core.catalog import load_catalog
    from leadbook.core.config import load_config

    catalog, config = load_catalog(), load_config()
    sheets = []
    for role in ("register", "log") if log else ("register",):
        columns = []
        for f in catalog.register if role == "register" else catalog.log:
            col: dict = {"label": f.zh, "required": f.required}
            if f.key in LIST_FIELDS and f.list:
                col["isin"] = list(config.values(f.list))
            if role == "register" and f.key in PATTERN_FIELDS and f.pattern:
                col["pattern"] = f.pattern
            if role == "register" and f.key == "lead_id":
                col["unique"] = True
            if f.scan_pii:
                col["pii"] = True
            columns.append(col)
        name, header = SHEETS[role]
        sheets.append({"sheet": name, "header": header, "columns": columns})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"sheets": sheets}, ensure_ascii=False), encoding="utf-8")
    return path


def schema(columns_spec: list[dict]):
    import pandera.pandas as pa

    def no_pii(s):
        return ~s.str.contains(PII, regex=True, na=False)

    columns = {}
    for c in columns_spec:
        checks = []
        if "isin" in c:
            checks.append(pa.Check.isin(c["isin"]))
        if "pattern" in c:
            checks.append(pa.Check.str_matches(c["pattern"]))
        if c.get("pii"):
            checks.append(pa.Check(no_pii, name="no_pii"))
        columns[c["label"]] = pa.Column(
            str, checks=checks, nullable=not c["required"], unique=c.get("unique", False)
        )
    return pa.DataFrameSchema(columns, strict=False)


def check(path: Path, sheet: str, header: int, validator) -> int:
    """Read one sheet of a workbook and validate it; return the number of failures."""
    import pandas as pd
    import pandera.errors

    df = pd.read_excel(
        path,
        sheet_name=sheet,
        header=header,
        engine="openpyxl",
        dtype=str,
        keep_default_na=False,
    )
    df = df.replace("", None)  # an empty cell is a missing value
    try:
        validator.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return len(exc.failure_cases)
    return 0


def main(args: list[str]) -> int:
    from floor import workbooks  # run as a script: this folder is on sys.path

    spec = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    sheets = [(s["sheet"], s["header"], schema(s["columns"])) for s in spec["sheets"]]
    failures = 0
    for path in workbooks(args[1:]):
        # One read_excel call per sheet, as a first script would do it (the file opened again).
        failures += sum(check(path, name, header, v) for name, header, v in sheets)
    print(f"{failures} failures")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
