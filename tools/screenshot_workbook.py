"""Render the register of a sample workbook to a PNG, the way LibreOffice Calc prints it.

    .venv/bin/python tools/screenshot_workbook.py docs/register.png [--lang en] [--dpi 110]

Writes a workbook with a few sample leads (times relative to now, so the colour rules show
overdue, dormant, won and lost rows), then renders the register's first column groups with the
helper the tests use (tests/realclients.py: LibreOffice -> PDF -> pdftoppm). Needs soffice
(libreoffice-calc-nogui), fonts-noto-cjk and poppler-utils.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from leadbook.core.catalog import load_catalog
from leadbook.core.texts import sheet_name
from leadbook.workbook.template import write_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from realclients import png_size, render_png  # noqa: E402


def sample_leads(now: datetime) -> list[dict]:
    day = now.replace(second=0, microsecond=0)

    def ago(hours: float) -> datetime:
        return day - timedelta(hours=hours)

    return [
        {
            "channel": "展会",
            "created_at": ago(3),
            "status": "待跟进",
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
        },
        {
            "channel": "展会",
            "created_at": ago(2),
            "status": "待跟进",
            "potential": "中潜力",
            "company": "东莞市恒锐精密模具有限公司",
            "industry": "制造业",
            "industry_division": "专用设备制造业",
            "size": "100-199人",
            "province": "广东省",
            "city": "东莞市",
            "contact": "*厂长",
            "position": "总经理",
        },
        {
            "channel": "官网表单",
            "created_at": ago(30),
            "status": "待跟进",
            "potential": "高潜力",
            "company": "上海澄明软件有限公司",
            "industry": "信息传输、软件和信息技术服务业",
            "industry_division": "软件和信息技术服务业",
            "size": "50-99人",
            "province": "上海市",
            "city": "浦东新区",
            "contact": "*总",
            "position": "技术总监",
            "im_account": "wxid_chengming",
        },
        {
            "channel": "老客户转介绍",
            "created_at": ago(24 * 12),
            "status": "商务谈判",
            "potential": "高潜力",
            "company": "广州穗联物流有限公司",
            "industry": "交通运输、仓储和邮政业",
            "industry_division": "道路运输业",
            "size": "500-999人",
            "province": "广东省",
            "city": "广州市",
            "contact": "*主管",
            "position": "信息部经理",
            "office_phone": "020-87654321",
            "last_contact_at": ago(20),
        },
        {
            "channel": "电话推荐",
            "created_at": ago(24 * 40),
            "status": "已成交",
            "potential": "中潜力",
            "company": "杭州云栖数据科技有限公司",
            "industry": "科学研究和技术服务业",
            "industry_division": "专业技术服务业",
            "size": "1-49人",
            "province": "浙江省",
            "city": "杭州市",
            "contact": "*经理",
            "position": "运营总监",
            "last_contact_at": ago(24 * 5),
        },
        {
            "channel": "官网表单",
            "created_at": ago(24 * 60),
            "status": "已流失",
            "potential": "中潜力",
            "company": "北京京华教育咨询有限公司",
            "industry": "教育",
            "industry_division": "教育",
            "size": "50-99人",
            "province": "北京市",
            "city": "海淀区",
            "contact": "*老师",
            "position": "校长",
            "last_contact_at": ago(24 * 30),
            "loss_reason": "预算不足",
        },
        {
            "channel": "展会",
            "created_at": ago(24 * 150),
            "status": "跟进中",
            "potential": "低潜力",
            "company": "成都蓉兴食品有限公司",
            "industry": "制造业",
            "industry_division": "食品制造业",
            "size": "年营收5000万-1亿",
            "province": "四川省",
            "city": "成都市",
            "contact": "*经理",
            "position": "采购经理",
            "last_contact_at": ago(24 * 120),
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the PNG to write, e.g. docs/register.png")
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("--rows", type=int, default=14, help="last row shown (default 14)")
    parser.add_argument("--columns", help="e.g. A:O (default: up to the contact group)")
    args = parser.parse_args(argv)

    register = load_catalog().register
    columns = args.columns
    if not columns:
        end = max(i for i, fd in enumerate(register) if fd.group == "contact")
        columns = f"A:{xl_col_to_name(end)}"
    with tempfile.TemporaryDirectory(prefix="leadbook-shot-") as tmp:
        book = Path(tmp) / "sample.xlsx"
        write_workbook(book, lang=args.lang, rows=50, register=sample_leads(datetime.now()))
        out = render_png(
            book,
            sheet_name("register", args.lang),
            args.out,
            columns=columns,
            rows=args.rows,
            dpi=args.dpi,
        )
    width, height = png_size(out)
    print(f"wrote {out} ({width}x{height} px, {out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
