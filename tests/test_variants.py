"""Every cell type and score function, not only the shipped GRU + dot models: tiny models trained
for a few steps keep the lecture's identities, replay exactly and survive a save/load trip."""
import numpy as np
import pytest
import torch

from core import load_model
from core.train import train

from core import Trace

from test_math import check_identities, check_replay

SMALL = {"train": 400, "valid": 20, "test": 20}


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    directory = tmp_path_factory.mktemp("variants")
    models = {}
    for cell in ("rnn", "gru", "lstm"):
        for attention in ("dot", "general", "additive", None):
            model, card = train("reverse", attention, cell, steps=3, sizes=SMALL, progress=False,
                                out_dir=directory)
            models[card.name] = model
    return directory, models


def test_all_variants_keep_the_identities_and_round_trip(tiny_models):
    directory, models = tiny_models
    assert len(models) == 12
    for name, model in models.items():
        trace = model.translate("abcdefg", temperature=1.5)
        check_identities(trace, temperature=1.5)
        enc = trace.encoder_states.astype(np.float64)
        if model.config.attention == "general":
            W = model.scorer.bilinear.weight.detach().double().numpy()
            for step in trace.steps:
                np.testing.assert_allclose(step.scores, enc @ W.T @ step.query, rtol=1e-4, atol=1e-5)
        if model.config.attention == "additive":
            W1 = model.scorer.query_proj.weight.detach().double().numpy()
            W2 = model.scorer.key_proj.weight.detach().double().numpy()
            v = model.scorer.v.weight.detach().double().numpy()[0]
            for step in trace.steps:
                expected = np.tanh(W1 @ step.query + enc @ W2.T) @ v
                np.testing.assert_allclose(step.scores, expected, rtol=1e-4, atol=1e-5)
        if model.config.cell == "lstm":
            assert trace.encoder_cells is not None and trace.steps[0].cell is not None
        check_replay(model, trace)
        if model.config.attention is not None:
            masked = model.translate("abcdefg", mask=[1, 3], beam=2)
            check_identities(masked, mask=[1, 3], greedy=False)
            check_replay(model, masked)
        again = load_model(name, directory).translate("abcdefg", temperature=1.5)
        assert again.to_json() == trace.to_json()
        restored = Trace.from_json(trace.to_json())
        assert restored.to_json() == trace.to_json()
        if model.config.cell == "lstm":
            np.testing.assert_array_equal(restored.encoder_cells, trace.encoder_cells)
            np.testing.assert_array_equal(restored.steps[-1].cell, trace.steps[-1].cell)


def test_lstm_encoder_stepwise_equals_packed(tiny_models):
    _, models = tiny_models
    model = models["reverse-attn-lstm"]
    trace = model.translate("hello")
    ids = torch.tensor([model.src_vocab.encode(trace.src_tokens)])
    with torch.no_grad():
        encoded = model.encode(ids, torch.tensor([ids.size(1)]))
    np.testing.assert_allclose(encoded.states[0].numpy(), trace.encoder_states, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(encoded.final[1][0].numpy(), trace.encoder_cells[-1], rtol=1e-5, atol=1e-6)
