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

from .animation import (NARROWEST_PX, PROB_SCALE, STATE_SCALE, animated, animation_layout, bar_beside, colour_axis,
                        cover, fitting_ticks, label_width, outline, subplot_height, subplot_ref, unit_order, unit_rows)
from .charts import (top_choice_data, top_choices)
from .labels import plot_text, token_label
from .phone_stack import (BAR_BAND_PX, PHONE_LINE_CHART_PX, PHONE_MARGIN, PHONE_PLOT_PX, PHONE_TITLE_PX, Band, Cell,
                          bar_across, phone_controls, place_title, stack, title_lines, title_margin, wrap, wrap_titles)

SIGMOID_GATES = ("r", "z", "i", "f", "o")  # gates between 0 and 1; the other recorded values are signed
GATE_SCALE = "Greens"  # sequential, unlike the states' RdBu and the weights' Viridis: gate values only
GATE_NAMES = {  # how each recorded gate is written on screen
    "input": "W<sub>xh</sub>x<sub>t</sub> + b<sub>xh</sub>", "recurrent": "W<sub>hh</sub>h<sub>t-1</sub> + b<sub>hh</sub>",
    "r": "reset gate r<sub>t</sub>", "z": "update gate z<sub>t</sub>", "n": "candidate n<sub>t</sub>",
    "input_n": "W<sub>in</sub>x<sub>t</sub> + b<sub>in</sub>", "recurrent_n": "W<sub>hn</sub>h<sub>t-1</sub> + b<sub>hn</sub>",
    "i": "input gate i<sub>t</sub>", "f": "forget gate f<sub>t</sub>", "g": "candidate g<sub>t</sub>",
    "o": "output gate o<sub>t</sub>",
}
PHONE_LINE_TOKENS, PHONE_LINE_WORDS = 20, 4  # a line of unit_text_figure on a phone: about 16 px a character
KIND_OUTPUT = {"lm": "next character", "tagger": "label of x<sub>t</sub>", "classifier": "class so far"}


def token_labels(trace: RNNTrace) -> list[str]:
    """Tokens as tick labels: a space shows as ␣, a line break as ↵."""
    return [plot_text(token_label(t).replace("\n", "↵")) for t in trace.tokens]


def _label(text: str) -> str:
    return plot_text(token_label(text).replace("\n", "↵"))


def unrolled_figure(trace: RNNTrace, first: int = 0, phone: bool = False) -> go.Figure:
    """The network unrolled over the input, animated one token at a time in the browser: frame t
    reveals h_t (a column of the state heatmap), the head's output above it, and its top choices.
    `first` (0-based) starts the drawing at a later step (steps keep their numbers t). Rows are the
    units, ordered by the step at which each changes most (animation.unit_order). `phone`: the
    strips and the states one under another, the two colour bars in a band of their own, then the
    top choices; strips and ticks planned for a phone's width."""
    n = len(trace.steps)
    first = min(max(0, first), n - 1)
    shown_steps = trace.steps[first:]
    count = n - first
    order = unit_order(np.stack([s.state for s in shown_steps]))
    states = np.stack([s.state for s in shown_steps]).T.astype(np.float32)[order]  # (H, count), rows in `order`
    H = states.shape[0]
    labels = token_labels(trace)
    top1 = [_label(s.prediction) for s in shown_steps]
    top1_prob = np.array([s.topk[0][1] for s in shown_steps], dtype=np.float32)
    positions = np.arange(first + 1, n + 1)
    what = KIND_OUTPUT[trace.kind]
    strip_px = PHONE_PLOT_PX if phone else 0.62 * NARROWEST_PX
    height = int(min(780, max(520, 1.4 * H + 300)))
    fig = make_subplots(rows=3, cols=2, column_widths=[0.7, 0.3], row_heights=[0.1, 0.8, 0.1],
                        specs=[[{}, None], [{}, {"rowspan": 2}], [{}, None]], horizontal_spacing=0.14,
                        vertical_spacing=0.08,
                        subplot_titles=(f"output from h<sub>t</sub>: {what} (the top guess)",
                                        "hidden state h<sub>t</sub> (a column: the state after x<sub>t</sub>; "
                                        "a row: one unit)",
                                        "head at step t: top choices", "input x<sub>t</sub>"))
    out_ref, state_ref, in_ref = subplot_ref(fig, 1, 1), subplot_ref(fig, 2, 1), subplot_ref(fig, 3, 1)
    fig.add_trace(go.Heatmap(z=top1_prob[None, :], x=positions, y=[0], text=[top1],
                             texttemplate="%{text}" if _fits(top1, strip_px) else "", coloraxis="coloraxis2",
                             name="top guess", hovertemplate="after x%{x}: %{text}<br>p = %{z:.4f}<extra></extra>"),
                  1, 1)  # 0
    fig.add_trace(go.Heatmap(z=states, x=positions, y=np.arange(1, H + 1), coloraxis="coloraxis", name="hidden states",
                             customdata=np.repeat((order + 1).astype(np.uint16)[:, None], count, axis=1),
                             hovertemplate="h<sub>%{x}</sub>, unit %{customdata}: %{z:.4f}<extra></extra>"), 2, 1)  # 1
    fig.add_trace(go.Heatmap(z=np.zeros((1, count), np.float32), x=positions, y=[0], text=[labels[first:]],
                             texttemplate="%{text}" if _fits(labels[first:], strip_px) else "",
                             colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], zmin=0, zmax=1, showscale=False,
                             name="input tokens", hovertemplate="x%{x} = %{text}<extra></extra>"), 3, 1)  # 2
    fig.add_trace(top_choices(), 2, 2)  # 3
    step_labels = [str(t) for t in positions]
    for row in (1, 2, 3):  # the strips show the tokens; the axis numbers the steps
        fig.update_xaxes(range=[first + 0.5, n + 0.5], row=row, col=1, showticklabels=row == 3,
                         **fitting_ticks(step_labels, strip_px, start=first + 1))
    fig.update_yaxes(showticklabels=False, range=[-0.5, 0.5], row=1, col=1)
    fig.update_yaxes(showticklabels=False, range=[-0.5, 0.5], row=3, col=1)
    animation_layout(fig, height)
    fig.update_yaxes(title_text="unit (by step of largest change)", autorange="reversed", row=2, col=1,
                     **unit_rows(order, subplot_height(fig, 2, 1)))
    fig.update_xaxes(range=[0, 1.45], title_text="probability", tickvals=[0, 0.5, 1], row=2, col=2)
    fig.update_yaxes(showticklabels=False, range=[4.5, -0.5], row=2, col=2)
    limit = max(1.0, float(np.abs(states).max()))
    fig.update_layout(coloraxis=colour_axis("h<sub>t</sub><br>(value of a unit)", STATE_SCALE, -limit, limit,
                                            bar_beside(fig, (2,), 1)),
                      coloraxis2=colour_axis("p of the top guess", PROB_SCALE, 0, 1,
                                             _across_top(fig.get_subplot(2, 2)), digits=1))

    def frame(t: int) -> dict:
        step = trace.steps[t]
        later = t + 1 < n  # columns after t are not computed yet
        shapes = [cover(out_ref, t + 1.5, n + 0.6, -0.6, 0.6, visible=later),
                  cover(state_ref, t + 1.5, n + 0.6, 0.4, H + 0.6, visible=later),
                  outline(state_ref, t + 0.5, t + 1.5, 0.5, H + 0.5),
                  outline(in_ref, t + 0.5, t + 1.5, -0.5, 0.5)]  # the token being read: no input-long array
        sampled = f";  sampled “{_label(step.sampled)}”" if step.sampled is not None else ""
        fed = " (fed back)" if step.generated else ""
        title = (f"t = {t + 1}:  h<sub>{t + 1}</sub> = f<sub>W</sub>(h<sub>{t}</sub>, x<sub>{t + 1}</sub> = "
                 f"“{labels[t]}”{fed})  →  {what}: “{_label(step.prediction)}” (p = {step.topk[0][1]:.3f}){sampled}")
        return dict(name=f"t{t + 1}", data=[top_choice_data(step.topk)], traces=[3],
                    layout=dict(shapes=shapes, title=dict(text=title)))

    frames = [frame(t) for t in range(first, n)]
    if not phone:
        return animated(fig, frames, prefix="step ")
    frames = wrap_titles(frames, PHONE_TITLE_PX)
    fig = animated(fig, frames, prefix="step ")
    _phone_unrolled(fig, order, what, title_lines(frames))
    return fig


def _phone_unrolled(fig: go.Figure, order: np.ndarray, what: str, lines: int) -> None:
    """unrolled_figure's panels one under another: the output strip, the states, the input strip, the
    colour bars of both side by side, then the top choices."""
    bands = [Band((Cell(1, 1, title=f"output from h<sub>t</sub>: {what}"),), 22, below=4),
             Band((Cell(2, 1, title="hidden state h<sub>t</sub><br>(a column: after x<sub>t</sub>; a row: one unit)"),),
                  min(340, max(160, 1.3 * len(order))), above=40, below=4),
             Band((Cell(3, 1),), 22, below=34),
             Band((), BAR_BAND_PX, above=0, below=0),  # the colour bars
             Band((Cell(2, 2),), 110, below=0)]
    fig.update_layout(margin=PHONE_MARGIN)
    spans = stack(fig, bands, lines, bottom=phone_controls(fig))
    fig.update_yaxes(row=2, col=1, **unit_rows(order, subplot_height(fig, 2, 1)))
    fig.layout.coloraxis.colorbar.update(bar_across(spans[3], 0.24, 0.46))
    fig.layout.coloraxis2.colorbar.update(bar_across(spans[3], 0.76, 0.46))


def _fits(labels: list[str], width_px: float, font_px: float = 12) -> bool:
    """Whether one label per column fits in a strip `width_px` wide (else hover shows them)."""
    widest = max((label_width(label, font_px) for label in labels), default=0)
    return widest + 2 <= width_px / max(len(labels), 1)


def _across_top(subplot) -> dict:
    """A horizontal colour bar above a subplot (paper coordinates)."""
    (x0, x1), (_, y1) = subplot.xaxis.domain, subplot.yaxis.domain
    return dict(orientation="h", x=(x0 + x1) / 2, xanchor="center", len=(x1 - x0) * 0.9, y=y1 + 0.1,
                yanchor="bottom", thickness=10)


def gates_figure(trace: RNNTrace, t: int, phone: bool = False) -> go.Figure:
    """Step t (0-based): h_{t-1}, every recorded gate and h_t as heatmap rows over the units.
    `phone`: the title in lines that fit, the two colour bars side by side in a band under the plot."""
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
    # Two quantities, two scales: the gates are sigmoids (0 to 1, how much passes); states, candidates
    # and the two terms of an Elman update are signed values.
    gates = {GATE_NAMES[name] for name in SIGMOID_GATES if name in step.gates}
    names = [name for name, _ in rows]
    H = len(step.state)
    signed = np.stack([values for name, values in rows if name not in gates]).astype(np.float32)
    limit = max(1.0, float(np.abs(signed).max()))
    fig = go.Figure()
    for in_group, axis in ((lambda n: n not in gates, "coloraxis"), (lambda n: n in gates, "coloraxis2")):
        if not any(in_group(n) for n in names):
            continue
        # every row, the other quantity's as gaps (NaN, drawn clear): the rows keep their places
        z = np.stack([values if in_group(name) else np.full(H, np.nan) for name, values in rows]).astype(np.float32)
        fig.add_trace(go.Heatmap(z=z, x=np.arange(1, H + 1), y=np.arange(len(names)), coloraxis=axis,
                                 hoverongaps=False, customdata=[[name] * H for name in names],
                                 name="gates" if axis == "coloraxis2" else "values of the update",
                                 hovertemplate="%{customdata}, unit %{x}: %{z:.4f}<extra></extra>"))
    # the two colour bars side by side, each the plot's full height, so their tick labels have room
    fig.update_layout(coloraxis=colour_axis("state or<br>candidate", STATE_SCALE, -limit, limit,
                                            dict(len=1.0, x=1.01, xanchor="left")))
    if gates:
        fig.update_layout(coloraxis2=colour_axis("gate<br>(σ, 0-1)", GATE_SCALE, 0, 1,
                                                 dict(len=1.0, x=1.11, xanchor="left")))
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(names))), ticktext=names)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="unit")
    title = f"Step t = {t + 1}, reading “{_label(step.token)}”: every value of the update"
    fig.update_layout(height=int(90 + 34 * len(rows)), margin=dict(l=10, r=10, t=40, b=40),
                      title=dict(text=title, font=dict(size=15)))
    if phone:
        _bars_under(fig, wrap(title, PHONE_TITLE_PX), 34 * len(rows), axis_px=52)
    return fig


def _bars_under(fig: go.Figure, title: str, plot_px: float, axis_px: float) -> None:
    """A one-plot figure's phone layout: its title (wrapped) in the phone's font, and its colour bars
    side by side in a band under the x axis (beside the plot they would take half the width);
    `axis_px`: the x axis' tick labels and title."""
    top = title_margin(title.count("<br>") + 1)
    height = int(top + plot_px + axis_px + BAR_BAND_PX)
    fig.update_layout(title_text=title, height=height, margin=dict(t=top, b=axis_px + BAR_BAND_PX))
    place_title(fig, height)
    band = (-(axis_px + BAR_BAND_PX) / plot_px, -axis_px / plot_px)
    bars = sorted(name for name in fig.layout.to_plotly_json() if name.startswith("coloraxis"))
    places = [(0.5, 0.8)] if len(bars) == 1 else [(0.24, 0.46), (0.76, 0.46)]  # (centre, length) of each
    for name, (centre, share) in zip(bars, places):
        fig.layout[name].colorbar.update(bar_across(band, centre, share))


def unit_text_figure(trace: RNNTrace, unit: int, width: int = 60, phone: bool = False) -> go.Figure:
    """One unit's activation h_t[unit] over the text: the characters (or words) laid out in
    lines, each coloured by the unit's value after reading it. `phone`: fewer tokens a line (each
    cell wide enough for its character), the title in lines that fit and the colour bar in a band
    under the text."""
    values = trace.states[:, unit].astype(np.float32)
    labels = token_labels(trace)
    words = bool(trace.tokens) and len(max(trace.tokens, key=len)) > 1
    if words:  # fewer per line
        width = max(8, width // 5)
    if phone:
        width = min(width, PHONE_LINE_WORDS if words else PHONE_LINE_TOKENS)
    lines = -(-len(values) // width)
    z = np.full((lines, width), np.nan, np.float32)
    text = [[""] * width for _ in range(lines)]
    for t, (value, label) in enumerate(zip(values, labels)):
        z[t // width, t % width] = value
        text[t // width][t % width] = label
    limit = max(1.0, float(np.nanmax(np.abs(z))))
    fig = go.Figure(go.Heatmap(z=z, text=text, texttemplate="%{text}", coloraxis="coloraxis", name="unit activation",
                               xgap=1, ygap=3, hoverongaps=False,
                               customdata=np.arange(lines * width).reshape(lines, width) + 1,
                               hovertemplate="t = %{customdata}: %{text}<br>h[" + str(unit + 1) + "] = %{z:.4f}"
                                             "<extra></extra>"))
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    title = f"unit {unit + 1}: h<sub>t</sub>[{unit + 1}] after each token (blue positive, red negative)"
    fig.update_layout(height=int(90 + 30 * lines), margin=dict(l=10, r=10, t=56, b=10),
                      title=dict(text=title, font=dict(size=14)),
                      coloraxis=colour_axis(f"h<sub>t</sub>[{unit + 1}]", STATE_SCALE, -limit, limit,
                                            dict(orientation="h", x=1, xanchor="right", y=1.0, yanchor="bottom",
                                                 len=0.3, thickness=8)))
    if phone:
        _bars_under(fig, wrap(title, PHONE_TITLE_PX), 30 * lines, axis_px=10)
    return fig


def gradient_figure(norms: dict[str, np.ndarray], tokens: list[str], phone: bool = False) -> go.Figure:
    """||dh_t/dx_1|| against t for several models (log scale): how far the first input reaches.
    `phone`: a lower figure (the plot is narrow)."""
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
    fig.update_layout(height=PHONE_LINE_CHART_PX if phone else 420, margin=dict(l=10, r=10, t=30, b=40),
                      legend=dict(orientation="h", y=1.08))
    return fig
