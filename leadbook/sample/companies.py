"""Companies: a new brand per customer, its industry (section, division) and place (province,
city) drawn with the sample's weights, and its name written in the ways people write it
(:func:`written`). :func:`stem` takes the suffix off a place name (广东省 -> 广东).
"""

from __future__ import annotations

import random

from leadbook.sample.weighted import Weighted
from leadbook.sample.words import (
    AREA_CODES,
    BRAND_CHARS,
    DEFAULT_WORDS,
    LEGAL_FORMS,
    PROVINCE_WEIGHTS,
    SECTION_WEIGHTS,
    SECTION_WORDS,
    SKIP_PROVINCES,
    SKIP_SECTIONS,
)


def stem(place: str) -> str:
    """广东省 -> 广东, 深圳市 -> 深圳, 广西壮族自治区 -> 广西."""
    for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if place.endswith(suffix):
            return place.removesuffix(suffix)
    return place


class Companies:
    """Draws companies from the reference regions and industries; no brand is drawn twice."""

    def __init__(
        self,
        rng: random.Random,
        regions: dict[str, tuple[str, ...]],
        industries: dict[str, tuple[str, ...]],
    ) -> None:
        self.rng, self.regions, self.industries = rng, regions, industries
        self.stems = {stem(p) for p in regions} | {stem(c) for cs in regions.values() for c in cs}
        provinces = [p for p in regions if p not in SKIP_PROVINCES]
        self.province = Weighted({p: PROVINCE_WEIGHTS.get(p, 1) for p in provinces})
        self.city = {  # the capital or municipality first, then cities with a known area code
            p: Weighted({c: 8 if c == p else 5 if c in AREA_CODES else 1 for c in regions[p]})
            for p in provinces
        }
        self.sections = [s for s in industries if s not in SKIP_SECTIONS]
        self.section = Weighted({s: SECTION_WEIGHTS.get(s, 1) for s in self.sections})
        self.division = {  # divisions with their own industry words first
            s: Weighted({d: 4 if d in SECTION_WORDS else 1 for d in industries[s]})
            for s in self.sections
        }
        self.legal_form = Weighted(LEGAL_FORMS)
        self.brands: set[str] = set()

    def brand(self) -> str:
        """A new 2-4 character brand that does not start with a place name."""
        while True:
            size = self.rng.choices((2, 3, 4), (6, 3, 1))[0]
            brand = "".join(self.rng.choice(BRAND_CHARS[i % 2]) for i in range(size))
            place = any(brand[:k] in self.stems for k in range(2, size + 1))
            if not place and brand not in self.brands and len(set(brand)) == size:
                self.brands.add(brand)
                return brand

    def company(self) -> dict[str, str]:
        """A new customer: brand, industry word, section, division, province, city, legal form."""
        rng = self.rng
        section = self.section(rng)
        division = self.division[section](rng)
        words = SECTION_WORDS.get(division) or SECTION_WORDS.get(section) or DEFAULT_WORDS
        province = self.province(rng)
        return {"brand": self.brand(), "word": rng.choice(words), "section": section,
                "division": division, "province": province, "city": self.city[province](rng),
                "legal": self.legal_form(rng)}  # fmt: skip


def written(co: dict[str, str], form: str) -> str:
    """The company name in one of the ways people write it."""
    province, city, legal = co["province"], co["city"], co["legal"]
    core = co["brand"] + co["word"]  # what a duplicate check keeps
    town = city if city.endswith("市") and province not in AREA_CODES else province
    place = stem(town)
    return {
        "town": f"{town}{core}{legal}", "bare": f"{core}{legal}", "stem": f"{place}{core}{legal}",
        "province": f"{stem(province)}{core}{legal}", "bracket": f"{core}({place}){legal}",
        "wide": f"{core}\uff08{place}\uff09{legal}", "joint": f"{core}股份有限公司",
        "space": f"{town} {core}{legal}", "china": f"{core}(中国){legal}",
        "group": f"{place}{core}集团有限公司",
    }[form]  # fmt: skip
