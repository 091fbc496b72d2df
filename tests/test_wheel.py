"""leadbook installed as a wheel (non-editable) into a fresh venv finds its data files."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

REPO = Path(__file__).resolve().parent.parent


def run(*args, **kw):
    # PYTHONPATH (a checkout run with PYTHONPATH=$PWD) would shadow the installed copy.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(args, capture_output=True, text=True, env=env, **kw)
    assert proc.returncode == 0, proc.stdout + proc.stderr
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
