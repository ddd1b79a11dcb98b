"""Live measurements of the encoder-decoder's limits (the lecture's "Limitations"):

- the fixed-length bottleneck: one input grown a token at a time, every prefix decoded
  (`growing_prefixes`), for tasks whose right answer is known from the input (`reverse`);
- sequential processing: the n dependent encoder steps against the one matrix product that
  scores every source position for every decoder step (`sequential_vs_parallel`).
The third, long-term dependencies, is core.rnn.RecurrentModel.gradient_norms.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch

from .evaluate import predict
from .model import Seq2Seq, hidden_of
from .text import source_pieces

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
class Timing:
    steps: int  # n dependent encoder steps
    queries: int  # decoder steps scored at once
    sequential_ms: float  # median time of the n encoder steps, one after another
    parallel_ms: float  # median time of the one product Q K^T: every score of every step
    per_step_ms: float


@torch.inference_mode()
def sequential_vs_parallel(model: Seq2Seq, text: str, repeats: int = 15) -> Timing:
    """Time the encoder's n steps (each needs the state before it) against one matrix product
    that computes all m x n dot-product scores at once, on this input (median of `repeats`)."""
    config = model.config
    pieces = source_pieces(text, config.src_level, config.lowercase, config.drop_spaces)[: config.max_src_len]
    if not pieces:
        raise ValueError("The input is empty: type a few characters or words.")
    ids = torch.tensor(model.src_vocab.encode(pieces))

    def encode_step_by_step() -> torch.Tensor:
        state = None
        states = []
        for j in range(len(ids)):
            state = model.encoder_step(ids[j : j + 1], state)
            states.append(hidden_of(state)[0])
        return torch.stack(states)  # (n, H)

    keys = encode_step_by_step()
    queries = keys.flip(0).contiguous()  # stand-in queries, one per decoder step (m = n): only the shapes matter

    def score_all() -> torch.Tensor:
        return queries @ keys.T  # (m, n): every score of every step in one product

    def median_ms(fn) -> float:
        fn()
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    sequential = median_ms(encode_step_by_step)
    return Timing(steps=len(ids), queries=len(queries), sequential_ms=sequential, parallel_ms=median_ms(score_all),
                  per_step_ms=sequential / len(ids))
