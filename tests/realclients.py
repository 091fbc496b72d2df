"""Helpers for tests against real clients: LibreOffice (soffice, python3-uno) and poppler.

Not a test module. Recipes: /work/shared/notes/real-clients.md. Every soffice run gets a fresh
profile in a temporary folder and ``LANG=C.UTF-8``; soffice exits 0 even when a conversion
failed, so every output is checked to exist.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"  # gitignored; tests keep PNGs and such here
UNO_CHECK = Path(__file__).resolve().with_name("uno_check.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-uno lives there, not in the venv
CONVERT_TIMEOUT = 180
UNO_TIMEOUT = 180

# Calc > Formula > "Recalculation on file load": 0 = always (for OOXML and ODF files). By
# default LibreOffice keeps the cached values an xlsx was saved with, so a round trip would
# prove nothing about the formulas.
RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class RealClientError(RuntimeError):
    """A real client failed (or is missing)."""


def soffice() -> str:
    path = shutil.which("soffice")
    if not path:
        raise RealClientError(
            "soffice not found: apt-get install libreoffice-calc-nogui python3-uno "
            "fonts-noto-cjk poppler-utils"
        )
    return path


def _env(system_python: bool = False) -> dict[str, str]:
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    if system_python:  # keep the venv out of the system interpreter
        for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSAFEPATH"):
            env.pop(key, None)
    return env


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _run(cmd: list[str], timeout: float, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run in a new process group; on timeout kill the whole group (oosplash + soffice.bin)."""
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        out, err = proc.communicate()
        raise RealClientError(
            f"timed out after {timeout} s: {' '.join(cmd)}\n{_text(out)}\n{_text(err)}"
        ) from None
    finally:
        _kill_group(proc.pid)  # no soffice.bin may outlive its run
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def make_profile(folder: Path, recalc: bool) -> str:
    """A fresh LibreOffice user profile in ``folder``; returns its -env:UserInstallation URL."""
    if recalc:
        user = folder / "user"
        user.mkdir(parents=True, exist_ok=True)
        (user / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
    return folder.resolve().as_uri()


def soffice_convert(
    src: str | Path,
    fmt: str,
    outdir: str | Path,
    recalc: bool = True,
    timeout: float = CONVERT_TIMEOUT,
) -> Path:
    """``soffice --convert-to fmt`` into ``outdir``; returns the written file.

    ``fmt`` is what --convert-to takes (``ods``, ``xlsx``, ``pdf``, ``csv:Text - txt - csv
    (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1``). With ``recalc`` every formula
    is recalculated on load, so the output holds LibreOffice's own results.
    """
    src = Path(src).resolve()
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    ext = fmt.split(":", 1)[0]
    out = outdir / f"{src.stem}.{ext}"
    if out == src:
        raise ValueError(f"converting {src} to {fmt} in {outdir} would overwrite it")
    out.unlink(missing_ok=True)  # a stale file must not pass for this run's output
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as prof:
        cmd = [
            soffice(),
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={make_profile(Path(prof), recalc)}",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ]
        done = _run(cmd, timeout, _env())
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise RealClientError(
            f"soffice did not write {out} (exit {done.returncode}).\n"
            f"stdout: {_text(done.stdout)}\nstderr: {_text(done.stderr)}"
        )
    return out


def run_uno(script_path: str | Path, *args: object, timeout: float = UNO_TIMEOUT) -> dict:
    """Run a python3-uno script with the system python; it prints one JSON object.

    The script starts (and kills) its own soffice and reports ``SOFFICE_PGID=<n>`` on stderr,
    so that soffice dies with it if it has to be killed here.
    """
    if not Path(SYSTEM_PYTHON).is_file():
        raise RealClientError(f"{SYSTEM_PYTHON} not found (python3-uno needs it)")
    soffice()  # fail early and clearly when LibreOffice is missing
    cmd = [SYSTEM_PYTHON, str(script_path), *(str(a) for a in args)]
    env = _env(system_python=True)
    env["UNO_CHECK_TIMEOUT"] = str(max(timeout - 20, 30))  # the script's own watchdog fires first
    try:
        done = _run(cmd, timeout, env)
    except RealClientError as exc:
        for pgid in re.findall(r"SOFFICE_PGID=(\d+)", str(exc)):
            _kill_group(int(pgid))
        raise
    err = _text(done.stderr)
    for pgid in re.findall(r"SOFFICE_PGID=(\d+)", err):
        _kill_group(int(pgid))  # normally long gone; harmless then
    if done.returncode != 0:
        raise RealClientError(f"{' '.join(cmd)} exited with {done.returncode}:\n{err}")
    lines = [ln for ln in _text(done.stdout).splitlines() if ln.strip()]
    if not lines:
        raise RealClientError(f"{script_path} printed nothing.\nstderr: {err}")
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError as exc:
        raise RealClientError(f"{script_path} printed no JSON: {lines[-1][:500]!r}") from exc


# ------------------------------------------------------------------------ screenshots
def _print_copy(xlsx: Path, sheet_name: str, out: Path, columns: str | None, rows: int | None):
    """A copy of ``xlsx`` that prints only ``sheet_name``'s top rows, on one page wide.

    The other sheets are hidden (LibreOffice prints no hidden sheet) but kept, so defined names
    and formulas still work. openpyxl drops the cached formula values; LibreOffice computes
    them when it opens the copy.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.print_settings import PrintArea
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = openpyxl.load_workbook(xlsx)
    if sheet_name not in wb.sheetnames:
        raise KeyError(f"no sheet {sheet_name!r} in {xlsx}: {wb.sheetnames}")
    ws = wb[sheet_name]
    ws.sheet_state = "visible"
    wb.active = wb.worksheets.index(ws)
    for other in wb.worksheets:
        if other is not ws:
            other.sheet_state = "hidden"
            other.sheet_view.tabSelected = False
            other._print_area = PrintArea()  # LibreOffice prints a hidden sheet's print area
    ws.sheet_view.tabSelected = True
    if rows is None:
        # Rows holding something other than formulas (headers, data), then a few empty ones.
        last = 1
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if value is not None and not (isinstance(value, str) and value.startswith("=")):
                    last = max(last, cell.row)
        rows = max(last + 4, 12)
    first_col, _, last_col = (columns or f"A:{get_column_letter(ws.max_column)}").partition(":")
    ws.print_area = f"{first_col}1:{last_col or first_col}{rows}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.gridLines = True
    ws.oddFooter.center.text = None  # the crop is the table's ink, not the page's footer
    wb.save(out)


def _ink_box(pgm: Path) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1) of the non-white pixels of a binary PGM (P5)."""
    data = pgm.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        m = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, pos)
        if not m:
            raise RealClientError(f"not a PGM: {pgm}")
        fields.append(m.group(2))
        pos = m.end()
    if fields[0] != b"P5" or int(fields[3]) > 255:
        raise RealClientError(f"unexpected PGM header in {pgm}: {fields}")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1 : pos + 1 + width * height]
    x0, y0, x1, y1 = width, height, -1, -1
    for y in range(height):
        line = pixels[y * width : (y + 1) * width]
        ink = [x for x, v in enumerate(line) if v < 245]
        if ink:
            y0, y1 = min(y0, y), y
            x0, x1 = min(x0, ink[0]), max(x1, ink[-1])
    return None if y1 < 0 else (x0, y0, x1, y1)


def render_png(
    xlsx: str | Path,
    sheet_name: str,
    out_png: str | Path,
    *,
    columns: str | None = None,
    rows: int | None = None,
    dpi: int = 80,
) -> Path:
    """Render the top of one sheet, as LibreOffice prints it, to a cropped PNG.

    ``columns`` like ``"A:O"`` (default: every used column), ``rows`` the last row printed
    (default: the last row with data plus a few empty ones). Via a PDF of a copy that prints
    only that sheet, then ``pdftoppm``.
    """
    xlsx, out_png = Path(xlsx).resolve(), Path(out_png).resolve()
    if not shutil.which("pdftoppm"):
        raise RealClientError("pdftoppm not found: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory(prefix="render-") as tmp:
        tmpdir = Path(tmp)
        copy = tmpdir / "sheet.xlsx"
        _print_copy(xlsx, sheet_name, copy, columns, rows)
        pdf = soffice_convert(copy, "pdf", tmpdir / "pdf", recalc=True)
        # Find the printed area on a small greyscale rendering, then crop the real one to it.
        probe_dpi = 24
        _poppler(
            [
                "pdftoppm",
                "-gray",
                "-r",
                str(probe_dpi),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(tmpdir / "probe"),
            ]
        )
        box = _ink_box(tmpdir / "probe.pgm")
        crop: list[str] = []
        if box:
            k, margin = dpi / probe_dpi, 12
            x0, y0 = max(int(box[0] * k) - margin, 0), max(int(box[1] * k) - margin, 0)
            x1, y1 = int((box[2] + 1) * k) + margin, int((box[3] + 1) * k) + margin
            crop = ["-x", str(x0), "-y", str(y0), "-W", str(x1 - x0), "-H", str(y1 - y0)]
        _poppler(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                "1",
                "-l",
                "1",
                *crop,
                "-singlefile",
                str(pdf),
                str(tmpdir / "page"),
            ]
        )
        out_png.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(tmpdir / "page.png", out_png)
    return out_png


def _poppler(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, timeout=120, env=_env())
    if done.returncode != 0:
        raise RealClientError(f"{' '.join(cmd)} failed: {_text(done.stderr)}")


def png_size(path: str | Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR; raises unless the file is a PNG."""
    head = Path(path).read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise RealClientError(f"{path} is not a PNG")
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
