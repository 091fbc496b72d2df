"""The sample's records: :class:`Lead`, what the generator works on (a register row, its log
entries, its book), and what it hands back: :class:`SampleData` (one :class:`SampleBook` per
rep, the :class:`PlantedDefect` and :class:`PlantedDuplicate` lists, the team config) and
:class:`SampleResult` (the files written). :func:`mask` is how planted personal data is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadbook.core.config import TeamConfig
from leadbook.core.mask import mask_text


@dataclass
class Lead:
    """One lead while it is made: its register row and log entries, keyed by field key."""

    book: int  # the index of the rep's book
    outcome: str  # a key of ``words.OUTCOMES``
    reg: dict[str, Any]
    entries: list[dict[str, Any]]
    brand: str
    duplicate: bool = False  # one of a planted 撞单 pair


@dataclass(frozen=True)
class PlantedDefect:
    file: str
    sheet: str  # "register" or "log"
    row: int  # as Excel shows it
    field: str
    code: str
    value: str  # what was written, masked
    lead_id: str | None = None


@dataclass(frozen=True)
class PlantedDuplicate:
    brand: str
    entries: tuple[tuple[str, str, str], ...]  # (file, lead ID, company as written)
    shared: str = ""  # "office_phone", "im_account" or "" (what both rows share)


@dataclass
class SampleBook:
    file: str
    rep: str
    register: list[dict[str, Any]]  # keyed by field key, lead_id included
    log: list[dict[str, Any]]


@dataclass
class SampleData:
    books: list[SampleBook]
    defects: list[PlantedDefect]
    duplicates: list[PlantedDuplicate]
    config: TeamConfig  # the team config with the sample's reps


@dataclass
class SampleResult:
    paths: list[Path]
    defects: list[PlantedDefect]
    duplicates: list[PlantedDuplicate]
    manifest: Path


def mask(text: str) -> str:
    """Mobiles as 138****5678, e-mail addresses as z***@qq.com (see ``leadbook.core.mask``)."""
    return mask_text(text)
