"""translate() latency (one thread, median of many runs) against an untraced loop over the same
weights, and the time to load every model.

    python bench/core_latency.py [--runs 200]

For each encoder-decoder: the traced `translate` (every intermediate recorded in a Trace) and a
plain greedy loop, one input and no batch, that calls the same encoder and `decode_step` and keeps
only each step's argmax (no top-k, no numpy copies, no Trace); their ratio is what tracing costs
(target at most 1.5x); the two are timed in turn, so both see the same load. For each single RNN: the traced `run` (every gate, the head's distribution
and top-k at every step) against the model's forward pass over the same tokens (the same
core.recurrent.cell_step, nothing recorded).
Budgets: under 5 ms per translate, under 1 s to load all models.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from core import RecurrentModel, Seq2Seq, list_models, load_model  # noqa: E402
from core.recurrent import Encoded  # noqa: E402
from core.vocab import BOS_ID, EOS_ID  # noqa: E402

CASES = [("dates-attn", "Thursday, the 3rd of May 1979 !"),  # 30 characters
         ("dates-noattn", "Thursday, the 3rd of May 1979 !"),
         ("en-tr-attn", "I would like to know what you are going to do."),  # 10 words
         ("en-tr-noattn", "I would like to know what you are going to do."),
         ("numbers-attn", "dreihunderteinundzwanzigtausendvierhundertzwölf"),
         ("reverse-attn", "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"),
         ("lm-rnn", "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer the"),
         ("lm-gru", "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer the"),
         ("lm-lstm", "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer the"),
         ("sentiment", "The plot was dull, but the acting was superb and the music wonderful."),
         ("ner", "Ada Lovelace met Charles Babbage in London on 5 June 1833.")]


def paired_ms(traced, plain, runs: int) -> tuple[float, float]:
    """Median milliseconds of `traced()` and of `plain()`, called in turn (after one warm-up call
    each), so that both see the same load on a shared machine."""
    traced()
    plain()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, out in ((traced, times[0]), (plain, times[1])):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


@torch.no_grad()
def plain_greedy(model: Seq2Seq, ids: list[int]) -> list[int]:
    """Greedy decoding of one input with the model's own encoder and decode_step, nothing recorded
    (one sequence: no padding, so the encoder runs without packing)."""
    states, final = model.encoder(model.src_embed(torch.tensor([ids])))  # (1, n, H)
    if model.config.bidirectional:
        final = states[:, -1]  # h^e_n: both directions at the last token
    else:
        final = (final[0][0], final[1][0]) if isinstance(final, tuple) else final[0]
    encoded = Encoded(states, final, torch.ones(1, len(ids), dtype=torch.bool))
    state, prev, out = encoded.final, torch.tensor([BOS_ID]), []
    for _ in range(model.config.max_tgt_len):
        step = model.decode_step(prev, state, encoded)
        token = int(step.logits[0].argmax())
        if token == EOS_ID:
            break
        out.append(token)
        state, prev = step.state, torch.tensor([token])
    return out


@torch.no_grad()
def plain_run(model: RecurrentModel, ids: list[int]) -> torch.Tensor:
    """The forward pass over one input's tokens: every h_t and the head on it, nothing recorded."""
    return model(torch.tensor([ids]))[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = [card.name for card in list_models()]
    start = time.perf_counter()
    models = {name: load_model(name) for name in names}
    load_s = time.perf_counter() - start
    print(f"load all {len(names)} models: {load_s * 1000:.0f} ms (budget 1000 ms)")
    for name, text in CASES:
        if name not in models:
            continue
        model = models[name]
        if isinstance(model, Seq2Seq):
            trace = model.translate(text)
            ids = model.src_vocab.encode(trace.src_tokens)
            assert model.tgt_vocab.decode(plain_greedy(model, ids)) == [t for t in trace.out_tokens if t != "</s>"], \
                f"{name}: the plain loop and translate disagree"
            traced, plain = paired_ms(lambda: model.translate(text), lambda: plain_greedy(model, ids), args.runs)
            print(f"translate {name:14s} {len(trace.src_tokens):3d} src tokens -> {len(trace.steps):3d} steps: "
                  f"traced {traced:6.2f} ms (budget 5 ms), untraced {plain:6.2f} ms, ratio {traced / plain:4.2f}x")
        else:  # a single RNN: run() traces every step (gates, head distribution)
            trace = model.run(text)
            ids = model.vocab.encode(trace.tokens)
            traced, plain = paired_ms(lambda: model.run(text), lambda: plain_run(model, ids), args.runs)
            print(f"run       {name:14s} {len(trace.steps):3d} tokens, every gate traced: traced {traced:6.2f} ms, "
                  f"untraced {plain:6.2f} ms, ratio {traced / plain:4.2f}x")


if __name__ == "__main__":
    main()
