"""The catalogue of finding codes (``schemas/codes.toml``), loaded and checked once.

Each code has a severity, a title, a message template and a fix hint in Chinese and English,
and the SPEC.md requirement it enforces (STYLE.md 3). Checks make findings with
:func:`make_issue`; the docs (``docs/codes.md``) are generated from :data:`CODES`.

Templates are ``str.format`` templates. Every one may use ``{label}`` and ``{value}``; the
placeholders a code adds are in :data:`PARAMS`. A placeholder given no value renders as "",
and a text that then ends in a dangling label ("可选:", "Allowed:") loses that label.

Codes that take ``{reason}`` may define named reasons (``[invalid-phone.reasons.leading-zero]``):
``reason="leading-zero"`` (or ``leading_zero``) renders the reason's text in the report
language and uses its own hint (and message) where it has one. Any other ``reason`` is shown
as given.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from leadbook.check.issues import Issue, Severity
from leadbook.core.catalog import load_catalog, read_toml
from leadbook.core.errors import ConfigError
from leadbook.core.paths import schema_file
from leadbook.core.texts import sheet_names

SEVERITIES = ("error", "warning")
KEYS = (
    "severity",
    "title_zh",
    "title_en",
    "message_zh",
    "message_en",
    "hint_zh",
    "hint_en",
    "spec",
)
TEMPLATE_KEYS = ("message_zh", "message_en", "hint_zh", "hint_en")
REASON_KEYS = ("zh", "en", "message_zh", "message_en", "hint_zh", "hint_en")
COMMON_PARAMS = ("label", "value")
# The placeholders each code adds to COMMON_PARAMS: the contract between checks and templates.
PARAMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "required-missing": ("reason",),
        "not-in-list": ("allowed",),
        "invalid-lead-id": ("reason",),
        "duplicate-lead-id": ("rows",),
        "invalid-phone": ("reason",),
        "invalid-datetime": ("reason",),
        "invalid-budget": ("reason",),
        "region-mismatch": ("parent",),
        "industry-mismatch": ("parent",),
        "sla-breach": ("hours", "level", "reason", "days"),
        "dormant-overdue": ("days", "idle"),
        "log-mismatch": ("reason", "reg_sheet", "log_sheet", "logged"),
        "template-mismatch": ("detail",),
        "high-potential-incomplete": ("level",),
        "industry-detail": ("detail", "division", "section", "reason"),
        "invalid-size": ("reason",),
        "date-as-text": ("date", "reason"),
        "checks-skipped": ("columns", "checks"),
    }
)
_CODE_NAME = re.compile(r"^[a-z]+(-[a-z]+)*$")
_SPEC_ITEM = re.compile(r"^(R-[SK]\d+(\.\d+)?|SPEC table)$")


@dataclass(frozen=True)
class Reason:
    """A named reason of a code: its ``{reason}`` text and, optionally, its own message/hint."""

    key: str
    zh: str = ""
    en: str = ""
    message_zh: str = ""
    message_en: str = ""
    hint_zh: str = ""
    hint_en: str = ""

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh

    def hint(self, lang: str) -> str:
        return self.hint_en if lang == "en" else self.hint_zh


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title_zh: str
    title_en: str
    message_zh: str
    message_en: str
    hint_zh: str
    hint_en: str
    spec: str
    reasons: tuple[Reason, ...] = ()

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def hint(self, lang: str = "zh") -> str:
        return self.hint_en if lang == "en" else self.hint_zh

    @property
    def params(self) -> tuple[str, ...]:
        """Every placeholder this code's templates may use."""
        return COMMON_PARAMS + PARAMS.get(self.code, ())

    @property
    def specs(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.spec.split(","))

    def reason(self, key: str) -> Reason | None:
        """The named reason ``key`` ("_" and "-" alike), or None for free text."""
        key = key.replace("_", "-")
        return next((r for r in self.reasons if r.key == key), None)


def placeholders(template: str) -> set[str]:
    """The field names a format template uses (raises ValueError when it does not parse)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_template(template: str, allowed: tuple[str, ...], where: str) -> None:
    try:
        names = placeholders(template)
    except ValueError as exc:
        raise ConfigError(f"{where}: not a valid template: {exc}") from None
    for name in names:
        if name not in allowed:
            raise ConfigError(
                f"{where}: unknown placeholder {{{name}}} (known: {', '.join(allowed)})"
            )


def _parse_reason(key: str, raw: Any, allowed: tuple[str, ...], where: str) -> Reason:
    if not _CODE_NAME.match(key):
        raise ConfigError(f"{where}: a reason is lower-case words joined by '-'")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table")
    for k, v in raw.items():
        if k not in REASON_KEYS:
            raise ConfigError(f"{where}: unknown key {k!r} (known: {', '.join(REASON_KEYS)})")
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(f"{where}.{k}: expected non-empty text")
    pairs = [("zh", "en"), ("message_zh", "message_en"), ("hint_zh", "hint_en")]
    for a, b in pairs:
        if (a in raw) != (b in raw):
            raise ConfigError(f"{where}: {a!r} and {b!r} go together")
    if not raw:
        raise ConfigError(f"{where}: a reason needs text (zh/en), a message or a hint")
    for k, v in raw.items():
        # A reason's own text may use every placeholder but itself.
        names = tuple(p for p in allowed if p != "reason") if k in ("zh", "en") else allowed
        _check_template(v, names, f"{where}.{k}")
    return Reason(key=key, **raw)


def parse_codes(data: dict[str, Any], source: str = "codes.toml") -> dict[str, Code]:
    """Build and check the catalogue from parsed TOML (tests use this to try bad entries)."""
    codes: dict[str, Code] = {}
    for name, raw in data.items():
        where = f"{source} [{name}]"
        if not _CODE_NAME.match(name):
            raise ConfigError(f"{where}: a code is lower-case words joined by '-'")
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected a table")
        for key in KEYS:
            if key not in raw:
                raise ConfigError(f"{where}: missing key {key!r}")
        for key, value in raw.items():
            if key == "reasons":
                continue
            if key not in KEYS:
                raise ConfigError(f"{where}: unknown key {key!r}")
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}.{key}: expected non-empty text")
        if raw["severity"] not in SEVERITIES:
            raise ConfigError(f"{where}.severity: {raw['severity']!r} is not one of {SEVERITIES}")
        for item in raw["spec"].split(","):
            if not _SPEC_ITEM.match(item.strip()):
                raise ConfigError(f"{where}.spec: {item.strip()!r} is not a SPEC.md requirement")
        allowed = COMMON_PARAMS + PARAMS.get(name, ())
        for key in TEMPLATE_KEYS:
            _check_template(raw[key], allowed, f"{where}.{key}")
        reasons_raw = raw.get("reasons", {})
        if not isinstance(reasons_raw, dict):
            raise ConfigError(f"{where}.reasons: expected a table")
        if reasons_raw and "reason" not in allowed:
            raise ConfigError(f"{where}: has reasons but takes no {{reason}}")
        reasons = tuple(
            _parse_reason(key, value, allowed, f"{where}.reasons.{key}")
            for key, value in reasons_raw.items()
        )
        fields = {k: raw[k] for k in KEYS}
        codes[name] = Code(code=name, reasons=reasons, **fields)
    unknown = sorted(set(PARAMS) - set(codes))
    if unknown:
        raise ConfigError(f"{source}: PARAMS names codes that are not in the catalogue: {unknown}")
    return codes


def _load() -> Mapping[str, Code]:
    path = schema_file("codes.toml")
    return MappingProxyType(parse_codes(read_toml(path), path.name))


CODES: Mapping[str, Code] = _load()


def get(code: str) -> Code:
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"unknown finding code {code!r} (schemas/codes.toml)") from None


def severity(code: str) -> Severity:
    return get(code).severity


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _text(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return (", " if lang == "en" else "、").join(_text(v, lang) for v in items)
    return str(value)


def describe(code: str, lang: str = "zh", **params: Any) -> tuple[str, str]:
    """The (message, hint) of ``code`` in ``lang`` with ``params`` filled in.

    Placeholders without a value render as ""; ``None`` renders as "", lists joined.
    """
    entry = get(code)
    values = _Params({k: _text(v, lang) for k, v in params.items()})
    message, hint = entry.message(lang), entry.hint(lang)
    reason = entry.reason(values["reason"]) if values.get("reason") else None
    if reason is not None:
        values["reason"] = reason.text(lang).format_map(values)
        message = reason.message(lang) or message
        hint = reason.hint(lang) or hint
    return _render(message, values), _render(hint, values)


_SENTENCE_END = "。.;;!?!?"
_DANGLING = re.compile(rf"(?:(?<=[{_SENTENCE_END}])\s*[^{_SENTENCE_END}]*)?[::]\s*$")
_LAST_PLACEHOLDER = re.compile(r"\{(\w+)\}\s*$")


def _render(template: str, values: _Params) -> str:
    """The filled template; a label left without its value at the end is trimmed:
    "…选择。可选:" -> "…选择。", "不一致:" -> "不一致"."""
    text = template.format_map(values).strip()
    last = _LAST_PLACEHOLDER.search(template)
    if last and not values[last.group(1)]:
        text = _DANGLING.sub("", text).strip()
    return text


def field_label(field: str, sheet: str | None = None, lang: str = "zh") -> str:
    """The catalog label of ``field`` (the log's field when ``sheet`` is the log sheet)."""
    catalog = load_catalog()
    sheets = ("log", "register") if sheet in sheet_names("log") else ("register", "log")
    for name in sheets:
        for f in catalog.sheet_fields(name):
            if f.key == field:
                return f.label(lang)
    return field


def make_issue(
    code: str,
    *,
    file: str,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    field: str | None = None,
    value: Any = None,
    lang: str = "zh",
    **params: Any,
) -> Issue:
    """An ``Issue`` with severity, message and hint from the catalogue.

    ``label`` defaults to the catalog label of ``field`` (the log's field on the log sheet).
    ``value`` goes into the message and the issue as given: callers mask it first.
    """
    if "label" not in params and field is not None:
        params["label"] = field_label(field, sheet, lang)
    text = None if value is None else _text(value, lang)
    message, hint = describe(code, lang, value=text, **params)
    return Issue(
        code=code,
        severity=severity(code),
        file=str(file),
        sheet=sheet,
        row=row,
        column=column,
        field=field,
        value=text,
        message=message,
        hint=hint,
    )
