"""The tasks the shipped models are trained on.

Each task module exposes:
    SOURCE: dict            -- where the data comes from and under which licence
    build_splits(seed=0, sizes=None) -> {"train": [...], "valid": [...], "test": [...]}
        lists of (source_text, target_text) as a person would type the source; deterministic
        for a seed; the held-out splits never share their key (date, number, sentence pair)
        with the training split.
    EXAMPLES: list[str]     -- inputs that show the task off

The single-RNN tasks (core.rnn) also set KIND ('lm' | 'classifier' | 'tagger'): a language
model's splits are texts; a classifier's are (text, label) and a tagger's (text, tags) pairs,
the tags one per core.text token, with LABELS listing the label set.
"""
from __future__ import annotations

import importlib
from types import ModuleType

TASKS = {"dates": "dates", "numbers": "numbers", "en-tr": "entr", "reverse": "reverse",
         "lm": "shakespeare", "sentiment": "sentiment", "ner": "ner"}


def get_task(name: str) -> ModuleType:
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    return importlib.import_module(f"{__name__}.{TASKS[name]}")
