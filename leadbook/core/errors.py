"""The few exceptions leadbook raises: only for "cannot run at all" (STYLE.md 2).

Findings about a workbook's content are values (``leadbook.check.issues.Issue``), never exceptions.
An error made from the messages catalogue (``key`` and its parameters) can be shown in either
language (:meth:`LeadbookError.text`); ``str()`` is its English text.
"""

from __future__ import annotations

from typing import Any


class LeadbookError(Exception):
    """Base of every error leadbook reports to a user as one line (CLI exit code 2)."""

    def __init__(self, message: str = "", *, key: str | None = None, **params: Any) -> None:
        self.key, self.params = key, params
        if key is not None and not message:
            from leadbook.core.messages import text

            message = text(key, "en", **params)
        super().__init__(message)

    def text(self, lang: str = "zh") -> str:
        """The message in ``lang`` (as written when it is not from the catalogue)."""
        if self.key is None:
            return str(self)
        from leadbook.core.messages import text

        return text(self.key, lang, **self.params)


class ConfigError(LeadbookError):
    """A team config or the field catalog is malformed; the message names the file and key."""


class InputError(LeadbookError):
    """An input file cannot be read as a lead workbook (missing, corrupt, encrypted, ...)."""


class OutputError(LeadbookError):
    """An output cannot be written (exists without --force, unwritable folder, ...)."""
