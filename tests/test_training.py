"""A fast training smoke test on `reverse`: the CLI's train() learns, is reproducible for a seed,
and writes a checkpoint that loads and runs."""
import numpy as np
import pytest

from core import CheckpointError, load_model
from core.train import train


def test_training_smoke_reverse_learns_and_is_reproducible(tmp_path):
    kwargs = dict(task="reverse", attention="dot", steps=60, progress=False,
                  sizes={"train": 3000, "valid": 200, "test": 300})
    model_a, card_a = train(out_dir=tmp_path / "a", **kwargs)
    model_b, _ = train(out_dir=tmp_path / "b", **kwargs)
    for (key, a), b in zip(model_a.state_dict().items(), model_b.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=key)
    first, last = card_a.training["history"][0], card_a.training["history"][-1]
    assert last["loss"] < first["loss"] * 0.9 or last["loss"] < 2.5
    assert card_a.metrics["n"] == card_a.data["sizes"]["test"]
    loaded = load_model("reverse-attn", tmp_path / "a")
    trace = loaded.translate("abcdef")
    assert trace.src_tokens == list("abcdef") and trace.steps


def test_noattn_smoke_has_no_attention(tmp_path):
    model, card = train(task="reverse", attention=None, steps=5, progress=False, out_dir=None,
                        sizes={"train": 500, "valid": 50, "test": 50})
    assert card.name == "reverse-noattn" and model.scorer is None
    assert model.translate("abc").attention is None


def test_piece_level_bidirectional_smoke_saves_and_loads_its_piece_models(tmp_path):
    """en-tr in miniature: piece models learned on the training split, saved beside the weights
    and loaded with them; the bidirectional encoder's h^e_n is the first query."""
    model, card = train(task="en-tr", attention="dot", steps=3, progress=False, out_dir=tmp_path,
                        sizes={"train": 3000, "valid": 40, "test": 40})
    assert card.config["bidirectional"] and card.config["src_level"] == card.config["tgt_level"] == "piece"
    assert (tmp_path / "en-tr-attn.pieces.json").is_file()
    loaded = load_model("en-tr-attn", tmp_path)
    text = "Tom is reading a book."
    assert loaded.source_tokens(text) == model.source_tokens(text)
    trace = loaded.translate(text)
    assert trace.to_json() == model.translate(text).to_json()
    assert trace.bidirectional and trace.src_level == "piece"
    np.testing.assert_array_equal(trace.steps[0].query, trace.encoder_states[-1])
    (tmp_path / "en-tr-attn.pieces.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CheckpointError, match="pieces.json"):
        load_model("en-tr-attn", tmp_path)


def _line_fit(**kwargs):
    import itertools
    import time

    import torch

    from core.fit import fit

    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    x = torch.linspace(-1, 1, 16).unsqueeze(1)

    def loss_of(batch):
        return ((model(batch) - 3 * batch) ** 2).mean()

    values = iter(range(1000))
    return fit(model, itertools.repeat(x), loss_of, lambda: float(next(values)), steps=50, lr=0.05,
               eval_every=20, deadline=time.time() + 60, name="line", progress=False, **kwargs)


def test_fit_stops_after_the_step_where_should_stop_turns_true_and_evaluates_that_step():
    asked = []

    def should_stop() -> bool:
        asked.append(True)
        return len(asked) >= 7

    fitted = _line_fit(should_stop=should_stop)
    assert fitted.stopped and fitted.steps == 7 and len(asked) == 7
    assert fitted.history[-1]["step"] == 7 and fitted.best_step == 7  # the last weights were evaluated
    whole = _line_fit(should_stop=lambda: False)
    assert not whole.stopped and whole.steps == 50 and [h["step"] for h in whole.history] == [20, 40, 50]
    assert not _line_fit().stopped
