"""How a sheet leadbook writes looks on screen and on paper: column widths that fit their
content, and an A4 print setup.

Widths are in Excel's character units; a CJK (wide or full-width) character counts two.
Every written workbook (the lead workbook, the master, the summary, the conflicts report)
sizes its columns with :func:`fit_width` and prints with :func:`print_setup`: A4, the used
rows only, fitted to the page width, the header rows repeated on every page, landscape when
the columns are wider than a portrait page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

PORTRAIT_WIDTH = 95  # characters of Excel's default font on a portrait A4 page (margins kept)
PADDING = 2  # the filter arrow and a little air
MAX_WIDTH = 60  # longer text wraps (the column's format wraps it)


# Wide and full-width characters (Unicode East Asian Width W and F): Hangul Jamo, CJK
# punctuation to Yi, Hangul syllables, CJK compatibility, vertical and small forms, full-width
# forms, emoji, and the supplementary ideographic planes (close to, not exactly, W and F).
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)


def text_width(value: Any) -> int:
    """The width of ``value`` as a cell shows it, its longest line: wide characters count 2."""
    text = "" if value is None else str(value)
    if "\n" not in text:
        return len(text) + len(_WIDE.findall(text))
    return max(len(line) + len(_WIDE.findall(line)) for line in text.split("\n"))


def fit_width(
    header: str, values: Iterable[Any] = (), *, least: float = 0, most: float = MAX_WIDTH
) -> float:
    """The width of a column that shows ``header`` and ``values`` uncut (at least ``least``,
    at most ``most``: longer values wrap)."""
    widest = max((text_width(v) for v in values), default=0)
    # a header wraps onto two lines (the header rows are two lines high): half of it is enough
    head = text_width(header)
    head = max(head if head <= 12 else (head + 1) // 2 + 1, 4)
    return float(min(max(least, widest + PADDING, head + PADDING), max(most, least)))


def print_setup(
    ws,
    last_row: int,
    last_col: int,
    *,
    header_rows: tuple[int, int] | None = (0, 0),
    width: float | None = None,
    landscape: bool | None = None,
    gridlines: bool = False,
) -> None:
    """A4 printing of an XlsxWriter worksheet's rows 0..``last_row`` and columns
    0..``last_col`` (0-based): one page wide, as many tall as needed, ``header_rows``
    repeated, landscape when ``width`` (the columns' total width) exceeds a portrait page."""
    ws.set_paper(9)  # A4
    if landscape if landscape is not None else (width or 0) > PORTRAIT_WIDTH:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_area(0, 0, max(last_row, 0), max(last_col, 0))
    ws.fit_to_pages(1, 0)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)
    if gridlines:  # a table's empty rows print as lines to fill in
        ws.hide_gridlines(0)
    ws.set_footer("&C&A · &P / &N")  # the sheet and the page: a printout says where it is from


LINE_HEIGHT = 14  # points per line of 10-point text


def lines_needed(value: Any, width: float) -> int:
    """How many lines ``value`` wraps to in a column ``width`` characters wide."""
    text = "" if value is None else str(value)
    if len(text) * 2 < width - 1 and "\n" not in text:  # fast path: surely one line
        return 1
    usable = max(width - 1.5, 1)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def row_height(lines: int) -> float | None:
    """The height (points) of a row whose tallest cell has ``lines`` lines; None for one
    line (the default height). Wrapped rows are sized by leadbook: LibreOffice and Excel
    keep a written row's height."""
    return None if lines <= 1 else LINE_HEIGHT * lines + 3
