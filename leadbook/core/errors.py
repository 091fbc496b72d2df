"""The few exceptions leadbook raises: only for "cannot run at all" (STYLE.md 2).

Findings about a workbook's content are values (``leadbook.check.issues.Issue``), never exceptions.
"""


class LeadbookError(Exception):
    """Base of every error leadbook reports to a user as one line (CLI exit code 2)."""


class ConfigError(LeadbookError):
    """A team config or the field catalog is malformed; the message names the file and key."""


class InputError(LeadbookError):
    """An input file cannot be read as a lead workbook (missing, corrupt, encrypted, ...)."""


class OutputError(LeadbookError):
    """An output cannot be written (exists without --force, unwritable folder, ...)."""
