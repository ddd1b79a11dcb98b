"""The sentiment data: the extracted TSV (VADER's human-rated snippets), the labelling thresholds, the
extraction script (on a hand-made archive, so no download is needed) and the held-out splits."""
from __future__ import annotations

import importlib.util
import io
import tarfile
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from core.tasks import get_task, sentiment

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"movie", "tweet", "editorial", "product"}


def _load_script():
    spec = importlib.util.spec_from_file_location("fetch_sentiment", ROOT / "scripts" / "fetch_sentiment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fetch = _load_script()


@pytest.fixture(scope="module")
def rows():
    return sentiment.load_sentences()


@pytest.fixture(scope="module")
def splits():
    return sentiment.build_splits()


def _key(text: str) -> str:
    return " ".join(text.lower().split())


# ---- the file ---------------------------------------------------------------------------------
def test_the_file_parses_into_clean_rows(rows):
    assert get_task("sentiment") is sentiment and sentiment.KIND == "classifier"
    assert sentiment.LABELS == ["negative", "neutral", "positive"]
    lines = sentiment.DATA_FILE.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "source\tid\trating\tlabel\ttext" and lines[-1] == ""
    assert all(line.count("\t") == 4 for line in lines[1:-1])
    assert 23_000 < len(rows) < 24_000 and len(rows) == len(lines) - 2
    assert {row["source"] for row in rows} == SOURCES
    assert len({(row["source"], row["id"]) for row in rows}) == len(rows)
    texts = [row["text"] for row in rows]
    assert len(set(texts)) == len(texts), "exact duplicates are dropped"
    for text in texts:
        assert text == " ".join(text.split()) and text == unicodedata.normalize("NFC", text)
        assert "\ufffd" not in text and "&amp;" not in text and "&lt;" not in text
    assert "We were 17 deep last night & the love was so strong" in " ".join(texts)  # tweet 3: &amp; decoded
    assert any("Château" in text for text in texts)  # non-ASCII of the movie snippets read as UTF-8


def test_labels_follow_the_thresholds(rows):
    assert [fetch.label_of(r) for r in (-4, -0.5, -0.49, 0, 0.49, 0.5, 4)] == \
        ["negative", "negative", "neutral", "neutral", "neutral", "positive", "positive"]
    for row in rows:
        rating = float(row["rating"])
        assert -4 <= rating <= 4
        expected = "negative" if rating <= -0.5 else "positive" if rating >= 0.5 else "neutral"
        assert row["label"] == expected == fetch.label_of(rating), row


def test_class_balance(rows):
    counts = Counter(row["label"] for row in rows)
    shares = {label: counts[label] / len(rows) for label in sentiment.LABELS}
    assert 0.15 < shares["neutral"] < 0.25 and shares["negative"] > 0.3 and shares["positive"] > 0.3
    by_source = Counter((row["source"], row["label"]) for row in rows)
    for source in SOURCES:
        total = sum(by_source[(source, label)] for label in sentiment.LABELS)
        assert all(by_source[(source, label)] > 0.04 * total for label in sentiment.LABELS), source


def test_missing_file_names_the_file_and_the_command(monkeypatch, tmp_path):
    monkeypatch.setattr(sentiment, "DATA_FILE", tmp_path / "nope.tsv")
    with pytest.raises(FileNotFoundError, match=r"nope\.tsv.*python scripts/fetch_sentiment\.py"):
        sentiment.build_splits()


def test_a_broken_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "sentences.tsv"
    path.write_text("source\tid\trating\tlabel\ttext\nmovie\t1\t2.5\tpositive\tFine.\nmovie\t2\t0\tmeh\tSo so.\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"sentences\.tsv:3"):
        sentiment.load_sentences(path)


# ---- the splits -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_splits_are_disjoint_and_hold_every_text_once(seed, rows, splits):
    current = splits if seed == 0 else sentiment.build_splits(seed)
    keys = {name: [_key(text) for text, _ in items] for name, items in current.items()}
    for name in keys:
        assert len(set(keys[name])) == len(keys[name]), f"a text twice in {name}"
    assert not set(keys["train"]) & set(keys["valid"])
    assert not set(keys["train"]) & set(keys["test"])
    assert not set(keys["valid"]) & set(keys["test"])
    assert set().union(*map(set, keys.values())) == {_key(row["text"]) for row in rows}
    labels = {(row["text"], row["label"]) for row in rows}
    assert all(pair in labels for items in current.values() for pair in items)


def test_splits_are_deterministic(splits):
    assert sentiment.build_splits(seed=0) == splits
    other = sentiment.build_splits(seed=1)
    assert other["test"] != splits["test"] and sorted(other["train"]) != sorted(splits["train"])


def test_splits_are_stratified_by_source_and_label(rows, splits):
    total = sum(len(items) for items in splits.values())
    assert 0.095 < len(splits["test"]) / total < 0.105 and 0.065 < len(splits["valid"]) / total < 0.075
    sources: dict[str, set[str]] = {}
    for row in rows:
        sources.setdefault(row["text"], set()).add(row["source"])
    overall = Counter(row["label"] for row in rows)
    for name, items in splits.items():
        groups = Counter((source, label) for text, label in items for source in sources[text])
        assert set(groups) == {(s, label) for s in SOURCES for label in sentiment.LABELS}, name
        counts = Counter(label for _, label in items)
        for label in sentiment.LABELS:
            assert abs(counts[label] / len(items) - overall[label] / len(rows)) < 0.01, (name, label)


def test_sizes_cap_the_splits(splits):
    small = sentiment.build_splits(sizes={"train": 50, "valid": 10, "test": 20})
    assert {name: len(items) for name, items in small.items()} == {"train": 50, "valid": 10, "test": 20}
    assert all(small[name] == splits[name][:len(small[name])] for name in splits)
    held_out = sentiment.build_splits(sizes={"train": 0})  # what core.evaluate asks for
    assert held_out["train"] == [] and held_out["test"] == splits["test"] and held_out["valid"] == splits["valid"]
    assert sentiment.build_splits(sizes={"test": None}) == splits


def test_one_text_less_moves_at_most_two_others(monkeypatch, rows, splits):
    """Splits hang on hashes of the texts, not on positions: a small change to the data (one text
    fixed or dropped) leaves the other texts where they were, but for the group's boundaries."""
    where = {text: name for name, items in splits.items() for text, _ in items}
    dropped = next(row for row in rows if row["source"] == "editorial" and where.get(row["text"]) == "test")
    monkeypatch.setattr(sentiment, "load_sentences", lambda path=None: [row for row in rows if row is not dropped])
    again = {text: name for name, items in sentiment.build_splits().items() for text, _ in items}
    assert dropped["text"] not in again
    assert sum(where[text] != name for text, name in again.items()) <= 2


def test_examples_are_our_own_short_sentences(rows):
    assert 8 <= len(sentiment.EXAMPLES) <= 10
    data = {_key(row["text"]) for row in rows}
    for example in sentiment.EXAMPLES:
        assert _key(example) not in data and 3 <= len(example.split()) <= 12, example
    words = " ".join(sentiment.EXAMPLES).lower().split()
    assert "but" in words and "not" in words
    assert sentiment.__doc__.splitlines()[0].startswith("`sentiment`:")
    assert set(sentiment.SOURCE) == {"data", "licence"} and "MIT" in sentiment.SOURCE["licence"]


# ---- the extraction script, on a hand-made sdist -----------------------------------------------
def _tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


GROUND_TRUTH = {
    "movieReviewSnippets": "1\t2.26666666667\tThe Rock is  destined to be the new ''Conan''.\r\n"
                           "2\t-0.5\tEffective but too tepid biopic\r\n\r\n",
    "tweets": "1\t0.2\tWe were 17 deep &amp; it was\tfine.\r\n2\t1.0\tEffective but too tepid biopic\r\n",
    "nytEditorialSnippets": "1_1\t0.4999\tOn Dec. 19, around noon.\r\n1_2\t0.5\tCafe\u0301 society.\r\n",
    "amazonReviewSnippets": "1_1\t-0.9\tcaf\u00e9 \u2019n\u2019 player.\r\n",
}


def _fake_sdist(tmp_path: Path) -> Path:
    """An sdist laid out like vaderSentiment's; the product file is Windows-1252, not UTF-8."""
    files = {f"hutto_ICWSM_2014/{prefix}_GroundTruth.txt": text.encode("cp1252" if prefix == "amazonReviewSnippets"
                                                                        else "utf-8")
             for prefix, text in GROUND_TRUTH.items()}
    files["hutto_ICWSM_2014/_README_.txt"] = b"not data"
    licence = b"The MIT License (MIT)\n\nCopyright (c) 2016 C.J. Hutto\n"
    sdist = tmp_path / "vaderSentiment-3.3.2.tar.gz"
    sdist.write_bytes(_tar_gz({"vaderSentiment-3.3.2/LICENSE.txt": licence,
                               "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz": _tar_gz(files)}))
    return sdist


def test_script_extracts_cleans_labels_and_deduplicates(tmp_path):
    out = tmp_path / "sentiment" / "sentences.tsv"
    assert fetch.main(["--sdist", str(_fake_sdist(tmp_path)), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").split("\n") == [
        "source\tid\trating\tlabel\ttext",
        "movie\t1\t2.26667\tpositive\tThe Rock is destined to be the new ''Conan''.",
        "movie\t2\t-0.5\tnegative\tEffective but too tepid biopic",
        "tweet\t1\t0.2\tneutral\tWe were 17 deep & it was fine.",  # the tweet's duplicate of movie 2 is dropped
        "editorial\t1_1\t0.4999\tneutral\tOn Dec. 19, around noon.",
        "editorial\t1_2\t0.5\tpositive\tCaf\u00e9 society.",  # NFC
        "product\t1_1\t-0.9\tnegative\tcaf\u00e9 \u2019n\u2019 player.",  # not UTF-8: read as Windows-1252
        ""]
    assert sentiment.load_sentences(out)[2]["text"] == "We were 17 deep & it was fine."
    licence = (out.parent / "LICENSE.md").read_text(encoding="utf-8")
    for needed in ("vaderSentiment 3.3.2", "MIT", "Copyright (c) 2016 C.J. Hutto", "Hutto, C.J. & Gilbert, E.E. (2014)",
                   "ICWSM", "python scripts/fetch_sentiment.py", "| all | 6 | 2 (33%) | 2 (33%) | 2 (33%) |"):
        assert needed in licence, needed


def test_script_reports_a_broken_archive(tmp_path, capsys):
    sdist = tmp_path / "vaderSentiment-3.3.2.tar.gz"
    sdist.write_bytes(_tar_gz({"vaderSentiment-3.3.2/setup.py": b""}))
    assert fetch.main(["--sdist", str(sdist), "--out", str(tmp_path / "out.tsv")]) == 1
    assert "hutto_ICWSM_2014.tar.gz" in capsys.readouterr().err and not (tmp_path / "out.tsv").exists()
    with pytest.raises(ValueError, match="tweets_GroundTruth.txt:1"):
        fetch.parse_ground_truth("1\tnot a number\ttext\r\n", "tweet", "tweets_GroundTruth.txt")
    assert fetch.decode("caf\u00e9".encode("utf-8-sig")) == "caf\u00e9" and fetch.decode(b"\x81\xe9") == "\x81\xe9"


def test_licence_file_is_the_scripts(rows):
    licence = (sentiment.DATA_FILE.parent / "LICENSE.md").read_text(encoding="utf-8")
    assert f"{len(rows)} movie-review" in licence and "Permission is hereby granted" in licence
    assert "Copyright (c) 2016 C.J. Hutto" in licence and "Hutto, C.J. & Gilbert, E.E. (2014)" in licence


# ---- the shipped model -------------------------------------------------------------------------
EXPECTED = {"The story was weak, but the acting was wonderful.": "positive",
            "I really loved this little phone, it works great!": "positive",
            "This is not a good movie.": "negative",
            "The service was slow and the food was cold.": "negative",
            "The report will be published on Friday.": "neutral",
            "What a wonderful surprise, thank you so much!": "positive",
            "Worst purchase I have ever made. Do not buy it.": "negative",
            "The store opens at nine on Monday.": "neutral",
            "The new policy will take effect next year.": "neutral",
            "I did not like this book.": "negative"}
needs_model = pytest.mark.skipif(not (ROOT / "checkpoints" / "sentiment.json").is_file(), reason="no sentiment model")


@needs_model
def test_the_shipped_model_was_measured_on_the_current_test_split():
    """The card's samples are the first test sentences of its data seed: if the data or the split
    changed since training, the card's figures belong to another test split (and that split may
    overlap the current training split): retrain with `python -m core.train --task sentiment`."""
    from core.checkpoint import model_card

    card = model_card("sentiment")
    test = sentiment.build_splits(seed=card.data.get("data_seed", 0), sizes={"train": 0})["test"]
    assert card.data["sizes"]["test"] == len(test)
    assert [(s["input"], s["reference"]) for s in card.samples] == test[:len(card.samples)]


@needs_model
def test_the_shipped_model_reads_the_examples_as_a_person_would():
    from core.checkpoint import load_model

    assert set(EXPECTED) == set(sentiment.EXAMPLES)
    model = load_model("sentiment")
    for text, label in EXPECTED.items():
        trace = model.run(text)
        assert all(token in model.vocab.index for token in trace.tokens), text
        assert trace.prediction == label, text
    steps = model.run(sentiment.EXAMPLES[0]).steps  # the "but" turn: negative first, positive at the end
    assert any(model.config.labels[int(step.probs.argmax())] == "negative" for step in steps)
