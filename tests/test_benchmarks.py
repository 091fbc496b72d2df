"""Smoke test of the benchmarks package (``make bench``) on tiny generated data.

Every benchmark runs once (one run per command) on tiny data in one folder (module fixture);
the tests check what each measured and that the one table at the end has every row of
issue 14's table, with positive ratios and a verdict where it was measured.
"""

from __future__ import annotations

import json
import math

import pytest

from benchmarks import BENCHMARKS, data, floor, summary, validate
from benchmarks.__main__ import main, parse
from benchmarks.util import Options

TINY = 20  # rows of each workbook of the many-files sets


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Every benchmark's result on tiny data, and the log lines, in one cache folder."""
    from benchmarks import findings, merge, report, startup

    out = tmp_path_factory.mktemp("bench")
    lines: list[str] = []
    opts = Options(runs=1, out=out, quick=True, naive_log=True, log=lines.append)
    results = {
        "validate": validate.run(
            opts, validate.Sizes(rows=60, files=2, file_rows=TINY, mid_rows=30)
        ),
        "findings": findings.run(opts, findings.Sizes(rows=30, wrong_rows=40)),
        "startup": startup.run(opts),
        "merge": merge.run(opts, merge.Sizes(files=4, file_rows=TINY)),
        "report": report.run(opts, report.Sizes(files=4, file_rows=TINY)),
    }
    for result in results.values():
        json.dumps(result)  # results.json takes it as it is
    return out, results, lines


def test_validate_benchmark_on_tiny_data(tiny):
    out, results, lines = tiny
    result = results["validate"]
    assert [d["key"] for d in result["datasets"]] == ["one", "mid", "many"]
    for d in result["datasets"]:
        names = [c["command"] for c in d["commands"]]
        naive = ["naive (pandas+openpyxl+pandera)"] if d["key"] == "one" else []
        assert names == ["floor (zip + expat)", "leadbook validate", *naive]
        for c in d["commands"]:
            assert c["median_s"] > 0 and c["min_s"] > 0 and c["max_rss_mb"] > 0
            assert c["runs"] == 1
        assert d["leadbook_x_floor"] > 0 and isinstance(d["floor_ok"], bool)
    one = result["datasets"][0]
    assert one["naive_over_leadbook"] > 0 and isinstance(one["naive_ok"], bool)
    assert [d["files"] for d in result["datasets"]] == [1, 1, 2]
    memory = result["memory"]
    assert memory["files"] == [1, 2]
    assert all(mb > 0 for mb in memory["rss_mb"]) and isinstance(memory["flat"], bool)
    assert len(result["headlines"]) == 4
    assert "x floor (aim <= 2x)" in result["headlines"][0]
    assert "faster than naive" in result["headlines"][0]
    assert "(aim <= 3x)" in result["headlines"][1] and "(aim <= 2.5x)" in result["headlines"][2]
    text = validate.report(result)
    assert "leadbook validate" in text and result["headlines"][-1] in text
    ids = [r["id"] for r in result["rows"]]
    assert ids == ["validate-one", "naive", "validate-mid", "validate-many", "frictionless"]

    # The data sets are cached: a second prepare generates nothing.
    again: list[str] = []
    folders = data.prepare(out, [data.DataSet(1, 60), data.DataSet(2, TINY)], again.append)
    assert again == [] and len(data.files_of(folders[1])) == 2
    assert any("generation took" in line for line in lines)
    assert floor.parse(data.files_of(folders[0])[0]) > 0


def test_findings_benchmark_plants_what_it_says(tiny):
    from benchmarks import findings

    out, results, _ = tiny
    result = results["findings"]
    assert [c["command"] for c in result["commands"]] == [
        "floor (zip + expat)",
        "leadbook validate",
        "leadbook validate all-wrong",
    ]
    assert [r["id"] for r in result["rows"]] == ["every-row", "millions"]
    # Every cell of the all-wrong book is wrong: more findings than cells but the lead ID's
    # own few (29 fields a row), counted on the probe; the estimate is per row x rows.
    per_row = result["all_wrong_findings_per_row"]
    assert per_row >= 20 and result["all_wrong_findings"] == round(per_row * 40)
    wrong = data.files_of(data.DataSet(1, 40, variant=data.ALL_WRONG).folder(out))[0]
    assert findings.count_findings(wrong) == result["all_wrong_findings"]
    # Two findings on every row of the other (30 rows): a 潜力 not in the list, a bad 规模.
    two = data.files_of(data.DataSet(1, 30, defects=0.0, variant=data.TWO_PER_ROW).folder(out))
    report = findings.validate_json(two[0])
    issues = report["files"][0]["issues"]
    rows = {i["row"] for i in issues if i["field"] == "potential" and i["code"] == "not-in-list"}
    sizes = {i["row"] for i in issues if i["field"] == "size" and i["code"] == "invalid-size"}
    assert len(rows) == 30 and rows == sizes
    millions = result["rows"][1]
    assert millions["aim"] == "< 1,500 MB"
    assert "peak" in millions["leadbook"] and isinstance(millions["met"], bool)


def test_command_line_options():
    args = parse(["--quick", "--only", "validate", "--runs", "1", "--no-naive"])
    assert args.quick and args.only == ["validate"] and args.runs == 1 and args.no_naive
    assert BENCHMARKS == ("validate", "findings", "startup", "merge", "report")
    assert parse(["--only", "merge", "--only", "report"]).only == ["merge", "report"]


def test_merge_benchmark_on_tiny_data(tiny):
    from python_calamine import CalamineWorkbook

    from benchmarks import merge, write_floor

    out, results, _ = tiny
    result = results["merge"]
    assert [c["command"] for c in result["commands"]] == [
        "floor (zip + expat)",
        "leadbook merge",
        "xlsxwriter constant_memory",
    ]
    for c in result["commands"]:
        assert c["median_s"] > 0 and c["max_rss_mb"] > 0 and c["runs"] == 1
    assert result["leadbook_x_base"] > 0 and isinstance(result["ok"], bool)
    assert result["master"]["leads"] == 80 and result["master"]["log_entries"] > 80
    assert set(result["write_phases"]) == {"load_s", "write_s", "close_s", "total_s"}
    memory = result["memory"]
    assert memory["files"] == [1, 2, 4] and memory["leads"] == [20, 40, 80]
    assert all(mb > 0 for mb in memory["rss_mb"]) and isinstance(memory["flat"], bool)
    assert len(result["headlines"]) == 3
    assert "(aim <= 1.2x)" in result["headlines"][0] and "+ write" in result["headlines"][0]
    assert "grows with the rows" in result["headlines"][2]
    text = merge.report(result)
    assert "leadbook merge 2 files" in text and result["headlines"][0] in text
    assert not list(out.glob("merge-*"))  # the outputs' folder is removed
    # The table's row: merge over the anchor (floor + write, run by run), same as the headline.
    row, rss = result["rows"]
    assert row["id"] == "merge" and row["ratio"] == result["leadbook_x_base"]
    assert rss["id"] == "merge-rss" and rss["aim"] == "< 600 MB"

    # The master and its rows are cached; the write floor writes the same rows again, the
    # 官网 as text (URL conversion off, as leadbook writes).
    again: list[str] = []
    cached = data.master(out, data.DataSet(4, TINY), again.append)
    assert again == [] and cached.info == result["master"]
    target = out / "floor.xlsx"
    assert write_floor.main([str(cached.rows), str(target)]) == 0
    wb, master = (
        CalamineWorkbook.from_path(str(target)),
        CalamineWorkbook.from_path(str(cached.path)),
    )
    for name in wb.sheet_names:
        assert len(wb.get_sheet_by_name(name).to_python()) == len(
            master.get_sheet_by_name(name).to_python()
        )
    assert len(wb.sheet_names) == 2

    # A URL stays text: no hyperlink (XlsxWriter's strings_to_urls off, as leadbook writes).
    import pickle
    import zipfile

    rows = out / "url.rows.pickle"
    with open(rows, "wb") as f:
        pickle.dump([("线索台账", 2)], f)
        pickle.dump([["官网"], ["https://www.example.com.cn"]], f)
    assert write_floor.main([str(rows), str(out / "url.xlsx")]) == 0
    with zipfile.ZipFile(out / "url.xlsx") as zf:
        names = zf.namelist()
        assert "https://www.example.com.cn" in zf.read("xl/worksheets/sheet1.xml").decode()
    assert not any(n.startswith("xl/worksheets/_rels/") for n in names)


def test_report_benchmark_on_tiny_data(tiny):
    from benchmarks import report

    _, results, lines = tiny
    result = results["report"]
    assert [c["command"] for c in result["commands"]] == ["floor (zip + expat)", "leadbook report"]
    assert result["master"]["leads"] == 80
    assert result["written_mb"]["html"] > 0 and result["written_mb"]["xlsx"] > 0
    assert result["leadbook_x_floor"] > 0 and isinstance(result["ok"], bool)
    assert len(result["headlines"]) == 1 and "(aim <= 2x)" in result["headlines"][0]
    text = report.report(result)
    assert "the issue asks for 500,000 log entries" in text
    assert any("built the master" in line for line in lines)


def test_the_one_table_has_every_row(tiny):
    _, results, _ = tiny
    rows = summary.collect(results)
    assert [r["id"] for r in rows] == [i for i, _, _ in summary.ORDER]
    for row in rows:
        if row["id"] == "frictionless":  # not installed: said so, no verdict
            assert row["met"] is None and "not installed" in row["anchor"]
            continue
        assert isinstance(row["ratio"], float) and math.isfinite(row["ratio"])
        assert row["ratio"] > 0 and isinstance(row["met"], bool), row
        assert row["ratio_text"].endswith(("x", "x faster", "of the limit")), row
    by_id = {r["id"]: r for r in rows}
    lead, floor_s = (results["validate"]["datasets"][0][k] for k in ("leadbook_s", "floor_s"))
    # the dataset's seconds are rounded to the millisecond: on tiny data that is a few percent
    slack = 0.01 + 0.0006 / floor_s
    assert by_id["validate-one"]["ratio"] == pytest.approx(lead / floor_s, rel=slack)
    assert by_id["validate-one"]["met"] == (by_id["validate-one"]["ratio"] <= 2.0)
    md = summary.markdown(rows, "Measured on today.")
    lines = md.splitlines()
    assert lines[0] == "Measured on today." and lines[2].startswith("| measure | leadbook |")
    assert len(lines) == 4 + len(summary.ORDER)
    assert all(line.count(" | ") == 5 for line in lines[4:])  # six cells, no stray pipes
    text = summary.text(rows)
    assert all(r["measure"] in text for r in rows)


def test_main_writes_the_table_and_marks_what_did_not_run(tmp_path, capsys):
    assert main(["--quick", "--only", "startup", "--runs", "1", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "== the table (" in printed and "aims met" in printed
    md = (tmp_path / "table-quick.md").read_text(encoding="utf-8")
    assert md.startswith("Measured on ") and "--quick" in md.splitlines()[0]
    assert md.count("| not run |") == len(summary.ORDER) - 1  # startup alone ran
    saved = json.loads((tmp_path / "results-quick.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in saved["table"]] == [i for i, _, _ in summary.ORDER]
    startup = next(r for r in saved["table"] if r["id"] == "startup")
    assert startup["ratio"] > 0 and isinstance(startup["met"], bool)


def test_the_table_is_pasted_between_the_readme_markers(tmp_path):
    from benchmarks import readme

    page = tmp_path / "README.md"
    page.write_text(
        "# x\n\n## Performance\n<!-- bench-table -->\nold table\nold row\n<!-- /bench-table -->\n"
        "\nAfter.\n",
        encoding="utf-8",
    )
    table = tmp_path / "table.md"
    table.write_text("Measured on 2026-12-02.\n\n| measure |\n|---|\n| a |\n", encoding="utf-8")
    assert readme.main([str(table), str(page)]) == 0
    assert page.read_text(encoding="utf-8") == (
        "# x\n\n## Performance\n<!-- bench-table -->\nMeasured on 2026-12-02.\n\n| measure |\n"
        "|---|\n| a |\n<!-- /bench-table -->\n\nAfter.\n"
    )
    page.write_text("no markers\n", encoding="utf-8")
    assert readme.main([str(table), str(page)]) == 2
    assert page.read_text(encoding="utf-8") == "no markers\n"  # left as it was
