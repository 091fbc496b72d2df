from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
AS_OF = datetime(2024, 6, 30, 18, 0)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current output (never done silently).",
    )


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


def clean_record(**overrides) -> dict:
    """One register record that breaks no rule (as of AS_OF)."""
    record = {
        "created_at": datetime(2024, 5, 21, 9, 30),
        "channel": "展会",
        "status": "跟进中",
        "potential": "高潜力",
        "company": "深圳市华创智能科技有限公司",
        "industry": "制造业",
        "industry_division": "汽车制造业",
        "size": "200-499人",
        "province": "广东省",
        "city": "深圳市",
        "contact": "*经理",
        "position": "采购部主管",
        "office_phone": "0755-86001234",
        "im_account": "wxid_hc2024",
        "need": "需要采购500套智能传感器,要求精度±0.1%",
        "budget": "30-50万",
        "timeline": "计划2024年8月交付",
        "decision": "需技术部评估,总经理审批",
        "last_owner": "*销售",
        "last_contact_at": datetime(2024, 6, 20, 14, 30),
        "last_summary": "客户对方案细节提出疑问,需补充技术参数说明",
        "next_action": "7月5日前提交技术参数说明(*销售)",
    }
    record.update(overrides)
    return record
