"""Lead IDs (R-S1.1, SPEC table): channel code + yyyymmdd of the creation time + a 3-digit
sequence per channel and day, e.g. ``EXPO20240521001`` (the seed's format). A rep's workbook
puts the rep's code in every ID, so IDs are unique across the team: by default after the date,
``EXPO20240521ZH001`` (``TEAM_FORMAT``; the team config's ``lead_id_format`` may order the
parts otherwise and separate them with ``-``, ``_`` or ``.``).

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

SEED_FORMAT = "{channel}{date}{seq}"  # a workbook without a rep
TEAM_FORMAT = "{channel}{date}{rep}{seq}"  # a rep's workbook, unless the config says otherwise
SEPARATORS = "-_."
# Each part's text in an ID, as named groups (``code`` is the channel's code).
_PART_RE = {
    "channel": r"(?P<code>[A-Z]{2,8})",
    "date": r"(?P<date>\d{8})",
    "rep": r"(?P<rep>[A-Z]{1,4})",
    "seq": r"(?P<seq>\d{3,})",
}
_TOKEN = re.compile(r"\{([^{}]*)\}|([^{}]+)|(.)")

# The seed's IDs and the default team format's (the rep code optional): what every reader,
# the renumbering and the checks accept without knowing the config.
LEAD_ID = re.compile(r"^(?P<code>[A-Z]{2,8})(?P<date>\d{8})(?P<rep>[A-Z]{1,4})?(?P<seq>\d{3,})$")


def format_parts(fmt: str) -> tuple[str, ...]:
    """The parts of a lead-ID format in order: ``channel``, ``date``, ``rep``, ``seq``, or a
    separator's text (``-``). ValueError, saying why, for a format that cannot give
    well-formed, readable IDs: each of the four parts once, nothing but separators between
    them, and the channel code and the rep code (both letters) not side by side."""
    parts: list[str] = []
    for m in _TOKEN.finditer(fmt):
        name, text, stray = m.groups()
        if stray is not None or (name is not None and name not in _PART_RE):
            raise ValueError(
                f"unknown part {m.group(0)!r} (the parts: {{channel}} {{date}} {{rep}} {{seq}})"
            )
        if text is not None and set(text) - set(SEPARATORS):
            raise ValueError(f"{text!r}: only {' '.join(SEPARATORS)} may separate the parts")
        parts.append(name if name is not None else text)
    for name in _PART_RE:
        if parts.count(name) != 1:
            raise ValueError(f"{{{name}}} must appear exactly once")
    for a, b in zip(parts, parts[1:], strict=False):
        if {a, b} == {"channel", "rep"}:
            raise ValueError("{channel} and {rep} are both letters: separate them (e.g. -)")
    return tuple(parts)


def id_regex(fmt: str = SEED_FORMAT) -> re.Pattern[str]:
    """IDs of the format ``fmt``, with the named groups ``code``, ``date``, ``rep``, ``seq``."""
    parts = ("channel", "date", "seq") if fmt == SEED_FORMAT else format_parts(fmt)
    return re.compile("^" + "".join(_PART_RE.get(p) or re.escape(p) for p in parts) + "$")


def id_patterns(fmt: str = TEAM_FORMAT) -> tuple[re.Pattern[str], ...]:
    """The patterns an ID of a team with the format ``fmt`` may match: ``fmt``'s own when it
    is not the default (first: its parts in its order), then :data:`LEAD_ID` (the seed's
    format and the default team format)."""
    return (LEAD_ID,) if fmt in (SEED_FORMAT, TEAM_FORMAT) else (id_regex(fmt), LEAD_ID)


def valid_id_pattern(fmt: str = TEAM_FORMAT) -> str:
    """One regular expression (no groups) for a well-formed ID: the seed's, or ``fmt``'s
    with a 3-digit sequence (what the checks accept)."""
    strict = [p.pattern.replace(r"\d{3,}", r"\d{3}") for p in id_patterns(fmt)]
    plain = [re.sub(r"\(\?P<\w+>", "(?:", p)[1:-1] for p in strict]
    return "^(?:" + "|".join(plain) + ")$"


def split_lead_id(value: str, fmt: str = TEAM_FORMAT) -> dict[str, str] | None:
    """{code, date, rep, seq} of an ID in the seed's format or ``fmt`` (rep "" when none)."""
    for pattern in id_patterns(fmt):
        m = pattern.match(value)
        if m:
            return {k: v or "" for k, v in m.groupdict().items()}
    return None


def format_lead_id(
    code: str, created_at: datetime, seq: int, rep: str = "", fmt: str = TEAM_FORMAT
) -> str:
    """``EXPO20240521001``; with a rep code, ``EXPO20240521ZH001`` (unique across a team) or
    as ``fmt`` orders the parts."""
    if not rep:
        return f"{code}{created_at:%Y%m%d}{seq:03d}"
    text = {"channel": code, "date": f"{created_at:%Y%m%d}", "rep": rep, "seq": f"{seq:03d}"}
    return "".join(text.get(p, p) for p in format_parts(fmt))


def parse_lead_id(value: str, fmt: str = TEAM_FORMAT) -> tuple[str, str, int] | None:
    """(code, yyyymmdd, sequence) of a well-formed ID (with or without a rep code), else None."""
    parts = split_lead_id(value, fmt)
    return (parts["code"], parts["date"], int(parts["seq"])) if parts else None


def assign_lead_ids(
    rows: Sequence[tuple[str | None, datetime | None]],
    codes: dict[str, str],
    rep: str = "",
    fmt: str = TEAM_FORMAT,
) -> list[str | None]:
    """IDs for register rows given as (channel name, creation time), in row order.

    A row without channel or time, or with a channel that has no code, gets None (the
    workbook shows an empty cell). ``rep``: the rep's code in every ID (``fmt`` places it);
    ``""``: the seed's format.
    """
    if rep:
        format_parts(fmt)  # a bad format fails before any ID is made
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
        ids.append(format_lead_id(codes[channel], created, seq, rep, fmt))
    return ids


def excel_formula(
    row: int,
    channel_col: str,
    created_col: str,
    first_row: int,
    last_row: int,
    names_ref: str = "LIST_channels",
    codes_ref: str = "LIST_channel_codes",
    rep: str = "",
    fmt: str = TEAM_FORMAT,
) -> str:
    """The lead-ID formula for one register row (1-based Excel row numbers); with ``rep``, the
    rep's code is a text constant in it, placed as ``fmt`` says.

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
    pieces = {
        "channel": f"INDEX({codes_ref},MATCH({ch},{names_ref},0))",
        "date": f"(YEAR({cr})*10000+MONTH({cr})*100+DAY({cr}))",
        "rep": f'"{rep}"',
        "seq": f'IF({seq}>999,{seq},RIGHT("00"&{seq},3))',
    }
    if rep and not re.fullmatch(r"[A-Z]{1,4}", rep):  # a text constant in the formula
        raise ValueError(f"a rep code is 1-4 capital letters, not {rep!r}")
    parts = format_parts(fmt) if rep else ("channel", "date", "seq")
    body = "&".join(pieces.get(p) or f'"{p}"' for p in parts)
    return f'=IF(OR({ch}="",NOT(ISNUMBER({cr}))),"",IFERROR({body},""))'


def ids_for(
    records: Iterable[dict], codes: dict[str, str], rep: str = "", fmt: str = TEAM_FORMAT
) -> list[str | None]:
    """:func:`assign_lead_ids` over register records keyed by field key (``rep``: the rep's
    code in every ID, placed as ``fmt`` says; ``""``: the seed's format)."""
    rows = []
    for r in records:
        created = r.get("created_at")
        rows.append((r.get("channel"), created if isinstance(created, datetime) else None))
    return assign_lead_ids(rows, codes, rep, fmt)
