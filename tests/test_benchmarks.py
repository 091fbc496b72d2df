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
    assert "validate" in BENCHMARKS
