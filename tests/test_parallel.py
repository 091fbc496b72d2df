"""Issue 14: a large batch validated in worker processes (``check.parallel``) gives the very
report one process gives: the same files in the same order, the same findings, byte for byte
in JSON and in text; unreadable and skipped files keep their places; a worker that dies
costs only the time of doing its group again here."""

from __future__ import annotations

import json
import multiprocessing
import os
from datetime import datetime

from books import clean_records, make_book, seed_layout_book

from leadbook.check import parallel
from leadbook.check.render import render_text, report_dict
from leadbook.check.validate import validate_inputs, validate_paths
from leadbook.read.inputs import list_inputs

AS_OF = datetime(2024, 7, 1, 9, 0)


def _batch(tmp_path):
    paths = []
    for i in range(7):
        records = clean_records(3 + i % 3)
        records[i % len(records)]["company"] = None  # a planted defect each, in other rows
        if i % 3 == 2:
            records[0]["contact"] = "张伟"  # an unmasked name too
        maker = seed_layout_book if i % 2 else make_book
        paths.append(maker(tmp_path / f"rep{i}.xlsx", records))
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a zip at all")
    (tmp_path / "notes.docx").write_bytes(b"not a workbook")  # listed, skipped
    return paths


def _json(report) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2)


def test_workers_give_the_report_one_process_gives(tmp_path):
    _batch(tmp_path)
    seen: list[str] = []
    one = validate_paths([tmp_path], as_of=AS_OF)  # the library's default: this process
    many = validate_paths([tmp_path], as_of=AS_OF, jobs=2, on_file=lambda r: seen.append(r.path))
    assert [f.path for f in many.files] == [f.path for f in one.files] == seen
    assert len(one.files) == 9 and one.unreadable == 1 and one.skipped == 1
    assert one.errors >= 7  # every rep file has its planted defect
    assert _json(many) == _json(one)
    assert render_text(many, color=False) == render_text(one, color=False)
    assert render_text(many, color=False, all_cells=True) == render_text(
        one, color=False, all_cells=True
    )


def test_groups_keep_the_order_and_every_file(tmp_path):
    _batch(tmp_path)
    files = list_inputs([str(tmp_path)])
    for jobs in (1, 2, 3, 4):
        parts = parallel.groups(files, jobs)
        assert [f for part in parts for f in part] == files  # in order, none lost, none twice
        assert all(parts) and len(parts) <= min(len(files), jobs * parallel.GROUPS_PER_JOB)


def test_small_batches_stay_in_this_process(tmp_path, monkeypatch):
    _batch(tmp_path)
    files = list_inputs([str(tmp_path)])
    monkeypatch.delenv(parallel.JOBS_ENV, raising=False)
    assert parallel.jobs_for(files) == 1  # a few KB: workers would cost more than they save
    assert parallel.jobs_for(files, 3) == 3
    assert parallel.jobs_for(files, 50) == 8  # no more workers than readable files
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 1)
    assert parallel.jobs_for(files) == min(os.cpu_count() or 1, parallel.MAX_JOBS)
    monkeypatch.setenv(parallel.JOBS_ENV, "1")
    assert parallel.jobs_for(files) == 1


def dying(group, report, **kw):
    """Validate, except in a worker process, which dies on the spot."""
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    validate_inputs(group, report, **kw)


def test_a_dead_worker_costs_only_time(tmp_path):
    from functools import partial

    from leadbook.check.issues import Report
    from leadbook.check.validate import _Options
    from leadbook.core.catalog import load_catalog
    from leadbook.core.config import load_config

    _batch(tmp_path)
    files = list_inputs([str(tmp_path)])
    options = _Options(load_catalog(), load_config(), AS_OF)
    report = Report(as_of=AS_OF)
    parallel.validate_in_workers(files, 2, partial(dying, options=options), report)
    assert _json(report) == _json(validate_paths([tmp_path], as_of=AS_OF, jobs=1))
