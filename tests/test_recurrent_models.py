"""The shipped single-RNN models (language models, sentiment classifier, tagger): the identities
of core.rnn on each, save/load round trip, the card's metric on a sample of its test set, bad
input. The same checks on random weights are in test_rnn.py."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core.checkpoint import load_model, model_card, save_model
from core.rnn_train import RECURRENT_SETTINGS, held_out_splits, label_metrics, lm_bits_per_char, predict_labels

from conftest import RECURRENT, shipped

REQUIRED = ["lm-rnn", "lm-gru", "lm-lstm", "sentiment", "ner"]


def test_every_required_recurrent_model_is_shipped_with_a_full_card():
    assert sorted(REQUIRED) == sorted(RECURRENT)
    for name in REQUIRED:
        card = model_card(name)
        assert card.kind in ("lm", "tagger", "classifier") and card.attention is None
        assert card.description and card.examples and card.metrics and card.metrics_by_length
        assert card.data["source"] and card.data["licence"] and card.data["sizes"]["test"] > 0
        assert 0 < card.training["seconds"] < 30 * 60, "each model trains in under 30 minutes"
    assert {model_card(f"lm-{c}").cell for c in ("rnn", "gru", "lstm")} == {"rnn", "gru", "lstm"}


def test_held_out_quality():
    for cell in ("rnn", "gru", "lstm"):
        assert model_card(f"lm-{cell}").metrics["bpc"] < 2.5  # uniform over ~70 characters is 6.1 bits
    assert model_card("lm-lstm").metrics["bpc"] < model_card("lm-rnn").metrics["bpc"] + 0.1
    sentiment = model_card("sentiment").metrics
    assert sentiment["accuracy"] > 0.6 and sentiment["macro_f1"] > 0.5  # three classes: chance is ~0.33
    ner = model_card("ner").metrics
    assert ner["token_f1"] > 0.9 and ner["held_out_templates"]["token_f1"] > 0.7


@pytest.fixture(params=REQUIRED)
def model(request):
    return shipped(request.param)


def test_traced_run_equals_the_fused_module_and_the_gates_reproduce_the_states(model):
    text = model.card.examples[0]
    trace = model.run(text)
    ids = torch.tensor([model.vocab.encode(trace.tokens)])
    with torch.no_grad():
        logits, states = model(ids)
    np.testing.assert_allclose(trace.states, states[0].numpy(), atol=1e-5)
    np.testing.assert_allclose(np.stack([s.probs for s in trace.steps]), torch.softmax(logits[0], -1).numpy(),
                               atol=1e-5)
    h_prev = np.zeros(model.config.hidden, dtype=np.float32)
    c_prev = np.zeros_like(h_prev)
    for step in trace.steps:
        g = step.gates
        if model.config.cell == "rnn":
            expected = np.tanh(g["input"] + g["recurrent"])
        elif model.config.cell == "gru":
            assert np.allclose(g["n"], np.tanh(g["input_n"] + g["r"] * g["recurrent_n"]), atol=1e-6)
            expected = (1 - g["z"]) * g["n"] + g["z"] * h_prev
        else:
            assert np.allclose(step.cell, g["f"] * c_prev + g["i"] * g["g"], atol=1e-6)
            expected = g["o"] * np.tanh(step.cell)
            c_prev = step.cell
        np.testing.assert_allclose(step.state, expected, atol=1e-6)
        h_prev = step.state


def test_save_load_round_trip(model, tmp_path):
    save_model(model, model.card, tmp_path)
    again = load_model(model.name, tmp_path)
    for (k, a), (_, b) in zip(model.state_dict().items(), again.state_dict().items()):
        assert torch.equal(a, b), k
    text = model.card.examples[-1]
    np.testing.assert_array_equal(again.run(text).states, model.run(text).states)


def test_card_metric_holds_on_a_test_sample(model):
    splits = held_out_splits(model)
    if model.config.kind == "lm":
        measured, _ = lm_bits_per_char(model, splits["test"][:40_000])
        assert measured["bpc"] < model.card.metrics["bpc"] + 0.15
        return
    sample = splits["test"][:600]
    metrics = label_metrics(model, sample, predict_labels(model, [t for t, _ in sample]))
    key = "token_f1" if model.config.kind == "tagger" else "accuracy"
    assert metrics[key] > model.card.metrics[key] - 0.06


def test_examples_read_without_warnings(model):
    for text in model.card.examples:
        trace = model.run(text)
        assert not trace.truncated
        if model.config.kind == "tagger":
            assert any(s.prediction != "O" for s in trace.steps), text


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_000, "😀🙂", "<img src=x onerror=alert(1)>", "\u202e\u0000"])
def test_bad_input_gives_a_trace_or_a_readable_error(model, text):
    try:
        trace = model.run(text)
    except ValueError as err:
        assert str(err) and str(err)[0].isupper()
        return
    assert 0 < len(trace.steps) <= model.config.max_len
    assert all(math.isclose(float(s.probs.sum()), 1.0, rel_tol=1e-4) for s in trace.steps)


def test_language_models_generate_and_measure_gradients():
    for cell in ("rnn", "gru", "lstm"):
        model = shipped(f"lm-{cell}")
        trace = model.generate("ROMEO:\n", length=80, temperature=0.7, seed=1)
        assert len(trace.generated_text) == 80
        norms = model.gradient_norms("To be, or not to be, that is the question.")
        assert norms.shape == (42,) and np.all(np.isfinite(norms)) and norms[0] > 0


def test_settings_cover_every_recurrent_task():
    assert {model_card(n).task for n in REQUIRED} == set(RECURRENT_SETTINGS)
