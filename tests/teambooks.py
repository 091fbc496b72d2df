"""A team of four reps with codes (ZH LI WA ZO) and workbooks for three of them: the
hand-in check and assignment tests share them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from conftest import clean_record

from leadbook.core.config import load_config
from leadbook.core.leadid import ids_for
from leadbook.workbook.template import write_workbook

TEAM_TOML = """
[[reps]]
name = "*张"
code = "ZH"
provinces = ["广东省"]

[[reps]]
name = "*李"
code = "LI"
provinces = ["浙江"]

[[reps]]
name = "*王"
code = "WA"
capacity = 2

[[reps]]
name = "*周"
code = "ZO"
capacity = 1
"""


def team_config(folder: Path) -> Path:
    path = folder / "team.toml"
    path.write_text(TEAM_TOML, encoding="utf-8")
    return path


def lead(rep: str, company: str, created: datetime, **kw) -> dict:
    return clean_record(
        created_at=created,
        company=company,
        last_owner=rep,
        last_contact_at=created + timedelta(days=2),
        next_action=f"7月5日前回访({rep})",
        **kw,
    )


def book(path: Path, config_path: Path, records: list[dict]) -> Path:
    """A rep's workbook: the records and a log entry per lead (at its 最近跟进时间)."""
    config = load_config(config_path)
    codes = {c.name: c.code for c in config.channels}
    log = []
    for lead_id, rec in zip(ids_for(records, codes), records, strict=True):
        log.append(
            {
                "lead_id": lead_id,
                "owner": rec["last_owner"],
                "contact_at": rec["last_contact_at"],
                "method": "电话",
                "content": rec["last_summary"],
                "status_to": None,
            }
        )
    return write_workbook(path, config=config, register=records, log=log, rows=30)


def team_books(folder: Path, config_path: Path) -> dict[str, Path]:
    """ZH.xlsx (*张: 2 open leads, one created 2024-07-01 08:00 at a fair: EXPO20240701001),
    LI.xlsx (*李: one
    open, one won), WA.xlsx (*王: one open); nothing for *周."""
    folder.mkdir(parents=True, exist_ok=True)
    zh = [
        lead("*张", "深圳市华创智能科技有限公司", datetime(2024, 6, 3, 9, 0)),
        lead(
            "*张",
            "佛山市顺德区美旭电器有限公司",
            datetime(2024, 7, 1, 8, 0),
            office_phone="0757-22001234",
            im_account="wxid_meixu01",
        ),
    ]
    zh[1]["last_contact_at"] = datetime(2024, 7, 1, 9, 0)
    li = [
        lead("*李", "杭州西湖数码科技有限公司", datetime(2024, 6, 4, 9, 0),
             province="浙江省", city="杭州市", office_phone="0571-86001234",
             im_account="wxid_xihu01"),
        lead("*李", "宁波港城物流有限公司", datetime(2024, 6, 5, 9, 0), status="已成交",
             province="浙江省", city="宁波市", office_phone="0574-86001234",
             im_account="wxid_gangcheng"),
    ]  # fmt: skip
    wa = [
        lead("*王", "北京京华软件有限公司", datetime(2024, 6, 6, 9, 0), province="北京市",
             city="北京市", office_phone="010-66001234", im_account="wxid_jinghua"),
    ]  # fmt: skip
    return {
        "ZH": book(folder / "ZH.xlsx", config_path, zh),
        "LI": book(folder / "LI.xlsx", config_path, li),
        "WA": book(folder / "WA.xlsx", config_path, wa),
    }
