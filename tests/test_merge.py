"""``leadbook merge``: one master from many reps' workbooks, with provenance, conflicts and
撞单; idempotent, order-free, safe with user text, never touching its inputs."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from books import clean_records, make_book, seed_layout_book
from conftest import AS_OF, clean_record
from python_calamine import CalamineWorkbook
from realclients import soffice_convert

from leadbook.check.validate import validate_paths
from leadbook.cli import cli
from leadbook.core.provenance import REGISTER as PROVENANCE
from leadbook.merge.conflicts import neutralise, report_rows, write_conflicts
from leadbook.merge.master import master_records, merge_paths, write_master
from leadbook.sample.make import make_sample

ASOF = ["--as-of", "2024-06-30 18:00"]
T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def cells(path: Path) -> dict[str, list[list]]:
    """Every cell of every sheet, as python-calamine reads them (docProps left out)."""
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def merge(runner, *args):
    result = runner.invoke(cli, ["merge", *map(str, args), *ASOF, "--force"])
    assert result.exit_code in (0, 1), result.output
    return result


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reps")
    return make_sample(folder, reps=4, leads=15, as_of=AS_OF, seed=7)


@pytest.fixture(scope="module")
def merged(sample, tmp_path_factory):
    """The sample merged (library call), and its master written."""
    result = merge_paths([p.parent for p in sample.paths[:1]], as_of=AS_OF)
    out = tmp_path_factory.mktemp("master") / "master.xlsx"
    write_master(result, out)
    return result, out


# ------------------------------------------------------------------ counts and 撞单
def test_row_counts_add_up_and_are_printed(runner, sample, tmp_path):
    out = tmp_path / "master.xlsx"
    result = runner.invoke(cli, ["merge", str(sample.paths[0].parent), "-o", str(out), *ASOF])
    assert result.exit_code == 0, result.output
    m = re.search(r"输入 (\d+) 行 = 主表 (\d+) 行 \+ 合并重复 (\d+) 行", result.output)
    assert m, result.output
    inputs, master, merged = map(int, m.groups())
    assert inputs == 4 * 15 == master + merged
    register = cells(out)["线索台账"]
    assert sum(1 for row in register[2:] if row[0]) == master
    assert "撞单" in result.output and f"已写入 {out}" in result.output


def test_every_planted_duplicate_is_reported(merged, sample):
    result, _ = merged
    groups = [{(m.source_file, m.source_lead_id) for m in g.members} for g in result.groups]
    assert len(sample.duplicates) == 2
    for dup in sample.duplicates:
        pair = {(file, lead_id) for file, lead_id, _ in dup.entries}
        assert any(pair <= g for g in groups), dup
    for group in result.groups:  # the first registration owns the customer
        created = [m.created_at for m in group.members]
        assert created == sorted(created)


def test_later_registrations_are_marked_in_the_findings_column(merged):
    result, _ = merged
    register, _ = master_records(result)
    by_source = {(r["source_file"], r["source_lead_id"]): r for r in register}
    for group in result.groups:
        owner, *later = group.members
        assert "撞单" not in (
            by_source[(owner.source_file, owner.source_lead_id)]["findings"] or ""
        )
        for m in later:
            findings = by_source[(m.source_file, m.source_lead_id)]["findings"]
            assert f"撞单:以 {owner.rep} {owner.lead_id} 为准" in findings


def test_provenance_columns(merged, sample):
    result, out = merged
    register = cells(out)["线索台账"]
    header = register[1]
    for _, zh, _, _ in PROVENANCE:
        assert zh in header
    col = {h: i for i, h in enumerate(header)}
    row = register[2]
    assert row[col["来源文件"]] in {p.name for p in sample.paths}
    assert re.fullmatch(r"线索台账!\d+", row[col["来源位置"]])
    assert row[col["负责销售"]].startswith("*")
    log = cells(out)["跟进记录"]
    assert {"来源文件", "来源位置"} <= set(log[0])
    assert len([r for r in log[1:] if r[0]]) == result.log.height


# ------------------------------------------------------------ idempotent, order-free
def test_merging_the_master_again_changes_nothing(runner, merged, sample, tmp_path):
    _, master = merged
    again = tmp_path / "again.xlsx"
    merge(runner, master, sample.paths[0], "-o", again)
    assert cells(again) == cells(master)
    twice = tmp_path / "twice.xlsx"
    merge(runner, master, *sample.paths, master, "-o", twice)
    assert cells(twice) == cells(master)


def test_the_order_of_inputs_does_not_matter(runner, merged, sample, tmp_path):
    _, master = merged
    backwards = tmp_path / "backwards.xlsx"
    merge(runner, *reversed(sample.paths), "-o", backwards)
    assert cells(backwards) == cells(master)


def test_into_merges_new_workbooks_into_last_weeks_master(runner, merged, sample, tmp_path):
    _, full = merged
    week = tmp_path / "week.xlsx"
    merge(runner, *sample.paths[:2], "-o", week)
    before = sha(week)
    result = runner.invoke(cli, ["merge", *map(str, sample.paths[2:]), "--into", str(week), *ASOF])
    assert result.exit_code == 0, result.output
    assert sha(week) != before  # replaced in place (atomically) ...
    assert cells(week) == cells(full)  # ... by the same master as merging everything at once


def test_inputs_are_never_modified(runner, sample, tmp_path):
    before = {p: sha(p) for p in sample.paths}
    merge(runner, *sample.paths, "-o", tmp_path / "m.xlsx", "--conflicts", tmp_path / "c.csv")
    assert {p: sha(p) for p in sample.paths} == before


# ------------------------------------------------------------------ one lead, versions
def two_versions(tmp_path: Path, later: dict, earlier: dict | None = None):
    """The same lead (same ID, same customer) in two reps' files, the first edited."""
    base = clean_records(2)
    a = [dict(base[0], **(earlier or {})), base[1]]
    b = [dict(base[0], **later)]
    return make_book(tmp_path / "a.xlsx", a), make_book(tmp_path / "b.xlsx", b)


def test_latest_contact_wins_and_differences_are_conflicts(tmp_path):
    later = {
        "last_contact_at": datetime(2024, 6, 25, 9, 0),
        "status": "待报价",
        "budget": "50万以上",
    }
    a, b = two_versions(tmp_path, later)
    result = merge_paths([a, b], as_of=AS_OF)
    assert (result.input_rows, result.master_rows, result.merged) == (3, 2, 1)
    register, log = master_records(result)
    lead = next(r for r in register if r["source_file"] == "b.xlsx")
    assert lead["status"] == "待报价" and lead["budget"] == "50万以上"
    fields = {c.field: c for c in result.conflicts}
    assert set(fields) == {"status", "budget", "last_contact_at"}
    budget = fields["budget"]
    assert [v[3] for v in budget.values] == ["30-50万", "50万以上"]
    assert budget.winner[0] == "b.xlsx"
    rows = report_rows(result)["conflict"]
    assert ("采用" in {r[-1] for r in rows}) and ("未采用" in {r[-1] for r in rows})
    # both files' log entries of the lead are kept, identical ones once
    entries = [e for e in log if e["lead_id"] == lead["lead_id"]]
    assert len(entries) == 3  # the shared first call, and each file's latest entry


def test_a_tie_on_the_latest_contact_is_broken_by_content_not_order(tmp_path):
    a, b = two_versions(tmp_path, {"budget": "50万以上"})
    one = master_records(merge_paths([a, b], as_of=AS_OF))[0]
    other = master_records(merge_paths([b, a], as_of=AS_OF))[0]
    assert list(one) == list(other)


def test_one_lead_id_for_two_customers_is_renumbered(tmp_path):
    first = clean_records(1)
    second = [dict(first[0], company="广州市恒泰贸易有限公司", created_at=first[0]["created_at"] + timedelta(hours=2),
                   office_phone="020-88001234", im_account="wxid_hengtai")]  # fmt: skip
    a = make_book(tmp_path / "a.xlsx", first)
    b = make_book(tmp_path / "b.xlsx", second)
    result = merge_paths([a, b], as_of=AS_OF)
    register, log = master_records(result)
    ids = {r["company"]: (r["lead_id"], r["source_lead_id"]) for r in register}
    assert ids[first[0]["company"]] == ("EXPO20240521001", "EXPO20240521001")
    assert ids["广州市恒泰贸易有限公司"] == ("EXPO20240521002", "EXPO20240521001")
    assert [(r.old_id, r.new_id, r.source_file) for r in result.renumbered] == [
        ("EXPO20240521001", "EXPO20240521002", "b.xlsx")
    ]
    from_b = {e["lead_id"] for e in log if e["source_file"] == "b.xlsx"}
    assert from_b == {"EXPO20240521002"}  # its log followed it


# ------------------------------------------------------------------ safety
def test_user_text_that_looks_like_a_formula_stays_text(tmp_path):
    texts = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-1", "@SUM(A1)"]
    records = [
        clean_record(
            created_at=datetime(2024, 5, 21, 9 + i), need=t, company=f"华创{i}号科技有限公司"
        )
        for i, t in enumerate(texts)
    ]
    book = make_book(tmp_path / "a.xlsx", records)
    out = write_master(merge_paths([book], as_of=AS_OF), tmp_path / "m.xlsx")
    ws = openpyxl.load_workbook(out)["线索台账"]
    col = [c.value for c in ws[2]].index("核心需求描述") + 1
    got = {ws.cell(r, col).value: ws.cell(r, col).data_type for r in range(3, 3 + len(texts))}
    assert got == {t: "s" for t in texts}
    with zipfile.ZipFile(out) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet2.xml")


def test_csv_output_neutralises_formula_injection(tmp_path):
    assert [neutralise(s) for s in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "ok")] == [
        "'=1+1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok",
    ]  # fmt: skip
    a, b = two_versions(tmp_path, {"need": '=HYPERLINK("http://x","y")'}, {"need": "@SUM(A1)"})
    result = merge_paths([a, b], as_of=AS_OF)
    out = write_conflicts(result, tmp_path / "c.csv")
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    needs = {r[5] for r in rows[1:] if r[4] == "核心需求描述"}
    assert needs == {'\'=HYPERLINK("http://x","y")', "'@SUM(A1)"}
    assert all(line.startswith('"') for line in text.splitlines())  # every cell quoted


def test_conflicts_report_as_xlsx(tmp_path, merged):
    result, _ = merged
    out = write_conflicts(result, tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["字段冲突", "编号重复", "撞单"]
    dup = wb["撞单"]
    assert [c.value for c in dup[1]][:3] == ["撞单组", "关联依据", "销售A"]
    # one row per later registration, beside the first one (A), which owns the customer
    assert dup.max_row - 1 == sum(len(g.members) - 1 for g in result.groups)
    assert all(c.data_type == "s" for row in dup.iter_rows(min_row=2) for c in row if c.value)


def test_personal_data_is_masked_and_flagged(tmp_path):
    records = clean_records(2)
    records[0]["need"] += "(对接人手机:13812345678,邮箱zhang.san@qq.com)"
    book = make_book(tmp_path / "a.xlsx", records)
    result = merge_paths([book], as_of=AS_OF)
    register, _ = master_records(result)
    flagged = next(r for r in register if "手机" in r["need"])
    assert "138****5678" in flagged["need"] and "z***@qq.com" in flagged["need"]
    assert "13812345678" not in flagged["need"]
    assert "personal-mobile" in flagged["finding_codes"]
    assert "含个人手机号" in flagged["findings"]  # the code's title, in the workbook's language


# ------------------------------------------------------------------ rows with findings
def test_rows_with_errors_are_kept_and_flagged(merged):
    result, _ = merged
    register, _ = master_records(result)
    errors = [r for r in register if "required-missing" in (r["finding_codes"] or "")]
    assert errors  # the sample plants a missing company
    assert result.flagged >= len(errors)


def test_valid_only_leaves_rows_with_errors_out_and_says_how_many(runner, sample, tmp_path):
    out = tmp_path / "valid.xlsx"
    result = merge(runner, *sample.paths, "-o", out, "--valid-only")
    m = re.search(r"合并重复 (\d+) 行 \+ 有错误而略去 (\d+) 行", result.output)
    assert m, result.output
    assert int(m.group(2)) > 0
    findings = cells(out)["线索台账"]
    col = findings[1].index("校验代码")
    assert not any("required-missing" in str(row[col]) for row in findings[2:])


# ------------------------------------------------------------------ inputs and outputs
def test_an_unreadable_input_is_reported_and_skipped(runner, sample, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(sample.paths[0].parent, folder)
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    out = tmp_path / "m.xlsx"
    result = runner.invoke(cli, ["merge", str(folder), "-o", str(out), *ASOF])
    assert result.exit_code == 1, result.output
    assert "broken.xlsx" in result.output and "无法读取" in result.output
    assert "输入 60 行" in result.output and out.is_file()


def test_nothing_readable_is_exit_2(runner, tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"nope")
    result = runner.invoke(
        cli, ["merge", str(tmp_path / "broken.xlsx"), "-o", str(tmp_path / "m.xlsx")]
    )
    assert result.exit_code == 2
    assert not (tmp_path / "m.xlsx").exists()


def test_an_existing_master_is_not_overwritten_without_force(runner, sample, tmp_path):
    out = tmp_path / "m.xlsx"
    out.write_bytes(b"keep me")
    result = runner.invoke(cli, ["merge", *map(str, sample.paths), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "--force" in result.output
    assert out.read_bytes() == b"keep me"


def test_bad_options_are_usage_errors(runner, tmp_path):
    assert runner.invoke(cli, ["merge", str(tmp_path)]).exit_code == 2  # no -o
    assert runner.invoke(cli, ["merge", "-o", str(tmp_path / "m.xlsx")]).exit_code == 2
    result = runner.invoke(cli, ["merge", "--into", str(tmp_path / "none.xlsx")])
    assert result.exit_code == 2 and "找不到 --into 指定的总表" in result.output
    args = ["merge", str(tmp_path), "-o", str(tmp_path / "m.xlsx"), "--conflicts", "c.txt"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2 and ".xlsx 或 .csv" in result.output


def test_the_seed_layout_is_merged(tmp_path):
    book = seed_layout_book(tmp_path / "seed.xlsx", clean_records(2))
    register, _ = master_records(merge_paths([book], as_of=AS_OF))
    assert [(r["province"], r["city"]) for r in register] == [("广东省", "深圳市")] * 2
    assert all(isinstance(r["created_at"], datetime) for r in register)


def test_english_master(runner, sample, tmp_path):
    out = tmp_path / "m.xlsx"
    result = merge(runner, *sample.paths, "-o", out, "--lang", "en")
    assert "input rows =" in result.output
    sheets = cells(out)
    assert {"Source file", "Rep", "Source lead ID", "Findings"} <= set(sheets["Leads"][1])


# ------------------------------------------------------------------ the master is a leadbook
def test_the_master_validates_without_unknown_columns(merged):
    _, out = merged
    report = validate_paths([out], as_of=AS_OF)
    assert report.unreadable == 0
    assert "unknown-column" not in {i.code for i in report.issues()}
    assert "template-mismatch" not in {i.code for i in report.issues()}
    assert "duplicate-lead-id" not in {i.code for i in report.issues()}
    assert "unknown-lead" not in {i.code for i in report.issues()}


def test_the_master_opens_in_libreoffice_with_its_dropdowns(merged, tmp_path):
    _, out = merged
    ods = soffice_convert(out, "ods", tmp_path, recalc=False)
    with zipfile.ZipFile(ods) as z:
        root = ET.fromstring(z.read("content.xml"))
    conditions = {
        v.get(T + "name"): v.get(T + "condition", "") for v in root.iter(T + "content-validation")
    }
    assert "of:cell-content-is-in-list(LIST_channels)" in conditions.values()
    tables = {t.get(T + "name"): t for t in root.iter(T + "table")}
    register = tables["线索台账"]
    rows = list(register.iter(T + "table-row"))
    third = rows[2]  # the first lead
    used = {c.get(T + "content-validation-name") for c in third} - {None}
    assert {conditions[name] for name in used} >= {
        "of:cell-content-is-in-list(LIST_channels)",
        "of:cell-content-is-in-list(LIST_statuses)",
    }
    texts = [
        "".join(p.itertext())
        for p in third.iter("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p")
    ]
    assert texts and texts[0]  # the lead ID is there


def _placeholder_master(n: int):
    import polars as pl

    from leadbook.merge.columns import ANON, CO, POS, REP, SID, SRC

    return pl.DataFrame(
        {
            SID: ["待定"] * n,
            "created_at": [datetime(2026, 11, 1)] * n,
            CO: [f"客户{i}" for i in range(n)],
            ANON: [""] * n,
            "company": [f"客户{i}有限公司" for i in range(n)],
            REP: ["*张"] * n,
            SRC: ["a.xlsx"] * n,
            POS: [f"线索台账!{i + 3}" for i in range(n)],
        }
    )


def test_placeholder_ids_renumber_in_linear_time():
    """Issue 11: every 线索编号 a placeholder (待定) made merge quadratic (100 s for 40k rows):
    each renumbered row searched the suffixes from -2 again. The work now grows with the rows:
    four times the rows take well under eight times as long (quadratic: sixteen)."""
    import time

    from leadbook.merge.renumber import renumber

    seconds = {}
    for n in (4_000, 16_000):
        frame = _placeholder_master(n)
        start = time.perf_counter()
        master, renumbered = renumber(frame)
        seconds[n] = time.perf_counter() - start
        assert master["lead_id"].n_unique() == n and len(renumbered) == n - 1
        assert set(master["lead_id"]) == {"待定"} | {f"待定-{k}" for k in range(2, n + 1)}
    assert seconds[16_000] < 8 * seconds[4_000] + 0.5, seconds


def test_a_reps_own_findings_column_never_replaces_the_findings(tmp_path):
    """Issue 11: a column headed 校验结果 (or 负责销售, 来源文件) in a rep's workbook took the
    place of leadbook's: a row with a personal mobile showed an empty 校验结果 and
    --valid-only kept it. In a rep's workbook such columns are the rep's own: reported as
    unknown columns and never carried; the findings are leadbook's."""
    import openpyxl

    from leadbook.merge.columns import FINDINGS, REP

    records = clean_records(2)
    records[0]["office_phone"] = "13812345678"
    src = make_book(tmp_path / "rep.xlsx", records)
    wb = openpyxl.load_workbook(src)
    ws = wb["线索台账"]
    col = ws.max_column + 1
    header_row = next(r for r in range(1, 6) if any(c.value == "公司名称" for c in ws[r]))
    for offset, label in enumerate(("校验结果", "负责销售")):
        ws.cell(header_row, col + offset, label)
        for r in range(header_row + 1, header_row + 3):
            ws.cell(r, col + offset, "" if label == "校验结果" else "*假")
    wb.save(tmp_path / "doctored.xlsx")
    result = merge_paths([tmp_path / "doctored.xlsx"], as_of=AS_OF)
    report = result.report.files[0]
    assert {i.code for i in report.issues} >= {"personal-mobile", "unknown-column"}
    findings = dict(zip(result.register["company"], result.register[FINDINGS], strict=True))
    assert "personal-mobile" in findings[records[0]["company"]]
    assert "*假" not in set(result.register[REP].to_list())
    kept = merge_paths([tmp_path / "doctored.xlsx"], as_of=AS_OF, valid_only=True)
    assert records[0]["company"] not in kept.register["company"].to_list()


def test_versions_kept_in_blocks_merge_as_one_frame_per_file(sample, monkeypatch):
    """The collector keeps the versions of every ``BLOCK`` files as one compressed block (a
    flat memory); blocks of two, of one file and of all files give the same master and log."""
    from leadbook.merge.versions import Collector

    folder = sample.paths[0].parent
    merged = {}
    for block in (1, 2, 10_000):
        monkeypatch.setattr(Collector, "BLOCK", block)
        merged[block] = merge_paths([folder], as_of=AS_OF)
    for block in (1, 2):
        assert merged[block].register.equals(merged[10_000].register)
        assert merged[block].log.equals(merged[10_000].log)
        assert merged[block].conflicts == merged[10_000].conflicts
        assert merged[block].groups == merged[10_000].groups
