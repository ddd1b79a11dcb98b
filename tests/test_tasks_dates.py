"""The `dates` task: CLDR patterns rendered exactly as babel renders them, hand-checked spellings,
a round trip of every generated source through an independent parser written here (its own month
and weekday words; it enforces the task's two-digit-year and numbers-only-order rules and checks
weekdays), and the hold-out, determinism, uniqueness, balance and sizes of the generated splits."""
import datetime as dt
import random
import re
import time
import unicodedata

import pytest
from babel.dates import format_date

from core.tasks import dates, get_task
from core.text import normalize

D = dt.date(1979, 5, 3)  # a Thursday

# ------------------------------------------------------------------ an independent parser
# Words after folding: lower case, Turkish dotless i -> i, accents and umlauts dropped.
_MONTH_WORDS = {
    1: "january jan januar janvier janv ocak oca",
    2: "february feb februar fevrier fevr fev subat sub",
    3: "march mar marz maerz mrz mars mart",
    4: "april apr avril avr nisan nis",
    5: "may mai mayis",
    6: "june jun juni juin haziran haz",
    7: "july jul juli juillet juil temmuz tem",
    8: "august aug aout agustos agu",
    9: "september sep sept septembre eylul eyl",
    10: "october oct oktober okt octobre ekim eki",
    11: "november nov novembre kasim kas",
    12: "december dec dezember dez decembre aralik ara",
}
_WEEKDAY_WORDS = {  # Monday = 0
    0: "monday mon montag mo lundi lun pazartesi pzt",
    1: "tuesday tue tues dienstag di mardi mar sali sal",
    2: "wednesday wed mittwoch mi mercredi mer carsamba car",
    3: "thursday thu thur thurs donnerstag do jeudi jeu persembe per",
    4: "friday fri freitag fr vendredi ven cuma cum",
    5: "saturday sat samstag sa samedi sam cumartesi cmt",
    6: "sunday sun sonntag so dimanche dim pazar paz",
}
MONTHS = {w: m for m, words in _MONTH_WORDS.items() for w in words.split()}
WEEKDAYS = {w: i for i, words in _WEEKDAY_WORDS.items() for w in words.split()}
FILLER = {"the", "of", "le", "am", "den", "dem", "st", "nd", "rd", "th", "er"}


def fold(text: str) -> str:
    text = normalize(text, lowercase=True).replace("ı", "i")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def year_of(digits: str) -> int:
    if len(digits) == 4:
        return int(digits)
    assert len(digits) == 2, digits
    yy = int(digits)
    return 1900 + yy if yy >= 30 else 2000 + yy  # the task's rule, restated


def parse(src: str) -> tuple[dt.date, list[int]]:
    """(date, weekdays named in the source). Raises on anything that does not follow the rules."""
    s = fold(src)
    assert re.fullmatch(r"[a-z0-9 .,/'-]+", s), src
    words = re.findall(r"[a-z]+", s)
    nums = re.findall(r"\d+", s)
    month_words = [w for w in words if w in MONTHS]
    if len(nums) == 2:  # a month name: the numbers are the day and then the year
        assert month_words, src
        month = MONTHS[month_words[-1]]  # the last: a French weekday "mar." comes first
        rest = words[:]
        del rest[len(rest) - 1 - rest[::-1].index(month_words[-1])]
        assert all(w in WEEKDAYS or w in FILLER for w in rest), src
        day, year = int(nums[0]), year_of(nums[1])
        assert len(nums[0]) <= 2
    else:  # numbers only (maybe with a weekday)
        m = re.fullmatch(r"(?:([a-z]+)\.?,? )?(\d+)([./-])(\d+)\3(\d+)(?: ([a-z]+))?", s.strip())
        assert m, src
        rest = [w for w in (m.group(1), m.group(6)) if w]
        assert all(w in WEEKDAYS for w in rest) and len(rest) <= 1, src
        a, sep, b, c = m.group(2), m.group(3), m.group(4), m.group(5)
        if len(a) == 4:
            assert sep == "-", src
            year, month, day = int(a), int(b), int(c)
        else:
            day, month, year = int(a), int(b), year_of(c)
            if sep == "/" and month > 12:  # only American month/day/year can explain it
                day, month = month, day
    return dt.date(year, month, day), [WEEKDAYS[w] for w in rest if w in WEEKDAYS]


def check(src: str, target: str) -> None:
    got, weekdays = parse(src)
    assert got.isoformat() == target, (src, target, got)
    assert all(w == got.weekday() for w in weekdays), (src, target)


# ------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def timed_splits():
    started = time.perf_counter()
    splits = dates.build_splits(0)
    return splits, time.perf_counter() - started


@pytest.fixture(scope="module")
def splits(timed_splits):
    return timed_splits[0]


def all_pairs(splits):
    return [pair for pairs in splits.values() for pair in pairs]


# ---------------------------------------------------------------------------------- CLDR
@pytest.mark.parametrize("locale", ["en_US", "en_GB", "de", "fr", "tr"])
def test_cldr_patterns_render_as_babel_does(locale):
    patterns = dates.cldr_patterns(locale)
    assert len(patterns) >= 4
    rng = random.Random(locale)
    days = [D, dates.FIRST, dates.LAST] + [dt.date.fromordinal(rng.randint(dates.FIRST.toordinal(),
                                                                          dates.LAST.toordinal())) for _ in range(25)]
    for p in patterns:
        for d in days:
            assert p.render(d) == format_date(d, p.pattern, locale=locale), (locale, p.pattern, d)


def test_cldr_standard_lengths_are_used():
    for locale, full in [("en_US", "Thursday, May 3, 1979"), ("en_GB", "Thursday, 3 May 1979"),
                         ("de", "Donnerstag, 3. Mai 1979"), ("fr", "jeudi 3 mai 1979"),
                         ("tr", "3 Mayıs 1979 Perşembe")]:
        assert full in {p(D) for p in dates.cldr_patterns(locale)}
    # American numbers-only patterns only when the day cannot be a month; two-digit years only 1930-2029
    us_short = next(p for p in dates.cldr_patterns("en_US") if p.pattern == "M/d/yy")
    assert us_short(D) is None and us_short(dt.date(1979, 5, 13)) == "5/13/79"
    assert us_short(dt.date(1925, 5, 13)) is None and us_short(dt.date(2030, 5, 13)) is None
    de_short = next(p for p in dates.cldr_patterns("de") if p.pattern == "dd.MM.yy")
    assert de_short(D) == "03.05.79" and de_short(dt.date(1929, 5, 3)) is None


def test_turkish_names_are_spelled_correctly():
    months = "Ocak Şubat Mart Nisan Mayıs Haziran Temmuz Ağustos Eylül Ekim Kasım Aralık".split()
    assert [dates.spell(dt.date(2001, m, 1), "tr") for m in range(1, 13)] == [f"1 {n} 2001" for n in months]
    full = next(p for p in dates.cldr_patterns("tr") if p.pattern == "d MMMM y EEEE")
    days = "Pazartesi Salı Çarşamba Perşembe Cuma Cumartesi Pazar".split()  # 2001-01-01 was a Monday
    assert [full(dt.date(2001, 1, i)).split()[-1] for i in range(1, 8)] == days


# -------------------------------------------------------------------------- hand-checked
def test_canonical_spellings():
    assert dates.spell(D, "en") == "May 3, 1979"
    assert dates.spell(D, "de") == "3. Mai 1979"
    assert dates.spell(D, "fr") == "3 mai 1979"
    assert dates.spell(D, "tr") == "3 Mayıs 1979"
    assert dates.en_ordinal(1) == "1st" and dates.en_ordinal(12) == "12th" and dates.en_ordinal(23) == "23rd"
    with pytest.raises(ValueError):
        dates.spell(dt.date(1899, 12, 31), "en")


def variants(d: dt.date, lang: str, count: int = 300, seed: int = 0) -> list[str]:
    """Distinct sources for d in lang drawn from `count` draws."""
    rng = random.Random(f"dates-variants:{seed}:{d}:{lang}")
    return list(dict.fromkeys(dates.spell(d, lang, rng) for _ in range(count)))


def test_variants_of_one_date_in_every_language():
    v = {lang: variants(D, lang) for lang in dates.LANGS}
    assert any("Mayıs" in s for s in v["tr"]) and any("Perşembe" in s for s in v["tr"])
    assert "3 Mayıs 1979 Perşembe" in v["tr"] and "3.05.1979" in v["tr"]
    assert any("Mai" in s for s in v["de"]) and "Donnerstag, 3. Mai 1979" in v["de"] and "03.05.1979" in v["de"]
    assert any(s.startswith("am ") for s in v["de"])
    assert "3 mai 1979" in v["fr"] and "le 3 mai 1979" in v["fr"] and "jeudi 3 mai 1979" in v["fr"]
    assert "03/05/1979" in v["fr"]
    assert "May 3, 1979" in v["en"] and "3rd of May 1979" in v["en"] and "Thursday, 3 May 1979" in v["en"]
    assert any("the 3rd of May" in s for s in v["en"]) and any("May 3rd" in s for s in v["en"])
    assert "1979-05-03" in v["en"]
    assert "5/3/1979" not in v["en"] and "5/3/79" not in v["en"]  # American order only for days 13-31
    assert any(s.startswith("le 1er ") for s in variants(dt.date(1989, 7, 1), "fr"))
    assert "12/25/2015" in variants(dt.date(2015, 12, 25), "en", count=2000)
    for lang, forms in v.items():
        for s in forms:
            check(s, "1979-05-03")
    # no two-digit year outside 1930-2029
    assert all(re.search(r"\d{4}", s) for lang in dates.LANGS for s in variants(dt.date(1925, 5, 3), lang))


def test_examples_parse():
    assert 8 <= len(dates.EXAMPLES) <= 14
    for example in dates.EXAMPLES:
        assert len(example) <= dates.MAX_SOURCE_CHARS
        got, weekdays = parse(example)
        assert all(w == got.weekday() for w in weekdays), example
    assert parse("Samstag, 24. Dezember 2016")[0] == dt.date(2016, 12, 24)
    assert parse("12/25/2015")[0] == dt.date(2015, 12, 25)


def test_interface():
    assert get_task("dates") is dates
    assert set(dates.SOURCE) == {"data", "licence"} and "babel" in dates.SOURCE["data"]


# --------------------------------------------------------------------------------- splits
def test_build_is_fast_and_sizes_default(timed_splits):
    splits, seconds = timed_splits
    assert {k: len(v) for k, v in splits.items()} == dates.DEFAULT_SIZES
    assert seconds < 15


def test_sizes_and_determinism():
    sizes = {"train": 500, "valid": 50, "test": 70}
    a = dates.build_splits(3, sizes)
    assert {k: len(v) for k, v in a.items()} == sizes
    assert a == dates.build_splits(3, sizes)
    assert dates.build_splits(4, sizes) != a
    # a split's content does not depend on the other splits' sizes
    assert dates.build_splits(3, {"train": 10, "valid": 50, "test": 70})["test"] == a["test"]


def test_every_pair_round_trips_through_the_parser(splits):
    for src, target in all_pairs(splits):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", target)
        assert dates.FIRST <= dt.date.fromisoformat(target) <= dates.LAST
        assert 0 < len(src) <= dates.MAX_SOURCE_CHARS
        check(src, target)


def test_held_out_dates_never_in_train(splits):
    by_split = {k: {t for _, t in v} for k, v in splits.items()}
    assert not by_split["train"] & by_split["valid"]
    assert not by_split["train"] & by_split["test"]
    assert not by_split["valid"] & by_split["test"]
    held = dates.held_out(0)
    assert not held["valid"] & held["test"]
    for split in ("valid", "test"):
        assert {dt.date.fromisoformat(t) for t in by_split[split]} <= held[split]
    assert not {dt.date.fromisoformat(t) for t in by_split["train"]} & (held["valid"] | held["test"])
    total = (dates.LAST - dates.FIRST).days + 1
    assert total == 73_049
    assert abs(len(held["test"]) - 0.07 * total) <= 1 and abs(len(held["valid"]) - 0.03 * total) <= 1
    assert len(by_split["test"]) == 3000  # held-out splits cycle through distinct dates
    assert dates.held_out(1)["test"] != held["test"]


def test_no_source_has_two_targets(splits):
    seen = {}
    for src, target in all_pairs(splits):
        key = normalize(src, lowercase=True)
        assert seen.setdefault(key, target) == target, (src, seen[key], target)


def test_languages_balanced_and_numbers_a_minority(splits):
    train = splits["train"]
    markers = {  # words only one language uses
        "en": r"\b(?:january|february|april|june|july|august|october|december|monday|tuesday|wednesday|"
              r"thursday|friday|saturday|sunday|the|of|\d+(?:st|nd|rd|th))\b",
        "de": r"\b(?:januar|februar|märz|maerz|juni|juli|oktober|dezember|montag|dienstag|mittwoch|donnerstag|"
              r"freitag|samstag|sonntag|am|den|dem)\b|\d\. ",
        "fr": r"\b(?:janvier|février|fevrier|avril|juin|juillet|août|aout|octobre|décembre|decembre|lundi|"
              r"mardi|mercredi|jeudi|vendredi|samedi|dimanche|le|1er)\b",
        "tr": r"\b(?:ocak|şubat|subat|mart|nisan|mayıs|mayis|haziran|temmuz|ağustos|agustos|eylül|eylul|"
              r"ekim|kasım|kasim|aralık|aralik|pazartesi|salı|sali|çarşamba|carsamba|perşembe|persembe|"
              r"cuma|cumartesi|pazar)\b",
    }
    lowered = [normalize(s, lowercase=True) for s, _ in train]
    for lang, pattern in markers.items():
        share = sum(1 for s in lowered if re.search(pattern, s)) / len(train)
        assert 0.12 < share < 0.3, (lang, share)
    numeric = sum(1 for s in lowered if not re.search(r"[^\W\d_]", s)) / len(train)
    assert 0.08 < numeric < 0.2, numeric
    two_digit = sum(1 for s in lowered if not re.search(r"\d{4}", s)) / len(train)
    assert 0.005 < two_digit < 0.05, two_digit
    raw = [s for s, _ in train]
    assert any("MAYIS" in s or "NİSAN" in s for s in raw)  # Turkish upper case, the Turkish way
    assert any(s != s.strip() or "  " in s for s in raw)  # extra spaces
