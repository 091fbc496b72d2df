"""Bad input gets one clear line and exit code 2, never a traceback; the others are checked."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from books import clean_records, make_book
from msoffcrypto.format.ooxml import OOXMLFile

from leadbook.cli import cli


def run(runner, *paths, extra=()):
    result = runner.invoke(cli, ["validate", *map(str, paths), "--format", "json", *extra])
    assert "Traceback" not in result.output
    return result, json.loads(result.output)


def error_of(data, name):
    return next(f["error"] for f in data["files"] if f["path"].endswith(name))


@pytest.fixture
def good(tmp_path):
    return make_book(tmp_path / "good.xlsx", clean_records(2))


def test_password_protected(tmp_path, runner, good):
    locked = tmp_path / "locked.xlsx"
    with open(good, "rb") as src, open(locked, "wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    result, data = run(runner, locked, good)
    assert result.exit_code == 2
    assert "密码" in error_of(data, "locked.xlsx")
    assert error_of(data, "good.xlsx") is None


def test_truncated_zip(tmp_path, runner, good):
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result, data = run(runner, cut)
    assert result.exit_code == 2 and "损坏" in error_of(data, "cut.xlsx")


def test_zip_bomb_is_refused_before_unpacking(tmp_path, runner):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b" " * (1 << 20)
            for _ in range(80):
                fh.write(chunk)
    assert bomb.stat().st_size < 1 << 20
    result, data = run(runner, bomb)
    assert result.exit_code == 2 and "压缩炸弹" in error_of(data, "bomb.xlsx")


def test_size_limit_from_config(tmp_path, runner, good):
    config = tmp_path / "team.toml"
    config.write_text("[validate]\nmax_file_mb = 0.001\n", encoding="utf-8")
    result, data = run(runner, good, extra=["--config", str(config)])
    assert result.exit_code == 2 and "超过上限" in error_of(data, "good.xlsx")


def test_no_register_sheet(tmp_path, runner):
    import xlsxwriter

    other = tmp_path / "other.xlsx"
    wb = xlsxwriter.Workbook(str(other))
    wb.add_worksheet("预算").write_row(0, 0, ["项目", "金额", "备注"])
    wb.close()
    result, data = run(runner, other)
    assert result.exit_code == 2 and "找不到线索台账" in error_of(data, "other.xlsx")


def test_not_a_workbook_and_empty_and_missing(tmp_path, runner):
    (tmp_path / "a.xlsx").write_text("name,phone\n", encoding="utf-8")
    (tmp_path / "b.xlsx").write_bytes(b"")
    result, data = run(runner, tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "nope.xlsx")
    assert result.exit_code == 2
    assert "不是 Excel" in error_of(data, "a.xlsx")
    assert "空" in error_of(data, "b.xlsx")
    assert "不存在" in error_of(data, "nope.xlsx")


def test_english_file_errors(tmp_path, runner):
    (tmp_path / "b.xlsx").write_bytes(b"")
    result, data = run(runner, tmp_path / "b.xlsx", extra=["--lang", "en"])
    assert error_of(data, "b.xlsx") == "the file is empty (0 bytes)"


def test_text_output_shows_the_error_in_place(tmp_path, runner, good):
    (tmp_path / "b.xlsx").write_bytes(b"")
    result = runner.invoke(cli, ["validate", str(tmp_path / "b.xlsx"), str(good)])
    assert result.exit_code == 2
    assert "b.xlsx" in result.output and "空" in result.output


def test_bad_options_exit_2(runner, good):
    result = runner.invoke(cli, ["validate", str(good), "--as-of", "someday"])
    assert result.exit_code == 2 and "someday" in result.output


def test_calamine_reads_from_memory_too():
    # guard for the reader's assumption that python-calamine returns '' for empty cells
    from python_calamine import CalamineWorkbook

    buf = io.BytesIO()
    import xlsxwriter

    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("s")
    ws.write(0, 0, "a")
    ws.write(0, 2, "c")
    wb.close()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue())).get_sheet_by_name("s")
    assert rows.to_python(skip_empty_area=False) == [["a", "", "c"]]
