"""`sentiment`: negative / neutral / positive for a sentence (human ratings, VADER ground truth).

The human-rated snippets of Hutto & Gilbert (ICWSM 2014): movie-review snippets, tweets, New York
Times editorial snippets and Amazon product-review snippets, each rated by about 20 people from
-4 to +4. They ship only in the source distribution of the PyPI package vaderSentiment 3.3.2
(MIT); scripts/fetch_sentiment.py extracts them into data/sentiment/sentences.tsv and labels the
mean rating: <= -0.5 negative, >= +0.5 positive, neutral between (the sign of the mean rounded to
the raters' nearest scale point). 23,618 snippets: 39% negative, 18% neutral, 43% positive; the
neutral share ranges from 5% of the movie snippets to 43% of the editorial ones (the script's
docstring and data/sentiment/LICENSE.md have the table).

Splits are stratified by source and label: within each (source, label) group the texts are
ranked by a hash of the seed and the text (hashlib, so the same in every process) and dealt out,
the first 10% to test, the next 7% to validation, the rest to training (seed 0: 19,549 / 1,648 /
2,357 snippets); each split is then ordered by another hash of seed and text, so a capped split
is a random sample of the whole one. A text's split depends only on the seed, the text and the
texts of its group: adding or removing one text moves at most two others of its group to another
split, so regenerating the data with a few texts changed leaves the rest where they were.
No text is in two splits: texts are compared lowercased with white space collapsed, and one that
occurs in two groups ("Yes." in the editorials, "yes." in the product reviews) is kept only in
the first of test, validation, training it was dealt to (and only once there).
"""
from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

KIND = "classifier"
LABELS = ["negative", "neutral", "positive"]
DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "sentiment" / "sentences.tsv"
FETCH_COMMAND = "python scripts/fetch_sentiment.py"
COLUMNS = ["source", "id", "rating", "label", "text"]
SOURCE = {"data": "human-rated snippets of the VADER ground truth (Hutto & Gilbert, ICWSM 2014): movie reviews, "
                  "tweets, NYT editorials, Amazon product reviews; from the vaderSentiment 3.3.2 source distribution "
                  "by scripts/fetch_sentiment.py (data/sentiment/sentences.tsv); mean rating <= -0.5 negative, "
                  ">= +0.5 positive, else neutral",
          "licence": "MIT (vaderSentiment, (c) C.J. Hutto; data/sentiment/LICENSE.md)"}
HELD_OUT = "no snippet text (lowercased) is in two splits; splits stratified by source and label"
SHARES = {"test": 0.10, "valid": 0.07}
# Short sentences of our own (none is in the data), in the data's everyday vocabulary: three
# positive, four negative, three neutral. The shipped model reads each of them as a person would
# (tests/test_tasks_sentiment.py checks it):
# the "but" turn flips its prediction from negative to positive at "wonderful", and the negations
# ("not a good", "did not like") read as negative. ("The plot was dull, but the acting was superb."
# stayed negative to the end; "It was okay, nothing special." was a coin toss.)
EXAMPLES = ["The story was weak, but the acting was wonderful.",
            "I really loved this little phone, it works great!", "This is not a good movie.",
            "The service was slow and the food was cold.", "The report will be published on Friday.",
            "What a wonderful surprise, thank you so much!", "Worst purchase I have ever made. Do not buy it.",
            "The store opens at nine on Monday.", "The new policy will take effect next year.",
            "I did not like this book."]


def _key(text: str) -> str:
    """The form in which two texts count as the same: lowercased, white space collapsed."""
    return re.sub(r"\s+", " ", text.lower()).strip()


def load_sentences(path: Path | None = None) -> list[dict]:
    """All rows of data/sentiment/sentences.tsv in file order: dicts with the keys of COLUMNS
    (all strings; `rating` is the mean human rating, `label` one of LABELS)."""
    path = Path(path) if path else DATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the sentiment data is extracted from the vaderSentiment "
                                f"3.3.2 source distribution; run `{FETCH_COMMAND}` in the repository root.")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header != COLUMNS:
            raise ValueError(f"{path}: expected the header {'<TAB>'.join(COLUMNS)}, got {header!r}; "
                             f"regenerate it with `{FETCH_COMMAND}`")
        rows = []
        for number, fields in enumerate(reader, 2):
            if len(fields) != len(COLUMNS) or not fields[4] or fields[3] not in LABELS:
                raise ValueError(f"{path}:{number}: expected source, id, rating, a label of {LABELS} and "
                                 f"a text, tab-separated; got {fields!r}")
            rows.append(dict(zip(COLUMNS, fields)))
    return rows


def _rank(seed: int, purpose: str, key: str) -> bytes:
    return hashlib.blake2b(f"{seed}\t{purpose}\t{key}".encode("utf-8"), digest_size=8).digest()


def build_splits(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, str]]]:
    """{"train", "valid", "test"}: lists of (text, label) in a seeded random order. `sizes` caps a
    split (fast runs); a capped split is the start of the uncapped one, and capping one split
    leaves the others as they are."""
    groups: dict[tuple[str, str], dict[str, str]] = {}
    for row in load_sentences():
        groups.setdefault((row["source"], row["label"]), {}).setdefault(_key(row["text"]), row["text"])
    splits: dict[str, list[tuple[str, str]]] = {"train": [], "valid": [], "test": []}
    for (source, label), texts in sorted(groups.items()):
        keys = sorted(texts, key=lambda k: (_rank(seed, "split", k), k))
        n_test, n_valid = round(len(keys) * SHARES["test"]), round(len(keys) * SHARES["valid"])
        splits["test"] += [(texts[k], label) for k in keys[:n_test]]
        splits["valid"] += [(texts[k], label) for k in keys[n_test : n_test + n_valid]]
        splits["train"] += [(texts[k], label) for k in keys[n_test + n_valid :]]
    seen: set[str] = set()  # a text of two groups: only its first copy, test before valid before train
    for name in ("test", "valid", "train"):
        kept = []
        for text, label in sorted(splits[name], key=lambda item: (_rank(seed, "order", _key(item[0])), item)):
            if _key(text) not in seen:
                seen.add(_key(text))
                kept.append((text, label))
        splits[name] = kept
    for name, cap in (sizes or {}).items():
        if cap is not None and name in splits:
            splits[name] = splits[name][:cap]
    return splits
