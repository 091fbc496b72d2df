"""What leadbook's own outputs look like, so that a reader finds them among a team's inputs
and leaves them out with a note: an annotated copy (first sheet 校验结果 / Findings), the Excel
summary of ``report`` (document comment "由 leadbook 生成"), a conflicts report of ``merge``
(its sheets, or in CSV its header row), a hand-off copy of ``handoff`` (``<name>.handoff.xlsx``,
left out only beside its original), the assignments table of ``assign`` (its header row). The
writers' strings are checked against these in tests/test_formats.py and
tests/test_report_inputs.py. Sheet names and the document comment survive a save in Excel or
LibreOffice, also as .ods (tests/test_report_inputs.py).
"""

from __future__ import annotations

from functools import cache

from leadbook.core import tomlcache
from leadbook.core.paths import template_file

FINDINGS_SHEETS = ("校验结果", "Findings")  # check/render.py WORDS[*]["findings_sheet"]
CONFLICTS_HEADERS = (  # merge/conflicts.py _TEXT[*]["headers"]
    ("类型", "组", "线索编号", "公司名称", "字段", "值", "来源文件", "来源位置", "负责销售", "结果"),
    ("Kind", "Group", "Lead ID", "Company", "Field", "Value", "Source file", "Source position",
     "Rep", "Outcome"),
)  # fmt: skip
HANDOFF_SUFFIX = ".handoff.xlsx"  # merge/handoff.py SUFFIX
CONFLICTS_SHEETS = (  # merge/conflicts.py _TEXT[*]["kinds"]
    frozenset({"字段冲突", "编号重复", "撞单"}),
    frozenset({"conflict", "ID collision", "duplicate customer"}),
)

ASSIGNMENTS_HEADERS = {  # team/assigned.py: the header row of assignments.csv, per language
    "zh": ("来源清单", "清单行", "公司名称", "线索编号", "分配给", "原因代码", "原因", "写入副本", "副本行",
           "待补全"),
    "en": ("List", "List row", "Company", "Lead ID", "Assigned to", "Reason code", "Why", "Copy",
           "Copy row", "To complete"),
}  # fmt: skip


@cache
def summary_generators() -> frozenset[str]:
    """The document comment the Excel summary carries, in every language."""
    labels = tomlcache.load(template_file("report/labels.toml"))
    return frozenset(labels[lang]["generator"] for lang in ("zh", "en"))
