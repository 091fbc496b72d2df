"""Smoke test of the benchmarks package (``make bench``) on tiny generated data."""

from __future__ import annotations

import json

from benchmarks import BENCHMARKS, data, floor, validate
from benchmarks.__main__ import parse
from benchmarks.util import Options


def test_validate_benchmark_on_tiny_data(tmp_path):
    lines: list[str] = []
    opts = Options(runs=1, out=tmp_path, naive_log=True, log=lines.append)
    sizes = validate.Sizes(rows=60, files=2, file_rows=20)

    result = validate.run(opts, sizes)

    json.dumps(result)  # results.json takes it as it is
    assert [d["key"] for d in result["datasets"]] == ["one", "many"]
    for d in result["datasets"]:
        names = [c["command"] for c in d["commands"]]
        assert names == [
            "floor (zip + expat)",
            "leadbook validate",
            "naive (pandas+openpyxl+pandera)",
        ]
        for c in d["commands"]:
            assert c["median_s"] > 0 and c["min_s"] > 0 and c["max_rss_mb"] > 0
            assert c["runs"] == 1
        assert d["leadbook_x_floor"] > 0 and d["naive_over_leadbook"] > 0
        assert isinstance(d["floor_ok"], bool) and isinstance(d["naive_ok"], bool)
    assert result["datasets"][1]["files"] == 2
    memory = result["memory"]
    assert memory["files"] == [1, 2]
    assert all(mb > 0 for mb in memory["rss_mb"]) and isinstance(memory["flat"], bool)
    assert len(result["headlines"]) == 3
    assert "x floor (aim <= 3.5x)" in result["headlines"][0]
    assert "faster than naive" in result["headlines"][1]
    text = validate.report(result)
    assert "leadbook validate" in text and result["headlines"][-1] in text

    # The data sets are cached: a second prepare generates nothing.
    again: list[str] = []
    one, many = data.DataSet(1, 60), data.DataSet(2, 20)
    folders = data.prepare(tmp_path, [one, many], again.append)
    assert again == [] and len(data.files_of(folders[1])) == 2
    assert any("generation took" in line for line in lines)
    assert floor.parse(data.files_of(folders[0])[0]) > 0


def test_command_line_options():
    args = parse(["--quick", "--only", "validate", "--runs", "1", "--no-naive"])
    assert args.quick and args.only == ["validate"] and args.runs == 1 and args.no_naive
    assert BENCHMARKS == ("validate", "merge", "report")
    assert parse(["--only", "merge", "--only", "report"]).only == ["merge", "report"]


def test_merge_benchmark_on_tiny_data(tmp_path):
    from python_calamine import CalamineWorkbook

    from benchmarks import merge, write_floor

    lines: list[str] = []
    opts = Options(runs=1, out=tmp_path, log=lines.append)

    result = merge.run(opts, merge.Sizes(files=4, file_rows=20))

    json.dumps(result)
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
    assert "(aim <= 1.5x)" in result["headlines"][0] and "+ write" in result["headlines"][0]
    assert "grows with the rows" in result["headlines"][2]
    text = merge.report(result)
    assert "leadbook merge 2 files" in text and result["headlines"][0] in text
    assert not list(tmp_path.glob("merge-*"))  # the outputs' folder is removed

    # The master and its rows are cached; the write floor writes the same rows again.
    again: list[str] = []
    cached = data.master(tmp_path, data.DataSet(4, 20), again.append)
    assert again == [] and cached.info == result["master"]
    out = tmp_path / "floor.xlsx"
    assert write_floor.main([str(cached.rows), str(out)]) == 0
    wb, master = CalamineWorkbook.from_path(str(out)), CalamineWorkbook.from_path(str(cached.path))
    for name in wb.sheet_names:
        assert len(wb.get_sheet_by_name(name).to_python()) == len(
            master.get_sheet_by_name(name).to_python()
        )
    assert len(wb.sheet_names) == 2


def test_report_benchmark_on_tiny_data(tmp_path):
    from benchmarks import report

    lines: list[str] = []
    opts = Options(runs=1, out=tmp_path, log=lines.append)

    result = report.run(opts, report.Sizes(files=3, file_rows=20))

    json.dumps(result)
    assert [c["command"] for c in result["commands"]] == ["floor (zip + expat)", "leadbook report"]
    assert result["master"]["leads"] == 60
    assert result["written_mb"]["html"] > 0 and result["written_mb"]["xlsx"] > 0
    assert result["leadbook_x_floor"] > 0 and isinstance(result["ok"], bool)
    assert len(result["headlines"]) == 1 and "x floor" in result["headlines"][0]
    text = report.report(result)
    assert "the issue asks for 500,000 log entries" in text
    assert any("built the master" in line for line in lines)
