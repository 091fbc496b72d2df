"""Writing the lead workbook (``leadbook new``; also the sample and the merged master).

Sheets: instructions, register (线索台账), follow-up log (跟进记录), field guide, and the hidden
lists sheet. Everything column-shaped comes from the field catalog; the lists and numbers
from the team config. Written with XlsxWriter, atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from leadbook import __version__
from leadbook.core.atomic import atomic_path
from leadbook.core.catalog import Catalog, Field, load_catalog
from leadbook.core.config import TeamConfig, load_config
from leadbook.core.leadid import excel_formula, ids_for
from leadbook.core.texts import sheet_name, texts
from leadbook.workbook.listsheet import CASCADES, ListSheet, cascade_source, list_name

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
BAND_ROW, HEADER_ROW, FIRST_DATA_ROW = 0, 1, 2  # register, 0-based
LOG_HEADER_ROW = 0
# Fills of the conditional formats (R-K3, R-S5.2) and the instructions' legend.
COLOURS = {
    "red": ("#F8CBAD", "#9C0006"),
    "amber": ("#FFE699", "#7F6000"),
    "green": ("#C6EFCE", "#006100"),
    "grey": ("#D9D9D9", "#595959"),
}
GROUP_FILLS = ["#1F4E78", "#2E75B6", "#548235", "#BF8F00", "#C55A11", "#7F7F7F", "#7030A0"]
PROVENANCE_FILL = "#3A3838"
SHEET_PROTECTION = {
    "sort": True,
    "autofilter": True,
    "format_columns": True,
    "format_rows": True,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


@dataclass(frozen=True)
class Extra:
    """A column outside the catalog, appended after it (merge provenance)."""

    key: str
    label: str
    width: int = 16


@dataclass(frozen=True)
class WorkbookSpec:
    catalog: Catalog
    config: TeamConfig
    lang: str = "zh"
    rows: int = 500
    log_rows: int | None = None
    lead_id_formula: bool = True  # False: IDs written as values (the master keeps its sources')
    extra: tuple[Extra, ...] = ()
    log_extra: tuple[Extra, ...] = ()
    created: datetime | None = None


def write_workbook(
    path: str | Path,
    *,
    catalog: Catalog | None = None,
    config: TeamConfig | None = None,
    lang: str = "zh",
    rows: int = 500,
    register: Sequence[dict[str, Any]] = (),
    log: Sequence[dict[str, Any]] = (),
    force: bool = False,
    lead_id_formula: bool = True,
    extra: Sequence[Extra] = (),
    log_extra: Sequence[Extra] = (),
    created: datetime | None = None,
    password: str | None = None,
) -> Path:
    """Write a lead workbook to ``path`` (atomically) and return the path.

    ``register`` and ``log`` are records keyed by field key (datetimes as ``datetime``);
    the sheets are sized for at least ``rows`` leads. ``created`` fixes the document's
    creation time (reproducible files); default now. With ``password`` the workbook is
    encrypted (Excel's "Encrypt with Password").
    """
    spec = WorkbookSpec(
        catalog=catalog or load_catalog(),
        config=config or load_config(),
        lang=lang,
        rows=max(rows, len(register)),
        log_rows=max(rows * 3, len(log)),
        lead_id_formula=lead_id_formula,
        extra=tuple(extra),
        log_extra=tuple(log_extra),
        created=created,
    )
    texts(lang)  # fail on an unknown language before touching the file system
    path = Path(path)
    with atomic_path(path, force=force, password=password) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        _Writer(wb, spec).write(register, log)
        wb.close()
    return path


class _Writer:
    def __init__(self, wb: Workbook, spec: WorkbookSpec) -> None:
        self.wb, self.spec = wb, spec
        self.cat, self.cfg, self.lang = spec.catalog, spec.config, spec.lang
        self.t = texts(spec.lang)
        self.lists = ListSheet.build(self.cat, self.cfg)
        self.f = _Formats(wb)

    # ------------------------------------------------------------------ sheets
    def write(self, register: Sequence[dict], log: Sequence[dict]) -> None:
        self._properties()
        instructions = self.wb.add_worksheet(sheet_name("instructions", self.lang))
        reg = self.wb.add_worksheet(sheet_name("register", self.lang))
        log_ws = self.wb.add_worksheet(sheet_name("log", self.lang))
        guide = self.wb.add_worksheet(sheet_name("guide", self.lang))
        self._instructions(instructions)
        self._register(reg, register)
        self._log(log_ws, log)
        self._guide(guide)
        self.lists.write(self.wb, sheet_name("lists", self.lang), self.f.header)
        reg.activate()

    def _properties(self) -> None:
        cat, cfg = self.cat, self.cfg
        self.wb.set_properties(
            {
                "title": self.t["instructions"]["title"],
                "subject": "leadbook",
                "author": "leadbook",
                "company": cfg.company,
                "keywords": "leadbook, leads, 销售线索",
                "comments": f"template {cat.template_version}; catalog {cat.digest}; "
                f"config {cfg.digest}; leadbook {__version__}",
                **({"created": self.spec.created} if self.spec.created else {}),
            }
        )
        self.wb.set_custom_property("leadbook_template_version", cat.template_version)
        self.wb.set_custom_property("leadbook_catalog", cat.digest)
        self.wb.set_custom_property("leadbook_config", cfg.digest)
        self.wb.set_custom_property("leadbook_version", __version__)
        self.wb.set_custom_property("leadbook_lang", self.lang)

    def _fill(self, template: str) -> str:
        hours = self.cfg.sla_hours
        levels = self.cfg.values("potential_levels")
        return template.format(
            company=self.cfg.company or "—",
            sla_high=_num(hours.get(levels[0], 24)),
            sla_mid=_num(hours.get(levels[1], 48)) if len(levels) > 1 else "—",
            dormancy_days=self.cfg.dormancy_days,
            version=self.cat.template_version,
            catalog=self.cat.digest,
            config=self.cfg.digest,
        )

    def _instructions(self, ws: Worksheet) -> None:
        t, f = self.t["instructions"], self.f
        ws.set_column(0, 0, 4)
        ws.set_column(1, 1, 110)
        ws.hide_gridlines(2)
        row = 0
        ws.write_string(row, 1, t["title"], f.title)
        ws.set_row(row, 30)
        row += 1
        if self.cfg.company:
            ws.write_string(row, 1, self._fill(t["company"]), f.para)
            row += 1
        ws.write_string(row, 1, self._fill(t["intro"]), f.para)
        ws.set_row(row, 48)
        row += 2
        for title_key, items_key in (("steps_title", "steps"), ("keys_title", "keys")):
            ws.write_string(row, 1, t[title_key], f.subtitle)
            row += 1
            for i, item in enumerate(t[items_key], start=1):
                ws.write_string(row, 0, str(i), f.para)
                ws.write_string(row, 1, self._fill(item), f.para)
                ws.set_row(row, 34 if len(item) > 60 else 18)
                row += 1
            row += 1
        ws.write_string(row, 1, t["colours_title"], f.subtitle)
        row += 1
        for colour in ("red", "amber", "green", "grey"):
            ws.write_blank(row, 0, None, f.swatch[colour])
            ws.write_string(row, 1, self._fill(t[f"colour_{colour}"]), f.para)
            row += 1
        row += 1
        ws.write_string(row, 1, t["dropdowns_title"], f.subtitle)
        row += 1
        for item in t["dropdowns"]:
            ws.write_string(row, 1, self._fill(item), f.para)
            ws.set_row(row, 34 if len(item) > 60 else 18)
            row += 1
        row += 1
        ws.write_string(row, 1, self._fill(t["version"]), f.small)
        ws.protect("", SHEET_PROTECTION)

    def _columns(self, fields: Sequence[Field], extra: Sequence[Extra]) -> list[tuple[str, str]]:
        return [(fd.key, fd.label(self.lang)) for fd in fields] + [(e.key, e.label) for e in extra]

    def _register(self, ws: Worksheet, records: Sequence[dict]) -> None:
        spec, fields = self.spec, self.cat.register
        columns = self._columns(fields, spec.extra)
        col = {key: i for i, (key, _) in enumerate(columns)}
        last = FIRST_DATA_ROW + spec.rows - 1
        self._bands(ws, fields, len(columns))
        self._table(ws, "Leads", HEADER_ROW, last, fields, spec.extra)
        ws.set_row(BAND_ROW, 20)
        ws.set_row(HEADER_ROW, 32)
        ws.freeze_panes(FIRST_DATA_ROW, 1)
        codes = {c.name: c.code for c in self.cfg.channels}
        ids = ids_for(records, codes) if spec.lead_id_formula else []
        ch_col, cr_col = xl_col_to_name(col["channel"]), xl_col_to_name(col["created_at"])
        for r in range(spec.rows):
            excel_row = FIRST_DATA_ROW + r + 1
            record = records[r] if r < len(records) else {}
            if spec.lead_id_formula:
                formula = excel_formula(excel_row, ch_col, cr_col, FIRST_DATA_ROW + 1, last + 1)
                cached = (ids[r] if r < len(ids) else None) or ""
                ws.write_formula(FIRST_DATA_ROW + r, 0, formula, self.f.locked_id, cached)
            elif record.get("lead_id") is not None:
                ws.write_string(FIRST_DATA_ROW + r, 0, str(record["lead_id"]), self.f.locked_id)
            for key, value in record.items():
                if key == "lead_id" or key not in col or value is None:
                    continue
                self._cell(ws, FIRST_DATA_ROW + r, col[key], value)
        self._validations(ws, fields, FIRST_DATA_ROW, last, col)
        self._conditional_formats(ws, col, last, len(columns))
        self.wb.define_name(
            "LEAD_IDS",
            f"={_quote(ws.name)}!$A${FIRST_DATA_ROW + 1}:$A${last + 1}",
        )
        ws.protect("", SHEET_PROTECTION)

    def _log(self, ws: Worksheet, records: Sequence[dict]) -> None:
        spec, fields = self.spec, self.cat.log
        columns = self._columns(fields, spec.log_extra)
        col = {key: i for i, (key, _) in enumerate(columns)}
        first = LOG_HEADER_ROW + 1
        last = first + (spec.log_rows or spec.rows * 3) - 1
        self._table(ws, "FollowUps", LOG_HEADER_ROW, last, fields, spec.log_extra)
        ws.set_row(LOG_HEADER_ROW, 32)
        ws.freeze_panes(first, 0)
        for r, record in enumerate(records):
            for key, value in record.items():
                if key in col and value is not None:
                    self._cell(ws, first + r, col[key], value)
        self._validations(ws, fields, first, last, col)
        ws.protect("", SHEET_PROTECTION)

    def _bands(self, ws: Worksheet, fields: Sequence[Field], ncols: int) -> None:
        start = 0
        groups = [g.key for g in self.cat.groups]
        while start < len(fields):
            group = fields[start].group
            end = start
            while end + 1 < len(fields) and fields[end + 1].group == group:
                end += 1
            fmt = self.f.band(GROUP_FILLS[groups.index(group) % len(GROUP_FILLS)])
            label = self.cat.group(group).label(self.lang)
            if end > start:
                ws.merge_range(BAND_ROW, start, BAND_ROW, end, label, fmt)
            else:
                ws.write_string(BAND_ROW, start, label, fmt)
            start = end + 1
        if ncols > len(fields):
            label = self.t["validation"]["provenance_group"]
            fmt = self.f.band(PROVENANCE_FILL)
            if ncols - 1 > len(fields):
                ws.merge_range(BAND_ROW, len(fields), BAND_ROW, ncols - 1, label, fmt)
            else:
                ws.write_string(BAND_ROW, len(fields), label, fmt)

    def _table(
        self,
        ws: Worksheet,
        name: str,
        header_row: int,
        last: int,
        fields: Sequence[Field],
        extra: Sequence[Extra],
    ) -> None:
        columns = []
        for i, fd in enumerate(fields):
            header = self.f.header_required if fd.required else self.f.header
            columns.append({"header": fd.label(self.lang), "header_format": header})
            ws.set_column(i, i, fd.width, self.f.cell_for(fd))
        for j, e in enumerate(extra, start=len(fields)):
            columns.append({"header": e.label, "header_format": self.f.header})
            ws.set_column(j, j, e.width, self.f.locked_text)
        ws.add_table(
            header_row,
            0,
            last,
            len(columns) - 1,
            {"name": name, "columns": columns, "style": "Table Style Light 9", "autofilter": True},
        )

    def _cell(self, ws: Worksheet, row: int, col: int, value: Any) -> None:
        if isinstance(value, datetime):
            ws.write_datetime(row, col, value, self.f.datetime)
        elif isinstance(value, date):
            ws.write_datetime(row, col, datetime(value.year, value.month, value.day), self.f.date)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value)
        elif isinstance(value, int | float):
            ws.write_number(row, col, value)
        else:
            # User text is always text: "=1+1" stays a string, never a formula or a link.
            ws.write_string(row, col, str(value))

    # ------------------------------------------------------------ validations
    def _validations(
        self, ws: Worksheet, fields: Sequence[Field], first: int, last: int, col: dict[str, int]
    ) -> None:
        for fd in fields:
            if fd.type == "lead_id":
                ws.data_validation(first, 0, last, 0, self._input(fd, {"validate": "any"}))
                continue
            c = col[fd.key]
            letter = xl_col_to_name(c)
            options = self._rule(fd, letter, first + 1, col)
            options.setdefault("ignore_blank", True)
            ws.data_validation(first, c, last, c, self._input(fd, options))

    def _input(self, fd: Field, options: dict[str, Any]) -> dict[str, Any]:
        options["input_title"] = fd.label(self.lang)[:32]
        options["input_message"] = fd.help(self.lang)[:255]
        return options

    def _rule(self, fd: Field, letter: str, row: int, col: dict[str, int]) -> dict[str, Any]:
        v = self.t["validation"]
        label = fd.label(self.lang)
        stop = {"error_type": "stop"}
        if fd.type == "list" and fd.list in CASCADES and fd.parent in col:
            parent = self.cat.field(fd.parent)
            parent_cell = f"${xl_col_to_name(col[fd.parent])}{row}"
            message = v["cascade_message"].format(label=label, parent=parent.label(self.lang))
            return {
                "validate": "list",
                "source": cascade_source(fd.list, parent_cell),
                "error_title": v["list_title"],
                "error_message": message[:255],
                **stop,
            }
        if fd.type == "list" and fd.list == "lead_ids":
            return {"validate": "list", "source": "=LEAD_IDS", **stop}
        if fd.type == "list" and self.lists.has(list_name(fd.list or "")):
            values = "、".join(self.cfg.values(fd.list or ""))
            message = v["list_message"].format(label=label, values=values)
            if len(message) > 255:
                message = message[:254] + "…"
            return {
                "validate": "list",
                "source": f"={list_name(fd.list or '')}",
                "error_title": v["list_title"],
                "error_message": message,
                **stop,
            }
        if fd.is_time:
            message = v["datetime_message" if fd.type == "datetime" else "date_message"]
            return {
                "validate": "date",
                "criteria": "between",
                "minimum": date(1990, 1, 1),
                "maximum": date(2099, 12, 31),
                "error_title": v["datetime_title"],
                "error_message": message.format(label=label),
                **stop,
            }
        cell = f"{letter}{row}"
        if fd.type == "phone":
            formula = (
                f'=AND(LEFT({cell},1)="0",ISNUMBER(FIND("-",{cell})),'
                f"LEN({cell})>=11,LEN({cell})<=20)"
            )
            return {
                "validate": "custom",
                "value": formula,
                "error_title": v["phone_title"],
                "error_message": v["phone_message"],
                **stop,
            }
        if fd.type == "masked_name":
            return {
                "validate": "custom",
                "value": f'=LEFT({cell},1)="*"',
                "error_title": v["name_title"],
                "error_message": v["name_message"],
                **stop,
            }
        return {"validate": "any"}

    # ---------------------------------------------------- conditional formats
    def _conditional_formats(
        self, ws: Worksheet, col: dict[str, int], last: int, ncols: int
    ) -> None:
        cfg, f = self.cfg, self.f
        r = FIRST_DATA_ROW + 1
        status = f"${xl_col_to_name(col['status'])}{r}"
        level = f"${xl_col_to_name(col['potential'])}{r}"
        created = f"${xl_col_to_name(col['created_at'])}{r}"
        contact = f"${xl_col_to_name(col['last_contact_at'])}{r}"
        closed = ",".join(f'{status}="{s}"' for s in cfg.status_groups.get("closed", ()))
        not_closed = f"NOT(OR({closed}))" if closed else "TRUE"
        rules: list[tuple[str, str]] = []
        for name, key in (("green", "won"), ("grey", "lost"), ("grey", "invalid")):
            group = cfg.status_groups.get(key, ())
            if group:
                rules.append((name, "=OR(" + ",".join(f'{status}="{s}"' for s in group) + ")"))
        for lv, hours in cfg.sla_hours.items():
            rules.append(
                (
                    "red",
                    f'=AND({level}="{lv}",ISNUMBER({created}),{contact}="",{not_closed},'
                    f"NOW()-{created}>{_num(hours)}/24)",
                )
            )
        rules.append(
            (
                "amber",
                f"=AND(ISNUMBER({created}),{not_closed},"
                f"NOW()-MAX({created},N({contact}))>{cfg.dormancy_days})",
            )
        )
        area = (FIRST_DATA_ROW, 0, last, ncols - 1)
        for colour, formula in rules:
            ws.conditional_format(
                *area,
                {
                    "type": "formula",
                    "criteria": formula,
                    "format": f.cf[colour],
                    "stop_if_true": colour in ("green", "grey"),
                },
            )

    # ------------------------------------------------------------- the guide
    def _guide(self, ws: Worksheet) -> None:
        g, f = self.t["guide"], self.f
        widths = [14, 18, 18, 10, 40, 60, 26]
        for i, w in enumerate(widths):
            ws.set_column(i, i, w, f.wrap)
        row = 0
        for title, fields in ((None, self.cat.register), (g["log_title"], self.cat.log)):
            if title:
                row += 1
                ws.write_string(row, 0, title, f.subtitle)
                row += 1
            for i, header in enumerate(g["headers"]):
                ws.write_string(row, i, header, f.header)
            row += 1
            for fd in fields:
                values = [
                    self.cat.group(fd.group).label(self.lang),
                    fd.label(self.lang),
                    fd.key,
                    g["required"] if fd.required else g["optional"],
                    self._rule_text(fd),
                    fd.help(self.lang),
                    fd.example,
                ]
                for i, value in enumerate(values):
                    ws.write_string(row, i, value, f.wrap)
                row += 1
        ws.freeze_panes(1, 0)
        ws.protect("", SHEET_PROTECTION)

    def _rule_text(self, fd: Field) -> str:
        g = self.t["guide"]
        rules = g["rules"]
        if fd.type == "list" and fd.parent:
            parent = self.cat.sheet_fields("register")
            parent_label = next((p.label(self.lang) for p in parent if p.key == fd.parent), "")
            text = rules["cascade"].format(parent=parent_label)
        elif fd.type == "list":
            values = self._values_preview(fd.list or "")
            text = rules["list"].format(values=values) if values else rules["text"]
        else:
            text = rules.get(fd.type, rules["text"])
        if fd.key in ("office_phone", "im_account"):
            text += ";" + g["one_of_contact"]
        if fd.sensitive:
            text += ";" + g["sensitive"]
        return text

    def _values_preview(self, list_key: str) -> str:
        if list_key == "lead_ids":
            return sheet_name("register", self.lang)
        values = self.cfg.values(list_key)
        shown = "、".join(values[:12])
        return shown + ("…" if len(values) > 12 else "")


class _Formats:
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
        self.text = wb.add_format({**base, "locked": False, "num_format": "@"})
        self.datetime = wb.add_format({**base, "locked": False, "num_format": DATETIME_FORMAT})
        self.date = wb.add_format({**base, "locked": False, "num_format": DATE_FORMAT})
        self.swatch = {k: wb.add_format({"bg_color": bg}) for k, (bg, _) in COLOURS.items()}
        self.cf = {
            k: wb.add_format({"bg_color": bg, "font_color": fg}) for k, (bg, fg) in COLOURS.items()
        }
        self._bands: dict[str, Any] = {}

    def band(self, fill: str):
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

    def cell_for(self, fd: Field):
        if fd.type == "lead_id":
            return self.locked_id
        if fd.type == "datetime":
            return self.datetime
        if fd.type == "date":
            return self.date
        return self.text


def _quote(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def iter_fields(catalog: Catalog, sheet: str) -> Iterable[Field]:
    return catalog.sheet_fields(sheet)
