"""Excel's "Encrypt with Password" (R-K2): reading encrypted workbooks and writing encrypted
outputs, with msoffcrypto-tool. Passwords come from an environment variable, never from the
command line (where other users of the machine could see them)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from leadbook.errors import ConfigError, InputError


def password_from_env(var: str | None) -> str | None:
    """The password held by environment variable ``var`` (None when no variable is named)."""
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise ConfigError(f"--password-env {var}: the environment variable is not set or empty")
    return value


def decrypt(data: bytes, password: str, wrong_message: str) -> bytes:
    """The plain workbook inside an encrypted one; ``InputError`` when the password is wrong."""
    import msoffcrypto

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except Exception:  # msoffcrypto raises several types for a wrong key or a broken file
        raise InputError(wrong_message) from None
    return out.getvalue()


def encrypt_file(plain: Path, target: Path, password: str) -> None:
    """Write ``plain`` encrypted with ``password`` to ``target``."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(plain, "rb") as src, open(target, "wb") as out:
        OOXMLFile(src).encrypt(password, out)
