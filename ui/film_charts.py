"""The training film as one animated Plotly figure: the probe's alignment matrix (or, without
attention, its output) at each recorded point of training, beside the training-loss and held-out
metric curves with a marker at the current point. Frames play in the browser. Pure Plotly, no
Streamlit; every value comes from the film (core.film) unchanged, weights in thousandths as stored.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.film import PROBES, Film  # noqa: F401  (PROBES: how many probes a page may offer)

from .animation import HIGHLIGHT, NARROWEST_PX, PHONE_FIGURE_PX, WEIGHT_SCALE, animated, colour_axis, fitting_ticks
from .architecture_charts import phone_colour_axis
from .labels import plot_text, token_label

FILM_HEIGHT = 470
MAX_ROWS_LABELLED = 24  # output rows whose token is written on the axis (hover names every one)
MATRIX_PX = FILM_HEIGHT - 200  # the alignment matrix's height, on a phone too (its row labels are planned for it)
# A phone's film, one panel under another: pixel bands from the top of the plot area down.
PHONE_TOP, PHONE_BOTTOM = 75, 235  # the two-line title and the first panel's title; the axis title, Play, slider
PHONE_BANDS = {"matrix": MATRIX_PX, "under matrix": 145, "output": 50, "under output": 45, "loss": 150,
               "under loss": 80, "metric": 150}


@dataclass
class Moment:
    """What the film's text says about one point of training (all from the film)."""

    step: int
    loss: float | None
    metric: float
    output: str
    entropy: float | None  # mean entropy of the probes' attention weights (nats)
    peak: float | None  # mean largest weight of a decoder step


def moments(film: Film) -> list[Moment]:
    out = []
    for index, point in enumerate(film.points):
        entropy = peak = None
        if film.attention is not None:
            entropy = film.mean_entropy(index)
            peaks = [film.weights(index, p).max(axis=1).mean() for p in range(len(film.probe_inputs))]
            peak = float(np.mean(peaks))
        out.append(Moment(point.step, point.loss, point.metric, point.probes[0].output, entropy, peak))
    return out


def half_sentence(film: Film) -> str:
    """One line on the point where the held-out metric first passes half its final value, and what
    the attention looked like then (Markdown, no user text)."""
    index = film.half_point()
    point, last = film.points[index], film.points[-1]
    if last.metric <= 0:
        return f"The held-out {film.metric_name} stayed at 0 up to the last point (step {last.step:,})."
    where = (f"The held-out {film.metric_name} first reached half its final value of {last.metric:g} at step "
             f"{point.step:,} of {last.step:,} (it was {point.metric:g} there).")
    if film.attention is None:
        return where + " This model has no attention: only its outputs and loss change."
    ends = (0, index, len(film.points) - 1)
    entropy = [film.mean_entropy(i) for i in ends]
    peak = [float(np.mean([film.weights(i, p).max(axis=1).mean() for p in range(len(film.probe_inputs))]))
            for i in ends]
    uniform = float(np.mean([1 / len(tokens) for tokens in film.probe_tokens]))
    formed = (entropy[0] - entropy[1]) >= 0.5 * (entropy[0] - entropy[2])
    return (where + f" Untrained, a decoder step's largest attention weight was {peak[0]:.2f} on average over the "
            f"probes (uniform weights would give {uniform:.2f}); at that point it was {peak[1]:.2f}, and "
            f"{peak[2]:.2f} at the end (mean entropy of the weights {entropy[0]:.2f}, {entropy[1]:.2f}, "
            f"{entropy[2]:.2f} nats): the alignment had " + ("already formed." if formed else "only begun to form."))


def _out_labels(tokens: list[str]) -> list[str]:
    return [f"y<sub>{i + 1}</sub> {plot_text(token_label(t))}" for i, t in enumerate(tokens)]


def twin_name(name: str) -> str:
    """The other model of a task's pair: reverse-attn <-> reverse-noattn."""
    return name[: -len("-attn")] + "-noattn" if name.endswith("-attn") else name[: -len("-noattn")] + "-attn"


def film_figure(film: Film, probe: int = 0, twin: Film | None = None, phone: bool = False) -> go.Figure:
    """The film of probe `probe`, opening on its first point (before training), ready to Play. With
    `twin` (the film of the task's other model), its held-out curve is drawn too, dashed, for comparison.
    On a `phone` the panels stand one under another (the same traces and frames)."""
    if not 0 <= probe < len(film.probe_inputs):
        raise ValueError(f"probe {probe} is not one of this film's {len(film.probe_inputs)} probes")
    src = film.probe_tokens[probe]
    n = len(src)
    attention = film.attention is not None
    fig = make_subplots(rows=2, cols=2, column_widths=[0.56, 0.44], horizontal_spacing=0.13, vertical_spacing=0.2,
                        specs=[[{"rowspan": 2}, {}], [None, {}]],
                        subplot_titles=("attention weights α<sub>ij</sub>" if attention else "output (no attention)",
                                        "training loss", f"held-out {film.metric_name}"))
    steps = [p.step for p in film.points]
    at = list(range(len(steps)))  # the curves' x: the film's points, which are spaced like log(step + 1)
    losses = [p.loss for p in film.points]
    metrics = [p.metric for p in film.points]
    if attention:
        fig.add_trace(go.Heatmap(z=[[0.0] * n], x=np.arange(1, n + 1), y=[1], coloraxis="coloraxis",
                                 name="alignment matrix",
                                 hovertemplate="α<sub>%{y},%{x}</sub> = %{z:.3f}<extra></extra>"), 1, 1)
    else:
        fig.add_trace(go.Scatter(x=[0], y=[0], mode="text", text=[""], textfont=dict(size=20), name="output",
                                 hoverinfo="skip"), 1, 1)
    fig.add_trace(go.Scatter(x=at, y=losses, customdata=steps, mode="lines", name="training loss",
                             line=dict(color="#636efa"),
                             hovertemplate="step %{customdata}: loss %{y:.3f}<extra></extra>"), 1, 2)
    fig.add_trace(go.Scatter(x=[0], y=[losses[0]], mode="markers", name="now (loss)",
                             marker=dict(size=12, color=HIGHLIGHT, line=dict(width=1, color="black"))), 1, 2)
    fig.add_trace(go.Scatter(x=at, y=metrics, customdata=steps, mode="lines", name=film.metric_name,
                             line=dict(color="#00a67d"), hovertemplate="step %{customdata}: %{y:.1f}<extra></extra>"),
                  2, 2)
    fig.add_trace(go.Scatter(x=[0], y=[metrics[0]], mode="markers", name="now (metric)",
                             marker=dict(size=12, color=HIGHLIGHT, line=dict(width=1, color="black"))), 2, 2)
    if twin is not None:  # placed by step on this film's axis (both are spaced like log(step + 1))
        where = np.interp(np.log1p(twin.steps), np.log1p(steps), at)
        label = "with attention" if twin.attention else "without attention"
        fig.add_trace(go.Scatter(x=where, y=[p.metric for p in twin.points], customdata=twin.steps, mode="lines",
                                 name=f"{twin.model} ({label})", line=dict(color="gray", dash="dot"),
                                 hovertemplate=f"{label}, step %{{customdata}}: %{{y:.1f}}<extra></extra>"), 2, 2)
        fig.layout.annotations[2].text += ("<br>" if phone else " · ") + f"dotted: {label}"  # names the twin's curve
    half = film.half_point()
    for row in (1, 2):
        fig.add_vline(x=half, line=dict(color="gray", dash="dash", width=1), row=row, col=2)
    late = phone and half > len(steps) / 2  # a phone's narrow panel: the words go left of a late line
    fig.add_annotation(x=half, y=1, yref="y3 domain", xref="x3", text="half the final value",
                       showarrow=False, xanchor="right" if late else "left", yanchor="top",
                       font=dict(size=12, color="gray"))
    spacing = max(1, len(steps) // 5)
    shown = sorted({0, half, len(steps) - 1} | {i for i in range(0, len(steps) - spacing // 2, spacing)
                                                if abs(i - half) > spacing // 2})
    for row in (1, 2):
        fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=[f"{steps[i]:,}" for i in shown], tickangle=0,
                         range=[-0.5, len(steps) - 0.5], row=row, col=2)
    fig.update_xaxes(title_text="optimizer steps (more points early:" + ("<br>" if phone else " ")
                     + "the axis stretches the start)", row=2, col=2)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    top = max(metrics + ([p.metric for p in twin.points] if twin is not None else []) + [1])
    fig.update_yaxes(range=[0, top * 1.15], row=2, col=2)
    if attention:
        fig.update_xaxes(row=1, col=1, title_text="source x<sub>j</sub>", title_standoff=4,
                         **fitting_ticks([plot_text(token_label(t)) for t in src],
                                         0.6 * PHONE_FIGURE_PX if phone else 0.5 * NARROWEST_PX))
        fig.update_yaxes(title_text="output y<sub>i</sub>", row=1, col=1)
    else:
        fig.update_xaxes(visible=False, range=[-1, 1], row=1, col=1)
        fig.update_yaxes(visible=False, range=[-1, 1], row=1, col=1)
    fig.update_layout(height=FILM_HEIGHT, showlegend=False, margin=dict(l=60, r=40, t=75, b=120),
                      title=dict(x=0.01, y=0.985, yanchor="top", font=dict(size=16)))
    if attention and phone:  # in its own band under the matrix's tick labels and axis title
        where, plot = _phone_bands(attention)
        fig.update_layout(coloraxis=phone_colour_axis("α<sub>ij</sub>", WEIGHT_SCALE,
                                                      where["under matrix"][1] - 115 / plot))
    elif attention:
        fig.update_layout(coloraxis=colour_axis("α<sub>ij</sub>", WEIGHT_SCALE, 0, 1,
                                                dict(x=0.5, xanchor="left", len=0.8, y=0.45, yanchor="middle")))
    fig.update_annotations(font_size=13)
    if phone:
        _stack_for_phone(fig, attention)
    frames = [_frame(film, probe, index, phone) for index in range(len(film.points))]
    if "yaxis" in frames[0]["layout"]:
        fig.update_layout(yaxis=frames[0]["layout"]["yaxis"])
    # on a phone the controls go under the two-line axis title, the slider under the buttons
    return animated(fig, frames, prefix="training: ", below_px=80 if phone else 66, stacked_slider=phone)


def _phone_bands(attention: bool) -> tuple[dict[str, tuple[float, float]], int]:
    """Where PHONE_BANDS lie on a phone (paper coordinates, from the bottom) and the plot area's height."""
    first = ("matrix", "under matrix") if attention else ("output", "under output")
    bands = [(name, PHONE_BANDS[name]) for name in (*first, "loss", "under loss", "metric")]
    plot = sum(px for _, px in bands)
    where, top = {}, plot
    for name, px in bands:
        where[name] = (top - px) / plot, top / plot
        top -= px
    return where, plot


def _stack_for_phone(fig: go.Figure, attention: bool) -> None:
    """Lay the film's three panels out one under another across the whole width (PHONE_BANDS), the
    subplot titles over their panels."""
    where, plot = _phone_bands(attention)
    for (axis_x, axis_y), band, title in zip((("xaxis", "yaxis"), ("xaxis2", "yaxis2"), ("xaxis3", "yaxis3")),
                                             ("matrix" if attention else "output", "loss", "metric"),
                                             fig.layout.annotations[:3]):
        fig.layout[axis_x].domain, fig.layout[axis_y].domain = (0, 1), where[band]
        title.update(x=0.5, y=where[band][1])
    fig.update_layout(height=PHONE_TOP + plot + PHONE_BOTTOM, margin=dict(l=10, r=10, t=PHONE_TOP, b=PHONE_BOTTOM),
                      title=dict(font=dict(size=12)))
    if not attention:  # the output written in the first panel must fit the width
        fig.data[0].textfont.size = 13


def _cut(output: str, most: int) -> str:
    """The output's first `most` characters for the plot, cut before escaping (no half entities)."""
    return plot_text(output[:most] + ("…" if len(output) > most else ""))


def _frame(film: Film, probe: int, index: int, phone: bool = False) -> dict:
    point = film.points[index]
    frame = point.probes[probe]
    output = frame.output or "∅"
    shown = _cut(output, 48)
    if phone:  # two lines, the output's a little shorter: a phone's line holds fewer characters
        title = (f"step {point.step:,} of {film.points[-1].step:,} · {film.metric_name} {point.metric:g}<br>"
                 f"{_cut(output, 36)}")
    else:
        title = f"step {point.step:,} of {film.points[-1].step:,}: {shown}  ·  {film.metric_name} {point.metric:g}"
    loss = point.loss if point.loss is not None else None
    data: list[dict] = []
    layout: dict = {"title": {"text": title}}
    if film.attention is not None:
        weights = film.weights(index, probe).astype(np.float32)
        m = weights.shape[0]
        labels = _out_labels(frame.out_tokens)
        ticks = fitting_ticks(labels, MATRIX_PX, vertical=True) if m <= MAX_ROWS_LABELLED * 3 else \
            dict(tickmode="array", tickvals=[], ticktext=[])
        data.append(dict(type="heatmap", z=weights, y=np.arange(1, m + 1), x=np.arange(1, weights.shape[1] + 1)))
        layout["yaxis"] = dict(range=[m + 0.5, 0.5], autorange=False, **ticks)
    else:
        data.append(dict(type="scatter", x=[0], y=[0], text=[shown]))
    data.append(dict(type="scatter", x=[index], y=[loss]))
    data.append(dict(type="scatter", x=[index], y=[point.metric]))
    return dict(name=f"{point.step:,}", data=data, traces=[0, 2, 4], layout=layout)
