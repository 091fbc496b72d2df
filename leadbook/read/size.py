"""Company size (公司规模) as numeric bounds: a band of employees (``50-100人``, ``200-500人``,
``500人以上``, ``约300人``, ``1000+人``) or of yearly revenue (``5000万-1亿``, ``1亿以上``,
``500万以下``, ``年营收1-5亿``), as the seed's own examples write it.

Employees are counted in people, revenue in 万元. A bare range of numbers without a unit
(``200-500``) is read as employees, as the seed's "员工人数(如50-100人)". Anything else
(``很大``, ``中型``) cannot be read, and validate reports it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

EMPLOYEES, REVENUE = "employees", "revenue"
# 万元 per unit of money.
MONEY_UNITS = {"千万": 1000.0, "百万": 100.0, "万": 1.0, "亿": 10000.0, "千": 0.1}
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)(千万|百万|万|亿|千)?")
# Words that may stand around the numbers: what is measured, about, at least, at most.
_SUBJECT = ("年营业收入", "营业收入", "年营收", "年营业额", "年销售额", "年收入", "年产值",
            "营收", "营业额", "销售额", "收入", "产值", "员工人数", "员工数", "员工", "人数",
            "规模", "人民币")  # fmt: skip
_OVER = ("及以上", "以上", "超过", "多于", "大于", "高于", "逾", "+", "多", "余")
_UNDER = ("及以下", "以下", "以内", "之内", "不足", "不到", "少于", "小于", "低于")
_ABOUT = ("大约", "约", "近", "左右", "上下")
_RANGE = ("-", "~", "至", "到", "—", "–")
_EMPLOYEE_MARKS = ("人", "名", "员工", "人数")
_MONEY_MARKS = ("万", "亿", "元", "营", "收入", "销售额", "产值")


@dataclass(frozen=True)
class SizeBand:
    kind: str  # EMPLOYEES | REVENUE
    low: float | None  # people, or 万元
    high: float | None

    @property
    def reversed(self) -> bool:
        return self.low is not None and self.high is not None and self.low > self.high


@cache
def parse_size(text: str | None) -> SizeBand | None:
    """The band ``text`` names, or None when it cannot be read."""
    if not text:
        return None
    s = re.sub(r"\s+|^[,。]+|[,。]+$", "", unicodedata.normalize("NFKC", text))
    numbers = _NUMBER.findall(s)
    if not 1 <= len(numbers) <= 2:
        return None
    rest = _NUMBER.sub("#", s)
    for word in sorted((*_SUBJECT, *_OVER, *_UNDER, *_ABOUT, *_RANGE), key=len, reverse=True):
        rest = rest.replace(word, "")
    rest = re.sub(r"^[::]|[人名元]", "", rest)
    if rest.replace("#", "") or rest.count("#") != len(numbers):
        return None  # words that are not a size
    people = any(m in s for m in _EMPLOYEE_MARKS)
    money = any(m in s for m in _MONEY_MARKS)
    if people and money:
        return None
    values = [float(n) for n, _ in numbers]
    if money:
        units = [u for _, u in numbers]
        fallback = next((u for u in reversed(units) if u), None)
        values = [
            v * MONEY_UNITS.get(u or fallback or "", 1e-4)  # no unit at all: 元
            for v, u in zip(values, units, strict=True)
        ]
    kind = REVENUE if money else EMPLOYEES
    if len(values) == 2:
        if not any(r in s for r in _RANGE):
            return None
        return SizeBand(kind, values[0], values[1])
    (value,) = values
    if any(w in s for w in _UNDER):
        return SizeBand(kind, None, value)
    if any(w in s for w in _OVER):
        return SizeBand(kind, value, None)
    return SizeBand(kind, value, value)
