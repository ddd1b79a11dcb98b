"""`reverse`: write a string of letters backwards ("attention" -> "noitnetta").

Generated: lengths 3 to 40 drawn uniformly, letters a-z drawn uniformly. A string in the
validation or test split never occurs in the training split. Long inputs are where the
fixed-length context of a plain encoder-decoder runs out of room.
"""
from __future__ import annotations

import random
import string

SOURCE = {"data": "generated: random strings of the letters a-z, lengths 3 to 40 (core/tasks/reverse.py)",
          "licence": "generated data (no external source)"}
EXAMPLES = ["attention", "encoder", "abcdefghijklmnopqrstuvwxyz",
            "thequickbrownfoxjumpsoverthelazydog", "recurrent", "bottleneck", "xyz",
            "attentionisallyouneed", "istanbultechnicaluniversity"]
MIN_LEN, MAX_LEN = 3, 40
DEFAULT_SIZES = {"train": 200_000, "valid": 1000, "test": 3000}


def _sample(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(MIN_LEN, MAX_LEN)))


def build_splits(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, str]]]:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    rng = random.Random(seed)
    held_out: set[str] = set()
    splits: dict[str, list[tuple[str, str]]] = {}
    for split in ("test", "valid"):
        seen: list[str] = []
        while len(seen) < sizes[split]:
            s = _sample(rng)
            if s not in held_out:
                held_out.add(s)
                seen.append(s)
        splits[split] = [(s, s[::-1]) for s in seen]
    train = []
    while len(train) < sizes["train"]:
        s = _sample(rng)
        if s not in held_out:
            train.append((s, s[::-1]))
    splits["train"] = train
    return {"train": splits["train"], "valid": splits["valid"], "test": splits["test"]}
