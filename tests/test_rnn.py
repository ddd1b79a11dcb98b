"""The single recurrent networks (core.rnn): the written-out cell (core.recurrent.cell_step, the one
step of training and tracing) equals torch's fused module,
the recorded gates reproduce every state, the head's distributions, generation, the gradient
norms against an independent computation, training and evaluation on tiny stand-in tasks."""
from __future__ import annotations

import math
import types

import numpy as np
import pytest
import torch

from core.checkpoint import load_model, save_model
from core.recurrent import GATES, SEQUENCE_RNN, CellWeights
from core.rnn import RecurrentModel, RNNConfig
from core.rnn_train import evaluate_recurrent, f1_scores, train_recurrent
from core.vocab import SPECIALS

CELLS = ("rnn", "gru", "lstm")
LETTERS = list("abcdefghij ")


def random_model(cell: str, kind: str = "lm", seed: int = 0) -> RecurrentModel:
    torch.manual_seed(seed)
    vocab = list(SPECIALS) + LETTERS
    labels = vocab if kind == "lm" else ["O", "PER", "LOC"]
    model = RecurrentModel(RNNConfig(name=f"t-{cell}", task="t", kind=kind, vocab=vocab, labels=labels, cell=cell,
                                     embed_dim=6, hidden=9, level="char", max_len=50))
    with torch.no_grad():  # larger weights than the default init, so saturation and gates matter
        for p in model.rnn.parameters():
            p.mul_(3)
    return model.eval()


def fused(model: RecurrentModel) -> torch.nn.Module:
    """torch's own nn.RNN / nn.GRU / nn.LSTM with the model's weights: an independent reference."""
    module = SEQUENCE_RNN[model.config.cell](model.config.embed_dim, model.config.hidden, batch_first=True)
    module.load_state_dict(model.rnn.state_dict())
    return module


@pytest.mark.parametrize("cell", CELLS)
def test_written_out_cell_reproduces_the_fused_module(cell):
    model = random_model(cell)
    trace = model.run("abc deaf jig")
    ids = torch.tensor([model.vocab.encode(trace.tokens)])
    with torch.no_grad():
        reference, _ = fused(model)(model.embed(ids))
        logits, states = model(ids)  # the training path
    np.testing.assert_allclose(trace.states, reference[0].numpy(), atol=2e-6)
    np.testing.assert_array_equal(trace.states, states[0].numpy())
    for step, row in zip(trace.steps, logits[0]):
        np.testing.assert_allclose(step.probs, torch.softmax(row, -1).numpy(), atol=2e-6)


@pytest.mark.parametrize("cell", CELLS)
def test_cell_weights_are_torchs_names_shapes_and_initialisation(cell):
    torch.manual_seed(7)
    ours = CellWeights(cell, 6, 9)
    torch.manual_seed(7)
    theirs = SEQUENCE_RNN[cell](6, 9, batch_first=True)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert torch.equal(a, b), name


@pytest.mark.parametrize("cell", CELLS)
def test_recorded_gates_reproduce_every_state(cell):
    model = random_model(cell)
    trace = model.run("hijack a bad egg")
    params = {k: v.detach().double().numpy() for k, v in model.params().items()}
    embed = model.embed.weight.detach().double().numpy()
    h_prev = np.zeros(9)
    c_prev = np.zeros(9)
    sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    for step, x in zip(trace.steps, trace.embeddings):
        assert set(step.gates) == set(GATES[cell])
        np.testing.assert_array_equal(x, embed[model.vocab.index[step.token]].astype(np.float32))
        pre_x = params["weight_ih_l0"] @ x + params["bias_ih_l0"]  # independent float64 recomputation
        pre_h = params["weight_hh_l0"] @ h_prev + params["bias_hh_l0"]
        g = step.gates
        if cell == "rnn":
            np.testing.assert_allclose(g["input"], pre_x, atol=1e-5)
            np.testing.assert_allclose(g["recurrent"], pre_h, atol=1e-5)
            np.testing.assert_allclose(step.state, np.tanh(g["input"] + g["recurrent"]), atol=1e-6)
        elif cell == "gru":
            np.testing.assert_allclose(g["r"], sigmoid(pre_x[:9] + pre_h[:9]), atol=1e-5)
            np.testing.assert_allclose(g["z"], sigmoid(pre_x[9:18] + pre_h[9:18]), atol=1e-5)
            np.testing.assert_allclose(g["input_n"], pre_x[18:], atol=1e-5)
            np.testing.assert_allclose(g["recurrent_n"], pre_h[18:], atol=1e-5)
            np.testing.assert_allclose(g["n"], np.tanh(g["input_n"] + g["r"] * g["recurrent_n"]), atol=1e-6)
            np.testing.assert_allclose(step.state, (1 - g["z"]) * g["n"] + g["z"] * h_prev, atol=1e-6)
        else:
            pre = pre_x + pre_h
            np.testing.assert_allclose(g["i"], sigmoid(pre[:9]), atol=1e-5)
            np.testing.assert_allclose(g["f"], sigmoid(pre[9:18]), atol=1e-5)
            np.testing.assert_allclose(g["g"], np.tanh(pre[18:27]), atol=1e-5)
            np.testing.assert_allclose(g["o"], sigmoid(pre[27:]), atol=1e-5)
            np.testing.assert_allclose(step.cell, g["f"] * c_prev + g["i"] * g["g"], atol=1e-6)
            np.testing.assert_allclose(step.state, g["o"] * np.tanh(step.cell), atol=1e-6)
            c_prev = step.cell.astype(np.float64)
        h_prev = step.state.astype(np.float64)


def test_head_distribution_topk_and_prediction():
    model = random_model("gru", kind="tagger")
    trace = model.run("a bad jig")
    head_w, head_b = model.head.weight.detach().numpy(), model.head.bias.detach().numpy()
    for step in trace.steps:
        logits = head_w @ step.state + head_b
        expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        np.testing.assert_allclose(step.probs, expected, atol=1e-6)
        assert step.prediction == trace.labels[int(np.argmax(step.probs))] == step.topk[0][0]
        assert [p for _, p in step.topk] == sorted((p for _, p in step.topk), reverse=True)
    assert trace.prediction == trace.steps[-1].prediction


@pytest.mark.parametrize("cell", CELLS)
def test_gradient_norms_match_reverse_mode_through_the_fused_module(cell):
    model = random_model(cell)
    text = "abcdefghij"
    norms = model.gradient_norms(text)
    ids = torch.tensor(model.vocab.encode(list(text)))
    xs = model.embed(ids).detach()
    reference = fused(model)

    def states_of(first):  # the fused module, differentiated in reverse mode: independent of cell_step
        inputs = torch.cat([first.unsqueeze(0), xs[1:]]).unsqueeze(0)
        return reference(inputs)[0][0]  # (n, H)

    jacobian = torch.autograd.functional.jacobian(states_of, xs[0].clone())  # (n, H, E)
    expected = jacobian.flatten(1).norm(dim=1).numpy()
    np.testing.assert_allclose(norms, expected, rtol=1e-4, atol=1e-7)
    assert norms.shape == (len(text),) and norms[0] > 0


def test_generation_feeds_each_sample_back_and_is_seeded():
    model = random_model("lstm")
    trace = model.generate("ab", length=30, temperature=0.8, seed=3)
    assert len(trace.steps) == 2 + 30 - 1 and len(trace.generated_text) == 30
    assert [s.generated for s in trace.steps] == [False, False] + [True] * 29
    for before, after in zip(trace.steps[1:], trace.steps[2:]):
        assert after.token == before.sampled  # what was drawn is what is read next
    assert trace.steps[0].sampled is None and all(s.sampled not in SPECIALS for s in trace.steps[1:])
    again = model.generate("ab", length=30, temperature=0.8, seed=3)
    assert again.generated_text == trace.generated_text
    others = {model.generate("ab", length=30, temperature=0.8, seed=s).generated_text for s in range(4, 9)}
    assert len(others | {trace.generated_text}) > 1
    # the prompt's steps are the same as reading the prompt alone
    np.testing.assert_array_equal(trace.steps[1].state, model.run("ab").steps[1].state)


def test_low_temperature_generation_is_greedy():
    model = random_model("gru")
    trace = model.generate("a", length=20, temperature=0.05, seed=0)
    greedy = [s for s in trace.steps if s.sampled is not None]
    agree = sum(s.sampled == max((t for t in s.topk if t[0] not in SPECIALS), key=lambda t: t[1])[0] for s in greedy)
    assert agree >= 18


@pytest.mark.parametrize("bad", [dict(length=0), dict(length=10**6), dict(length=2.5), dict(temperature=0),
                                 dict(temperature=float("nan")), dict(temperature="hot"), dict(seed=-1),
                                 dict(seed="x")])
def test_generation_rejects_bad_options_readably(bad):
    model = random_model("rnn")
    with pytest.raises(ValueError) as err:
        model.generate("ab", **bad)
    assert str(err.value)[0].isupper()


def test_only_language_models_generate():
    with pytest.raises(ValueError, match="language models"):
        random_model("gru", kind="tagger").generate("ab")


@pytest.mark.parametrize("text", ["", "\n", "a" * 10_000, "a😀b", "<img src=x onerror=alert(1)>", "\ud800"])
@pytest.mark.parametrize("kind", ["lm", "tagger"])
def test_bad_input_gives_a_trace_or_a_readable_error(text, kind):
    model = random_model("gru", kind=kind)
    try:
        trace = model.run(text)
    except ValueError as err:
        assert str(err)[0].isupper()
        return
    assert len(trace.steps) <= model.config.max_len
    if len(text) > model.config.max_len:
        assert trace.truncated and trace.warnings
    if "😀" in text or "<" in text:
        assert "<unk>" in trace.tokens and any("<unk>" in w for w in trace.warnings)


def test_f1_scores_by_hand():
    gold = ["O", "PER", "PER", "O", "LOC", "O"]
    pred = ["O", "PER", "O", "LOC", "LOC", "O"]
    scores = f1_scores(gold, pred, ["O", "PER", "LOC"], outside="O")
    assert scores["per_label_f1"]["PER"] == pytest.approx(2 / 3)  # tp 1, fn 1
    assert scores["per_label_f1"]["LOC"] == pytest.approx(2 / 3)  # tp 1, fp 1
    assert scores["token_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    plain = f1_scores(["a", "b", "b"], ["a", "b", "a"], ["a", "b"], outside=None)
    assert plain["macro_f1"] == pytest.approx((2 / 3 + 2 / 3) / 2)


# ---- training on tiny stand-in tasks --------------------------------------------------------
def _stand_in(kind: str):
    rng = np.random.default_rng(0)
    if kind == "lm":
        text = "".join("abc abd\n" if rng.random() < 0.5 else "bad cab\n" for _ in range(3000))
        splits = {"train": text, "valid": text[:4000], "test": text[-6000:]}
        labels = None
    elif kind == "classifier":
        def sample():
            good = rng.random() < 0.5
            words = rng.choice(["good", "fine", "great"] if good else ["bad", "awful", "poor"], size=3)
            return " ".join(["it", "was", *words]), "positive" if good else "negative"
        splits = {k: [sample() for _ in range(n)] for k, n in (("train", 600), ("valid", 80), ("test", 80))}
        labels = ["negative", "positive"]
    else:
        def sample():
            name = rng.choice(["Ann", "Bob", "Eve"])
            place = rng.choice(["Rome", "Oslo", "Lima"])
            return f"{name} went to {place} .", ["PER", "O", "O", "LOC", "O"]
        splits = {k: [sample() for _ in range(n)] for k, n in (("train", 600), ("valid", 80), ("test", 80),
                                                               ("test_templates", 40))}
        labels = ["O", "PER", "LOC"]
    module = types.SimpleNamespace(KIND=kind, LABELS=labels, SOURCE={"data": "stand-in", "licence": "none"},
                                   EXAMPLES=["abc"], __doc__="stand-in task",
                                   build_splits=lambda seed=0, sizes=None: splits)
    return module


@pytest.mark.parametrize("task,kind", [("lm", "lm"), ("sentiment", "classifier"), ("ner", "tagger")])
def test_training_learns_saves_and_reloads(task, kind, tmp_path, monkeypatch):
    module = _stand_in(kind)
    monkeypatch.setattr("core.rnn_train.get_task", lambda name: module)
    model, card = train_recurrent(task, "gru", steps=120, out_dir=tmp_path, name=f"tiny-{task}", progress=False)
    assert card.kind == kind and card.attention is None and card.training["steps"] == 120
    if kind == "lm":
        assert card.metrics["bpc"] < 2.0 < math.log2(len(model.vocab))  # learnt the two patterns
    elif kind == "classifier":
        assert card.metrics["accuracy"] > 0.95
    else:
        assert card.metrics["token_f1"] > 0.95 and card.metrics["held_out_templates"]["token_f1"] > 0.9
    loaded = load_model(f"tiny-{task}", tmp_path)
    assert isinstance(loaded, RecurrentModel) and loaded.card.metrics == card.metrics
    for a, b in zip(model.state_dict().values(), loaded.state_dict().values()):
        assert torch.equal(a, b)
    again, _, _ = evaluate_recurrent(loaded, module.build_splits(), ())
    assert again == card.metrics
    save_model(loaded, loaded.card, tmp_path)  # a second save reads back the same
    assert load_model(f"tiny-{task}", tmp_path).card.to_dict() == card.to_dict()
