"""Generate ``schemas/regions.csv`` from python-stdnum's GB/T 2260 table.

Source
------
``stdnum/cn/loc.dat`` shipped with python-stdnum (the version installed in the
project venv; see ``schemas/SOURCES.md``).  That file is compiled by the
stdnum maintainers from the Chinese Wikipedia pages
"中华人民共和国行政区划代码 (1区 .. 8区)", which track GB/T 2260 (中华人民共和国
行政区划代码) including historical codes.

Format of loc.dat: a line ``11 province="北京市"`` starts a province; indented
lines ``  0100 county="..."`` give the remaining four code digits.  A name may
be a comma-separated history such as ``[1987-1997]枝城市,[1998-]宜都市`` or
``[-1994]沙市市``.  A division is *current* when the LAST segment has no end
year (``[1998-]name`` or a bare ``name``); its current name is that segment's
name.

Output
------
CSV with header ``province_code,province,city_code,city``; one row per
(province-level division, prefecture-level city) pair, in code order; codes
are 6-digit strings.  Only current divisions are emitted.

Rules
-----
* Prefecture level: suffix ``XX00`` with ``XX != "00"``.  Containers named
  ``市辖区``, ``县`` and ``省直辖县级行政区划`` / ``省直辖县级行政单位`` /
  ``自治区直辖县级行政区划`` style names are skipped, as is anything not current.
* County-level units directly under a province (suffix ``90ZZ``, e.g. 湖北省
  仙桃市/潜江市/天门市/神农架林区, 海南省 五指山市 and the Hainan
  province-administered counties, 河南省 济源市, 新疆 石河子市 ...) are
  included as cities with their own 6-digit code, when current.
* Municipalities 北京市, 天津市, 上海市, 重庆市: first a row whose city is the
  municipality itself (city_code = province code + ``0000``), then one row per
  current district/county under ``01xx`` and ``02xx``.
* 台湾省 (71), 香港 (81), 澳门 (82): one row each whose city equals the
  province name; 81/82 use the simplified official names 香港特别行政区 and
  澳门特别行政区 (stdnum spells the province lines in traditional characters).
* ``CORRECTIONS`` below lists the few entries where loc.dat itself marks an
  abolished code as current; they are treated as not current.

Run from the repository root::

    .venv/bin/python tools/gen_regions.py > schemas/regions.csv

The output is deterministic (stdlib + stdnum only, no dates embedded).
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Iterator

import stdnum

MUNICIPALITIES = {"11", "12", "31", "50"}
SINGLE_ROW = {
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}
CONTAINER_NAMES = {"市辖区", "县"}
CONTAINER_RE = re.compile(r"^(省|自治区)直辖县级行政(区划|单位)$")

# Full 6-digit codes that loc.dat lists without an end year although the
# division no longer exists.  If loc.dat later shows a *different* current
# name for one of these codes the generator stops, so a reused code is not
# silently dropped; if upstream fixes the entry the correction is a no-op.
CORRECTIONS = {
    # 随州市 was a province-administered county-level city until 2000, when
    # it became the prefecture-level city 421300; loc.dat still shows 429001
    # as a bare (current) name, which would list 随州市 twice under 湖北省.
    "429001": "随州市",
    # 422900 "林区" is a leftover of the 1980s numbering of 神农架林区, which
    # has been the province-administered 429021 for decades; loc.dat lists it
    # as a bare (current) name, which would add a bogus city "林区".
    "422900": "林区",
}

SEGMENT_RE = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")
PROVINCE_RE = re.compile(r'^(\d{2}) province="([^"]*)"$')
COUNTY_RE = re.compile(r'^\s+(\d{4}) county="([^"]*)"$')


def current_name(history: str) -> str | None:
    """Return the current name of a division, or None if it was abolished."""
    last = history.split(",")[-1].strip()
    match = SEGMENT_RE.match(last)
    if not match:
        raise ValueError(f"unparsable name: {history!r}")
    _start, end, name = match.groups()
    if end:
        return None
    return name.strip()


def is_container(name: str) -> bool:
    return name in CONTAINER_NAMES or bool(CONTAINER_RE.match(name))


def read_loc(path: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Parse loc.dat into {province_prefix: (province_name, {suffix: history})}."""
    provinces: dict[str, tuple[str, dict[str, str]]] = {}
    current: dict[str, str] | None = None
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            m = PROVINCE_RE.match(line)
            if m:
                current = {}
                provinces[m.group(1)] = (m.group(2), current)
                continue
            m = COUNTY_RE.match(line)
            if m and current is not None:
                current[m.group(1)] = m.group(2)
                continue
            raise ValueError(f"unexpected line in {path}: {line!r}")
    return provinces


def rows(provinces: dict[str, tuple[str, dict[str, str]]]) -> Iterator[list[str]]:
    for code, expected in CORRECTIONS.items():
        history = provinces.get(code[:2], ("", {}))[1].get(code[2:])
        name = current_name(history) if history else None
        if name is not None and name != expected:
            # The code now carries a different current name: a real new
            # division may have reused it, so the correction must be reviewed.
            raise SystemExit(f"correction for {code} no longer matches loc.dat: {history!r}")

    for prefix in sorted(provinces):
        _raw_name, divisions = provinces[prefix]
        province_code = prefix + "0000"
        if prefix in SINGLE_ROW:
            name = SINGLE_ROW[prefix]
            yield [province_code, name, province_code, name]
            continue
        own = divisions.get("0000")
        province = current_name(own) if own else None
        if not province:
            raise SystemExit(f"province {prefix} has no current 0000 entry")

        if prefix in MUNICIPALITIES:
            yield [province_code, province, province_code, province]
            for suffix in sorted(divisions):
                if suffix[:2] not in ("01", "02") or suffix[2:] == "00":
                    continue
                name = current_name(divisions[suffix])
                if name and prefix + suffix not in CORRECTIONS:
                    yield [province_code, province, prefix + suffix, name]
            continue

        for suffix in sorted(divisions):
            full = prefix + suffix
            if full in CORRECTIONS:
                continue
            if suffix[:2] == "00":
                continue
            if suffix[2:] == "00":
                pass  # prefecture-level division
            elif suffix[:2] == "90":
                pass  # county-level unit directly under the province
            else:
                continue
            name = current_name(divisions[suffix])
            if not name or is_container(name):
                continue
            yield [province_code, province, full, name]


def main() -> None:
    path = os.path.join(os.path.dirname(stdnum.__file__), "cn", "loc.dat")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["province_code", "province", "city_code", "city"])
    for row in rows(read_loc(path)):
        writer.writerow(row)


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[attr-defined]
    main()
