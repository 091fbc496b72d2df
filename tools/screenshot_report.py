"""Screenshots of the report for the README: the HTML page (headless Chromium) and the Excel
summary (LibreOffice, via the tests' helper), from the demo's sample data.

    .venv/bin/python tools/screenshot_report.py [--out docs] [--html demo-out/report.html
        --xlsx demo-out/summary.xlsx]

Without --html / --xlsx it makes a sample (12 reps x 150 leads, as of 2024-06-30 18:00) and
reports on it first. Writes docs/report.png (the top of the page: headline cards and the first
charts) and docs/summary.png (the 渠道转化 sheet with its chart). Needs /usr/bin/chromium,
the playwright package, soffice and pdftoppm.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from realclients import png_size, render_png  # noqa: E402

from leadbook.report.make import make_report  # noqa: E402
from leadbook.sample.make import make_sample  # noqa: E402

AS_OF = datetime(2024, 6, 30, 18, 0)
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def page_png(html: Path, out: Path, height: int = 1500) -> Path:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1160, "height": height})
        page.goto(html.resolve().as_uri(), wait_until="load")
        page.screenshot(path=str(out))
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--html", type=Path)
    parser.add_argument("--xlsx", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="report-shots-") as tmp:
        html, xlsx = args.html, args.xlsx
        if html is None or xlsx is None:
            reps = Path(tmp) / "reps"
            make_sample(reps, reps=12, leads=150, as_of=AS_OF)
            result = make_report(
                [reps], as_of=AS_OF, html=Path(tmp) / "report.html", xlsx=Path(tmp) / "summary.xlsx"
            )
            html, xlsx = result.html, result.xlsx
        args.out.mkdir(parents=True, exist_ok=True)
        shots = [
            page_png(html, args.out / "report.png"),
            render_png(xlsx, "渠道转化", args.out / "summary.png", rows=34, dpi=90),
        ]
    for shot in shots:
        width, height = png_size(shot)
        print(f"wrote {shot} ({width}x{height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
