"""Building small workbooks for the validate tests: clean rows, one planted defect."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter
from conftest import clean_record

from leadbook.core.config import load_config
from leadbook.core.leadid import ids_for
from leadbook.workbook.template import write_workbook

CODES = {c.name: c.code for c in load_config().channels}


def clean_records(n: int = 3) -> list[dict]:
    """n clean leads created on different days (rows 3..n+2 of the register)."""
    return [
        clean_record(
            created_at=datetime(2024, 5, 21 + i, 9, 30),
            company=f"深圳市华创{'智能光电精密'[i % 6]}科技有限公司",
            last_contact_at=datetime(2024, 6, 20 + i, 14, 30),
        )
        for i in range(n)
    ]


def log_for(records: list[dict]) -> list[dict]:
    """Two log entries per lead: a first call 5 hours after creation, then the latest one."""
    log = []
    for lead_id, rec in zip(ids_for(records, CODES), records, strict=True):
        if not lead_id or not isinstance(rec.get("created_at"), datetime):
            continue
        first = rec["created_at"] + timedelta(hours=5)
        log.append(_entry(lead_id, first, "首次电话沟通,确认需求", "跟进中"))
        if isinstance(rec.get("last_contact_at"), datetime):
            log.append(_entry(lead_id, rec["last_contact_at"], rec["last_summary"], None))
    return log


def _entry(lead_id, when, content, status_to):
    return {
        "lead_id": lead_id,
        "owner": "*销售",
        "contact_at": when,
        "method": "电话",
        "content": content,
        "status_to": status_to,
    }


def make_book(path: Path, records: list[dict], log: list[dict] | None = None, **kw) -> Path:
    return write_workbook(
        path, register=records, log=log_for(records) if log is None else log, rows=20, **kw
    )


def seed_layout_book(
    path: Path,
    records: list[dict],
    drop: set[str] = frozenset(),
    extra: dict[str, str] | None = None,
) -> Path:
    """A hand-made sheet laid out like the seed template (its labels, one 公司地址
    column), written by XlsxWriter, not by leadbook."""
    seed_headers = [
        ("lead_id", "线索编号"),
        ("channel", "来源渠道"),
        ("status", "线索状态"),
        ("potential", "潜力等级"),
        ("created_at", "创建时间"),
        ("company", "公司名称"),
        ("industry", "所属行业"),
        ("industry_division", "行业大类"),
        ("size", "公司规模"),
        ("address", "公司地址"),
        ("contact", "姓名"),
        ("position", "职位"),
        ("office_phone", "办公电话"),
        ("im_account", "企业/钉钉账号"),
        ("need", "核心需求描述"),
        ("budget", "预算范围"),
        ("timeline", "项目时间节点"),
        ("decision", "决策流程"),
        ("last_owner", "最近跟进人"),
        ("last_contact_at", "最近跟进时间"),
        ("last_summary", "跟进内容摘要"),
        ("next_action", "下一步行动计划"),
    ]
    headers = [(k, h) for k, h in seed_headers if k not in drop]
    headers += list((extra or {}).items())
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("线索信息管理表")
    ws.write_string(0, 0, "线索信息管理表模板")
    for c, (_, h) in enumerate(headers):
        ws.write_string(1, c, h)
    ids = ids_for(records, CODES)
    for r, (rec, lead_id) in enumerate(zip(records, ids, strict=True), start=2):
        values = dict(rec, lead_id=lead_id, address=f"{rec['province']}{rec['city']}")
        for c, (key, _) in enumerate(headers):
            v = values.get(key)
            if isinstance(v, datetime):
                ws.write_string(r, c, v.strftime("%Y-%m-%d%H:%M"))  # as the seed writes it
            elif v is not None:
                ws.write_string(r, c, str(v))
    wb.close()
    return path


# ------------------------------------------- the seed's own table, filled as the seed fills it
# The labels of the seed's register table (线索信息管理表模板), in its order: no 创建时间,
# 潜力等级, 行业大类 or 流失原因; 所属行业 in one cell, 公司地址 in one column.
SEED_TABLE = (
    "线索编号", "来源渠道", "线索状态", "公司名称", "所属行业", "公司规模", "公司地址", "姓名",
    "职位", "办公电话", "企业/钉钉账号", "核心需求描述", "预算范围", "项目时间节点", "决策流程",
    "最近跟进人", "最近跟进时间", "跟进内容摘要", "下一步行动计划",
)  # fmt: skip
SEED_TITLE = "线索信息管理表模板"


def seed_table_row(lead_id: str, **changes) -> dict:
    """One lead with the seed's example values (SPEC.md, the register table), by label."""
    row = {
        "线索编号": lead_id,
        "来源渠道": "展会",
        "线索状态": "跟进中",
        "公司名称": "深圳市华创智能科技有限公司",
        "所属行业": "制造业-汽车零部件",
        "公司规模": "200-500人",
        "公司地址": "广东省深圳市",
        "姓名": "*经理",
        "职位": "采购部主管",
        "办公电话": "0755-86001234",
        "企业/钉钉账号": "wxid_xxxxxxx",
        "核心需求描述": "需要采购一批智能传感器,要求精度±0.1%",
        "预算范围": "30-50万",
        "项目时间节点": "计划2024年8月交付",
        "决策流程": "需技术部评估,总经理审批",
        "最近跟进人": "*销售",
        "最近跟进时间": datetime(2024, 5, 20, 14, 30),
        "跟进内容摘要": "客户对方案细节提出疑问,需补充技术参数说明",
        "下一步行动计划": "5月25日前提交技术参数说明(*销售)",
    }
    row.update(changes)
    return row


def seed_table_xlsxwriter(path: Path, rows: list[dict]) -> Path:
    """The seed's table by XlsxWriter: a title row, the header, the rows; datetimes as dates,
    text as text (a date typed as text stays text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws = wb.add_worksheet("线索信息管理表")
    ws.write_string(0, 0, SEED_TITLE)
    for c, label in enumerate(SEED_TABLE):
        ws.write_string(1, c, label)
    for r, row in enumerate(rows, start=2):
        for c, label in enumerate(SEED_TABLE):
            v = row.get(label)
            if isinstance(v, datetime):
                ws.write_datetime(r, c, v, when)
            elif v is not None:
                ws.write_string(r, c, str(v))
    wb.close()
    return path


def seed_table_openpyxl(path: Path, rows: list[dict]) -> Path:
    """The seed's table by openpyxl (strings stay strings, datetimes become date cells)."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "线索信息管理表"
    ws.append([SEED_TITLE])
    ws.append(list(SEED_TABLE))
    for row in rows:
        ws.append([row.get(label) for label in SEED_TABLE])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    wb.save(path)
    return path


def seed_table_pandas(path: Path, rows: list[dict]) -> Path:
    """The seed's table by pandas ``to_excel`` below a title row (object columns: each cell
    keeps its own type, a date typed as text stays text)."""
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame([[row.get(label) for label in SEED_TABLE] for row in rows], dtype=object)
    frame.columns = list(SEED_TABLE)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="线索信息管理表", startrow=1, index=False)
        writer.sheets["线索信息管理表"].cell(row=1, column=1, value=SEED_TITLE)
    return path
