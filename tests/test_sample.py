"""The sample generator (``leadbook.sample``): realistic, deterministic, with planted defects."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from leadbook.core import reference
from leadbook.core.config import load_config
from leadbook.core.errors import OutputError
from leadbook.sample.defects import DEFECT_CODES
from leadbook.sample.make import generate, make_sample, manifest_json
from leadbook.sample.records import mask

AS_OF = datetime(2025, 6, 30, 18, 0)
SMALL = {"reps": 3, "leads": 20, "seed": 7, "as_of": AS_OF}
CFG = load_config()
PHONE = re.compile(r"^0\d{2,3}-\d{7,8}(-\d{1,6})?$")
MOBILE = re.compile(r"1[3-9]\d{9}")
PERSONAL_EMAIL = re.compile(
    r"[\w.+-]+@(" + "|".join(re.escape(d) for d in CFG.personal_email_domains) + r")\b"
)
FOLLOW_UP = {
    "last_owner": "owner",
    "last_contact_at": "contact_at",
    "last_summary": "content",
    "next_action": "next_action",
    "next_due": "due",
}


def _stem(place: str) -> str:
    return re.sub("(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$", "", place)


PLACES = sorted(
    {n for p, cs in reference.regions().items() for full in (p, *cs) for n in (full, _stem(full))},
    key=len,
    reverse=True,
)


def normalise(company: str) -> str:
    """What a duplicate check compares: no brackets, legal forms, spaces, case, place prefix."""
    name = re.sub(r"[(（][^)）]*[)）]", "", company.lower()).replace(" ", "")
    for form in ("股份有限公司", "有限责任公司", "有限公司", "集团"):
        name = name.replace(form, "")
    place = next((p for p in PLACES if name.startswith(p)), "")
    return name[len(place) :]


def leads(data):
    """(book, Excel row, register record, its log entries) for every lead."""
    for book in data.books:
        entries: dict[str, list[dict]] = {}
        for entry in book.log:
            entries.setdefault(entry["lead_id"], []).append(entry)
        for i, record in enumerate(book.register):
            yield book, i + 3, record, entries.get(record["lead_id"], [])


def clean_leads(data):
    rows = {(d.file, d.row) for d in data.defects if d.sheet == "register"}
    ids = {(d.file, d.lead_id) for d in data.defects}
    return [
        (book, row, record, log)
        for book, row, record, log in leads(data)
        if (book.file, row) not in rows and (book.file, record["lead_id"]) not in ids
    ]


@pytest.fixture(scope="module")
def data():
    return generate(**SMALL)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    return make_sample(tmp_path_factory.mktemp("sample") / "out", **SMALL)


# ------------------------------------------------------------------------------ determinism
def test_same_arguments_give_the_same_records_and_manifest(data):
    again = generate(**SMALL)
    assert again.books == data.books
    assert again.defects == data.defects
    assert again.duplicates == data.duplicates
    assert manifest_json(again, SMALL) == manifest_json(data, SMALL)


def test_another_seed_gives_other_data(data):
    other = generate(**SMALL | {"seed": 8})
    companies = {r["company"] for b in data.books for r in b.register}
    assert companies.isdisjoint({r["company"] for b in other.books for r in b.register})


def test_values_have_the_types_the_writer_expects(data):
    dates = {"next_due", "due"}
    times = {"created_at", "last_contact_at", "contact_at"}
    for _, _, record, log in leads(data):
        for row in (record, *log):
            for key, value in row.items():
                if value is None:
                    continue
                expected = datetime if key in times else date if key in dates else str
                assert type(value) is expected, (key, value)


# ------------------------------------------------------------------------------ files
def test_one_workbook_per_rep_with_every_lead(written, data):
    assert [p.name for p in written.paths] == ["rep01.xlsx", "rep02.xlsx", "rep03.xlsx"]
    for path, book in zip(written.paths, data.books, strict=True):
        wb = CalamineWorkbook.from_path(str(path))
        register = [r for r in wb.get_sheet_by_name("线索台账").to_python()[2:] if r[1] != ""]
        log = [r for r in wb.get_sheet_by_name("跟进记录").to_python()[1:] if r[0] != ""]
        assert len(register) == len(book.register)  # the reps' books differ in size
        assert [r[0] for r in register] == [r["lead_id"] for r in book.register]  # formula cache
        assert [r[1] for r in register] == [r["created_at"] for r in book.register]
        assert len(log) == len(book.log)
        with zipfile.ZipFile(path) as zf:  # made by the template: dropdowns and all
            assert b"<dataValidations" in zf.read("xl/worksheets/sheet2.xml")
    manifest = json.loads(written.manifest.read_text(encoding="utf-8"))
    assert [f["file"] for f in manifest["files"]] == ["rep01.xlsx", "rep02.xlsx", "rep03.xlsx"]
    assert [f["leads"] for f in manifest["files"]] == [len(b.register) for b in data.books]
    assert sum(f["leads"] for f in manifest["files"]) == SMALL["reps"] * SMALL["leads"]
    assert manifest["params"]["as_of"] == "2025-06-30 18:00"


def test_refuses_to_overwrite_without_force(written):
    with pytest.raises(OutputError):
        make_sample(written.manifest.parent, **SMALL)
    before = written.manifest.read_bytes()
    make_sample(written.manifest.parent, **SMALL, force=True)
    assert written.manifest.read_bytes() == before


# ------------------------------------------------------------------------------ content
def test_register_shows_the_newest_log_entry(data):
    for _, _, record, log in clean_leads(data):
        if not log:
            assert record["status"] == "待跟进"
            assert all(record[k] is None for k in FOLLOW_UP)
            continue
        times = [e["contact_at"] for e in log]
        assert times == sorted(set(times))
        assert record["created_at"] < times[0] and times[-1] <= AS_OF
        assert {k: record[k] for k in FOLLOW_UP} == {k: log[-1][v] for k, v in FOLLOW_UP.items()}
        assert [e["status_to"] for e in log if e["status_to"]][-1] == record["status"]


def test_clean_leads_pass_the_basic_rules(data):
    lists = {k: CFG.values(k) for k in ("channels", "statuses", "potential_levels")}
    for _, _, r, log in clean_leads(data):
        assert r["channel"] in lists["channels"]
        assert r["status"] in lists["statuses"]
        assert r["potential"] in lists["potential_levels"]
        assert r["size"] in CFG.values("company_sizes")
        assert r["company"] and r["position"] and r["contact"].startswith("*")
        assert r["office_phone"] or r["im_account"]
        assert r["office_phone"] is None or PHONE.match(r["office_phone"])
        assert r["city"] in CFG.cascade("cities")[r["province"]]
        assert r["industry_division"] in CFG.cascade("industry_divisions")[r["industry"]]
        assert r["status"] != "已流失" or r["loss_reason"] in CFG.values("loss_reasons")
        assert r["need"] not in CFG.vague_terms
        if r["potential"] == "高潜力":
            assert r["need"] and r["budget"] and r["timeline"]
        text = " ".join(str(v) for v in [*r.values(), *(e["content"] for e in log)])
        assert not MOBILE.search(text) and "@" not in text
        assert all(e["method"] in CFG.values("contact_methods") for e in log)


def test_the_status_mix_makes_reports_meaningful():
    data = generate(**SMALL | {"leads": 40})
    statuses = Counter(r["status"] for b in data.books for r in b.register)
    for group in ("won", "lost", "dormant", "invalid"):
        assert statuses[CFG.status_groups[group][0]] >= 1, group
    assert sum(statuses[s] for s in ("跟进中", "待报价", "方案提交中", "商务谈判")) >= 30
    open_ = [
        (r, log) for _, _, r, log in leads(data) if r["status"] not in CFG.status_groups["closed"]
    ]
    assert any(log and AS_OF - log[-1]["contact_at"] > timedelta(days=90) for r, log in open_)
    uncontacted = [r for r, log in open_ if not log]
    assert any(AS_OF - r["created_at"] > timedelta(hours=48) for r in uncontacted)
    assert any(AS_OF - r["created_at"] < timedelta(hours=24) for r in uncontacted)
    late = [
        r
        for _, _, r, log in leads(data)
        if log
        and log[0]["contact_at"] - r["created_at"]
        > timedelta(hours={"高潜力": 24}.get(r["potential"], 48))
        and r["potential"] != "低潜力"
    ]
    assert {r["potential"] for r in late} == {"高潜力", "中潜力"}
    won = [(r, log) for _, _, r, log in leads(data) if r["status"] == "已成交"]
    assert all(10 <= (log[-1]["contact_at"] - r["created_at"]).days <= 120 for r, log in won)
    potentials = Counter(r["potential"] for b in data.books for r in b.register)
    assert 0.15 < potentials["高潜力"] / 120 < 0.35


def test_companies_are_distinct_and_scale_to_thousands():
    data = generate(reps=2, leads=1100, seed=3, defects=0, duplicates=0, as_of=AS_OF)
    names = [normalise(r["company"]) for b in data.books for r in b.register]
    assert len(names) == 2200
    assert len(set(names)) == len(names)
    assert all(len(n) >= 4 for n in names)  # a 2-4 character brand + an industry word


# ------------------------------------------------------------------------------ planted
def test_defects_are_counted_and_located():
    assert generate(**SMALL | {"defects": 0}).defects == []
    assert len(generate(**SMALL).defects) == round(0.05 * 60)
    data = generate(**SMALL | {"defects": 0.25})
    assert Counter(d.code for d in data.defects) == Counter(DEFECT_CODES)
    books = {b.file: b for b in data.books}
    for d in data.defects:
        book = books[d.file]
        record = book.register[d.row - 3] if d.sheet == "register" else book.log[d.row - 2]
        assert record["lead_id"] == d.lead_id, d
        value = record[d.field]
        if d.code == "required-missing" and d.field == "office_phone":
            assert value is None and record["im_account"] is None
        elif d.value == "":
            assert value is None, d
        elif d.code == "unmasked-name":  # the surname stays out of the manifest
            assert not value.startswith("*") and d.value == value[0] + "**"
        elif isinstance(value, datetime):
            assert f"{value:%Y-%m-%d %H:%M}" == d.value
        else:
            assert mask(value) == d.value, d
    unknown = [d for d in data.defects if d.code == "unknown-lead"]
    known = {r["lead_id"] for b in data.books for r in b.register}
    assert unknown and all(d.lead_id not in known for d in unknown)


def test_manifest_holds_no_personal_data(tmp_path):
    result = make_sample(tmp_path, **SMALL | {"defects": 0.5})
    data = generate(**SMALL | {"defects": 0.5})
    raw = json.dumps([b.register + b.log for b in data.books], default=str, ensure_ascii=False)
    assert MOBILE.search(raw.replace(" ", "").replace("-", ""))  # planted in the workbooks
    assert PERSONAL_EMAIL.search(raw)
    text = result.manifest.read_text(encoding="utf-8")
    assert not MOBILE.search(text.replace(" ", "").replace("-", ""))
    assert not PERSONAL_EMAIL.search(text)
    assert len(json.loads(text)["defects"]) == len(result.defects) == 30
    assert mask("手机+86 139-1234-5678, a.b@qq.com") == "手机+86 139-****-5678, a***@qq.com"


def test_duplicates_sit_in_two_files(data):
    assert len(data.duplicates) == 1  # max(1, reps // 2)
    many = generate(reps=12, leads=10, seed=5, as_of=AS_OF)
    assert len(many.duplicates) == 6
    for sample in (data, many):
        planted = {(d.file, d.lead_id) for d in sample.defects}
        books = {b.file: b for b in sample.books}
        for dup in sample.duplicates:
            (file_a, id_a, name_a), (file_b, id_b, name_b) = dup.entries
            assert file_a != file_b and id_a != id_b and name_a != name_b
            assert normalise(name_a) == normalise(name_b) and normalise(name_a).startswith(
                dup.brand
            )
            for file, lead_id, name in dup.entries:
                assert (file, lead_id) not in planted
                record = next(r for r in books[file].register if r["lead_id"] == lead_id)
                assert record["company"] == name
    others = Counter(
        normalise(r["company"]) for b in many.books for r in b.register if r["company"]
    )
    assert sorted(others.values())[-7:] == [1, 2, 2, 2, 2, 2, 2]


def test_rejects_impossible_arguments():
    with pytest.raises(ValueError):
        generate(reps=0, leads=5, as_of=AS_OF)
    with pytest.raises(ValueError):
        generate(reps=1, leads=5, duplicates=1, as_of=AS_OF)
    assert generate(reps=1, leads=5, as_of=AS_OF).duplicates == []


def test_validate_finds_exactly_the_planted_defects(tmp_path):
    from leadbook.check.validate import validate_paths

    result = make_sample(tmp_path, **SMALL | {"defects": 0.25})
    report = validate_paths([tmp_path], as_of=AS_OF)
    sheets = {"register": "线索台账", "log": "跟进记录"}
    timeliness = ("sla-breach", "dormant-overdue")  # the sample has these on purpose
    found = {
        (Path(i.file).name, i.sheet, i.row, i.code)
        for i in report.issues()
        if i.code not in timeliness
    }
    assert found == {(d.file, sheets[d.sheet], d.row, d.code) for d in result.defects}
    assert {i.code for i in report.issues()} >= set(timeliness)
