"""No leaks (R-K2, R-S2.2): the whole demo pipeline runs on sample workbooks with planted
personal mobiles and e-mail addresses, and none of them comes out in clear: not on the
terminal, not in the JSON, the annotated copies, the master, the conflicts reports (.xlsx and
.csv) or the reports (HTML and Excel, redacted or not). Every part of every xlsx is unzipped
and scanned; the scan folds full-width characters and removes spaces and dashes, so that
``139-1234-5678`` is found as ``13912345678``. Masked forms (``139****5678``, ``z***@qq.com``)
are what should be there.

The hand-off copies are rep workbooks, written as they were read (never masked: R-K1); they
are checked to be exactly that, and the command's own output is scanned like the others.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import AS_OF

from leadbook.sample.make import generate
from leadbook.workbook.template import write_workbook

LEADBOOK = Path(sys.executable).with_name("leadbook")
SAMPLE = {"reps": 4, "leads": 30, "seed": 7}
AS_OF_ARG = ["--as-of", AS_OF.strftime("%Y-%m-%d %H:%M")]

# Planted values, as a rep might type them; and what must never be found (after folding).
MOBILES = ["13912345678", "+86 158-8765-4321", "0086 137 2468 1357", "１５９８７６５４３２１",
           # issue 11: dots, no-break spaces, a trunk 0, zero-width spaces, mathematical digits
           "138.2345.6789", "136\u00a01111\u00a02222", "013579246801", "137\u200b3333\u200b4444",
           "𝟏𝟖𝟖𝟓𝟓𝟓𝟔𝟔𝟔𝟕𝟕"]  # fmt: skip
EMAILS = ["zhangsan.leak@qq.com", "l.si@163.com", "boss@huachuang-leak.com",
          "wang.leak＠qq．com", "chen.leak@163。com", "zhao.leak @ 126.com"]  # fmt: skip
NEEDLES = [
    "13912345678",
    "15887654321",
    "13724681357",
    "15987654321",
    "13823456789",
    "13611112222",
    "13579246801",
    "13733334444",
    "18855566677",
    "wang.leak@qq.com",
    "chen.leak@163.com",
    "zhao.leak@126.com",
    "zhangsan.leak@qq.com",
    "l.si@163.com",
    "boss@huachuangleak.com",
    "zhangsan",  # the local part alone (a word cut out of a need, say)
]
# Where they are planted: free-text fields of the register and the log.
REGISTER_FIELDS = ["need", "last_summary", "next_action", "decision", "main_business",
                   "competitors", "position", "timeline"]  # fmt: skip
LOG_FIELDS = ["content", "next_action"]


def fold(text: str) -> str:
    """Text as scanned: entities decoded, full-width folded, lower case, no spaces, dashes,
    dots, slashes or zero-width characters (so 138.1234.5678 is found as 13812345678)."""
    text = unicodedata.normalize("NFKC", html.unescape(text)).lower().replace("。", ".")
    return re.sub(r"[\s\-‐‑‒–—−./\u200b\u200c\u200d\u2060\ufeff]+", "", text)


def found(text: str) -> list[str]:
    folded = fold(text)
    return [n for n in NEEDLES if fold(n) in folded]


def xlsx_parts(path: Path, label: str = "") -> dict[str, str]:
    """Every member of an xlsx, as text, keyed by ``label:member``."""
    label = label or path.name
    with zipfile.ZipFile(path) as zf:
        return {f"{label}:{n}": zf.read(n).decode("utf-8", "replace") for n in zf.namelist()}


# ------------------------------------------------------------------------------ planting
def _planted_value(i: int) -> str:
    values = MOBILES + EMAILS
    return values[i % len(values)]


def _plant_register(records: list[dict], offset: int) -> None:
    for i, rec in enumerate(records):
        value = _planted_value(i + offset)
        key = REGISTER_FIELDS[i % len(REGISTER_FIELDS)]
        rec[key] = f"{rec.get(key) or ''} 联系人手机/邮箱 {value}".strip()
        if i % 5 == 0:  # the classic ones: a mobile as the office phone, an e-mail as IM
            rec["office_phone"] = MOBILES[(i // 5) % len(MOBILES)]
            rec["im_account"] = EMAILS[(i // 5) % len(EMAILS)]
    records[0]["company"] = f"{records[0]['company']}(boss@huachuang-leak.com)"


def _plant_log(entries: list[dict], offset: int) -> None:
    for i, entry in enumerate(entries[::2]):
        key = LOG_FIELDS[i % len(LOG_FIELDS)]
        entry[key] = f"{entry.get(key) or ''};客户留了 {_planted_value(i + offset)}".strip(";")


@dataclass
class Pipeline:
    folder: Path
    planted: list[Path]
    handoff_lead: str
    runs: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)

    def run(self, name: str, *args: str | Path, codes=(0, 1)) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [str(LEADBOOK), *map(str, args)],
            cwd=self.folder,
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert proc.returncode in codes, (name, proc.returncode, proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr, proc.stderr
        self.runs[name] = proc
        return proc


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    folder = tmp_path_factory.mktemp("leaks")
    pipe = Pipeline(folder, [], "")
    params = [f"--{k}={v}" for k, v in SAMPLE.items()]
    pipe.run("sample", "sample", "reps", *params, *AS_OF_ARG, codes=(0,))
    # the same records again (deterministic), planted, written over the first two workbooks
    data = generate(**SAMPLE, as_of=AS_OF)
    for n, book in enumerate(data.books[:2]):
        _plant_register(book.register, n)
        _plant_log(book.log, n)
        if n == 1:  # one rep writes a mobile after its name: the file's rep, in the master
            for rec in book.register:
                rec["last_owner"] = f"{rec['last_owner']} 13912345678"
        path = write_workbook(folder / "reps" / book.file, config=data.config,
                              register=book.register, log=book.log, force=True, created=AS_OF)  # fmt: skip
        pipe.planted.append(path)
    # a later version of three of rep01's leads: conflicts (with planted values) in the master
    later = [copy.deepcopy(r) for r in data.books[0].register[:3]]
    for rec in later:
        rec["need"] = f"{rec['need']};新联系方式 {MOBILES[1]} / {EMAILS[0]}"
        rec["last_contact_at"] = min(rec["last_contact_at"] + timedelta(hours=1), AS_OF)
    write_workbook(folder / "reps" / "rep01_later.xlsx", config=data.config, register=later,
                   log=[], lead_id_formula=False, created=AS_OF)  # fmt: skip
    pipe.handoff_lead = data.books[0].register[1]["lead_id"]

    reps, asof = "reps", AS_OF_ARG
    pipe.run("validate text", "validate", reps, *asof)
    pipe.run("validate text en", "validate", reps, *asof, "--lang", "en")
    pipe.run("validate json", "validate", reps, *asof, "--format", "json")
    pipe.run("validate annotate", "validate", reps, *asof, "--annotate", "checked")
    pipe.run("merge xlsx", "merge", reps, "-o", "master.xlsx", "--conflicts", "conflicts.xlsx",
             *asof)  # fmt: skip
    pipe.run("merge csv", "merge", reps, "-o", "master-en.xlsx", "--conflicts", "conflicts.csv",
             "--lang", "en", *asof)  # fmt: skip
    pipe.run("validate master", "validate", "master.xlsx", *asof, "--format", "json")
    pipe.run("report master", "report", "master.xlsx", "--html", "report.html", "--xlsx",
             "summary.xlsx", *asof)  # fmt: skip
    pipe.run("report redacted", "report", "master.xlsx", "--redact", "--html", "wide.html",
             "--xlsx", "wide.xlsx", *asof)  # fmt: skip
    pipe.run("report reps", "report", reps, "--html", "reps.html", "--xlsx", "reps.xlsx",
             "--period", "quarter", "--lang", "en", *asof)  # fmt: skip
    (folder / "handed").mkdir()
    pipe.run("handoff", "handoff", pipe.planted[0], "--lead", pipe.handoff_lead,
             "--to", pipe.planted[1], "--rep", "*王", "--out-dir", "handed", *asof, codes=(0,))  # fmt: skip
    return pipe


def _outputs(pipe: Pipeline) -> dict[str, str]:
    """Every output of the pipeline, as text: files (xlsx unzipped) and the terminal."""
    texts: dict[str, str] = {}
    for name, proc in pipe.runs.items():
        texts[f"{name}: stdout"] = proc.stdout
        texts[f"{name}: stderr"] = proc.stderr
    for path in sorted(pipe.folder.rglob("*")):
        rel = path.relative_to(pipe.folder)
        if path.is_dir() or rel.parts[0] in ("reps", "handed"):
            continue  # the inputs, and the hand-off copies (rep workbooks: see below)
        if path.suffix == ".xlsx":
            texts.update(xlsx_parts(path, rel.as_posix()))
        else:
            texts[str(rel)] = path.read_text(encoding="utf-8-sig")
    return texts


# ------------------------------------------------------------------------------ tests
def test_the_planted_values_are_really_in_the_inputs(pipeline):
    inputs = {}
    for path in pipeline.planted:
        inputs.update(xlsx_parts(path))
    leaked = set().union(*(found(text) for text in inputs.values()))
    assert leaked == set(NEEDLES)  # every one is there to be found


def test_every_output_was_written(pipeline):
    names = {p.relative_to(pipeline.folder).as_posix() for p in pipeline.folder.rglob("*.*")}
    expected = {"master.xlsx", "master-en.xlsx", "conflicts.xlsx", "conflicts.csv",
                "report.html", "summary.xlsx", "wide.html", "wide.xlsx", "reps.html",
                "reps.xlsx", "checked/rep01.xlsx", "checked/rep02.xlsx",
                "checked/rep01_later.xlsx", "handed/rep01.handoff.xlsx",
                "handed/rep02.handoff.xlsx", "reps/manifest.json"}  # fmt: skip
    assert expected <= names
    assert not [n for n in names if n.endswith(".tmp")]
    findings = pipeline.runs["validate json"].stdout
    assert '"personal-mobile"' in findings and '"personal-email"' in findings
    conflicts = (pipeline.folder / "conflicts.csv").read_text(encoding="utf-8-sig")
    assert '"conflict"' in conflicts and '"duplicate customer"' in conflicts


def test_no_output_holds_personal_data_in_clear(pipeline):
    leaks = {name: hits for name, text in _outputs(pipeline).items() if (hits := found(text))}
    assert leaks == {}, f"personal data in clear: {leaks}"


def test_the_masked_forms_are_what_is_shown(pipeline):
    shown = pipeline.runs["validate text"].stdout + pipeline.runs["validate json"].stdout
    for masked in ("139****5678", "+86 158-****-4321", "0086 137 **** 1357", "z***@qq.com",
                   "l***@163.com", "b***@huachuang-leak.com"):  # fmt: skip
        assert masked in shown, masked


def test_handoff_copies_are_rep_workbooks_written_as_read(pipeline):
    """The hand-off neither masks nor rewrites the reps' text (R-K1): what the source held
    for the moved lead is in the target's copy as it was."""
    target = xlsx_parts(pipeline.folder / "handed" / "rep02.handoff.xlsx")
    source = xlsx_parts(pipeline.folder / "handed" / "rep01.handoff.xlsx")
    assert found("".join(target.values())) and found("".join(source.values()))
    out = pipeline.runs["handoff"]
    assert pipeline.handoff_lead in out.stdout and not found(out.stdout + out.stderr)


def test_need_words_never_come_from_personal_data(tmp_path):
    """The report's need words are cut out of needs: with few high-intent leads, the local
    part of an e-mail address (zhangsan, boss) would make the top list. (Its domain is kept
    by the masking, b***@huachuang-leak.com: a company's, not a person's.)"""
    from books import clean_records, make_book

    records = clean_records(3)
    for rec, value in zip(records, EMAILS[:3], strict=True):
        rec["need"] = f"需要报价,请联系 {value} 或 {MOBILES[0]}"
    book = make_book(tmp_path / "few.xlsx", records)
    page, summary = tmp_path / "few.html", tmp_path / "few.xlsx.out.xlsx"
    proc = subprocess.run(
        [
            str(LEADBOOK),
            "report",
            str(book),
            "--html",
            str(page),
            "--xlsx",
            str(summary),
            *AS_OF_ARG,
        ],  # fmt: skip
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    texts = {"html": page.read_text(encoding="utf-8"), **xlsx_parts(summary)}
    texts["terminal"] = proc.stdout + proc.stderr
    assert "报价" in texts["html"]  # the need words are there
    for name, text in texts.items():
        folded = fold(text)
        for part in ("zhangsan", "boss", "13912345678"):
            assert part not in folded, (name, part)


def test_names_and_lead_ids_are_flagged_and_masked(tmp_path):
    """Issue 11: a mobile in the file name, the sheet name or typed as the lead ID was copied
    in clear into the master (来源文件, 来源位置, 原线索编号), the conflicts report and the
    terminal. Now the names are flagged where the rep can rename them, and every output shows
    them masked."""
    import openpyxl
    from books import clean_records, make_book

    src = make_book(tmp_path / "src.xlsx", clean_records(3))
    wb = openpyxl.load_workbook(src)
    ws = wb["线索台账"]
    ws.title = "线索台账13812345678"
    ws["A3"] = "13912345678"
    ws["AZ2"] = "备用联系 13512345678"  # a header cell of a column the catalog does not know
    owner = next(c.column for c in ws[2] if c.value == "最近跟进人")
    for row in range(3, 6):  # no 最近跟进人: the master names the rep after the file
        ws.cell(row, owner).value = None
    log = wb["跟进记录"]
    by = next(c.column for c in log[1] if c.value == "跟进人")
    for row in range(2, log.max_row + 1):
        log.cell(row, by).value = None
    book = tmp_path / "in" / "张13712345678.xlsx"
    book.parent.mkdir()
    wb.save(book)
    needles = ["13712345678", "13812345678", "13912345678", "13512345678"]
    out = tmp_path / "out"
    out.mkdir()
    runs = [
        subprocess.run([LEADBOOK, *args, *AS_OF_ARG], capture_output=True, text=True, cwd=tmp_path)
        for args in (
            ["validate", "in"],
            ["validate", "in", "--format", "json"],
            ["merge", "in", "-o", "out/m.xlsx", "--conflicts", "out/c.csv"],
            ["report", "out/m.xlsx", "--html", "out/r.html", "--xlsx", "out/s.xlsx"],
        )
    ]
    assert [r.returncode for r in runs] == [1, 1, 0, 0], [r.stderr for r in runs]
    report = json.loads(runs[1].stdout)
    flagged = {(i["code"], i["sheet"]) for f in report["files"] for i in f["issues"]}
    assert ("personal-mobile", None) in flagged  # the file name
    assert ("personal-mobile", "线索台账138****5678") in flagged  # the sheet name
    headers = [i for f in report["files"] for i in f["issues"] if i.get("column") == "AZ"]
    assert "personal-mobile" in [i["code"] for i in headers if i["row"] == 2]
    texts = {f"run {i}": r.stdout + r.stderr for i, r in enumerate(runs)}
    texts |= {"c.csv": (out / "c.csv").read_text(encoding="utf-8-sig"),
              "r.html": (out / "r.html").read_text(encoding="utf-8")}  # fmt: skip
    for name in ("m.xlsx", "s.xlsx"):
        texts |= xlsx_parts(out / name, name)
    leaks = {k: n for k, v in texts.items() for n in needles if n in fold(v)}
    assert leaks == {}


def test_the_annotated_copy_masks_personal_data_outside_the_cells(tmp_path):
    """Issue 11: the annotated copy carried personal data in clear from places that are no
    cell value: the document's author and title, headers and footers, defined names,
    validation prompts, hyperlink targets and formula text. Each is masked now."""
    import openpyxl
    from books import clean_records, make_book
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    src = make_book(tmp_path / "src.xlsx", clean_records(2))
    wb = openpyxl.load_workbook(src)
    ws = wb["线索台账"]
    wb.properties.creator = "王 13712345678"
    wb.properties.title = "zhang.leak@qq.com 的线索"
    ws.oddFooter.center.text = "联系 13812345678"
    wb.defined_names["CONTACT"] = DefinedName("CONTACT", attr_text='"13912345678"')
    dv = DataValidation(type="list", formula1='"a,b"', prompt="有问题找 l.si@163.com")
    ws.add_data_validation(dv)
    dv.add("AZ3")
    ws["BA3"].hyperlink = "mailto:boss@huachuang-leak.com"
    ws["BB3"] = '=HYPERLINK("tel:15887654321","电话")'
    ws["F3"].comment = openpyxl.comments.Comment("客户手机 13612345678", "王 13312345678")
    book = tmp_path / "in.xlsx"
    wb.save(book)
    run = subprocess.run(
        [LEADBOOK, "validate", str(book), "--annotate", str(tmp_path / "ann"), *AS_OF_ARG],
        capture_output=True,
        text=True,
    )
    assert run.returncode in (0, 1), run.stderr
    needles = ["13712345678", "13812345678", "13912345678", "15887654321", "13612345678",
               "13312345678",
               "zhang.leak@qq.com", "l.si@163.com", "boss@huachuang-leak.com"]  # fmt: skip
    raw = "".join(xlsx_parts(book, "in").values())
    assert [n for n in needles if fold(n) not in fold(raw)] == []  # all planted in the input
    copy = xlsx_parts(tmp_path / "ann" / "in.xlsx", "copy")
    leaks = {k: n for k, v in copy.items() for n in needles if fold(n) in fold(v)}
    assert leaks == {}
    # and validate flags them where the rep can fix them
    found = subprocess.run(
        [LEADBOOK, "validate", str(book), "--format", "json", *AS_OF_ARG],
        capture_output=True,
        text=True,
    )
    issues = json.loads(found.stdout)["files"][0]["issues"]
    messages = {(i["code"], i["sheet"], i["row"], i["column"]): i["message"] for i in issues}
    assert "批注" in messages[("personal-mobile", "线索台账", 3, "F")]
    flagged = " ".join(messages.values())
    for label in ("文档属性", "定义的名称", "超链接"):
        assert label in flagged, label
    assert not [n for n in needles if n in found.stdout]
