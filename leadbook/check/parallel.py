"""Many workbooks validated side by side in worker processes (``validate_paths``).

A team's hand-in is many files, each checked on its own: the files are cut into groups, in
order, each group validated in a worker process exactly as one process would (the same
function, ``check.validate.validate_inputs``), and the groups' reports are taken back in
order. The findings are the same, in the same order, as in one process
(``tests/test_parallel.py``); only the wall time differs. Workers pay a start of their own
(an interpreter and its imports, about half a second), so a batch too small to gain from
them is validated in this process; ``LEADBOOK_JOBS=1`` (or ``--jobs 1``) always does.

Workers are spawned (not forked: polars' thread pool does not survive a fork). A worker
that dies (the machine out of memory, say) loses only its group: that group is validated
again in this process, which then fails as one process would have.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from leadbook.check.issues import FileReport, Report
from leadbook.read.inputs import Input
from leadbook.read.preload import JOBS_ENV  # one setting: worker processes, reading threads

MAX_JOBS = 4
PARALLEL_BYTES = 8 * 2**20  # inputs smaller than this in all: validated in this process
GROUPS_PER_JOB = 4  # groups per worker, so that a slow group does not hold the others up

Work = Callable[[Sequence[Input], Report], None]


def jobs_for(files: Sequence[Input], jobs: int | None = None) -> int:
    """How many worker processes to validate ``files`` with (1: none, this process)."""
    if jobs is None:
        env = os.environ.get(JOBS_ENV, "").strip()
        jobs = int(env) if env.isdigit() else 0
    readable = [f for f in files if f.readable]
    if jobs == 0:  # automatic: the cores, when the batch is worth it
        if sum(_size(f) for f in readable) < PARALLEL_BYTES:
            return 1
        jobs = min(os.cpu_count() or 1, MAX_JOBS)
    return max(1, min(jobs, len(readable)))


def _size(item: Input) -> int:
    try:
        return item.path.stat().st_size
    except OSError:
        return 0


def groups(files: Sequence[Input], jobs: int) -> list[list[Input]]:
    """``files`` cut into runs of about equal bytes, in order, ``GROUPS_PER_JOB`` a worker
    (fewer when there are fewer files)."""
    count = min(len(files), jobs * GROUPS_PER_JOB)
    sizes = [max(_size(f), 1) for f in files]
    target = sum(sizes) / max(1, count)
    out: list[list[Input]] = [[]]
    filled = 0.0
    for item, size in zip(files, sizes, strict=True):
        if out[-1] and filled + size / 2 > target * len(out) and len(out) < count:
            out.append([])
        out[-1].append(item)
        filled += size
    return out


def validate_in_workers(
    files: Sequence[Input],
    jobs: int,
    work: Work,
    report: Report,
    on_file: Callable[[FileReport], None] | None = None,
) -> None:
    """Run ``work(group, report)`` over the groups of ``files`` in ``jobs`` processes; each
    group's file reports are appended to ``report`` in order (``on_file`` called for each).
    ``work`` must be a module-level function (it is sent to the workers by name)."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    parts = groups(files, jobs)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_run, work, group, report.as_of, report.lang) for group in parts]
        for group, future in zip(parts, futures, strict=True):
            try:
                done = future.result()
            except BrokenProcessPool:  # a worker died: this group again, here
                here = Report(as_of=report.as_of, lang=report.lang)
                work(group, here)
                done = here.files
            for file_report in done:
                report.files.append(file_report)
                if on_file is not None:
                    on_file(file_report)


def _run(work: Work, group: Sequence[Input], as_of, lang: str) -> list[FileReport]:
    """In a worker: validate one group, return its file reports (pickled back)."""
    os.environ[JOBS_ENV] = "1"  # a worker never starts workers of its own
    part = Report(as_of=as_of, lang=lang)
    work(group, part)
    return part.files
