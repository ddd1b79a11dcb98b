"""The identities of DESIGN.md section 3 on every shipped model, checked against an independent
numpy (float64) computation, plus step replay, teacher-forced loss and beam width 1."""
import numpy as np
import pytest
import torch

from core.decode import _encode_traced, _visible, beam_search
from core.evaluate import pad
from core.vocab import BOS_ID, EOS_ID

from conftest import example_inputs

RTOL, ATOL = 1e-4, 1e-5


def softmax64(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x[np.isfinite(x)].max())
    return e / e.sum()


def check_identities(trace, temperature=1.0, mask=(), greedy=True):
    """The lecture's identities on every step; `greedy`: each chosen token is the most probable."""
    enc = trace.encoder_states.astype(np.float64)  # (n, H)
    n, H = enc.shape
    assert len(trace.src_tokens) == n
    assert len(trace.steps) == len(trace.out_tokens) >= 1
    assert trace.steps[0].input_token == "<s>"
    assert all(np.isfinite(step.state).all() for step in trace.steps)
    np.testing.assert_array_equal(trace.steps[0].query, trace.encoder_states[-1])  # h^d_0 = h^e_n
    for prev, step in zip(trace.steps, trace.steps[1:]):
        np.testing.assert_array_equal(step.query, prev.state)  # the query is h^d_{i-1}
        assert step.input_token == prev.token
    for step in trace.steps:
        assert step.query.shape == step.state.shape == step.context.shape == (H,)
        if trace.score_function is None:
            assert step.scores is None and step.weights is None and step.scaled is None
            np.testing.assert_array_equal(step.context, trace.encoder_states[-1])  # c = h^e_n
            continue
        assert step.scores.shape == step.weights.shape == (n,)
        if trace.score_function == "dot":
            expected_scores = enc @ step.query.astype(np.float64)  # h^d_{i-1} . h^e_j
            np.testing.assert_allclose(step.scores, expected_scores, rtol=RTOL, atol=ATOL)
        # the trace's score / T is the float32 division softmax read (views show it, never recompute it)
        np.testing.assert_array_equal(step.scaled, step.scores / np.float32(temperature))
        scaled = step.scores.astype(np.float64) / temperature
        scaled[list(mask)] = -np.inf
        np.testing.assert_allclose(step.weights, softmax64(scaled), rtol=RTOL, atol=1e-6)
        assert all(step.weights[j] == 0.0 for j in mask)  # exactly zero
        np.testing.assert_allclose(step.context, step.weights.astype(np.float64) @ enc, rtol=RTOL, atol=ATOL)
        assert abs(float(step.weights.sum()) - 1.0) < 1e-5
        probs = [p for _, p in step.topk]
        assert probs == sorted(probs, reverse=True)
        assert step.token == step.topk[0][0] or not greedy
    if trace.score_function is not None:
        assert trace.attention.shape == (len(trace.steps), n)
    else:
        assert trace.attention is None
    if trace.cell == "lstm":
        assert trace.encoder_cells.shape == (n, H)
        assert all(step.cell.shape == (H,) for step in trace.steps)


def test_identities_on_examples(model):
    for text in example_inputs(model):
        check_identities(model.translate(text))


@pytest.mark.parametrize("temperature", [0.25, 0.5, 2.0, 7.0])
def test_temperature_is_softmax_of_scores_over_t(model, temperature):
    if model.config.attention is None:
        pytest.skip("no attention weights")
    text = example_inputs(model, 1)[0]
    trace = model.translate(text, temperature=temperature)
    check_identities(trace, temperature=temperature)
    base = model.translate(text)
    # the first step's query does not depend on T, so its scores match; a higher T flattens the weights
    first, first_base = trace.steps[0], base.steps[0]
    np.testing.assert_array_equal(first.scores, first_base.scores)
    def entropy(w: np.ndarray) -> float:
        w = w.astype(np.float64)
        return float(-(w * np.log(np.maximum(w, 1e-300))).sum())

    if temperature > 1:
        assert entropy(first.weights) >= entropy(first_base.weights) - 1e-9
    else:
        assert entropy(first.weights) <= entropy(first_base.weights) + 1e-9


def test_mask_gives_exactly_zero_weight_and_records_the_change(model):
    if model.config.attention is None:
        with pytest.raises(ValueError, match="no attention"):
            model.translate(example_inputs(model, 1)[0], mask=[0])
        return
    text = example_inputs(model, 1)[0]
    base = model.translate(text)
    n = len(base.src_tokens)
    mask = [0, n - 1] if n > 2 else [0]
    trace = model.translate(text, mask=mask)
    check_identities(trace, mask=mask)
    assert trace.mask == sorted(mask)
    assert trace.baseline_output == base.output
    differing = [i for i in range(max(len(base.out_tokens), len(trace.out_tokens)))
                 if (base.out_tokens + [None] * 99)[i] != (trace.out_tokens + [None] * 99)[i]]
    assert trace.changed_steps == differing


def test_a_mask_reuses_the_callers_unmasked_run(model, monkeypatch):
    """With `baseline` (the same call without the mask) the model decodes once, not twice, and the
    comparison is the same; a baseline of another input, temperature or beam width is refused."""
    if model.config.attention is None:
        pytest.skip("no attention to mask")
    import core.decode

    text = example_inputs(model, 1)[0]
    base = model.translate(text)
    mask = [0]
    again = model.translate(text, mask=mask)
    runs = []
    real_run = core.decode._run
    monkeypatch.setattr(core.decode, "_run", lambda *args: runs.append(args) or real_run(*args))
    reused = model.translate(text, mask=mask, baseline=base)
    assert len(runs) == 1  # the masked run only
    assert (reused.baseline_output, reused.changed_steps, reused.output) == \
        (again.baseline_output, again.changed_steps, again.output)
    for wrong in (model.translate(text + " x"), model.translate(text, temperature=0.5), model.translate(text, beam=2),
                  model.translate(text, mask=[1] if len(base.src_tokens) > 1 else [0])):
        with pytest.raises(ValueError, match="baseline"):
            model.translate(text, mask=mask, baseline=wrong)


def check_replay(model, trace):
    """Re-run every decoder step from the recorded inputs (y_{i-1}, h^d_{i-1}, and c^d_{i-1} for
    LSTM, whose first value must be the encoder's last cell state) and compare with the record."""
    encoded, _, _ = _encode_traced(model, model.src_vocab.encode(trace.src_tokens))
    visible = torch.ones(1, len(trace.src_tokens), dtype=torch.bool)
    visible[0, trace.mask] = False
    cell = None
    if trace.cell == "lstm":
        cell = torch.from_numpy(trace.encoder_cells[-1]).unsqueeze(0)  # c^d_0 = c^e_n
    with torch.no_grad():
        for step in trace.steps:
            query = torch.from_numpy(step.query).unsqueeze(0)
            state = (query, cell) if cell is not None else query
            prev = torch.tensor([model.tgt_vocab.index[step.input_token]])
            out = model.decode_step(prev, state, encoded, visible, trace.temperature)
            new_h = out.state[0] if isinstance(out.state, tuple) else out.state
            np.testing.assert_allclose(new_h[0].numpy(), step.state, rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(out.context[0].numpy(), step.context, rtol=1e-5, atol=1e-6)
            probs = torch.softmax(out.logits[0], -1)
            for token, p in step.topk:
                assert abs(float(probs[model.tgt_vocab.index[token]]) - p) < 1e-5
            if cell is not None:
                np.testing.assert_allclose(out.state[1][0].numpy(), step.cell, rtol=1e-5, atol=1e-6)
                cell = torch.from_numpy(step.cell).unsqueeze(0)


def test_replaying_a_decoder_step_reproduces_the_recorded_state(model):
    check_replay(model, model.translate(example_inputs(model, 1)[0]))


def test_stepwise_encoder_equals_the_packed_encoder(model):
    texts = example_inputs(model, 4)
    ids = [model.src_vocab.encode(model.source_tokens(t)[: model.config.max_src_len]) for t in texts]
    src, lengths = pad(ids)
    with torch.no_grad():
        encoded = model.encode(src, lengths)
    for b, text in enumerate(texts):
        trace = model.translate(text)
        n = len(trace.src_tokens)
        np.testing.assert_allclose(encoded.states[b, :n].numpy(), trace.encoder_states, rtol=1e-5, atol=1e-6)
        assert not encoded.visible[b, n:].any()


def test_teacher_forced_loss_equals_the_step_loop(model):
    pairs = [(s, r) for s, r in ((x["input"], x["reference"]) for x in model.card.samples[:6])]
    src_ids = [model.src_vocab.encode(model.source_tokens(s)) for s, _ in pairs]
    tgt_ids = [model.tgt_vocab.encode(model.target_tokens(r)) + [EOS_ID] for _, r in pairs]
    src, lengths = pad(src_ids)
    tgt, _ = pad(tgt_ids)
    with torch.no_grad():
        batched, count = model.loss(src, lengths, tgt)
    looped = 0.0
    with torch.no_grad():
        for s_ids, t_ids in zip(src_ids, tgt_ids):
            encoded, _, _ = _encode_traced(model, s_ids)
            state, prev = encoded.final, BOS_ID
            for target in t_ids:
                out = model.decode_step(torch.tensor([prev]), state, encoded)
                looped -= float(torch.log_softmax(out.logits[0].double(), -1)[target])
                state, prev = out.state, target
    assert count == sum(len(t) for t in tgt_ids)
    assert abs(float(batched) - looped) <= 1e-4 * max(1.0, abs(looped))


def test_beam_width_one_is_greedy(model):
    for text in example_inputs(model, 3):
        greedy = model.translate(text)
        encoded, _, _ = _encode_traced(model, model.src_vocab.encode(greedy.src_tokens))
        with torch.no_grad():
            (only,) = beam_search(model, encoded, _visible(len(greedy.src_tokens), []), 1.0, 1)
        assert only.tokens == greedy.out_tokens
        total = sum(np.log(dict(s.topk)[s.token]) for s in greedy.steps)
        assert abs(only.logprob - total) < 1e-3


def test_wider_beam_keeps_ranked_hypotheses_and_traces_the_best(model):
    text = example_inputs(model, 1)[0]
    trace = model.translate(text, beam=4)
    assert 1 <= len(trace.beam) <= 4
    scores = [h.score for h in trace.beam]
    assert scores == sorted(scores, reverse=True)
    assert trace.out_tokens == trace.beam[0].tokens
    for h in trace.beam:
        assert abs(h.score - h.logprob / len(h.tokens)) < 1e-9
    check_identities(trace, greedy=False)
    # the best beam scores at least as well, per token, as the greedy path
    greedy = model.translate(text)
    greedy_score = sum(np.log(dict(s.topk)[s.token]) for s in greedy.steps) / len(greedy.steps)
    assert trace.beam[0].score >= greedy_score - 1e-4


def test_batched_greedy_matches_traced_greedy(model):
    from core.evaluate import predict

    texts = [s["input"] for s in model.card.samples[:10]]
    assert predict(model, texts) == [model.translate(t).output for t in texts]


def test_beam_does_not_stop_before_a_better_live_hypothesis():
    """A long input: short hypotheses that end early must not crowd out the (longer) best one."""
    from conftest import shipped

    model = shipped("reverse-attn")
    text = "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdf"  # 40 letters, the longest trained length
    greedy = model.translate(text)
    greedy_score = sum(np.log(dict(s.topk)[s.token]) for s in greedy.steps) / len(greedy.steps)
    for width in (2, 4, 8):
        trace = model.translate(text, beam=width)
        assert trace.beam[0].score >= greedy_score - 1e-4
        assert len(trace.out_tokens) >= len(greedy.out_tokens) - 2


@pytest.mark.parametrize("temperature", [0.01, 100.0])
def test_extreme_temperatures_stay_finite(model, temperature):
    trace = model.translate(example_inputs(model, 1)[0], temperature=temperature)
    for step in trace.steps:
        assert step.weights is None or np.isfinite(step.weights).all()
    check_identities(trace, temperature=temperature)


def test_mask_with_beam(model):
    if model.config.attention is None:
        pytest.skip("no attention to mask")
    trace = model.translate(example_inputs(model, 1)[0], mask=[0], beam=3)
    check_identities(trace, mask=[0], greedy=False)
    check_replay(model, trace)


def test_label_smoothing_is_the_documented_mixture(model):
    """Training on small data uses (1 - eps) * NLL + eps * mean over the vocabulary of -log p."""
    sample = model.card.samples[0]
    src_ids = model.src_vocab.encode(model.source_tokens(sample["input"]))
    tgt_ids = model.tgt_vocab.encode(model.target_tokens(sample["reference"])) + [EOS_ID]
    src, lengths = pad([src_ids])
    tgt, _ = pad([tgt_ids])
    eps = 0.1
    with torch.no_grad():
        smoothed, _ = model.loss(src, lengths, tgt, label_smoothing=eps)
        encoded, _, _ = _encode_traced(model, src_ids)
        state, prev, expected = encoded.final, BOS_ID, 0.0
        for target in tgt_ids:
            out = model.decode_step(torch.tensor([prev]), state, encoded)
            logp = torch.log_softmax(out.logits[0].double(), -1)
            expected += -(1 - eps) * float(logp[target]) - eps * float(logp.mean())
            state, prev = out.state, target
    assert abs(float(smoothed) - expected) <= 1e-4 * max(1.0, expected)
