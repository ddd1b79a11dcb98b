"""The animation toolkit every chart module shares: the colour scales (one per quantity) and their
legends, tick labels that fit, grey covers and orange outlines, bars that frames may change, and
figures whose frames play in the browser (Play/Pause/Resume and a slider, no server round trip).
Pure Plotly, no Streamlit.
"""
from __future__ import annotations

import base64
import html
import json
import math
import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

STATE_SCALE = "RdBu"  # diverging and colour-blind safe: state vectors (red negative, blue positive)
WEIGHT_SCALE = "Viridis"  # sequential and colour-blind safe: attention weights α only
PROB_SCALE = "Blues"  # sequential, unlike Viridis at a glance: probabilities p, never on the α scale
COVER = "rgb(128, 128, 128)"  # hides what the model has not computed yet at this point of the timeline
HIGHLIGHT = "#ff8c00"  # the query / the token being read (orange reads on both themes and both scales)
FRAME_MS = 350  # Play speed of the timeline
CHAR_PX = 0.6  # a character's width in a label, as a share of the font size (estimates crowding)
NARROWEST_PX = 1100  # the narrowest figure the layouts plan for (a 1280-pixel wide window)
PLOT_PX = 0.8 * NARROWEST_PX  # its plot area inside Plotly's margins (measured: 880 px at 1280x720)
PHONE_FIGURE_PX = 358  # a figure's width in a 390-pixel phone window (the page keeps 1rem each side)


def _ticks(labels: list[str], start: int = 1, most: int = 45) -> dict:
    """Tick values/texts for positions start..; thinned so that at most `most` labels show."""
    every = max(1, -(-len(labels) // most))
    positions = list(range(start, start + len(labels)))
    return dict(tickmode="array", tickvals=positions[::every], ticktext=labels[::every])


def label_width(label: str, font_px: float) -> float:
    """Estimated pixel width of a label (HTML entities count as one character)."""
    return CHAR_PX * font_px * len(html.unescape(re.sub(r"<[^>]+>", "", label)))


def fitting_ticks(labels: list[str], length_px: float, font_px: float = 12, start: int = 1,
                  vertical: bool = False) -> dict:
    """Tick values/texts for positions start.. that do not overlap on an axis `length_px` long: every
    k-th label, k as small as fits (hover names every position). On a vertical axis a label needs
    its line height, on a horizontal one its width."""
    if vertical:
        needed = 1.4 * font_px + 2
    else:
        needed = max((label_width(label, font_px) for label in labels), default=0) + 4
    per_label = length_px / max(len(labels), 1)
    every = max(1, math.ceil(needed / per_label)) if per_label > 0 else len(labels)
    positions = list(range(start, start + len(labels)))
    return dict(tickmode="array", tickvals=positions[::every], ticktext=labels[::every])


def subplot_height(fig: go.Figure, row: int, col: int) -> float:
    """The pixel height of a subplot, from its domain and the figure's height and margins."""
    low, high = fig.get_subplot(row, col).yaxis.domain
    margin = fig.layout.margin
    return (high - low) * (fig.layout.height - (margin.t or 0) - (margin.b or 0))


def stacked(spans: list[tuple[float, float]], total_px: float) -> list[tuple[float, float]]:
    """Vertical domains (paper fractions, bottom-up as Plotly wants them) of panels stacked from the
    top of a plot area `total_px` tall: each span is (gap above it, its height) in pixels."""
    top, out = 0.0, []
    for gap, size in spans:
        top += gap
        out.append((max(0.0, 1 - (top + size) / total_px), 1 - top / total_px))
        top += size
    return out


def symmetric_range(*arrays: np.ndarray) -> float:
    """A colour range symmetric around 0 that covers every value."""
    largest = max(float(np.max(np.abs(a))) for a in arrays if a.size)
    return largest if largest > 0 else 1.0


def subplot_ref(fig: go.Figure, row: int, col: int) -> tuple[str, str]:
    """The 'x3', 'y3' references of a subplot, for shapes."""
    subplot = fig.get_subplot(row, col)
    return subplot.xaxis.plotly_name.replace("axis", ""), subplot.yaxis.plotly_name.replace("axis", "")


def colour_axis(title: str, scale: str, low: float, high: float, bar: dict, digits: int = 2) -> dict:
    """A layout coloraxis for one quantity: its colour bar names the quantity and labels both ends of
    the range (and the middle), so no heatmap is read against a scale it does not use."""
    ticks = [low, (low + high) / 2, high]
    colorbar = dict(title=dict(text=title, side="top", font=dict(size=12)), thickness=12, tickmode="array",
                    tickvals=ticks, ticktext=[f"{v:.{digits}f}" for v in ticks], tickfont=dict(size=11),
                    outlinewidth=0)
    if bar.get("orientation") != "h":  # each label below its tick: the top one clears the title above the bar
        colorbar["ticklabelposition"] = "outside bottom"
    return dict(colorscale=scale, cmin=low, cmax=high, showscale=True, colorbar={**colorbar, **bar})


def bar_beside(fig: go.Figure, rows: tuple[int, ...], col: int, gap: float = 0.012) -> dict:
    """Colour-bar placement right of the subplots `rows` of column `col` (paper coordinates)."""
    domains = [fig.get_subplot(r, col).yaxis.domain for r in rows]
    low, high = min(d[0] for d in domains), max(d[1] for d in domains)
    right = fig.get_subplot(rows[0], col).xaxis.domain[1]
    return dict(x=right + gap, xanchor="left", y=(low + high) / 2, yanchor="middle", len=high - low,
                lenmode="fraction")


def unit_order(states: np.ndarray) -> np.ndarray:
    """Units ordered so that structure shows: by the step at which each changes most (|h_t - h_{t-1}|,
    from h_0 = 0), then by the size of that change. `states` is (steps, units); returns unit indices."""
    change = np.abs(np.diff(states.astype(np.float64), axis=0, prepend=0.0))
    return np.lexsort((-change.max(axis=0), change.argmax(axis=0)))


def unit_rows(order: np.ndarray, height_px: float) -> dict:
    """y-axis ticks of a state heatmap whose rows are the units in `order` (row r shows unit
    order[r - 1]); labels are the units' own 1-based numbers, thinned to fit."""
    return fitting_ticks([str(u + 1) for u in order], height_px, vertical=True)


# ---- animations ------------------------------------------------------------------------------
#
# Frames are played with redraw=True and change only the layout (grey covers and orange outlines
# as shapes, the caption as the title) and traces Plotly does not "animate": heatmaps' text and
# histograms. A frame that changes an animatable trace (a bar or a scatter) makes Plotly re-plot
# only those traces, which drops every heatmap of the figure; the redraw that follows puts them
# back as new images, and until the browser has decoded them they show white (seen in the middle
# of Play). Bars that frames change are therefore histograms that sum one value per bin.

def frame_bars(positions: np.ndarray, values: np.ndarray, horizontal: bool = False, **style) -> go.Histogram:
    """Bars at integer `positions` with heights `values` that animation frames may change (see
    above); a frame sets the values as `y` (`x` when horizontal)."""
    bins = dict(start=float(positions[0]) - 0.5, end=float(positions[-1]) + 0.5, size=1)
    if horizontal:
        return go.Histogram(y=positions, x=values, histfunc="sum", orientation="h", ybins=bins, **style)
    return go.Histogram(x=positions, y=values, histfunc="sum", xbins=bins, **style)


def cover(ref: tuple[str, str], x0: float, x1: float, y0: float, y1: float, visible: bool = True) -> dict:
    """A grey rectangle over what is not computed yet."""
    return dict(type="rect", xref=ref[0], yref=ref[1], x0=x0, x1=x1, y0=y0, y1=y1, visible=visible,
                fillcolor=COVER, line=dict(width=0), layer="above")


def outline(ref: tuple[str, str], x0: float, x1: float, y0: float, y1: float, visible: bool = True) -> dict:
    """An orange outline: the query, the token being read, this step's row."""
    return dict(type="rect", xref=ref[0], yref=ref[1], x0=x0, x1=x1, y0=y0, y1=y1, visible=visible,
                line=dict(color=HIGHLIGHT, width=3), fillcolor="rgba(0,0,0,0)", layer="above")


class AnimatedFigure(go.Figure):
    """A figure whose animation frames are kept as plain dicts.

    Plotly validates every frame through its object model, which costs about 2 ms a frame; a
    40-token input has 200 frames, most of a rerun's time budget. The frames here are built from
    the same arrays as the validated traces, so they are added to the figure's dict as they are.
    `to_dict()` (what Streamlit and `plotly.io.to_json` call) returns the whole animated figure; it
    is computed once, because the app caches these figures and never changes them (moving the step
    slider would otherwise deep-copy and re-encode every frame on each rerun).

    Made with `AnimatedFigure.adopt(fig, frames)`, which turns the built figure itself into one:
    copying it into a new figure would validate all of it a second time."""

    _plain_frames: list[dict]
    _as_dict: dict | None

    @classmethod
    def adopt(cls, figure: go.Figure, frames: list[dict]) -> "AnimatedFigure":
        """`figure` itself, now an AnimatedFigure with `frames` (the caller no longer changes it)."""
        figure.__class__ = cls
        figure._plain_frames = frames
        figure._as_dict = None
        return figure

    def to_dict(self) -> dict:
        if self._as_dict is None:
            result = super().to_dict()
            result["frames"] = encoded(self._plain_frames)
            self._as_dict = result
        return self._as_dict


class SentFigure(go.Figure):
    """A figure kept as nothing but the JSON text the browser receives, for the figure caches.

    A built figure holds its frames, Plotly's validated objects and their dict: tens of thousands of
    small Python objects. Cached for minutes while a class makes and drops millions of others, they
    pin the interpreter's memory arenas, which then cannot go back to the system: a server that had
    served 60 students kept 270 MB of such arenas mostly empty. As text, a cached figure is one block
    of a few hundred kB. `to_dict()` reads it back (a millisecond or two, for each page that sends
    it); `full()` gives the Plotly figure again (the presenter view rebuilds its copy from it)."""

    _json: str

    @classmethod
    def of(cls, figure: go.Figure) -> "SentFigure":
        sent = cls()
        sent._json = pio.to_json(figure, validate=False)
        return sent

    def to_dict(self) -> dict:
        return json.loads(self._json)

    def full(self) -> go.Figure:
        """The Plotly figure again (an AnimatedFigure when it has frames), its arrays as sent."""
        spec = self.to_dict()
        figure = go.Figure({"data": spec["data"], "layout": spec["layout"]})
        return AnimatedFigure.adopt(figure, spec["frames"]) if "frames" in spec else figure


SKIPPED_KEYS = frozenset({"geojson", "layer", "layers", "range"})  # Plotly leaves these as they are
TYPED = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4", "uint32": "u4",
         "float32": "f4", "float64": "f8"}  # the typed arrays plotly.js reads


def encoded(value):
    """A copy of plain figure data with every numeric array as a base64 typed array, exactly as
    Plotly's `convert_to_base64` writes it (a test compares the two), in one pass and without its
    per-array conversions: the original keeps its arrays."""
    if isinstance(value, dict):
        return {key: item if key in SKIPPED_KEYS else encoded(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encoded(item) for item in value]
    if isinstance(value, np.ndarray):
        return typed_array(value)
    return value


def typed_array(v: np.ndarray):
    """Plotly's typed-array spec of a numpy array (int64 and uint64 narrowed to the smallest type that
    holds the values); an empty array, or one of another type, as it is."""
    if v.size == 0:
        return v
    if v.dtype in (np.int64, np.uint64):
        low, high = v.min(), v.max()
        kinds = ("int8", "int16", "int32") if v.dtype == np.int64 else ("uint8", "uint16", "uint32")
        kind = next((k for k in kinds if np.iinfo(k).min <= low and high <= np.iinfo(k).max), None)
        if kind is None:
            return v
        v = v.astype(kind)
    if str(v.dtype) not in TYPED:
        return v
    spec = {"dtype": TYPED[str(v.dtype)], "bdata": base64.b64encode(np.ascontiguousarray(v)).decode("ascii")}
    if v.ndim > 1:
        spec["shape"] = str(v.shape)[1:-1]
    return spec


def animated(fig: go.Figure, frames: list[dict], prefix: str = "frame: ", **controls) -> AnimatedFigure:
    """The figure opens on the first frame, ready to Play (its shapes, title and trace data are the
    figure's), with Play/Pause/Resume and a slider that run the frames in the browser (`controls`:
    animation_controls' placement)."""
    first = frames[0]
    layout = first.get("layout", {})
    if "shapes" in layout:
        fig.update_layout(shapes=layout["shapes"])
    if "title" in layout:
        fig.update_layout(title_text=layout["title"]["text"])
    for index, data in zip(first.get("traces", []), first.get("data", [])):
        fig.data[index].update({k: v for k, v in data.items() if k != "type"})
    animation_controls(fig, [f["name"] for f in frames], prefix, **controls)
    return AnimatedFigure.adopt(fig, frames)


def animation_layout(fig: go.Figure, height: int, margin: dict | None = None) -> None:
    """The layout the lecture pages' animations share: a title line for the frame's caption, and
    room below the plots for the axis labels, then Play and the slider."""
    fig.update_layout(showlegend=False, height=height, margin=margin or dict(l=50, r=90, t=70, b=110),
                      title=dict(x=0.01, y=0.985, yanchor="top", font=dict(size=16)), bargap=0.15)
    fig.update_annotations(font_size=13)


def animation_controls(fig: go.Figure, names: list[str], prefix: str = "frame: ", below_px: int = 66,
                       stacked_slider: bool = False) -> None:
    """Play/Pause/Resume buttons and a slider over the frames `names` (the figure opens on the
    first): all in the browser, no server round trip. They sit `below_px` under the plots, below
    the bottom axis labels, so no tick label lies on a button; the slider beside the buttons, or
    under them (`stacked_slider`, for a narrow figure). One layout update: Plotly validates each of
    the slider's steps, once."""
    play = dict(frame=dict(duration=FRAME_MS, redraw=True), transition=dict(duration=0), mode="immediate")
    resume = dict(play, fromcurrent=True)
    pause = dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0), mode="immediate")
    buttons, slider = control_places(below_px, stacked_slider)
    fig.update_layout(
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=0, xanchor="left", yanchor="top",
                          pad=dict(r=6, **buttons), showactive=False,
                          buttons=[dict(label="▶ Play", method="animate", args=[list(names), play]),
                                   dict(label="❚❚ Pause", method="animate", args=[[None], pause]),
                                   dict(label="▷ Resume", method="animate", args=[None, resume])])],
        sliders=[dict(active=0, y=0, yanchor="top",
                      currentvalue=dict(prefix=prefix, font=dict(size=13)), ticklen=0, minorticklen=0,
                      font=dict(size=1, color="rgba(0,0,0,0)"),
                      steps=[dict(label=name, method="animate",
                                  args=[[name], dict(frame=dict(duration=0, redraw=True), mode="immediate",
                                                     transition=dict(duration=0))])
                             for name in names], **slider)],
    )


SLIDER_UNDER_PX = 42  # a slider under the buttons starts this far below their top (a button is about 34 px)


def control_places(below_px: float, stacked_slider: bool) -> tuple[dict, dict]:
    """Where an animation's controls sit: the buttons' padding `below_px` under the plots (clear of the
    bottom axis labels), and the slider's place beside them or, on a narrow figure, under them across
    the whole width."""
    if stacked_slider:
        return dict(t=below_px), dict(x=0.0, len=1.0, pad=dict(t=below_px + SLIDER_UNDER_PX, b=0))
    return dict(t=below_px), dict(x=0.27, len=0.73, pad=dict(t=below_px - 16, b=0))


def place_controls(fig: go.Figure, below_px: float, stacked_slider: bool) -> None:
    """Moves the controls of an animated figure (control_places)."""
    buttons, slider = control_places(below_px, stacked_slider)
    fig.layout.updatemenus[0].pad.update(buttons)
    fig.layout.sliders[0].update(slider)
