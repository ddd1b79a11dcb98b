"""`en-tr`: translate short English sentences into Turkish (subword pieces).

Data: real human translations from Tatoeba (https://tatoeba.org, CC BY 2.0 FR; credit: Tatoeba and
its contributors), 94,188 English-Turkish pairs of 1-12 words a side, in `data/en-tr/pairs.tsv`
(provenance and licence in `data/en-tr/LICENSE.md`).

Classroom rule (`classroom_safe`): a pair is dropped when either side contains a word of
BLOCKED_ENGLISH (English side) or starts a word with a stem of BLOCKED_TURKISH (Turkish side): slurs,
sexual content, killing and weapons, self-harm, hard drugs. The English words match whole words,
case-insensitively, with their common inflections listed; the Turkish stems match the start of a
word, since Turkish adds its suffixes at the end (`öldür` catches `öldürdü`, `öldürmek`, ...).

Splits are held out by English sentence: every Turkish translation of one English sentence lands in
the same split. The English sentences are sorted, shuffled with `random.Random(seed)` and dealt out:
test first, then validation, each filled to its size in pairs; the rest is training.
"""
from __future__ import annotations

import functools
import random
import re
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "en-tr" / "pairs.tsv"

SOURCE = {"data": "Tatoeba English-Turkish sentence pairs (https://tatoeba.org; OPUS Tatoeba v2019-07-09 and the "
                  "manythings.org release, merged and deduplicated), data/en-tr/pairs.tsv, minus the pairs the "
                  "classroom rule of core/tasks/entr.py drops",
          "licence": "CC BY 2.0 FR; credit: Tatoeba (https://tatoeba.org) and its contributors",
          "credit": "Translations from Tatoeba (tatoeba.org) and its contributors, CC BY 2.0 FR"}

BLOCKED_ENGLISH = frozenset("""
kill kills killed killing killer killers murder murders murdered murderer murdering
rape raped rapes rapist raping suicide suicidal stab stabbed stabbing strangle strangled
shoot shooting shot shots gun guns pistol rifle bullet bullets bomb bombs bombed bombing
corpse corpses dead death execute executed execution torture tortured slaughter slaughtered
behead beheaded massacre hanged blood bloody weapon weapons assassinate assassinated
sex sexy sexual naked nude porn porno pornography orgasm erotic prostitute prostitutes whore
whores slut sluts condom condoms penis vagina breasts boobs virgin seduce seduced horny
fuck fucks fucked fucking fucker shit shitty bitch bitches bastard bastards asshole dick cock
cunt pussy nigger nigga faggot fag retard retarded dyke tranny
cocaine heroin meth drugs overdose
""".split())

BLOCKED_TURKISH = ("öldür", "öldü", "ölü", "ölüm", "cinayet", "katil", "tecavüz", "intihar", "bıçakla",
                   "silah", "tabanca", "tüfek", "bomba", "ceset", "idam", "işkence", "kan ",
                   "seks", "çıplak", "porno", "fahişe", "orospu", "sik", "amcık", "piç", "kokain",
                   "eroin", "uyuşturucu")

_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def classroom_safe(english: str, turkish: str) -> bool:
    """False for a pair that does not belong in a classroom (see the module's rule)."""
    words = {w.lower().split("'")[0] for w in _WORDS.findall(english)}
    if words & BLOCKED_ENGLISH:
        return False
    turkish_words = [w.replace("İ", "i").replace("I", "ı").lower() for w in _WORDS.findall(turkish)]
    for stem in BLOCKED_TURKISH:
        if stem.endswith(" "):  # a whole word, not a stem ("kan" = blood, but "kanepe" = sofa)
            if stem.strip() in turkish_words:
                return False
        elif any(w.startswith(stem) for w in turkish_words):
            return False
    return True


# Everyday sentences for the page's example buttons, chosen from the held-out test split of seed 0
# (never seen in training) where en-tr-attn's output equals a human reference; they show Turkish
# word order (the verb moves to the end) and suffixes (tests/test_tasks_entr.py keeps them correct).
EXAMPLES = ["I went to Boston last year.", "I decided to enter the room.", "They need a hero.",
            "Give Tom everything you've got.", "Tom is going to see Mary.", "I would like to go home now.",
            "Thank you for supporting me.", "I have been reading a book all morning.", "Can we get some coffee?",
            "I need a new jacket."]
DEFAULT_SIZES = {"train": None, "valid": 1000, "test": 2000}  # train None: all remaining pairs


@functools.lru_cache(maxsize=4)
def _read(path: Path) -> tuple[tuple[str, str], ...]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: copy the Tatoeba pairs there (see data/en-tr/LICENSE.md)")
    pairs = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 2 or not all(f.strip() for f in fields):
                raise ValueError(f"{path}:{number}: expected 'english<TAB>turkish', got {line!r}")
            pairs.append((fields[0].strip(), fields[1].strip()))
    return tuple(pairs)


def load_pairs(path: Path | None = None) -> list[tuple[str, str]]:
    """Every (english, turkish) pair of the data file, in file order, before the classroom rule."""
    return list(_read(Path(path) if path else DATA_FILE))


def classroom_pairs() -> list[tuple[str, str]]:
    """The pairs the classroom rule keeps."""
    return [pair for pair in load_pairs() if classroom_safe(*pair)]


def references(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Every translation of each English sentence of `pairs`, in order."""
    out: dict[str, list[str]] = {}
    for en, tr in pairs:
        out.setdefault(en, []).append(tr)
    return out


def build_splits(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, str]]]:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    translations = references(classroom_pairs())
    english = sorted(translations)
    random.Random(seed).shuffle(english)
    splits: dict[str, list[tuple[str, str]]] = {"train": [], "valid": [], "test": []}
    for en in english:
        group = [(en, tr) for tr in translations[en]]
        for name in ("test", "valid"):
            if len(splits[name]) + len(group) <= sizes[name]:
                splits[name].extend(group)
                break
        else:
            splits["train"].extend(group)
    if sizes.get("train") is not None:
        splits["train"] = splits["train"][: sizes["train"]]
    return splits
