"""``leadbook validate``: read workbooks, run the column schema and the rules, and return a
``Report`` of findings, one ``FileReport`` per input (an unreadable file in its place).

Files are read in a bounded window ahead of validation (a reader thread: fastexcel parses
without the GIL, so the next file's reading overlaps this one's checks) and validated in
batches, so memory stays flat in the number of files. A large batch is validated in worker
processes (``check.parallel``), the same way in each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from leadbook.check.codes import make_issue
from leadbook.check.issues import FileReport, Issue, Report
from leadbook.core import mask, provenance
from leadbook.core.catalog import Catalog, load_catalog
from leadbook.core.config import TeamConfig, load_config
from leadbook.core.errors import InputError
from leadbook.core.show import visible
from leadbook.read.formulas import _column_letter as xl_col_to_name
from leadbook.read.reader import RawBook, list_inputs, read_book

BATCH_ROWS = 60_000  # rows validated together (one pandera call per batch); memory bound
READ_AHEAD = 4  # files read ahead of validation
UNTYPED_SUFFIXES = (".csv", ".tsv", ".txt")  # formats whose cells carry no type


@dataclass
class _Book:
    """What validation keeps of a file: where each field lives, and its frames."""

    index: int
    report: FileReport
    raw: RawBook


def validate_paths(
    paths: Sequence[str | Path],
    *,
    config: TeamConfig | None = None,
    catalog: Catalog | None = None,
    as_of: datetime | None = None,
    lang: str = "zh",
    on_file: Callable[[FileReport], None] | None = None,
    on_frames: Callable[[FileReport, RawBook, object, object], None] | None = None,
    password: str | None = None,
    check: bool = True,
    keep_lead_ids: bool = False,
    jobs: int | None = 1,
) -> Report:
    """Validate every workbook named by ``paths`` (files, folders, globs).

    ``on_file(report)`` is called as each file is done (progress); ``on_frames(report, raw,
    register, log)`` hands over each readable file's normalised frames (merge uses them).
    ``check=False`` only reads and normalises (the report, which needs no findings: no
    schema, no rules, and no pandera import). ``keep_lead_ids`` keeps every lead ID of a
    formula cell in its report (``formula_values``) for the annotated copy to cache.
    ``jobs``: worker processes for a large batch (``check.parallel``): 1 (the default) none;
    None as ``LEADBOOK_JOBS`` says, else automatic (the command line's way). Workers are
    spawned: a script that asks for them runs its work under ``if __name__ == "__main__"``.
    """
    config = config or load_config()
    catalog = catalog or load_catalog()
    as_of = as_of or datetime.now().replace(second=0, microsecond=0)
    report = Report(as_of=as_of, lang=lang)
    files = _inputs(paths, lang, report)
    options = _Options(catalog, config, as_of, lang, password, check, keep_lead_ids)
    if check and on_frames is None:  # files checked on their own: side by side
        from leadbook.check import parallel

        workers = parallel.jobs_for(files, jobs)
        if workers > 1:
            work = partial(validate_inputs, options=options)
            parallel.validate_in_workers(files, workers, work, report, on_file)
            return report
    validate_inputs(files, report, options, on_file, on_frames)
    return report


@dataclass(frozen=True)
class _Options:
    """How ``validate_inputs`` validates: the same in this process and in a worker."""

    catalog: Catalog
    config: TeamConfig
    as_of: datetime
    lang: str = "zh"
    password: str | None = None
    check: bool = True
    keep_lead_ids: bool = False


def validate_inputs(files, report: Report, options: _Options, on_file=None, on_frames=None):
    """Validate the listed ``files`` in this process, in batches; each file's report is
    appended to ``report``."""
    catalog, config, as_of, lang = options.catalog, options.config, options.as_of, options.lang
    check, keep_lead_ids = options.check, options.keep_lead_ids
    warm = threading.Thread(target=_import_validators if check else (lambda: None), daemon=True)
    warm.start()  # pandera's import overlaps the first reads
    batch: list[_Book] = []
    rows = 0
    for book in _read_all(files, catalog, config, lang, report, options.password):
        if book is None:
            continue
        batch.append(book)
        rows += len(book.raw.register) + (len(book.raw.log) if book.raw.log else 0)
        if rows >= BATCH_ROWS:
            warm.join()
            _check_batch(batch, catalog, config, as_of, lang, on_frames, check, keep_lead_ids)
            _finish(batch, on_file)
            batch, rows = [], 0
    warm.join()
    if batch:
        _check_batch(batch, catalog, config, as_of, lang, on_frames, check, keep_lead_ids)
        _finish(batch, on_file)


def _import_validators() -> None:
    import pandera.polars  # noqa: F401


def _inputs(paths, lang, report):
    """The inputs to read, in order; an argument that names nothing readable, and the files
    skipped, are reported in their place as the reading goes (one line per file)."""
    return list_inputs([str(raw) for raw in paths])


def _read_all(files, catalog, config, lang, report, password=None) -> Iterator[_Book | None]:
    max_bytes = config.max_file_mb * 2**20

    def read(item):
        if not item.readable:
            return item
        path = item.path
        try:
            return read_book(path, catalog, max_bytes=max_bytes, lang=lang, password=password)
        except InputError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: list[tuple[Path, Future]] = []
        queue = iter(files)
        for item in queue:
            pending.append((item.path, pool.submit(read, item)))
            if len(pending) < READ_AHEAD:
                continue
            yield _take(pending.pop(0), report, lang)
        while pending:
            yield _take(pending.pop(0), report, lang)


def _take(item, report: Report, lang: str = "zh") -> _Book | None:
    path, future = item
    result = future.result()
    file_report = FileReport(str(path))
    report.files.append(file_report)
    if isinstance(result, InputError):
        file_report.error = str(result)
        return None
    if not isinstance(result, RawBook):  # an Input listed but not read
        if result.error is not None:
            file_report.error = result.reason(lang)
        else:
            file_report.skipped = result.reason(lang)
        return None
    file_report.rows = result.rows
    if result.kind == "csv" or path.suffix.lower() in UNTYPED_SUFFIXES:  # all cells are text
        for sheet in (result.register, result.log):
            if sheet is not None:
                sheet.typed = False  # no date-as-text notes
    return _Book(len(report.files) - 1, file_report, result)


def _finish(batch: list[_Book], on_file) -> None:
    for book in batch:
        book.raw = None  # type: ignore[assignment]  # free the values
        if on_file:
            on_file(book.report)


# ------------------------------------------------------------------------ checking
def _check_batch(
    batch, catalog, config, as_of, lang, on_frames=None, check=True, keep_ids=False
) -> None:
    import polars as pl

    from leadbook.read.normalize import FILE, batch_frame, fill_formula_ids

    sheets = [(b.index, b.raw.register) for b in batch]
    reg = batch_frame(sheets, catalog.register)
    codes = {c.name: c.code for c in config.channels}
    reg, filled = fill_formula_ids(reg, sheets, codes)
    for book in batch:
        _keep_ids(book, reg, filled.get(book.index), keep_ids)
    logs = [(b.index, b.raw.log) for b in batch if b.raw.log is not None]
    log = batch_frame(logs, catalog.log) if logs else None
    if check:
        _findings(batch, reg, log, catalog, config, as_of, lang)
    if on_frames is not None:
        for book in batch:
            mine = pl.col(FILE) == book.index
            own_log = log.filter(mine) if log is not None else None
            on_frames(book.report, book.raw, reg.filter(mine), own_log)


def _keep_ids(book, reg, computed: dict[int, str] | None, keep_all: bool) -> None:
    """Keep with the report the lead IDs the annotated copy caches in its formulas: those
    computed for formulas without a value, and with ``keep_all`` every ID (the copy is
    written by openpyxl, which drops every formula's value)."""
    import polars as pl

    from leadbook.read.normalize import FILE, ROW

    sheet = book.raw.register
    if "lead_id" not in sheet.columns or not (computed or keep_all):
        return
    ids = dict(computed or {})
    if keep_all and "lead_id" in reg.columns:
        own = reg.filter((pl.col(FILE) == book.index) & pl.col("lead_id").is_not_null())
        ids = dict(zip(own[ROW].to_list(), own["lead_id"].to_list(), strict=True)) | ids
    letter = xl_col_to_name(sheet.columns["lead_id"])
    book.report.formula_values = {(sheet.name, f"{letter}{r}"): v for r, v in ids.items()}


def _findings(batch, reg, log, catalog, config, as_of, lang) -> None:
    """Run the column schema and the rules over a batch; each file gets its findings, the
    cell findings as chunks (``issues.Chunk``: one code at one column, rows in a frame)."""
    from leadbook.check import formats  # noqa: F401  (registers its rules)
    from leadbook.check.rules import Context

    ctx = Context(catalog, config, as_of, lang)
    for book in batch:
        _file_findings(book, catalog, config, lang)
    # file -> (code, role, field) -> frames of rows, in the order found
    found: dict[int, dict[tuple[str, str, str], list]] = {b.index: {} for b in batch}

    def emit(code, role, key, rows):
        import polars as pl

        from leadbook.read.normalize import FILE

        if rows.height == 0:
            return
        files = rows[FILE].unique(maintain_order=True).to_list()
        for file_index in files:
            own = rows if len(files) == 1 else rows.filter(pl.col(FILE) == file_index)
            found[file_index].setdefault((code, role, key), []).append(own.drop(FILE))

    for reg_part, log_part in _same_columns(batch, reg, log):
        _part_findings(reg_part, log_part, catalog, config, ctx, emit)
    for book in batch:
        _add_chunks(book, found[book.index], catalog, lang)
        _drop_shadowed(book.report.issues)


def _same_columns(batch, reg, log):
    """The batch's frames split into groups of files with the same columns, each frame
    holding only the columns its files have: the schema and the rules judge a file on its
    own columns (a column another file of the batch has is not "empty" in this one). Files
    made from one template form one group, so the common batch stays one frame."""
    import polars as pl

    from leadbook.read.normalize import FILE, ROW, present_keys

    groups: dict[tuple, list[int]] = {}
    for book in batch:
        own_log = book.raw.log
        shape = (
            frozenset(present_keys(book.raw.register)),
            None if own_log is None else frozenset(present_keys(own_log)),
        )
        groups.setdefault(shape, []).append(book.index)

    def part(frame, keys, indexes):
        if frame is None or keys is None:
            return None
        if len(groups) > 1:
            frame = frame.filter(pl.col(FILE).is_in(indexes))
        keep = [c for c in frame.columns if c in (FILE, ROW) or c.split("__", 1)[0] in keys]
        return frame if len(keep) == frame.width else frame.select(keep)

    for (reg_keys, log_keys), indexes in groups.items():
        yield part(reg, reg_keys, indexes), part(log, log_keys, indexes)


def _part_findings(reg, log, catalog, config, ctx, emit) -> None:
    import polars as pl

    from leadbook.check.rules import RULES
    from leadbook.check.schema import failure_frame
    from leadbook.read.normalize import FILE, ROW

    for role, frame, fields in (("register", reg, catalog.register), ("log", log, catalog.log)):
        if frame is None:
            continue
        failures = failure_frame(frame, fields, config)
        for (key, code), part in failures.group_by("field", "code", maintain_order=True):
            params = _column_params(frame, key, code, fields, config)
            rows = frame.select(
                pl.col(FILE),
                pl.col(ROW).alias("row"),
                pl.col(key + "__raw").cast(pl.String).alias("value"),
                *[expr.alias(name) for name, expr in params.items()],
            )[part["index"]]
            emit(code, role, key, rows)
    for rule in RULES:
        for hits in rule(reg, log, ctx):
            emit(hits.code, hits.role, hits.field, hits.rows.rename({ROW: "row"}))


ALLOWED_SHOWN = 8  # list values named in a not-in-list message


def _column_params(frame, key, code, fields, config) -> dict:
    """The message parameters of a column rule's failures, as expressions over ``frame``."""
    import polars as pl

    if code == "not-in-list":
        fd = next(f for f in fields if f.key == key)
        values = config.values(fd.list or "")
        shown = "、".join(values[:ALLOWED_SHOWN]) + ("…" if len(values) > ALLOWED_SHOWN else "")
        return {"allowed": pl.lit(shown)}
    numeric = key + "__num"
    if code == "invalid-phone" and numeric in frame.columns:
        zero = pl.col(numeric).fill_null(False)
        return {"reason": pl.when(zero).then(pl.lit("leading-zero")).otherwise(pl.lit(None))}
    return {}


# A cell flagged for personal data is not also flagged for its format.
SHADOWED_BY = {"invalid-phone": {"personal-mobile", "personal-email"}}


def _add_chunks(book, found, catalog, lang) -> None:
    """A file's rule findings as chunks: one a (code, sheet, field), its rows in the order
    found, the second finding of a code at one cell dropped."""
    import polars as pl

    from leadbook.check.codes import severity
    from leadbook.check.issues import Chunk

    make = partial(_make, book.report.path, lang)
    for (code, role, key), frames in found.items():
        rows = frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")
        rows = rows.unique(subset="row", keep="first", maintain_order=True)
        sheet = book.raw.register if role == "register" else book.raw.log
        params = {"label": _label(catalog, role, key, lang)}
        if code == "log-mismatch":  # which sheet says what
            params["reg_sheet"] = book.raw.register.name
            params["log_sheet"] = book.raw.log.name if book.raw.log else ""
        book.report.issues.add(
            Chunk(
                code=code,
                severity=severity(code),
                sheet=sheet.name if sheet else None,
                column=_letter(book.raw, role, key),
                field=key,
                frame=rows,
                params={k: visible(str(v)) for k, v in params.items()},
                make=make,
            )
        )


_MADE: dict[tuple, Issue] = {}  # (path, lang, code, sheet, column, field, value, params)
MADE_KEPT = 50_000  # findings told the same way remembered (the cache is cleared when full)


def _make(path, lang, chunk, row, value, params) -> Issue:
    """One chunk row as its ``Issue`` (the value masked and cut to 80 characters). Rows with
    the same value and parameters share their text: it is made once."""
    key = (path, lang, chunk.code, chunk.sheet, chunk.column, chunk.field, value)
    key += tuple(params.items())
    made = _MADE.get(key)
    if made is not None:
        return Issue(
            made.code,
            made.severity,
            made.file,
            made.sheet,
            row,
            made.column,
            made.field,
            made.value,
            made.message,
            made.hint,
        )
    shown = None
    if value not in (None, ""):
        shown = visible(mask.mask_text(str(value)))
        if len(shown) > 80:
            shown = shown[:79] + "…"
    made = make_issue(
        chunk.code,
        file=path,
        sheet=chunk.sheet,
        row=row,
        column=chunk.column,
        field=chunk.field,
        value=shown,
        lang=lang,
        **{k: ("" if v is None else visible(str(v))) for k, v in params.items()},
    )
    if len(_MADE) >= MADE_KEPT:
        _MADE.clear()
    _MADE[key] = made
    return made


def _drop_shadowed(findings) -> None:
    """Drop the findings of a cell that another code there shadows (``SHADOWED_BY``)."""
    import polars as pl

    from leadbook.check.issues import Chunk

    shadows = set().union(*SHADOWED_BY.values())
    codes = {p.code for p in findings.parts if isinstance(p, Chunk)}
    codes |= {i.code for p in findings.parts if isinstance(p, list) for i in p}
    if not codes & set(SHADOWED_BY) or not codes & shadows:
        return
    by_cell: dict[tuple, set[str]] = {}  # (sheet, row, column) -> the shadowing codes there
    for part in findings.parts:
        if isinstance(part, Chunk):
            if part.code in shadows:
                for row in part.frame["row"].to_list():
                    by_cell.setdefault((part.sheet, row, part.column), set()).add(part.code)
        else:
            for i in part:
                by_cell.setdefault((i.sheet, i.row, i.column), set()).add(i.code)
    parts = []
    for part in findings.parts:
        if isinstance(part, Chunk):
            drop = SHADOWED_BY.get(part.code)
            if drop:
                keep = [
                    not (drop & by_cell.get((part.sheet, row, part.column), set()))
                    for row in part.frame["row"].to_list()
                ]
                part.frame = part.frame.filter(pl.Series(keep, dtype=pl.Boolean))
            if len(part):
                parts.append(part)
        else:
            parts.append(
                [
                    i
                    for i in part
                    if not SHADOWED_BY.get(i.code, set())
                    & by_cell.get((i.sheet, i.row, i.column), set())
                ]
            )
    findings.parts = parts


def _letter(raw: RawBook, role: str, key: str) -> str | None:
    sheet = raw.register if role == "register" else raw.log
    if sheet is None:
        return None
    col = sheet.columns.get(key)
    if col is None and key in ("province", "city"):
        col = sheet.columns.get("province_city")
    if col is None and key == "industry_division":  # the seed's one-cell 门类-大类
        col = sheet.columns.get("industry")
    return xl_col_to_name(col) if col is not None else None


def _label(catalog: Catalog, role: str, key: str, lang: str) -> str:
    fields = catalog.sheet_fields(role)
    fd = next((f for f in fields if f.key == key), None)
    return fd.label(lang) if fd else key


def _file_findings(book: _Book, catalog: Catalog, config: TeamConfig, lang: str) -> None:
    """Whole-file findings: missing and unknown columns (and personal data in them), another
    template."""
    from leadbook.check.extra import hidden_findings, name_findings, unknown_column_findings

    raw, report = book.raw, book.report
    report.issues.extend(name_findings(report.path, (raw.register, raw.log), config, lang))
    report.issues.extend(hidden_findings(report.path, raw.hidden, config, lang))
    master = provenance.is_master(h for _, h in raw.register.unknown)
    for role, sheet in (("register", raw.register), ("log", raw.log)):
        if sheet is None:
            continue
        report.issues.extend(unknown_column_findings(report.path, sheet, config, lang))
        present = set(sheet.columns)
        if "province_city" in present:
            present |= {"province", "city"}
        if "industry" in present:  # 门类-大类 in one cell (read.industry)
            present.add("industry_division")
        fields = catalog.sheet_fields(role)
        # A sheet not made by leadbook may lack the columns the seed's table has not: one note.
        own = "leadbook_catalog" in (raw.properties or {})
        skipped = [f for f in fields if f.seed_optional and f.key not in present and not own]
        missing = [f for f in fields if f.required and f.key not in present and f not in skipped]
        if role == "register" and not {"office_phone", "im_account"} & present:
            missing.append(catalog.field("office_phone"))  # one of the two is required
        if skipped:
            report.issues.append(_checks_skipped(report, sheet, skipped, lang))
        for fd in missing:
            report.issues.append(
                make_issue(
                    "missing-column",
                    file=report.path,
                    sheet=sheet.name,
                    row=sheet.header_row,
                    field=fd.key,
                    lang=lang,
                    label=fd.label(lang),
                )
            )
        for col, header in sheet.unknown:
            if master and header in provenance.HEADERS:
                continue  # a master's own columns; in a rep's workbook they are reported
            report.issues.append(
                make_issue(
                    "unknown-column",
                    file=report.path,
                    sheet=sheet.name,
                    row=sheet.header_row,
                    column=xl_col_to_name(col),
                    lang=lang,
                    label=visible(mask.mask_text(header)),
                )
            )
    props = raw.properties
    if props:
        detail = _template_difference(props, catalog, config, lang)
        if detail:
            report.issues.append(
                make_issue(
                    "template-mismatch",
                    file=report.path,
                    lang=lang,
                    detail=detail,
                    label="",
                )
            )


def _template_difference(props, catalog, config, lang) -> str:
    parts = []
    version = props.get("leadbook_template_version")
    if version and version != catalog.template_version:
        parts.append(
            f"模板版本 {version},当前 {catalog.template_version}"
            if lang == "zh"
            else f"template version {version}, current {catalog.template_version}"
        )
    if props.get("leadbook_catalog") and props["leadbook_catalog"] != catalog.digest:
        parts.append("字段目录不同" if lang == "zh" else "a different field catalog")
    if props.get("leadbook_config") and props["leadbook_config"] != config.digest:
        parts.append(
            "团队配置不同(检查时请用同一 --config)"
            if lang == "zh"
            else "a different team config (check with the same --config)"
        )
    return ";".join(parts) if lang == "zh" else "; ".join(parts)


def _checks_skipped(report: FileReport, sheet, skipped, lang: str) -> Issue:
    """One note for the columns the seed's table has not, with the checks they feed."""
    zh = lang != "en"
    columns = (
        "、".join(f"“{f.label(lang)}”" for f in skipped)
        if zh
        else ", ".join(f"“{f.label(lang)}”" for f in skipped)
    )
    checks = ";" if zh else "; "
    return make_issue(
        "checks-skipped",
        file=report.path,
        sheet=sheet.name,
        row=sheet.header_row,
        lang=lang,
        label="",
        columns=columns,
        checks=checks.join(
            f"{f.label(lang)}{':' if zh else ': '}{f.checks(lang)}" for f in skipped
        ),
    )
