"""The command messages catalogue (``templates/messages.toml``): every message a command
prints besides findings, in Chinese and English, looked up by key."""

from __future__ import annotations

from functools import cache
from typing import Any

from leadbook.core import tomlcache
from leadbook.core.paths import template_file

LANGS = ("zh", "en")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    return tomlcache.load(template_file("messages.toml"))


def text(key: str, lang: str = "zh", **params: Any) -> str:
    """The message ``key`` in ``lang`` (zh when unknown), its placeholders filled."""
    entry = catalogue()[key]
    return entry[lang if lang in LANGS else "zh"].format(**params)


def lang_of(args: list[str], default: str = "zh") -> str:
    """The --lang a command line asks for (before click has parsed it: for its own errors)."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1] if args[i + 1] in LANGS else default
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in LANGS else default
    return default
