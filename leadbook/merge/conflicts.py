"""Reporting a merge: the conflicts report (``--conflicts`` as .xlsx or .csv) and the summary
printed on the terminal.

The report lists fields that differ between versions of one lead (字段冲突), lead IDs that
two customers shared and how one was renumbered (编号重复), and customers found under several
lead IDs (撞单), who registered first. As .xlsx it is a work list, one sheet per kind
(``worklist``); as .csv one long table in three parts (``report_rows``). Values are the master's,
so personal data is already masked. User text is written as text: XlsxWriter's
``write_string``; in CSV, a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` and every cell is quoted (OWASP, CSV injection).
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from leadbook.core.atomic import atomic_path
from leadbook.core.catalog import Catalog, load_catalog
from leadbook.core.errors import OutputError
from leadbook.core.mask import mask_text
from leadbook.core.show import shown_path
from leadbook.merge.results import DuplicateGroup, MergeResult
from leadbook.merge.worklist import write_worklist

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
GROUPS_SHOWN = 5  # 撞单 groups listed on the terminal

_TEXT = {
    "zh": {
        "headers": ("类型", "组", "线索编号", "公司名称", "字段", "值", "来源文件", "来源位置",
                    "负责销售", "结果"),
        "kinds": {"conflict": "字段冲突", "renumbered": "编号重复", "duplicate": "撞单"},
        "kept": "采用", "not_kept": "未采用", "renumbered_to": "改为 {new}",
        "owner": "首次登记,归属", "later": "后登记", "group": "撞单{n}",
        "linked": {"company": "公司名称", "office_phone": "办公电话", "im_account": "企业微信/钉钉账号"},
        "created": "创建时间 {when}", "sep": "、",
        "files": "读取 {read} 个文件,无法读取 {bad} 个",
        "rows": "线索:输入 {inputs} 行 = 主表 {master} 行 + 合并重复 {merged} 行",
        "rows_dropped": " + 有错误而略去 {dropped} 行(--valid-only)",
        "log": "跟进记录:输入 {inputs} 条 = 主表 {master} 条 + 合并重复 {merged} 条",
        "log_dropped": " + 随略去的线索略去 {dropped} 条",
        "counts": "字段冲突 {conflicts} 处;编号重复改号 {renumbered} 条;撞单 {groups} 组;"
                  "有校验问题或撞单标记的行 {flagged} 行",
        "groups_title": "撞单(以首次登记为准):",
        "more": "……另有 {n} 组,见冲突报告",
        "unreadable": "无法读取(已跳过):",
        "skipped": "已跳过(未读取):",
        "by": "按{linked}",
    },
    "en": {
        "headers": ("Kind", "Group", "Lead ID", "Company", "Field", "Value", "Source file",
                    "Source position", "Rep", "Outcome"),
        "kinds": {"conflict": "conflict", "renumbered": "ID collision",
                  "duplicate": "duplicate customer"},
        "kept": "kept", "not_kept": "not kept", "renumbered_to": "renumbered to {new}",
        "owner": "registered first: owner", "later": "registered later", "group": "D{n}",
        "linked": {"company": "company name", "office_phone": "office phone",
                   "im_account": "IM account"},
        "created": "created {when}", "sep": ", ",
        "files": "{read} files read, {bad} unreadable",
        "rows": "leads: {inputs} input rows = {master} master rows + {merged} merged duplicates",
        "rows_dropped": " + {dropped} left out with errors (--valid-only)",
        "log": "log: {inputs} input entries = {master} master entries + {merged} merged duplicates",
        "log_dropped": " + {dropped} of leads left out",
        "counts": "{conflicts} conflicting fields; {renumbered} lead IDs renumbered; "
                  "{groups} duplicate-customer groups; {flagged} rows with findings or marks",
        "groups_title": "Duplicate customers (the first registration owns it):",
        "more": "... {n} more groups: see the conflicts report",
        "unreadable": "Unreadable (skipped):",
        "skipped": "Skipped (not read):",
        "by": "by {linked}",
    },
}  # fmt: skip


def _t(lang: str) -> dict:
    return _TEXT.get(lang, _TEXT["zh"])


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


# ------------------------------------------------------------------------------ rows
def report_rows(
    result: MergeResult, lang: str = "zh", catalog: Catalog | None = None
) -> dict[str, list[tuple[str, ...]]]:
    """The report's rows per kind (``conflict``, ``renumbered``, ``duplicate``), each row in
    the order of the headers."""
    catalog = catalog or load_catalog()
    t = _t(lang)
    label = {fd.key: fd.label(lang) for fd in catalog.register}
    kinds = t["kinds"]
    conflicts = []
    for c in sorted(result.conflicts, key=lambda c: (c.lead_id or "", c.company, c.field)):
        for src, pos, rep, value in c.values:
            outcome = t["kept"] if (src, pos) == c.winner else t["not_kept"]
            conflicts.append(
                (kinds["conflict"], c.lead_id or "", c.lead_id or "", c.company, label[c.field],
                 value, src, pos, rep, outcome)
            )  # fmt: skip
    renumbered = [
        (kinds["renumbered"], r.old_id, r.new_id, r.company, label["lead_id"], r.old_id,
         r.source_file, r.position, r.rep, t["renumbered_to"].format(new=r.new_id))
        for r in result.renumbered
    ]  # fmt: skip
    duplicates = []
    for n, group in enumerate(result.groups, start=1):
        linked = t["sep"].join(t["linked"][k] for k in group.linked_by)
        for i, m in enumerate(group.members):
            duplicates.append(
                (kinds["duplicate"], t["group"].format(n=n), m.lead_id or "", m.company, linked,
                 t["created"].format(when=_when(m.created_at)), m.source_file, m.position,
                 m.rep, t["owner"] if i == 0 else t["later"])
            )  # fmt: skip
    return {"conflict": conflicts, "renumbered": renumbered, "duplicate": duplicates}


# ------------------------------------------------------------------------------ files
def write_conflicts(
    result: MergeResult,
    path: str | Path,
    *,
    lang: str = "zh",
    force: bool = False,
    password: str | None = None,
) -> Path:
    """Write the conflicts report to ``path`` (.xlsx or .csv), atomically; an .xlsx report is
    encrypted with ``password`` when one is given (a CSV cannot be: ``OutputError``)."""
    path = check_report_path(path, encrypted=password is not None)
    suffix = path.suffix.lower()
    with atomic_path(path, force=force, password=password) as tmp:
        if suffix == ".csv":
            rows = report_rows(result, lang)
            _write_csv(tmp, _t(lang)["headers"], [r for part in rows.values() for r in part])
        else:
            write_worklist(tmp, lang, result)
    return path


def check_report_path(path: str | Path, encrypted: bool = False) -> Path:
    """``path`` if it names a report leadbook can write (.xlsx or .csv; only .xlsx when the
    report is to be encrypted), else OutputError."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise OutputError(key="conflicts_format", path=path)
    if encrypted and path.suffix.lower() != ".xlsx":
        raise OutputError(key="conflicts_csv_locked", path=path)
    return path


def neutralise(cell: str) -> str:
    """A CSV cell that a spreadsheet would not run as a formula (OWASP)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _write_csv(path: Path, headers, rows) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads UTF-8
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([neutralise(str(v)) for v in row])


# ------------------------------------------------------------------------------ terminal
def summary_lines(result: MergeResult, lang: str = "zh", shown: int = GROUPS_SHOWN) -> list[str]:
    """What the terminal shows after a merge: the counts as equations, the first 撞单 groups,
    the unreadable files."""
    t = _t(lang)
    bad = result.unreadable
    rows = t["rows"].format(
        inputs=result.input_rows, master=result.master_rows, merged=result.merged
    )
    if result.dropped:
        rows += t["rows_dropped"].format(dropped=result.dropped)
    log = t["log"].format(
        inputs=result.input_log, master=result.log.height, merged=result.log_merged
    )
    if result.log_dropped:
        log += t["log_dropped"].format(dropped=result.log_dropped)
    lines = [
        t["files"].format(read=result.files_read, bad=len(bad)),
        rows,
        log,
        t["counts"].format(
            conflicts=len(result.conflicts),
            renumbered=len(result.renumbered),
            groups=len(result.groups),
            flagged=result.flagged,
        ),
    ]
    if result.groups:
        lines.append(t["groups_title"])
        lines += [f"  {_group_line(g, t)}" for g in result.groups[:shown]]
        if len(result.groups) > shown:
            lines.append("  " + t["more"].format(n=len(result.groups) - shown))
    if bad:
        lines.append(t["unreadable"])
        lines += [f"  {shown_path(f.path)}: {mask_text(f.error)}" for f in bad]
    if result.skipped:
        lines.append(t["skipped"])
        lines += [f"  {shown_path(f.path)}: {mask_text(f.skipped or '')}" for f in result.skipped]
    return lines


def _group_line(group: DuplicateGroup, t: dict) -> str:
    owner, *others = group.members
    later = t["sep"].join(f"{m.rep} {m.lead_id or '-'}" for m in others)
    linked = t["sep"].join(t["linked"][k] for k in group.linked_by)
    by = t["by"].format(linked=linked)
    return f"{owner.rep} {owner.lead_id or '-'} {owner.company} ← {later} ({by})"
