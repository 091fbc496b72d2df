"""Encrypted workbooks (Excel's "Encrypt with Password", R-K2): every reading command opens
them with ``--password-env VAR``; a missing or wrong password is one line for that file and
the others go on; ``--encrypt`` locks the master, the conflicts report, the annotated copies,
the Excel summary and the hand-off copies. The password never shows in any output."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest
from books import clean_records, make_book
from conftest import clean_record
from msoffcrypto.format.ooxml import OOXMLFile

from leadbook.cli import cli
from leadbook.core.errors import OutputError
from leadbook.merge.conflicts import write_conflicts
from leadbook.merge.master import merge_paths

PASSWORD = "Lb-s3cret-口令-7731"
VAR = "LEADBOOK_TEST_PASSWORD"
ENV = {VAR: PASSWORD}
ASOF = ["--as-of", "2024-06-30 18:00"]


def encrypt(plain: Path, out: Path, password: str = PASSWORD) -> Path:
    with open(plain, "rb") as src, open(out, "wb") as dst:
        OOXMLFile(src).encrypt(password, dst)
    return out


def decrypted(path: Path, password: str = PASSWORD) -> io.BytesIO:
    office = msoffcrypto.OfficeFile(io.BytesIO(path.read_bytes()))
    office.load_key(password=password)
    out = io.BytesIO()
    office.decrypt(out)
    return out


def assert_locked(path: Path) -> openpyxl.Workbook:
    """``path`` is encrypted: no zip, openpyxl cannot read it, a wrong password fails, the
    right one opens it. Returns the workbook."""
    assert path.is_file() and not zipfile.is_zipfile(path)
    with pytest.raises(Exception):  # noqa: B017  openpyxl: InvalidFileException or BadZipFile
        openpyxl.load_workbook(path)
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        decrypted(path, "not-the-password")
    return openpyxl.load_workbook(decrypted(path))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(runner, *args, env=None):
    """Run a command; never a traceback, never the password in any output."""
    result = runner.invoke(cli, [str(a) for a in args], env=env)
    assert "Traceback" not in result.output, result.output
    assert PASSWORD not in result.output, "the password leaked into the output"
    assert PASSWORD not in result.stderr
    return result


def file_error(result, name: str) -> str | None:
    data = json.loads(result.stdout)
    return next(f["error"] for f in data["files"] if f["path"].endswith(name))


def file_rows(result, name: str) -> int:
    data = json.loads(result.stdout)
    return next(f["rows"] for f in data["files"] if f["path"].endswith(name))


@pytest.fixture
def books(tmp_path):
    """A plain workbook and an encrypted one, in reps/ (two leads each)."""
    folder = tmp_path / "reps"
    folder.mkdir()
    plain = make_book(folder / "plain.xlsx", clean_records(2))
    other = [
        clean_record(
            created_at=datetime(2024, 5, 25 + i, 10, 0),
            company=f"广州市恒泰{('贸易', '物流')[i]}有限公司",
            office_phone=f"020-8888000{i}",
            im_account=f"wxid_ht{i}",
            last_owner="*李",
        )
        for i in range(2)
    ]
    source = make_book(tmp_path / "source.xlsx", other)
    locked = encrypt(source, folder / "locked.xlsx")
    return plain, locked


# ------------------------------------------------------------------------------ reading
def test_validate_reads_an_encrypted_workbook_with_the_password(runner, books):
    plain, locked = books
    result = run(runner, "validate", locked, plain, "--format", "json", "--password-env", VAR,
                 *ASOF, env=ENV)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert file_error(result, "locked.xlsx") is None and file_rows(result, "locked.xlsx") == 2
    assert file_error(result, "plain.xlsx") is None


def test_without_the_password_the_file_is_one_line_and_the_others_are_checked(runner, books):
    plain, locked = books
    result = run(runner, "validate", locked, plain, "--format", "json", *ASOF)
    assert result.exit_code == 2
    assert "--password-env" in file_error(result, "locked.xlsx")
    assert file_error(result, "plain.xlsx") is None and file_rows(result, "plain.xlsx") == 2
    text = run(runner, "validate", locked, plain, *ASOF, "--lang", "en")
    assert text.exit_code == 2
    lines = [line for line in text.output.splitlines() if "password-protected" in line]
    assert len(lines) == 1 and "--password-env" in lines[0]


def test_a_wrong_password_is_one_line_and_the_others_are_checked(runner, books):
    plain, locked = books
    args = ["validate", locked, plain, "--format", "json", "--password-env", VAR, *ASOF]
    result = run(runner, *args, env={VAR: "wrong-password"})
    assert result.exit_code == 2
    assert file_error(result, "locked.xlsx") == "密码不对,无法打开这个加密的工作簿"
    assert file_error(result, "plain.xlsx") is None and file_rows(result, "plain.xlsx") == 2
    english = run(runner, *args, "--lang", "en", env={VAR: "wrong-password"})
    assert file_error(english, "locked.xlsx").startswith("wrong password")


def test_a_variable_that_is_not_set_stops_before_anything(runner, books, tmp_path):
    plain, locked = books
    out = tmp_path / "checked"
    for args in (
        ["validate", plain, "--annotate", out],
        ["merge", plain, "-o", tmp_path / "m.xlsx"],
        ["report", plain, "--xlsx", tmp_path / "s.xlsx"],
        ["handoff", locked, "--to", plain, "--lead", "X", "--rep", "*王"],
    ):
        result = run(runner, *args, "--password-env", "LEADBOOK_NOT_SET", env={VAR: PASSWORD})
        assert result.exit_code == 2, args
        assert (
            result.output
            == "leadbook: --password-env LEADBOOK_NOT_SET:这个环境变量没有设置或为空\n"
        )
        english = run(runner, *args, "--password-env", "LEADBOOK_NOT_SET", "--lang", "en")
        assert english.output == (
            "leadbook: --password-env LEADBOOK_NOT_SET: the environment variable is not set "
            "or empty\n"
        )
        empty = run(runner, *args, "--password-env", "LEADBOOK_EMPTY", env={"LEADBOOK_EMPTY": ""})
        assert empty.exit_code == 2 and empty.output.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reps", "source.xlsx"]


def test_encrypt_needs_a_password_and_an_output_to_lock(runner, books, tmp_path):
    plain, _ = books
    cases = {
        ("validate", plain, "--annotate", tmp_path / "a", "--encrypt"): "--password-env",
        ("merge", plain, "-o", tmp_path / "m.xlsx", "--encrypt"): "--password-env",
        ("report", plain, "--xlsx", tmp_path / "s.xlsx", "--encrypt"): "--password-env",
        ("validate", plain, "--encrypt", "--password-env", VAR): "--annotate",
        ("report", plain, "--encrypt", "--password-env", VAR): "--xlsx",
        ("report", plain, "--xlsx", tmp_path / "s.xlsx", "--html", tmp_path / "r.html",
         "--encrypt", "--password-env", VAR): "HTML 页面无法加密",
        ("merge", plain, "-o", tmp_path / "m.xlsx", "--conflicts", tmp_path / "c.csv",
         "--encrypt", "--password-env", VAR): "CSV 文件无法加密",
    }  # fmt: skip
    for args, message in cases.items():
        result = run(runner, *args, env=ENV)
        assert result.exit_code == 2, args
        assert message in result.output, (args, result.output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reps", "source.xlsx"]


def test_help_says_a_csv_cannot_be_encrypted(runner):
    result = run(runner, "merge", "--help")
    assert "cannot be encrypted" in " ".join(result.output.split())


# ------------------------------------------------------------------------------ merge
def test_merge_encrypt_writes_a_locked_master_and_report(runner, books, tmp_path):
    plain, locked = books
    before = {p: sha(p) for p in books}
    master, conflicts = tmp_path / "master.xlsx", tmp_path / "conflicts.xlsx"
    result = run(runner, "merge", plain.parent, "-o", master, "--conflicts", conflicts,
                 "--password-env", VAR, "--encrypt", *ASOF, env=ENV)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {p: sha(p) for p in books} == before  # inputs untouched, the locked one too
    wb = assert_locked(master)
    ws = wb["线索台账"]
    companies = {row[5] for row in ws.iter_rows(min_row=3, values_only=True) if row[5]}
    assert companies >= {"广州市恒泰贸易有限公司", clean_records(2)[0]["company"]}
    assert "校验结果" not in wb.sheetnames  # a master, not an annotated copy
    assert assert_locked(conflicts).sheetnames == ["字段冲突", "编号重复", "撞单"]


def test_merge_with_an_unreadable_input_exits_1(runner, books, tmp_path):
    plain, locked = books
    result = run(runner, "merge", locked, plain, "-o", tmp_path / "m.xlsx", *ASOF)
    assert result.exit_code == 1
    assert "locked.xlsx" in result.output and "--password-env" in result.output
    wrong = run(runner, "merge", locked, plain, "-o", tmp_path / "w.xlsx", "--password-env", VAR,
                *ASOF, env={VAR: "wrong-password"})  # fmt: skip
    assert wrong.exit_code == 1 and "密码不对" in wrong.output
    assert zipfile.is_zipfile(tmp_path / "w.xlsx")  # without --encrypt: written in clear


def test_merge_into_an_encrypted_master(runner, books, tmp_path):
    plain, locked = books
    master = tmp_path / "master.xlsx"
    first = run(runner, "merge", locked, "-o", master, "--password-env", VAR, "--encrypt",
                *ASOF, env=ENV)  # fmt: skip
    assert first.exit_code == 0, first.output
    before = sha(master)
    # replacing an encrypted master by a clear one is refused, and so is a master that
    # cannot be read: merging without its rows would lose them
    clear = run(runner, "merge", plain, "--into", master, "--password-env", VAR, *ASOF, env=ENV)
    assert clear.exit_code == 2 and "--encrypt" in clear.output
    wrong = run(runner, "merge", plain, "--into", master, "--password-env", VAR, "--encrypt",
                *ASOF, env={VAR: "wrong-password"})  # fmt: skip
    assert wrong.exit_code == 2 and "没有合并,也没有写入任何文件" in wrong.output
    assert sha(master) == before
    result = run(runner, "merge", plain, "--into", master, "--password-env", VAR, "--encrypt",
                 *ASOF, env=ENV)  # fmt: skip
    assert result.exit_code == 0, result.output
    ws = assert_locked(master)["线索台账"]
    header = [c.value for c in ws[2]]
    rows = [dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=3, values_only=True)]
    sources = sorted(r["来源文件"] for r in rows if r["公司名称"])
    assert sources == ["locked.xlsx", "locked.xlsx", "plain.xlsx", "plain.xlsx"]  # carried
    copy = tmp_path / "clear.xlsx"
    out = run(runner, "merge", "--into", master, "-o", copy, "--password-env", VAR, *ASOF,
              env=ENV)  # fmt: skip
    assert out.exit_code == 0 and zipfile.is_zipfile(copy)  # -o: a clear copy, asked for


def test_write_conflicts_refuses_to_encrypt_a_csv(books, tmp_path):
    result = merge_paths([books[0]], as_of=datetime(2024, 6, 30, 18))
    with pytest.raises(OutputError, match="cannot be encrypted"):
        write_conflicts(result, tmp_path / "c.csv", password=PASSWORD)
    assert not (tmp_path / "c.csv").exists()


# ------------------------------------------------------------------------------ annotate
def test_validate_annotate_encrypt_locks_the_copies(runner, books, tmp_path):
    plain, locked = books
    out = tmp_path / "checked"
    result = run(runner, "validate", plain.parent, "--annotate", out, "--password-env", VAR,
                 "--encrypt", *ASOF, env=ENV)  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("plain.xlsx", "locked.xlsx"):
        wb = assert_locked(out / name)
        assert wb.sheetnames[:3] == ["校验结果", "使用说明", "线索台账"]
    clear = tmp_path / "clear"
    again = run(runner, "validate", locked, "--annotate", clear, "--password-env", VAR, *ASOF,
                env=ENV)  # fmt: skip
    assert again.exit_code == 0 and zipfile.is_zipfile(clear / "locked.xlsx")


# ------------------------------------------------------------------------------ report
def test_report_reads_encrypted_inputs_and_locks_the_summary(runner, books, tmp_path):
    plain, locked = books
    summary = tmp_path / "summary.xlsx"
    result = run(runner, "report", plain.parent, "--xlsx", summary, "--password-env", VAR,
                 "--encrypt", *ASOF, env=ENV)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(assert_locked(summary).sheetnames) > 3
    without = run(runner, "report", plain.parent, *ASOF)
    assert without.exit_code == 1 and "locked.xlsx" in without.output


def test_a_report_on_an_encrypted_master_equals_one_on_the_clear_master(runner, books, tmp_path):
    plain, _ = books
    args = ["--password-env", VAR, *ASOF]
    clear, locked = tmp_path / "clear.xlsx", tmp_path / "locked.xlsx"
    assert run(runner, "merge", plain.parent, "-o", clear, *args, env=ENV).exit_code == 0
    assert run(runner, "merge", plain.parent, "-o", locked, *args, "--encrypt",
               env=ENV).exit_code == 0  # fmt: skip
    on_clear = run(runner, "report", clear, *args, env=ENV)
    on_locked = run(runner, "report", locked, *args, env=ENV)
    assert on_clear.exit_code == on_locked.exit_code == 0
    assert on_clear.output == on_locked.output


# ------------------------------------------------------------------------------ handoff
def test_handoff_between_encrypted_workbooks(runner, books, tmp_path):
    plain, locked = books
    target = encrypt(plain, tmp_path / "target.xlsx")
    lead = ["--lead", "EXPO20240525001", "--rep", "*王"]
    missing = run(runner, "handoff", locked, "--to", target, *lead, *ASOF)
    assert missing.exit_code == 2 and missing.output.count("\n") == 1
    assert "--password-env" in missing.output
    wrong = run(runner, "handoff", locked, "--to", target, *lead, "--password-env", VAR, *ASOF,
                env={VAR: "wrong-password"})  # fmt: skip
    assert wrong.exit_code == 2 and wrong.output.count("\n") == 1 and "密码不对" in wrong.output
    out = tmp_path / "out"
    out.mkdir()
    result = run(runner, "handoff", locked, "--to", target, *lead, "--out-dir", out,
                 "--password-env", VAR, "--encrypt", *ASOF, env=ENV)  # fmt: skip
    assert result.exit_code == 0, result.output
    moved = assert_locked(out / "target.handoff.xlsx")["线索台账"]
    companies = [r[5] for r in moved.iter_rows(min_row=3, values_only=True) if r[5]]
    assert "广州市恒泰贸易有限公司" in companies and len(companies) == 3
    assert_locked(out / "locked.handoff.xlsx")


def test_the_plain_workbook_is_never_written_next_to_the_encrypted_one(tmp_path, monkeypatch):
    """The target's folder may be shared or synced: it only ever sees the encrypted file."""
    import stat

    from leadbook.core import crypto
    from leadbook.workbook.template import write_workbook

    seen = []
    real = crypto.encrypt_file

    def spy(plain: Path, target: Path, password: str) -> None:
        folder = plain.parent
        seen.append((folder, stat.S_IMODE(folder.stat().st_mode), plain.stat().st_size))
        assert folder != target.parent
        assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # empty temp
        real(plain, target, password)

    monkeypatch.setattr(crypto, "encrypt_file", spy)
    out = tmp_path / "out" / "new.xlsx"
    out.parent.mkdir()
    write_workbook(out, rows=5, password=PASSWORD)
    ((folder, mode, size),) = seen
    assert mode == 0o700 and size > 0
    assert not folder.exists()  # removed with the plain file
    assert [p.name for p in out.parent.iterdir()] == ["new.xlsx"]
    assert_locked(out)
