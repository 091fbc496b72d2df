"""Two-level reference data shipped in ``schemas/``: industries (GB/T 4754-2017) and regions
(GB/T 2260). See ``schemas/SOURCES.md`` for where each file comes from."""

from __future__ import annotations

import csv
from functools import cache

from leadbook.core.paths import schema_file


def _read(name: str) -> list[dict[str, str]]:
    with open(schema_file(name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _group(rows: list[dict[str, str]], parent: str, child: str) -> dict[str, tuple[str, ...]]:
    tree: dict[str, list[str]] = {}
    for row in rows:
        tree.setdefault(row[parent], []).append(row[child])
    return {k: tuple(v) for k, v in tree.items()}


@cache
def industries() -> dict[str, tuple[str, ...]]:
    """Section name -> its division names, in code order (制造业 -> (农副食品加工业, ...))."""
    return _group(_read("industries.csv"), "section", "division")


@cache
def industry_codes() -> dict[str, str]:
    """Section name -> section letter (制造业 -> C)."""
    return {r["section"]: r["section_code"] for r in _read("industries.csv")}


@cache
def regions() -> dict[str, tuple[str, ...]]:
    """Province-level division -> its prefecture-level cities (municipalities: districts)."""
    return _group(_read("regions.csv"), "province", "city")


@cache
def division_sections() -> dict[str, str]:
    """Division name -> its section name (汽车制造业 -> 制造业)."""
    return {r["division"]: r["section"] for r in _read("industries.csv")}


@cache
def industry_keywords() -> dict[str, str]:
    """Words real sheets write below or instead of a GB/T 4754 division -> that division
    (汽车零部件 -> 汽车制造业). ``schemas/industry_keywords.csv``, see SOURCES.md."""
    return {r["keyword"]: r["division"] for r in _read("industry_keywords.csv")}
