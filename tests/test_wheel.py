"""leadbook installed as a user installs it: a wheel (non-editable) in a fresh venv, without
the dev extras. It finds its data files, and every command runs from it, encrypted workbooks
included (issue 11: encryption support was a dev dependency only)."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

REPO = Path(__file__).resolve().parent.parent


CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the venv's copy only


def run(*args, codes=(0,), **kw):
    kw.setdefault("env", CLEAN_ENV)
    proc = subprocess.run(args, capture_output=True, text=True, **kw)
    assert proc.returncode in codes, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_wheel_ships_schemas_and_templates_and_runs(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO))
    wheel = next(dist.glob("leadbook-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for data in ("fields.toml", "defaults.toml", "industries.csv", "regions.csv"):
        assert f"leadbook/_data/schemas/{data}" in names
    assert "leadbook/_data/templates/workbook_text.toml" in names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    run(str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel))
    out = tmp_path / "leads.xlsx"
    # run outside the checkout, so only the installed copy of the data can be found
    run(str(venv / "bin" / "leadbook"), "new", str(out), "--rows", "5", cwd=tmp_path)
    location = run(
        str(venv / "bin" / "python"),
        "-c",
        "import leadbook; print(leadbook.__file__)",
        cwd=tmp_path,
    ).stdout
    assert str(venv) in location
    assert openpyxl.load_workbook(out).sheetnames[1] == "线索台账"

    # every command, from the installed copy only (cwd outside the checkout, no dev extras)
    lb = str(venv / "bin" / "leadbook")
    env = {**CLEAN_ENV, "LEADS_PW": "wheel-test-pw"}
    kw = {"cwd": tmp_path, "env": env}
    run(lb, "sample", "reps", "--reps", "2", "--leads", "6", "--as-of", "2026-11-30 12:00", **kw)
    report = run(lb, "validate", "reps", "--format", "json", codes=(0, 1), **kw).stdout
    read = [f for f in json.loads(report)["files"] if not f.get("skipped")]
    assert len(read) == 2  # the two workbooks (manifest.json is listed as skipped)
    # pandas is no run-time dependency (issue 14): validate ran with pandera's polars API only
    no_pandas = "import importlib.util as u, sys; sys.exit(u.find_spec('pandas') is not None)"
    run(str(venv / "bin" / "python"), "-c", no_pandas, **kw)
    run(lb, "merge", "reps", "-o", "locked.xlsx", "--password-env", "LEADS_PW", "--encrypt", **kw)
    assert (tmp_path / "locked.xlsx").read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    locked = run(lb, "validate", "locked.xlsx", "--password-env", "LEADS_PW", codes=(0, 1), **kw)
    assert "locked.xlsx" in locked.stdout
    run(lb, "report", "locked.xlsx", "--password-env", "LEADS_PW", "--xlsx", "summary.xlsx",
        "--encrypt", "--as-of", "2026-11-30 12:00", **kw)  # fmt: skip
    run(lb, "report", "reps", "--html", "report.html", "--as-of", "2026-11-30 12:00", **kw)
    assert (tmp_path / "summary.xlsx").is_file() and (tmp_path / "report.html").is_file()
    lead = openpyxl.load_workbook(tmp_path / "reps" / "rep01.xlsx", data_only=True)
    first_id = next(r[0] for r in lead["线索台账"].iter_rows(min_row=3, values_only=True) if r[0])
    (tmp_path / "handed").mkdir()
    run(lb, "handoff", "reps/rep01.xlsx", "--lead", str(first_id), "--to", "reps/rep02.xlsx",
        "--rep", "*李", "--out-dir", "handed", **kw)  # fmt: skip
    assert len(list((tmp_path / "handed").glob("*.xlsx"))) == 2
