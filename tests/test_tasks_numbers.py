"""The `numbers` task: hand-checked spellings in English, German, French and Turkish, a round trip
of every variant through an independent parser written here (it shares no code with the
generator and rejects wrong spellings), and the hold-out, determinism, balance and uniqueness of
the generated splits."""
import random
import re
import time
from collections import Counter

import pytest

from core.tasks import get_task
from core.tasks import numbers as num
from core.text import normalize


# ------------------------------------------------------------------ an independent parser
class Bad(ValueError):
    """Not a correct spelling of a number."""


def _need(cond: bool, why: str = "") -> None:
    if not cond:
        raise Bad(why)


def _lexer(lexicon: dict):
    keys = sorted(lexicon, key=len, reverse=True)

    def lex(piece: str) -> list:
        out, i = [], 0
        while i < len(piece):
            for k in keys:
                if piece.startswith(k, i):
                    out.append(lexicon[k])
                    i += len(k)
                    break
            else:
                raise Bad(f"no word at {piece[i:]!r}")
        return out
    return lex


# English: words are whole, separated by " ", "-" (only in twenty-one) or ", " (only after thousand)
EN_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
EN_TENS = {w: 10 * i for i, w in enumerate("- - twenty thirty forty fifty sixty seventy eighty ninety".split()) if i >= 2}


def _en_below_100(ws):
    if len(ws) == 1 and EN_SMALL.get(ws[0], 0) >= 1:
        return EN_SMALL[ws[0]]
    if len(ws) == 1 and ws[0] in EN_TENS:
        return EN_TENS[ws[0]]
    _need(len(ws) == 2 and ws[0] in EN_TENS and 1 <= EN_SMALL.get(ws[1], 0) <= 9, f"en {ws}")
    return EN_TENS[ws[0]] + EN_SMALL[ws[1]]


def _en_group(ws, first):
    value = 0
    if len(ws) >= 2 and ws[1] == "hundred":
        if ws[0] == "a":
            _need(first, "'a hundred' only at the start")
            value = 100
        else:
            _need(2 <= EN_SMALL.get(ws[0], 0) <= 9 or ws[0] == "one", f"en hundreds {ws}")
            value = 100 * EN_SMALL[ws[0]]
        ws = ws[2:]
        if ws and ws[0] == "and":
            ws = ws[1:]
            _need(bool(ws), "dangling and")
    if ws:
        value += _en_below_100(ws)
    _need(value > 0, "empty")
    return value


def parse_en(text):
    s = normalize(text, lowercase=True)
    _need(re.fullmatch(r"[a-z]+(?:(?:, | |-)[a-z]+)*", s) is not None, "characters")
    words, seps = re.findall(r"[a-z]+", s), re.findall(r", | |-", s)
    for i, sep in enumerate(seps):
        if sep == "-":
            _need(words[i] in EN_TENS and 1 <= EN_SMALL.get(words[i + 1], 0) <= 9, "hyphen")
        if sep == ", ":
            _need(words[i] == "thousand" and words[i + 1] != "and", "comma")
    if words == ["zero"]:
        return 0
    if "thousand" not in words:
        return _en_group(words, first=True)
    k = words.index("thousand")
    head, rest = words[:k], words[k + 1:]
    thousands = 1 if head == ["a"] else _en_group(head, first=True)
    low = 0
    if rest and rest[0] == "and":
        low = _en_group(rest[1:], first=False)
        _need(low < 100, "'thousand and' only before a part below 100")
    elif rest:
        low = _en_group(rest, first=False)
    return 1000 * thousands + low


# German: compounds split by a longest-match lexer; a space only after "tausend"
DE_VALUE = {w: i for i, w in enumerate(
    "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn "
    "sechzehn siebzehn achtzehn neunzehn".split())}
DE_VALUE.update({w: 10 * i for i, w in enumerate(
    "- - zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig".split()) if i >= 2})
DE_VALUE["ein"] = 1
_DE_LEX = {w: w for w in list(DE_VALUE) + ["und", "hundert", "tausend"]}
_DE_LEX.update({"dreissig": "dreißig", "fuenf": "fünf", "fuenfzehn": "fünfzehn", "fuenfzig": "fünfzig",
                "zwoelf": "zwölf"})
_de_lex = _lexer(_DE_LEX)
DE_UNIT = {w: v for w, v in DE_VALUE.items() if 2 <= v <= 9}
DE_TENS = {w: v for w, v in DE_VALUE.items() if v >= 20}


def _de_below_100(ws, final):
    if len(ws) == 1:
        w = ws[0]
        if w in ("ein", "eins"):
            _need((w == "eins") == final, "'eins' at the end, 'ein' before tausend")
            return 1
        _need(DE_VALUE.get(w, 0) >= 2, f"de {ws}")
        return DE_VALUE[w]
    _need(len(ws) == 3 and ws[1] == "und" and ws[2] in DE_TENS and (ws[0] == "ein" or ws[0] in DE_UNIT), f"de {ws}")
    return DE_VALUE[ws[0]] + DE_VALUE[ws[2]]


def _de_group(ws, final):
    value = 0
    if "hundert" in ws:
        k = ws.index("hundert")
        head, ws = ws[:k], ws[k + 1:]
        _need(head in ([], ["ein"]) or (len(head) == 1 and head[0] in DE_UNIT), f"de hundreds {head}")
        value = 100 * (DE_VALUE[head[0]] if head else 1)
        if ws and ws[0] == "und":
            _need(final, "no 'und' inside the thousands")
            low = _de_below_100(ws[1:], final)
            _need(low < 20 or low % 10 == 0, "'hundertund' only before a part without its own und")
            return value + low
    if ws:
        value += _de_below_100(ws, final)
    _need(value > 0, "empty")
    return value


def parse_de(text):
    s = normalize(text, lowercase=True)
    _need(re.fullmatch(r"[a-zäöüß]+(?: [a-zäöüß]+)*", s) is not None, "characters")
    _need(not (re.search(r"ue|oe", s) and re.search(r"[äöüß]", s)), "ASCII and umlauts mixed")
    words = []
    for i, piece in enumerate(s.split(" ")):
        _need(i == 0 or words[-1] == "tausend", "a space only after tausend")
        words += _de_lex(piece)
    if words == ["null"]:
        return 0
    if "tausend" not in words:
        return _de_group(words, final=True)
    k = words.index("tausend")
    head, rest = words[:k], words[k + 1:]
    if head in ([], ["ein"]):
        thousands = 1
    else:
        thousands = _de_group(head, final=False)
        _need(thousands >= 2, "one thousand is (ein)tausend")
    low = 0
    if rest and rest[0] == "und":
        low = _de_below_100(rest[1:], final=True)
        _need(low < 20 or low % 10 == 0, "'tausendund' only before a part without its own und")
    elif rest:
        low = _de_group(rest, final=True)
    return 1000 * thousands + low


# French: words split at spaces and hyphens (traditional, 1990 or none are all accepted)
FR_SMALL = {w: i for i, w in enumerate(
    "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize".split())}
FR_TENS = {"vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60}


def _fr_1_19(ws):
    if len(ws) == 1 and FR_SMALL.get(ws[0], 0) >= 1:
        return FR_SMALL[ws[0]]
    _need(len(ws) == 2 and ws[0] == "dix" and ws[1] in ("sept", "huit", "neuf"), f"fr {ws}")
    return 10 + FR_SMALL[ws[1]]


def _fr_below_100(ws, final):
    if ws[0] == "quatre" and len(ws) >= 2 and ws[1] in ("vingt", "vingts"):
        if len(ws) == 2:
            _need((ws[1] == "vingts") == final, "quatre-vingts at the end, quatre-vingt before mille")
            return 80
        _need(ws[1] == "vingt", "quatre-vingt-un")
        return 80 + _fr_1_19(ws[2:])
    if ws[0] in FR_TENS:
        tens, rest = FR_TENS[ws[0]], ws[1:]
        if not rest:
            return tens
        if rest[0] == "et":
            _need(rest[1:] == ["un"] or (tens == 60 and rest[1:] == ["onze"]), "et un / et onze")
            return tens + FR_SMALL[rest[1]]
        low = _fr_1_19(rest)
        _need(low not in (1, 11), "needs et")
        _need(low < 10 or tens == 60, "only soixante takes dix..dix-neuf")
        return tens + low
    return _fr_1_19(ws)


def _fr_group(ws, final):
    value = 0
    hundreds = [i for i, w in enumerate(ws) if w in ("cent", "cents")]
    if hundreds:
        k = hundreds[0]
        head, word, ws = ws[:k], ws[k], ws[k + 1:]
        if not head:
            _need(word == "cent", "cent")
            value = 100
        else:
            _need(len(head) == 1 and 2 <= FR_SMALL.get(head[0], 0) <= 9, f"fr hundreds {head}")
            _need((word == "cents") == (final and not ws), "cents only at the very end")
            value = 100 * FR_SMALL[head[0]]
    if ws:
        value += _fr_below_100(ws, final)
    _need(value > 0, "empty")
    return value


def parse_fr(text):
    s = normalize(text, lowercase=True)
    _need(re.fullmatch(r"[a-zé]+(?:[ -][a-zé]+)*", s) is not None, "characters")
    words = re.split(r"[ -]", s)
    if words in (["zéro"], ["zero"]):
        return 0
    if "mille" not in words:
        return _fr_group(words, final=True)
    k = words.index("mille")
    head, rest = words[:k], words[k + 1:]
    thousands = 1
    if head:
        thousands = _fr_group(head, final=False)
        _need(thousands >= 2, "mille, never un mille")
    return 1000 * thousands + (_fr_group(rest, final=True) if rest else 0)


# Turkish: words apart or joined, with or without Turkish letters
TR_UNIT = dict(zip("bir iki üç dört beş altı yedi sekiz dokuz".split(), range(1, 10)))
TR_TENS = dict(zip("on yirmi otuz kırk elli altmış yetmiş seksen doksan".split(), range(10, 100, 10)))
_TR_LEX = {w: w for w in list(TR_UNIT) + list(TR_TENS) + ["yüz", "bin", "sıfır"]}
_TR_LEX.update({"uc": "üç", "dort": "dört", "bes": "beş", "alti": "altı", "kirk": "kırk", "altmis": "altmış",
                "yetmis": "yetmiş", "yuz": "yüz", "sifir": "sıfır"})
# Upper-case Turkish loses the dot: "ALTMIŞ" and "altMIş" read "altmiş" once lower-cased, so the
# lexer reads ı and i alike.
_tr_lex = _lexer({k.replace("ı", "i"): v for k, v in _TR_LEX.items()})


def _tr_group(ws):
    value = 0
    if "yüz" in ws:
        k = ws.index("yüz")
        head, ws = ws[:k], ws[k + 1:]
        _need(head == [] or (len(head) == 1 and TR_UNIT.get(head[0], 0) >= 2), "yüz, never bir yüz")
        value = 100 * (TR_UNIT[head[0]] if head else 1)
    if ws and ws[0] in TR_TENS:
        value, ws = value + TR_TENS[ws[0]], ws[1:]
    if ws and ws[0] in TR_UNIT:
        value, ws = value + TR_UNIT[ws[0]], ws[1:]
    _need(not ws and value > 0, f"tr {ws}")
    return value


def parse_tr(text):
    s = normalize(text, lowercase=True)
    _need(re.fullmatch(r"[a-zçğıöşü]+(?: [a-zçğıöşü]+)*", s) is not None, "characters")
    words = [w for piece in s.replace("ı", "i").split(" ") for w in _tr_lex(piece)]
    if words == ["sıfır"]:
        return 0
    if "bin" not in words:
        return _tr_group(words)
    k = words.index("bin")
    head, rest = words[:k], words[k + 1:]
    thousands = 1
    if head:
        thousands = _tr_group(head)
        _need(thousands >= 2, "bin, never bir bin")
    return 1000 * thousands + (_tr_group(rest) if rest else 0)


PARSE = {"en": parse_en, "de": parse_de, "fr": parse_fr, "tr": parse_tr}


def languages_of(text):
    """{lang: value} for every language whose parser accepts text."""
    out = {}
    for lang, parse in PARSE.items():
        try:
            out[lang] = parse(text)
        except (Bad, IndexError, KeyError):
            pass
    return out


# ------------------------------------------------------------------ hand-checked spellings
EN = {0: "zero", 1: "one", 10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 15: "fifteen", 19: "nineteen",
      21: "twenty-one", 40: "forty", 80: "eighty", 81: "eighty-one", 91: "ninety-one", 97: "ninety-seven",
      100: "one hundred", 101: "one hundred and one", 115: "one hundred and fifteen", 200: "two hundred",
      201: "two hundred and one", 1000: "one thousand", 1001: "one thousand and one",
      1200: "one thousand two hundred", 2000: "two thousand", 21000: "twenty-one thousand",
      80000: "eighty thousand", 100000: "one hundred thousand", 101000: "one hundred and one thousand",
      997000: "nine hundred and ninety-seven thousand",
      999999: "nine hundred and ninety-nine thousand nine hundred and ninety-nine"}
DE = {0: "null", 1: "eins", 10: "zehn", 11: "elf", 12: "zwölf", 16: "sechzehn", 17: "siebzehn", 19: "neunzehn",
      21: "einundzwanzig", 30: "dreißig", 60: "sechzig", 70: "siebzig", 80: "achtzig", 81: "einundachtzig",
      91: "einundneunzig", 97: "siebenundneunzig", 100: "einhundert", 101: "einhunderteins",
      200: "zweihundert", 201: "zweihunderteins", 1000: "eintausend", 1001: "eintausendeins",
      2000: "zweitausend", 21000: "einundzwanzigtausend", 80000: "achtzigtausend",
      100000: "einhunderttausend", 101000: "einhunderteintausend",
      321412: "dreihunderteinundzwanzigtausendvierhundertzwölf",
      999999: "neunhundertneunundneunzigtausendneunhundertneunundneunzig"}
FR = {0: "zéro", 1: "un", 10: "dix", 11: "onze", 16: "seize", 17: "dix-sept", 19: "dix-neuf", 21: "vingt et un",
      22: "vingt-deux", 70: "soixante-dix", 71: "soixante et onze", 72: "soixante-douze",
      77: "soixante-dix-sept", 79: "soixante-dix-neuf", 80: "quatre-vingts", 81: "quatre-vingt-un",
      90: "quatre-vingt-dix", 91: "quatre-vingt-onze", 97: "quatre-vingt-dix-sept", 99: "quatre-vingt-dix-neuf",
      100: "cent", 101: "cent un", 200: "deux cents", 201: "deux cent un", 280: "deux cent quatre-vingts",
      1000: "mille", 1001: "mille un", 2000: "deux mille", 21000: "vingt et un mille",
      80000: "quatre-vingt mille", 100000: "cent mille", 200000: "deux cent mille",
      200341: "deux cent mille trois cent quarante et un",
      999999: "neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf"}
TR = {0: "sıfır", 1: "bir", 10: "on", 11: "on bir", 19: "on dokuz", 21: "yirmi bir", 40: "kırk", 60: "altmış",
      80: "seksen", 81: "seksen bir", 91: "doksan bir", 97: "doksan yedi", 100: "yüz", 101: "yüz bir",
      200: "iki yüz", 201: "iki yüz bir", 1000: "bin", 1001: "bin bir", 1984: "bin dokuz yüz seksen dört",
      2000: "iki bin", 21000: "yirmi bir bin", 80000: "seksen bin", 100000: "yüz bin", 101000: "yüz bir bin",
      999999: "dokuz yüz doksan dokuz bin dokuz yüz doksan dokuz"}
CANONICAL = {"en": (num.spell_en, EN), "de": (num.spell_de, DE), "fr": (num.spell_fr, FR), "tr": (num.spell_tr, TR)}


@pytest.mark.parametrize("lang", num.LANGS)
def test_canonical_spellings(lang):
    spell, table = CANONICAL[lang]
    for n, words in table.items():
        assert spell(n) == words, (lang, n)
        assert num.spell(n, lang) == words
        assert PARSE[lang](words) == n


def test_variant_spellings_by_hand():
    assert num.spell_en(115, and_=False) == "one hundred fifteen"
    assert num.spell_en(21, hyphen=" ") == "twenty one"
    assert num.spell_en(1200, comma=True) == "one thousand, two hundred"
    assert num.spell_en(100, a=True) == "a hundred"
    assert num.spell_en(1005, a=True) == "a thousand and five"
    assert num.spell_en(150000, a=True, and_=False) == "a hundred fifty thousand"
    assert num.spell_de(100, ein_hundert=False) == "hundert"
    assert num.spell_de(1000, ein_tausend=False) == "tausend"
    assert num.spell_de(101, und=True, ein_hundert=False) == "hundertundeins"
    assert num.spell_de(1020, und=True) == "eintausendundzwanzig"
    assert num.spell_de(1021, und=True) == "eintausendeinundzwanzig"  # no second und
    assert num.spell_de(2300, space=True) == "zweitausend dreihundert"
    assert num.spell_de(30, letters="ss") == "dreissig"
    assert num.spell_de(512, letters="ascii") == "fuenfhundertzwoelf"
    assert num.spell_fr(21, style="trad-et") == "vingt-et-un"
    assert num.spell_fr(200341, style="1990") == "deux-cent-mille-trois-cent-quarante-et-un"
    assert num.spell_fr(80, style="1990") == "quatre-vingts"
    assert num.spell_fr(97, style="spaces") == "quatre vingt dix sept"
    assert num.spell_fr(0, accent=False) == "zero"
    assert num.spell_tr(21, join="joined") == "yirmibir"
    assert num.spell_tr(2000, join="joined") == "ikibin"
    assert num.spell_tr(2984, join="groups") == "ikibin dokuzyüzseksendört"
    assert num.spell_tr(0, ascii_=True) == "sifir"
    assert num.spell_tr(956, ascii_=True) == "dokuz yuz elli alti"
    with pytest.raises(ValueError):
        num.spell_en(1_000_000)


def test_parser_rejects_wrong_spellings():
    wrong = {"en": ["hundred", "thousand", "twenty twenty", "five twenty", "one hundred and", "one-hundred",
                    "one thousand a hundred", "two, hundred", "zero one"],
             "de": ["ein", "einsundzwanzig", "hundertein", "zwanzigeins", "einstausend", "zwei tausend",
                    "einhundertundeinundzwanzig", "dreißigdrei", "nulleins"],
             "fr": ["quatre-vingt", "deux cent", "vingt-un", "vingt et deux", "quatre-vingt-et-un", "un mille",
                    "un cent", "deux cents mille", "quatre-vingts mille", "soixante-onze", "vingts", "cents",
                    "trente-dix"],
             "tr": ["bir yüz", "bir bin", "bir bin iki", "yüz yüz", "on on", "bir on", "sıfır bir"]}
    for lang, texts in wrong.items():
        for text in texts:
            with pytest.raises((Bad, IndexError, KeyError)):
                PARSE[lang](text)


# ------------------------------------------------------------------ round trip of every variant
EDGES = [0, 1, 7, 10, 11, 16, 17, 19, 20, 21, 30, 70, 71, 77, 80, 81, 90, 91, 97, 99, 100, 101, 111, 120, 121,
         180, 200, 201, 280, 999, 1000, 1001, 1020, 1021, 1080, 1100, 1200, 2000, 21000, 71000, 80000, 80080,
         81000, 100000, 100001, 101000, 101101, 180000, 200000, 200200, 999999]


OPTION_GRID = {
    "en": [dict(and_=a, hyphen=h, comma=c, a=i) for a in (True, False) for h in ("-", " ")
           for c in (False, True) for i in (False, True)],
    "de": [dict(ein_hundert=eh, ein_tausend=et, und=u, space=s, letters=le) for eh in (True, False)
           for et in (True, False) for u in (False, True) for s in (False, True) for le in ("de", "ss", "ascii")],
    "fr": [dict(style=s, accent=a) for a in (True, False) for s in ("trad", "trad-et", "1990", "spaces")],
    "tr": [dict(join=j, ascii_=a) for a in (False, True) for j in ("spaces", "joined", "groups")],
}


def variants(n: int, lang: str) -> list[str]:
    """Every lower-case spelling of n in lang from the option grid (canonical first, no
    duplicates). Turkish random joins and letter case are only drawn by spell()."""
    out = dict.fromkeys(num.SPELL[lang](n, **opts) for opts in OPTION_GRID[lang])
    return list(out)


@pytest.mark.parametrize("lang", num.LANGS)
def test_every_variant_parses_back(lang):
    rng = random.Random(7)
    parse = PARSE[lang]
    numbers = EDGES + [rng.randint(0, 10 ** rng.randint(1, 6) - 1) for _ in range(1200)]
    for n in numbers:
        vs = variants(n, lang)
        assert vs[0] == num.spell(n, lang)
        for v in vs:
            assert parse(v) == n, (lang, n, v)
    for _ in range(3000):  # drawn spellings, with letter case and Turkish random joins
        n = rng.randint(0, 10 ** rng.randint(1, 6) - 1)
        text = num.spell(n, lang, rng)
        assert parse(text) == n, (lang, n, text)


@pytest.mark.parametrize("lang", num.LANGS)
def test_canonical_spellings_parse_back_across_the_range(lang):
    spell, parse = CANONICAL[lang][0], PARSE[lang]
    for n in range(0, num.MAX_N + 1, 97):
        assert parse(spell(n)) == n


# ------------------------------------------------------------------ splits
@pytest.fixture(scope="module")
def splits():
    start = time.perf_counter()
    out = num.build_splits()
    seconds = time.perf_counter() - start
    assert seconds < 10, f"build_splits took {seconds:.1f} s"
    return out


def test_interface():
    assert get_task("numbers") is num
    assert num.SOURCE == {"data": "generated: number words in English, German, French and Turkish, spelled by "
                                  "rules in core/tasks/numbers.py, with the variants people type",
                          "licence": "generated data (no external source)"}
    assert len(num.EXAMPLES) >= 8
    for text in num.EXAMPLES:
        assert languages_of(text), text


def test_sizes_and_targets(splits):
    assert {k: len(v) for k, v in splits.items()} == num.DEFAULT_SIZES
    for pairs in splits.values():
        for src, tgt in pairs:
            assert isinstance(src, str) and re.fullmatch(r"0|[1-9][0-9]{0,5}", tgt)
            assert 0 < len(src) <= num.MAX_SOURCE_CHARS


def test_held_out_numbers_never_in_train(splits):
    values = {k: {int(t) for _, t in v} for k, v in splits.items()}
    held = num.held_out(0)
    assert not held["valid"] & held["test"]
    assert values["valid"] <= held["valid"] and values["test"] <= held["test"]
    assert not values["train"] & (held["valid"] | held["test"])
    assert len(held["test"]) > 90_000 and len(held["valid"]) > 45_000


def test_no_source_has_two_targets(splits):
    seen = {}
    for pairs in splits.values():
        for src, tgt in pairs:
            assert seen.setdefault(normalize(src, lowercase=True), tgt) == tgt, src


def test_pairs_parse_back_and_languages_balance(splits):
    rng = random.Random(3)
    sample = rng.sample(splits["train"], 4000) + splits["valid"] + splits["test"]
    share = Counter()
    for src, tgt in sample:
        found = languages_of(src)
        assert found, src
        assert set(found.values()) == {int(tgt)}, (src, found)
        for lang in found:
            share[lang] += 1 / len(found)
    for lang in num.LANGS:
        assert abs(share[lang] / len(sample) - 0.25) < 0.03, share


def test_magnitude_mix(splits):
    for split, lengths in (("train", range(1, 7)), ("test", range(num.HELD_OUT_MIN_DIGITS, 7))):
        counts = Counter(len(t) for _, t in splits[split])
        assert set(counts) == set(lengths)
        for d in lengths:
            assert abs(counts[d] / len(splits[split]) - 1 / len(lengths)) < 0.03, (split, counts)


def test_deterministic(splits):
    small = {"train": 2000, "valid": 300, "test": 400}
    a, b = num.build_splits(seed=0, sizes=small), num.build_splits(seed=0, sizes=small)
    assert a == b
    assert a["train"] == splits["train"][:2000]  # each split draws from its own stream
    assert a["test"] == splits["test"][:400]
    assert num.build_splits(seed=1, sizes=small) != a
    assert num.held_out(1)["test"] != num.held_out(0)["test"]
