"""撞单: one customer under several lead IDs, linked by normalised company, office phone or
IM account (union-find over the keys of ``company.py``). The first registration owns the
customer (:class:`DuplicateGroup`); the others get a mark in the findings column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from datetime import datetime

import polars as pl

from leadbook.merge.columns import CO, FINDINGS, IM, PHONE, POS, REP, SID, SRC
from leadbook.merge.findings import DUPLICATE_MARK, FINDINGS_SEP
from leadbook.merge.results import DuplicateGroup, Member

LINK_KINDS = ("company", "office_phone", "im_account")


def customer_groups(keys: Sequence[tuple[str, str, str]]) -> list[tuple[list[int], set[str]]]:
    """Groups of rows that are one customer: rows sharing a company key, a phone key or an IM
    key (``company.company_key``, ``phone_key``, ``im_key``; "" links nothing), found with
    union-find. Each group (of two or more rows): its row indexes, and what linked them."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[int, str], int] = {}
    linked_by: dict[int, set[str]] = {}
    for i, row in enumerate(keys):
        for kind, value in enumerate(row):
            if not value:
                continue
            j = first.setdefault((kind, value), i)
            if j != i:
                linked_by.setdefault(j, set()).add(LINK_KINDS[kind])
                parent[find(i)] = find(j)
    components: dict[int, list[int]] = {}
    for i in range(len(keys)):
        components.setdefault(find(i), []).append(i)
    return [
        (members, set().union(*(linked_by.get(i, set()) for i in members)))
        for members in components.values()
        if len(members) > 1
    ]


def duplicate_groups(master: pl.DataFrame, lang: str):
    """撞单 groups over the master's identities; all but the first registration marked."""
    found = customer_groups(master.select(CO, PHONE, IM).rows())
    if not found:
        return master, []
    company = pl.col("company").fill_null("")
    info = master.select("lead_id", SID, REP, company, "created_at", SRC, POS).rows()
    marks = [""] * master.height
    mark = DUPLICATE_MARK.get(lang, DUPLICATE_MARK["zh"])
    groups = []
    for members, linked in found:
        ordered = sorted(members, key=lambda i: _registration(info[i]))
        group = DuplicateGroup(
            tuple(Member(*info[i]) for i in ordered),
            tuple(k for k in LINK_KINDS if k in linked),
        )
        groups.append(group)
        for i in ordered[1:]:
            marks[i] = mark.format(rep=group.owner.rep, lead_id=group.owner.lead_id or "-")
    groups.sort(key=lambda g: _registration(astuple(g.owner)))
    findings = (
        pl.when(pl.col("_mark") == "")
        .then(pl.col(FINDINGS))
        .when(pl.col(FINDINGS) == "")
        .then(pl.col("_mark"))
        .otherwise(pl.col(FINDINGS) + FINDINGS_SEP + pl.col("_mark"))
    )
    master = master.with_columns(pl.Series("_mark", marks, dtype=pl.String))
    return master.with_columns(findings.alias(FINDINGS)).drop("_mark"), groups


def _registration(info: tuple) -> tuple:
    """Sort key of a member: first registration first (then lead ID, rep, source)."""
    lead_id, _, rep, _, created, src, pos = info
    return (created is None, created or datetime.min, lead_id or "", rep or "", src, pos)
