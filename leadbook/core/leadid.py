"""Lead IDs (R-S1.1, SPEC table): channel code + yyyymmdd of the creation time + a 3-digit
sequence per channel and day, e.g. ``EXPO20240521001``.

The workbook computes the same ID with a formula (:func:`excel_formula`); tests prove the two
agree. The sequence counts the leads of the same channel created earlier that day, then the
rows above with the very same creation time, so sorting the register does not renumber it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

# "Created earlier" means earlier by more than half a second: Excel turns the criterion
# "<"&time into text with 15 significant digits, which may round up; half a second of slack
# keeps a row from counting itself, and Python applies the same rule.
HALF_SECOND = "1/172800"
_SLACK = timedelta(seconds=0.5)

LEAD_ID = re.compile(r"^(?P<code>[A-Z]{2,8})(?P<date>\d{8})(?P<seq>\d{3,})$")


def format_lead_id(code: str, created_at: datetime, seq: int, rep: str = "") -> str:
    """``EXPO20240521001``; with a rep code, ``EXPO20240521ZH001`` (unique across a team)."""
    return f"{code}{created_at:%Y%m%d}{rep}{seq:03d}"


def parse_lead_id(value: str) -> tuple[str, str, int] | None:
    """(code, yyyymmdd, sequence) of a well-formed ID, else None."""
    m = LEAD_ID.match(value)
    return (m["code"], m["date"], int(m["seq"])) if m else None


def assign_lead_ids(
    rows: Sequence[tuple[str | None, datetime | None]], codes: dict[str, str], rep: str = ""
) -> list[str | None]:
    """IDs for register rows given as (channel name, creation time), in row order.

    A row without channel or time, or with a channel that has no code, gets None (the
    workbook shows an empty cell).
    """
    by_day: dict[tuple[str, object], list[datetime]] = {}
    for channel, created in rows:
        if channel in codes and created is not None:
            by_day.setdefault((channel, created.date()), []).append(created)
    seen_same: dict[tuple[str, datetime], int] = {}
    ids: list[str | None] = []
    for channel, created in rows:
        if channel not in codes or created is None:
            ids.append(None)
            continue
        earlier = sum(1 for t in by_day[(channel, created.date())] if created - t > _SLACK)
        seen_same[(channel, created)] = seen_same.get((channel, created), 0) + 1
        seq = earlier + seen_same[(channel, created)]
        ids.append(format_lead_id(codes[channel], created, seq, rep))
    return ids


def excel_formula(
    row: int,
    channel_col: str,
    created_col: str,
    first_row: int,
    last_row: int,
    names_ref: str = "LIST_channels",
    codes_ref: str = "LIST_channel_codes",
) -> str:
    """The lead-ID formula for one register row (1-based Excel row numbers).

    Locale-free on purpose (no TEXT format codes), so Excel, WPS and LibreOffice in any
    language compute the same string.
    """
    ch, cr = f"${channel_col}{row}", f"${created_col}{row}"
    ch_all = f"${channel_col}${first_row}:${channel_col}${last_row}"
    cr_all = f"${created_col}${first_row}:${created_col}${last_row}"
    ch_above = f"${channel_col}${first_row}:${channel_col}{row}"
    cr_above = f"${created_col}${first_row}:${created_col}{row}"
    seq = (
        f'(COUNTIFS({ch_all},{ch},{cr_all},">="&INT({cr}),{cr_all},"<"&({cr}-{HALF_SECOND}))'
        f"+COUNTIFS({ch_above},{ch},{cr_above},{cr}))"
    )
    return (
        f'=IF(OR({ch}="",NOT(ISNUMBER({cr}))),"",IFERROR('
        f"INDEX({codes_ref},MATCH({ch},{names_ref},0))"
        f"&(YEAR({cr})*10000+MONTH({cr})*100+DAY({cr}))"
        f'&IF({seq}>999,{seq},RIGHT("00"&{seq},3)),""))'
    )


def ids_for(records: Iterable[dict], codes: dict[str, str], rep: str = "") -> list[str | None]:
    """:func:`assign_lead_ids` over register records keyed by field key (``rep``: the rep's
    code in every ID, ``""``: the seed's format)."""
    rows = []
    for r in records:
        created = r.get("created_at")
        rows.append((r.get("channel"), created if isinstance(created, datetime) else None))
    return assign_lead_ids(rows, codes, rep)
