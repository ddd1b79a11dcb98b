"""translate() latency (one thread, median of many runs) and the time to load every model.

    python bench/core_latency.py [--runs 200]
Budgets (issue): under 5 ms per translate, under 1 s to load all models.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from core import list_models, load_model  # noqa: E402

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


def median_ms(fn, runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


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
        if hasattr(model, "translate"):
            ms = median_ms(lambda: model.translate(text), args.runs)
            trace = model.translate(text)
            print(f"translate {name:14s} {len(trace.src_tokens):3d} src tokens -> {len(trace.steps):3d} steps: "
                  f"median {ms:6.2f} ms (budget 5 ms)")
        else:  # a single RNN: run() traces every step (gates, head distribution)
            ms = median_ms(lambda: model.run(text), args.runs)
            print(f"run       {name:14s} {len(model.run(text).steps):3d} tokens, every gate traced: "
                  f"median {ms:6.2f} ms")


if __name__ == "__main__":
    main()
