"""Ask LibreOffice Calc itself about a workbook's dropdowns (run with the SYSTEM python3).

    /usr/bin/python3 tests/uno_check.py BOOK SPEC

``SPEC`` is JSON text, or ``@path`` of a JSON file::

    {
      "recalc": true,                       # doc.calculateAll() after loading
      "invalid": ["线索台账"],              # sheets to scan as they are (Calc's "Mark Invalid Data")
      "cells": [                            # type a value, ask Calc whether it is valid
        {"sheet": "线索台账", "cell": "H20", "value": "汽车制造业", "setup": {"G20": "制造业"}}
      ],
      "offers": [                           # the entries a list dropdown offers
        {"sheet": "线索台账", "cell": "H20", "setup": {"G20": "制造业"}}
      ],
      "formulas": ["=ROWS(LIST_channels)"], # Calc syntax (';' separators), on a scratch sheet
      "read": [{"sheet": "线索台账", "range": "A3:A10"}]
    }

Values are typed with ``cell.setFormula(value)``, which parses them the way typing into the
cell does ("mode": "string" uses ``setString``). Validity is Calc's own: the sheet's
``XSheetAuditing.showInvalid()`` (Tools > Detective > Mark Invalid Data) runs
``ScValidationData::IsDataValid`` on every validated cell and circles the invalid ones; the
circles are ellipse shapes on the sheet's draw page, anchored to their cell. The UNO
``TableValidation`` object itself is only a descriptor with no validity check.

Dropdown entries: the cell's validation formula (``Validation.getFormula1()``, written
relative to ``getSourcePosition()``) is moved to the checked cell with the sheet's
``FormulaParser`` (parse at the source position, print at the cell), then evaluated in a
scratch cell as ``ROWS(f)`` and ``INDEX(f, k, 1)``: the same list Calc's dropdown shows.

Starts its own headless soffice (fresh profile, pipe connection), prints one JSON object on
stdout, and kills soffice at the end, also on errors and on the watchdog timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

CONNECT_TIMEOUT = 60.0
WATCHDOG = float(os.environ.get("UNO_CHECK_TIMEOUT", "150"))
CLEAR_ALL = 1 | 2 | 4 | 16  # CellFlags VALUE | DATETIME | STRING | FORMULA
SCRATCH_SHEET = "uno_scratch"


def _prop(name, value):
    pv = PropertyValue()
    pv.Name, pv.Value = name, value
    return pv


class Office:
    """A headless soffice of our own, in its own process group."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="uno-check-profile-")
        self.log = open(os.path.join(self.profile, "soffice.log"), "w+b")  # noqa: SIM115
        self.pipe = f"leadbook_uno_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        self.proc = subprocess.Popen(
            [
                shutil.which("soffice") or "soffice",
                "--headless",
                "--invisible",
                "--norestore",
                "--nolockcheck",
                "--nologo",
                "--nodefault",
                f"-env:UserInstallation={Path(self.profile).as_uri()}",
                f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        # The caller kills this group if it has to kill us.
        print(f"SOFFICE_PGID={self.proc.pid}", file=sys.stderr, flush=True)
        self.desktop = None

    def soffice_output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def connect(self):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"soffice exited with {self.proc.returncode} before accepting a connection:\n"
                    + self.soffice_output()
                )
            try:
                ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"soffice did not accept {url} within {CONNECT_TIMEOUT:.0f} s:\n"
                        + self.soffice_output()
                    ) from None
                time.sleep(0.1)
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx
        )
        return self.desktop

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.desktop is not None:
            # The bridge dies with soffice: DisposedException and friends.
            with contextlib.suppress(Exception):
                self.desktop.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        self.kill()  # soffice.bin (oosplash's child) too, whatever happened above
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


# ----------------------------------------------------------------------------- checks
def _sheet(doc, name):
    sheets = doc.Sheets
    if not sheets.hasByName(name):
        raise KeyError(f"no sheet {name!r}; sheets: {list(sheets.ElementNames)}")
    sheet = sheets.getByName(name)
    if sheet.isProtected():
        sheet.unprotect("")  # leadbook protects without a password; we never save
    return sheet


def _circled(sheet) -> list[str]:
    """Cells Calc marks invalid (after clearArrows + showInvalid)."""
    out = []
    page = sheet.DrawPage
    for i in range(page.Count):
        shape = page.getByIndex(i)
        if shape.ShapeType != "com.sun.star.drawing.EllipseShape":
            continue
        anchor = shape.Anchor
        name = getattr(anchor, "AbsoluteName", None)
        if name:
            out.append(name.split(".")[-1].replace("$", ""))
    return out


def _mark_invalid(sheet) -> list[str]:
    sheet.clearArrows()
    sheet.showInvalid()
    return _circled(sheet)


def _type(cell, value, mode) -> None:
    if value is None or value == "":
        cell.clearContents(CLEAR_ALL)
    elif mode == "string":
        cell.setString(value)
    else:
        cell.setFormula(value)


class _Restore:
    """Remember cells' contents and put them back, so that checks do not leak."""

    def __init__(self, sheet, names):
        cells = [sheet.getCellRangeByName(n) for n in names]
        self.saved = [(c, c.getFormula()) for c in cells]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for cell, formula in reversed(self.saved):
            if formula == "":
                cell.clearContents(CLEAR_ALL)
            else:
                cell.setFormula(formula)


def _enum(value) -> str:
    return getattr(value, "value", str(value))


def _validation_info(cell) -> dict:
    v = cell.Validation
    pos = v.getSourcePosition()
    return {
        "type": _enum(v.Type),
        "formula1": v.getFormula1(),
        "source_row": pos.Row + 1,
        "source_col": pos.Column + 1,
        "ignore_blank": bool(v.IgnoreBlankCells),
        "show_error": bool(v.ShowErrorMessage),
        "error_style": _enum(v.ErrorAlertStyle),
        "show_list": int(v.ShowList),
        "error_title": v.ErrorTitle,
        "input_title": v.InputTitle,
    }


def check_cell(sheet, item) -> dict:
    cell_name = item["cell"]
    setup = item.get("setup", {})
    with _Restore(sheet, [*setup, cell_name]):
        for name, value in setup.items():
            _type(sheet.getCellRangeByName(name), value, item.get("mode"))
        cell = sheet.getCellRangeByName(cell_name)
        _type(cell, item["value"], item.get("mode"))
        circled = _mark_invalid(sheet)
        result = {
            **item,
            "valid": cell_name.replace("$", "") not in circled,
            "circled": circled,
            "stored": cell.getString(),
            "validation": _validation_info(cell),
        }
        sheet.clearArrows()
    return result


def _scratch_cell(sheet, row):
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    col = cursor.RangeAddress.EndColumn + 3
    return sheet.getCellByPosition(col, row)


def offers(doc, sheet, item) -> dict:
    cell_name = item["cell"]
    setup = item.get("setup", {})
    cell = sheet.getCellRangeByName(cell_name)
    v = cell.Validation
    result = {**item, "validation": _validation_info(cell), "entries": None, "error": 0}
    if _enum(v.Type) != "LIST":
        return result
    parser = doc.createInstance("com.sun.star.sheet.FormulaParser")
    with _Restore(sheet, list(setup)):
        for name, value in setup.items():
            _type(sheet.getCellRangeByName(name), value, item.get("mode"))
        # The validation formula as seen from this cell (relative references moved).
        here = cell.CellAddress
        formula = parser.printFormula(
            parser.parseFormula(v.getFormula1(), v.getSourcePosition()), here
        )
        scratch = _scratch_cell(sheet, here.Row)
        at = scratch.CellAddress
        result["formula"] = formula
        try:
            scratch.setTokens(parser.parseFormula(f"ROWS({formula})", at))
            if scratch.getError():
                result["error"] = scratch.getError()
                result["entries"] = []
                return result
            entries = []
            for k in range(1, int(scratch.getValue()) + 1):
                scratch.setTokens(parser.parseFormula(f"INDEX({formula},{k},1)", at))
                entries.append(scratch.getString())
            result["entries"] = entries
        finally:
            scratch.clearContents(CLEAR_ALL)
    return result


def evaluate(doc, formulas) -> list[dict]:
    if not formulas:
        return []
    sheets = doc.Sheets
    if not sheets.hasByName(SCRATCH_SHEET):
        sheets.insertNewByName(SCRATCH_SHEET, sheets.Count)
    cell = sheets.getByName(SCRATCH_SHEET).getCellByPosition(0, 0)
    out = []
    for formula in formulas:
        cell.setFormula(formula)
        out.append(
            {
                "formula": formula,
                "value": cell.getValue(),
                "string": cell.getString(),
                "error": cell.getError(),
            }
        )
    return out


def read(doc, item) -> dict:
    rng = _sheet(doc, item["sheet"]).getCellRangeByName(item["range"])
    return {**item, "values": [list(row) for row in rng.getDataArray()]}


def run(desktop, book: Path, spec: dict) -> dict:
    doc = desktop.loadComponentFromURL(
        book.resolve().as_uri(), "_blank", 0, (_prop("Hidden", True),)
    )
    if doc is None:
        raise RuntimeError(f"LibreOffice could not open {book}")
    try:
        if spec.get("recalc"):
            doc.calculateAll()
        result: dict = {
            "book": str(book),
            "sheets": list(doc.Sheets.ElementNames),
            "invalid": {name: _mark_invalid(_sheet(doc, name)) for name in spec.get("invalid", [])},
        }
        for name in spec.get("invalid", []):
            doc.Sheets.getByName(name).clearArrows()
        result["cells"] = [check_cell(_sheet(doc, it["sheet"]), it) for it in spec.get("cells", [])]
        result["offers"] = [
            offers(doc, _sheet(doc, it["sheet"]), it) for it in spec.get("offers", [])
        ]
        result["formulas"] = evaluate(doc, spec.get("formulas", []))
        result["read"] = [read(doc, it) for it in spec.get("read", [])]
        return result
    finally:
        with contextlib.suppress(Exception):
            doc.close(True)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    book = Path(argv[1])
    raw = argv[2]
    spec = json.loads(Path(raw[1:]).read_text("utf-8") if raw.startswith("@") else raw)
    if not book.is_file():
        print(f"no such workbook: {book}", file=sys.stderr)
        return 2

    office = Office()

    def _timeout():
        print(f"uno_check: watchdog fired after {WATCHDOG:.0f} s; killing soffice", file=sys.stderr)
        office.kill()
        time.sleep(2)
        os._exit(3)

    watchdog = threading.Timer(WATCHDOG, _timeout)
    watchdog.daemon = True
    watchdog.start()
    try:
        desktop = office.connect()
        result = run(desktop, book, spec)
    except Exception:
        traceback.print_exc()
        print("---- soffice output ----\n" + office.soffice_output(), file=sys.stderr)
        return 1
    finally:
        watchdog.cancel()
        office.stop()
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8") + b"\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
