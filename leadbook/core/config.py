"""Team configuration: ``schemas/defaults.toml`` overridden by a team's own TOML file.

Every key a team may set is a key of defaults.toml; anything else is an error that names the
file and the key (exit 2 on the command line).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from leadbook.core import reference
from leadbook.core.catalog import digest_of, read_toml
from leadbook.core.errors import ConfigError
from leadbook.core.leadid import TEAM_FORMAT, format_parts
from leadbook.core.paths import schema_file

CHANNEL_CODE = re.compile(r"^[A-Z]{2,8}$")
REP_CODE = re.compile(r"^[A-Z]{1,4}$")
MAX_DUE_DAYS = 92  # a to-do window of at most a quarter
REP_KEYS = {"name", "code", "provinces", "industries", "capacity"}
# Lists whose values come from reference data or the config rather than the [lists] table.
DERIVED_LISTS = (
    "channels",
    "industry_sections",
    "industry_divisions",
    "provinces",
    "cities",
    "reps",
)


# The two-level lists (second level -> the first-level list it depends on): 所属行业 section ->
# division (GB/T 4754), 公司地址 province -> city (GB/T 2260).
CASCADE_PARENTS = {"industry_divisions": "industry_sections", "cities": "provinces"}


@dataclass(frozen=True)
class Channel:
    name: str
    code: str


@dataclass(frozen=True)
class Rep:
    """A rep of the team config: ``name`` as the 跟进人 columns show it (masked, ``*张``),
    ``code`` (1-4 capital letters, part of the rep's lead IDs; None in the list form
    ``reps = ["*张"]``), the territory (provinces, industry sections) and the capacity (open
    leads at most; None: no limit) that assignment uses."""

    name: str
    code: str | None = None
    provinces: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    capacity: int | None = None


@dataclass(frozen=True)
class TeamConfig:
    company: str
    reps: tuple[str, ...]  # the reps' names (the 跟进人 dropdown)
    dormancy_days: int
    dormant_soon_days: int
    sla_hours: dict[str, float]
    channels: tuple[Channel, ...]
    lists: dict[str, tuple[str, ...]]
    status_groups: dict[str, tuple[str, ...]]
    personal_email_domains: tuple[str, ...]
    allow_company_email: bool
    vague_terms: tuple[str, ...]
    max_file_mb: float
    team: tuple[Rep, ...] = ()  # the reps with their codes, territory and capacity
    lead_id_format: str = TEAM_FORMAT  # a rep's lead IDs (core.leadid): parts and order
    source: str | None = None
    digest: str = ""
    _cascades: dict[str, dict[str, tuple[str, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    due_days: int = 7  # reports: each rep's to-do for the coming days

    # ----------------------------------------------------------------- lists
    def values(self, list_name: str) -> tuple[str, ...]:
        """Every allowed value of a list (a cascading list: the union over all parents)."""
        if list_name == "channels":
            return tuple(c.name for c in self.channels)
        if list_name == "reps":
            return self.reps
        if list_name in self._cascades:
            return tuple(v for vs in self._cascades[list_name].values() for v in vs)
        for child, parent in CASCADE_PARENTS.items():
            if list_name == parent:
                return tuple(self._cascades[child])
        try:
            return self.lists[list_name]
        except KeyError:
            raise ConfigError(f"no list named {list_name!r} (fields.toml / team config)") from None

    def cascade(self, list_name: str) -> dict[str, tuple[str, ...]]:
        """For a second-level list: parent value -> allowed child values."""
        return self._cascades[list_name]

    def channel_code(self, name: str) -> str | None:
        return next((c.code for c in self.channels if c.name == name), None)

    def in_group(self, status: str, group: str) -> bool:
        return status in self.status_groups.get(group, ())

    def rep(self, name: str | None) -> Rep | None:
        """The configured rep of that name (None when unknown)."""
        return next((r for r in self.team if r.name == name), None)

    def rep_code(self, name: str | None) -> str | None:
        rep = self.rep(name)
        return rep.code if rep else None

    def find_rep(self, name_or_code: str) -> Rep:
        """The configured rep named so (full-width ``＊张`` read as ``*张``) or with that code
        (``ZH``); else a ConfigError naming the configured reps (masked) and their codes."""
        wanted = unicodedata.normalize("NFKC", name_or_code).strip()
        for rep in self.team:
            if wanted in (rep.name, rep.code):
                return rep
        known = "、".join(
            masked_name(r.name) + (f" ({r.code})" if r.code else "") for r in self.team
        )
        raise ConfigError(key="rep_unknown", rep=masked_name(wanted), reps=known or "—")


def masked_name(name: str) -> str:
    """A rep's name as a message may show it: an unmasked name loses its first character."""
    return name if name.startswith("*") else "*" + name[1:]


def _check_type(value: Any, default: Any, where: str) -> None:
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return
    if expected is int and isinstance(value, bool):
        raise ConfigError(key="config_not_whole", where=where, value=repr(value))
    if not isinstance(value, expected):
        names = {list: "list", dict: "table", str: "text", int: "whole", bool: "bool"}
        raise ConfigError(key=f"config_expected_{names.get(expected, 'number')}", where=where)
    if isinstance(value, list) and default and isinstance(default[0], str):
        bad = [v for v in value if not isinstance(v, str) or not v.strip()]
        if bad:
            raise ConfigError(key="config_empty_entry", where=where, value=repr(bad[0]))


def _merge(defaults: dict[str, Any], user: dict[str, Any], src: str) -> dict[str, Any]:
    merged = dict(defaults)
    for key, value in user.items():
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(key="config_unknown_key", src=src, key_=repr(key), known=known)
        default = defaults[key]
        where = f"{src}: key {key!r}"
        if key in ("sla_hours",):
            _check_type(value, default, where)
            for level, hours in value.items():
                if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
                    raise ConfigError(key="config_sla_hours", where=f"{where}.{level!r}")
            merged[key] = dict(value)
        elif key == "lists":
            _check_type(value, default, where)
            lists = dict(default)
            for name, items in value.items():
                _check_type(items, ["x"], f"{where}.{name}")
                if not items:
                    raise ConfigError(key="config_empty_list", where=f"{where}.{name}")
                lists[name] = items
            merged[key] = lists
        elif key == "status_groups":
            _check_type(value, default, where)
            groups = dict(default)
            for name, items in value.items():
                _check_type(items, ["x"], f"{where}.{name}")
                groups[name] = items
            merged[key] = groups
        elif isinstance(default, dict):
            _check_type(value, default, where)
            merged[key] = _merge(default, value, f"{src} [{key}]")
        else:
            _check_type(value, default, where)
            merged[key] = value
    return merged


def _channels(raw: list[Any], src: str) -> tuple[Channel, ...]:
    channels = []
    for i, item in enumerate(raw):
        where = f"{src}: channels #{i + 1}"
        if not isinstance(item, dict) or set(item) != {"name", "code"}:
            raise ConfigError(key="config_channel_keys", where=where)
        name, code = item["name"], item["code"]
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(key="config_channel_name", where=where)
        if not isinstance(code, str) or not CHANNEL_CODE.match(code):
            raise ConfigError(key="config_channel_code", where=where, code=repr(code))
        channels.append(Channel(name.strip(), code))
    for attr in ("name", "code"):
        seen = [getattr(c, attr) for c in channels]
        dupes = sorted({v for v in seen if seen.count(v) > 1})
        if dupes:
            raise ConfigError(key=f"config_duplicate_{attr}", src=src, values=dupes)
    if not channels:
        raise ConfigError(key="config_no_channel", src=src)
    return tuple(channels)


def _reps(raw: list[Any], src: str) -> tuple[Rep, ...]:
    """``reps = ["*张", ...]`` or ``[[reps]] name = "*张" code = "ZH" ...``."""
    reps = []
    for i, item in enumerate(raw):
        where = f"{src}: reps #{i + 1}"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict) or "name" not in item or set(item) - REP_KEYS:
            raise ConfigError(key="config_rep_keys", where=where, known=", ".join(sorted(REP_KEYS)))
        name = item["name"]
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(key="config_rep_name", where=where)
        code = item.get("code")
        if code is not None and (not isinstance(code, str) or not REP_CODE.match(code)):
            raise ConfigError(key="config_rep_code", where=where, code=repr(code))
        lists = {}
        for key in ("provinces", "industries"):
            value = item.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ConfigError(key="config_rep_list", where=f"{where}.{key}")
            lists[key] = tuple(value)
        capacity = item.get("capacity")
        if capacity is not None and (
            isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0
        ):
            raise ConfigError(key="config_rep_capacity", where=f"{where}.capacity")
        reps.append(Rep(name.strip(), code, lists["provinces"], lists["industries"], capacity))
    for attr in ("name", "code"):
        seen = [getattr(r, attr) for r in reps if getattr(r, attr) is not None]
        dupes = sorted({v for v in seen if seen.count(v) > 1})
        if dupes:
            raise ConfigError(key=f"config_duplicate_rep_{attr}", src=src, values=dupes)
    return tuple(reps)


def build_config(user: dict[str, Any] | None = None, source: str | None = None) -> TeamConfig:
    """Merge a parsed team config over the defaults and check it."""
    defaults = read_toml(schema_file("defaults.toml"))
    src = source or "config"
    data = _merge(defaults, user or {}, src)
    if data["dormancy_days"] <= 0 or data["dormant_soon_days"] < 0:
        raise ConfigError(key="config_dormancy", src=src)
    if not 1 <= data["due_days"] <= MAX_DUE_DAYS:
        raise ConfigError(key="config_due_days", src=src, most=MAX_DUE_DAYS)
    if data["validate"]["max_file_mb"] <= 0:
        raise ConfigError(key="config_max_file_mb", src=src)
    statuses = set(data["lists"]["statuses"])
    for name, items in data["status_groups"].items():
        unknown = [s for s in items if s not in statuses]
        if unknown:
            raise ConfigError(key="config_status_group", src=src, name=name, values=unknown)
    levels = set(data["lists"]["potential_levels"])
    unknown_levels = [lv for lv in data["sla_hours"] if lv not in levels]
    if unknown_levels:
        raise ConfigError(key="config_sla_levels", src=src, values=unknown_levels)
    digest = digest_of(data)
    team = _reps(data["reps"], src)
    try:
        format_parts(data["lead_id_format"])
    except ValueError as exc:
        raise ConfigError(
            key="config_lead_id_format",
            where=f"{src}: key 'lead_id_format'",
            value=repr(data["lead_id_format"]),
        ) from exc
    return TeamConfig(
        company=data["company"],
        reps=tuple(r.name for r in team),
        dormancy_days=data["dormancy_days"],
        dormant_soon_days=data["dormant_soon_days"],
        sla_hours={k: float(v) for k, v in data["sla_hours"].items()},
        channels=_channels(data["channels"], src),
        lists={k: tuple(v) for k, v in data["lists"].items()},
        status_groups={k: tuple(v) for k, v in data["status_groups"].items()},
        personal_email_domains=tuple(
            d.lower().lstrip("@") for d in data["privacy"]["personal_email_domains"]
        ),
        allow_company_email=data["privacy"]["allow_company_email"],
        vague_terms=tuple(data["validate"]["vague_terms"]),
        max_file_mb=float(data["validate"]["max_file_mb"]),
        team=team,
        lead_id_format=data["lead_id_format"],
        source=source,
        digest=digest,
        _cascades={"industry_divisions": reference.industries(), "cities": reference.regions()},
        due_days=data["due_days"],
    )


@cache
def _default() -> TeamConfig:
    return build_config()


def load_config(path: str | Path | None = None) -> TeamConfig:
    """The team config at ``path`` (None: leadbook's defaults)."""
    if path is None:
        return _default()
    path = Path(path)
    return build_config(read_toml(path), str(path))
