"""The workbook's words (``templates/workbook_text.toml``) in the user's language."""

from __future__ import annotations

from functools import cache
from typing import Any

from leadbook.core import tomlcache
from leadbook.core.errors import ConfigError
from leadbook.core.paths import template_file

LANGS = ("zh", "en")


@cache
def _all() -> dict[str, Any]:
    return tomlcache.load(template_file("workbook_text.toml"))


def texts(lang: str) -> dict[str, Any]:
    if lang not in LANGS:
        raise ConfigError(f"language {lang!r} is not one of {', '.join(LANGS)}")
    return _all()[lang]


def sheet_name(role: str, lang: str) -> str:
    """The sheet name of a role (instructions, register, log, guide, lists) in a language."""
    return texts(lang)["sheets"][role]


def sheet_names(role: str) -> tuple[str, ...]:
    """Every language's name for a role, for readers that must find the sheet."""
    return tuple(_all()[lang]["sheets"][role] for lang in LANGS)
