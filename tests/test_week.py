"""The team's week end to end, as `make demo` runs it (issue 13's "done when"), through the
command line on the example team (examples/team.toml: *张 ZH, *李 LI, *王 WA, *赵 ZO):

three reps hand in (``sample --config``), ``validate`` and ``merge`` name the fourth, the
master is merged with history, a trade-fair list is assigned (an existing customer of *李
written differently goes to *李), merged ``--into`` the master, split back to the reps and
merged again, and the report of 1 December covers November with its trend and to-do.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from leadbook.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TEAM = ROOT / "examples" / "team.toml"
LAST, AS_OF = "2026-11-27 18:00", "2026-12-01 09:00"


def leadbook(*args, code: int | tuple[int, ...] = 0) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    codes = code if isinstance(code, tuple) else (code,)
    assert result.exit_code in codes, result.output
    return result.stdout  # notes (skipped files, history read) go to stderr


def register(path: Path) -> list[dict]:
    """The register's rows (header row 2) with a company, as values (IDs cached)."""
    ws = openpyxl.load_workbook(path, data_only=True, read_only=True).worksheets[1]
    rows = ws.iter_rows(min_row=2, values_only=True)
    header = list(next(rows))
    out = [dict(zip(header, r, strict=False)) for r in rows]
    ws.parent.close()
    return [r for r in out if r.get("公司名称")]


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def week(tmp_path_factory) -> dict:
    """Run the week once; every test below reads what it left."""
    d = tmp_path_factory.mktemp("week")
    w48, w49, back = d / "week48", d / "week49", d / "back"
    master = d / "master.xlsx"
    leadbook("sample", w48, "--config", TEAM, "--reps", 3, "--leads", 40, "--as-of", LAST)
    books = digest(w48)
    validated = leadbook("validate", w48, "--config", TEAM, "--as-of", LAST, "--format", "json",
                         code=(0, 1))  # fmt: skip
    merged = leadbook("merge", w48, "-o", master, "--history", master, "--config", TEAM,
                      "--as-of", LAST, "--format", "json")  # fmt: skip
    # a trade-fair list: an existing customer of *李 (full-width brackets, no 市), two new
    # leads in *李's territory (江苏省, 制造业), one in *张's (浙江省), one in nobody's
    li_company = register(w48 / "LI.xlsx")[0]["公司名称"]
    existing = li_company.replace("(", "（").replace(")", "）")
    fair = d / "expo.csv"
    with open(fair, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["公司名称", "来源渠道", "潜力等级", "所属行业", "行业大类", "省份", "城市",
                      "联系人", "职位", "办公电话"])  # fmt: skip
        out.writerows([
            [existing, "展会", "高潜力", "", "", "", "", "*周", "经理", ""],
            ["苏州明达精密机械有限公司", "展会", "高潜力", "制造业", "通用设备制造业", "江苏省",
             "苏州市", "*钱", "厂长", "0512-66003333"],
            ["南京康桥电子科技有限公司", "展会", "中潜力", "制造业", "汽车制造业", "江苏省",
             "南京市", "*吴", "经理", "025-55004444"],
            ["杭州云帆网络技术有限公司", "展会", "中潜力", "", "", "浙江省", "杭州市", "*孙",
             "技术总监", "0571-88002222"],
            ["成都蜀光电子有限公司", "展会", "中潜力", "", "", "四川省", "成都市", "*郑", "经理",
             "028-55005555"],
        ])  # fmt: skip
    assigned = leadbook("assign", fair, "--reps", w48, "-o", w49, "--into", master, "--config",
                        TEAM, "--as-of", AS_OF, "--format", "json")  # fmt: skip
    into = leadbook("merge", w49, "--into", master, "--config", TEAM, "--as-of", AS_OF,
                    "--format", "json")  # fmt: skip
    split = leadbook("split", master, "-o", back, "--config", TEAM)
    again = d / "again.xlsx"
    merged_back = leadbook("merge", back, "-o", again, "--config", TEAM, "--as-of", AS_OF,
                           "--format", "json")  # fmt: skip
    history = leadbook("history", master, "--format", "json")
    report = leadbook("report", master, "--config", TEAM, "--as-of", AS_OF, "--format", "json",
                      "--html", d / "report.html", "--xlsx", d / "summary.xlsx")  # fmt: skip
    return {
        "dir": d, "books": books, "validated": json.loads(validated),
        "merged": json.loads(merged), "assigned": json.loads(assigned), "into": json.loads(into),
        "split": split, "merged_back": json.loads(merged_back), "history": json.loads(history),
        "report": json.loads(report), "existing": existing, "li_company": li_company,
    }  # fmt: skip


def test_three_of_four_hand_in_with_team_unique_ids(week):
    assert sorted(week["books"]) == ["LI.xlsx", "WA.xlsx", "ZH.xlsx", "manifest.json"]
    assert week["validated"]["handin"]["missing_reps"] == ["*赵"]
    merged = week["merged"]
    assert merged["handin"]["missing_reps"] == ["*赵"]
    assert merged["renumbered"] == 0 and merged["master_rows"] == 120
    for code in ("ZH", "LI", "WA"):
        ids = [r["线索编号"] for r in register(week["dir"] / "week48" / f"{code}.xlsx")]
        assert ids and all(code in i[-6:] for i in ids if i), (code, ids[:3])


def test_the_list_is_assigned_by_the_rules(week):
    doc = week["assigned"]
    got = {a["row"]: (a["rep"], a["reason"]) for a in doc["assignments"]}
    assert got[2][0] == "*李"  # the existing customer, written differently, to its owner
    assert got[3][0] == got[4][0] == "*李"  # 江苏省, 制造业: *李's territory
    assert got[5][0] == "*张"  # 浙江省: *张's territory
    assert got[6][0] in {"*王", "*张", "*李"}  # nobody's territory: the least loaded
    ids = [a["lead_id"] for a in doc["assignments"]]
    assert all(i.startswith("EXPO20261201") for i in ids) and len(set(ids)) == 5
    assert [i[12:14] for i in ids[:3]] == ["LI", "LI", "LI"]
    assert digest(week["dir"] / "week48") == week["books"]  # the reps' workbooks untouched


def test_into_the_master_with_history_nothing_renumbered(week):
    into = week["into"]
    assert into["renumbered"] == 0 and into["master_rows"] == 125
    assert into["handin"]["missing_reps"] == ["*赵"]
    snaps = week["history"]["snapshots"]
    assert [(s["week"], s["leads"]) for s in snaps] == [("2026-W48", 120), ("2026-W49", 125)]


def test_split_back_and_merged_again_is_the_master(week):
    d = week["dir"]
    assert sorted(p.name for p in (d / "back").iterdir() if p.suffix == ".xlsx")[:3] == [
        "LI.xlsx",
        "WA.xlsx",
        "ZH.xlsx",
    ]
    assert week["merged_back"]["renumbered"] == 0
    assert week["merged_back"]["master_rows"] == 125
    master = {r["线索编号"]: r["公司名称"] for r in register(d / "master.xlsx")}
    again = {r["线索编号"]: r["公司名称"] for r in register(d / "again.xlsx")}
    assert again == master
    li_back = {r["公司名称"] for r in register(d / "back" / "LI.xlsx")}
    assert week["li_company"] in li_back


def test_the_report_of_1_december_is_november_with_trend_and_to_do(week):
    doc = week["report"]
    assert (doc["period_start"], doc["period_end"]) == ("2026-11-01", "2026-11-30")
    # the as-of cut: a lead the sample planted with a creation time in the future is left out
    created = [r["创建时间"] for r in register(week["dir"] / "master.xlsx")]
    later = sum(1 for t in created if isinstance(t, datetime) and t > datetime(2026, 12, 1, 9))
    assert later == 1 and doc["leads"] == 125 - later
    assert len(doc["trend"]) >= 2 and doc["trend"][-1]["period_start"] == "2026-11-01"
    assert doc["trend"][-1]["new_leads"] == doc["new_leads"]
    assert set(doc["due"]) <= {"*张", "*李", "*王"} and sum(doc["due"].values()) > 0
    html = (week["dir"] / "report.html").read_text(encoding="utf-8")
    assert 'id="trend"' in html and "2026年11月" in html


def test_the_terminal_names_each_reps_to_do_as_the_json_counts_it(week):
    text = leadbook("report", week["dir"] / "master.xlsx", "--config", TEAM, "--as-of", AS_OF)
    line = next(x for x in text.splitlines() if "未来 7 天到期的待办" in x)
    each = " · ".join(f"{rep} {n}" for rep, n in week["report"]["due"].items())
    assert line.endswith(each)


def test_the_master_with_the_workbooks_split_from_it_counts_each_lead_once(week):
    """back/ZH.xlsx holds a 撞单 lead of *王's file (split to its owner) and renumbered leads
    under the master's IDs: still covered by the master."""
    d = week["dir"]
    args = ["--config", TEAM, "--as-of", AS_OF, "--format", "json"]
    both = json.loads(leadbook("report", d / "master.xlsx", d / "back", d / "week48", *args))
    assert both["leads"] == week["report"]["leads"]
    assert both["new_leads"] == week["report"]["new_leads"]
