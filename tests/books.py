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
