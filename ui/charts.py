"""Plotly figures built from a Trace: pure functions, no Streamlit.

Every value drawn is taken from the Trace unchanged (float32 arrays, sent base64-encoded), so the
picture shows exactly what the model computed. Positions follow the lecture: source tokens
x_1..x_n, decoder steps i = 1..m, h^d_0 = h^e_n.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import Trace, list_models

from .animation import (HIGHLIGHT, NARROWEST_PX, PHONE_FIGURE_PX, PLOT_PX, STATE_SCALE, WEIGHT_SCALE, animated,
                        animation_layout, bar_beside, colour_axis, cover, fitting_ticks, frame_bars, label_width,
                        outline, stacked, subplot_ref, symmetric_range, unit_order, unit_rows)
from .equations import exp_text
from .labels import plot_text, token_label
from .phone_stack import BAR_BAND_PX, TITLE_PX, Band, Cell, bar_across, stack, wrap


def source_tick_labels(trace: Trace) -> list[str]:
    """Tick labels of the source positions; masked (hidden) tokens are marked ⊘."""
    mask = set(trace.mask)
    return [("⊘" if j in mask else "") + plot_text(token_label(t)) for j, t in enumerate(trace.src_tokens)]


# ---- the encoder's reading order -----------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _config(name: str) -> dict:
    card = next((c for c in list_models() if c.name == name), None)
    return dict(card.config) if card is not None else {}


def bidirectional(trace: Trace) -> bool:
    """Whether the model's encoder reads the source both ways (from its card)."""
    return bool(_config(trace.model).get("bidirectional"))


def encoder_done(j: int, n: int, both_ways: bool) -> tuple[int, int]:
    """The 1-based source positions lo..hi whose h^e is complete after j encoder steps (lo > hi:
    none). One direction: x_1..x_j. Both ways, the forward RNN has read x_1..x_j and the backward
    one x_n..x_{n+1-j}, and h^e_k joins both halves, so only x_{n+1-j}..x_j are complete."""
    if not both_ways:
        return 1, j
    return max(1, n + 1 - j), min(n, j)


def encoder_caption(j: int, labels: list[str], both_ways: bool) -> str:
    """The caption of encoder step j (1-based) with the tokens read (labels are plot-safe)."""
    n = len(labels)
    if not both_ways:
        return (f"Encoder reads x<sub>{j}</sub> = “{labels[j - 1]}”:  h<sup>e</sup><sub>{j}</sub> = "
                f"f<sub>W</sub>(h<sup>e</sup><sub>{j - 1}</sub>, x<sub>{j}</sub>)")
    lo, hi = encoder_done(j, n, True)
    if lo > hi:
        done = "no h<sup>e</sup><sub>j</sub> complete yet"
    elif lo == hi:
        done = f"h<sup>e</sup><sub>{lo}</sub> complete"
    else:
        done = f"h<sup>e</sup><sub>{lo}</sub>..h<sup>e</sup><sub>{hi}</sub> complete"
    return (f"Forward RNN reads x<sub>{j}</sub> = “{labels[j - 1]}”, backward RNN reads x<sub>{n + 1 - j}</sub> = "
            f"“{labels[n - j]}”: {done} (each joins both directions)")


def top_choices(positions: int = 5) -> go.Histogram:
    """The output distribution's top choices as horizontal bars, labelled 'token  p' (frames fill them)."""
    return frame_bars(np.arange(positions), np.zeros(positions, np.float32), horizontal=True, text=[""] * positions,
                      texttemplate="%{text}", textposition="outside", textangle=0, cliponaxis=False,
                      marker_color="#5b8def", name="top choices", hovertemplate="%{text}<extra></extra>")


def top_choice_data(topk: list[tuple[str, float]], positions: int = 5) -> dict:
    """Frame data for `top_choices`: the first `positions` choices (token, p)."""
    probs, text = np.zeros(positions, np.float32), [""] * positions
    shown = topk[:positions]
    probs[: len(shown)] = [p for _, p in shown]
    text[: len(shown)] = [f"{plot_text(token_label(t).replace(chr(10), '↵'))}  {p:.3f}" for t, p in shown]
    return dict(type="histogram", x=probs, text=text)


# ---- the animated timeline -----------------------------------------------------------------

@dataclass
class _Moment:
    """What the timeline shows at one frame."""

    name: str  # slider label
    title: str
    encoded: int  # source positions read so far (encoder states shown)
    states: int  # decoder states shown: h^d_0 .. h^d_{states-1}
    contexts: int  # context vectors shown: c_1 .. c_contexts
    rows: int  # alignment rows shown
    outputs: int  # output tokens shown
    reading: int | None = None  # source position being read (0-based)
    query: int | None = None  # decoder-state column of the query
    step: int | None = None  # 0-based decoder step
    scores: bool = False
    weights: bool = False
    topk: bool = False


def first_step_title(trace: Trace) -> str:
    """Why step 1 looks where it does, for a figure title: h^d_0 = h^e_n, so its score with h^e_n is
    its own squared length (the number), the largest score or not."""
    n = len(trace.src_tokens)
    scores = trace.steps[0].scores
    text = (f"h<sup>d</sup><sub>0</sub> = h<sup>e</sup><sub>{n}</sub>: its score with h<sup>e</sup><sub>{n}</sub> is "
            f"‖h<sup>e</sup><sub>{n}</sub>‖² = {float(scores[-1]):.2f}")
    return text + (", the largest" if int(np.argmax(scores)) == n - 1 else "")


def _moments(trace: Trace) -> list[_Moment]:
    n = len(trace.src_tokens)
    moments = []
    labels = [plot_text(token_label(token)) for token in trace.src_tokens]
    both_ways = bidirectional(trace)
    for j in range(n):
        moments.append(_Moment(name=f"x{j + 1}", encoded=j + 1, states=0, contexts=0, rows=0, outputs=0, reading=j,
                               title=encoder_caption(j + 1, labels, both_ways)))
    for k, step in enumerate(trace.steps):
        i = k + 1
        query = f"h<sup>d</sup><sub>{k}</sub>"
        start = f"  ({first_step_title(trace)})" if k == 0 else ""
        base = dict(encoded=n, states=i, contexts=k, rows=k, outputs=k, query=k, step=k)
        moments.append(_Moment(name=f"y{i} · 1", scores=True, **base,
                               title=f"Step 1 for y<sub>{i}</sub>: score({query}, h<sup>e</sup><sub>j</sub>) = "
                                     f"{query} · h<sup>e</sup><sub>j</sub>{start}"))
        base["rows"] = i
        moments.append(_Moment(name=f"y{i} · 2", scores=True, weights=True, **base,
                               title=f"Step 2 for y<sub>{i}</sub>: α<sub>{i}j</sub> = softmax<sub>j</sub>(score"
                                     + (f" / {trace.temperature:g}" if trace.temperature != 1 else "") + ")"))
        base["contexts"] = i
        moments.append(_Moment(name=f"y{i} · 3", scores=True, weights=True, **base,
                               title=f"Step 3 for y<sub>{i}</sub>: c<sub>{i}</sub> = Σ<sub>j</sub> "
                                     f"α<sub>{i}j</sub> h<sup>e</sup><sub>j</sub>"))
        base.update(states=i + 1, outputs=i, query=i)  # the outline moves to the new state h^d_i
        prob = dict(step.topk).get(step.token)
        chance = f" (p = {prob:.3f})" if prob is not None else ""
        moments.append(_Moment(name=f"y{i} · out", scores=True, weights=True, topk=True, **base,
                               title=f"h<sup>d</sup><sub>{i}</sub> = g(y<sub>{k}</sub>, {query}, c<sub>{i}</sub>)  →  "
                                     f"y<sub>{i}</sub> = “{plot_text(token_label(step.token))}”{chance}"))
    return moments


class _Layout:
    """Where the timeline's panels sit (paper domains), their titles and axis references.

    Wide (planned at NARROWEST_PX, for a projector or a desktop): the animation with its Play button
    fits under the controls of a 1280x720 page, in three columns: the source side (tokens, encoder
    states, step 1's scores, step 2's weights), the decoder side (decoder states, step 3's context
    vectors) under the output tokens, and the alignment matrix above the top choices. Phone: one
    column, in the order the computation runs. Both draw the same traces with the same frames."""

    # panel: (title, grid row); the grid is one column of nine subplots, placed by `_place`
    PANELS = {
        "src_strip": "source x<sub>j</sub>",
        "enc": "encoder states h<sup>e</sup><sub>j</sub>",
        "scores": "step 1: scores h<sup>d</sup><sub>i-1</sub> · h<sup>e</sup><sub>j</sub>",
        "weights": "step 2: weights α<sub>ij</sub>",
        "align": "alignment α<sub>ij</sub> (a row: one step i)",
        "out_strip": "output y<sub>i</sub>",
        "dec": "decoder states h<sup>d</sup><sub>i</sub>",
        "contexts": "step 3: context vectors c<sub>i</sub>",
        "topk": "top choices p(y<sub>i</sub>)",
    }
    WIDE = dict(height=440, margin=dict(l=50, r=90, t=46, b=80))
    # x domains of the three wide columns (the output strip spans the two on the right)
    COLUMNS = {"src_strip": (0, 0.36), "enc": (0, 0.36), "scores": (0, 0.36), "weights": (0, 0.36),
               "out_strip": (0.43, 1), "dec": (0.43, 0.62), "contexts": (0.43, 0.62),
               "align": (0.80, 1), "topk": (0.80, 1)}

    def __init__(self, trace: Trace, phone: bool = False, title_lines: int = 1):
        n, m = len(trace.src_tokens), len(trace.steps)
        self.n, self.m, self.phone = n, m, phone
        names = list(self.PANELS)
        self.fig = make_subplots(rows=len(names), cols=1)
        self.row = {name: k + 1 for k, name in enumerate(names)}
        if phone:
            align_px = min(220, max(100, 16 * m))
            plan = dict(src_strip=(0, 26), enc=(26, 150), scores=(26, 70), weights=(26, 70), align=(48, align_px),
                        out_strip=(112, 44), dec=(26, 150), contexts=(54, 150), topk=(128, 110))
            spans = [plan[name] for name in names]
            self.plot_px = sum(gap + size for gap, size in spans)
            y = dict(zip(names, stacked(spans, self.plot_px)))
            x = {name: (0, 1) for name in names}
            self.width_px = 0.85 * (PHONE_FIGURE_PX - 60)  # estimates of glyph widths run short on a phone
            margin = dict(l=44, r=16, t=26 + 18 * title_lines, b=132)
            height = int(self.plot_px + margin["t"] + margin["b"])
        else:
            margin, height = self.WIDE["margin"], self.WIDE["height"]
            self.plot_px = height - margin["t"] - margin["b"]  # 314 px
            column = dict(zip(["src_strip", "enc", "scores", "weights"],
                              stacked([(0, 30), (24, 114), (24, 49), (24, 49)], self.plot_px)))
            right = dict(zip(["out_strip", "dec", "contexts"], stacked([(0, 30), (24, 114), (54, 92)], self.plot_px)))
            y = {**column, **right, "align": right["dec"], "topk": right["contexts"]}
            x = self.COLUMNS
            self.width_px = PLOT_PX
        ref = {name: subplot_ref(self.fig, self.row[name], 1) for name in names}
        self.axes = {name: (f"xaxis{ref[name][0][1:]}", f"yaxis{ref[name][1][1:]}") for name in names}
        placed = {}  # one layout update (each of Plotly's costs a full pass over the layout)
        for name in names:
            placed[self.axes[name][0]] = dict(domain=list(x[name]))
            placed[self.axes[name][1]] = dict(domain=list(y[name]))
        self.fig.update_layout(placed, annotations=[
            dict(text=self.PANELS[name], x=sum(x[name]) / 2, y=y[name][1], xref="paper", yref="paper",
                 xanchor="center", yanchor="bottom", showarrow=False) for name in names])
        animation_layout(self.fig, height, margin)
        self.x, self.y = x, y
        self.src_strip, self.out_strip, self.enc, self.dec = ref["src_strip"], ref["out_strip"], ref["enc"], ref["dec"]
        self.scores, self.contexts, self.weights = ref["scores"], ref["contexts"], ref["weights"]
        self.align, self.topk = ref["align"], ref["topk"]

    def at(self, name: str) -> tuple[int, int]:
        """The (row, col) of a panel, for add_trace and update_*axes."""
        return self.row[name], 1

    def width(self, name: str) -> float:
        """A panel's planned width in pixels."""
        low, high = self.x[name]
        return (high - low) * self.width_px

    def height(self, name: str) -> float:
        """A panel's height in pixels."""
        low, high = self.y[name]
        return (high - low) * self.plot_px

    def bar(self, names: tuple[str, ...]) -> dict:
        """A colour bar for the panels `names`: beside them (wide), or lying under the last (phone)."""
        low = min(self.y[name][0] for name in names)
        if self.phone:
            return dict(orientation="h", x=0.2, xanchor="left", len=0.6, lenmode="fraction", thickness=10,
                        y=low - 30 / self.plot_px, yanchor="top")  # under the panel's tick labels, title on top
        high = max(self.y[name][1] for name in names)
        right = max(self.x[name][1] for name in names)
        return dict(x=right + 0.015, xanchor="left", y=(low + high) / 2, yanchor="middle", len=high - low,
                    lenmode="fraction")


LINE_HEIGHT = 1.25  # a line of strip text, in font sizes


def timeline_figure(trace: Trace, phone: bool = False) -> go.Figure:
    """The whole computation as one animation (Plotly frames, played in the browser):
    the encoder reads x_1..x_n, then each output step shows scores, weights, context, and the new
    state with the chosen token. Traces 0..8 are the panels (each named); frames change the
    shapes, the title, the output strip's text and the three bar panels (histograms, see above).
    `phone`: the one-column layout of _Layout, with the captions wrapped to its width."""
    if trace.score_function is None:
        raise ValueError("The timeline shows attention; this model has none.")
    moments = _moments(trace)
    lines = 1
    if phone:
        moments = [replace(moment, title=wrap(moment.title, PHONE_FIGURE_PX - 24, TITLE_PX)) for moment in moments]
        lines = max(moment.title.count("<br>") + 1 for moment in moments)
    grid = _Layout(trace, phone, lines)
    fig, n, m = grid.fig, grid.n, grid.m
    H = trace.encoder_states.shape[1]
    steps = trace.steps
    scores = np.stack([s.scores for s in steps]).astype(np.float32)  # (m, n)
    weights = trace.attention.astype(np.float32)  # (m, n)
    order = unit_order(trace.encoder_states)  # rows: units by the source step where they change most
    dec_states = np.stack([steps[0].query] + [s.state for s in steps]).T.astype(np.float32)[order]  # (H, m+1)
    contexts = np.stack([s.context for s in steps]).T.astype(np.float32)[order]  # (H, m)
    enc = trace.encoder_states.T.astype(np.float32)[order]  # (H, n)
    vector_range = symmetric_range(enc, dec_states, contexts)
    score_low, score_high = min(0.0, float(scores.min())), max(0.0, float(scores.max()))
    score_pad = 0.08 * (score_high - score_low or 1.0)
    src_labels = source_tick_labels(trace)
    out_labels = [plot_text(token_label(t)) for t in trace.out_tokens]
    positions = np.arange(1, n + 1)
    rows = np.arange(1, H + 1)
    units = np.repeat((order + 1).astype(np.uint16)[:, None], max(n, m + 1), axis=1)  # hover names the unit
    strip = strip_text(out_labels, grid.width("out_strip"), height_px=grid.height("out_strip"))

    add_token_strips(fig, src_labels, positions, strip, m, source_at=grid.at("src_strip"),  # traces 0, 1
                     output_at=grid.at("out_strip"))
    fig.add_trace(go.Heatmap(z=enc, x=positions, y=rows, coloraxis="coloraxis", name="encoder states",
                             customdata=units[:, :n],
                             hovertemplate="h<sup>e</sup><sub>%{x}</sub>, unit %{customdata}: %{z:.4f}<extra></extra>"),
                  *grid.at("enc"))  # 2
    fig.add_trace(go.Heatmap(z=dec_states, x=np.arange(0, m + 1), y=rows, coloraxis="coloraxis",
                             name="decoder states", customdata=units[:, : m + 1],
                             hovertemplate="h<sup>d</sup><sub>%{x}</sub>, unit %{customdata}: %{z:.4f}<extra></extra>"),
                  *grid.at("dec"))  # 3
    fig.add_trace(frame_bars(positions, np.zeros(n, np.float32), marker_color="#e07b39", name="scores",
                             hovertemplate="score(h<sup>d</sup><sub>i-1</sub>, h<sup>e</sup><sub>%{x}</sub>) = %{y:.4f}"
                                           "<extra></extra>"), *grid.at("scores"))  # 4
    fig.add_trace(go.Heatmap(z=contexts, x=np.arange(1, m + 1), y=rows, coloraxis="coloraxis", name="context vectors",
                             customdata=units[:, :m],
                             hovertemplate="c<sub>%{x}</sub>, unit %{customdata}: %{z:.4f}<extra></extra>"),
                  *grid.at("contexts"))  # 5
    fig.add_trace(frame_bars(positions, np.zeros(n, np.float32), marker_color="#5b8def", name="weights",
                             hovertemplate="α<sub>i,%{x}</sub> = %{y:.4f}<extra></extra>"), *grid.at("weights"))  # 6
    fig.add_trace(go.Heatmap(z=weights, x=positions, y=np.arange(1, m + 1), coloraxis="coloraxis2",
                             name="alignment matrix",
                             hovertemplate="α<sub>%{y},%{x}</sub> = %{z:.4f}<extra></extra>"), *grid.at("align"))  # 7
    fig.add_trace(top_choices(), *grid.at("topk"))  # 8

    _style_axes(fig, grid, src_labels, (score_low - score_pad, score_high + score_pad), order, strip["lines"])
    fig.update_layout(coloraxis=colour_axis("h<sup>e</sup>, h<sup>d</sup>, c", STATE_SCALE, -vector_range,
                                            vector_range, grid.bar(("dec", "contexts"))),
                      coloraxis2=colour_axis("α<sub>ij</sub>", WEIGHT_SCALE, 0, 1, grid.bar(("align",))))
    if phone:
        fig.update_layout(title_font_size=TITLE_PX)
    frames = [_frame(grid, trace, moment, scores, weights, out_labels, strip) for moment in moments]
    return animated(fig, frames, below_px=34, stacked_slider=phone)


def strip_text(labels: list[str], width_px: float, font_px: int = 13, height_px: float | None = None) -> dict:
    """A strip of tokens laid out so that no label overlaps another: each label keeps its own
    column and goes on the first line (of at most three, and of as many as `height_px` holds at the
    font's line height) where it clears the label before it; when the lines are not enough the font
    shrinks, and at the smallest font a label that clears no line is left out (the step's title
    names every token). Returns the text rows (a heatmap's text), the font size and the number of
    lines."""
    cell = width_px / max(len(labels), 1)
    for size in (font_px, 11, 9):
        room = 3 if height_px is None else max(1, min(3, int(height_px // (LINE_HEIGHT * size))))
        rows: list[list[str]] = [[""] * len(labels) for _ in range(room)]
        ends = [-math.inf] * room  # right edge (px) of the last label on each line
        placed = True
        for k, label in enumerate(labels):
            half = label_width(label, size) / 2 + 2
            centre = (k + 0.5) * cell
            line = next((r for r in range(room) if ends[r] <= centre - half), None)
            if line is None:
                placed = False
                if size == 9:
                    continue
                line = min(range(room), key=lambda r: ends[r])
            rows[line][k] = label
            ends[line] = centre + half
        if placed or size == 9:
            lines = max([r + 1 for r in range(room) if any(rows[r])] or [1])
            return dict(rows=rows[:lines], size=size, lines=lines)
    raise AssertionError("unreachable")


def _style_axes(fig: go.Figure, grid: _Layout, src_labels: list[str], score_range: tuple[float, float],
                order: np.ndarray, strip_lines: int):
    """Axes: source positions 1..n on the source panels and the alignment's columns, decoder steps on
    the decoder panels. Future output tokens never appear in labels (the strip reveals them as they
    are chosen): steps are numbered. One layout update for all of them."""
    n, m = grid.n, grid.m
    axes: dict[str, dict] = {}

    def axis(name: str, which: int, **props) -> None:
        axes.setdefault(grid.axes[name][which], {}).update(props)

    for name in ("src_strip", "enc", "scores", "weights", "align"):
        axis(name, 0, range=[0.5, n + 0.5], showticklabels=name in ("weights", "align"),
             **fitting_ticks(src_labels, grid.width(name)))
    axis("src_strip", 1, showticklabels=False, range=[-0.5, 0.5])
    axis("out_strip", 0, range=[0.5, m + 0.5], showticklabels=False)
    axis("out_strip", 1, range=[strip_lines - 0.5, -0.5], showticklabels=False)
    axis("dec", 0, range=[-0.5, m + 0.5], **fitting_ticks([f"h{i}" for i in range(m + 1)], grid.width("dec"), start=0))
    axis("contexts", 0, range=[0.5, m + 0.5], **fitting_ticks([f"c{i}" for i in range(1, m + 1)], grid.width("contexts")))
    for name in ("enc", "dec", "contexts"):
        axis(name, 1, title=dict(text="unit"), autorange="reversed", **unit_rows(order, grid.height(name)))
    axis("scores", 1, range=list(score_range), title=dict(text="score"), nticks=4)
    axis("weights", 1, range=[0, 1.05], title=dict(text="α"), tickvals=[0, 0.5, 1])
    axis("align", 1, autorange="reversed", title=dict(text="step i"),
         **fitting_ticks([str(i) for i in range(1, m + 1)], grid.height("align"), vertical=True))
    axis("topk", 0, range=[0, 1.45], tickvals=[0, 0.5, 1])
    axis("topk", 1, showticklabels=False, range=[4.5, -0.5])
    fig.update_layout(axes)


def _frame(grid: _Layout, trace: Trace, moment: _Moment, scores: np.ndarray, weights: np.ndarray,
           out_labels: list[str], strip: dict) -> dict:
    n, m = grid.n, grid.m
    H = trace.encoder_states.shape[1]
    k = moment.step
    zeros = np.zeros(n, np.float32)
    # Plotly merges a frame's shapes into the current ones index by index, so every frame has the
    # same shapes in the same order and hides the ones it does not need (a shorter list would leave
    # the previous frame's extra shapes on screen).
    reading = moment.reading if moment.reading is not None else 0
    query = moment.query if moment.query is not None else 0
    row = k if k is not None else 0
    lines = strip["lines"]
    both_ways = bidirectional(trace)
    lo, hi = encoder_done(moment.encoded, n, both_ways)
    backward = n - 1 - reading  # 0-based position the backward RNN reads
    shapes = [
        cover(grid.enc, hi + 0.5 if lo <= hi else 0.4, n + 0.6, 0.4, H + 0.6, visible=hi < n or lo > hi),
        cover(grid.dec, moment.states - 0.5, m + 0.6, 0.4, H + 0.6, visible=moment.states <= m),
        cover(grid.contexts, moment.contexts + 0.5, m + 0.6, 0.4, H + 0.6, visible=moment.contexts < m),
        cover(grid.out_strip, moment.outputs + 0.5, m + 0.6, -0.6, lines - 0.4, visible=moment.outputs < m),
        cover(grid.align, 0.4, n + 0.6, moment.rows + 0.5, m + 0.6, visible=moment.rows < m),
        outline(grid.src_strip, reading + 0.5, reading + 1.5, -0.5, 0.5, visible=moment.reading is not None),
        outline(grid.enc, reading + 0.5, reading + 1.5, 0.5, H + 0.5, visible=moment.reading is not None and not both_ways),
        outline(grid.dec, query - 0.5, query + 0.5, 0.5, H + 0.5, visible=moment.query is not None),
        outline(grid.align, 0.5, n + 0.5, row + 0.5, row + 1.5, visible=moment.weights),
        outline(grid.contexts, row + 0.5, row + 1.5, 0.5, H + 0.5,
                visible=k is not None and moment.contexts == k + 1),
    ]
    if both_ways:  # the states left of the complete ones, and the token the backward RNN reads
        shapes += [cover(grid.enc, 0.4, lo - 0.5, 0.4, H + 0.6, visible=1 < lo <= hi),
                   outline(grid.src_strip, backward + 0.5, backward + 1.5, -0.5, 0.5, visible=moment.reading is not None)]
    bar_scores = scores[k] if moment.scores else zeros
    bar_weights = weights[k] if moment.weights else zeros
    top = top_choice_data(trace.steps[k].topk if moment.topk else [])
    shown = [[label if i < moment.outputs else "" for i, label in enumerate(text_row)] for text_row in strip["rows"]]
    return dict(  # a plain dict: 200 validated go.Frame objects would cost most of a rerun's time
        name=moment.name,
        data=[dict(type="heatmap", text=shown), dict(type="histogram", y=bar_scores),
              dict(type="histogram", y=bar_weights), top],
        traces=[1, 4, 6, 8],
        layout=dict(shapes=shapes, title=dict(text=moment.title)),
    )


# ---- one decoder step in depth -------------------------------------------------------------

def _row_labels(trace: Trace) -> list[str]:
    return [f"h<sup>e</sup><sub>{j + 1}</sub> {label}" for j, label in enumerate(source_tick_labels(trace))]


def _rows_height(rows: int, extra: int = 150) -> int:
    return int(min(900, max(260, 22 * rows + extra)))


def scores_figure(trace: Trace, step: int, phone: bool = False) -> go.Figure:
    """Step 1 of decoder step `step` (0-based): the query h^d_{i-1} above every h^e_j, and the score
    of each h^e_j with it as a bar on the same row. `phone`: the bars under the vectors (each with
    the rows' labels), the colour bar lying in a band of its own below."""
    s = trace.steps[step]
    n, H = trace.encoder_states.shape
    rows = np.vstack([s.query[None, :], trace.encoder_states]).astype(np.float32)  # (n+1, H)
    labels = [f"query h<sup>d</sup><sub>{step}</sub>"] + _row_labels(trace)
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, column_widths=[0.72, 0.28], horizontal_spacing=0.1,
                        subplot_titles=(f"query h<sup>d</sup><sub>{step}</sub> and encoder states (rows)",
                                        f"score = h<sup>d</sup><sub>{step}</sub> · h<sup>e</sup><sub>j</sub>"))
    bound = symmetric_range(rows)
    fig.add_trace(go.Heatmap(z=rows, x=np.arange(1, H + 1), y=np.arange(0, n + 1), coloraxis="coloraxis",
                             name="query and encoder states",
                             hovertemplate="row %{y}, unit %{x}: %{z:.4f}<extra></extra>"), 1, 1)
    fig.add_trace(go.Bar(x=s.scores.astype(np.float32), y=np.arange(1, n + 1), orientation="h",
                         marker_color="#e07b39", text=[f"{v:.2f}" for v in s.scores], textposition="auto",
                         textangle=0, name="scores",
                         hovertemplate="score with h<sup>e</sup><sub>%{y}</sub> = %{x:.6f}<extra></extra>"), 1, 2)
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=list(range(n + 1)), ticktext=labels,
                     row=1, col=1)
    fig.update_xaxes(title_text="unit k", row=1, col=1)
    fig.update_xaxes(title_text="score", row=1, col=2)
    fig.update_layout(height=_rows_height(n + 1), margin=dict(l=10, r=10, t=40, b=40), showlegend=False,
                      coloraxis=colour_axis("value of<br>a unit", STATE_SCALE, -bound, bound, bar_beside(fig, (1,), 1)))
    if phone:
        rows_px = min(600, max(140, 20 * (n + 1)))
        ticks = fitting_ticks(labels, rows_px, vertical=True, start=0)  # every k-th row named, as many as fit
        spans = stack(fig, [Band((Cell(1, 1),), rows_px, below=66), Band((Cell(1, 2),), rows_px, above=30, below=44),
                            Band((), BAR_BAND_PX, above=0, below=0)], 0, 10)
        fig.update_yaxes(showticklabels=True, **ticks, row=1, col=2)
        fig.update_yaxes(**ticks, row=1, col=1)
        fig.update_traces(textposition="inside", selector=dict(type="bar"))  # values inside their bars
        fig.update_xaxes(nticks=4, row=1, col=2)
        fig.layout.coloraxis.colorbar.update(bar_across(spans[2], share=0.6), title_text="value of a unit",
                                             ticklabelposition="outside")
    return fig


def weights_figure(trace: Trace, step: int, phone: bool = False) -> go.Figure:
    """Step 2: the weights α_ij as bars; hover shows the score, score/T, exp(score/T) and α.
    `phone`: the source ticks planned for a phone's width."""
    s = trace.steps[step]
    n = len(trace.src_tokens)
    scaled = s.scaled.astype(np.float64)  # score / T as the model's softmax read it (the trace's)
    mask = set(trace.mask)
    custom = np.array([[float(s.scores[j]), float(scaled[j]), exp_text(scaled[j]) if j not in mask else "hidden"]
                       for j in range(n)], dtype=object)
    colours = ["#9e9e9e" if j in mask else "#5b8def" for j in range(n)]
    fig = go.Figure(go.Bar(x=np.arange(1, n + 1), y=s.weights.astype(np.float32), marker_color=colours,
                           customdata=custom, text=[f"{w:.3f}" for w in s.weights], textposition="outside",
                           textangle=0, name="weights",
                           hovertemplate="x%{x}<br>score = %{customdata[0]:.6f}<br>score / T = %{customdata[1]:.6f}"
                                         "<br>exp(score / T) = %{customdata[2]}<br>α = %{y:.6f}<extra></extra>"))
    fig.update_xaxes(title_text="source position j", **fitting_ticks(source_tick_labels(trace), _plot_px(phone)))
    fig.update_yaxes(title_text=f"α<sub>{step + 1}j</sub>", range=[0, 1.12])
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=20, b=40), showlegend=False)
    return fig


def context_figure(trace: Trace, step: int, phone: bool = False) -> go.Figure:
    """Step 3: each encoder state scaled by its weight, α_ij h^e_j (rows), adding up to c_i (last row).
    `phone`: the colour bar lying under the plot."""
    s = trace.steps[step]
    n, H = trace.encoder_states.shape
    weighted = (s.weights[:, None] * trace.encoder_states).astype(np.float32)  # (n, H)
    bound = symmetric_range(weighted, s.context)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[n / (n + 2), 2 / (n + 2)],
                        vertical_spacing=0.06,
                        subplot_titles=(f"α<sub>{step + 1}j</sub> h<sup>e</sup><sub>j</sub> (rows)",
                                        f"their sum: c<sub>{step + 1}</sub>"))
    labels = [f"α<sub>{step + 1},{j + 1}</sub> · h<sup>e</sup><sub>{j + 1}</sub> {label}"
              for j, label in enumerate(source_tick_labels(trace))]
    heat = dict(coloraxis="coloraxis")
    fig.add_trace(go.Heatmap(z=weighted, x=np.arange(1, H + 1), y=np.arange(1, n + 1), **heat,
                             name="weighted encoder states",
                             hovertemplate="α · h<sup>e</sup><sub>%{y}</sub>[%{x}] = %{z:.5f}<extra></extra>"), 1, 1)
    fig.add_trace(go.Heatmap(z=s.context[None, :].astype(np.float32), x=np.arange(1, H + 1), y=[0], **heat,
                             name="context vector",
                             hovertemplate=f"c<sub>{step + 1}</sub>[%{{x}}] = %{{z:.5f}}<extra></extra>"), 2, 1)
    fig.update_yaxes(autorange="reversed", tickmode="array", tickvals=list(range(1, n + 1)), ticktext=labels,
                     row=1, col=1)
    fig.update_yaxes(tickmode="array", tickvals=[0], ticktext=[f"c<sub>{step + 1}</sub>"], row=2, col=1)
    fig.update_xaxes(title_text="unit k", row=2, col=1)
    fig.update_layout(height=_rows_height(n + 3), margin=dict(l=10, r=10, t=40, b=40), showlegend=False,
                      coloraxis=colour_axis("value of<br>a unit", STATE_SCALE, -bound, bound, dict(len=0.9)))
    if phone:
        fig.update_layout(height=fig.layout.height + BAR_BAND_PX, margin=dict(b=40 + BAR_BAND_PX))
        fig.layout.coloraxis.colorbar.update(orientation="h", x=0.5, xanchor="center", len=0.6, thickness=12,
                                             y=-(40 + BAR_BAND_PX / 2) / _plot_height(fig), yanchor="middle",
                                             title_text="value of a unit", ticklabelposition="outside")
    return fig


def alignment_figure(trace: Trace, step: int | None = None, phone: bool = False) -> go.Figure:
    """The alignment matrix α (m, n) with the tokens on both axes; `step` is outlined. `phone`: the
    source ticks planned for a phone's width, the colour bar lying under the matrix."""
    weights = trace.attention.astype(np.float32)
    m, n = weights.shape
    out_labels = [f"y<sub>{i + 1}</sub> {plot_text(token_label(t))}" for i, t in enumerate(trace.out_tokens)]
    fig = go.Figure(go.Heatmap(z=weights, x=np.arange(1, n + 1), y=np.arange(1, m + 1), coloraxis="coloraxis",
                               name="alignment matrix",
                               hovertemplate="α<sub>%{y},%{x}</sub> = %{z:.5f}<extra></extra>"))
    if step is not None:
        fig.add_shape(type="rect", x0=0.5, x1=n + 0.5, y0=step + 0.5, y1=step + 1.5,
                      line=dict(color=HIGHLIGHT, width=3))
    height = _rows_height(m, extra=120)
    fig.update_xaxes(side="top", **fitting_ticks(source_tick_labels(trace), _plot_px(phone)))
    fig.update_yaxes(autorange="reversed", **fitting_ticks(out_labels, height - 50, vertical=True))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40, b=10),
                      coloraxis=colour_axis("α<sub>ij</sub>", WEIGHT_SCALE, 0, 1, dict(len=0.9)))
    if phone:
        fig.update_layout(height=height + BAR_BAND_PX, margin=dict(b=10 + BAR_BAND_PX))
        fig.layout.coloraxis.colorbar.update(orientation="h", x=0.5, xanchor="center", len=0.6, thickness=12,
                                             y=-(10 + BAR_BAND_PX / 2) / _plot_height(fig), yanchor="middle",
                                             ticklabelposition="outside")
    return fig


def _plot_px(phone: bool) -> float:
    """The width the step figures' source ticks are planned for (a phone's: its plot less the row labels)."""
    return 0.6 * PHONE_FIGURE_PX if phone else 0.85 * NARROWEST_PX


def _plot_height(fig: go.Figure) -> float:
    margin = fig.layout.margin
    return fig.layout.height - (margin.t or 0) - (margin.b or 0)


def add_token_strips(fig: go.Figure, src_labels: list[str], positions, strip: dict, m: int,
                     source_at: tuple[int, int], output_at: tuple[int, int]) -> None:
    """The source tokens (at subplot (row, col) `source_at`) and the output tokens (`output_at`) as
    text strips without colour, so they need no legend: traces "source tokens" and "output tokens"."""
    clear = [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]]
    fig.add_trace(go.Heatmap(z=np.zeros((1, len(src_labels)), np.float32), x=positions, y=[0], text=[src_labels],
                             texttemplate="%{text}", colorscale=clear, showscale=False, name="source tokens",
                             hovertemplate="x%{x}: %{text}<extra></extra>"), *source_at)
    fig.add_trace(go.Heatmap(z=np.zeros((strip["lines"], m), np.float32), x=np.arange(1, m + 1),
                             y=np.arange(strip["lines"]), text=strip["rows"], texttemplate="%{text}",
                             textfont=dict(size=strip["size"]), colorscale=clear, showscale=False,
                             name="output tokens", hoverinfo="skip"), *output_at)
