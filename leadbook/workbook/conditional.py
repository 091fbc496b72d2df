"""The register's conditional formats: a lead's row coloured by its state (R-K3, R-S5.2).

Green for won, grey for lost or invalid (both stop the rules below them); red when a lead of
a potential level is past its SLA hours without a first contact; amber when an open lead has
had no contact for the config's dormancy days. The rules read the status, potential,
created and last-contact columns of the row.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from leadbook.core.config import TeamConfig
from leadbook.workbook.book import Book, num
from leadbook.workbook.spec import FIRST_DATA_ROW


def add_conditional_formats(
    book: Book, ws: Worksheet, col: dict[str, int], last: int, ncols: int
) -> None:
    """Colour the register's rows from the first lead to ``last``, over ``ncols`` columns."""
    area = (FIRST_DATA_ROW, 0, last, ncols - 1)
    for colour, formula in rules(book.cfg, col):
        ws.conditional_format(
            *area,
            {
                "type": "formula",
                "criteria": formula,
                "format": book.f.cf[colour],
                "stop_if_true": colour in ("green", "grey"),
            },
        )


def rules(cfg: TeamConfig, col: dict[str, int]) -> list[tuple[str, str]]:
    """(colour, formula) in the order Excel applies them, relative to the first lead's row."""
    r = FIRST_DATA_ROW + 1
    status = f"${xl_col_to_name(col['status'])}{r}"
    level = f"${xl_col_to_name(col['potential'])}{r}"
    created = f"${xl_col_to_name(col['created_at'])}{r}"
    contact = f"${xl_col_to_name(col['last_contact_at'])}{r}"
    closed = ",".join(f'{status}="{s}"' for s in cfg.status_groups.get("closed", ()))
    not_closed = f"NOT(OR({closed}))" if closed else "TRUE"
    found: list[tuple[str, str]] = []
    for name, key in (("green", "won"), ("grey", "lost"), ("grey", "invalid")):
        group = cfg.status_groups.get(key, ())
        if group:
            found.append((name, "=OR(" + ",".join(f'{status}="{s}"' for s in group) + ")"))
    for lv, hours in cfg.sla_hours.items():
        found.append(
            (
                "red",
                f'=AND({level}="{lv}",ISNUMBER({created}),{contact}="",{not_closed},'
                f"NOW()-{created}>{num(hours)}/24)",
            )
        )
    found.append(
        (
            "amber",
            f"=AND(ISNUMBER({created}),{not_closed},"
            f"NOW()-MAX({created},N({contact}))>{cfg.dormancy_days})",
        )
    )
    return found
