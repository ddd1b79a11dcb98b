"""Figures for the four RNN architectures of the lecture: the wiring of each pattern (animated
one step at a time in the browser), and what the models put out at every step."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core import RNNTrace, Trace

from .animation import (AnimatedFigure, HIGHLIGHT, NARROWEST_PX, PHONE_FIGURE_PX, PROB_SCALE, animation_controls,
                        colour_axis, fitting_ticks)
from .labels import markdown_text, plot_text, token_label

PATTERNS = {"labeling": "Sequence labeling", "classification": "Sequence classification",
            "lm": "Language modeling", "encoder-decoder": "Encoder-decoder"}
MAX_NODES = 12  # columns the wiring diagram draws (the model itself reads the whole input)
CLASS_COLOURS = {"negative": "#d55e00", "neutral": "#999999", "positive": "#009e73"}
NODE = "#5b8def"
IDLE = "#d9d9d9"
PHONE_STEP_PX = 58  # on a phone the wiring runs down the screen, one step per this many pixels


PLAIN_EXAMPLE = ("reverse-noattn", "encoder")  # the encoder-decoder pattern runs a plain model, not a drawing


def plain_example(trace: Trace | None) -> tuple[list[str], list[str]]:
    """The encoder-decoder wiring's tokens: a plain model's real run (its source tokens and every
    output token, end token included); without the model, the input and its right answer."""
    if trace is None:
        word = PLAIN_EXAMPLE[1]
        return list(word), list(word[::-1]) + ["</s>"]
    return list(trace.src_tokens), list(trace.out_tokens)


def plain_example_caption(trace: Trace | None) -> str:
    """What the encoder-decoder wiring shows (Markdown; the tokens are the fixed example's)."""
    if trace is None:
        return (f"The wiring of an encoder-decoder without attention, on the letters of “{PLAIN_EXAMPLE[1]}” written "
                "backwards. Press ▶ Play to light up each step.")
    return (f"The wiring of {trace.model}, an encoder-decoder without attention, on “{PLAIN_EXAMPLE[1]}”: the output "
            f"row is what it really wrote (“{markdown_text(trace.output)}”). Every decoder step reads the same c = $h^e_n$. Press ▶ "
            "Play to light up each step.")


def _short(token: str) -> str:
    text = token_label(token).replace("\n", "↵")
    return plot_text(text if len(text) <= 8 else text[:7] + "…")


def pattern_figure(pattern: str, inputs: list[str], outputs: list[str], phone: bool = False) -> go.Figure:
    """The pattern's wiring over the first MAX_NODES inputs: x_t at the bottom, h_t in the middle,
    outputs on top; h_{t-1} -> h_t along the row. Frame t lights up what is computed at step t.
    `outputs` are what the model put out (one per input; for classification only the last counts;
    for encoder-decoder: the output tokens). On a `phone` the same wiring is turned a quarter: the
    steps run down the screen (x_t on the left, h_t in the middle, outputs on the right), so every
    box keeps the room of a wide screen's."""
    inputs = inputs[:MAX_NODES]
    if pattern == "encoder-decoder":
        outputs = outputs[:MAX_NODES]
        n, m = len(inputs), len(outputs)
        xs_in, xs_out = list(range(1, n + 1)), list(range(n + 2, n + 2 + m))
        hidden_x = xs_in + xs_out
        hidden_text = [f"h<sup>e</sup><sub>{j}</sub>" for j in range(1, n + 1)] + \
                      [f"h<sup>d</sup><sub>{i}</sub>" for i in range(1, m + 1)]
        out_x, out_text = xs_out, [_short(t) for t in outputs]
        in_x, in_text = xs_in + xs_out, [_short(t) for t in inputs] + ["&lt;s&gt;"] + [_short(t) for t in outputs[:-1]]
        order = [("in", j) for j in range(n)] + [("out", i) for i in range(m)]
    else:
        n = len(inputs)
        hidden_x = list(range(1, n + 1))
        hidden_text = [f"h<sub>{t}</sub>" for t in range(1, n + 1)]
        in_x, in_text = hidden_x, [_short(t) for t in inputs]
        if pattern == "classification":
            out_x, out_text = [n], [_short(outputs[n - 1] if outputs else "")]
        else:
            out_x, out_text = hidden_x, [_short(t) for t in outputs[:n]]
        order = [("in", t) for t in range(n)]
    fig = go.Figure()
    shapes, arrows = [], []

    def place(step: float, level: float) -> tuple[float, float]:
        """Where a point of the wiring (its step along the sequence, its level: 0 input, 1 state, 2
        output) is drawn: steps along x on a wide screen, down y on a phone."""
        return (level, -step) if phone else (step, level)

    def arrow(step0, level0, step1, level1, **style):
        (x0, y0), (x1, y1) = place(step0, level0), place(step1, level1)
        arrows.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                           arrowhead=2, text="", **style))

    plain = dict(arrowsize=1, arrowwidth=1.5, arrowcolor="#888888", standoff=14, startstandoff=14)
    for x in in_x:
        arrow(x, 0, x, 1, **plain)
    for x in out_x:
        arrow(x, 1, x, 2, **plain)
    if pattern == "lm":
        for a, b in zip(out_x, out_x[1:]):
            arrow(a, 1.82, b, 0.18, arrowwidth=1, arrowcolor="#bbbbbb", standoff=12, startstandoff=12)
    if pattern == "encoder-decoder":
        # c = h^e_n sits between the two RNNs (h^e_n -> c -> h^d_1 runs along the state row); every
        # decoder step also reads c: a line beside the boxes, with a short arrow into each box
        # (drawn through no box).
        c_x = len(inputs) + 1
        hidden_x = hidden_x[: len(inputs)] + [c_x] + hidden_x[len(inputs):]
        hidden_text = hidden_text[: len(inputs)] + ["c"] + hidden_text[len(inputs):]
        bus = 1.5
        for (s0, l0), (s1, l1) in (((c_x, 1.27), (c_x, bus)), ((c_x, bus), (max(out_x), bus))):
            (x0, y0), (x1, y1) = place(s0, l0), place(s1, l1)
            shapes.append(dict(type="line", x0=x0, x1=x1, y0=y0, y1=y1, line=dict(color="#999999", width=1.5)))
        for x in out_x:
            arrow(x, bus, x, 1.29, arrowwidth=1.5, arrowcolor="#999999")
        where = place(c_x, bus)
        fig.add_annotation(x=where[0], y=where[1], showarrow=False, xanchor="left",
                           font=dict(size=12, color="#777777"),
                           **(dict(text="c, read at every<br>decoder step", xshift=4) if phone else
                              dict(text="c, read at every decoder step", yshift=10)))
    for a, b in zip(hidden_x, hidden_x[1:]):
        arrow(a, 1, b, 1, **plain)
    for xs, level, texts, name in ((in_x, 0, in_text, "inputs"), (hidden_x, 1, hidden_text, "states"),
                                   (out_x, 2, out_text, "outputs")):
        points = [place(x, level) for x in xs]
        fig.add_trace(go.Scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="markers+text",
                                 text=texts, textposition="middle center", name=name,
                                 marker=dict(symbol="square", size=40, color=[IDLE] * len(xs),
                                             line=dict(color="#555555", width=1)),
                                 textfont=dict(size=12, color="#111111"), hoverinfo="skip", showlegend=False))

    def colours(step: int | None) -> list[list[str]]:
        """Marker colours of the three rows when `step` (index into order) is being computed."""
        done = len(order) if step is None else step + 1
        in_c, hid_c, out_c = [IDLE] * len(in_x), [IDLE] * len(hidden_x), [IDLE] * len(out_x)
        for k in range(done):
            side, t = order[k]
            current = k == done - 1 and step is not None
            colour = HIGHLIGHT if current else NODE
            if pattern == "encoder-decoder":
                in_c[t if side == "in" else len(inputs) + t] = colour
                hid_c[t if side == "in" else len(inputs) + 1 + t] = colour
                if side == "out":
                    out_c[t] = colour
                if k == len(inputs) - 1:  # the encoder's last state is c
                    hid_c[len(inputs)] = colour
            else:
                hid_c[t] = in_c[t] = colour
                if pattern != "classification":
                    out_c[t] = colour
                elif t == len(inputs) - 1:
                    out_c[0] = colour
        return [in_c, hid_c, out_c]

    names = [f"t{k + 1}" for k in range(len(order))]
    frames = [dict(name=name, data=[dict(type="scatter", marker=dict(color=c)) for c in colours(k)],
                   traces=[0, 1, 2]) for k, name in enumerate(names)]
    for trace_index, c in enumerate(colours(0)):  # it opens on step 1, ready to Play
        fig.data[trace_index].marker.color = c
    right = max(hidden_x + out_x) + 0.6
    legend = (f"<span style='color:{IDLE}'>■</span> not computed yet   <span style='color:{NODE}'>■</span> computed"
              + ("<br>" if phone else "   ") + f"<span style='color:{HIGHLIGHT}'>■</span> computed at this step")
    fig.add_annotation(x=0, y=1, xref="paper", yref="paper", xanchor="left", yanchor="bottom", text=legend,
                       showarrow=False, font=dict(size=12), name="colour legend")
    top, bottom = (46, 125) if phone else (30, 100)  # a phone's legend and controls take two lines each
    steps, levels = dict(range=[0.4, right], visible=False), dict(range=[-0.5, 2.5], visible=False)
    if phone:
        fig.update_layout(xaxis=dict(levels, range=[-0.6, 2.6]), yaxis=dict(steps, range=[-right, -0.4]),
                          height=round(PHONE_STEP_PX * (right - 0.4)) + top + bottom)
    else:
        fig.update_layout(xaxis=steps, yaxis=levels, height=330)
    fig.update_layout(annotations=list(fig.layout.annotations) + arrows, shapes=shapes,
                      margin=dict(l=10, r=10, t=top, b=bottom), plot_bgcolor="rgba(0,0,0,0)")
    # Play/Pause/Resume take most of a phone's width: the slider goes on its own line under them (no
    # axis labels under the wiring, so the buttons come close)
    animation_controls(fig, names, prefix="step ", below_px=20 if phone else 66, stacked_slider=phone)
    return AnimatedFigure.adopt(fig, frames)


def phone_colour_axis(title: str, scale: str, bottom: float, digits: int = 2) -> dict:
    """A 0..1 colour axis for a phone: its bar horizontal at the left (the plots keep the figure's whole
    width), its bottom at paper height `bottom`, its title on one line above it and its tick labels
    below: about 50 px in all."""
    return colour_axis(title.replace("<br>", " "), scale, 0, 1,
                       dict(orientation="h", x=0, xanchor="left", len=0.55, lenmode="fraction", thickness=10,
                            y=bottom, yanchor="bottom"), digits=digits)


def _probability_scale(fig: go.Figure, title: str, phone: bool) -> None:
    """The probability colour axis (after the figure's height and margins are set); on a phone a
    horizontal bar in the top margin, which must hold about 70 px."""
    if phone:
        plot = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
        fig.update_layout(coloraxis=phone_colour_axis(title, PROB_SCALE, 1 + 20 / plot, digits=1))
    else:
        fig.update_layout(coloraxis=colour_axis(title, PROB_SCALE, 0, 1, dict(len=1.0), digits=1))


def _axis_px(phone: bool) -> float:
    """The length of a full-width plot's x axis the tick labels are planned for."""
    return 0.8 * PHONE_FIGURE_PX if phone else 0.85 * NARROWEST_PX


def class_probs_figure(trace: RNNTrace, phone: bool = False) -> go.Figure:
    """A classifier's probabilities after every token (the head on each h_t): the prediction forming."""
    probs = np.stack([s.probs for s in trace.steps]).astype(np.float32)  # (n, L)
    ticks = [f"{t + 1}·{_short(token)}" for t, token in enumerate(trace.tokens)]
    fig = go.Figure()
    for index, label in enumerate(trace.labels):
        fig.add_trace(go.Scatter(x=np.arange(1, len(ticks) + 1), y=probs[:, index], mode="lines+markers", name=label,
                                 stackgroup="one", line=dict(color=CLASS_COLOURS.get(label), width=1),
                                 customdata=ticks, hovertemplate=label + " after %{customdata}: %{y:.3f}"
                                                                         "<extra></extra>"))
    fig.update_xaxes(title_text="after reading token t", **fitting_ticks(ticks, _axis_px(phone)))
    fig.update_yaxes(range=[0, 1], title_text="probability")
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=40), legend=dict(orientation="h", y=1.12))
    return fig


def label_probs_figure(trace: RNNTrace, phone: bool = False) -> go.Figure:
    """A tagger's label distribution for every token (columns), the chosen label written in."""
    probs = np.stack([s.probs for s in trace.steps]).T.astype(np.float32)  # (L, n)
    chosen = [[("●" if s.prediction == label else "") for s in trace.steps] for label in trace.labels]
    fig = go.Figure(go.Heatmap(z=probs, x=np.arange(1, len(trace.steps) + 1), y=trace.labels, text=chosen,
                               texttemplate="%{text}", coloraxis="coloraxis", name="label probabilities",
                               customdata=np.array([[_short(t) for t in trace.tokens]] * len(trace.labels)),
                               hovertemplate="%{customdata}: p(%{y}) = %{z:.4f}<extra></extra>"))
    fig.update_xaxes(**fitting_ticks([_short(t) for t in trace.tokens], _axis_px(phone)))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=306 if phone else 260, margin=dict(l=10, r=10, t=72 if phone else 20, b=40))
    _probability_scale(fig, "p(label)<br>● chosen", phone)
    return fig


def next_token_figure(trace: RNNTrace, ranks: int = 5, phone: bool = False) -> go.Figure:
    """A language model's next-character distribution at every step: its top choices (rows) with
    their probabilities; ● marks the character that actually came next."""
    n = len(trace.steps)
    z = np.zeros((ranks, n), np.float32)
    text = [[""] * n for _ in range(ranks)]
    for t, step in enumerate(trace.steps):
        following = trace.tokens[t + 1] if t + 1 < n else step.sampled
        for r, (token, p) in enumerate(step.topk[:ranks]):
            z[r, t] = p
            text[r][t] = _short(token) + (" ●" if token == following else "")
    fig = go.Figure(go.Heatmap(z=z, x=np.arange(1, n + 1), y=[f"choice {r + 1}" for r in range(ranks)], text=text,
                               texttemplate="%{text}", coloraxis="coloraxis", name="next-character choices",
                               customdata=np.array([[_short(t) for t in trace.tokens]] * ranks),
                               hovertemplate="after %{customdata}: %{text} p = %{z:.4f}<extra></extra>"))
    fig.update_xaxes(title_text="after reading", **fitting_ticks([_short(t) for t in trace.tokens], _axis_px(phone)))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=346 if phone else 300, margin=dict(l=10, r=10, t=72 if phone else 20, b=40))
    _probability_scale(fig, "p(next<br>character)", phone)
    return fig
