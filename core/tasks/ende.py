"""`en-de`: translate short English sentences into German (word level).

Data: the example sentences of the Ding German-English dictionary (Frank Richter, TU Chemnitz,
GPL-2.0-or-later), extracted once from the Debian package `trans-de-en` by
`scripts/fetch_ende.py` into `data/en-de/pairs.tsv` (`english<TAB>german`, about 17,000 pairs,
3-15 English / 3-18 German words; see the script's docstring for the extraction rules and
`data/en-de/LICENSE.md` for the licence).

Splits are held out by English sentence: every German translation of one English sentence lands
in the same split, so a validation or test sentence is never seen in training, not even with
another translation. The English sentences are sorted, shuffled with `random.Random(seed)` and
dealt out: test first, then validation, each filled to exactly its size; the rest is training.
"""
from __future__ import annotations

import functools
import random
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "en-de" / "pairs.tsv"
# Dictionary entries of 1-3 words whose words all occur in the sentences (data/en-de/lexicon.tsv).
# Only the single-word ones (one English word, one German word) go into the training split, so the
# model learns word translations that 15k sentences alone teach too rarely; the 2-3 word phrases
# cost training time without improving sentence translation (measured).
LEXICON_FILE = DATA_FILE.with_name("lexicon.tsv")
LEXICON_MAX_WORDS = 1
FETCH_COMMAND = "apt-get install trans-de-en && python scripts/fetch_ende.py"

SOURCE = {"data": "Ding German-English dictionary example sentences (Debian package trans-de-en 1.9-6, "
                  "/usr/share/trans/de-en, Version :: devel 2023-01-30), extracted by "
                  "scripts/fetch_ende.py into data/en-de/pairs.tsv; the training split also holds the dictionary's "
                  "single-word entries whose words occur in the sentences (data/en-de/lexicon.tsv)",
          "licence": "GPL-2.0-or-later (Ding dictionary, (c) Frank Richter "
                     "<frank.richter.tu-chemnitz.de>, 1995 - 2023; data/en-de/LICENSE.md)"}
# Simple sentences in the style of the data; none of them is an English sentence of the data
# (so none is in any training split), and every word occurs often enough in the training split for
# seed 0 to be in the model's vocabulary (min_freq in core/train.py; tests/test_tasks_ende.py checks).
EXAMPLES = ["I don't know what to do.", "Where are you going?", "He is my best friend.",
            "The weather is nice today.", "She has lost her keys.", "I am very tired.",
            "Can you help me?", "This book is very interesting.", "Why didn't you call me?",
            "The children are playing in the garden.",
            "I would like to know what you are going to do tomorrow."]
DEFAULT_SIZES = {"train": None, "valid": 500, "test": 1000}  # train None: all remaining pairs


@functools.lru_cache(maxsize=4)
def _read(path: Path) -> tuple[tuple[str, str], ...]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: the en-de data is extracted from the Debian package "
                                f"trans-de-en; run `{FETCH_COMMAND}` in the repository root")
    pairs = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 2 or not all(fields):
                raise ValueError(f"{path}:{number}: expected 'english<TAB>german', got {line!r}")
            pairs.append((fields[0], fields[1]))
    return tuple(pairs)


def load_pairs(path: Path | None = None) -> list[tuple[str, str]]:
    """All (english, german) pairs of data/en-de/pairs.tsv, in file order."""
    return list(_read(Path(path) if path else DATA_FILE))


def lexicon_pairs() -> list[tuple[str, str]]:
    """The dictionary entries the training split holds: both sides at most LEXICON_MAX_WORDS words."""
    if not LEXICON_FILE.is_file():
        return []
    return [(en, de) for en, de in load_pairs(LEXICON_FILE)
            if len(en.split()) <= LEXICON_MAX_WORDS and len(de.split()) <= LEXICON_MAX_WORDS]


def build_splits(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, str]]]:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    translations: dict[str, list[str]] = {}
    for en, de in load_pairs():
        translations.setdefault(en, []).append(de)
    english = sorted(translations)
    random.Random(seed).shuffle(english)
    splits: dict[str, list[tuple[str, str]]] = {"train": [], "valid": [], "test": []}
    for en in english:
        group = [(en, de) for de in translations[en]]
        for name in ("test", "valid"):
            if len(splits[name]) + len(group) <= sizes[name]:
                splits[name].extend(group)
                break
        else:
            splits["train"].extend(group)
    if sizes.get("train") is not None:
        splits["train"] = splits["train"][:sizes["train"]]
    else:
        splits["train"].extend(lexicon_pairs())
    return splits
