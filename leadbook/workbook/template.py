"""Writing the lead workbook (``leadbook new``; also the sample and the merged master).

Sheets, in order: instructions (``instructions``), register (线索台账, ``register``),
follow-up log (跟进记录, ``followups``), field guide (``guide``) and the hidden lists sheet
(``listsheet``); ``book`` holds what they share, ``formats`` the cell formats, ``spec`` the
spec and the row layout. Everything column-shaped comes from the field catalog; the lists and
numbers from the team config. This module owns the entry point: the spec from the arguments,
the document properties, the records' lead IDs (cached with the register's formulas), the
sheets in order, written with XlsxWriter, atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from leadbook import __version__
from leadbook.core.atomic import atomic_path
from leadbook.core.catalog import Catalog, Field, load_catalog
from leadbook.core.config import Rep, TeamConfig, load_config
from leadbook.core.errors import OutputError
from leadbook.core.leadid import ids_for
from leadbook.core.texts import sheet_name, texts
from leadbook.workbook.book import Book
from leadbook.workbook.followups import write_followups
from leadbook.workbook.guide import write_guide
from leadbook.workbook.instructions import write_instructions
from leadbook.workbook.register import write_register
from leadbook.workbook.spec import FIRST_DATA_ROW, LOG_HEADER_ROW, Extra, WorkbookSpec

# The layout and the extra-column type callers read from here, with the entry point.
__all__ = ["FIRST_DATA_ROW", "LOG_HEADER_ROW", "Extra", "iter_fields", "write_workbook"]


def write_workbook(
    path: str | Path,
    *,
    catalog: Catalog | None = None,
    config: TeamConfig | None = None,
    lang: str = "zh",
    rows: int = 500,
    register: Sequence[dict[str, Any]] = (),
    log: Sequence[dict[str, Any]] = (),
    force: bool = False,
    lead_id_formula: bool = True,
    extra: Sequence[Extra] = (),
    log_extra: Sequence[Extra] = (),
    created: datetime | None = None,
    password: str | None = None,
    rep: Rep | None = None,
    keep_lead_ids: bool = False,
    constant_memory: bool = False,
) -> Path:
    """Write a lead workbook to ``path`` (atomically) and return the path.

    ``register`` and ``log`` are records keyed by field key (datetimes as ``datetime``);
    the sheets are sized for at least ``rows`` leads. ``created`` fixes the document's
    creation time (reproducible files); default now. With ``password`` the workbook is
    encrypted (Excel's "Encrypt with Password"). With ``rep`` it is that rep's workbook: the
    rep first in the 跟进人 dropdowns, named on the instructions and in the custom properties
    (``leadbook_rep``, ``leadbook_rep_code``, ``leadbook_lead_id_format``), and the lead IDs
    with the rep's code, as the config's ``lead_id_format`` places it.
    With ``keep_lead_ids`` a record whose
    ``lead_id`` differs from the one the ID formula gives its row keeps it, as a value.
    With ``constant_memory`` the sheets are streamed to disk row by row (a large master):
    memory stays flat, and the register and log have an autofilter instead of an Excel table
    (XlsxWriter's constant_memory mode has no tables).
    """
    config = config or load_config()
    if rep is not None and rep.name in config.reps:  # the rep first; the team still offered
        config = replace(config, reps=(rep.name, *(r for r in config.reps if r != rep.name)))
    spec = WorkbookSpec(
        catalog=catalog or load_catalog(),
        config=config,
        lang=lang,
        rows=max(rows, len(register)),
        log_rows=max(rows * 3, len(log)),
        lead_id_formula=lead_id_formula,
        extra=tuple(extra),
        log_extra=tuple(log_extra),
        created=created,
        rep=rep,
        keep_lead_ids=keep_lead_ids,
        constant_memory=constant_memory,
    )
    texts(lang)  # fail on an unknown language before touching the file system
    path = check_suffix(Path(path))
    with atomic_path(path, force=force, password=password) as tmp:
        options = {"strings_to_formulas": False, "strings_to_urls": False}
        if constant_memory:
            options["constant_memory"] = True
        wb = xlsxwriter.Workbook(str(tmp), options)
        _write(Book(wb, spec), register, log)
        wb.close()
    return path


def check_suffix(path: Path) -> Path:
    """``path`` when it names an .xlsx workbook (what XlsxWriter writes), else OutputError:
    a file named .xls or .xlsm that holds an .xlsx is refused by Excel or opened with a
    warning."""
    if path.suffix.lower() != ".xlsx":
        stem = path.name[: -len(path.suffix)] if path.suffix else path.name
        raise OutputError(
            f"{path}: leadbook writes .xlsx workbooks, not {path.suffix or 'files without a suffix'}"
            f": name it {stem}.xlsx"
        )
    return path


def _write(book: Book, register: Sequence[dict], log: Sequence[dict]) -> None:
    """The properties, then every sheet; the register is the one open."""
    wb, lang = book.wb, book.lang
    _properties(book)
    instructions = wb.add_worksheet(sheet_name("instructions", lang))
    reg = wb.add_worksheet(sheet_name("register", lang))
    log_ws = wb.add_worksheet(sheet_name("log", lang))
    guide = wb.add_worksheet(sheet_name("guide", lang))
    write_instructions(book, instructions)
    write_register(book, reg, register, _lead_ids(book, register))
    write_followups(book, log_ws, log)
    write_guide(book, guide)
    book.lists.write(wb, sheet_name("lists", lang), book.f.header)
    reg.activate()


def _lead_ids(book: Book, records: Sequence[dict]) -> list[str | None]:
    """The lead IDs the register's formulas compute for ``records``, to cache with them."""
    if not book.spec.lead_id_formula:
        return []
    codes = {c.name: c.code for c in book.cfg.channels}
    rep = book.spec.rep
    return ids_for(records, codes, (rep.code if rep else None) or "", book.cfg.lead_id_format)


def _properties(book: Book) -> None:
    """Document and custom properties: title, versions and digests, the language."""
    cat, cfg, wb = book.cat, book.cfg, book.wb
    wb.set_properties(
        {
            "title": book.t["instructions"]["title"],
            "subject": "leadbook",
            "author": "leadbook",
            "company": cfg.company,
            "keywords": "leadbook, leads, 销售线索",
            "comments": f"template {cat.template_version}; catalog {cat.digest}; "
            f"config {cfg.digest}; leadbook {__version__}",
            **({"created": book.spec.created} if book.spec.created else {}),
        }
    )
    wb.set_custom_property("leadbook_template_version", cat.template_version)
    wb.set_custom_property("leadbook_catalog", cat.digest)
    wb.set_custom_property("leadbook_config", cfg.digest)
    wb.set_custom_property("leadbook_version", __version__)
    wb.set_custom_property("leadbook_lang", book.lang)
    rep = book.spec.rep
    if rep is not None:  # whose workbook it is, and the IDs its formulas compute
        wb.set_custom_property("leadbook_rep", rep.name)
        if rep.code:
            wb.set_custom_property("leadbook_rep_code", rep.code)
            wb.set_custom_property("leadbook_lead_id_format", book.cfg.lead_id_format)


def iter_fields(catalog: Catalog, sheet: str) -> Iterable[Field]:
    return catalog.sheet_fields(sheet)
