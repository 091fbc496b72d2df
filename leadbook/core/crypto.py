"""Excel's "Encrypt with Password" (R-K2): reading encrypted workbooks and writing encrypted
outputs, with msoffcrypto-tool (ECMA-376 agile encryption: AES-256, SHA-512 key derivation).
Passwords come from an environment variable, never from the command line (where other users
of the machine could see them), and never appear in a message.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from leadbook.core.errors import ConfigError, InputError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
SCAN_BYTES = 1 << 20  # the stream directory of an encrypted package is near its start


def password_from_env(var: str | None) -> str | None:
    """The password held by environment variable ``var`` (None when no variable is named)."""
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        raise ConfigError(key="password_not_set", var=var)
    return value


def is_encrypted(path: str | Path) -> bool:
    """Whether ``path`` is an encrypted Office file (an OLE container holding an
    ``EncryptedPackage`` stream). False for anything unreadable."""
    try:
        with open(path, "rb") as fh:
            return fh.read(8) == OLE_MAGIC and ENCRYPTED_STREAM in fh.read(SCAN_BYTES)
    except OSError:
        return False


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


def plain_source(path: str | Path, password: str | None) -> Path | io.BytesIO:
    """Something a workbook reader (openpyxl, python-calamine) can open: ``path`` itself, or,
    for an encrypted workbook, its decrypted bytes in memory (never on disk)."""
    path = Path(path)
    if not is_encrypted(path):
        return path
    if password is None:
        raise InputError(key="password_needed", path=path)
    try:
        plain = decrypt(path.read_bytes(), password, "")
    except InputError:
        raise InputError(key="wrong_password", path=path) from None
    return io.BytesIO(plain)


def encrypt_file(plain: Path, target: Path, password: str) -> None:
    """Write ``plain`` encrypted with ``password`` to ``target``."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(plain, "rb") as src, open(target, "wb") as out:
        OOXMLFile(src).encrypt(password, out)
