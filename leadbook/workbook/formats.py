"""The workbook's cell formats: fonts, header and band fills, number formats, the colours.

One ``Formats`` per workbook, made before any sheet is written (XlsxWriter numbers formats
in the order they are added, so the order here is the order in styles.xml). ``COLOURS`` are
the fills of the register's conditional formats and of the instructions' legend.
"""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from leadbook.core.catalog import Field

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
# Fills of the conditional formats (R-K3, R-S5.2) and the instructions' legend: (fill, font).
# The legend names each as it looks (浅红色, 橙色, 浅绿色, 灰色: workbook_text.toml).
COLOURS = {
    "red": ("#FFB3B3", "#9C0006"),
    "amber": ("#FFC285", "#7F3F00"),
    "green": ("#C6EFCE", "#006100"),
    "grey": ("#D9D9D9", "#595959"),
}
GROUP_FILLS = ["#1F4E78", "#2E75B6", "#548235", "#BF8F00", "#C55A11", "#7F7F7F", "#7030A0"]
PROVENANCE_FILL = "#3A3838"


class Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "vcenter"}
        self.base = base
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "font_color": "#1F4E78"})
        self.subtitle = wb.add_format({**base, "bold": True, "font_size": 12})
        self.para = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.small = wb.add_format({**base, "font_size": 8, "font_color": "#7F7F7F"})
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        header = {**base, "bold": True, "text_wrap": True, "align": "center", "border": 1}
        self.header = wb.add_format({**header, "bg_color": "#DDEBF7", "font_color": "#1F1F1F"})
        self.header_required = wb.add_format(
            {**header, "bg_color": "#BDD7EE", "font_color": "#C00000"}
        )
        self.locked_id = wb.add_format({**base, "locked": True, "bg_color": "#F2F2F2"})
        self.locked_text = wb.add_format({**base, "locked": True, "font_color": "#595959"})
        # text wraps: a value longer than its column shows on more lines, never cut
        self.text = wb.add_format({**base, "locked": False, "num_format": "@", "text_wrap": True})
        self.datetime = wb.add_format({**base, "locked": False, "num_format": DATETIME_FORMAT})
        self.date = wb.add_format({**base, "locked": False, "num_format": DATE_FORMAT})
        self.swatch = {
            k: wb.add_format({"bg_color": bg, "border": 1, "border_color": fg})
            for k, (bg, fg) in COLOURS.items()
        }
        self.cf = {
            k: wb.add_format({"bg_color": bg, "font_color": fg}) for k, (bg, fg) in COLOURS.items()
        }
        self._bands: dict[str, Format] = {}

    def band(self, fill: str) -> Format:
        """The format of a group band over the register's headers (made on first use)."""
        if fill not in self._bands:
            self._bands[fill] = self.wb.add_format(
                {
                    **self.base,
                    "bold": True,
                    "align": "center",
                    "font_color": "#FFFFFF",
                    "bg_color": fill,
                    "border": 1,
                }
            )
        return self._bands[fill]

    def cell_for(self, fd: Field) -> Format:
        """The column format of a catalog field: locked ID, date-time, date or text."""
        if fd.type == "lead_id":
            return self.locked_id
        if fd.type == "datetime":
            return self.datetime
        if fd.type == "date":
            return self.date
        return self.text
