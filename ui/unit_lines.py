"""Follow a few units of a state heatmap as lines.

A state heatmap of 128-256 units shows where a vector changes, not what one unit does. Each row
is one unit; picking a handful and drawing each row as a line (value against position) reads them
one at a time. Used for the single RNNs' h_t (/rnn), the encoder-decoder's h^e_j and h^d_i
(/encoder-decoder) and attention's h^e_j, h^d_i and c_i (/attention). The values are the trace's
own arrays, unchanged.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from . import present, viewport
from .animation import NARROWEST_PX, PHONE_FIGURE_PX, fitting_ticks

MAX_FOLLOWED = 8


def busiest_units(states: np.ndarray, count: int = 4) -> list[int]:
    """The `count` units (0-based columns of `states`, one row per position) whose value moves most
    along the positions (sum of |v_t - v_{t-1}|, from 0 before the first): good first units to follow."""
    change = np.abs(np.diff(np.asarray(states, dtype=np.float64), axis=0, prepend=0.0)).sum(axis=0)
    return [int(u) for u in np.argsort(-change, kind="stable")[:count]]


def unit_lines_figure(states: np.ndarray, labels: Sequence[str], units: Sequence[int], symbol: str,
                      x_title: str, phone: bool = False) -> go.Figure:
    """One line per chosen unit k (0-based): states[:, k] against the 1-based position, its token on
    hover. `symbol` is the vector's name in HTML (e.g. h<sub>t</sub>), `x_title` the axis' meaning. On a
    `phone` the legend's rows (four units a row) get their own band above the plot."""
    positions = np.arange(1, len(states) + 1)
    fig = go.Figure()
    for unit in units:
        fig.add_trace(go.Scatter(x=positions, y=np.asarray(states)[:, unit].astype(np.float32), mode="lines+markers",
                                 marker=dict(size=4), name=f"unit {unit + 1}", customdata=list(labels),
                                 hovertemplate=f"{symbol}[{unit + 1}] at %{{x}} (“%{{customdata}}”): "
                                               "%{y:.4f}<extra></extra>"))
    fig.update_xaxes(title_text=x_title, **fitting_ticks([str(p) for p in positions],
                                                         0.8 * PHONE_FIGURE_PX if phone else 0.85 * NARROWEST_PX))
    fig.update_yaxes(title_text=f"{symbol}[k]", zeroline=True)
    if phone:
        rows = -(-len(units) // 4)
        fig.update_layout(height=320 + 22 * rows, margin=dict(l=10, r=10, t=14 + 22 * rows, b=40),
                          legend=dict(orientation="h", yref="container", y=1, yanchor="top", x=0, xanchor="left"))
    else:
        fig.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=40), legend=dict(orientation="h", y=1.12))
    return fig


def follow_units(key: str, states: np.ndarray, labels: Sequence[str], symbol: str, x_title: str,
                 what: str) -> None:
    """A multiselect of units (the four busiest by default) and their lines. `key` names the widget
    (its choice survives reruns; units beyond this model's width are dropped), `what` says in words
    what one line is, for the help text."""
    width = int(np.asarray(states).shape[1])
    if key in st.session_state:  # units of another model may not exist here
        st.session_state[key] = [u for u in st.session_state[key] if isinstance(u, int) and 0 <= u < width]
    followed = st.multiselect(
        "Units to follow as lines", list(range(width)), key=key, max_selections=MAX_FOLLOWED,
        default=busiest_units(states) if key not in st.session_state else None,
        format_func=lambda u: f"unit {u + 1}",
        help=f"Each line is one row of the heatmap: {what}. The first four are the units that move most over "
             "this input.")
    if followed:
        present.chart(unit_lines_figure(states, labels, followed, symbol, x_title, phone=viewport.is_phone()),
                      f"{key}-figure")


def seq2seq_vectors(trace) -> dict[str, tuple[np.ndarray, list[str], str, str, str]]:
    """The state vectors of an encoder-decoder trace that can be followed, by their name on screen:
    (states, labels, symbol, x title, what one line is). The context vectors c_i only with attention
    (without it every c_i is h^e_n)."""
    vectors = {
        "encoder states h^e_j": (trace.encoder_states, list(trace.src_tokens), "h<sup>e</sup><sub>j</sub>",
                                 "source position j (the token read)", "unit k of h^e_j at every source position j"),
        "decoder states h^d_i": (np.stack([s.state for s in trace.steps]), [s.token for s in trace.steps],
                                 "h<sup>d</sup><sub>i</sub>", "decoder step i (the token written)",
                                 "unit k of h^d_i after every decoder step i"),
    }
    if trace.score_function is not None:
        vectors["context vectors c_i"] = (np.stack([s.context for s in trace.steps]), [s.token for s in trace.steps],
                                          "c<sub>i</sub>", "decoder step i (the token written)",
                                          "unit k of the context vector c_i at every decoder step i")
    return vectors


def follow_seq2seq_units(key: str, trace) -> None:
    """A switch; when on, pick which vectors of an encoder-decoder trace to follow (h^e_j, h^d_i,
    c_i), then its units. Nothing is built or sent while it is off."""
    if not st.toggle("Follow a few units as lines", key=f"{key}-on",
                     help="Read one row of a state heatmap at a time: a unit's value over the positions."):
        return
    vectors = seq2seq_vectors(trace)
    if st.session_state.get(f"{key}-vectors") not in vectors:
        st.session_state[f"{key}-vectors"] = next(iter(vectors))
    chosen = st.radio("Vectors", list(vectors), key=f"{key}-vectors", horizontal=True, format_func=_readable,
                      help="Which heatmap of the figure above to read row by row.")
    states, labels, symbol, x_title, what = vectors[chosen]
    follow_units(f"{key}-{chosen.split()[0]}", states, labels, symbol, x_title, what)


def _readable(name: str) -> str:
    """A vector's name with its symbol in Unicode (radio labels do not typeset LaTeX)."""
    return name.replace("h^e_j", "hᵉⱼ").replace("h^d_i", "hᵈᵢ").replace("c_i", "cᵢ")
