"""Live measurements of the encoder-decoder's limits (the lecture's "Limitations"):

- the fixed-length bottleneck: one input grown a token at a time, every prefix decoded
  (`growing_prefixes`), for tasks whose right answer is known from the input (`reverse`);
- sequential processing: the chain of dependent steps an RNN encoder-decoder runs on an input
  (n encoder + m decoder steps, with or without attention: each query h^d_{i-1} waits for the step
  before it) against the one step per layer of self-attention, all timed on the input's own sizes
  (`sequential_vs_parallel`).
The third, long-term dependencies, is core.rnn.RecurrentModel.gradient_norms.
"""
from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass

import torch

from .attention import attend
from .evaluate import predict
from .model import Seq2Seq
from .recurrent import hidden_of
from .text import source_pieces
from .vocab import BOS_ID

REFERENCES = {"reverse": lambda text: text[::-1]}  # tasks whose answer follows from the input


@dataclass
class PrefixResult:
    length: int  # source tokens in the prefix
    source: str
    reference: str
    output: str
    correct_chars: float  # share of reference positions the output gets right
    exact: bool


def growing_prefixes(model: Seq2Seq, text: str, start: int = 1) -> list[PrefixResult]:
    """Decode every prefix text[:start], text[:start+1], ... of the model's normalised input
    (one batched greedy call) and score each against the task's known answer."""
    if model.config.task not in REFERENCES:
        raise ValueError(f"The right answer of a {model.config.task} input is not known from the input alone; "
                         f"this measurement needs one of: {', '.join(REFERENCES)}.")
    config = model.config
    pieces = source_pieces(text, config.src_level, config.lowercase, config.drop_spaces)[: config.max_src_len]
    if not pieces:
        raise ValueError("The input is empty: type a few letters.")
    sources = ["".join(pieces[:k]) for k in range(start, len(pieces) + 1)]
    outputs = predict(model, sources)
    results = []
    for source, output in zip(sources, outputs):
        reference = REFERENCES[config.task](source)
        right = sum(a == b for a, b in zip(output, reference))
        results.append(PrefixResult(len(source), source, reference, output, right / len(reference),
                                    output == reference))
    return results


@dataclass
class Chain:
    """One way to compute the input: how many steps must wait for the one before, and how long the
    whole computation took (median)."""

    label: str
    dependent_steps: int
    ms: float


@dataclass
class Timing:
    source: int  # n: source tokens
    output: int  # m: decoder steps of the plain model on this input (end token included)
    hidden: int  # H: the width every row is timed at
    chains: list[Chain]


def _median_ms(fn, repeats: int) -> float:
    fn()  # warm up (first calls allocate)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _recurrent_layers(model: Seq2Seq, text: str, steps: int):
    """The model's recurrent layers on `text`, as they run: the encoder RNN over the n tokens
    (inside it, n dependent steps), then `steps` decoder-cell steps, each from the state the one
    before wrote (with attention: its scores, weights and context first). Embeddings are computed
    beforehand and the output layer is left out, as in the self-attention rows."""
    config = model.config
    ids = torch.tensor([model.src_vocab.encode(model.source_tokens(text)[: config.max_src_len])])  # (1, n)
    embedded = model.src_embed(ids)  # (1, n, E)
    first_input = model.tgt_embed(torch.full((1,), BOS_ID, dtype=torch.long))  # (1, E)
    visible = torch.ones(ids.shape, dtype=torch.bool)

    def run() -> None:
        states, final = model.encoder(embedded)  # (1, n, H)
        if config.bidirectional:
            final = states[:, -1]
        elif isinstance(final, tuple):
            final = (final[0][0], final[1][0])
        else:
            final = final[0]
        state = final
        for _ in range(steps):
            if model.scorer is not None:
                _, _, context = attend(model.scorer, hidden_of(state), states, visible, 1.0)
            else:
                context = hidden_of(final)  # c = h^e_n
            state = model.decoder_cell(torch.cat([first_input, context], dim=-1), state)

    return run, ids.size(1)


def _self_attention_layer(tokens: int, width: int, causal: bool):
    """One single-head self-attention layer over `tokens` positions of `width` (seeded random
    weights: its cost, not its answers): every position's scores, weights and output at once."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(tokens, width, generator=generator)
    wq, wk, wv, wo = (torch.randn(width, width, generator=generator) / math.sqrt(width) for _ in range(4))
    future = torch.triu(torch.ones(tokens, tokens, dtype=torch.bool), diagonal=1)

    def run() -> torch.Tensor:
        scores = (x @ wq) @ (x @ wk).T / math.sqrt(width)  # (tokens, tokens): every pair in one product
        if causal:  # a decoder position sees only the ones before it, still all computed at once
            scores = scores.masked_fill(future, float("-inf"))
        return (torch.softmax(scores, dim=-1) @ (x @ wv)) @ wo

    return run


@torch.inference_mode()
def sequential_vs_parallel(model: Seq2Seq, text: str, with_attention: Seq2Seq | None = None,
                           repeats: int = 7) -> Timing:
    """Time the computations on this input's sizes (median of `repeats`): the plain model's
    recurrent layers (n encoder + m decoder steps, m = its own output length with the end token),
    the attention model's for the same m (each step's query h^d_{i-1} still waits for the step
    before; attention adds a look at every h^e_j), and one layer of self-attention at the same
    width H over the n source tokens and over the m output tokens (teacher-forced, as in
    training): one step each."""
    if not model.source_tokens(text):
        raise ValueError("The input is empty: type a few characters or words.")
    steps = len(model.translate(text).steps)
    width = model.config.hidden
    plain, n = _recurrent_layers(model, text, steps)
    chains = [Chain(f"RNN encoder-decoder, c = h^e_n ({model.name}): {n} encoder + {steps} decoder steps",
                    n + steps, _median_ms(plain, repeats))]
    if with_attention is not None:
        attended, n_attn = _recurrent_layers(with_attention, text, steps)
        chains.append(Chain(f"RNN encoder-decoder with attention ({with_attention.name}): {n_attn} encoder + {steps} "
                            "decoder steps", n_attn + steps, _median_ms(attended, repeats)))
    chains.append(Chain(f"self-attention, one encoder layer: all {n} source positions at once", 1,
                        _median_ms(_self_attention_layer(n, width, causal=False), repeats)))
    chains.append(Chain(f"self-attention, one decoder layer in training: all {steps} output positions at once", 1,
                        _median_ms(_self_attention_layer(steps, width, causal=True), repeats)))
    return Timing(source=n, output=steps, hidden=width, chains=chains)
