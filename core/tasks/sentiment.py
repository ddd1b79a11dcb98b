"""`sentiment`: negative / neutral / positive for a sentence (human ratings, VADER ground truth).

The human-rated snippets of Hutto & Gilbert (ICWSM 2014): movie-review snippets, tweets, New York
Times editorial snippets and Amazon product-review snippets, each rated by about 20 people from
-4 to +4. They ship only in the source distribution of the PyPI package vaderSentiment 3.3.2
(MIT); scripts/fetch_sentiment.py extracts them into data/sentiment/sentences.tsv and labels the
mean rating: <= -0.5 negative, >= +0.5 positive, neutral between. Splits are stratified by source
and label; no text (lowercased, spaces collapsed) is in two splits.
"""
from __future__ import annotations

import csv
import random
import re
from pathlib import Path

KIND = "classifier"
LABELS = ["negative", "neutral", "positive"]
DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "sentiment" / "sentences.tsv"
FETCH_COMMAND = "python scripts/fetch_sentiment.py"
SOURCE = {"data": "human-rated snippets of the VADER ground truth (Hutto & Gilbert, ICWSM 2014): movie reviews, "
                  "tweets, NYT editorials, Amazon product reviews; from the vaderSentiment 3.3.2 source distribution "
                  "by scripts/fetch_sentiment.py (data/sentiment/sentences.tsv); mean rating <= -0.5 negative, "
                  ">= +0.5 positive, else neutral",
          "licence": "MIT (vaderSentiment, (c) C.J. Hutto; data/sentiment/LICENSE.md)"}
HELD_OUT = "no snippet text (lowercased) is in two splits; splits stratified by source and label"
SHARES = {"test": 0.10, "valid": 0.07}
EXAMPLES = ["The plot was dull, but the acting was superb.", "I really loved this little phone, it works great!",
            "This is not a good movie.", "The service was slow and the food was cold.",
            "The meeting is scheduled for Tuesday afternoon.", "What a wonderful surprise, thank you so much!",
            "Worst purchase I have ever made. Do not buy it.", "It was okay, nothing special.",
            "The new policy will take effect next year."]


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def load_sentences(path: Path | None = None) -> list[dict]:
    path = Path(path) if path else DATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; create it with `{FETCH_COMMAND}`.")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        if row["label"] not in LABELS:
            raise ValueError(f"{path}: unknown label {row['label']!r}")
    return rows


def build_splits(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, str]]]:
    """{"train", "valid", "test"}: lists of (text, label). `sizes` caps a split (fast runs)."""
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for row in load_sentences():
        groups.setdefault((row["source"], row["label"]), {}).setdefault(_key(row["text"]), row["text"])
    rng = random.Random(seed)
    splits: dict[str, list[tuple[str, str]]] = {"train": [], "valid": [], "test": []}
    for (source, label), texts in sorted(groups.items()):
        items = sorted(texts.values())
        rng.shuffle(items)
        n_test, n_valid = round(len(items) * SHARES["test"]), round(len(items) * SHARES["valid"])
        splits["test"] += [(t, label) for t in items[:n_test]]
        splits["valid"] += [(t, label) for t in items[n_test : n_test + n_valid]]
        splits["train"] += [(t, label) for t in items[n_test + n_valid :]]
    for name, items in splits.items():
        rng.shuffle(items)
        cap = (sizes or {}).get(name)
        if cap is not None:
            splits[name] = items[:cap]
    return splits
