"""Issue 10.2: a file's findings depend on that file alone. Checked alone, in a batch of
files with other column sets, or in the reverse order, each file's JSON is the same, byte
for byte."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from books import clean_records, make_book, seed_layout_book

from leadbook.check.render import report_dict
from leadbook.check.validate import validate_paths

AS_OF = datetime(2024, 7, 1, 9, 0)


def _books(tmp_path):
    records = clean_records(4)
    records[1]["company"] = None  # one planted defect per file, to have findings to compare
    no_position = seed_layout_book(tmp_path / "a_no_position.xlsx", records, drop={"position"})
    no_office = seed_layout_book(
        tmp_path / "b_no_office_phone.xlsx", records, drop={"office_phone", "im_account"}
    )
    full = seed_layout_book(tmp_path / "c_full.xlsx", records)
    own = make_book(tmp_path / "d_leadbook.xlsx", clean_records(3))
    return [no_position, no_office, full, own]


def _per_file(paths) -> dict[str, str]:
    report = validate_paths(paths, as_of=AS_OF)
    files = report_dict(report)["files"]
    return {f["path"]: json.dumps(f, ensure_ascii=False, indent=2) for f in files}


def test_a_file_gets_the_same_json_alone_together_and_reversed(tmp_path):
    paths = _books(tmp_path)
    alone = {}
    for p in paths:
        alone.update(_per_file([p]))
    together = _per_file(paths)
    reversed_ = _per_file(list(reversed(paths)))
    assert set(alone) == set(together) == set(reversed_) == {str(p) for p in paths}
    for p in map(str, paths):
        assert together[p] == alone[p], p
        assert reversed_[p] == alone[p], p


def test_a_column_another_file_has_adds_no_findings(tmp_path):
    paths = _books(tmp_path)
    together = {f.path: f for f in validate_paths(paths, as_of=AS_OF).files}
    lacking = together[str(paths[0])]
    # The file without 职位: one missing-column finding, no required-missing per row.
    position = [i for i in lacking.issues if i.field == "position"]
    assert [i.code for i in position] == ["missing-column"]
    # The file without 办公电话 and 企业/钉钉账号: missing-column, no one-of-contact per row.
    contact = [
        i for i in together[str(paths[1])].issues if i.field in ("office_phone", "im_account")
    ]
    assert [i.code for i in contact] == ["missing-column"]
    # The planted defect is still found in each of the seed-layout files, at its row (4).
    for p in paths[:3]:
        company = [(i.code, i.row) for i in together[str(p)].issues if i.field == "company"]
        assert company == [("required-missing", 4)]


@pytest.mark.parametrize("copies", [2])
def test_files_with_the_same_columns_stay_one_group(tmp_path, copies):
    """Identical files in one batch (one frame): each gets the findings it gets alone."""
    paths = _books(tmp_path)[:1]
    for i in range(copies):
        copy = tmp_path / f"copy{i}.xlsx"
        shutil.copy(paths[0], copy)
        paths.append(copy)
    together = _per_file(paths)
    alone = _per_file(paths[:1])[str(paths[0])]
    for p in paths:
        assert together[str(p)] == alone.replace(str(paths[0]), str(p))
