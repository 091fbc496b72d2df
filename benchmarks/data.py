"""Generated lead workbooks for the benchmarks, cached in ``bench-out/data/``.

A data set is a folder named by its parameters and by a digest of the generator (sample
data, workbook writer, catalog and texts), so it is regenerated when either changes and
reused otherwise. Folders are written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

AS_OF = datetime(2024, 6, 30, 18, 0)  # the sample's clock, and validate's --as-of
AS_OF_ARG = AS_OF.strftime("%Y-%m-%d %H:%M")
SEED = 7
DEFECTS = 0.01
PARALLEL_ROWS = 5_000  # write in worker processes above this many rows in all


@dataclass(frozen=True)
class DataSet:
    """``files`` workbooks of ``rows`` register rows each, from one ``generate`` call."""

    files: int
    rows: int
    seed: int = SEED
    defects: float = DEFECTS
    variant: str = ""  # "", or one of VARIANTS: the sample's rows changed after generating

    @property
    def key(self) -> str:
        tail = f"-{self.variant}" if self.variant else ""
        return (
            f"{self.files}x{self.rows}-seed{self.seed}-d{self.defects:g}-{AS_OF:%Y%m%d%H%M}{tail}"
        )

    def folder(self, root: Path) -> Path:
        return Path(root) / "data" / f"{self.key}-{generator_digest()}"


@cache
def generator_digest() -> str:
    """Eight hex digits over the sources that decide what the generated files hold."""
    import leadbook
    from leadbook.core.paths import data_dir

    pkg = Path(leadbook.__file__).parent
    files = [pkg / "core" / "leadid.py", *_sources(pkg, "sample"), *_sources(pkg, "workbook")]
    for name in ("schemas", "templates"):
        files += sorted(p for p in data_dir(name).iterdir() if p.is_file())
    h = hashlib.sha256()
    for p in files:
        if p.exists():
            h.update(p.relative_to(pkg.parent).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:8]


def _sources(pkg: Path, package: str) -> list[Path]:
    return sorted((pkg / package).glob("*.py"))


def files_of(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.xlsx"))


def prepare(root: Path, sets: Sequence[DataSet], log: Callable[[str], None] = print) -> list[Path]:
    """The folder of each data set, generating (and writing) the missing ones."""
    folders = [ds.folder(root) for ds in sets]
    missing = [(ds, f) for ds, f in zip(sets, folders, strict=True) if not f.is_dir()]
    if not missing:
        return folders
    from leadbook.sample.make import generate

    jobs: list[tuple[Path, list, object]] = []  # (temporary folder, books, team config)
    start = time.perf_counter()
    for ds, folder in missing:
        _drop_stale(folder, ds)
        t = time.perf_counter()
        if ds.variant == ALL_WRONG:
            books, config = all_wrong(ds.rows), None
        else:
            data = generate(
                reps=ds.files, leads=ds.rows, seed=ds.seed, defects=ds.defects, as_of=AS_OF
            )
            books, config = VARIANTS.get(ds.variant, _same)(data.books), data.config
        log(f"  generated {ds.key}: {time.perf_counter() - t:.1f} s")
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        jobs.append((tmp, books, config))  # the config names the sample's reps
    t = time.perf_counter()
    _write_all(jobs)
    for (tmp, _, _), (_, folder) in zip(jobs, missing, strict=True):
        tmp.rename(folder)
    total = sum(len(books) for _, books, _ in jobs)
    log(f"  wrote {total} workbooks: {time.perf_counter() - t:.1f} s")
    log(f"  data generation took {time.perf_counter() - start:.1f} s (cached for later runs)")
    return folders


def _drop_stale(folder: Path, ds: DataSet) -> None:
    """Remove this data set's folders of older generator versions."""
    for old in folder.parent.glob(f"{ds.key}-*"):
        if old != folder and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def _write_all(jobs: list[tuple[Path, list, object]]) -> None:
    """Write every book; largest first, in worker processes when there is much to write."""
    tasks = [(tmp / b.file, b.register, b.log, cfg) for tmp, books, cfg in jobs for b in books]
    tasks.sort(key=lambda t: -len(t[1]))
    rows = sum(len(t[1]) for t in tasks)
    workers = min(os.cpu_count() or 1, 4)
    if rows < PARALLEL_ROWS or workers < 2 or len(tasks) < 2:
        _write_chunk(tasks)
        return
    # Big books alone, small ones in chunks (fewer round trips to the workers).
    chunks: list[list[tuple]] = []
    small: list[tuple] = []
    for task in tasks:
        if len(task[1]) >= 2_000:
            chunks.append([task])
        else:
            small.append(task)
    size = max(1, len(small) // (workers * 4))
    chunks += [small[i : i + size] for i in range(0, len(small), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for _ in pool.map(_write_chunk, chunks):
            pass


def _write_chunk(tasks: list[tuple]) -> None:
    from leadbook.workbook.template import write_workbook

    for path, register, log, config in tasks:
        write_workbook(
            path,
            register=register,
            log=log,
            config=config,
            rows=len(register),
            created=AS_OF,
            keep_lead_ids=config is None,  # the all-wrong book: its (wrong) IDs as values
        )


# ------------------------------------------------------------------------------ variants
TWO_PER_ROW, ALL_WRONG = "two-per-row", "all-wrong"
# Two findings on every row that change nothing else (the lead ID, the log): a 潜力 not in
# the list (not-in-list) and a 规模 that is no size (invalid-size).
TWO_WRONG = {"potential": "超高潜力", "size": "很大"}


@dataclass(frozen=True)
class Book:
    file: str
    register: list
    log: list


def _same(books: list) -> list:
    return books


def two_per_row(books: list) -> list[Book]:
    """The sample's books with :data:`TWO_WRONG` on every register row."""
    return [Book(b.file, [r | TWO_WRONG for r in b.register], b.log) for b in books]


def all_wrong(rows: int) -> list[Book]:
    """One book of ``rows`` register rows where every cell is wrong: a mobile number (a
    different one on every row) in every field, which no field accepts; no log."""
    from leadbook.core.catalog import load_catalog

    keys = [f.key for f in load_catalog().register]
    register = [dict.fromkeys(keys, f"139{i * 131 % 100_000_000:08d}") for i in range(rows)]
    return [Book("all-wrong.xlsx", register, [])]


VARIANTS = {TWO_PER_ROW: two_per_row}


# ------------------------------------------------------------------------------ masters
ROWS_CHUNK = 5_000  # rows per pickled chunk of a master's rows (write_floor.py streams them)


@dataclass(frozen=True)
class Master:
    """The master ``leadbook merge`` writes from a data set, with its rows, cached."""

    path: Path  # the master workbook
    rows: Path  # its register and log sheets' rows as read back, pickled (write_floor.py)
    info: dict  # leads, log_entries, register_rows, log_rows (with headers), build seconds


@cache
def master_digest() -> str:
    """Eight hex digits over the generator and the merge sources that decide the master."""
    import leadbook

    pkg = Path(leadbook.__file__).parent
    h = hashlib.sha256(generator_digest().encode())
    for p in [*_sources(pkg, "merge"), pkg / "core" / "provenance.py", pkg / "core" / "mask.py"]:
        if p.exists():
            h.update(p.relative_to(pkg.parent).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:8]


def master(root: Path, ds: DataSet, log: Callable[[str], None] = print) -> Master:
    """The master of ``ds`` (``leadbook merge`` of its folder), built once and cached in
    ``bench-out/masters/`` with its rows, read back with python-calamine, for the write floor."""
    folder = prepare(root, [ds], log)[0]
    stem = Path(root) / "masters" / f"{ds.key}-{master_digest()}"
    path, rows, meta = (stem.with_name(stem.name + s) for s in (".xlsx", ".rows.pickle", ".json"))
    if meta.is_file() and path.is_file() and rows.is_file():  # the .json is written last
        return Master(path, rows, json.loads(meta.read_text(encoding="utf-8")))
    import subprocess

    from benchmarks.util import leadbook_argv

    stem.parent.mkdir(parents=True, exist_ok=True)
    for old in stem.parent.glob(f"{ds.key}-*"):
        if not old.name.startswith(stem.name + "."):
            old.unlink(missing_ok=True)
    start = time.perf_counter()
    part = stem.with_name(stem.name + ".part.xlsx")
    argv = [*leadbook_argv(), "merge", str(folder), "-o", str(part), "--force"]
    done = subprocess.run(
        [*argv, "--as-of", AS_OF_ARG], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"leadbook merge {folder} failed ({done.returncode}):\n{done.stderr}")
    merged = time.perf_counter() - start
    t = time.perf_counter()
    info = _dump_rows(part, rows)
    info |= {"merge_s": round(merged, 1), "read_back_s": round(time.perf_counter() - t, 1)}
    part.replace(path)
    meta.write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(
        f"  built the master of {ds.key}: {info['leads']} leads, {info['log_entries']} log"
        f" entries; merge {merged:.1f} s, rows read back {info['read_back_s']:.1f} s (cached)"
    )
    return Master(path, rows, info)


def _dump_rows(path: Path, target: Path) -> dict:
    """Pickle the register and log sheets of ``path`` (python-calamine values; empty cells as
    None) to ``target``: a header ``[(sheet, row count), ...]``, then chunks of rows."""
    import pickle

    from python_calamine import CalamineWorkbook

    from leadbook.core.texts import sheet_name
    from leadbook.workbook.template import FIRST_DATA_ROW, LOG_HEADER_ROW

    wb = CalamineWorkbook.from_path(str(path))
    sheets = []
    for role in ("register", "log"):
        name = sheet_name(role, "zh")
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheets.append((name, [[None if v == "" else v for v in row] for row in rows]))
    part = target.with_name(target.name + ".part")
    with open(part, "wb") as f:
        pickle.dump([(name, len(rows)) for name, rows in sheets], f, pickle.HIGHEST_PROTOCOL)
        for _, rows in sheets:
            for i in range(0, len(rows), ROWS_CHUNK):
                pickle.dump(rows[i : i + ROWS_CHUNK], f, pickle.HIGHEST_PROTOCOL)
    part.replace(target)
    (_, reg), (_, log) = sheets

    def filled(rows: list[list]) -> int:
        return sum(1 for r in rows if any(v is not None for v in r))

    return {
        "leads": filled(reg[FIRST_DATA_ROW:]),
        "log_entries": filled(log[LOG_HEADER_ROW + 1 :]),
        "register_rows": len(reg),
        "log_rows": len(log),
        "xlsx_mb": round(path.stat().st_size / 2**20, 2),
    }
