"""The findings column of a master: validation codes per row as text (errors first), a
master's carried findings read back, and the 撞单 mark added to all but a customer's first
registration."""

from __future__ import annotations

import re

from leadbook.check.codes import CODES
from leadbook.check.issues import FileReport

FINDINGS_SEP = "; "
DUPLICATE_MARK = {
    "zh": "撞单:以 {rep} {lead_id} 为准",
    "en": "duplicate customer: {rep} {lead_id} owns it",
}
_MARK = re.compile(r"^(撞单:|duplicate customer:)")
ERROR_CODES = frozenset(c.code for c in CODES.values() if c.severity == "error")
_SEVERITY_RANK = {c.code: (0 if c.severity == "error" else 1) for c in CODES.values()}


def row_findings(report: FileReport, sheet: str) -> dict[int, set[str]]:
    by_row: dict[int, set[str]] = {}
    for issue in report.issues:
        if issue.sheet == sheet and issue.row is not None:
            by_row.setdefault(issue.row, set()).add(issue.code)
    return by_row


def findings_text(codes) -> str:
    """Codes as the findings column shows them: errors first, then by name."""
    return FINDINGS_SEP.join(sorted(set(codes), key=lambda c: (_SEVERITY_RANK.get(c, 2), c)))


def carried_findings(text: str | None) -> str:
    """A master's findings cell without its 撞单 mark (recomputed on every merge)."""
    if not text:
        return ""
    parts = [p.strip() for p in text.split(";")]
    return findings_text(p for p in parts if p and not _MARK.match(p))
