"""The hidden, protected lists sheet (字典) and its defined names, one per list.

Dropdowns refer to these names, never to inline lists: Excel drops inline lists longer than
255 characters, and Chinese lists reach that fast. Cascades (industry section -> division,
province -> city) use one name per parent value, ``IND_<n>`` and ``REG_<n>``, chosen on the
same row with ``INDIRECT("IND_"&MATCH(parent, LIST_industry_sections, 0))``.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook

from leadbook.core.catalog import Catalog
from leadbook.core.config import CASCADE_PARENTS, TeamConfig

# Cascading list -> (parent list, prefix of the per-parent names)
_PREFIXES = {"industry_divisions": "IND_", "cities": "REG_"}
CASCADES = {key: (parent, _PREFIXES[key]) for key, parent in CASCADE_PARENTS.items()}


def list_name(list_key: str) -> str:
    """The defined name of a flat list."""
    return f"LIST_{list_key}"


def cascade_source(list_key: str, parent_cell: str) -> str:
    """The data-validation source of a cascading list, for the parent value in ``parent_cell``."""
    parent_list, prefix = CASCADES[list_key]
    return f'=INDIRECT("{prefix}"&MATCH({parent_cell},{list_name(parent_list)},0))'


@dataclass
class ListSheet:
    """What the lists sheet holds: defined name -> values, in column order."""

    columns: dict[str, tuple[str, ...]]

    @classmethod
    def build(cls, catalog: Catalog, config: TeamConfig) -> ListSheet:
        columns: dict[str, tuple[str, ...]] = {}
        wanted = {f.list for f in (*catalog.register, *catalog.log) if f.list}
        wanted.discard("lead_ids")  # refers to the register itself
        for key in sorted(wanted - set(CASCADES)):
            values = config.values(key)
            if values:
                columns[list_name(key)] = values
        columns[list_name("channel_codes")] = tuple(c.code for c in config.channels)
        for key in sorted(wanted & set(CASCADES)):
            parent_list, prefix = CASCADES[key]
            tree = config.cascade(key)
            columns.setdefault(list_name(parent_list), tuple(tree))
            for i, children in enumerate(tree.values(), start=1):
                columns[f"{prefix}{i}"] = children
        return cls(columns)

    def has(self, name: str) -> bool:
        return name in self.columns

    def write(self, workbook: Workbook, sheet_name: str, header_format) -> None:
        ws = workbook.add_worksheet(sheet_name)
        quoted = "'" + sheet_name.replace("'", "''") + "'"
        lists = list(self.columns.values())
        for col, (name, values) in enumerate(self.columns.items()):
            ws.write_string(0, col, name, header_format)
            letter = xl_col_to_name(col)
            workbook.define_name(name, f"={quoted}!${letter}$2:${letter}${len(values) + 1}")
            ws.set_column(col, col, 16)
        # Row by row, top to bottom (a workbook in constant_memory mode writes no other way).
        for row in range(1, max(map(len, lists), default=0) + 1):
            for col, values in enumerate(lists):
                if row <= len(values):
                    ws.write_string(row, col, values[row - 1])
        ws.hide()
        ws.protect()
