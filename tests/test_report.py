"""``leadbook report``: the HTML page (golden file, escaping, masking), the Excel summary
(sheets, charts, tables, formats; opened by LibreOffice), redaction, and the command.

The golden page is regenerated only on purpose: ``LEADBOOK_UPDATE_GOLDEN=1 pytest
tests/test_report.py`` (or ``pytest --update-golden`` where tests/conftest.py defines it).
"""

from __future__ import annotations

import os
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from books import clean_records, make_book
from realclients import ARTIFACTS, png_size, render_png, soffice_convert
from test_metrics import AS_OF, LEADS, LOG, _frame

from leadbook.cli import cli
from leadbook.core.config import load_config
from leadbook.metrics.tables import build_tables
from leadbook.report.html import render_html
from leadbook.report.make import make_report
from leadbook.report.view import build_view, labels, report_view
from leadbook.report.xlsx import write_xlsx
from leadbook.sample.make import generate, make_sample

GOLDEN = Path(__file__).resolve().parent / "golden" / "report.html"
SAMPLE_AS_OF = datetime(2024, 6, 30, 18, 0)
SHEETS_ZH = ["概览", "趋势", "漏斗", "渠道转化", "成交周期", "首次跟进", "休眠", "流失原因",
             "需求关键词", "销售业绩", "待办", "清单-跟进超时", "清单-即将休眠", "清单-应休眠",
             "清单-二次激活", "清单-逾期行动", "清单-超时积压"]  # fmt: skip


def update_golden(request) -> bool:
    try:
        option = request.config.getoption("--update-golden")
    except ValueError:  # the option is not defined
        option = False
    return bool(option) or os.environ.get("LEADBOOK_UPDATE_GOLDEN") == "1"


def small_view(*, lang="zh", redact=False, period="month", to_date=True):
    """The ten leads of test_metrics, June 2024 to date (the numbers worked out there)."""
    tables = build_tables(_frame(LEADS), _frame(LOG), files=["rep-a.xlsx", "rep-b.xlsx"])
    return report_view(
        tables, period=period, as_of=AS_OF, config=load_config(), lang=lang, redact=redact,
        to_date=to_date,
    )  # fmt: skip


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reps")
    make_sample(out, reps=3, leads=60, seed=11, as_of=SAMPLE_AS_OF)
    return out


@pytest.fixture(scope="module")
def sample_report(sample_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return make_report(
        [sample_dir], as_of=SAMPLE_AS_OF, html=out / "report.html", xlsx=out / "summary.xlsx"
    )


# ------------------------------------------------------------------------------ HTML
def test_html_matches_the_golden_file(request):
    html = render_html(small_view())
    if update_golden(request):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(html, encoding="utf-8")
    assert GOLDEN.is_file(), "no golden file: run with LEADBOOK_UPDATE_GOLDEN=1 once"
    assert html == GOLDEN.read_text(encoding="utf-8"), (
        "the report page changed: look at it, then LEADBOOK_UPDATE_GOLDEN=1 pytest "
        "tests/test_report.py"
    )


def test_html_is_self_contained():
    html = render_html(small_view())
    assert "<script" not in html  # no script at all, so none can be injected either
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched
    assert "@import" not in html and "url(" not in html
    assert "@page { size: A4" in html
    assert '"PingFang SC", "Hiragino Sans GB",\n    "Microsoft YaHei", "Noto Sans CJK SC"' in html
    assert html.count("<svg") >= 7


def test_user_text_is_escaped_and_personal_data_masked():
    html = render_html(small_view())
    # L9's need is <script>alert(1)</script>: shown as text in the SLA/terms tables
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the example of the term
    assert "<script>alert(1)</script>" not in html
    assert "<td>script</td>" in html  # the need term, as text
    # L5's next action holds a mobile: masked in the overdue-action list
    assert "4月10日前回电 138****5678" in html
    assert "13812345678" not in html


def test_escaping_in_names_and_lists():
    leads = [dict(LEADS[9], company='<img src=x onerror="alert(1)">公司', channel="<b>渠道</b>")]
    tables = build_tables(_frame(leads), None, files=["x.xlsx"])
    view = report_view(tables, period="month", as_of=AS_OF, config=load_config())
    html = render_html(view)
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;公司" in html
    assert "&lt;b&gt;渠道&lt;/b&gt;" in html


def test_english_page():
    html = render_html(small_view(lang="en"))
    assert '<html lang="en">' in html
    for words in ("Sales lead review", "Conversion by channel", "Late first follow-up"):
        assert words in html
    assert "销售线索复盘报告" not in html


def test_redacted_page_leaves_out_free_text():
    full, wide = render_html(small_view()), render_html(small_view(redact=True))
    for text in ("ERP系统升级,支持200并发用户", "4月10日前回电"):
        assert text in full
        assert text not in wide
    assert labels("zh")["redacted"] in wide
    assert ">ERP<" in wide  # the need terms stay, counted, without examples


def test_empty_input_renders():
    tables = build_tables(None, None, files=[])
    view = report_view(tables, period="week", as_of=AS_OF, config=load_config())
    html = render_html(view)
    assert "无" in html and "0" in html


# ------------------------------------------------------------------------------ Excel
def test_summary_workbook(tmp_path):
    path = write_xlsx(small_view(), tmp_path / "summary.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == SHEETS_ZH
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        charts = [n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) >= 11  # 9, and the trend's line and stacked columns
        tables = [zf.read(n).decode() for n in names if n.startswith("xl/tables/table")]
        assert tables and all("<autoFilter" in t for t in tables)
        styles = zf.read("xl/styles.xml").decode()
        assert 'formatCode="0.0%"' in styles and 'formatCode="yyyy-mm-dd"' in styles
    ws = wb["渠道转化"]
    header = [c.value for c in ws[4]]
    assert header[:5] == ["来源渠道", "新增线索", "成交", "流失", "转化率"]
    row = [c.value for c in ws[5]]  # 展会: 3 new, 1 won -> 1/3
    assert row[:4] == ["展会", 3, 1, 1] and row[4] == pytest.approx(1 / 3)
    assert ws.cell(5, 5).number_format == "0.0%"
    actions = wb["清单-逾期行动"]
    assert [c.value for c in actions[4]][:2] == ["线索编号", "公司名称"]
    assert actions.cell(5, 1).value == "TEL20240301001"
    assert actions.cell(5, 6).number_format == "yyyy-mm-dd"
    assert actions.cell(5, 8).value == "4月10日前回电 138****5678"
    assert actions.auto_filter.ref is None or actions.tables  # the filter is the table's
    assert list(actions.tables.values())[0].autoFilter is not None


def test_summary_writes_text_as_text(tmp_path):
    leads = [dict(LEADS[0], company='=HYPERLINK("http://x")', need="=1+1")]
    tables = build_tables(_frame(leads), None, files=["x.xlsx"])
    view = report_view(tables, period="month", as_of=AS_OF, config=load_config())
    path = write_xlsx(view, tmp_path / "s.xlsx")
    with zipfile.ZipFile(path) as zf:
        sheets = "".join(
            zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/")
        )
    assert "<f>" not in sheets  # no formula anywhere


def test_summary_in_english(tmp_path):
    wb = openpyxl.load_workbook(write_xlsx(small_view(lang="en"), tmp_path / "en.xlsx"))
    assert wb.sheetnames[:4] == ["Overview", "Trend", "Pipeline", "Channels"]
    assert "List - overdue actions" in wb.sheetnames


def test_summary_opens_in_libreoffice_with_its_charts(sample_report, tmp_path):
    xlsx = sample_report.xlsx
    ods = soffice_convert(xlsx, "ods", tmp_path / "ods", recalc=False)
    with zipfile.ZipFile(ods) as zf:
        content = zf.read("content.xml").decode()
        objects = [n for n in zf.namelist() if re.fullmatch(r"Object \d+/content\.xml", n)]
        assert len(objects) >= 9  # every chart came through as a chart object
        assert all("chart:chart" in zf.read(n).decode() for n in objects)
    assert "渠道转化" in content
    pdf = soffice_convert(xlsx, "pdf", tmp_path / "pdf", recalc=False)
    assert pdf.read_bytes().startswith(b"%PDF")
    png = render_png(xlsx, "渠道转化", ARTIFACTS / "summary-channels.png", rows=34, dpi=90)
    width, height = png_size(png)
    assert width > 500 and height > 400  # the table and the chart below it
    png = render_png(xlsx, "流失原因", ARTIFACTS / "summary-loss.png", columns="A:Q", rows=24)
    assert png_size(png)[0] > 600


# ------------------------------------------------------------------------------ redaction
def _texts(path: Path) -> str:
    if path.suffix == ".html":
        return path.read_text(encoding="utf-8")
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))


def test_redact_leaves_out_the_samples_sensitive_values(sample_dir, tmp_path):
    data = generate(reps=3, leads=60, seed=11, as_of=SAMPLE_AS_OF)
    records = [r for b in data.books for r in b.register]
    entries = [e for b in data.books for e in b.log]
    sensitive = {
        "budget": {r["budget"] for r in records if r.get("budget")},
        "decision": {r["decision"] for r in records if r.get("decision")},
        "need": {r["need"] for r in records if r.get("need")},
        "next_action": {r["next_action"] for r in records if r.get("next_action")},
        "summary": {r["last_summary"] for r in records if r.get("last_summary")},
        "content": {e["content"] for e in entries if e.get("content")},
        "phone": {r["office_phone"] for r in records if r.get("office_phone")},
        "im": {r["im_account"] for r in records if r.get("im_account")},
    }
    result = make_report(
        [sample_dir], as_of=SAMPLE_AS_OF, html=tmp_path / "wide.html",
        xlsx=tmp_path / "wide.xlsx", redact=True,
    )  # fmt: skip
    for path in (result.html, result.xlsx):
        text = _texts(path)
        for kind, values in sensitive.items():
            leaked = sorted(v for v in values if _escaped(v) in text or v in text)
            if kind == "budget":  # short values like 80万 could be part of other text
                leaked = [v for v in leaked if f">{v}<" in text or f'"{v}"' in text]
            assert not leaked, f"{path.name} shows {kind}: {leaked[:3]}"
    full = _texts(make_report([sample_dir], as_of=SAMPLE_AS_OF, html=tmp_path / "f.html").html)
    assert any(_escaped(v) in full for v in sensitive["need"])  # the check can see leaks


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


# ------------------------------------------------------------------------------ the command
def test_report_command(runner, tmp_path):
    make_book(tmp_path / "rep.xlsx", clean_records(4))
    html, xlsx = tmp_path / "out" / "r.html", tmp_path / "out" / "s.xlsx"
    html.parent.mkdir()
    args = ["report", str(tmp_path / "rep.xlsx"), "--as-of", "2024-06-30 18:00"]
    result = runner.invoke(
        cli, [*args, "--html", str(html), "--xlsx", str(xlsx), "--period", "week"]
    )
    assert result.exit_code == 0, result.output
    # Sunday 18:00: the week of 24-30 June is not over; the last complete one is 17-23 June
    assert "周报 第25周 6月17日–23日" in result.output
    assert "对比上期:第24周 6月10日–16日" in result.output
    assert f"已写入 {html}" in result.output and f"已写入 {xlsx}" in result.output
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    again = runner.invoke(cli, [*args, "--html", str(html), "--lang", "en"])  # replaced
    assert again.exit_code == 0 and "Sales lead review" in html.read_text(encoding="utf-8")


def test_report_command_on_bad_input(runner, tmp_path):
    missing = runner.invoke(cli, ["report", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 2 and "无法生成报告" in missing.output
    make_book(tmp_path / "rep.xlsx", clean_records(2))
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    partial = runner.invoke(
        cli,
        ["report", str(tmp_path / "rep.xlsx"), str(tmp_path / "bad.xlsx"), "--as-of", "2024-06-30"],
    )
    assert partial.exit_code == 1 and "bad.xlsx" in partial.output
    nowhere = runner.invoke(
        cli, ["report", str(tmp_path / "rep.xlsx"), "--html", str(tmp_path / "no" / "r.html")]
    )
    assert nowhere.exit_code == 2 and "不存在" in nowhere.output


def test_workbooks_and_their_master_give_the_same_numbers(sample_dir, tmp_path):
    from leadbook.merge.master import merge_paths, write_master

    config = load_config()
    merged = merge_paths([sample_dir], config=config, as_of=SAMPLE_AS_OF, lang="zh")
    master = tmp_path / "master.xlsx"
    write_master(merged, master, config=config, lang="zh")
    kw = {"as_of": SAMPLE_AS_OF, "period": "quarter"}
    from_books = make_report([sample_dir], **kw).metrics
    from_master = make_report([master], **kw).metrics
    assert from_master.headline == from_books.headline
    assert from_master.reps.equals(from_books.reps)
    assert from_master.channels.equals(from_books.channels)


def test_build_view_masks_every_text_column():
    view = small_view()
    actions = next(a for a in view.lists if a.key == "actions").frame
    assert actions["next_action"].to_list() == ["4月10日前回电 138****5678"]
    wide = build_view(view.metrics, config=load_config(), redact=True)
    assert all(
        "need" not in a.frame.columns and "next_action" not in a.frame.columns for a in wide.lists
    )
    assert "example" not in wide.metrics.terms.columns


def test_summary_action_lists_written_row_by_row(tmp_path):
    """The action lists and the to-do (written with one ``write_row`` a row): every row of
    each list's frame on its sheet, in order, text as text and each column in its format."""
    view = small_view()
    wb = openpyxl.load_workbook(write_xlsx(view, tmp_path / "summary.xlsx"))
    kinds = {"pct": "0.0%", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
    checked = 0
    for al in view.lists:
        if al.key == "due" or al.frame.height == 0:
            continue
        ws = wb[view.text["sheets"][al.key]]
        columns = [c for c in al.columns if c.key in al.frame.columns]
        for i, record in enumerate(al.frame.iter_rows(named=True)):
            for j, column in enumerate(columns):
                cell = ws.cell(5 + i, 1 + j)
                value = record[column.key]
                if column.kind == "text" and value is not None:
                    assert cell.value == str(value) and cell.data_type == "s", (al.key, i, j)
                    checked += 1
                if column.kind in kinds and value is not None:
                    assert cell.number_format == kinds[column.kind], (al.key, column.key)
        assert ws.cell(5 + al.frame.height, 1).value is None  # nothing below the list
    assert checked > 10
