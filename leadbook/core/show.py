"""How leadbook shows a user's text that it did not write (file names, sheet names, cell
values) on a terminal, in JSON and in the workbooks it writes: personal data masked, control
characters as visible symbols (␁, ␛: an ESC would start a terminal escape sequence, and
openpyxl refuses control characters in cells), and a file name's undecodable bytes (a GBK
name unpacked on a UTF-8 system) as ``\\xNN`` instead of a crash.
"""

from __future__ import annotations

import os
import re

from leadbook.core.mask import mask_text

# Control characters a cell or a name can hold (XlsxWriter and Excel store them as _x0001_).
# Tab, newline and carriage return stay.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\udc80-\udcff]")


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 CONTROL PICTURES: \x01 -> ␁
    return "\u2421" if code == 0x7F else "\ufffd"


def visible(text: str) -> str:
    """``text`` with control characters as visible symbols (␁, ␛)."""
    return _CONTROLS.sub(_picture, text)


def shown(text: str | None) -> str:
    """A user's text as leadbook shows it: masked, visible, undecodable bytes escaped."""
    if not text:
        return text or ""
    text = _SURROGATES.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)
    return visible(mask_text(text))


def shown_path(path: str | os.PathLike) -> str:
    """A file's path as leadbook shows it (see :func:`shown`)."""
    return shown(os.fspath(path))
