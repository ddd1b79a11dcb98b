"""The data of the single-RNN tasks: Shakespeare's plays (lm), the VADER sentences (sentiment) and the
synthetic sentences of ner. Splits are disjoint and deterministic; labels are what they claim."""
from __future__ import annotations

import csv
import random
from collections import Counter

import pytest

from core.tasks import get_task
from core.text import normalize, tokenize


# ---- lm: Shakespeare ------------------------------------------------------------------------
def test_plays_are_plain_play_text_in_a_small_alphabet():
    plays = get_task("lm").load_plays()
    assert len(plays) == 38 and all(plays.values())
    text = "".join(plays.values())
    alphabet = set(text)
    assert len(alphabet) < 90 and all(c == "\n" or 32 <= ord(c) < 127 for c in alphabet)
    for marker in ("**", "##", "_", "\\"):
        assert marker not in text
    speakers = [line for line in text.split("\n") if line.endswith(":") and line[:-1].isupper()]
    assert len(speakers) > 20_000  # every speech starts with its speaker
    assert "HAMLET:\nTo be, or not to be: that is the question:" in plays["Hamlet"]


def test_lm_splits_hold_whole_plays_out():
    task = get_task("lm")
    splits = task.build_splits()
    plays = task.load_plays()
    assert splits["test"] == "\n".join(plays[t] for t in task.TEST_PLAYS)
    assert splits["valid"] == "\n".join(plays[t] for t in task.VALID_PLAYS)
    assert len(splits["train"]) > 4_000_000
    for title in task.TEST_PLAYS + task.VALID_PLAYS:
        assert plays[title][:2000] not in splits["train"]
    lines = {line for line in splits["test"].split("\n") if len(line) > 60}
    assert sum(line in splits["train"] for line in lines) < 0.01 * len(lines)  # only stock phrases repeat
    assert task.build_splits(seed=0) == splits and task.build_splits(seed=1)["train"] != splits["train"]
    assert len(task.build_splits(sizes={"train": 1000})["train"]) == 1000


def test_missing_plays_file_names_the_file_and_the_command(monkeypatch, tmp_path):
    task = get_task("lm")
    monkeypatch.setattr(task, "DATA_FILE", tmp_path / "nope.txt.gz")
    with pytest.raises(FileNotFoundError, match="nope.txt.gz.*fetch_shakespeare"):
        task.build_splits()


# ---- sentiment ------------------------------------------------------------------------------
def test_sentiment_labels_follow_the_ratings():
    task = get_task("sentiment")
    rows = task.load_sentences()
    assert len(rows) > 20_000
    for row in rows:
        rating = float(row["rating"])
        expected = "negative" if rating <= -0.5 else "positive" if rating >= 0.5 else "neutral"
        assert row["label"] == expected
        assert -4 <= rating <= 4 and row["text"] == " ".join(row["text"].split())
    assert {row["source"] for row in rows} == {"movie", "tweet", "editorial", "product"}
    counts = Counter(row["label"] for row in rows)
    assert min(counts.values()) > 0.1 * len(rows)


def test_sentiment_splits_are_disjoint_stratified_and_deterministic():
    task = get_task("sentiment")
    splits = task.build_splits()
    keys = {name: {" ".join(t.lower().split()) for t, _ in items} for name, items in splits.items()}
    assert not keys["train"] & keys["test"] and not keys["train"] & keys["valid"] and not keys["valid"] & keys["test"]
    total = sum(len(v) for v in splits.values())
    assert 0.08 < len(splits["test"]) / total < 0.12
    for name in splits:
        assert {label for _, label in splits[name]} == set(task.LABELS)
    assert task.build_splits() == splits
    assert [len(v) for v in task.build_splits(sizes={"train": 50, "test": 20}).values()][::2] == [50, 20]


def test_sentiment_file_is_tab_separated_without_stray_tabs():
    task = get_task("sentiment")
    with task.DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["source", "id", "rating", "label", "text"] and all(len(r) == 5 for r in rows)


# ---- ner --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ner_splits():
    return get_task("ner").build_splits(sizes={"train": 3000, "valid": 300, "test": 600, "test_templates": 600})


def test_ner_tags_follow_the_projects_tokens(ner_splits):
    task = get_task("ner")
    used = Counter()
    for items in ner_splits.values():
        for text, tags in items:
            assert len(tags) == len(tokenize(normalize(text, lowercase=False), "word")), text
            used.update(tags)
    assert set(used) == set(task.LABELS)


def test_ner_holds_template_families_out(ner_splits):
    task = get_task("ner")
    assert sum(len(t) for t in task.FAMILIES.values()) >= 120 and len(task.FAMILIES) >= 24
    assert 0.1 < len(task.HELD_OUT_FAMILIES) / len(task.FAMILIES) < 0.3
    texts = {name: {t for t, _ in items} for name, items in ner_splits.items()}
    names = list(texts)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not texts[a] & texts[b], (a, b)
    held_starts = {t.split("{")[0] for f in task.HELD_OUT_FAMILIES for t in task.FAMILIES[f] if not t.startswith("{")}
    assert any(any(text.startswith(s) for s in held_starts if len(s) > 8) for text in texts["test_templates"])
    assert task.build_splits(sizes={"train": 200, "valid": 20, "test": 20, "test_templates": 20}) == \
        task.build_splits(sizes={"train": 200, "valid": 20, "test": 20, "test_templates": 20})


def test_ner_fill_by_hand():
    from core.tasks.ner import _Pools, fill

    pools = _Pools(0, size=30)
    rng = random.Random(5)
    for _ in range(50):
        sample = fill("{PER} flew from {LOC} to {LOC} on {DATE}.", rng, pools)
        if sample is None:
            continue
        text, tags = sample
        tokens = tokenize(text, "word")
        assert tags[tokens.index("flew")] == "O" and tags[-1] == "O" and tokens[-1] == "."
        assert tags[0] == "PER" and "LOC" in tags and "DATE" in tags
        first_loc = tags.index("LOC")
        assert tokens[first_loc - 1] == "from"
    text, tags = fill("The {thing} was {adj} and we stayed at home.", rng, pools)
    assert set(tags) == {"O"} and len(tags) == 10


@pytest.mark.parametrize("task", ["ner", "sentiment"])
def test_splits_are_the_same_in_every_process(task):
    """Python salts str hashes per process; nothing in a split may depend on set order."""
    import hashlib
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (f"import hashlib, json; from core.tasks import get_task; "
            f"s = get_task({task!r}).build_splits(sizes={{'train': 3000}}); "
            f"print(hashlib.md5(json.dumps(s).encode()).hexdigest())")
    root = Path(__file__).resolve().parent.parent
    digests = {subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(root)}).stdout
               for seed in (1, 2, 3)}
    here = get_task(task).build_splits(sizes={"train": 3000})
    assert digests == {hashlib.md5(json.dumps(here).encode()).hexdigest() + "\n"}
