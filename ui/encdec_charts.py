"""Plotly figures for the plain encoder-decoder and its limits: pure functions, no Streamlit."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import ModelCard, Trace
from core.limits import PrefixResult, Timing

from .charts import (COVER, HIGHLIGHT, STATE_SCALE, WEIGHT_SCALE, _ref, _symmetric_range, _ticks, animated,
                     animation_layout, source_tick_labels)
from .labels import plot_text, token_label

MODEL_COLOURS = {"attn": "#0072b2", "noattn": "#d55e00"}  # colour-blind safe pair (Okabe-Ito)


def encoder_decoder_figure(trace: Trace) -> go.Figure:
    """The lecture's encoder-decoder, animated in the browser: the encoder reads x_1..x_n, its
    last state becomes c = h^e_n, and the decoder unrolls with c at every step."""
    if trace.score_function is not None:
        raise ValueError("This figure shows the plain encoder-decoder; the model has attention.")
    n, H = trace.encoder_states.shape
    m = len(trace.steps)
    enc = trace.encoder_states.T.astype(np.float32)  # (H, n)
    context = trace.steps[0].context[:, None].astype(np.float32)  # (H, 1) c = h^e_n
    dec = np.stack([trace.steps[0].query] + [s.state for s in trace.steps]).T.astype(np.float32)  # (H, m+1)
    bound = _symmetric_range(enc, dec)
    src_labels = source_tick_labels(trace)
    out_labels = [plot_text(token_label(t)) for t in trace.out_tokens]
    chosen = np.array([dict(s.topk).get(s.token, np.nan) for s in trace.steps], dtype=np.float32)
    fig = make_subplots(rows=3, cols=3, column_widths=[0.5, 0.06, 0.44], row_heights=[0.08, 0.62, 0.3],
                        specs=[[{}, None, {}], [{}, {}, {}], [None, None, {}]], horizontal_spacing=0.05,
                        vertical_spacing=0.13,
                        subplot_titles=("source x<sub>j</sub>", "output y<sub>i</sub>",
                                        "encoder states h<sup>e</sup><sub>j</sub>", "c = h<sup>e</sup><sub>n</sub>",
                                        "decoder states h<sup>d</sup><sub>i</sub> (each step also reads c)",
                                        "output distribution: top choices"))
    heat = dict(colorscale=STATE_SCALE, zmid=0, zmin=-bound, zmax=bound, showscale=False)
    units = np.arange(1, H + 1)
    fig.add_trace(go.Heatmap(z=np.zeros((1, n), np.float32), x=np.arange(1, n + 1), y=[0], text=[src_labels],
                             texttemplate="%{text}", colorscale=[[0, "rgba(0,0,0,0)"], [1, HIGHLIGHT]], zmin=0, zmax=1,
                             showscale=False, hovertemplate="x%{x}: %{text}<extra></extra>"), 1, 1)  # 0
    fig.add_trace(go.Heatmap(z=chosen[None, :], x=np.arange(1, m + 1), y=[0], text=[[""] * m], texttemplate="%{text}",
                             colorscale=WEIGHT_SCALE, zmin=0, zmax=1, showscale=False,
                             hovertemplate="y%{x}: %{text}<br>p = %{z:.4f}<extra></extra>"), 1, 3)  # 1
    fig.add_trace(go.Heatmap(z=enc, x=np.arange(1, n + 1), y=units, **heat,
                             hovertemplate="h<sup>e</sup><sub>%{x}</sub>[%{y}] = %{z:.4f}<extra></extra>"), 2, 1)  # 2
    fig.add_trace(go.Heatmap(z=context, x=[0], y=units, **heat,
                             hovertemplate="c[%{y}] = %{z:.4f}<extra></extra>"), 2, 2)  # 3
    fig.add_trace(go.Heatmap(z=dec, x=np.arange(0, m + 1), y=units, **heat,
                             hovertemplate="h<sup>d</sup><sub>%{x}</sub>[%{y}] = %{z:.4f}<extra></extra>"), 2, 3)  # 4
    fig.add_trace(go.Bar(x=np.zeros(5, np.float32), y=np.arange(5), orientation="h", text=[""] * 5,
                         textposition="auto", marker_color="#5b8def",
                         hovertemplate="p = %{x:.4f}<extra></extra>"), 3, 3)  # 5
    out_ref, enc_ref, c_ref, dec_ref = _ref(fig, 1, 3), _ref(fig, 2, 1), _ref(fig, 2, 2), _ref(fig, 2, 3)
    for row in (1, 2):
        fig.update_xaxes(range=[0.5, n + 0.5], row=row, col=1, showticklabels=row == 2, **_ticks(src_labels))
        fig.update_xaxes(range=[-0.5, m + 0.5], row=row, col=3, showticklabels=row == 2,
                         **_ticks([f"h{i}" for i in range(m + 1)], start=0, most=16))
    fig.update_xaxes(showticklabels=False, row=2, col=2)
    fig.update_yaxes(showticklabels=False, row=1)
    fig.update_yaxes(title_text="unit", autorange="reversed", row=2, col=1)
    fig.update_yaxes(autorange="reversed", showticklabels=False, row=2, col=2)
    fig.update_yaxes(autorange="reversed", showticklabels=False, row=2, col=3)
    fig.update_xaxes(range=[0, 1.15], title_text="probability", row=3, col=3)
    fig.update_yaxes(showticklabels=False, autorange="reversed", row=3, col=3)

    def cover(ref, x0, x1, y0, y1, visible=True):
        return dict(type="rect", xref=ref[0], yref=ref[1], x0=x0, x1=x1, y0=y0, y1=y1, fillcolor=COVER,
                    line=dict(width=0), layer="above", visible=visible)

    def outline(ref, x0, x1, y0, y1, visible=True):
        return dict(type="rect", xref=ref[0], yref=ref[1], x0=x0, x1=x1, y0=y0, y1=y1, visible=visible,
                    line=dict(color=HIGHLIGHT, width=3), fillcolor="rgba(0,0,0,0)", layer="above")

    def frame(name: str, title: str, read: int, states: int, reading: int | None, step: int | None) -> dict:
        """read: encoder states shown; states: decoder states shown (h^d_0..); step: 0-based decoder step."""
        strip = np.zeros((1, n), np.float32)
        if reading is not None:
            strip[0, reading] = 1
        probs, text = np.zeros(5, np.float32), [""] * 5
        if step is not None:
            topk = trace.steps[step].topk[:5]
            probs[: len(topk)] = [p for _, p in topk]
            text[: len(topk)] = [f"{plot_text(token_label(t))}  {p:.3f}" for t, p in topk]
        outputs = step + 1 if step is not None else 0
        shapes = [cover(enc_ref, read + 0.5, n + 0.6, 0.4, H + 0.6, read < n),
                  cover(c_ref, -0.6, 0.6, 0.4, H + 0.6, read < n),
                  cover(dec_ref, states - 0.5, m + 0.6, 0.4, H + 0.6, states <= m),
                  cover(out_ref, outputs + 0.5, m + 0.6, -0.6, 0.6, outputs < m),
                  outline(enc_ref, (reading or 0) + 0.5, (reading or 0) + 1.5, 0.5, H + 0.5, reading is not None),
                  outline(c_ref, -0.5, 0.5, 0.5, H + 0.5, step is not None or read == n and reading is None),
                  outline(dec_ref, states - 1.5, states - 0.5, 0.5, H + 0.5, states > 0)]
        shown = [label if i < outputs else "" for i, label in enumerate(out_labels)]
        return dict(name=name, data=[dict(type="heatmap", z=strip), dict(type="heatmap", text=[shown]),
                                     dict(type="bar", x=probs, text=text)],
                    traces=[0, 1, 5], layout=dict(shapes=shapes, title=dict(text=title)))

    frames = [frame(f"x{j + 1}", f"Encoder reads x<sub>{j + 1}</sub> = “{src_labels[j]}”:  h<sup>e</sup><sub>{j + 1}"
                    f"</sub> = f<sub>W</sub>(h<sup>e</sup><sub>{j}</sub>, x<sub>{j + 1}</sub>)", j + 1, 0, j, None)
              for j in range(n)]
    frames.append(frame("c", f"The whole input is now one vector: c = h<sup>e</sup><sub>{n}</sub> "
                             f"({H} numbers, whatever the length); h<sup>d</sup><sub>0</sub> = c", n, 1, None, None))
    for i, s in enumerate(trace.steps):
        prob = dict(s.topk).get(s.token)
        frames.append(frame(f"y{i + 1}", f"h<sup>d</sup><sub>{i + 1}</sub> = g(y<sub>{i}</sub>, h<sup>d</sup><sub>{i}"
                                         f"</sub>, c)  →  y<sub>{i + 1}</sub> = “{out_labels[i]}”"
                                         + (f" (p = {prob:.3f})" if prob is not None else ""), n, i + 2, None, i))
    animation_layout(fig, int(min(820, max(560, 1.6 * H + 300))))
    return animated(fig, frames)


def prefix_figure(results: dict[str, list[PrefixResult]]) -> go.Figure:
    """Share of output characters right as one input grows, one line per model."""
    fig = go.Figure()
    for name, rows in results.items():
        kind = name.rsplit("-", 1)[-1]
        fig.add_trace(go.Scatter(
            x=[r.length for r in rows], y=[100 * r.correct_chars for r in rows], mode="lines+markers", name=name,
            line=dict(color=MODEL_COLOURS.get(kind), dash="solid" if kind == "noattn" else "dot"),
            customdata=[[plot_text(r.source), plot_text(r.output), "exact" if r.exact else "wrong"] for r in rows],
            hovertemplate=name + ", %{x} letters: %{y:.0f}% right (%{customdata[2]})<br>input %{customdata[0]}"
                                 "<br>output %{customdata[1]}<extra></extra>"))
    fig.update_xaxes(title_text="letters in the input (the same input, growing)")
    fig.update_yaxes(title_text="output characters right (%)", range=[0, 105])
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=40, b=40), legend=dict(orientation="h", y=1.12))
    return fig


def _metric(row: dict) -> float:
    return row["bleu"] if "bleu" in row else 100 * row["exact_match"]


def length_figure(cards: list[ModelCard]) -> go.Figure:
    """Held-out accuracy (BLEU for word-level tasks) by source length, from the cards: one panel
    per task, the attention model and the plain one in each (Bahdanau et al. 2015, Fig. 2)."""
    tasks = sorted({c.task for c in cards})
    fig = make_subplots(rows=1, cols=len(tasks), subplot_titles=tasks, horizontal_spacing=0.06)
    for col, task in enumerate(tasks, start=1):
        for card in sorted((c for c in cards if c.task == task), key=lambda c: c.name):
            kind = "noattn" if card.attention is None else "attn"
            rows = card.metrics_by_length
            label = "BLEU" if "bleu" in card.metrics else "exact match %"
            fig.add_trace(go.Scatter(
                x=[r["lengths"] for r in rows], y=[_metric(r) for r in rows], mode="lines+markers",
                name="with attention" if kind == "attn" else "without attention (c = hᵉₙ)", legendgroup=kind,
                showlegend=col == 1, line=dict(color=MODEL_COLOURS[kind], dash="dot" if kind == "attn" else "solid"),
                customdata=[[r["n"]] for r in rows],
                hovertemplate=f"{card.name}<br>source length %{{x}}: {label} %{{y:.1f}} (n = %{{customdata[0]}})"
                              "<extra></extra>"), 1, col)
        fig.update_yaxes(title_text="BLEU" if any("bleu" in c.metrics for c in cards if c.task == task)
                         else "exact match (%)", rangemode="tozero", row=1, col=col)
        fig.update_xaxes(title_text="source length", row=1, col=col)
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=50, b=40), legend=dict(orientation="h", y=1.2))
    return fig


def timing_figure(timing: Timing) -> go.Figure:
    """The n dependent encoder steps against the one product that scores everything."""
    labels = [f"encoder: {timing.steps} steps, one after another",
              f"scores: all {timing.queries} × {timing.steps} dot products in one product"]
    values = [timing.sequential_ms, timing.parallel_ms]
    fig = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker_color=["#d55e00", "#0072b2"],
                           text=[f"{v:.3f} ms" for v in values], textposition="auto",
                           hovertemplate="%{y}: %{x:.4f} ms<extra></extra>"))
    fig.update_xaxes(title_text="milliseconds (median, measured now on this server)")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=220, margin=dict(l=10, r=10, t=20, b=40))
    return fig


def side_by_side_figure(with_attention: Trace, without: Trace) -> go.Figure:
    """Both models writing their output on the same input, one decoder step per frame (animated in
    the browser): the attention model's alignment matrix fills in row by row, and each model's
    output strip gains its token of the step (colour: the probability it gave that token)."""
    n = len(with_attention.src_tokens)
    steps = max(len(with_attention.steps), len(without.steps))
    weights = with_attention.attention.astype(np.float32)  # (m, n)
    m = weights.shape[0]
    src_labels = source_tick_labels(with_attention)
    fig = make_subplots(rows=3, cols=1, row_heights=[0.66, 0.17, 0.17], vertical_spacing=0.12,
                        subplot_titles=("with attention: weights α<sub>ij</sub> of each step i over the source",
                                        "with attention: output y<sub>i</sub>",
                                        "without attention (every step reads c = h<sup>e</sup><sub>n</sub>): "
                                        "output y<sub>i</sub>"))
    fig.add_trace(go.Heatmap(z=weights, x=np.arange(1, n + 1), y=np.arange(1, m + 1), colorscale=WEIGHT_SCALE,
                             zmin=0, zmax=1, colorbar=dict(title=dict(text="α"), thickness=10, len=0.6, y=0.68),
                             hovertemplate="α<sub>%{y},%{x}</sub> = %{z:.4f}<extra></extra>"), 1, 1)
    for row, trace in ((2, with_attention), (3, without)):
        labels = [plot_text(token_label(t)) for t in trace.out_tokens]
        probs = np.array([dict(s.topk).get(s.token, np.nan) for s in trace.steps], dtype=np.float32)
        fig.add_trace(go.Heatmap(z=probs[None, :], x=np.arange(1, len(labels) + 1), y=[0], text=[labels],
                                 texttemplate="%{text}", colorscale=WEIGHT_SCALE, zmin=0, zmax=1, showscale=False,
                                 hovertemplate="y%{x} = %{text}<br>p = %{z:.4f}<extra></extra>"), row, 1)
    refs = [_ref(fig, r, 1) for r in (1, 2, 3)]
    fig.update_xaxes(range=[0.5, n + 0.5], row=1, col=1, **_ticks(src_labels))
    for row in (2, 3):
        fig.update_xaxes(range=[0.5, steps + 0.5], row=row, col=1, showticklabels=False)  # columns: steps 1..
        fig.update_yaxes(showticklabels=False, row=row, col=1)
    fig.update_yaxes(autorange="reversed", title_text="step i", row=1, col=1)

    def frame(i: int) -> dict:  # after step i (1-based) of both models
        shapes = [dict(type="rect", xref=refs[0][0], yref=refs[0][1], x0=0.4, x1=n + 0.6, y0=i + 0.5, y1=m + 0.6,
                       fillcolor=COVER, line=dict(width=0), layer="above", visible=i < m),
                  dict(type="rect", xref=refs[0][0], yref=refs[0][1], x0=0.5, x1=n + 0.5, y0=i - 0.5, y1=i + 0.5,
                       line=dict(color=HIGHLIGHT, width=3), fillcolor="rgba(0,0,0,0)", layer="above",
                       visible=i <= m)]
        for ref in refs[1:]:
            shapes.append(dict(type="rect", xref=ref[0], yref=ref[1], x0=i + 0.5, x1=steps + 0.6, y0=-0.6, y1=0.6,
                               fillcolor=COVER, line=dict(width=0), layer="above", visible=i < steps))
        return dict(name=f"y{i}", layout=dict(shapes=shapes, title=dict(text=f"Decoder step i = {i}")))

    animation_layout(fig, int(min(760, max(560, 18 * m + 340))))
    return animated(fig, [frame(i) for i in range(1, steps + 1)], prefix="step ")
