"""`dates`: human-readable dates -> ISO 8601 `YYYY-MM-DD`, 1900-01-01 to 2099-12-31, in English (US
and British), German, French and Turkish ("the 3rd of May 1979", "Donnerstag, 3. Mai 1979",
"le 1er mai 1979", "3 Mayıs 1979 Perşembe", "12/25/2015" -> "1979-05-03" ...).

Two families of sources:

* CLDR: every date pattern babel 2.18.0 offers for en_US, en_GB, de, fr and tr that shows a day, a
  month and a year and nothing else but a weekday: the four standard lengths (short, medium, long,
  full) and the locale's available skeleton formats (yMd, yMEd, yMMMd, yMMMEd, yMMdd,
  yMMMEEEEd, yMMMMEEEEd). Month and weekday names are taken from babel once and the patterns are
  rendered here (babel's format_date is slow); tests/test_tasks_dates.py checks the rendering
  against babel.dates.format_date.
* Hand-written variants people type, in every language: letter case (as written, lower,
  Capitalised, Title, UPPER - Turkish upper case the Turkish way, "MAYIS", "NİSAN"), ordinals
  ("3rd of May 1979", "the 3rd of May, 1979", "May 3rd 1979", "le 1er mai 1979"), missing or extra
  commas, extra spaces, zero-padded days, abbreviated months with and without a dot ("Sep",
  "Sept.", "Okt.", "Eyl", "janv."), weekday prefixes and suffixes ("Thu, 3 May 1979",
  "Donnerstag, den 3. Mai 1979", "le jeudi 3 mai 1979", "Perşembe, 3 Mayıs 1979",
  "3 Mayıs 1979, Perşembe"), German "am 3. Mai 1979" and "3 Mai 1979" without the dot, French
  "le 3 mai 1979", names typed without accents or Turkish letters ("fevrier", "aout", "Maerz",
  "Agustos", "Persembe"), spreadsheet style "3-May-1979", and numbers-only dates.

The source must always determine the target, so two rules hold for every language:

* Two-digit years ("5/13/79", "03.05.79", "May 3 '79", "3-May-79") are used ONLY for dates in
  1930-2029 and mean 30-99 -> 1930-1999, 00-29 -> 2000-2029. Other dates always show four digits.
* Numbers-only dates: year first is ISO year-month-day ("1979-05-03"); year last is DAY first
  ("3.5.1979", "03/05/1979", "03-05-1979": German, Turkish, British, French), except slash dates
  whose middle number is greater than 12, which can only be American month/day/year
  ("12/25/2015", "5/13/79"). So American slash dates appear only for days 13-31; "5/3/1979" always
  means 5 March.

Balance: a language (en, de, fr, tr) uniformly; then a numbers-only format with probability 0.15
(NUMERIC_SHARE), otherwise a CLDR word pattern (CLDR_SHARE of the rest) or a hand-written variant;
within a family a format uniformly among those that apply to the date. Sources longer than 48
characters are dropped.

Hold-out: all 73,049 dates are shuffled once with random.Random(seed) and cut into test (7%),
valid (3%) and train (the rest); each split draws its dates only from its own set (cycling
through a shuffled order, so the held-out splits see as many distinct dates as possible). A date in
the validation or test split never occurs in the training split, in any language or format.
"""
from __future__ import annotations

import datetime as dt
import functools
import random
import re
from typing import Callable

from babel import Locale
from babel.dates import get_day_names, get_month_names, parse_pattern

from ..text import upper

SOURCE = {"data": "generated: dates 1900-2099 in English (US and British), German, French and Turkish from "
                  "babel's CLDR date patterns (babel 2.18.0: short/medium/long/full and the available "
                  "skeleton formats) and hand-written variants people type (core/tasks/dates.py)",
          "licence": "generated data; CLDR data via babel (Unicode licence / BSD)"}
EXAMPLES = ["3rd of May 1979", "Perşembe, 3 Mayıs 1979", "Samstag, 24. Dezember 2016", "le 14 juillet 1989",
            "12/25/2015", "Thursday, the 3rd of May 1979", "29 Ekim 1923", "am 9. Nov. 1989",
            "le 1er janvier 2000", "Sept. 11, 2001", "03.10.1990", "31 Aralık 1999 Cuma"]

LANGS = ("en", "de", "fr", "tr")
LOCALES = {"en": ("en_US", "en_GB"), "de": ("de",), "fr": ("fr",), "tr": ("tr",)}
FIRST, LAST = dt.date(1900, 1, 1), dt.date(2099, 12, 31)
TWO_DIGIT_YEARS = (1930, 2029)  # inclusive: the only dates ever written with a two-digit year
DEFAULT_SIZES = {"train": 80_000, "valid": 1000, "test": 3000}
HELD_OUT_FRACTION = {"test": 0.07, "valid": 0.03}
MAX_SOURCE_CHARS = 48
NUMERIC_SHARE = 0.15
CLDR_SHARE = 0.35  # of the word (non-numeric) formats

Formatter = Callable[[dt.date, random.Random], "str | None"]


def two_digit_ok(d: dt.date) -> bool:
    return TWO_DIGIT_YEARS[0] <= d.year <= TWO_DIGIT_YEARS[1]


# ------------------------------------------------------------------------------ CLDR names
@functools.lru_cache(maxsize=None)
def _names(locale: str) -> dict[str, tuple[str, ...]]:
    """Month names (index 1-12, index 0 unused) and weekday names (index 0 = Monday) from babel."""
    out = {}
    for context, key in (("format", "M"), ("stand-alone", "L")):
        for width, n in (("wide", 4), ("abbreviated", 3)):
            names = get_month_names(width, context, locale)
            out[key * n] = ("",) + tuple(names[m] for m in range(1, 13))
    for width, n in (("wide", 4), ("abbreviated", 3)):
        names = get_day_names(width, "format", locale)
        out["E" * n] = tuple(names[i] for i in range(7))
    return out


class _Fields(dict):
    """The CLDR fields of one date, as babel would render them for the locale."""

    def __init__(self, d: dt.date, locale: str):
        names = _names(locale)
        wd = d.weekday()
        super().__init__(d=str(d.day), dd=f"{d.day:02d}", M=str(d.month), MM=f"{d.month:02d}",
                         L=str(d.month), LL=f"{d.month:02d}",
                         MMM=names["MMM"][d.month], MMMM=names["MMMM"][d.month],
                         LLL=names["LLL"][d.month], LLLL=names["LLLL"][d.month],
                         y=str(d.year), yyyy=str(d.year), yy=f"{d.year % 100:02d}",
                         E=names["EEE"][wd], EE=names["EEE"][wd], EEE=names["EEE"][wd], EEEE=names["EEEE"][wd])


_SUPPORTED = set(_Fields(FIRST, "en_US"))


class CldrPattern:
    """One CLDR date pattern of a locale, classified for the task's rules."""

    def __init__(self, locale: str, pattern: str):
        self.locale, self.pattern = locale, pattern
        self._format = parse_pattern(pattern).format
        keys = re.findall(r"%\((\w+)\)s", self._format)
        self.keys = keys
        months = [k for k in keys if k[0] in "ML"]
        self.ok = (bool(months) and set(keys) <= _SUPPORTED and any(k[0] == "d" for k in keys)
                   and any(k[0] == "y" for k in keys))
        self.numeric = bool(months) and len(months[0]) <= 2
        self.two_digit = "yy" in keys
        if self.ok:
            self.month_first = keys.index(months[0]) < next(i for i, k in enumerate(keys) if k[0] == "d")
            self.slash = "/" in pattern

    def applies(self, d: dt.date) -> bool:
        if self.two_digit and not two_digit_ok(d):
            return False
        if self.numeric and self.month_first:
            # American month/day/year is used only when the day cannot be a month
            return self.slash and d.day > 12
        return True

    def render(self, d: dt.date) -> str:
        """The pattern applied to d (as babel.dates.format_date would), ignoring the task's rules."""
        return self._format % _Fields(d, self.locale)

    def __call__(self, d: dt.date, rng: random.Random | None = None) -> str | None:
        return self.render(d) if self.applies(d) else None

    def __repr__(self) -> str:
        return f"CldrPattern({self.locale!r}, {self.pattern!r})"


@functools.lru_cache(maxsize=None)
def cldr_patterns(locale: str) -> tuple[CldrPattern, ...]:
    """The locale's standard date formats and its available formats that show day, month and
    year (and possibly the weekday), without duplicates."""
    loc = Locale.parse(locale)
    raw = [loc.date_formats[k].pattern for k in ("short", "medium", "long", "full")]
    raw += [p.pattern for skeleton, p in sorted(loc.datetime_skeletons.items())
            if set(skeleton) <= set("yMLdE") and "y" in skeleton and "d" in skeleton]
    out = []
    for pattern in dict.fromkeys(raw):
        p = CldrPattern(locale, pattern)
        if p.ok:
            out.append(p)
    return tuple(out)


# ------------------------------------------------------------------------- shared helpers
def _pick(rng: random.Random, options):
    return options[rng.randrange(len(options))]


def _year(d: dt.date, rng: random.Random, p_two: float, apostrophe: bool = True) -> str:
    """Four digits, or (only for 1930-2029, with probability p_two) two digits, maybe "'79"."""
    if p_two and two_digit_ok(d) and rng.random() < p_two:
        yy = f"{d.year % 100:02d}"
        return ("'" + yy) if apostrophe and rng.random() < 0.5 else yy
    return str(d.year)


def _day(d: dt.date, rng: random.Random, p_pad: float) -> str:
    return f"{d.day:02d}" if d.day < 10 and rng.random() < p_pad else str(d.day)


def _dot(abbr: str, rng: random.Random, p: float = 0.5) -> str:
    """An abbreviation with or without its full stop."""
    abbr = abbr.rstrip(".")
    return abbr + "." if rng.random() < p else abbr


# -------------------------------------------------------------------------------- English
_EN_MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")
_EN_MONTH_ABBR = ((), ("Jan",), ("Feb",), ("Mar",), ("Apr",), ("May",), ("Jun", "June"), ("Jul", "July"),
                  ("Aug",), ("Sep", "Sept"), ("Oct",), ("Nov",), ("Dec",))
_EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_DAY_ABBR = (("Mon",), ("Tue", "Tues"), ("Wed",), ("Thu", "Thur", "Thurs"), ("Fri",), ("Sat",), ("Sun",))


def en_ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _en_month(d: dt.date, rng: random.Random) -> str:
    if rng.random() < 0.6:
        return _EN_MONTHS[d.month]
    abbr = _pick(rng, _EN_MONTH_ABBR[d.month])
    return abbr if abbr in ("May", "June", "July") else _dot(abbr, rng, 0.4)


def _en_weekday(d: dt.date, rng: random.Random) -> str:
    """"" or a weekday prefix: "Thursday, ", "Thu ", "Thurs. " ..."""
    if rng.random() < 0.6:
        return ""
    name = _EN_DAYS[d.weekday()] if rng.random() < 0.55 else _dot(_pick(rng, _EN_DAY_ABBR[d.weekday()]), rng, 0.2)
    return name + (", " if rng.random() < 0.7 else " ")


def _en_mdy(d, rng):  # "May 3, 1979", "Thu May 3rd 1979", "May 03, '79"
    x = rng.random()
    day = en_ordinal(d.day) if x < 0.3 else _day(d, rng, 0.3)
    comma = "," if rng.random() < 0.65 else ""
    return f"{_en_weekday(d, rng)}{_en_month(d, rng)} {day}{comma} {_year(d, rng, 0.15)}"


def _en_dmy(d, rng):  # "3 May 1979", "Thursday 3rd May 1979", "3 May 79"
    day = en_ordinal(d.day) if rng.random() < 0.35 else _day(d, rng, 0.15)
    comma = "," if rng.random() < 0.1 else ""
    return f"{_en_weekday(d, rng)}{day} {_en_month(d, rng)}{comma} {_year(d, rng, 0.12)}"


def _en_of(d, rng):  # "3rd of May 1979", "Thursday, the 3rd of May, 1979"
    weekday = _en_weekday(d, rng)
    the = "the " if rng.random() < (0.75 if weekday else 0.4) else ""
    comma = "," if rng.random() < 0.25 else ""
    return f"{weekday}{the}{en_ordinal(d.day)} of {_en_month(d, rng)}{comma} {_year(d, rng, 0.1)}"


def _en_month_the(d, rng):  # "May the 3rd, 1979"
    comma = "," if rng.random() < 0.6 else ""
    return f"{_en_month(d, rng)} the {en_ordinal(d.day)}{comma} {_year(d, rng, 0.1)}"


def _en_dashed(d, rng):  # spreadsheet style "3-May-1979", "03-MAY-79"
    month = _pick(rng, _EN_MONTH_ABBR[d.month])[:3]
    return f"{_day(d, rng, 0.5)}-{month}-{_year(d, rng, 0.4, apostrophe=False)}"


# -------------------------------------------------------------------------------- German
_DE_MONTH_ABBR = ((), ("Jan",), ("Feb",), ("Mär", "März", "Mrz"), ("Apr",), ("Mai",), ("Jun", "Juni"),
                  ("Jul", "Juli"), ("Aug",), ("Sep", "Sept"), ("Okt",), ("Nov",), ("Dez",))
_DE_DAY_ABBR = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def _de_month(d: dt.date, rng: random.Random) -> str:
    if rng.random() < 0.65:
        name = _names("de")["MMMM"][d.month]
        return "Maerz" if name == "März" and rng.random() < 0.2 else name
    abbr = _pick(rng, _DE_MONTH_ABBR[d.month])
    return abbr if abbr in ("Mai", "Juni", "Juli", "März") else _dot(abbr, rng, 0.6)


def _de_text(d, rng):  # "3. Mai 1979", "Donnerstag, den 3. Mai 1979", "am 03. Mai 1979", "3 Mai 1979"
    x = rng.random()
    weekday = _names("de")["EEEE"][d.weekday()] if rng.random() < 0.6 else _dot(_DE_DAY_ABBR[d.weekday()], rng, 0.6)
    if x < 0.45:
        prefix = ""
    elif x < 0.6:
        prefix = "am "
    elif x < 0.8:
        prefix = weekday + (", " if rng.random() < 0.8 else " ")
    elif x < 0.92:
        prefix = f"{weekday}, den "
    else:
        prefix = f"am {weekday}, dem " if rng.random() < 0.6 else f"am {weekday}, den "
    dot = "." if rng.random() < 0.88 else ""
    return f"{prefix}{_day(d, rng, 0.15)}{dot} {_de_month(d, rng)} {d.year}"


# -------------------------------------------------------------------------------- French
_FR_ASCII = str.maketrans("éèûô", "eeuo")
_FR_MONTH_ABBR = ((), ("janv", "jan"), ("févr", "fév", "fevr"), ("mars",), ("avr",), ("mai",), ("juin",),
                  ("juil",), ("août", "aout"), ("sept", "sep"), ("oct",), ("nov",), ("déc", "dec"))


def _fr_month(d: dt.date, rng: random.Random) -> str:
    if rng.random() < 0.65:
        name = _names("fr")["MMMM"][d.month]
        return name.translate(_FR_ASCII) if rng.random() < 0.15 else name
    abbr = _pick(rng, _FR_MONTH_ABBR[d.month])
    return abbr if abbr in ("mars", "mai", "juin", "août", "aout") else _dot(abbr, rng, 0.6)


def _fr_text(d, rng):  # "3 mai 1979", "le 1er mai 1979", "le jeudi 3 mai 1979", "jeu. 3 mai 1979"
    if d.day == 1:
        day = "1er" if rng.random() < 0.75 else _day(d, rng, 0.15)
    else:
        day = _day(d, rng, 0.1)
    x = rng.random()
    if x < 0.65:  # no weekday
        prefix = "le " if rng.random() < 0.4 else ""
    elif x < 0.9:  # "jeudi 3 mai", "le jeudi 3 mai", "jeudi, 3 mai"
        wide = _names("fr")["EEEE"][d.weekday()]
        y = rng.random()
        prefix = f"le {wide} " if y < 0.3 else f"{wide}, " if y < 0.45 else f"{wide} "
    else:  # "jeu. 3 mai"
        prefix = _dot(_names("fr")["EEE"][d.weekday()], rng, 0.7) + " "
    return f"{prefix}{day} {_fr_month(d, rng)} {d.year}"


# -------------------------------------------------------------------------------- Turkish
_TR_ASCII = str.maketrans("ıİşŞğĞüÜöÖçÇ", "iIsSgGuUoOcC")
_TR_DAY_ABBR = ("Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz")


def _tr_text(d, rng):  # "3 Mayıs 1979", "3 Mayıs 1979 Perşembe", "Perşembe, 3 Mayıs 1979", "3 Eyl. 1979"
    names = _names("tr")
    ascii_ = rng.random() < 0.15
    if rng.random() < 0.7:
        month = names["MMMM"][d.month]
    else:
        month = names["MMM"][d.month]
        month = month if month == "May" else _dot(month, rng, 0.4)
    weekday = names["EEEE"][d.weekday()] if rng.random() < 0.75 else _TR_DAY_ABBR[d.weekday()]
    core = f"{_day(d, rng, 0.1)} {month} {d.year}"
    x = rng.random()
    if x < 0.5:
        out = core
    elif x < 0.7:
        out = f"{core} {weekday}"
    elif x < 0.8:
        out = f"{core}, {weekday}"
    elif x < 0.93:
        out = f"{weekday}, {core}"
    else:
        out = f"{weekday} {core}"
    return out.translate(_TR_ASCII) if ascii_ else out


# ----------------------------------------------------------------------- numbers-only dates
def _iso(d, rng):
    return d.isoformat()


def _numeric(sep: str, pad: float, p_two: float = 0.0) -> Formatter:
    """Day first, month, year last (see the module docstring); pad: probability of zero padding."""
    def fmt(d, rng):
        padded = rng.random() < pad
        day, month = (f"{d.day:02d}", f"{d.month:02d}") if padded else (str(d.day), str(d.month))
        return f"{day}{sep}{month}{sep}{_year(d, rng, p_two, apostrophe=False)}"
    fmt.__name__ = f"day{sep}month{sep}year"
    return fmt


def _us_slash(d, rng):
    """American month/day/year, only when the day cannot be a month."""
    if d.day <= 12:
        return None
    padded = rng.random() < 0.3
    day, month = (f"{d.day:02d}", f"{d.month:02d}") if padded else (str(d.day), str(d.month))
    return f"{month}/{day}/{_year(d, rng, 0.3, apostrophe=False)}"


_HAND_WORDS: dict[str, tuple[Formatter, ...]] = {
    "en": (_en_mdy, _en_dmy, _en_of, _en_of, _en_month_the, _en_dashed),
    "de": (_de_text,),
    "fr": (_fr_text,),
    "tr": (_tr_text,),
}
_HAND_NUMERIC: dict[str, tuple[Formatter, ...]] = {
    "en": (_iso, _us_slash, _numeric("/", 0.5)),
    "de": (_iso, _numeric(".", 0.5, 0.3)),
    "fr": (_iso, _numeric("/", 0.6, 0.25), _numeric("-", 0.8), _numeric(".", 0.8)),
    "tr": (_iso, _numeric("/", 0.7), _numeric(".", 0.6, 0.2), _numeric("-", 0.8)),
}


@functools.lru_cache(maxsize=None)
def _formatters(lang: str) -> dict[str, tuple[Formatter, ...]]:
    cldr = [p for locale in LOCALES[lang] for p in cldr_patterns(locale)]
    return {"cldr-words": tuple(p for p in cldr if not p.numeric),
            "hand-words": _HAND_WORDS[lang],
            "numeric": tuple(p for p in cldr if p.numeric) + _HAND_NUMERIC[lang]}


# ---------------------------------------------------------------------- case and spacing
def _case(s: str, turkish: bool, rng: random.Random) -> str:
    x = rng.random()
    if x < 0.62:
        return s
    if x < 0.77:
        return s.lower()
    if x < 0.85:  # Capitalised
        return upper(s[0], turkish) + s[1:]
    if x < 0.93:  # Title Case
        return "".join(upper(c, turkish) if i == 0 or s[i - 1] in " -'" else c for i, c in enumerate(s))
    return upper(s, turkish)


def _spacing(s: str, rng: random.Random) -> str:
    x = rng.random()
    if x < 0.94:
        return s
    if x < 0.97 and " " in s:  # one doubled space
        spaces = [i for i, c in enumerate(s) if c == " "]
        i = _pick(rng, spaces)
        return s[:i] + " " + s[i:]
    return (" " if rng.random() < 0.5 else "") + s + (" " if rng.random() < 0.5 else "  ")


# ------------------------------------------------------------------------------ generation
def spell(d: dt.date, lang: str, rng: random.Random | None = None, numeric: bool | None = None) -> str:
    """A source for date d in lang: without rng the CLDR long format of the language's first
    locale; otherwise drawn from the task's formats and variants (numeric=None: drawn with
    NUMERIC_SHARE; True/False forces the family). May exceed MAX_SOURCE_CHARS."""
    if not FIRST <= d <= LAST:
        raise ValueError(f"dates task covers {FIRST}..{LAST}, got {d!r}")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {LANGS}")
    if rng is None:
        locale = LOCALES[lang][0]
        return CldrPattern(locale, Locale.parse(locale).date_formats["long"].pattern)(d)
    formatters = _formatters(lang)
    if numeric is None:
        numeric = rng.random() < NUMERIC_SHARE
    if numeric:
        family = "numeric"
    else:
        family = "cldr-words" if rng.random() < CLDR_SHARE else "hand-words"
    options = formatters[family]
    while True:
        text = _pick(rng, options)(d, rng)
        if text is not None:
            break
    if not numeric:
        text = _case(text, lang == "tr", rng)
    return _spacing(text, rng)


def all_dates() -> list[dt.date]:
    first = FIRST.toordinal()
    return [dt.date.fromordinal(o) for o in range(first, LAST.toordinal() + 1)]


@functools.lru_cache(maxsize=4)
def _partition(seed: int) -> dict[str, tuple[dt.date, ...]]:
    dates = all_dates()
    random.Random(seed).shuffle(dates)
    n_test = round(len(dates) * HELD_OUT_FRACTION["test"])
    n_valid = round(len(dates) * HELD_OUT_FRACTION["valid"])
    return {"test": tuple(dates[:n_test]), "valid": tuple(dates[n_test:n_test + n_valid]),
            "train": tuple(dates[n_test + n_valid:])}


def held_out(seed: int = 0) -> dict[str, frozenset[dt.date]]:
    """The validation and test dates for a seed (never in the training split)."""
    part = _partition(seed)
    return {"valid": frozenset(part["valid"]), "test": frozenset(part["test"])}


def build_splits(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, str]]]:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    part = _partition(seed)
    splits: dict[str, list[tuple[str, str]]] = {}
    for split in ("train", "valid", "test"):
        rng = random.Random(f"dates:{seed}:{split}")  # each split its own stream: sizes don't interact
        pool = list(part[split])
        order: list[dt.date] = []
        pairs: list[tuple[str, str]] = []
        while len(pairs) < sizes[split]:
            if not order:  # cycle through the split's dates in a fresh random order
                order = pool[:]
                rng.shuffle(order)
            d = order.pop()
            lang = _pick(rng, LANGS)
            src = spell(d, lang, rng)
            while len(src) > MAX_SOURCE_CHARS:  # redraw the format, same date and language
                src = spell(d, lang, rng)
            pairs.append((src, d.isoformat()))
        splits[split] = pairs
    return splits
