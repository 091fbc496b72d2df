"""The TOML files leadbook ships (field catalog, finding codes, messages, texts), parsed once
per version and kept as JSON in the user's cache folder.

Python's TOML parser is written in Python: importing it and parsing the five shipped files
costs a process about 0.1 s, a tenth of a one-row ``validate``. A parsed file is cached under
the digest of its bytes, so an edited or upgraded file is parsed afresh and a stale copy is
never read. Only leadbook's own files are cached (a team config, which names reps, is not);
a file whose values JSON cannot hold as they are (dates) is not cached either. The folder is
``$LEADBOOK_CACHE_DIR``, else ``$XDG_CACHE_HOME/leadbook``, else ``~/.cache/leadbook``;
``LEADBOOK_CACHE_DIR=`` (empty) turns the cache off. A cache that cannot be read or written
is simply not used.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from leadbook.core.paths import data_dir

CACHE_ENV = "LEADBOOK_CACHE_DIR"


def load(path: Path) -> dict[str, Any]:
    """``path`` parsed as TOML (``tomllib``'s errors, all ``ValueError``, and ``OSError``)."""
    data = Path(path).read_bytes()
    where = _cached(path, data)
    if where is not None:
        try:
            return json.loads(where.read_bytes())
        except (OSError, ValueError):
            pass
    import tomllib

    parsed = tomllib.loads(data.decode("utf-8"))
    if where is not None:
        _store(where, parsed)
    return parsed


def cache_dir() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "leadbook"


def _cached(path: Path, data: bytes) -> Path | None:
    """Where the parsed ``path`` is cached; None for a file that is not leadbook's own."""
    folder = cache_dir()
    if folder is None:
        return None
    resolved = Path(path).resolve()
    if not any(resolved.is_relative_to(data_dir(d)) for d in ("schemas", "templates")):
        return None
    digest = hashlib.sha256(data).hexdigest()[:24]
    return folder / f"{resolved.stem}-{digest}.json"


def _store(where: Path, parsed: dict[str, Any]) -> None:
    try:
        text = json.dumps(parsed, ensure_ascii=False)
        if json.loads(text) != parsed:  # a date, say: JSON would hand back something else
            return
        where.parent.mkdir(parents=True, exist_ok=True)
        part = where.with_name(f".{where.name}.{os.getpid()}.tmp")
        part.write_text(text, encoding="utf-8")
        os.replace(part, where)  # whole or not at all, also with two processes at once
    except (OSError, TypeError, ValueError):
        return
