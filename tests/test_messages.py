"""Issue 10.7: every message a command prints is Chinese by default and English with --lang
en, from one catalogue (templates/messages.toml); click's own usage errors too."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from books import clean_records, make_book

from leadbook.cli import cli
from leadbook.core.messages import catalogue

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_catalogue_has_both_languages_with_the_same_placeholders():
    entries = catalogue()
    assert len(entries) > 40
    for key, entry in entries.items():
        assert set(entry) == {"zh", "en"}, key
        assert _fields(entry["zh"]) == _fields(entry["en"]), key
        words = re.sub(r"\{[^}]*\}|leadbook", "", entry["en"])
        if re.search("[a-z]{3}", words):  # a sentence, not a frame like "leadbook: {path}"
            assert CJK.search(entry["zh"]), key
        assert not CJK.search(entry["en"].replace("撞单", "")), key


def test_every_key_the_code_uses_is_in_the_catalogue():
    used = set()
    for path in (ROOT / "leadbook").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'\bkey="([a-z_]+)"', source))
        used |= set(re.findall(r'\b(?:message|text)\(\s*"([a-z_]+)"', source))
        used |= {f"progress_{m}" for m in re.findall(r'progress\([^)]*"([a-z]+)", lang', source)}
    assert used, "no message keys found"
    assert used <= set(catalogue()), used - set(catalogue())


def test_every_command_accepts_lang():
    for name, command in cli.commands.items():
        assert "--lang" in {o for p in command.params for o in getattr(p, "opts", [])}, name


@pytest.fixture
def book(tmp_path):
    return make_book(tmp_path / "rep.xlsx", clean_records(2))


def _cases(tmp_path, book):
    """(arguments, the Chinese text, the English text) per command error."""
    existing = tmp_path / "exists.xlsx"
    existing.write_bytes(b"x")
    nothing = str(tmp_path / "nothing.xlsx")
    bad_config = tmp_path / "team.toml"
    bad_config.write_text("dormancy_days = 0\n", encoding="utf-8")
    return [
        (["validate"], "缺少参数 'PATHS...'", "Missing argument 'PATHS...'."),
        (["validate", book, "--bogus"], "没有这个选项:--bogus", "No such option"),
        (["validate", book, "--as-of", "soon"], "不是日期或时间", "is not a date or time"),
        (["validate", book, "--encrypt", "--password-env", "X"], "--annotate 文件夹", "give --annotate DIR"),
        (["validate", book, "--password-env", "LEADBOOK_UNSET_VAR"], "这个环境变量没有设置或为空", "is not set or empty"),
        (["merge", book], "请用 -o 总表.xlsx 指定要写入的总表", "give the master to write with -o"),
        (["merge"], "请给出要合并的工作簿", "give the workbooks to merge"),
        (["merge", nothing, "-o", str(tmp_path / "m.xlsx")], "输入中没有可读取的工作簿:没有合并任何内容", "no readable workbook among the inputs: nothing merged"),
        (["merge", book, "--into", nothing], "找不到 --into 指定的总表", "--into master not found"),
        (["report", nothing], "输入中没有可读取的工作簿:无法生成报告", "no readable workbook among the inputs: nothing to report"),
        (["report", book, "--encrypt", "--password-env", "X"], "--xlsx 文件", "give --xlsx FILE"),
        (["report", book, "--period", "year"], "不是可选的值", "is not one of"),
        (["new", existing], "文件已存在(加 --force 覆盖)", "already exists (use --force to overwrite)"),
        (["new", tmp_path / "no" / "x.xlsx"], "不存在", "does not exist"),
        (["new", tmp_path / "n.xlsx", "--rows", "0"], "不在范围", "is not in the range"),
        (["sample", tmp_path / "s", "--reps", "0"], "不在范围 1<=x<=2000 之内", "is not in the range 1<=x<=2000"),
        (["handoff", book, "--to", existing, "--lead", "X", "--rep", "*李", "--out-dir", existing], "这里要的是文件夹", "is a file"),
        (["handoff", book, "--to", book, "--lead", "X", "--rep", "*李"], "转出和转入的是同一个工作簿", "source and target are the same workbook"),
        (["handoff", book, "--to", book, "--rep", "*李"], "缺少选项 '--lead'", "Missing option '--lead'"),
        (["new", tmp_path / "c.xlsx", "--config", bad_config], "dormancy_days 必须为正数", "dormancy_days must be positive"),
        (["validate", book, "--config", tmp_path / "none.toml"], "none.toml:找不到这个文件", "none.toml: file not found"),
        (["frobnicate"], "没有这个命令:'frobnicate'", "No such command 'frobnicate'"),
    ]  # fmt: skip


def test_command_errors_in_chinese_by_default_and_english_with_lang_en(runner, tmp_path, book):
    for args, zh, en in _cases(tmp_path, book):
        args = [str(a) for a in args]
        chinese = runner.invoke(cli, args)
        assert chinese.exit_code == 2, (args, chinese.output)
        assert zh in chinese.output, (args, chinese.output)
        assert "Traceback" not in chinese.output
        # In Chinese mode no English sentence is left: click's frame is translated too.
        for word in ("Error:", "Usage:", "Try ", "Missing", "Invalid value"):
            assert word not in chinese.output, (args, chinese.output)
        english = runner.invoke(cli, [*args, "--lang", "en"])
        assert english.exit_code == 2, (args, english.output)
        assert en in english.output, (args, english.output)
        assert not CJK.search(english.output.replace(str(tmp_path), "").replace("*李", "")), (
            args,
            english.output,
        )


def test_summaries_in_both_languages(runner, tmp_path, book):
    out = tmp_path / "new.xlsx"
    result = runner.invoke(cli, ["new", str(out), "--rows", "5"])
    assert result.output == f"已写入 {out}\n"
    again = runner.invoke(cli, ["new", str(out), "--rows", "5", "--force", "--lang", "en"])
    assert again.output == f"wrote {out}\n"
    made = runner.invoke(cli, ["sample", str(tmp_path / "s"), "--reps", "1", "--leads", "3"])
    assert made.exit_code == 0 and made.output.startswith(f"已在 {tmp_path / 's'} 写入 1 个工作簿")
    made = runner.invoke(
        cli, ["sample", str(tmp_path / "s2"), "--reps", "1", "--leads", "3", "--lang", "en"]
    )
    assert made.exit_code == 0 and made.output.startswith("wrote 1 workbooks x 3 leads")
