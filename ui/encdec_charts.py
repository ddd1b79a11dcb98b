"""Plotly figures for the plain encoder-decoder and its limits: pure functions, no Streamlit."""
from __future__ import annotations

import difflib
import functools
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import ModelCard, Trace, list_models
from core.limits import REFERENCES, PrefixResult, Timing

from .animation import (NARROWEST_PX, PROB_SCALE, STATE_SCALE, WEIGHT_SCALE, animated, animation_layout, bar_beside,
                        colour_axis, cover, fitting_ticks, label_width, outline, subplot_height, subplot_ref,
                        symmetric_range, unit_order, unit_rows)
from .charts import (add_token_strips, bidirectional, encoder_caption, encoder_done, first_step_title, strip_text,
                     source_tick_labels, top_choice_data, top_choices)
from .labels import plot_text, token_label
from .phone_stack import (BAR_BAND_PX, PHONE_LINE_CHART_PX, PHONE_MARGIN, PHONE_PLOT_PX, PHONE_STRIP_FONT,
                          PHONE_TITLE_PX, Band, Cell, bar_across, phone_controls, stack, title_lines, wrap, wrap_titles)

MODEL_COLOURS = {"attn": "#0072b2", "noattn": "#d55e00"}  # colour-blind safe pair (Okabe-Ito)
LENGTH_PANEL_PX, LENGTH_GAP_PX = 190, 90  # a phone's panel of length_figure, and the room under it (ticks, titles)
TIMING_LABEL_PX = 150  # a phone's row names in timing_figure: the rest of the width is the bars'


def encoder_decoder_figure(trace: Trace, phone: bool = False) -> go.Figure:
    """The lecture's encoder-decoder, animated in the browser: the encoder reads x_1..x_n, its
    last state becomes c = h^e_n, and the decoder unrolls with c at every step. Frames change the
    shapes, the title, the output strip's text and the top choices (see charts' animation notes).
    `phone`: the panels one under another (c beside the decoder states, which start from it), the
    colour bar in a band of its own, the output strip and tick labels planned for a phone's width."""
    if trace.score_function is not None:
        raise ValueError("This figure shows the plain encoder-decoder; the model has attention.")
    n, H = trace.encoder_states.shape
    m = len(trace.steps)
    both_ways = bidirectional(trace)
    order = unit_order(trace.encoder_states)  # rows: units by the source step where they change most
    enc = trace.encoder_states.T.astype(np.float32)[order]  # (H, n)
    context = trace.steps[0].context[order, None].astype(np.float32)  # (H, 1) c = h^e_n
    dec = np.stack([trace.steps[0].query] + [s.state for s in trace.steps]).T.astype(np.float32)[order]  # (H, m+1)
    bound = symmetric_range(enc, dec)
    src_labels = source_tick_labels(trace)
    out_labels = [plot_text(token_label(t)) for t in trace.out_tokens]
    units = np.repeat((order + 1).astype(np.uint16)[:, None], max(n, m + 1), axis=1)  # hover names the unit
    fig = make_subplots(rows=3, cols=3, column_widths=[0.5, 0.06, 0.44], row_heights=[0.08, 0.62, 0.3],
                        specs=[[{}, None, {}], [{}, {}, {}], [None, None, {}]], horizontal_spacing=0.05,
                        vertical_spacing=0.13,
                        subplot_titles=("source x<sub>j</sub>", "output y<sub>i</sub>",
                                        "encoder states h<sup>e</sup><sub>j</sub> (a column: one vector)",
                                        "c = h<sup>e</sup><sub>n</sub>",
                                        "decoder states h<sup>d</sup><sub>i</sub> (each step also reads c)",
                                        "output distribution: top choices"))
    strip = strip_text(out_labels, PHONE_PLOT_PX if phone else 0.44 * 0.85 * NARROWEST_PX)
    add_token_strips(fig, src_labels, np.arange(1, n + 1), strip, m, source_at=(1, 1), output_at=(1, 3))  # 0, 1
    fig.add_trace(go.Heatmap(z=enc, x=np.arange(1, n + 1), y=np.arange(1, H + 1), coloraxis="coloraxis",
                             name="encoder states", customdata=units[:, :n],
                             hovertemplate="h<sup>e</sup><sub>%{x}</sub>, unit %{customdata}: %{z:.4f}<extra></extra>"),
                  2, 1)  # 2
    fig.add_trace(go.Heatmap(z=context, x=[0], y=np.arange(1, H + 1), coloraxis="coloraxis", name="context c",
                             customdata=units[:, :1],
                             hovertemplate="c, unit %{customdata}: %{z:.4f}<extra></extra>"), 2, 2)  # 3
    fig.add_trace(go.Heatmap(z=dec, x=np.arange(0, m + 1), y=np.arange(1, H + 1), coloraxis="coloraxis",
                             name="decoder states", customdata=units[:, : m + 1],
                             hovertemplate="h<sup>d</sup><sub>%{x}</sub>, unit %{customdata}: %{z:.4f}<extra></extra>"),
                  2, 3)  # 4
    fig.add_trace(top_choices(), 3, 3)  # 5
    out_ref, enc_ref, c_ref, dec_ref = subplot_ref(fig, 1, 3), subplot_ref(fig, 2, 1), subplot_ref(fig, 2, 2), subplot_ref(fig, 2, 3)
    src_ref = subplot_ref(fig, 1, 1)
    width = 0.44 * 0.85 * NARROWEST_PX
    fig.update_xaxes(range=[0.5, n + 0.5], row=1, col=1, showticklabels=False)
    fig.update_xaxes(range=[0.5, n + 0.5], row=2, col=1, **fitting_ticks(src_labels, 0.5 * 0.85 * NARROWEST_PX))
    fig.update_xaxes(range=[0.5, m + 0.5], row=1, col=3, showticklabels=False)
    fig.update_xaxes(range=[-0.5, m + 0.5], row=2, col=3, **fitting_ticks([f"h{i}" for i in range(m + 1)], width,
                                                                          start=0))
    fig.update_xaxes(showticklabels=False, row=2, col=2)
    fig.update_yaxes(showticklabels=False, range=[-0.5, 0.5], row=1, col=1)
    fig.update_yaxes(showticklabels=False, range=[strip["lines"] - 0.5, -0.5], row=1, col=3)
    height = int(min(840, max(580, 1.6 * H + 320)))
    animation_layout(fig, height)
    fig.update_yaxes(title_text="unit (by step of largest change)", title_font_size=11, autorange="reversed",
                     row=2, col=1, **unit_rows(order, subplot_height(fig, 2, 1)))
    fig.update_yaxes(autorange="reversed", showticklabels=False, row=2, col=2)
    fig.update_yaxes(autorange="reversed", showticklabels=False, row=2, col=3)
    fig.update_xaxes(range=[0, 1.45], title_text="probability", tickvals=[0, 0.5, 1], row=3, col=3)
    fig.update_yaxes(showticklabels=False, range=[4.5, -0.5], row=3, col=3)
    fig.update_layout(coloraxis=colour_axis("h<sup>e</sup>, c, h<sup>d</sup><br>(value of a unit)", STATE_SCALE,
                                            -bound, bound, bar_beside(fig, (2,), 3)))

    def frame(name: str, title: str, read: int, states: int, reading: int | None, step: int | None) -> dict:
        """read: encoder states shown; states: decoder states shown (h^d_0..); step: 0-based decoder step."""
        outputs = step + 1 if step is not None else 0
        at = reading if reading is not None else 0
        lo, hi = encoder_done(read, n, both_ways)
        shapes = [cover(enc_ref, hi + 0.5 if lo <= hi else 0.4, n + 0.6, 0.4, H + 0.6, hi < n or lo > hi),
                  cover(c_ref, -0.6, 0.6, 0.4, H + 0.6, read < n),
                  cover(dec_ref, states - 0.5, m + 0.6, 0.4, H + 0.6, states <= m),
                  cover(out_ref, outputs + 0.5, m + 0.6, -0.6, strip["lines"] - 0.4, outputs < m),
                  outline(src_ref, at + 0.5, at + 1.5, -0.5, 0.5, reading is not None),
                  outline(enc_ref, at + 0.5, at + 1.5, 0.5, H + 0.5, reading is not None and not both_ways),
                  outline(c_ref, -0.5, 0.5, 0.5, H + 0.5, step is not None or read == n and reading is None),
                  outline(dec_ref, states - 1.5, states - 0.5, 0.5, H + 0.5, states > 0)]
        if both_ways:  # the states left of the complete ones, and the token the backward RNN reads
            shapes += [cover(enc_ref, 0.4, lo - 0.5, 0.4, H + 0.6, 1 < lo <= hi),
                       outline(src_ref, n - at - 0.5, n - at + 0.5, -0.5, 0.5, reading is not None)]
        shown = [[label if i < outputs else "" for i, label in enumerate(row)] for row in strip["rows"]]
        top = top_choice_data(trace.steps[step].topk if step is not None else [])
        return dict(name=name, data=[dict(type="heatmap", text=shown), top], traces=[1, 5],
                    layout=dict(shapes=shapes, title=dict(text=title)))

    frames = [frame(f"x{j + 1}", encoder_caption(j + 1, src_labels, both_ways), j + 1, 0, j, None) for j in range(n)]
    frames.append(frame("c", f"The whole input is now one vector: c = h<sup>e</sup><sub>{n}</sub> "
                             f"({H} numbers, whatever the length); h<sup>d</sup><sub>0</sub> = c", n, 1, None, None))
    for i, s in enumerate(trace.steps):
        prob = dict(s.topk).get(s.token)
        frames.append(frame(f"y{i + 1}", f"h<sup>d</sup><sub>{i + 1}</sub> = g(y<sub>{i}</sub>, h<sup>d</sup><sub>{i}"
                                         f"</sub>, c)  →  y<sub>{i + 1}</sub> = “{out_labels[i]}”"
                                         + (f" (p = {prob:.3f})" if prob is not None else ""), n, i + 2, None, i))
    if not phone:
        return animated(fig, frames)
    frames = wrap_titles(frames, PHONE_TITLE_PX)
    fig = animated(fig, frames)
    _phone_encoder_decoder(fig, order, src_labels, m, strip["lines"], title_lines(frames))
    return fig


def _phone_encoder_decoder(fig: go.Figure, order: np.ndarray, src_labels: list[str], m: int, strip_lines: int,
                           lines: int) -> None:
    """encoder_decoder_figure's panels one under another: the source and the encoder states, c beside the
    decoder states, the colour bar, the output strip and the top choices; ticks planned for the phone."""
    states_px = min(300, max(150, 1.2 * len(order)))
    bands = [Band((Cell(1, 1),), 22, below=4),
             Band((Cell(2, 1, title="encoder states h<sup>e</sup><sub>j</sub><br>(a column: one vector)"),), states_px,
                  above=40, below=36),
             Band((Cell(2, 2, 0, 0.07, title="c"), Cell(2, 3, 0.13, 1, title="decoder states h<sup>d</sup><sub>i</sub>"
                                                                        "<br>(each step also reads c)")),
                  states_px, above=40, below=36),
             Band((), BAR_BAND_PX, above=0, below=0),  # the colour bar
             Band((Cell(1, 3),), 18 * strip_lines, below=4),
             Band((Cell(3, 3, title="output distribution: top choices"),), 100, below=0)]
    fig.update_layout(margin=PHONE_MARGIN)
    spans = stack(fig, bands, lines, bottom=phone_controls(fig))
    fig.update_xaxes(row=2, col=1, **fitting_ticks(src_labels, PHONE_PLOT_PX))
    fig.update_xaxes(row=2, col=3, **fitting_ticks([f"h{i}" for i in range(m + 1)], 0.87 * PHONE_PLOT_PX, start=0))
    fig.update_yaxes(row=2, col=1, **unit_rows(order, subplot_height(fig, 2, 1)))
    fig.layout.coloraxis.colorbar.update(bar_across(spans[3]))


def prefix_figure(results: dict[str, list[PrefixResult]], phone: bool = False) -> go.Figure:
    """Share of output characters right as one input grows, one line per model. `phone`: a lower
    figure (the plot is narrow) with a shorter axis title."""
    fig = go.Figure()
    for name, rows in results.items():
        kind = name.rsplit("-", 1)[-1]
        fig.add_trace(go.Scatter(
            x=[r.length for r in rows], y=[100 * r.correct_chars for r in rows], mode="lines+markers", name=name,
            line=dict(color=MODEL_COLOURS.get(kind), dash="solid" if kind == "noattn" else "dot"),
            customdata=[[plot_text(r.source), plot_text(r.output), "exact" if r.exact else "wrong"] for r in rows],
            hovertemplate=name + ", %{x} letters: %{y:.0f}% right (%{customdata[2]})<br>input %{customdata[0]}"
                                 "<br>output %{customdata[1]}<extra></extra>"))
    fig.update_xaxes(title_text="letters in the input (growing)" if phone
                     else "letters in the input (the same input, growing)")
    fig.update_yaxes(title_text="output characters right (%)", range=[0, 105])
    fig.update_layout(height=PHONE_LINE_CHART_PX if phone else 380, margin=dict(l=10, r=10, t=40, b=40),
                      legend=dict(orientation="h", y=1.12))
    return fig


def _metric(row: dict) -> float:
    return row["bleu"] if "bleu" in row else 100 * row["exact_match"]


def length_figure(cards: list[ModelCard], phone: bool = False) -> go.Figure:
    """Held-out accuracy (BLEU for word-level tasks) by source length, from the cards: one panel
    per task, the attention model and the plain one in each (Bahdanau et al. 2015, Fig. 2).
    `phone`: the panels one under another, the legend above them."""
    tasks = sorted({c.task for c in cards})
    if phone:
        fig = make_subplots(rows=len(tasks), cols=1, subplot_titles=tasks,
                            vertical_spacing=LENGTH_GAP_PX / (LENGTH_PANEL_PX + LENGTH_GAP_PX) / len(tasks))
    else:
        fig = make_subplots(rows=1, cols=len(tasks), subplot_titles=tasks, horizontal_spacing=0.06)
    for col, task in enumerate(tasks, start=1):
        place = (col, 1) if phone else (1, col)
        for card in sorted((c for c in cards if c.task == task), key=lambda c: c.name):
            kind = "noattn" if card.attention is None else "attn"
            rows = card.metrics_by_length
            label = "BLEU" if "bleu" in card.metrics else "exact match %"
            name = "with attention" if kind == "attn" else "without attention (c = hᵉₙ)"
            fig.add_trace(go.Scatter(
                x=[r["lengths"] for r in rows], y=[_metric(r) for r in rows], mode="lines+markers",
                name=name if col == 1 else f"{name}, {task}", legendgroup=kind,  # the legend shows the first panel's
                showlegend=col == 1, line=dict(color=MODEL_COLOURS[kind], dash="dot" if kind == "attn" else "solid"),
                customdata=[[r["n"]] for r in rows],
                hovertemplate=f"{card.name}<br>source length %{{x}}: {label} %{{y:.1f}} (n = %{{customdata[0]}})"
                              "<extra></extra>"), *place)
        fig.update_yaxes(title_text="BLEU" if any("bleu" in c.metrics for c in cards if c.task == task)
                         else "exact match (%)", rangemode="tozero", row=place[0], col=place[1])
        fig.update_xaxes(title_text="source length", row=place[0], col=place[1])
    if phone:  # the legend's two lines above the first panel's title (container coordinates: pixels from the top)
        fig.update_layout(height=80 + len(tasks) * (LENGTH_PANEL_PX + LENGTH_GAP_PX),
                          margin=dict(l=10, r=10, t=80, b=10),
                          legend=dict(orientation="h", yref="container", y=1, yanchor="top"))
    else:
        fig.update_layout(height=380, margin=dict(l=10, r=10, t=50, b=40), legend=dict(orientation="h", y=1.2))
    return fig


def _unit(card: ModelCard) -> tuple[str, str]:
    return ("BLEU", " BLEU") if "bleu" in card.metrics else ("exact match", "%")


def length_findings(cards: list[ModelCard]) -> dict[str, str]:
    """One sentence per task with both models, built from the cards' held-out numbers by source
    length (Markdown, no user text): whether the plain model falls as inputs grow while the attention
    model holds, whether both hold, or how far apart they are. Only what the numbers show."""
    found = {}
    for task in sorted({c.task for c in cards}):
        pair = {("attn" if c.attention else "plain"): c for c in cards if c.task == task}
        if set(pair) != {"attn", "plain"}:
            continue
        rows = {kind: {r["lengths"]: _metric(r) for r in card.metrics_by_length} for kind, card in pair.items()}
        buckets = [b for b in rows["plain"] if b in rows["attn"]]
        if not buckets:
            continue
        name, unit = _unit(pair["attn"])
        attn, plain = [rows["attn"][b] for b in buckets], [rows["plain"][b] for b in buckets]
        gaps = [a - p for a, p in zip(attn, plain)]
        widest = max(range(len(buckets)), key=lambda k: abs(gaps[k]))
        first, last = buckets[0], buckets[-1]
        if name == "exact match" and min(attn + plain) >= 99:
            found[task] = (f"**{task}**: both models are right on {min(attn + plain):.1f}% or more of the held-out "
                           f"inputs at every length; the fixed-length c is enough here and the bottleneck does not show.")
        elif plain[0] - plain[-1] >= 10 and (attn[0] - attn[-1]) <= (plain[0] - plain[-1]) / 3:
            found[task] = (f"**{task}**: without attention, {name} falls from {plain[0]:.1f}{unit} ({first} source "
                           f"tokens) to {plain[-1]:.1f}{unit} ({last}); with attention it stays between "
                           f"{min(attn):.1f}{unit} and {max(attn):.1f}{unit}. This is the bottleneck, measured.")
        elif max(abs(g) for g in gaps) < 5:
            ahead = "attention" if gaps[widest] > 0 else "the plain model"
            both_fall = attn[0] - attn[-1] >= 10 and plain[0] - plain[-1] >= 10
            fall = (f"both fall as inputs grow (with attention {attn[0]:.1f} → {attn[-1]:.1f}{unit}, without "
                    f"{plain[0]:.1f} → {plain[-1]:.1f}{unit}), and " if both_fall else "")
            found[task] = (f"**{task}**: {fall}the two models are within {abs(gaps[widest]):.1f} points of each "
                           f"other at every length (the widest gap at {buckets[widest]} source tokens, {ahead} "
                           "ahead): the fixed-length bottleneck hardly separates them on this task.")
        else:
            ahead = [b for b, g in zip(buckets, gaps) if g > 0]
            behind = [b for b, g in zip(buckets, gaps) if g < 0]
            trend = (f"both fall as inputs grow (with attention {attn[0]:.1f} → {attn[-1]:.1f}{unit}, without "
                     f"{plain[0]:.1f} → {plain[-1]:.1f}{unit})" if attn[-1] < attn[0] and plain[-1] < plain[0]
                     else f"with attention {attn[0]:.1f} → {attn[-1]:.1f}{unit}, without {plain[0]:.1f} → "
                          f"{plain[-1]:.1f}{unit}")
            sides = "; ".join(part for part in (
                f"attention is ahead at {', '.join(ahead)} source tokens" if ahead else "",
                f"behind at {', '.join(behind)}" if behind else "") if part)
            found[task] = f"**{task}**: {trend}; {sides}."
    return found


def answer_note(trace: Trace, split: Callable[[str], list[str]] | None = None) -> str | None:
    """How many of a model's output tokens differ from the known answer (Markdown, no user text),
    or None when the answer is not known. `split` as for known_answer."""
    reference = known_answer(trace, split)
    if reference is None:
        return None
    card = _card(trace.model)
    by_task = card is not None and card.task in REFERENCES
    source = ("the input written backwards" if by_task
              else "the closest human reference of this input in the model card's held-out samples")
    marks = wrong_marks(trace.out_tokens, reference)
    wrong = [f"y{i + 1}" for i, bad in enumerate(marks) if bad]
    if not wrong:
        return f"Every token is right against the known answer ({source})."
    shown = ", ".join(wrong[:12]) + (", ..." if len(wrong) > 12 else "")
    if not by_task and trace.tgt_level != "char":  # a translation can be right in other words
        return (f"{len(wrong)} of {len(marks)} tokens differ from {source}: {shown}; marked ✗ in the figure above "
                "(another wording can be right too).")
    return (f"{len(wrong)} of {len(marks)} tokens are wrong against the known answer ({source}): {shown}; marked ✗ "
            "in the figure above.")


def timing_figure(timing: Timing, phone: bool = False) -> go.Figure:
    """Each way of computing this input: how many steps must wait for the one before (left) and
    how long it took, measured now on this server (right). One row per Chain, in core's order.
    `phone`: the two panels one under another, each naming the rows in lines that fit."""
    labels = [plot_text(c.label).replace("h^e_n", "h<sup>e</sup><sub>n</sub>") for c in timing.chains]
    colours = ["#d55e00" if c.dependent_steps > 1 else "#0072b2" for c in timing.chains]
    if phone:
        fig = make_subplots(rows=2, cols=1, vertical_spacing=0.12,
                            subplot_titles=("steps that must wait<br>for the one before",
                                            "time (ms, median,<br>measured now on this server)"))
    else:
        fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04, column_widths=[0.5, 0.5],
                            subplot_titles=("steps that must wait for the one before",
                                            "time (ms, median, measured now on this server)"))
    second = (2, 1) if phone else (1, 2)
    steps = [c.dependent_steps for c in timing.chains]
    times = [c.ms for c in timing.chains]
    fig.add_trace(go.Bar(x=steps, y=labels, orientation="h", marker_color=colours, name="dependent steps",
                         text=[str(s) for s in steps], textposition="outside", textangle=0, cliponaxis=False,
                         hovertemplate="%{y}: %{x} dependent steps<extra></extra>"), 1, 1)
    fig.add_trace(go.Bar(x=times, y=labels, orientation="h", marker_color=colours, name="time",
                         text=[f"{t:.3f} ms" for t in times], textposition="outside", textangle=0, cliponaxis=False,
                         hovertemplate="%{y}: %{x:.4f} ms<extra></extra>"), *second)
    fig.update_xaxes(range=[0, 1.25 * max(steps)], row=1, col=1)
    fig.update_xaxes(range=[0, (1.5 if phone else 1.3) * max(times)], row=second[0], col=second[1])
    fig.update_yaxes(autorange="reversed", automargin=True)
    if phone:  # the rows' names broken into lines (the categories stay the labels: hover names them whole)
        names = [wrap(label, TIMING_LABEL_PX, 12) for label in labels]
        fig.update_yaxes(tickmode="array", tickvals=labels, ticktext=names)
        row_px = 16 * max(name.count("<br>") + 1 for name in names) + 16  # every row as high as the longest name
        fig.update_layout(height=int(150 + 2 * row_px * len(labels)), margin=dict(l=10, r=10, t=50, b=30),
                          showlegend=False)
    else:
        fig.update_layout(height=110 + 50 * len(labels), margin=dict(l=10, r=10, t=40, b=30), showlegend=False)
    return fig


def side_by_side_figure(with_attention: Trace, without: Trace, reference: list[str] | None = None,
                        split: Callable[[str], list[str]] | None = None, phone: bool = False) -> go.Figure:
    """Both models writing their output on the same input, one decoder step per frame (animated in
    the browser): the attention model's alignment matrix fills in row by row, and each model's
    output strip gains its token of the step (colour: the probability it gave that token). With a
    `reference` (the right output tokens; by default each output's `known_answer`, with the models'
    `split`), a token that differs from it is marked ✗. `phone`: the colour bars side by side in a band
    under the strips, shorter titles, the source ticks planned for a phone's width."""
    n = len(with_attention.src_tokens)
    steps = max(len(with_attention.steps), len(without.steps))
    weights = with_attention.attention.astype(np.float32)  # (m, n)
    m = weights.shape[0]
    src_labels = source_tick_labels(with_attention)
    height = int(min(760, max(560, 18 * m + 340)))
    # 60 px between rows: the source tick labels under the matrix, then the next strip's title
    fig = make_subplots(rows=3, cols=1, row_heights=[0.66, 0.17, 0.17], vertical_spacing=60 / (height - 180),
                        subplot_titles=("with attention: weights α<sub>ij</sub> of each step i over the source",
                                        "with attention: output y<sub>i</sub>",
                                        "without attention (every step reads c = h<sup>e</sup><sub>n</sub>): "
                                        "output y<sub>i</sub>"))
    fig.add_trace(go.Heatmap(z=weights, x=np.arange(1, n + 1), y=np.arange(1, m + 1), coloraxis="coloraxis",
                             name="alignment matrix",
                             hovertemplate="α<sub>%{y},%{x}</sub> = %{z:.4f}<extra></extra>"), 1, 1)
    for row, trace, name in ((2, with_attention, "with attention"), (3, without, "without attention")):
        labels = [plot_text(token_label(t)) for t in trace.out_tokens]
        marks = wrong_marks(trace.out_tokens, known_answer(trace, split) if reference is None else reference)
        shown = [label + (" ✗" if wrong else "") for label, wrong in zip(labels, marks)]
        if phone:  # a label too wide for its step's cell is left out, its ✗ kept (hover names it)
            shown = [_within(label, PHONE_PLOT_PX / steps) for label in shown]
        probs = np.array([dict(s.topk).get(s.token, np.nan) for s in trace.steps], dtype=np.float32)
        fig.add_trace(go.Heatmap(z=probs[None, :], x=np.arange(1, len(labels) + 1), y=[0], text=[shown],
                                 texttemplate="%{text}", coloraxis="coloraxis2", name=f"{name}: output",
                                 hovertemplate="y%{x} = %{text}<br>p = %{z:.4f}<extra></extra>"), row, 1)
    refs = [subplot_ref(fig, r, 1) for r in (1, 2, 3)]
    fig.update_xaxes(range=[0.5, n + 0.5], row=1, col=1, **fitting_ticks(src_labels, 0.85 * NARROWEST_PX))
    for row in (2, 3):
        fig.update_xaxes(range=[0.5, steps + 0.5], row=row, col=1, showticklabels=False)  # columns: steps 1..
        fig.update_yaxes(showticklabels=False, row=row, col=1)
    fig.update_yaxes(autorange="reversed", title_text="step i", row=1, col=1)

    def frame(i: int) -> dict:  # after step i (1-based) of both models
        shapes = [cover(refs[0], 0.4, n + 0.6, i + 0.5, m + 0.6, visible=i < m),
                  outline(refs[0], 0.5, n + 0.5, i - 0.5, i + 0.5, visible=i <= m)]
        for ref in refs[1:]:
            shapes.append(cover(ref, i + 0.5, steps + 0.6, -0.6, 0.6, visible=i < steps))
        note = f"  (with attention: {first_step_title(with_attention)})" if i == 1 and with_attention.steps else ""
        return dict(name=f"y{i}", layout=dict(shapes=shapes, title=dict(text=f"Decoder step i = {i}{note}")))

    animation_layout(fig, height)  # its margins (70 + 110 px) frame the plot area the spacing is planned for
    fig.update_layout(coloraxis=colour_axis("α<sub>ij</sub>", WEIGHT_SCALE, 0, 1, bar_beside(fig, (1,), 1)),
                      coloraxis2=colour_axis("p(y<sub>i</sub>): the<br>probability the<br>model gave<br>its token",
                                             PROB_SCALE, 0, 1, bar_beside(fig, (2, 3), 1), digits=1))
    frames = [frame(i) for i in range(1, steps + 1)]
    if not phone:
        return animated(fig, frames, prefix="step ")
    frames = wrap_titles(frames, PHONE_TITLE_PX)
    fig = animated(fig, frames, prefix="step ")
    bands = [Band((Cell(1, 1, title="with attention: weights α<sub>ij</sub><br>of each step i over the source"),),
                  min(360, max(180, 12 * m)), above=40, below=36),
             Band((Cell(2, 1),), 30, below=4),
             Band((Cell(3, 1, title="without attention (every step<br>reads c = h<sup>e</sup><sub>n</sub>): "
                                    "output y<sub>i</sub>"),), 30, above=40, below=4),
             Band((), BAR_BAND_PX, above=0, below=0)]  # the colour bars
    fig.update_layout(margin=PHONE_MARGIN)
    spans = stack(fig, bands, title_lines(frames), bottom=phone_controls(fig, 12))
    fig.update_xaxes(row=1, col=1, **fitting_ticks(src_labels, PHONE_PLOT_PX))
    fig.update_traces(textfont_size=PHONE_STRIP_FONT, selector=dict(type="heatmap"))  # the strips' text
    fig.layout.coloraxis.colorbar.update(bar_across(spans[3], 0.24, 0.46))
    fig.layout.coloraxis2.colorbar.update(bar_across(spans[3], 0.76, 0.46),
                                          title_text="p(y<sub>i</sub>): the probability<br>the model gave its token")
    return fig


def _within(label: str, cell_px: float) -> str:
    """A strip label as a phone's cell shows it: whole if it fits, else only its ✗ (or nothing)."""
    for shown in (label, "✗" if label.endswith(" ✗") else ""):
        if label_width(shown, PHONE_STRIP_FONT) + 2 <= cell_px:
            return shown
    return ""


@functools.lru_cache(maxsize=64)
def _card(name: str) -> ModelCard | None:
    return next((card for card in list_models() if card.name == name), None)


def known_answer(trace: Trace, split: Callable[[str], list[str]] | None = None) -> list[str] | None:
    """The right output tokens of this input, when they are known: for a task whose answer follows
    from the input (core.limits.REFERENCES: reverse), or for an input among the model card's
    held-out samples (of several human references, the one this output differs from least).
    `split` is the model's own splitter of an output text into its tokens (Seq2Seq.target_tokens);
    without it only character outputs are compared."""
    card = _card(trace.model)
    if card is None:
        return None
    if split is None:
        if card.config.get("tgt_level") != "char":
            return None
        split = list
    if card.task in REFERENCES and all(len(token) == 1 for token in trace.src_tokens):
        return split(REFERENCES[card.task]("".join(trace.src_tokens)))
    sample = next((sample for sample in card.samples if sample.get("input") == trace.src_text), None)
    if sample is None:
        return None
    candidates = [split(reference) for reference in (sample.get("references") or [sample["reference"]])]
    return min(candidates, key=lambda reference: sum(wrong_marks(trace.out_tokens, reference)))


def wrong_marks(tokens: list[str], reference: list[str] | None) -> list[bool]:
    """For each output token (the end token last), whether it is wrong against the reference
    output: aligned as a diff (difflib), a token that replaces, adds to or comes right after a gap in
    the reference is wrong (so one skipped letter marks one place, not every later one). All False
    without a reference."""
    if reference is None:
        return [False] * len(tokens)
    written = [t for t in tokens if t != "</s>"]
    marks = [False] * len(tokens)
    for op, i1, i2, _, _ in difflib.SequenceMatcher(a=written, b=list(reference), autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            for k in range(i1, i2):
                marks[k] = True
        elif op == "insert" and i1 < len(marks):  # reference tokens missing here: the next token is wrong
            marks[i1] = True
    return marks