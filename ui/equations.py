"""The lecture's three attention equations with the live numbers of one decoder step (LaTeX).

Every number is read from the Trace or computed from it here in float64, never typed in; tests
check that the totals shown equal the model's own scores, weights and context. User text never
enters LaTeX: tokens are referred to by position (x_j, y_i) and shown beside as plain text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core import Trace

TERMS = 3  # how many terms of a long sum are written out before "\cdots"


def exp_parts(x: float) -> tuple[float, int]:
    """exp(x) as (mantissa, exponent) with exp(x) = mantissa * 10**exponent, for any finite x
    (exp(800) overflows a float; its decimal exponent does not)."""
    log10 = x / math.log(10)
    exponent = math.floor(log10)
    return 10 ** (log10 - exponent), exponent


def exp_text(x: float) -> str:
    """exp(x) for a hover label: 2.29e+05 style, valid far beyond float range."""
    mantissa, exponent = exp_parts(x)
    return f"{mantissa:.3f}e{exponent:+03d}"


def exp_latex(x: float) -> str:
    mantissa, exponent = exp_parts(x)
    if -3 <= exponent <= 3:
        return _num(mantissa * 10 ** exponent, 4)
    return rf"{mantissa:.3f}\times10^{{{exponent}}}"


def _num(x: float, digits: int = 4) -> str:
    """A number for LaTeX, negatives in parentheses where they follow an operator."""
    text = f"{x:.{digits}f}"
    return f"({text})" if x < 0 else text


@dataclass
class StepEquations:
    focus: int  # 0-based source position with the highest weight (the one worked through)
    unit: int  # 0-based component of c_i worked through (the largest in magnitude)
    score: str  # step 1
    softmax: str  # step 2
    context: str  # step 3, the vector sum
    context_unit: str  # step 3, one component with numbers


def step_equations(trace: Trace, step: int) -> StepEquations:
    """The three equations of decoder step `step` (0-based; the lecture's i = step + 1)."""
    if trace.score_function != "dot":
        raise ValueError("The worked equations are written for the dot-product score.")
    s = trace.steps[step]
    i, prev = step + 1, step
    enc = trace.encoder_states.astype(np.float64)
    query = s.query.astype(np.float64)
    focus = int(np.argmax(s.weights))
    j = focus + 1
    H = len(query)

    terms = " + ".join(f"{_num(query[k])}\\cdot{_num(enc[focus, k])}" for k in range(min(TERMS, H)))
    more = r" + \cdots" if H > TERMS else ""
    score = (rf"\begin{{aligned}}\text{{score}}(h^d_{{{prev}}}, h^e_{{{j}}}) &= h^d_{{{prev}}}\cdot h^e_{{{j}}} "
             rf"= \sum_{{k=1}}^{{{H}}} h^d_{{{prev},k}}\, h^e_{{{j},k}} \\ &= {terms}{more} \\ "
             rf"&= {float(s.scores[focus]):.4f}\end{{aligned}}")

    T = trace.temperature
    scaled = s.scaled.astype(np.float64)  # score / T as the model's softmax read it (the trace's)
    visible = [p for p in range(len(scaled)) if p not in set(trace.mask)]
    ordered = sorted(visible, key=lambda p: -scaled[p])
    over = f"/{T:g}" if T != 1 else ""

    def score_of(position: str) -> str:  # the lecture's score(h^d_{i-1}, h^e_j), over T when T != 1
        return rf"\text{{score}}(h^d_{{{prev}}}, h^e_{{{position}}}){over}"

    terms_shown = " + ".join(rf"e^{{{_num(float(s.scores[p]), 2)}{over}}}" for p in ordered[:TERMS])
    terms_shown += r" + \cdots" if len(visible) > TERMS else ""
    log_total = _logsumexp(scaled[visible])
    softmax = (rf"\begin{{aligned}}\alpha_{{{i},{j}}} &= \frac{{\exp({score_of(str(j))})}}"
               rf"{{\sum_k \exp({score_of('k')})}} = \frac{{e^{{{_num(float(s.scores[focus]), 2)}{over}}}}}"
               rf"{{{terms_shown}}} \\ "
               rf"&= \frac{{{exp_latex(scaled[focus])}}}{{{exp_latex(log_total)}}} = {float(s.weights[focus]):.4f}"
               rf"\end{{aligned}}")

    by_weight = [p for p in np.argsort(-s.weights) if s.weights[p] > 0]
    parts = " + ".join(rf"{float(s.weights[p]):.4f}\, h^e_{{{p + 1}}}" for p in by_weight[:TERMS])
    rest = r" + \cdots" if len(by_weight) > TERMS else ""
    context = rf"c_{{{i}}} = \sum_j \alpha_{{{i},j}}\, h^e_j = {parts}{rest}"

    unit = int(np.argmax(np.abs(s.context)))
    unit_parts = " + ".join(rf"{float(s.weights[p]):.4f}\cdot{_num(enc[p, unit])}" for p in by_weight[:TERMS])
    context_unit = (rf"\begin{{aligned}}c_{{{i},{unit + 1}}} &= \sum_j \alpha_{{{i},j}}\, h^e_{{j,{unit + 1}}} "
                    rf"= {unit_parts}{rest} \\ &= {float(s.context[unit]):.4f}\end{{aligned}}")
    return StepEquations(focus=focus, unit=unit, score=score, softmax=softmax, context=context,
                         context_unit=context_unit)


def _logsumexp(values: np.ndarray) -> float:
    top = float(np.max(values))
    return top + math.log(float(np.sum(np.exp(values - top))))


def first_step_note(trace: Trace) -> str | None:
    """Why decoder step 1 looks at the last source token, with its number (Markdown with LaTeX; no
    user text): the first query h^d_0 is h^e_n, so its score with h^e_n is ||h^e_n||^2. None for a
    model without dot-product scores."""
    if trace.score_function != "dot" or not trace.steps:
        return None
    scores = trace.steps[0].scores.astype(np.float64)
    n = len(scores)
    own = float(scores[-1])
    visible = [p for p in range(n) if p not in set(trace.mask)]
    largest = max(visible, key=lambda p: scores[p]) if visible else n - 1
    if largest == n - 1:
        tail = f"the largest of the {n} scores here, so step 1 looks at the last source token"
    else:
        tail = f"here the largest score is $x_{{{largest + 1}}}$'s ({scores[largest]:.2f})"
    return (f"At $i = 1$ the query $h^d_0$ is $h^e_{{{n}}}$ itself, so its score with $h^e_{{{n}}}$ is its own "
            f"squared length $\\lVert h^e_{{{n}}} \\rVert^2 = {own:.2f}$: {tail}. That is what the dot product "
            "does with this first query, not a bug.")
