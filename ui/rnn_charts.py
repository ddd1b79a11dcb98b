"""Plotly figures built from an RNNTrace (core.rnn): pure functions, no Streamlit.

The unrolled network as one animation (x_t below, h_t as a column of the state heatmap, the
head's output above, h_{t-1} -> h_t from column to column), the gates of one step, one unit's
activation over the text. Values are the trace's float32 arrays, unchanged.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import RNNTrace

from .charts import COVER, HIGHLIGHT, STATE_SCALE, WEIGHT_SCALE, _ref, _ticks, animated, animation_layout
from .labels import plot_text, token_label

GATE_NAMES = {  # how each recorded gate is written on screen
    "input": "W<sub>xh</sub>x<sub>t</sub> + b<sub>xh</sub>", "recurrent": "W<sub>hh</sub>h<sub>t-1</sub> + b<sub>hh</sub>",
    "r": "reset gate r<sub>t</sub>", "z": "update gate z<sub>t</sub>", "n": "candidate n<sub>t</sub>",
    "input_n": "W<sub>in</sub>x<sub>t</sub> + b<sub>in</sub>", "recurrent_n": "W<sub>hn</sub>h<sub>t-1</sub> + b<sub>hn</sub>",
    "i": "input gate i<sub>t</sub>", "f": "forget gate f<sub>t</sub>", "g": "candidate g<sub>t</sub>",
    "o": "output gate o<sub>t</sub>",
}
KIND_OUTPUT = {"lm": "next character", "tagger": "label of x<sub>t</sub>", "classifier": "class so far"}


def token_labels(trace: RNNTrace) -> list[str]:
    """Tokens as tick labels: a space shows as ␣, a line break as ↵."""
    return [plot_text(token_label(t).replace("\n", "↵")) for t in trace.tokens]


def _label(text: str) -> str:
    return plot_text(token_label(text).replace("\n", "↵"))


def unrolled_figure(trace: RNNTrace, first: int = 0) -> go.Figure:
    """The network unrolled over the input, animated one token at a time in the browser: frame t
    reveals h_t (a column of the state heatmap), the head's output above it, and its top choices.
    `first` (0-based) starts the drawing at a later step (steps keep their numbers t)."""
    n = len(trace.steps)
    first = min(max(0, first), n - 1)
    shown_steps = trace.steps[first:]
    states = np.stack([s.state for s in shown_steps]).T.astype(np.float32)  # (H, n - first)
    H = states.shape[0]
    labels = token_labels(trace)
    top1 = [_label(s.prediction) for s in shown_steps]
    top1_prob = np.array([s.topk[0][1] for s in shown_steps], dtype=np.float32)
    positions = np.arange(first + 1, n + 1)
    what = KIND_OUTPUT[trace.kind]
    written = "%{text}" if n - first <= 80 else ""  # beyond this the letters would overlap: hover shows them
    fig = make_subplots(rows=3, cols=2, column_widths=[0.74, 0.26], row_heights=[0.1, 0.8, 0.1],
                        specs=[[{}, {"rowspan": 3}], [{}, None], [{}, None]], horizontal_spacing=0.1,
                        vertical_spacing=0.06,
                        subplot_titles=(f"output from h<sub>t</sub>: {what}", "head at step t: top choices",
                                        "hidden state h<sub>t</sub> (one column per step; rows: units)",
                                        "input x<sub>t</sub>"))
    out_ref, state_ref, in_ref = _ref(fig, 1, 1), _ref(fig, 2, 1), _ref(fig, 3, 1)
    fig.add_trace(go.Heatmap(z=top1_prob[None, :], x=positions, y=[0], text=[top1], texttemplate=written,
                             colorscale=WEIGHT_SCALE, zmin=0, zmax=1, showscale=False,
                             hovertemplate="after x%{x}: %{text}<br>p = %{z:.4f}<extra></extra>"), 1, 1)
    limit = max(1.0, float(np.abs(states).max()))
    fig.add_trace(go.Heatmap(z=states, x=positions, y=np.arange(1, H + 1), colorscale=STATE_SCALE, zmid=0,
                             zmin=-limit, zmax=limit, colorbar=dict(title=dict(text="h", side="right"), len=0.6,
                                                                    thickness=10, x=0.695, xanchor="left"),
                             hovertemplate="h<sub>%{x}</sub>[%{y}] = %{z:.4f}<extra></extra>"), 2, 1)
    fig.add_trace(go.Heatmap(z=np.zeros((1, n - first), np.float32), x=positions, y=[0], text=[labels[first:]],
                             texttemplate=written, colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], zmin=0,
                             zmax=1, showscale=False, hovertemplate="x%{x} = %{text}<extra></extra>"), 3, 1)
    fig.add_trace(go.Bar(x=np.zeros(5, np.float32), y=np.arange(5), orientation="h", text=[""] * 5,
                         textposition="auto", marker_color="#5b8def", hovertemplate="p = %{x:.4f}<extra></extra>"),
                  1, 2)
    for row in (1, 2, 3):  # the strips show the tokens; the axis numbers the steps
        fig.update_xaxes(range=[first + 0.5, n + 0.5], row=row, col=1, showticklabels=row == 3,
                         **_ticks([str(t) for t in positions], start=first + 1, most=30))
    fig.update_yaxes(showticklabels=False, row=1, col=1)
    fig.update_yaxes(showticklabels=False, row=3, col=1)
    fig.update_yaxes(title_text="unit", autorange="reversed", row=2, col=1)
    fig.update_xaxes(range=[0, 1.15], title_text="probability", row=1, col=2)
    fig.update_yaxes(showticklabels=False, autorange="reversed", row=1, col=2)

    def frame(t: int) -> dict:
        step = trace.steps[t]
        shapes = [
            dict(type="rect", xref=out_ref[0], yref=out_ref[1], x0=t + 1.5, x1=n + 0.6, y0=-0.6, y1=0.6,
                 fillcolor=COVER, line=dict(width=0), layer="above", visible=t + 1 < n),
            dict(type="rect", xref=state_ref[0], yref=state_ref[1], x0=t + 1.5, x1=n + 0.6, y0=0.4, y1=H + 0.6,
                 fillcolor=COVER, line=dict(width=0), layer="above", visible=t + 1 < n),
            dict(type="rect", xref=state_ref[0], yref=state_ref[1], x0=t + 0.5, x1=t + 1.5, y0=0.5, y1=H + 0.5,
                 line=dict(color=HIGHLIGHT, width=3), fillcolor="rgba(0,0,0,0)", layer="above"),
            # the token being read: a shape, so a frame carries no array as long as the input
            dict(type="rect", xref=in_ref[0], yref=in_ref[1], x0=t + 0.5, x1=t + 1.5, y0=-0.5, y1=0.5,
                 line=dict(width=0), fillcolor=HIGHLIGHT, opacity=0.55, layer="below"),
        ]
        probs = np.zeros(5, np.float32)
        text = [""] * 5
        probs[: len(step.topk)] = [p for _, p in step.topk]
        text[: len(step.topk)] = [f"{_label(tok)}  {p:.3f}" for tok, p in step.topk]
        sampled = f";  sampled “{_label(step.sampled)}”" if step.sampled is not None else ""
        fed = " (fed back)" if step.generated else ""
        title = (f"t = {t + 1}:  h<sub>{t + 1}</sub> = f<sub>W</sub>(h<sub>{t}</sub>, x<sub>{t + 1}</sub> = "
                 f"“{labels[t]}”{fed})  →  {what}: “{_label(step.prediction)}” (p = {step.topk[0][1]:.3f}){sampled}")
        return dict(name=f"t{t + 1}", data=[dict(type="bar", x=probs, text=text)],
                    traces=[3], layout=dict(shapes=shapes, title=dict(text=title)))

    frames = [frame(t) for t in range(first, n)]
    animation_layout(fig, int(min(760, max(480, 1.4 * H + 260))))
    return animated(fig, frames, prefix="step ")


def gates_figure(trace: RNNTrace, t: int) -> go.Figure:
    """Step t (0-based): h_{t-1}, every recorded gate and h_t as heatmap rows over the units."""
    step = trace.steps[t]
    previous = trace.steps[t - 1].state if t > 0 else np.zeros_like(step.state)
    rows = [("h<sub>t-1</sub>", previous)]
    if trace.cell == "lstm":
        prev_cell = trace.steps[t - 1].cell if t > 0 else np.zeros_like(step.cell)
        rows.append(("c<sub>t-1</sub>", prev_cell))
    rows += [(GATE_NAMES[name], values) for name, values in step.gates.items()]
    if trace.cell == "lstm":
        rows.append(("c<sub>t</sub>", step.cell))
    rows.append(("h<sub>t</sub>", step.state))
    z = np.stack([values for _, values in rows]).astype(np.float32)
    limit = max(1.0, float(np.abs(z).max()))
    H = z.shape[1]
    fig = go.Figure(go.Heatmap(z=z, x=np.arange(1, H + 1), y=[name for name, _ in rows], colorscale=STATE_SCALE,
                               zmid=0, zmin=-limit, zmax=limit,
                               hovertemplate="%{y}, unit %{x}: %{z:.4f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="unit")
    fig.update_layout(height=int(90 + 34 * len(rows)), margin=dict(l=10, r=10, t=40, b=40),
                      title=dict(text=f"Step t = {t + 1}, reading “{_label(step.token)}”: every value of the update",
                                 font=dict(size=15)))
    return fig


def unit_text_figure(trace: RNNTrace, unit: int, width: int = 60) -> go.Figure:
    """One unit's activation h_t[unit] over the text: the characters (or words) laid out in
    lines, each coloured by the unit's value after reading it."""
    values = trace.states[:, unit].astype(np.float32)
    labels = token_labels(trace)
    if trace.tokens and len(max(trace.tokens, key=len)) > 1:  # words: fewer per line
        width = max(8, width // 5)
    lines = -(-len(values) // width)
    z = np.full((lines, width), np.nan, np.float32)
    text = [[""] * width for _ in range(lines)]
    for t, (value, label) in enumerate(zip(values, labels)):
        z[t // width, t % width] = value
        text[t // width][t % width] = label
    fig = go.Figure(go.Heatmap(z=z, text=text, texttemplate="%{text}", colorscale=STATE_SCALE, zmid=0, zmin=-1,
                               zmax=1, xgap=1, ygap=3, hoverongaps=False, showscale=False,
                               customdata=np.arange(lines * width).reshape(lines, width) + 1,
                               hovertemplate="t = %{customdata}: %{text}<br>h[" + str(unit + 1) + "] = %{z:.4f}"
                                             "<extra></extra>"))
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(height=int(70 + 30 * lines), margin=dict(l=10, r=10, t=36, b=10),
                      title=dict(text=f"unit {unit + 1}: h<sub>t</sub>[{unit + 1}] after each token "
                                      "(blue positive, red negative)",
                                 font=dict(size=14)))
    return fig


def gradient_figure(norms: dict[str, np.ndarray], tokens: list[str]) -> go.Figure:
    """||dh_t/dx_1|| against t for several models (log scale): how far the first input reaches."""
    fig = go.Figure()
    colours = {"rnn": "#d55e00", "gru": "#0072b2", "lstm": "#009e73"}
    labels = [_label(t) for t in tokens]
    for name, values in norms.items():
        cell = name.rsplit("-", 1)[-1]
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=np.maximum(values, 1e-30).astype(np.float64),
                                 mode="lines+markers", name=name, marker=dict(size=4),
                                 line=dict(color=colours.get(cell)), customdata=labels[: len(values)],
                                 hovertemplate=name + ": t = %{x} (%{customdata})<br>‖∂h<sub>t</sub>/∂x<sub>1</sub>‖ = "
                                                      "%{y:.3e}<extra></extra>"))
    fig.update_yaxes(type="log", title_text="‖∂h<sub>t</sub> / ∂x<sub>1</sub>‖ (log scale)", exponentformat="power")
    fig.update_xaxes(title_text="t (tokens read)")
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=40), legend=dict(orientation="h", y=1.08))
    return fig
