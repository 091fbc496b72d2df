"""The report page in a real browser: headless Chromium (/usr/bin/chromium) driven by
Playwright, with no browser download. Nothing here is skipped: CI installs chromium.

The page must load with no console error, no page error, no request beyond the file itself
(it works offline and as an e-mail attachment), no dialog (a need holding
``<script>alert(1)</script>`` stays text), Chinese laid out in a CJK font, and print on A4.
A screenshot and the printed PDF are kept in test-artifacts/.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from realclients import ARTIFACTS, png_size

from leadbook.report.make import make_report
from leadbook.sample.make import make_sample

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AS_OF = datetime(2024, 6, 30, 18, 0)
A4_POINTS = (595, 842)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    reps = tmp_path_factory.mktemp("reps")
    make_sample(reps, reps=4, leads=80, seed=5, as_of=AS_OF)
    # a lead whose need is a script, never contacted: first on the SLA backlog
    from books import make_book
    from conftest import clean_record

    xss = clean_record(
        need="<script>alert(1)</script>", status="待跟进", created_at=datetime(2023, 6, 1, 9),
        last_owner=None, last_contact_at=None, last_summary=None, next_action=None,
    )  # fmt: skip
    make_book(reps / "xss.xlsx", [xss], log=[])
    out = tmp_path_factory.mktemp("page")
    return make_report([reps], as_of=AS_OF, html=out / "report.html").html


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def test_page_in_chromium(browser, page_file):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems, requests, dialogs = [], [], []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_file.resolve().as_uri(), wait_until="load")
    assert problems == []
    assert dialogs == []  # <script>alert(1)</script> did not run
    assert requests == [page_file.resolve().as_uri()]  # nothing fetched from anywhere
    assert page.locator("svg.chart").count() >= 7
    assert page.locator(".card").count() == 6
    # the script is text on the page, in the SLA backlog (its deadline passed a year ago)
    assert "<script>alert(1)</script>" in page.inner_text("#list-backlog + p + div")
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    # Chinese is drawn with a CJK font: a 4-character heading is about 4 ems wide
    width = page.evaluate(
        "(() => { const r = document.createRange();"
        " r.selectNodeContents(document.querySelector('#sla h2')); return r.getBoundingClientRect().width; })()"
    )
    assert 60 < width < 140
    shot = ARTIFACTS / "report.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert png_size(shot)[0] == 1200
    page.close()


def test_page_prints_on_a4(browser, page_file):
    page = browser.new_page()
    page.goto(page_file.resolve().as_uri())
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page in the PDF"
    sizes = {(round(float(w)), round(float(h))) for w, h in boxes}
    assert sizes == {A4_POINTS}
    assert 2 <= len(boxes) <= 30
    page.close()


def test_trend_charts_in_chromium(browser, page_file):
    """The trend's line chart and stacked columns are drawn: visible, inside the page's width,
    each point a dot with its tooltip; the to-do per rep follows (no console error either)."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(page_file.resolve().as_uri(), wait_until="load")
    charts = page.locator("#trend svg.chart")
    assert charts.count() == 2
    for i in range(2):
        box = charts.nth(i).bounding_box()
        assert box and 300 < box["width"] < 600 and box["height"] > 150
    periods = page.locator("#trend tbody tr").count()
    assert 2 <= periods <= 12
    lines = page.locator("#trend polyline")
    assert lines.count() == 3
    # the new-leads line has a dot per period, drawn where its polyline says
    dots = page.locator("#trend circle.l0")
    assert dots.count() == periods
    length = page.evaluate("document.querySelector('#trend polyline.l0').getTotalLength()")
    assert length > 100
    segments = page.locator("#trend rect[class^=st] title")
    assert segments.count() >= periods  # every period end has some open lead in the sample
    assert page.locator("#todo h3").count() >= 4  # the sample's four reps
    assert problems == []
    page.locator("#trend").screenshot(path=str(ARTIFACTS / "report-trend.png"))
    page.close()
