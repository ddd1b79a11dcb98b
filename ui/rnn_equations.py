"""The recurrent update of one step, h_t = f_W(h_{t-1}, x_t), as LaTeX with the step's numbers
for one unit k (every number is the trace's own value)."""
from __future__ import annotations

import numpy as np

from core import RNNTrace

from .equations import _num


def _res(x: float) -> str:
    """A result (after '=' or alone inside a function): no parentheses needed."""
    return f"{x:.4f}"


def _sigmoid_line(gate: str, k: int, value: float) -> str:
    return (rf"{gate}_{{t,{k}}} = \sigma\big(W_{{x{gate}}} x_t + W_{{h{gate}}} h_{{t-1}} + b_{{{gate}}}\big)_{{{k}}}"
            rf" = {_res(value)}")


def update_equations(trace: RNNTrace, t: int, unit: int) -> list[str]:
    """The update of step t (0-based) at unit `unit` (0-based), line by line."""
    step = trace.steps[t]
    g = {name: float(values[unit]) for name, values in step.gates.items()}
    k = unit + 1
    h_prev = float(trace.steps[t - 1].state[unit]) if t > 0 else 0.0
    h = float(step.state[unit])
    if trace.cell == "rnn":
        total = g["input"] + g["recurrent"]
        return [r"h_t = \tanh\big(W_{xh}\, x_t + b_{xh} + W_{hh}\, h_{t-1} + b_{hh}\big)",
                rf"h_{{t,{k}}} = \tanh\big({_num(g['input'])} + {_num(g['recurrent'])}\big) = "
                rf"\tanh({_res(total)}) = {_res(h)}"]
    if trace.cell == "gru":
        return [_sigmoid_line("r", k, g["r"]), _sigmoid_line("z", k, g["z"]),
                rf"n_{{t,{k}}} = \tanh\big((W_{{xn}} x_t + b_{{xn}})_{{{k}}} + r_{{t,{k}}}\,(W_{{hn}} h_{{t-1}} + "
                rf"b_{{hn}})_{{{k}}}\big) = \tanh\big({_num(g['input_n'])} + {_num(g['r'])} \cdot "
                rf"{_num(g['recurrent_n'])}\big) = {_res(g['n'])}",
                rf"h_{{t,{k}}} = (1 - z_{{t,{k}}})\, n_{{t,{k}}} + z_{{t,{k}}}\, h_{{t-1,{k}}} = "
                rf"(1 - {_num(g['z'])}) \cdot {_num(g['n'])} + {_num(g['z'])} \cdot {_num(h_prev)} = {_res(h)}"]
    c_prev = float(trace.steps[t - 1].cell[unit]) if t > 0 else 0.0
    c = float(step.cell[unit])
    return [_sigmoid_line("i", k, g["i"]), _sigmoid_line("f", k, g["f"]),
            _sigmoid_line("o", k, g["o"]),
            rf"g_{{t,{k}}} = \tanh\big(W_{{xg}} x_t + W_{{hg}} h_{{t-1}} + b_{{g}}\big)_{{{k}}} = {_res(g['g'])}",
            rf"c_{{t,{k}}} = f_{{t,{k}}}\, c_{{t-1,{k}}} + i_{{t,{k}}}\, g_{{t,{k}}} = {_num(g['f'])} \cdot "
            rf"{_num(c_prev)} + {_num(g['i'])} \cdot {_num(g['g'])} = {_res(c)}",
            rf"h_{{t,{k}}} = o_{{t,{k}}} \tanh(c_{{t,{k}}}) = {_num(g['o'])} \cdot \tanh({_res(c)}) = {_res(h)}"]


def busiest_unit(trace: RNNTrace, t: int) -> int:
    """The unit whose state changed most at step t (0-based): a good default to work through."""
    step = trace.steps[t]
    previous = trace.steps[t - 1].state if t > 0 else np.zeros_like(step.state)
    return int(np.argmax(np.abs(step.state - previous)))
