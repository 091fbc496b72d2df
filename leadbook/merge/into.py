"""What ``merge --into MASTER`` needs beyond a merge: that MASTER really is a leadbook master
(a rep's own workbook must never be turned into one), and a lock, so that two merges into the
same master run one after the other instead of both "succeeding" with one's leads lost.

The lock is an advisory lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) on a small file
beside the master, ``.MASTER.lock``, that is never replaced: the master itself is replaced by
each merge (atomically), so a lock on it would not hold across merges.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from leadbook.core import provenance
from leadbook.core.errors import InputError, OutputError

WAIT_SECONDS = 600.0  # how long a second merge waits for the first before it stops
POLL_SECONDS = 0.2

_TEXT = {
    "zh": {
        "not_master": "{path}: 不是 leadbook 合并出的主表(没有 来源文件、负责销售 等溯源列),"
        "--into 只接受主表;要合并这个工作簿,把它作为输入:leadbook merge {path} 其他文件 -o 主表.xlsx",
        "busy": "{path}: 另一个合并正在写入这个主表,等待它完成…",
        "timeout": "{path}: 另一个合并已占用这个主表超过 {seconds:.0f} 秒,本次未合并、未写入;稍后再试",
        "lock_failed": "{path}: 无法锁定主表({detail}),本次未合并",
    },
    "en": {
        "not_master": "{path}: not a master written by leadbook merge (no provenance columns such "
        "as 来源文件 / Source file); --into takes a master only. To merge this workbook, give it "
        "as an input: leadbook merge {path} OTHER... -o master.xlsx",
        "busy": "{path}: another merge is writing this master; waiting for it to finish...",
        "timeout": "{path}: another merge has held this master for over {seconds:.0f} s; "
        "nothing merged, nothing written. Try again later",
        "lock_failed": "{path}: cannot lock the master ({detail}); nothing merged",
    },
}


def _text(lang: str, key: str, **params) -> str:
    return _TEXT.get(lang, _TEXT["zh"])[key].format(**params)


def lock_path(master: Path) -> Path:
    return master.with_name(f".{master.name}.lock")


@contextlib.contextmanager
def master_lock(
    master: str | Path,
    *,
    lang: str = "zh",
    wait: float = WAIT_SECONDS,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the master's lock for the block; wait (telling ``on_wait`` once) while another
    merge holds it, and raise ``OutputError`` after ``wait`` seconds."""
    master = Path(master)
    try:
        fd = os.open(lock_path(master), os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise OutputError(_text(lang, "lock_failed", path=master, detail=exc.strerror)) from None
    try:
        deadline = time.monotonic() + wait
        told = False
        while not _try_lock(fd):
            if not told and on_wait is not None:
                on_wait(_text(lang, "busy", path=master))
            told = True
            if time.monotonic() > deadline:
                raise OutputError(_text(lang, "timeout", path=master, seconds=wait))
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _unlock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def check_master(path: str | Path, *, lang: str = "zh", password: str | None = None) -> None:
    """Raise ``InputError`` unless ``path`` is a master written by ``leadbook merge``: its
    register carries every provenance column (来源文件, 来源位置, 负责销售, 原线索编号, 校验结果,
    in either language). An unreadable file is left to the merge, which reports it."""
    from leadbook.core.catalog import load_catalog
    from leadbook.read.reader import read_book

    try:
        raw = read_book(path, load_catalog(), lang=lang, password=password)
    except InputError:
        return  # the merge reads it again and stops with the reader's own message
    if not provenance.is_master(header for _, header in raw.register.unknown):
        raise InputError(_text(lang, "not_master", path=path))
