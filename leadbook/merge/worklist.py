"""The conflicts report as an .xlsx work list for the manager: one sheet per kind, each with
columns named for what they hold.

- 字段冲突: one row per field of a lead whose versions differ, version A (the first by source
  file and position) beside version B (each other one), which one the master kept and why.
- 编号重复: one row per renumbered lead: the ID it had, the ID it has now, and why.
- 撞单: one row per later registration of a customer: A registered first and owns it, B is
  the later one; what linked them.

A sheet with nothing to list says so ("无"). Values are the master's (masked); user text is
written as text. Columns fit their content; every sheet prints on A4, fitted to the width.
The CSV report stays one long table (``conflicts.report_rows``) for scripts.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from leadbook.core.catalog import Catalog, load_catalog
from leadbook.core.sheetlook import fit_width, lines_needed, print_setup, row_height
from leadbook.merge.results import Conflict, MergeResult

_TEXT = {
    "zh": {
        "sheets": {"conflict": "字段冲突", "renumbered": "编号重复", "duplicate": "撞单"},
        "conflict": ("线索编号", "公司名称", "字段", "销售A", "值A", "来源A", "销售B", "值B",
                     "来源B", "采用", "原因"),
        "renumbered": ("原线索编号", "新线索编号", "公司名称", "负责销售", "来源", "原因"),
        "duplicate": ("撞单组", "关联依据", "销售A", "线索编号A", "公司名称A", "创建时间A",
                      "来源A", "销售B", "线索编号B", "公司名称B", "创建时间B", "来源B", "归属",
                      "原因"),
        "none": "无", "won": "{side}({rep})", "other": "另一版本:{rep} {where}",
        "later": "最近跟进时间最晚:{when}",
        "tie": "最近跟进时间相同({when}):按内容固定选取,与输入顺序无关",
        "no_time": "都没有最近跟进时间:按内容固定选取,与输入顺序无关",
        "renumbered_why": "另一客户的线索先用了 {old}:改为同渠道同日的下一个空号",
        "owner_why": "A 先登记({when});B 请停止跟进,或与 A 商定转交",
        "group": "撞单{n}", "sep": "、",
        "linked": {"company": "公司名称", "office_phone": "办公电话", "im_account": "企业微信/钉钉账号"},
    },
    "en": {
        "sheets": {"conflict": "Conflicts", "renumbered": "ID collisions",
                   "duplicate": "Duplicate customers"},
        "conflict": ("Lead ID", "Company", "Field", "Rep A", "Value A", "Source A", "Rep B",
                     "Value B", "Source B", "Kept", "Why"),
        "renumbered": ("Old lead ID", "New lead ID", "Company", "Rep", "Source", "Why"),
        "duplicate": ("Group", "Linked by", "Rep A", "Lead ID A", "Company A", "Created A",
                      "Source A", "Rep B", "Lead ID B", "Company B", "Created B", "Source B",
                      "Owner", "Why"),
        "none": "none", "won": "{side} ({rep})", "other": "another version: {rep} {where}",
        "later": "latest last contact: {when}",
        "tie": "same last contact ({when}): picked by content, not by input order",
        "no_time": "no version has a last contact: picked by content, not by input order",
        "renumbered_why": "another customer's lead had {old} first: given the next free "
                          "number of its channel and day",
        "owner_why": "A registered first ({when}); B stops or agrees a hand-off with A",
        "group": "D{n}", "sep": ", ",
        "linked": {"company": "company name", "office_phone": "office phone",
                   "im_account": "IM account"},
    },
}  # fmt: skip


def _t(lang: str) -> dict:
    return _TEXT.get(lang, _TEXT["zh"])


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def worklist_rows(
    result: MergeResult, lang: str = "zh", catalog: Catalog | None = None
) -> dict[str, list[tuple[str, ...]]]:
    """Each sheet's rows (``conflict``, ``renumbered``, ``duplicate``), in its headers' order."""
    catalog = catalog or load_catalog()
    t = _t(lang)
    label = {fd.key: fd.label(lang) for fd in catalog.register}
    conflicts = []
    for c in sorted(result.conflicts, key=lambda c: (c.lead_id or "", c.company, c.field)):
        (a_src, a_pos, a_rep, a_value), *others = c.values
        for b_src, b_pos, b_rep, b_value in others:
            conflicts.append(
                (c.lead_id or "", c.company, label[c.field], a_rep, a_value, f"{a_src} {a_pos}",
                 b_rep, b_value, f"{b_src} {b_pos}", _kept(c, t, (a_src, a_pos), (b_src, b_pos)),
                 _why(c, t))
            )  # fmt: skip
    renumbered = [
        (r.old_id, r.new_id, r.company, r.rep, f"{r.source_file} {r.position}",
         t["renumbered_why"].format(old=r.old_id))
        for r in result.renumbered
    ]  # fmt: skip
    duplicates = []
    for n, group in enumerate(result.groups, start=1):
        linked = t["sep"].join(t["linked"][k] for k in group.linked_by)
        a, *later = group.members
        for b in later:
            duplicates.append(
                (t["group"].format(n=n), linked, a.rep, a.lead_id or "", a.company,
                 _when(a.created_at), f"{a.source_file} {a.position}", b.rep, b.lead_id or "",
                 b.company, _when(b.created_at), f"{b.source_file} {b.position}",
                 t["won"].format(side="A", rep=a.rep),
                 t["owner_why"].format(when=_when(a.created_at)))
            )  # fmt: skip
    return {"conflict": conflicts, "renumbered": renumbered, "duplicate": duplicates}


def _kept(c: Conflict, t: dict, a: tuple[str, str], b: tuple[str, str]) -> str:
    reps = {(src, pos): rep for src, pos, rep, _ in c.values}
    if c.winner == a:
        return t["won"].format(side="A", rep=reps[a])
    if c.winner == b:
        return t["won"].format(side="B", rep=reps[b])
    return t["other"].format(rep=reps.get(c.winner, ""), where=" ".join(c.winner))


def _why(c: Conflict, t: dict) -> str:
    if c.latest is None:
        return t["no_time"]
    return t["tie" if c.tie else "later"].format(when=_when(c.latest))


def write_worklist(path: Path, lang: str, result: MergeResult) -> None:
    """The work list as an .xlsx at ``path`` (a temp file: the caller renames it)."""
    import xlsxwriter

    t = _t(lang)
    rows = worklist_rows(result, lang)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "top"}
    header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                            "text_wrap": True})  # fmt: skip
    cell = wb.add_format({**base, "text_wrap": True})
    for kind, part in rows.items():
        ws = wb.add_worksheet(t["sheets"][kind][:31])
        headers = t[kind]
        widths = [
            fit_width(h, [row[c] for row in part] + ([t["none"]] if c == 0 else []))
            for c, h in enumerate(headers)
        ]
        for c, (title, width) in enumerate(zip(headers, widths, strict=True)):
            ws.write_string(0, c, title, header)
            ws.set_column(c, c, width, cell)
        ws.set_row(0, 30)
        for r, row in enumerate(part, start=1):
            for c, value in enumerate(row):
                ws.write_string(r, c, str(value), cell)  # user text stays text
            lines = max(lines_needed(v, w) for v, w in zip(row, widths, strict=True))
            ws.set_row(r, row_height(lines))
        if not part:
            ws.write_string(1, 0, t["none"], cell)
        ws.autofilter(0, 0, max(1, len(part)), len(headers) - 1)
        ws.freeze_panes(1, 0)
        print_setup(ws, max(1, len(part)), len(headers) - 1, width=sum(widths))
    wb.close()
