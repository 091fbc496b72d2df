"""The findings columns of a master: validation codes per row as text (errors first), a
master's carried findings read back, and the 撞单 mark added to all but a customer's first
registration.

While merging, a row's findings are its codes (and the 撞单 mark), ``"; "``-joined. The
master shows them as two columns: 校验结果 (``findings``) names them by their titles in the
workbook's language, with the mark; 校验代码 (``finding_codes``, last) keeps the stable codes
for scripts. Merging a master reads its codes back (or, in a master without that column,
its 校验结果: codes or titles in either language).
"""

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
    for where, row, code in report.issues.places():
        if where == sheet and row is not None:
            by_row.setdefault(row, set()).add(code)
    return by_row


def findings_text(codes) -> str:
    """Codes as the findings column shows them: errors first, then by name."""
    return FINDINGS_SEP.join(sorted(set(codes), key=lambda c: (_SEVERITY_RANK.get(c, 2), c)))


_BY_TITLE = {c.title(lang): c.code for c in CODES.values() for lang in ("zh", "en")}


def carried_findings(text: str | None, codes: str | None = None) -> str:
    """A master's findings as codes, without its 撞单 mark (recomputed on every merge): from
    its 校验代码 cell ``codes`` when the master has that column, else from its 校验结果 cell
    ``text`` (codes, or titles in either language)."""
    source = codes if codes is not None else text
    if not source:
        return ""
    parts = [p.strip() for p in re.split(r"[;;]", source)]
    found = []
    for part in parts:
        if not part or _MARK.match(part):
            continue
        code = part if part in CODES else _BY_TITLE.get(part)
        if code is not None:
            found.append(code)
    return findings_text(found)


def shown_findings(text: str | None, lang: str = "zh") -> str:
    """The 校验结果 cell of a master row: its codes named by their titles in ``lang`` (errors
    first), then the 撞单 mark as it is."""
    if not text:
        return ""
    parts = [p.strip() for p in text.split(FINDINGS_SEP.strip())]
    shown = [CODES[p].title(lang) if p in CODES else p for p in parts if p]
    return FINDINGS_SEP.join(dict.fromkeys(shown))


def finding_codes(text: str | None) -> str:
    """The 校验代码 cell of a master row: its validation codes only."""
    if not text:
        return ""
    return FINDINGS_SEP.join(p.strip() for p in text.split(";") if p.strip() in CODES)
