"""pandas tables of an RNNTrace, and the neuron explorer's ranking of units by a character class."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import RNNTrace

from .labels import token_label

CHAR_CLASSES = {  # name -> test on one token
    "spaces": lambda t: t == " ",
    "line breaks": lambda t: t == "\n",
    "vowels": lambda t: len(t) == 1 and t.lower() in "aeiou",
    "capital letters": lambda t: len(t) == 1 and t.isupper(),
    "punctuation": lambda t: len(t) == 1 and not t.isalnum() and not t.isspace(),
    "quotes and apostrophes": lambda t: t in "'\"‘’“”",
    "digits": lambda t: t.isdigit(),
}


def shown(token: str) -> str:
    return token_label(token).replace("\n", "↵")


def steps_table(trace: RNNTrace) -> pd.DataFrame:
    """One row per step: the token read, the head's choice and its top alternatives."""
    rows = []
    for step in trace.steps:
        row = {"t": step.index + 1, "x_t": shown(step.token), "output": shown(step.prediction),
               "p": round(step.topk[0][1], 4),
               "top choices": ", ".join(f"{shown(tok)} {p:.3f}" for tok, p in step.topk[1:])}
        if step.sampled is not None:
            row["sampled"] = shown(step.sampled)
        rows.append(row)
    return pd.DataFrame(rows)


def states_table(trace: RNNTrace) -> pd.DataFrame:
    """h_t for every step (rows) and unit (columns)."""
    states = trace.states
    frame = pd.DataFrame(states, columns=[f"h[{k + 1}]" for k in range(states.shape[1])])
    frame.insert(0, "x_t", [shown(t) for t in trace.tokens])
    frame.insert(0, "t", np.arange(1, len(states) + 1))
    return frame


def update_table(trace: RNNTrace, t: int) -> pd.DataFrame:
    """Step t's update unit by unit: h_{t-1}, every gate (and the cell state), h_t."""
    step = trace.steps[t]
    H = step.state.shape[0]
    columns = {"unit": np.arange(1, H + 1),
               "h_{t-1}": trace.steps[t - 1].state if t > 0 else np.zeros(H, np.float32)}
    if step.cell is not None:
        columns["c_{t-1}"] = trace.steps[t - 1].cell if t > 0 else np.zeros(H, np.float32)
    columns.update(step.gates)
    if step.cell is not None:
        columns["c_t"] = step.cell
    columns["h_t"] = step.state
    return pd.DataFrame(columns)


def unit_ranking(trace: RNNTrace, char_class: str, count: int = 10) -> pd.DataFrame:
    """The units whose activation differs most between the tokens of a class and the others
    (mean h_t[unit] on the class minus mean elsewhere, largest absolute difference first)."""
    test = CHAR_CLASSES[char_class]
    inside = np.array([test(t) for t in trace.tokens])
    if inside.all() or not inside.any():
        return pd.DataFrame(columns=["unit", "mean on class", "mean elsewhere", "difference"])
    states = trace.states.astype(np.float64)
    on, off = states[inside].mean(0), states[~inside].mean(0)
    difference = on - off
    best = np.argsort(-np.abs(difference), kind="stable")[:count]
    return pd.DataFrame({"unit": best + 1, "mean on class": on[best].round(4), "mean elsewhere": off[best].round(4),
                         "difference": difference[best].round(4)})
