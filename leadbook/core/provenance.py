"""The provenance columns a merged master adds after the catalog's fields (``leadbook merge``),
in one place so that ``validate`` knows them (no unknown-column warning) and ``merge`` finds
them again when it reads a master.

Per column: key, Chinese label, English label, width.
"""

from __future__ import annotations

REGISTER = (
    ("source_file", "来源文件", "Source file", 18),
    ("source_row", "来源位置", "Source position", 14),
    ("rep", "负责销售", "Rep", 10),
    ("source_lead_id", "原线索编号", "Source lead ID", 18),
    ("findings", "校验结果", "Findings", 40),
    ("finding_codes", "校验代码", "Finding codes", 30),  # the codes of 校验结果, for scripts
)
LOG = (
    ("source_file", "来源文件", "Source file", 18),
    ("source_row", "来源位置", "Source position", 14),
)
HEADERS = frozenset(label for _, zh, en, _ in REGISTER + LOG for label in (zh, en))


# The columns every master has had (校验代码 came later): a register with all of them is a
# master written by ``leadbook merge``; in any other workbook they are a rep's own columns,
# which never stand for leadbook's (a rep's 校验结果 must not hide the rep's findings).
MASTER_KEYS = ("source_file", "source_row", "rep", "source_lead_id", "findings")


def is_master(headers) -> bool:
    """Whether a register with these header texts is a master written by ``leadbook merge``."""
    present = set(headers)
    return all(zh in present or en in present for key, zh, en, _ in REGISTER if key in MASTER_KEYS)


def header_keys() -> dict[str, str]:
    """Header as written (either language) -> provenance key."""
    return {label: key for key, zh, en, _ in REGISTER + LOG for label in (zh, en)}


# A shared sheet (one workbook for the whole team) credits each lead to its row's 最近跟进人;
# a rep's own workbook, where a colleague may have covered a contact or two, credits all its
# leads to its rep. A workbook is shared when its most common 最近跟进人 names fewer than
# this share of the rows that name one (``merge`` fills 负责销售 so, and reports count so).
OWN_SHEET_SHARE = 0.8


def shared_sheet(owner_counts) -> bool:
    """Whether a workbook whose rows name these 最近跟进人 (name -> rows) is a shared sheet."""
    counts = [n for n in dict(owner_counts).values() if n]
    return len(counts) > 1 and max(counts) < OWN_SHEET_SHARE * sum(counts)
