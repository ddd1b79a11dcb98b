"""pandas tables of a Trace: what the figures draw, as numbers to read and download."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import Trace

from .equations import exp_text
from .labels import token_label


def _source_names(trace: Trace) -> list[str]:
    return [f"x{j + 1} {token_label(t)}" for j, t in enumerate(trace.src_tokens)]


def step_table(trace: Trace, step: int) -> pd.DataFrame:
    """Steps 1 and 2 of one decoder step: per source position the score, score/T, exp and weight."""
    s = trace.steps[step]
    hidden = set(trace.mask)
    scaled = s.scaled.astype(np.float64)  # score / T as the model's softmax read it (the trace's)
    return pd.DataFrame({
        "j": np.arange(1, len(trace.src_tokens) + 1),
        "token": [token_label(t) for t in trace.src_tokens],
        "score": s.scores.astype(np.float64),
        "score / T": scaled,
        "exp(score / T)": ["hidden" if j in hidden else exp_text(v) for j, v in enumerate(scaled)],
        "weight α": s.weights.astype(np.float64),
        "hidden": [j in hidden for j in range(len(scaled))],
    })


def vectors_table(trace: Trace, step: int) -> pd.DataFrame:
    """The vectors of one decoder step, one row per unit k: query h^d_{i-1}, context c_i, state h^d_i."""
    s = trace.steps[step]
    i = step + 1
    return pd.DataFrame({
        "unit k": np.arange(1, len(s.query) + 1),
        f"query h^d_{i - 1}": s.query.astype(np.float64),
        f"context c_{i}": s.context.astype(np.float64),
        f"state h^d_{i}": s.state.astype(np.float64),
    })


def encoder_table(trace: Trace) -> pd.DataFrame:
    """Encoder states h^e_j as rows (n, H)."""
    frame = pd.DataFrame(trace.encoder_states.astype(np.float64),
                         columns=[f"unit {k + 1}" for k in range(trace.encoder_states.shape[1])])
    frame.insert(0, "token", [token_label(t) for t in trace.src_tokens])
    frame.insert(0, "j", np.arange(1, len(trace.src_tokens) + 1))
    return frame


def outputs_table(trace: Trace) -> pd.DataFrame:
    """One row per decoder step: input y_{i-1}, chosen y_i, its probability, the alternatives and
    (with attention) the source token with the highest weight."""
    rows = []
    for s in trace.steps:
        probs = dict(s.topk)
        row = {"i": s.index + 1, "input y_{i-1}": token_label(s.input_token), "output y_i": token_label(s.token),
               "p(y_i)": probs.get(s.token, np.nan),
               "top choices": "  ".join(f"{token_label(t)} {p:.3f}" for t, p in s.topk)}
        if s.weights is not None:
            j = int(np.argmax(s.weights))
            row["most attended"] = f"x{j + 1} {token_label(trace.src_tokens[j])} ({float(s.weights[j]):.3f})"
        rows.append(row)
    return pd.DataFrame(rows)


def attention_table(trace: Trace) -> pd.DataFrame:
    """The alignment matrix α: rows are output steps, columns source positions."""
    return pd.DataFrame(trace.attention.astype(np.float64), columns=_source_names(trace),
                        index=[f"y{i + 1} {token_label(t)}" for i, t in enumerate(trace.out_tokens)])


def beam_table(trace: Trace, level: str) -> pd.DataFrame:
    """The beam's finished hypotheses, best first."""
    return pd.DataFrame([{"rank": rank + 1, "output": h.text,
                          "tokens": len(h.tokens), "log-probability": h.logprob,
                          "score (log-prob per token)": h.score}
                         for rank, h in enumerate(trace.beam)])


def length_table(cards) -> pd.DataFrame:
    """Held-out metrics by source length of encoder-decoder cards, one row per model and bucket."""
    return pd.DataFrame([{"model": c.name, "source length": r["lengths"], "n": r["n"],
                          "exact match": r["exact_match"], "BLEU": r.get("bleu"), "chrF": r.get("chrf")}
                         for c in cards for r in c.metrics_by_length])


def prefix_table(results: dict) -> pd.DataFrame:
    """The growing-input measurement (core.limits.growing_prefixes) of several models, one row per
    model and prefix."""
    return pd.DataFrame([{"model": name, "letters": r.length, "input": r.source, "output": r.output,
                          "right answer": r.reference, "characters right": r.correct_chars, "exact": r.exact}
                         for name, rows in results.items() for r in rows])


def gradient_table(norms: dict, tokens: list[str]) -> pd.DataFrame:
    """||dh_t/dx_1|| per step t (rows) and model (columns)."""
    frame = pd.DataFrame({name: np.asarray(values, dtype=np.float64) for name, values in norms.items()})
    frame.insert(0, "x_t", [token_label(t).replace("\n", "↵") for t in tokens[: len(frame)]])
    frame.insert(0, "t", np.arange(1, len(frame) + 1))
    return frame
