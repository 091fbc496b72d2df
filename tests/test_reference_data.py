"""Checks on the reference data in schemas/ (regions.csv, industries.csv)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
TOOLS = ROOT / "tools"


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(SCHEMAS / name, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _cities_by_province() -> dict[str, list[str]]:
    _, rows = _read("regions.csv")
    by_province: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_province[row["province"]].append(row["city"])
    return by_province


# --- regions.csv -----------------------------------------------------------


def test_regions_header() -> None:
    header, _ = _read("regions.csv")
    assert header == ["province_code", "province", "city_code", "city"]


def test_regions_has_34_provinces_each_with_cities() -> None:
    _, rows = _read("regions.csv")
    provinces = {(r["province_code"], r["province"]) for r in rows}
    assert len(provinces) == 34
    assert len({code for code, _ in provinces}) == 34
    assert len({name for _, name in provinces}) == 34
    by_province = _cities_by_province()
    assert all(len(cities) >= 1 for cities in by_province.values())


def test_regions_codes_are_six_digits() -> None:
    _, rows = _read("regions.csv")
    six = re.compile(r"^\d{6}$")
    for row in rows:
        assert six.match(row["province_code"]), row
        assert six.match(row["city_code"]), row
        assert row["province_code"].endswith("0000"), row
        assert row["city_code"][:2] == row["province_code"][:2], row
    assert len({r["city_code"] for r in rows}) == len(rows)


def test_regions_known_entries() -> None:
    by_province = _cities_by_province()
    assert "深圳市" in by_province["广东省"]
    assert "东莞市" in by_province["广东省"]
    assert "浦东新区" in by_province["上海市"]
    assert "上海市" in by_province["上海市"]
    assert "北京市" in by_province["北京市"]
    assert "仙桃市" in by_province["湖北省"]
    assert "三沙市" in by_province["海南省"]
    assert by_province["香港特别行政区"] == ["香港特别行政区"]
    assert by_province["澳门特别行政区"] == ["澳门特别行政区"]
    assert by_province["台湾省"] == ["台湾省"]


def test_regions_excludes_abolished_names() -> None:
    _, rows = _read("regions.csv")
    cities = {r["city"] for r in rows}
    for abolished in ("沙市市", "巢湖市", "襄樊市", "莱芜市", "崇明县", "市辖区", "县"):
        assert abolished not in cities


def test_regions_no_duplicate_city_within_province() -> None:
    for province, cities in _cities_by_province().items():
        dupes = [name for name, n in Counter(cities).items() if n > 1]
        assert not dupes, (province, dupes)


def test_regions_in_code_order() -> None:
    _, rows = _read("regions.csv")
    keys = [(r["province_code"], r["city_code"]) for r in rows]
    assert keys == sorted(keys)


def test_gen_regions_reproduces_csv() -> None:
    script = TOOLS / "gen_regions.py"
    if not script.exists():
        return
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    import stdnum

    assert result.stdout == (SCHEMAS / "regions.csv").read_bytes(), (
        f"tools/gen_regions.py output differs from schemas/regions.csv with "
        f"python-stdnum {stdnum.__version__}; see schemas/SOURCES.md"
    )


# --- industries.csv --------------------------------------------------------


def test_industries_header() -> None:
    header, _ = _read("industries.csv")
    assert header == ["section_code", "section", "division_code", "division"]


def test_industries_sections_a_to_t_in_order() -> None:
    _, rows = _read("industries.csv")
    seen: list[str] = []
    for row in rows:
        if not seen or seen[-1] != row["section_code"]:
            seen.append(row["section_code"])
    assert seen == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    names = {r["section_code"]: r["section"] for r in rows}
    assert len(set(names.values())) == 20


def test_industries_97_divisions_once_each() -> None:
    _, rows = _read("industries.csv")
    assert len(rows) == 97
    assert [r["division_code"] for r in rows] == [f"{n:02d}" for n in range(1, 98)]
    assert len({r["division"] for r in rows}) == 97


def test_industries_section_c_has_divisions_13_to_43() -> None:
    _, rows = _read("industries.csv")
    c = [r["division_code"] for r in rows if r["section_code"] == "C"]
    assert c == [str(n) for n in range(13, 44)]


def test_industries_known_entries() -> None:
    _, rows = _read("industries.csv")
    table = {r["division_code"]: (r["section_code"], r["section"], r["division"]) for r in rows}
    assert table["05"] == ("A", "农、林、牧、渔业", "农、林、牧、渔专业及辅助性活动")
    assert table["36"] == ("C", "制造业", "汽车制造业")
    assert table["65"] == ("I", "信息传输、软件和信息技术服务业", "软件和信息技术服务业")
    assert table["91"] == ("S", "公共管理、社会保障和社会组织", "中国共产党机关")
    assert table["97"] == ("T", "国际组织", "国际组织")


def test_gen_industries_reproduces_csv() -> None:
    script = TOOLS / "gen_industries.py"
    if not script.exists():
        return
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, check=False
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert result.stdout == (SCHEMAS / "industries.csv").read_bytes()
