"""Damaged, mistyped and oversized model files are refused with a CheckpointError that names the
file, before anything large is allocated: cards are checked against their schema, weights files
against their header, the card's config and the SHA-256 the card records (core.stamp)."""
import json
import random
import shutil
import time

import pytest
import torch

from core import CHECKPOINT_DIR, CheckpointError, list_models, load_model
from core import checkpoint as checkpoint_module
from core.card_schema import CardSchemaError, check_card
from core.checkpoint import card_path, save_model, weights_path
from core.stamp import main as stamp_main
from core.weights_file import weights_sha256 as sha256

from conftest import RECURRENT, SHIPPED, shipped

NAME = "reverse-attn"


@pytest.fixture
def copy_of(tmp_path):
    """Copies of a shipped model's files in a temporary directory (the real ones are never touched)."""
    def make(name: str = NAME):
        for path in (card_path(name), weights_path(name)):
            shutil.copy(path, tmp_path / path.name)
        return tmp_path
    return make


def edit_card(directory, name, change) -> None:
    path = directory / f"{name}.json"
    card = json.loads(path.read_text(encoding="utf-8"))
    change(card)
    path.write_text(json.dumps(card), encoding="utf-8")


def refused(directory, name: str = NAME, match: str | None = None) -> str:
    with pytest.raises(CheckpointError, match=name) as error:
        load_model(name, directory)
    if match:
        assert match in str(error.value), str(error.value)
    return str(error.value)


def test_every_shipped_card_passes_the_schema_and_records_its_weights_checksum():
    for path in sorted(CHECKPOINT_DIR.glob("*.json")):
        if path.name.endswith(".pieces.json"):
            continue
        card = json.loads(path.read_text(encoding="utf-8"))
        check_card(card)
        assert card["weights_sha256"] == sha256(weights_path(card["name"]).read_bytes()), path.name


# ---- cards ------------------------------------------------------------------------------------
def _row(c):
    return c["metrics_by_length"][0]


CARD_DAMAGE = {
    "metrics a list": lambda c: c.update(metrics=[]),
    "metrics text": lambda c: c["metrics"].update(exact_match="99%"),
    "metrics out of range": lambda c: c["metrics"].update(exact_match=5),
    "metrics nan": lambda c: c["metrics"].update(exact_match=float("nan")),
    "metrics bool": lambda c: c["metrics"].update(n=True),
    "metrics nested twice": lambda c: c["metrics"].update(extra={"a": {"b": 1}}),
    "headline metric missing": lambda c: c["metrics"].pop("exact_match"),
    "bleu out of range": lambda c: c["metrics"].update(bleu=250),
    "rows not a list": lambda c: c.update(metrics_by_length="1-5: 100%"),
    "row without bucket": lambda c: _row(c).pop("lengths"),
    "row without n": lambda c: _row(c).pop("n"),
    "row metric text": lambda c: _row(c).update(exact_match="all"),
    "sizes negative": lambda c: c["data"]["sizes"].update(train=-1),
    "sizes missing": lambda c: c["data"].pop("sizes"),
    "source a number": lambda c: c["data"].update(source=7),
    "credit a list": lambda c: c["data"].update(credit=["x"]),
    "seconds text": lambda c: c["training"].update(seconds="fast"),
    "seconds infinite": lambda c: c["training"].update(seconds=float("inf")),
    "examples numbers": lambda c: c.update(examples=[1, 2]),
    "examples too long": lambda c: c.update(examples=["x" * 5000]),
    "samples text": lambda c: c["samples"][0].update(input=5),
    "references numbers": lambda c: c["samples"][0].update(references=[1]),
    "description object": lambda c: c.update(description={"a": 1}),
    "task empty": lambda c: c.update(task=""),
    "kind unknown": lambda c: c.update(kind="transformer"),
    "checksum not hex": lambda c: c.update(weights_sha256="not a checksum"),
    "name of another file": lambda c: (c.update(name="dates-attn"), c["config"].update(name="dates-attn")),
    "unknown key deep": lambda c: c.update(extra=[[[[[["deep"]]]]]]),
    "hidden 20000": lambda c: c["config"].update(hidden=20_000),
    "hidden 100000": lambda c: c["config"].update(hidden=100_000),
    "embed_dim 5000": lambda c: c["config"].update(embed_dim=5000),
    "max_src_len huge": lambda c: c["config"].update(max_src_len=10**7),
    "vocab huge": lambda c: c["config"].update(src_vocab=c["config"]["src_vocab"] + [f"t{i}" for i in range(100_001)]),
    "vocab token long": lambda c: c["config"]["tgt_vocab"].append("y" * 1000),
    "length buckets": lambda c: c["config"].update(length_buckets=[[1, "x"]]),
}


@pytest.mark.parametrize("damage", list(CARD_DAMAGE))
def test_a_card_outside_its_schema_is_refused_and_listed_as_unreadable(copy_of, damage):
    directory = copy_of()
    edit_card(directory, NAME, CARD_DAMAGE[damage])
    start = time.perf_counter()
    message = refused(directory, match="not a valid model card" if damage != "name of another file" else None)
    assert time.perf_counter() - start < 5  # refused from the card alone: nothing was built
    assert len(message) < 400
    unreadable = {}
    assert list_models(directory, unreadable=unreadable) == [] and list(unreadable) == [NAME]


def test_a_card_larger_than_any_real_one_is_not_parsed(copy_of):
    directory = copy_of()
    path = directory / f"{NAME}.json"
    card = path.read_text(encoding="utf-8")
    path.write_text(card[:-2] + ', "padding": "' + "x" * (17 * 2**20) + '"}', encoding="utf-8")
    refused(directory, match="larger than")


def test_the_schema_accepts_what_new_cards_hold():
    """en-tr cards: bleu, chrf, name_alignment ... in the metrics, references in the samples, a credit."""
    card = json.loads(card_path(NAME).read_text(encoding="utf-8"))
    card["metrics"].update(bleu=21.5, chrf=45.0, name_alignment=0.8, name_cases=120, last_token_weight=0.05)
    card["metrics_by_length"][0].update(bleu=18.2, chrf=40.1)
    card["samples"][0].update(references=["Gidiyorum.", "Ben gidiyorum."])
    card["data"]["credit"] = "Tatoeba (tatoeba.org), CC BY 2.0 FR"
    card["config"].update(src_level="piece", tgt_level="piece", bidirectional=True)
    check_card(card)


def test_schema_errors_name_the_field():
    card = json.loads(card_path(NAME).read_text(encoding="utf-8"))
    card["metrics"] = []
    with pytest.raises(CardSchemaError, match="metrics must be an object"):
        check_card(card)


# ---- weights ----------------------------------------------------------------------------------
def flip_bit(path, position: int, bit: int = 2) -> None:
    data = bytearray(path.read_bytes())
    data[position] ^= 1 << bit
    path.write_bytes(bytes(data))


def test_a_flipped_bit_anywhere_in_the_weights_is_refused(copy_of):
    directory = copy_of()
    path = directory / f"{NAME}.safetensors"
    original = path.read_bytes()
    rng = random.Random(15)
    header_end = 8 + int.from_bytes(original[:8], "little")
    positions = [rng.randrange(8, header_end) for _ in range(5)] + [rng.randrange(header_end, len(original))
                                                                    for _ in range(15)]
    for position in positions:
        path.write_bytes(original)
        flip_bit(path, position, rng.randrange(8))
        refused(directory)
    path.write_bytes(original)
    assert load_model(NAME, directory).translate("abc").output == shipped(NAME).translate("abc").output


def test_a_flipped_bit_in_a_weight_names_the_checksum(copy_of):
    directory = copy_of()
    flip_bit(directory / f"{NAME}.safetensors", -1001, 0)  # the lowest mantissa bit of a float: still finite
    refused(directory, match="do not match the checksum in the card")


@pytest.mark.parametrize("damage", ["half", "header length", "header json", "sparse 300 MB", "tail bytes"])
def test_damaged_weights_files_are_refused_before_loading(copy_of, damage):
    directory = copy_of()
    path = directory / f"{NAME}.safetensors"
    data = path.read_bytes()
    if damage == "half":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "header length":
        path.write_bytes((2**40).to_bytes(8, "little") + data[8:])
    elif damage == "header json":
        path.write_bytes(data[:8] + b"\xff" * 10 + data[18:])
    elif damage == "sparse 300 MB":
        with open(path, "r+b") as f:
            f.truncate(300 * 2**20)  # a hole: no disk used, and never read
    else:
        path.write_bytes(data + b"\x00" * 16)
    refused(directory, match="cannot read the weights")


def rewrite_header(path, change) -> None:
    data = path.read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    change(header)
    encoded = json.dumps(header).encode()
    path.write_bytes(len(encoded).to_bytes(8, "little") + encoded + data[8 + n :])


@pytest.mark.parametrize("change", ["transposed", "dtype", "missing", "extra"])
def test_tensors_that_do_not_fit_the_card_are_refused(copy_of, change):
    directory = copy_of()
    path = directory / f"{NAME}.safetensors"

    def edit(header):
        name = "encoder.weight_ih_l0"
        if change == "transposed":
            header[name]["shape"] = header[name]["shape"][::-1]
        elif change == "dtype":
            header[name]["dtype"] = "I32"
        elif change == "missing":
            header["extra"] = header.pop(name)
        else:
            header["extra"], header[name] = dict(header[name]), dict(header[name])
            end = max(entry["data_offsets"][1] for entry in header.values() if isinstance(entry, dict)
                      and "data_offsets" in entry)
            header["extra"]["data_offsets"] = [end, end]
            header["extra"]["shape"] = [0]
    rewrite_header(path, edit)
    refused(directory, match="do not fit the card's config")


def test_a_card_whose_sizes_disagree_with_the_weights_allocates_nothing(copy_of, monkeypatch):
    """hidden 4096 is within the schema's bounds; the weights file says 128. The model of the card
    (about 400 MB) is only ever built on the meta device."""
    directory = copy_of()
    edit_card(directory, NAME, lambda c: c["config"].update(hidden=4096, embed_dim=4096))
    built = []
    new_model = checkpoint_module._new_model

    def recording(*args):
        built.append(torch.empty(0).device.type)
        return new_model(*args)

    monkeypatch.setattr(checkpoint_module, "_new_model", recording)
    start = time.perf_counter()
    refused(directory, match="do not fit the card's config")
    assert built == ["meta"] and time.perf_counter() - start < 5


def test_a_card_without_a_checksum_says_how_to_stamp_it(copy_of):
    directory = copy_of()
    edit_card(directory, NAME, lambda c: c.pop("weights_sha256"))
    refused(directory, match=f"python -m core.stamp {NAME}")
    assert stamp_main([NAME, "--dir", str(directory)]) == 0
    card = json.loads((directory / f"{NAME}.json").read_text(encoding="utf-8"))
    assert card["weights_sha256"] == sha256((directory / f"{NAME}.safetensors").read_bytes())
    assert load_model(NAME, directory).translate("abc").output == shipped(NAME).translate("abc").output


def test_stamp_keeps_the_card_layout_and_refuses_weights_that_do_not_fit(copy_of):
    directory = copy_of()
    path = directory / f"{NAME}.json"
    before = path.read_text(encoding="utf-8")
    assert stamp_main([NAME, "--dir", str(directory)]) == 0
    assert path.read_text(encoding="utf-8") == before  # already stamped: the same bytes
    weights = directory / f"{NAME}.safetensors"
    weights.write_bytes(weights.read_bytes()[:5000])
    assert stamp_main([NAME, "--dir", str(directory)]) == 1
    assert path.read_text(encoding="utf-8") == before


def test_save_model_writes_the_checksum(tmp_path):
    model = shipped(NAME)
    card = checkpoint_module.ModelCard.from_dict(model.card.to_dict() | {"weights_sha256": ""})
    save_model(model, card, tmp_path)
    written = json.loads((tmp_path / f"{NAME}.json").read_text(encoding="utf-8"))
    assert written["weights_sha256"] == sha256((tmp_path / f"{NAME}.safetensors").read_bytes()) == card.weights_sha256


# ---- the gradient demonstration's limit -------------------------------------------------------
@pytest.mark.skipif("lm-rnn" not in RECURRENT, reason="language model")
def test_gradient_norms_read_at_most_the_pages_limit():
    from core.rnn import MAX_GRADIENT_TOKENS

    model = shipped("lm-rnn")
    assert len(model.gradient_norms("a" * MAX_GRADIENT_TOKENS)) == MAX_GRADIENT_TOKENS
    start = time.perf_counter()
    with pytest.raises(ValueError, match=f"at most {MAX_GRADIENT_TOKENS} tokens; this text has 1,999"):
        model.gradient_norms("a" * 1999)
    assert time.perf_counter() - start < 0.5


def test_the_shipped_models_still_load():
    for name in SHIPPED[:2] + RECURRENT[:1]:
        assert load_model(name).card.weights_sha256


def test_a_changed_piece_model_file_is_refused(tmp_path):
    """The piece models decide how text is split; a changed file must not load silently."""
    import shutil

    from core.checkpoint import card_path, pieces_path, weights_path

    name = "en-tr-attn"
    for path in (card_path(name), weights_path(name), pieces_path(name)):
        shutil.copy(path, tmp_path / path.name)
    assert load_model(name, tmp_path).card.pieces_sha256
    piece_file = tmp_path / f"{name}.pieces.json"
    piece_file.write_text(piece_file.read_text(encoding="utf-8") + " ", encoding="utf-8")  # still valid JSON
    with pytest.raises(CheckpointError, match="piece models do not match"):
        load_model(name, tmp_path)
    piece_file.write_text("{not json", encoding="utf-8")
    with pytest.raises(CheckpointError, match="not a valid piece model file"):
        load_model(name, tmp_path)
