"""The sample says something (issue 12, point 8): the reps differ (activity, conversion, one
or two who rarely log contacts), leads come in evenly over the year with a weekly rhythm, some
open leads are about to turn dormant, some next actions fall due in the coming week; and all of
it is the same for the same seed and --as-of.

The team is the demo's: 12 reps, 150 leads on average, seed 7, as of Tuesday 1 December 2026,
09:00 (the Makefile's AS_OF).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import mean, median

import polars as pl
import pytest

from leadbook.core.config import load_config
from leadbook.sample.make import generate, make_sample, manifest_json

AS_OF = datetime(2026, 12, 1, 9, 0)  # a Tuesday morning
TEAM = {"reps": 12, "leads": 150, "seed": 7, "as_of": AS_OF}
CFG = load_config()
CLOSED = set(CFG.status_groups["closed"])
WON = set(CFG.status_groups["won"])


@pytest.fixture(scope="module")
def team():
    return generate(**TEAM)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("team") / "reps"
    return make_sample(out, **TEAM)


def _entries_per_lead(book) -> float:
    return len(book.log) / len(book.register)


def _sla_met(book) -> float:
    """The share of the book's high / mid leads first contacted within their SLA hours (a lead
    never contacted past its deadline counts as not met)."""
    firsts: dict[str, datetime] = {}
    for entry in book.log:
        firsts.setdefault(entry["lead_id"], entry["contact_at"])  # the log is sorted by time
    met = due = 0
    for r in book.register:
        hours = CFG.sla_hours.get(r["potential"])
        if hours is None or r["created_at"] + timedelta(hours=hours) > AS_OF:
            continue
        due += 1
        first = firsts.get(r["lead_id"])
        met += first is not None and first <= r["created_at"] + timedelta(hours=hours)
    return met / due


# ------------------------------------------------------------------------------ the reps
def test_reps_differ_in_activity_and_the_mean_is_leads(team):
    sizes = [len(b.register) for b in team.books]
    assert sum(sizes) == 12 * 150  # --leads is the mean
    assert min(sizes) < 0.7 * 150 and max(sizes) > 1.3 * 150, sizes
    assert len(set(sizes)) >= 10


def test_conversion_spreads_from_about_5_to_30_percent(team):
    conversion = [sum(r["status"] in WON for r in b.register) / len(b.register) for b in team.books]
    assert min(conversion) < 0.10 and max(conversion) > 0.25, conversion
    assert all(0.03 <= c <= 0.32 for c in conversion), conversion


def test_one_or_two_reps_rarely_log_contacts(team):
    per_lead = [_entries_per_lead(b) for b in team.books]
    careless = [i for i, x in enumerate(per_lead) if x < median(per_lead) / 3]
    assert 1 <= len(careless) <= 2, per_lead
    # their first contacts are the latest: the lowest shares within the SLA
    met = [_sla_met(b) for b in team.books]
    assert sorted(range(12), key=met.__getitem__)[: len(careless)] == sorted(
        careless, key=met.__getitem__
    ), met
    careful = [m for i, m in enumerate(met) if i not in careless]
    assert max(met[i] for i in careless) < 0.5 < 0.7 < min(careful), met


def test_a_small_team_has_one_careless_rep_and_a_single_rep_none():
    three = generate(reps=3, leads=60, seed=7, as_of=AS_OF)
    per_lead = sorted(_entries_per_lead(b) for b in three.books)
    assert per_lead[0] < per_lead[1] / 2 and per_lead[1] > 3, per_lead
    alone = generate(reps=1, leads=60, seed=7, as_of=AS_OF)
    assert _entries_per_lead(alone.books[0]) > 3
    assert [len(b.register) for b in generate(reps=12, leads=1, seed=7, as_of=AS_OF).books] == [
        1
    ] * 12


# ------------------------------------------------------------------------------ time
def _per_day(team) -> Counter:
    return Counter(r["created_at"].date() for b in team.books for r in b.register)


def test_leads_come_in_evenly_with_fewer_at_weekends(team):
    per_day = _per_day(team)
    days = [AS_OF.date() - timedelta(days=d) for d in range(1, 365)]  # whole days before as_of
    weekdays = mean(per_day[d] for d in days if d.weekday() < 5)
    weekends = mean(per_day[d] for d in days if d.weekday() >= 5)
    assert weekends < weekdays / 2, (weekdays, weekends)
    assert 0.15 < weekends / weekdays < 0.4  # a weekend day brings about a quarter
    assert min(per_day) >= AS_OF.date() - timedelta(days=365)
    # even over the year: every quarter of it holds a quarter of the leads, give or take
    quarters = Counter((AS_OF.date() - d).days * 4 // 365 for d in per_day.elements())
    assert all(0.2 < quarters[q] / 1800 < 0.3 for q in range(4)), quarters


def test_no_pile_of_leads_on_the_as_of_day(team):
    per_day = _per_day(team)
    mean_day = 1800 / 365
    assert per_day[AS_OF.date()] <= 3 * mean_day
    assert max(per_day.values()) < 5 * mean_day  # no other pile either
    # later in the day: the day's share of its office hours, not a pile either
    evening = generate(**TEAM | {"as_of": datetime(2026, 11, 30, 18, 0)})
    assert 0 < _per_day(evening)[date(2026, 11, 30)] <= 3 * mean_day
    assert all(r["created_at"] < AS_OF for b in team.books for r in b.register)


def test_leads_come_in_during_office_hours_mostly(team):
    hours = Counter(r["created_at"].hour for b in team.books for r in b.register)
    assert sum(hours[h] for h in range(9, 18)) / 1800 > 0.75, hours
    assert sum(hours[h] for h in range(0, 7)) > 0  # web forms at night


# ------------------------------------------------------------------------------ what is due
def _open(team):
    return [r for b in team.books for r in b.register if r["status"] not in CLOSED]


def _idle(r) -> int:
    return (AS_OF - max(t for t in (r["created_at"], r["last_contact_at"]) if t)).days


def test_some_open_leads_are_about_to_turn_dormant(team):
    idle = [_idle(r) for r in _open(team)]
    assert sum(60 <= d <= 90 for d in idle) > 20
    assert sum(90 - 14 < d <= 90 for d in idle) > 10  # 即将休眠: the report's 14 days
    assert sum(d > 90 for d in idle) > 20  # and some overdue already (dormant-overdue)


def test_some_next_actions_fall_due_in_the_coming_week(team):
    today = AS_OF.date()
    due = [r["next_due"] for r in _open(team) if isinstance(r["next_due"], date)]
    coming = [d for d in due if today <= d < today + timedelta(days=7)]
    assert len(coming) > 50, len(coming)
    assert sum(d < today for d in due) > 50  # and overdue ones


# ------------------------------------------------------------------------------ the same
def test_same_seed_and_as_of_give_byte_identical_files(tmp_path):
    small = {"reps": 3, "leads": 20, "seed": 7, "as_of": AS_OF}
    first, second = make_sample(tmp_path / "a", **small), make_sample(tmp_path / "b", **small)
    for a, b in zip([*first.paths, first.manifest], [*second.paths, second.manifest], strict=True):
        assert a.name == b.name and a.read_bytes() == b.read_bytes(), a.name
    assert generate(**TEAM).books == generate(**TEAM).books
    assert manifest_json(generate(**TEAM), TEAM) == manifest_json(generate(**TEAM), TEAM)
    later = generate(**TEAM | {"as_of": AS_OF + timedelta(days=7)})
    assert later.books[0].register != generate(**TEAM).books[0].register


# ------------------------------------------------------------------------------ the report
def test_the_report_metrics_show_different_reps_and_dormant_soon(written):
    from leadbook.metrics import compute
    from leadbook.metrics.activity import sla_outcomes
    from leadbook.metrics.facts import prepare
    from leadbook.metrics.tables import REP, load_tables

    config = load_config()
    folder = Path(written.manifest).parent
    tables = load_tables([folder], config=config, as_of=AS_OF)
    assert tables.leads == 1800
    metrics = compute(tables, period="month", as_of=AS_OF, config=config, terms=False)
    assert metrics.headline["dormant_soon"] > 10
    assert metrics.headline["dormant_overdue"] > 20
    reps = metrics.reps
    assert reps.height == 12
    assert reps["leads"].min() < 0.7 * 150 < 1.3 * 150 < reps["leads"].max()
    assert reps["conversion"].min() < 0.10 and reps["conversion"].max() > 0.25
    assert reps["conversion"].n_unique() >= 10
    # the careless reps: the fewest log entries per lead and the worst first-contact share
    facts = prepare(tables, config, AS_OF)
    entries = facts.log.group_by(pl.col("owner").alias(REP)).agg(pl.len().alias("entries"))
    evaluated = pl.col("_sla").is_in(["met", "late", "missed"])
    sla = (
        sla_outcomes(facts)
        .group_by(REP)
        .agg(((pl.col("_sla") == "met").sum() / evaluated.sum()).alias("met"))
    )
    per_rep = (
        reps.join(entries, on=REP)
        .join(sla, on=REP)
        .with_columns((pl.col("entries") / pl.col("leads")).alias("per_lead"))
    )
    few = per_rep.filter(pl.col("per_lead") < pl.col("per_lead").median() / 3)
    assert 1 <= few.height <= 2
    assert few["met"].max() < per_rep.filter(~pl.col(REP).is_in(few[REP]))["met"].min()


def test_demo_passes_a_fixed_as_of_to_every_step():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^AS_OF := 2026-12-01 09:00$", makefile, re.M)
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    steps = [
        line
        for line in demo.splitlines()
        if re.search(r"leadbook (sample|validate|merge|assign|report)", line)
    ]
    assert len(steps) == 8  # sample, validate x2, merge, assign, merge --into, report x2
    assert re.search(r"^LAST := 2026-11-27 18:00$", makefile, re.M)  # last week's hand-in
    assert all(re.search(r'--as-of "\$\((AS_OF|LAST)\)"', line) for line in steps), steps
