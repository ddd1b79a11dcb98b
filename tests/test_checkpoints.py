"""Checkpoints: safetensors + JSON card; round trip; every broken file gives a CheckpointError
that names the file."""
import json
import gzip
import shutil

import numpy as np
import pytest

from core import CheckpointError, list_models, load_model
from core.checkpoint import card_path, save_model, weights_path

from conftest import SHIPPED, shipped

REQUIRED_MODELS = [f"{task}-{kind}" for task in ("dates", "numbers", "en-tr", "reverse") for kind in ("attn", "noattn")]


def test_every_required_model_is_shipped_with_a_full_card():
    assert sorted(REQUIRED_MODELS) == sorted(n for n in SHIPPED if n in REQUIRED_MODELS)
    for card in list_models():
        if card.kind != "seq2seq":
            continue  # the single RNNs: tests/test_recurrent_models.py
        assert card.attention in ("dot", "general", "additive", None)
        assert card.description and card.examples and card.metrics
        assert card.data["source"] and card.data["licence"]
        assert set(card.data["sizes"]) == {"train", "valid", "test"}
        assert card.metrics_by_length and all("lengths" in row for row in card.metrics_by_length)
        assert card.training["seconds"] > 0 and "seed" in card.training
        assert card.config["name"] == card.name


def test_checkpoints_stay_small_and_never_pickle():
    from core import CHECKPOINT_DIR

    files = list(CHECKPOINT_DIR.iterdir())
    assert sum(f.stat().st_size for f in files) < 62 * 1024 * 1024  # weights, cards, pieces and films
    assert {f.suffix for f in files} <= {".json", ".safetensors", ".md", ".gz"}
    for film in [f for f in files if f.suffix == ".gz"]:  # training films: gzip-compressed JSON only
        assert film.name.endswith(".film.json.gz")
        json.loads(gzip.decompress(film.read_bytes()))


@pytest.fixture
def copy_of(tmp_path):
    def make(name="reverse-attn"):
        for path in (card_path(name), weights_path(name)):
            shutil.copy(path, tmp_path / path.name)
        return tmp_path
    return make


@pytest.mark.parametrize("name", SHIPPED)
def test_save_load_round_trip_gives_identical_traces(tmp_path, name):
    model = shipped(name)
    save_model(model, model.card, tmp_path)
    again = load_model(name, tmp_path)
    text = model.card.examples[0]
    assert again.translate(text).to_json() == model.translate(text).to_json()
    assert again.card == model.card


def test_missing_model_names_the_file(tmp_path):
    with pytest.raises(CheckpointError, match="nope.json"):
        load_model("nope", tmp_path)


@pytest.mark.parametrize("name", ["../etc/passwd", "", ".hidden", "a/b", "a" * 300, None, 7, "dates\x00"])
def test_odd_names_are_refused(name):
    with pytest.raises(CheckpointError):
        load_model(name)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "missing"])
def test_corrupt_weights_name_the_file(copy_of, damage):
    directory = copy_of()
    path = directory / "reverse-attn.safetensors"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "garbage":
        path.write_bytes(b"\x00not a checkpoint" * 100)
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    with pytest.raises(CheckpointError, match="reverse-attn.safetensors"):
        load_model("reverse-attn", directory)


def test_non_finite_weights_are_refused(copy_of):
    from safetensors.torch import load_file, save_file

    directory = copy_of()
    path = directory / "reverse-attn.safetensors"
    state = load_file(str(path))
    state["generator.bias"][0] = float("nan")
    save_file(state, str(path))
    with pytest.raises(CheckpointError, match="non-finite"):
        load_model("reverse-attn", directory)


CARD_DAMAGE = {
    "cell": lambda c: c["config"].update(cell="transformer"),
    "hidden type": lambda c: c["config"].update(hidden="x"),
    "hidden float": lambda c: c["config"].update(hidden=128.0),
    "hidden negative": lambda c: c["config"].update(hidden=-1),
    "dropout": lambda c: c["config"].update(dropout=5),
    "vocab type": lambda c: c["config"].update(src_vocab=5),
    "vocab specials": lambda c: c["config"].update(src_vocab=["a", "b"]),
    "vocab repeats": lambda c: c["config"].update(tgt_vocab=c["config"]["tgt_vocab"] + ["a", "a"]),
    "max_src_len": lambda c: c["config"].update(max_src_len=0),
    "level": lambda c: c["config"].update(src_level="byte"),
    "attention disagrees": lambda c: c.update(attention=None),
    "no config": lambda c: c.pop("config"),
    "shape": lambda c: c["config"].update(hidden=c["config"]["hidden"] + 1),
}


@pytest.mark.parametrize("damage", ["json", "nested", "binary", *CARD_DAMAGE])
def test_corrupt_cards_name_the_file(copy_of, damage):
    directory = copy_of()
    path = directory / "reverse-attn.json"
    card = json.loads(path.read_text())
    if damage == "json":
        path.write_text("{ not json")
    elif damage == "nested":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif damage == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage")
    else:
        CARD_DAMAGE[damage](card)
        path.write_text(json.dumps(card))
    with pytest.raises(CheckpointError, match="reverse-attn"):
        load_model("reverse-attn", directory)
    # list_models skips a card it cannot read; a readable card whose weights do not fit is listed
    # (its error shows when the model is loaded)
    listed = [c.name for c in list_models(directory)]
    assert listed == (["reverse-attn"] if damage == "shape" else [])


RECURRENT_DAMAGE = {
    "kind": lambda c: c.update(kind="transformer"),
    "kind disagrees": lambda c: c["config"].update(kind="tagger"),
    "labels": lambda c: c["config"].update(labels=["a", "b"]),
    "labels repeat": lambda c: c["config"].update(labels=["a", "a"]),
    "vocab": lambda c: c["config"].update(vocab=7),
    "max_len": lambda c: c["config"].update(max_len=True),
    "shape": lambda c: c["config"].update(hidden=c["config"]["hidden"] + 1),
}


@pytest.mark.skipif("lm-rnn" not in [c.name for c in list_models()], reason="language model")
@pytest.mark.parametrize("damage", list(RECURRENT_DAMAGE))
def test_corrupt_recurrent_cards_name_the_file(copy_of, damage):
    directory = copy_of("lm-rnn")
    path = directory / "lm-rnn.json"
    card = json.loads(path.read_text())
    RECURRENT_DAMAGE[damage](card)
    path.write_text(json.dumps(card))
    with pytest.raises(CheckpointError, match="lm-rnn"):
        load_model("lm-rnn", directory)


def test_loaded_weights_are_the_saved_ones():
    from safetensors.torch import load_file

    model = shipped("reverse-attn")
    saved = load_file(str(weights_path("reverse-attn")))
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), saved[key].numpy())
