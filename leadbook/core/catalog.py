"""The field catalog (``schemas/fields.toml``): loaded, checked and served to every module.

The catalog drives the workbook's columns, dropdowns and input help, the validation schema,
the field guide and the docs (STYLE.md 1).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from leadbook.core.errors import ConfigError
from leadbook.core.paths import schema_file

FIELD_TYPES = frozenset(
    {"text", "list", "datetime", "date", "lead_id", "phone", "budget", "masked_name", "url", "size"}
)
_FIELD_KEYS = {
    "key": str,
    "zh": str,
    "en": str,
    "group": str,
    "type": str,
    "required": bool,
    "list": str,
    "parent": str,
    "pattern": str,
    "help_zh": str,
    "help_en": str,
    "example": str,
    "width": int,
    "sensitive": bool,
    "scan_pii": bool,
    "aliases": list,
    "checks_zh": str,
    "checks_en": str,
}
_MANDATORY = ("key", "zh", "en", "group", "type", "help_zh", "help_en", "example")
HELP_LIMIT = 255  # Excel's limit for a data validation input message


@dataclass(frozen=True)
class Field:
    key: str
    zh: str
    en: str
    group: str
    type: str
    help_zh: str
    help_en: str
    example: str
    required: bool = False
    list: str | None = None
    parent: str | None = None
    pattern: str | None = None
    width: int = 14
    sensitive: bool = False
    scan_pii: bool = False
    aliases: tuple[str, ...] = ()
    # The checks that need this column, for a field the seed's table has not: a sheet in the
    # seed's layout that lacks it gets one file-level note naming them, not an error.
    checks_zh: str = ""
    checks_en: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def help(self, lang: str = "zh") -> str:
        return self.help_en if lang == "en" else self.help_zh

    def checks(self, lang: str = "zh") -> str:
        return self.checks_en if lang == "en" else self.checks_zh

    @property
    def seed_optional(self) -> bool:
        """The seed's register table has no such column (创建时间, 潜力等级, ...)."""
        return bool(self.checks_zh)

    @property
    def is_list(self) -> bool:
        return self.type == "list"

    @property
    def is_time(self) -> bool:
        return self.type in ("datetime", "date")

    @property
    def header_names(self) -> tuple[str, ...]:
        """Every header label that identifies this field (labels, key, aliases)."""
        return (self.zh, self.en, self.key, *self.aliases)


@dataclass(frozen=True)
class Group:
    key: str
    zh: str
    en: str

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Composite:
    """One header that holds several fields, e.g. the seed's 公司地址 = province + city."""

    key: str
    labels: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    template_version: str
    groups: tuple[Group, ...]
    register: tuple[Field, ...]
    log: tuple[Field, ...]
    composites: tuple[Composite, ...] = ()
    digest: str = ""
    _index: dict[str, Field] = field(default_factory=dict, compare=False, repr=False)

    def field(self, key: str) -> Field:
        return self._index[key]

    def log_field(self, key: str) -> Field:
        return next(f for f in self.log if f.key == key)

    def group(self, key: str) -> Group:
        return next(g for g in self.groups if g.key == key)

    def sheet_fields(self, sheet: str) -> tuple[Field, ...]:
        return self.register if sheet == "register" else self.log


def _parse_field(raw: dict[str, Any], where: str, groups: dict[str, Group]) -> Field:
    for key in raw:
        if key not in _FIELD_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}")
    for key in _MANDATORY:
        if key not in raw:
            raise ConfigError(f"{where}: missing key {key!r}")
    for key, value in raw.items():
        if not isinstance(value, _FIELD_KEYS[key]):
            raise ConfigError(f"{where}.{key}: expected {_FIELD_KEYS[key].__name__}")
    name = f"{where} ({raw['key']})"
    if raw["type"] not in FIELD_TYPES:
        raise ConfigError(f"{name}: type {raw['type']!r} is not one of {sorted(FIELD_TYPES)}")
    if raw["group"] not in groups:
        raise ConfigError(f"{name}: group {raw['group']!r} is not in [groups]")
    if raw["type"] in ("list", "size") and "list" not in raw:
        raise ConfigError(f"{name}: a {raw['type']} field needs 'list'")
    if ("checks_zh" in raw) != ("checks_en" in raw):
        raise ConfigError(f"{name}: 'checks_zh' and 'checks_en' go together")
    for lang in ("zh", "en"):
        if len(raw[f"help_{lang}"]) > HELP_LIMIT:
            raise ConfigError(f"{name}: help_{lang} is longer than {HELP_LIMIT} characters")
    if "pattern" in raw:
        try:
            re.compile(raw["pattern"])
        except re.error as exc:
            raise ConfigError(f"{name}: pattern does not compile: {exc}") from None
    values = dict(raw)
    values["aliases"] = tuple(raw.get("aliases", ()))
    return Field(**values)


def parse_catalog(data: dict[str, Any], source: str = "fields.toml") -> Catalog:
    """Build and check a catalog from parsed TOML (tests use this to add fields)."""
    groups = {
        key: Group(key, spec["zh"], spec["en"]) for key, spec in data.get("groups", {}).items()
    }
    sheets: dict[str, tuple[Field, ...]] = {}
    for sheet in ("register", "log"):
        fields = [
            _parse_field(raw, f"{source} [{sheet}] #{i + 1}", groups)
            for i, raw in enumerate(data.get(sheet, []))
        ]
        keys = [f.key for f in fields]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ConfigError(f"{source} [{sheet}]: duplicate keys {dupes}")
        for f in fields:
            if f.parent and f.parent not in keys:
                raise ConfigError(f"{source} [{sheet}] {f.key}: parent {f.parent!r} is unknown")
        order = list(groups)
        fields.sort(key=lambda f: order.index(f.group))  # stable: file order within a group
        sheets[sheet] = tuple(fields)
    if not sheets["register"] or sheets["register"][0].type != "lead_id":
        raise ConfigError(f"{source}: the register's first field must be the lead ID")
    composites = tuple(
        Composite(key, tuple(spec["labels"]), tuple(spec["fields"]))
        for key, spec in data.get("composites", {}).items()
    )
    digest = digest_of(data)
    register = sheets["register"]
    return Catalog(
        template_version=str(data.get("template_version", "1.0")),
        groups=tuple(groups.values()),
        register=register,
        log=sheets["log"],
        composites=composites,
        digest=digest,
        _index={f.key: f for f in register},
    )


def digest_of(data: Any) -> str:
    """A short, order-independent hash of parsed TOML (tables sorted by key, lists in order)."""

    def flatten(value: Any, prefix: str) -> list[tuple[str, str]]:
        if isinstance(value, dict):
            return [i for k, v in value.items() for i in flatten(v, f"{prefix}.{k}")]
        if isinstance(value, list):
            return [i for n, v in enumerate(value) for i in flatten(v, f"{prefix}[{n}]")]
        return [(prefix, repr(value))]

    return hashlib.sha256(repr(sorted(flatten(data, ""))).encode()).hexdigest()[:16]


def read_toml(path: Path) -> dict[str, Any]:
    from leadbook.core import tomlcache

    try:
        return tomlcache.load(path)
    except FileNotFoundError:
        raise ConfigError(key="config_not_found", path=path) from None
    except ValueError as exc:  # tomllib.TOMLDecodeError; a file that is not UTF-8
        raise ConfigError(key="config_not_toml", path=path, detail=exc) from None
    except OSError as exc:
        raise ConfigError(key="config_unreadable", path=path, reason=exc.strerror) from None


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with leadbook."""
    path = schema_file("fields.toml")
    return parse_catalog(read_toml(path), path.name)
