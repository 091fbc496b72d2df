"""Writing outputs atomically: a temp file in the target's folder, then one rename.

A reader of the target sees the old file or the complete new one, never a partial file.
A run that is killed leaves its temp file behind (``.<name>.leadbook-<8 chars>.tmp``,
hidden); the next write to the same folder removes leadbook's own temp files that are older
than ``STALE_AFTER`` (a write in progress is never that old), and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from leadbook.core.errors import OutputError


def check_target(path: Path, force: bool = False) -> None:
    """Fail early, with one clear line, when ``path`` cannot or must not be written."""
    if path.exists() and not force:
        raise OutputError(key="output_exists", path=path)
    if path.is_dir():
        raise OutputError(key="output_is_folder", path=path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(key="output_folder_missing", path=path, folder=folder)
    if not os.access(folder, os.W_OK):
        raise OutputError(key="output_folder_unwritable", path=path, folder=folder)


TEMP_MARK = ".leadbook-"
# The temp files leadbook makes (``_temp``): mkstemp's 8 random characters after the mark.
TEMP_PATTERN = re.compile(r"^\..+" + re.escape(TEMP_MARK) + r"[a-z0-9_]{8}\.tmp$")
STALE_AFTER = 6 * 3600  # seconds: a temp file older than this belongs to a killed run


def remove_stale_temps(folder: Path, now: float | None = None) -> list[Path]:
    """Remove leadbook's own temp files in ``folder`` older than ``STALE_AFTER``; return them.

    Only regular files named by ``TEMP_PATTERN`` are touched (no links, no folders, nothing
    of other programs); a file that cannot be removed is left alone."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not TEMP_PATTERN.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime < STALE_AFTER:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp(path: Path) -> Path:
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}{TEMP_MARK}", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise OutputError(key="output_unwritable", path=path, reason=exc.strerror) from None
    os.close(fd)
    return Path(tmp)


def _sync(path: Path) -> None:
    """fsync a file or a folder: after a power cut the target is the old file or the new
    one, never an empty file under the new name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(
    path: str | Path, force: bool = False, password: str | None = None
) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` in one step.

    With ``password`` the workbook written to the temporary path is encrypted (Excel's
    "Encrypt with Password") before it takes ``path``'s place. Its plain form is then
    written in a private folder (mode 0700) of the system's temp folder, never next to
    ``path``: the target's folder may be shared or synced, and must only ever see the
    encrypted file.
    """
    path = Path(path)
    check_target(path, force)
    private = None
    if password is not None:
        try:
            private = Path(tempfile.mkdtemp(prefix="leadbook-"))
        except OSError as exc:
            raise OutputError(key="private_temp", path=path, reason=exc.strerror) from None
        temps = [_temp(private / path.name)]
    else:
        temps = [_temp(path)]
    remove_stale_temps(path.parent if str(path.parent) else Path("."))
    try:
        yield temps[0]
        if password is not None:
            from leadbook.core.crypto import encrypt_file

            temps.append(_temp(path))
            encrypt_file(temps[0], temps[1], password)
        os.chmod(temps[-1], 0o666 & ~_umask())  # as open() would create it
        _sync(temps[-1])  # the bytes are on disk before the name points at them
        os.replace(temps[-1], path)
        with contextlib.suppress(OSError):  # and the new name (not every folder syncs)
            _sync(path.parent if str(path.parent) else Path("."))
    except OSError as exc:
        raise OutputError(key="output_unwritable", path=path, reason=exc.strerror) from None
    finally:
        for tmp in temps:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        if private is not None:
            with contextlib.suppress(OSError):
                private.rmdir()


_INPUT_TEXT = {
    "zh": "{path}: 是本次的输入文件,不能同时作为输出(leadbook 从不改写输入):请换一个输出文件名",
    "en": "{path}: is an input of this run and cannot also be an output (leadbook never "
    "modifies an input): choose another output name",
}


def refuse_inputs(
    outputs: Iterable[str | Path | None], inputs: Iterable[str | Path], lang: str = "zh"
) -> None:
    """Raise ``OutputError`` when an output path is one of the inputs (the same file, by any
    name: a relative path, a symlink, a hard link), whatever ``--force`` says."""
    ids = set()
    for p in inputs:
        with contextlib.suppress(OSError):
            st = os.stat(p)
            ids.add((st.st_dev, st.st_ino))
    for out in outputs:
        if out is None:
            continue
        try:
            st = os.stat(out)
        except OSError:
            continue  # not there yet: cannot be an input
        if (st.st_dev, st.st_ino) in ids:
            raise OutputError(_INPUT_TEXT.get(lang, _INPUT_TEXT["zh"]).format(path=out))
