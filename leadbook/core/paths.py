"""Where leadbook's data files live: inside the wheel, or at the top of a source checkout."""

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # the leadbook package


@cache
def data_dir(name: str) -> Path:
    """The folder ``schemas`` or ``templates``: packaged copy first, then the checkout's."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"leadbook data folder {name!r} is missing from the installation")


def schema_file(name: str) -> Path:
    return data_dir("schemas") / name


def template_file(name: str) -> Path:
    return data_dir("templates") / name
