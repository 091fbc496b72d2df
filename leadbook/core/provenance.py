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
