"""leadbook as a user installs it, for the benchmarks to time: a wheel in its own venv.

``make test``'s venv has the dev extras (pandas, numpy, hypothesis, openpyxl's friends), and
with pandas installed ``import pandera`` imports pandera's pandas API too: 0.6 s a process
that no user pays (pandas is not a runtime dependency; ``tests/test_wheel.py``). So leadbook's
commands, and the import anchor of the 1-row row, run from ``bench-out/user-venv``: the
project's wheel installed with its runtime dependencies only, rebuilt when a source file of
the package changes. The naive stack (pandas + openpyxl + pandera) keeps the dev venv, which
has what it imports. ``--dev-venv`` times leadbook in the dev venv instead.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks.util import REPO, BenchError

STAMP = "leadbook-digest"


def package_digest() -> str:
    """Twelve hex digits over every file the wheel is built from."""
    h = hashlib.sha256()
    files = [REPO / "pyproject.toml"]
    for top in ("leadbook", "schemas", "templates"):
        files += sorted(p for p in (REPO / top).rglob("*") if p.is_file() and _shipped(p))
    for p in files:
        h.update(p.relative_to(REPO).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def _shipped(p: Path) -> bool:
    return "__pycache__" not in p.parts and p.suffix != ".pyc"


def user_venv(out: Path, log: Callable[[str], None] = print) -> Path:
    """The bin folder of ``out/user-venv``, (re)built from the wheel when stale."""
    venv = out / "user-venv"
    digest = package_digest()
    stamp = venv / STAMP
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == digest:
        return venv / "bin"
    log(f"  installing leadbook's wheel into {venv} (runtime dependencies only)")
    shutil.rmtree(venv, ignore_errors=True)
    dist = out / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO))
    wheel = next(dist.glob("leadbook-*.whl"))
    _run(sys.executable, "-m", "venv", str(venv))
    _run(str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel))
    stamp.write_text(digest + "\n", encoding="utf-8")
    return venv / "bin"


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode:
        tail = (done.stderr or done.stdout)[-2000:]
        raise BenchError(f"installing the user venv failed: {' '.join(argv[:4])} ...\n{tail}")
