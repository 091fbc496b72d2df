"""The command line: exit codes, one-line errors, never a traceback."""

import subprocess
import sys

import openpyxl

from leadbook.cli import cli


def test_new_writes_a_workbook(runner, tmp_path):
    out = tmp_path / "leads.xlsx"
    result = runner.invoke(cli, ["new", str(out), "--rows", "20"])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert openpyxl.load_workbook(out).sheetnames[1] == "线索台账"


def test_new_refuses_to_overwrite_without_force(runner, tmp_path):
    out = tmp_path / "leads.xlsx"
    out.write_bytes(b"keep me")
    result = runner.invoke(cli, ["new", str(out)])
    assert result.exit_code == 2
    assert "文件已存在" in result.output and "--force" in result.output
    assert out.read_bytes() == b"keep me"
    assert runner.invoke(cli, ["new", str(out), "--force", "--rows", "5"]).exit_code == 0


def test_new_on_an_unwritable_path(runner, tmp_path):
    result = runner.invoke(cli, ["new", str(tmp_path / "missing" / "a.xlsx")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "不存在" in result.output


def test_new_on_a_bad_config_names_file_and_key(runner, tmp_path):
    config = tmp_path / "team.toml"
    config.write_text('dormancy_days = "soon"\n', encoding="utf-8")
    result = runner.invoke(cli, ["new", str(tmp_path / "a.xlsx"), "--config", str(config)])
    assert result.exit_code == 2
    assert result.output.strip() == f"leadbook: {config}: key 'dormancy_days':应为整数"
    english = runner.invoke(
        cli, ["new", str(tmp_path / "a.xlsx"), "--config", str(config), "--lang", "en"]
    )
    assert english.output.strip() == (
        f"leadbook: {config}: key 'dormancy_days': expected a whole number"
    )
    assert not (tmp_path / "a.xlsx").exists()


def test_new_english_with_team_config(runner, tmp_path):
    out = tmp_path / "en.xlsx"
    result = runner.invoke(
        cli, ["new", str(out), "--lang", "en", "--config", "examples/team.toml", "--rows", "5"]
    )
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[1] == "Leads"


def test_python_dash_m_and_no_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "leadbook", "new", str(tmp_path / "x" / "a.xlsx")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("leadbook: ")


def test_every_command_has_help_with_an_example(runner):
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, name
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"{name} {param.name}"
