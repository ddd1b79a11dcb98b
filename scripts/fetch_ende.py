"""Extract English -> German example sentences from the Ding dictionary for the `en-de` task.

Source
    The Ding German-English dictionary by Frank Richter (TU Chemnitz), https://dict.tu-chemnitz.de/,
    as shipped by the Debian package `trans-de-en` in the file `/usr/share/trans/de-en`
    (`apt-get install trans-de-en`). Licence: GNU General Public License, version 2 or (at your
    option) any later version (GPL-2.0-or-later); the copyright line is copied from the file's
    header into data/en-de/LICENSE.md. The pairs written here are an extract of that file and
    remain under the same licence.

Usage
    python scripts/fetch_ende.py [--source /usr/share/trans/de-en] [--out data/en-de/pairs.tsv]

    Writes `pairs.tsv` (UTF-8, `english<TAB>german`, one pair per line, sorted, no header) and
    `LICENSE.md` next to it. Exits with status 1 and a hint if the source file is missing.

Format of the source
    One entry per line, `German :: English`; ` | ` separates aligned alternatives (the k-th German
    alternative translates the k-th English one), `;` separates synonyms inside one alternative,
    and markup is mixed in: `{m}` `{vt}` (grammar), `[Br.]` `[ugs.]` (usage/region/field),
    `(...)` (optional words or explanations), `<warten>` (search keys), ` /OMG/` (abbreviations),
    `a/b` (inline variants), `sb.` `sth.` `jdm.` `etw.` (placeholders).

Extraction rules (`extract_pairs`)
    1. Header lines (`#`) are skipped; each entry is split at ` :: ` and both sides at ` | `.
       An entry whose two sides have a different number of alternatives is skipped.
    2. Each aligned alternative is split into synonyms at `;` (outside brackets). If both sides have
       the same number of synonyms they are paired one to one, otherwise only the first synonym
       of each side is kept.
    3. Cleaning: `{...}`, `[...]`, `<...>` and ` /ABBR/` markup is removed; parenthesised text is
       removed (in example sentences it marks optional words or annotations, and the sentence
       reads naturally without it); the typographic apostrophe ’ becomes ', as people type it;
       NFC, white space collapsed, no space before , . ! ? ; :.
    4. An entry written the wrong way round (English words on the German side and vice versa,
       judged by function words such as the/and/is vs. der/und/ist) is swapped back.
    5. A pair is kept only if both sides are full sentences (start with a capital letter or an
       opening quote, end with . ! or ?, optionally followed by a closing quote), the English
       side has 3..15 words and the German side 3..18 (white-space separated), both sides have
       the same number of sentences (so "Hi! Hello!" is not paired with "Hallo!"), the two sides
       differ (no untranslated Latin), neither side still contains a slash variant (`a/b`,
       `a / b`; which span they cover is ambiguous), an ellipsis, a placeholder (sb. sth. jdm.
       jdn. jds. jd. etw.) or markup characters ({ } [ ] < > | ( ) ~ =), no removed parenthesis
       held a negation (not/n't/never/no/nicht/kein.../nie), which would change the meaning on
       one side only, and no German separable-verb particle was removed at the end of a clause
       ("Sie hob ihren Rock (an).").
    6. Exact duplicate pairs are dropped; at most the first 2 German translations (in dictionary
       order) are kept for one English sentence; the result is sorted by (english, german).
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path("/usr/share/trans/de-en")
DEFAULT_OUT = ROOT / "data" / "en-de" / "pairs.tsv"
EN_WORDS = (3, 15)
DE_WORDS = (3, 18)
MAX_TRANSLATIONS = 2

_BRACES = re.compile(r"\{[^{}]*\}")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_ANGLES = re.compile(r"<[^<>]*>")
_ABBREV = re.compile(r"(?<!\S)/[^/\s](?:[^/]*[^/\s])?/(?=\s|$)")
_PARENS = re.compile(r"\(([^()]*)\)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?;:])")
_SPACES = re.compile(r"\s+")
_OPENING_QUOTES = "\"'„“‚»"
_SENTENCE_END = re.compile(r"[.!?][\"'“”‘»]?$")
_LEFTOVER = re.compile(r"[{}\[\]<>|()~=/…]|\.\.\.|::")
_PLACEHOLDER = re.compile(r"\b(?:sb|sth|jd|jdm|jdn|jds|etw)\b\.?|\bsb's\b")
# A sentence boundary: . ! ? (and a closing quote) before a capital -- unless it ends a number
# ("am 5. Mai") or one of these abbreviations ("Mr. Brown", "z. B. Gras").
_BOUNDARY = re.compile(r"(\S*?)[.!?][\"'“”»]?\s+[\"'„“]?(?=[A-ZÄÖÜ])")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "hr", "hrn", "fr", "nr", "no", "vol", "z", "b", "d", "h",
                  "mio", "mrd", "jh", "chr", "bzw", "ca", "usw", "etc", "vs", "u", "a", "s"}
# German separable-verb particles: "Sie hob ihren Rock (an)." must not lose its "an".
_PARTICLES = {"ab", "an", "auf", "aus", "bei", "dar", "durch", "ein", "fest", "her", "heraus", "herein",
              "herum", "herunter", "hin", "hinaus", "hinein", "hinauf", "hinunter", "los", "mit", "nach",
              "nieder", "um", "vor", "vorbei", "weg", "weiter", "zu", "zurück", "zusammen"}
_NEGATION = re.compile(r"\b(?:not|never|no|nicht|nie|niemals|kein\w*)\b|n't\b", re.IGNORECASE)
# Function words that occur in only one of the two languages (to spot entries written the wrong way round).
_EN_WORDS = set("the and is of to you it he she we they with for that this are my your be has have "
                "what do does did don't can't it's i'm you're".split())
_DE_WORDS = set("der das und ist nicht ich sich ein eine einen mit auf zu den dem von wir sie es ihr du "
                "er auch noch wird werden sind dass wie kein keine nur ja doch mir mich dich dir uns euch".split())


def split_top(text: str, sep: str) -> list[str]:
    """Split at `sep` only outside (), [], {} and <>; drop empty parts."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth = max(0, depth - 1)
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def clean(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """Remove the markup from one synonym. Returns the cleaned text and the removed parenthesised
    texts, each with a flag telling whether it stood right before . ! or ? (end of a clause)."""
    text = unicodedata.normalize("NFC", text)
    for pattern in (_BRACES, _BRACKETS, _ANGLES, _ABBREV):
        text = pattern.sub(" ", text)
    removed: list[tuple[str, bool]] = []
    while True:  # innermost groups first, so nested parentheses disappear too
        found = list(_PARENS.finditer(text))
        if not found:
            break
        removed += [(m.group(1), re.match(r"\s*[.!?]", text[m.end():]) is not None) for m in found]
        text = _PARENS.sub("", text)
    text = text.replace("’", "'")
    text = _SPACES.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = re.sub(r",(?=[,.!?;:])", "", text)  # "gut (so), oder?" -> no comma left dangling
    text = re.sub(r"([.!?])\.$", r"\1", text)  # "... machine. [Am.]." -> "... machine."
    return text, removed


def sentence_count(text: str) -> int:
    """Number of sentences in `text` (see _BOUNDARY)."""
    words = [m.group(1).lower().strip("\"'„“(") for m in _BOUNDARY.finditer(text)]
    return 1 + sum(1 for w in words if not (w.isdigit() or w.rstrip(".") in _ABBREVIATIONS))


def is_sentence(text: str, words: tuple[int, int]) -> bool:
    """A full sentence of words[0]..words[1] words, with no markup, variants or placeholders left."""
    n = len(text.split())
    first = text.lstrip(_OPENING_QUOTES)[:1]
    return (words[0] <= n <= words[1] and first.isupper()
            and bool(_SENTENCE_END.search(text)) and not _LEFTOVER.search(text)
            and not _PLACEHOLDER.search(text))


def _score(text: str, vocabulary: set[str]) -> int:
    return sum(w.lower() in vocabulary for w in re.findall(r"[\w']+", text))


def looks_swapped(en: str, de: str) -> bool:
    """True when the 'English' text reads as German and the 'German' one as English."""
    return _score(en, _DE_WORDS) > _score(en, _EN_WORDS) and _score(de, _EN_WORDS) > _score(de, _DE_WORDS)


def _alternative_pairs(de_alt: str, en_alt: str) -> Iterable[tuple[str, str]]:
    """Sentence pairs from one aligned alternative (rules 2-4)."""
    de_syn, en_syn = split_top(de_alt, ";"), split_top(en_alt, ";")
    if not de_syn or not en_syn:
        return
    pairs = zip(en_syn, de_syn) if len(de_syn) == len(en_syn) else [(en_syn[0], de_syn[0])]
    for en_raw, de_raw in pairs:
        en, en_removed = clean(en_raw)
        de, de_removed = clean(de_raw)
        if any(_NEGATION.search(text) for text, _ in en_removed + de_removed):
            continue  # "I'm (not) surprised." -- dropping the brackets may flip the meaning
        if any(at_end and text.strip().lower() in _PARTICLES for text, at_end in de_removed):
            continue  # a separable-verb particle at the end of a German clause is not optional
        if looks_swapped(en, de):
            en, de = de, en
        if (en != de and is_sentence(en, EN_WORDS) and is_sentence(de, DE_WORDS)
                and sentence_count(en) == sentence_count(de)):
            yield en, de


def extract_pairs(lines: Iterable[str]) -> list[tuple[str, str]]:
    """(english, german) sentence pairs from lines in Ding format, following the module's rules."""
    seen: set[tuple[str, str]] = set()
    per_english: dict[str, int] = {}
    out: list[tuple[str, str]] = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#") or " :: " not in line:
            continue
        de_side, en_side = line.split(" :: ", 1)
        de_alts, en_alts = de_side.split(" | "), en_side.split(" | ")
        if len(de_alts) != len(en_alts):
            continue
        for de_alt, en_alt in zip(de_alts, en_alts):
            for pair in _alternative_pairs(de_alt, en_alt):
                if pair in seen or per_english.get(pair[0], 0) >= MAX_TRANSLATIONS:
                    continue
                seen.add(pair)
                per_english[pair[0]] = per_english.get(pair[0], 0) + 1
                out.append(pair)
    return sorted(out)


_PHRASE = re.compile(r"[\w'\-]+(?: [\w'\-]+){0,2}")


def extract_lexicon(lines: Iterable[str], sentence_pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(english, german) dictionary entries of one to three words each, cleaned like the sentences,
    kept only when every word also occurs in the sentence pairs (so they teach the words the
    sentences use, and add none to the vocabulary). A leading infinitive "to " is dropped."""
    en_words = {w.lower() for en, _ in sentence_pairs for w in re.findall(r"[\w'\-]+", en)}
    de_words = {w for _, de in sentence_pairs for w in re.findall(r"[\w'\-]+", de)}
    out: set[tuple[str, str]] = set()
    for line in lines:
        if line.startswith("#") or " :: " not in line:
            continue
        de_side, en_side = line.rstrip("\n").split(" :: ", 1)
        de_alts, en_alts = de_side.split(" | "), en_side.split(" | ")
        if len(de_alts) != len(en_alts):
            continue
        for de_alt, en_alt in zip(de_alts, en_alts):
            de_syn, en_syn = split_top(de_alt, ";"), split_top(en_alt, ";")
            if not de_syn or not en_syn:
                continue
            for en_raw, de_raw in (zip(en_syn, de_syn) if len(de_syn) == len(en_syn) else [(en_syn[0], de_syn[0])]):
                en, _ = clean(en_raw)
                de, _ = clean(de_raw)
                en = en[3:] if en.startswith("to ") else en
                if (en != de and _PHRASE.fullmatch(en) and _PHRASE.fullmatch(de)
                        and not _PLACEHOLDER.search(en) and not _PLACEHOLDER.search(de)
                        and all(w.lower() in en_words for w in en.split()) and all(w in de_words for w in de.split())):
                    out.add((en, de))
    return sorted(out)


def parse_header(lines: Iterable[str]) -> dict[str, str]:
    """The `# Key :: value` header of a Ding file (continuation lines are joined)."""
    header: dict[str, str] = {}
    key = None
    for line in lines:
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if " :: " in body:
            key, value = body.split(" :: ", 1)
            header[key.strip()] = value.strip()
        elif key and body:
            header[key] = f"{header[key]} {body}"
    return header


def licence_text(header: dict[str, str], source: Path, count: int) -> str:
    return f"""# Licence of `pairs.tsv`

`pairs.tsv` is an **extract** of the Ding German-English dictionary: {count} English -> German
example sentence pairs, selected and cleaned by `scripts/fetch_ende.py` (see its docstring for
the rules). It is not the complete dictionary.

- Source: Ding dictionary, {header.get('URL', 'https://dict.tu-chemnitz.de/')}, as shipped by the
  Debian package `trans-de-en` in `{source}`
- Version: {header.get('Version', 'unknown')}
- Copyright (c) {header.get('Copyright (c)', 'Frank Richter')}
- Licence (from the file's header): {header.get('License', 'GPL Version 2 or later')}

This extract is distributed under the same licence: the GNU General Public License, version 2 or
(at your option) any later version (GPL-2.0-or-later). See
<https://www.gnu.org/licenses/old-licenses/gpl-2.0.html> (on Debian systems:
`/usr/share/common-licenses/GPL-2`). It comes with ABSOLUTELY NO WARRANTY.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="Ding file (de-en)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output TSV")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"error: {args.source} not found. It comes with the Debian package trans-de-en; "
              f"install it with:\n    apt-get install trans-de-en\nthen run this script again.",
              file=sys.stderr)
        return 1
    with args.source.open(encoding="utf-8") as f:
        lines = f.readlines()
    header = parse_header(lines)
    pairs = extract_pairs(lines)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as f:
        for en, de in pairs:
            f.write(f"{en}\t{de}\n")
    lexicon = extract_lexicon(lines, pairs)
    with (args.out.parent / "lexicon.tsv").open("w", encoding="utf-8", newline="\n") as f:
        for en, de in lexicon:
            f.write(f"{en}\t{de}\n")
    print(f"wrote {len(lexicon)} dictionary phrase pairs to {args.out.parent / 'lexicon.tsv'}")
    (args.out.parent / "LICENSE.md").write_text(licence_text(header, args.source, len(pairs)), encoding="utf-8")
    print(f"wrote {len(pairs)} pairs ({len({en for en, _ in pairs})} English sentences, "
          f"{args.out.stat().st_size / 1e6:.2f} MB) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
