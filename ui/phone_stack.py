"""Phone layouts of figures built with make_subplots: the subplots that sit side by side on a wide
screen are placed one under another, in pixel bands, without rebuilding the figure. Only the
layout moves (axis domains, subplot titles, margins, height, the animation controls), so an
animated figure keeps its traces, their order and its frames (frames name traces by index and
shapes by axis refs such as x3/y3). Pure Plotly, no Streamlit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go

from .animation import PHONE_FIGURE_PX as FIGURE_PX  # a figure's width in a 390-pixel phone window
from .animation import SLIDER_UNDER_PX, label_width, place_controls

TITLE_PX = 13  # the font of a phone figure's title
TITLE_LINE_PX = 19  # one line of that title, with Plotly's line spacing
TITLE_TOP_PX = 16  # the room above a title (a top margin is TITLE_TOP_PX and the title's lines, then the plots)
CONTROLS_PX = 66  # the Play buttons' distance below the lowest plot (animation.animation_controls' pad)
SLIDER_PX = 56  # the slider: its current value above the rail, and the rail
PHONE_MARGIN = dict(l=52, r=14)  # room at the left for unit numbers and an axis title
PHONE_PLOT_PX = FIGURE_PX - PHONE_MARGIN["l"] - PHONE_MARGIN["r"]  # the plot width inside those margins
PHONE_TITLE_PX = FIGURE_PX - 16  # a frame's caption: the figure's width less the title's indent
PHONE_STRIP_FONT = 11  # text in a phone's strips of tokens (tick labels keep Plotly's 12)
PHONE_LINE_CHART_PX = 330  # a single line chart on a phone: lower than on a wide screen, the plot being narrow
BAR_BAND_PX = 80  # a horizontal colour bar's band: a two-line title above the bar, tick labels below


@dataclass(frozen=True)
class Cell:
    """One subplot in a band: its place in the make_subplots grid, its horizontal share of the plot
    width, and its title on a phone (None keeps the wide screen's)."""
    row: int
    col: int
    x0: float = 0.0
    x1: float = 1.0
    title: str | None = None


@dataclass(frozen=True)
class Band:
    """A horizontal band of the phone figure: its subplots (none: room for a colour bar), the
    height of its plots, and the room above them (the subplot titles) and below (tick labels)."""
    cells: tuple[Cell, ...]
    px: float
    above: float = 26
    below: float = 30


def wrap(text: str, width_px: float, font_px: float = TITLE_PX) -> str:
    """`text` broken with <br> at spaces so that no line is wider than `width_px` (estimated with
    animation.label_width); a word wider than the line keeps a line of its own. Putting the spaces
    back where the <br> are gives `text` again."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and label_width(lines[-1] + " " + word, font_px) <= width_px:
            lines[-1] += " " + word
        elif lines and not word:  # a second space of a pair: kept on its line, so nothing is lost
            lines[-1] += " "
        else:
            lines.append(word)
    return "<br>".join(lines)


def title_margin(lines: int) -> float:
    """The top margin of a phone figure whose title has `lines` lines."""
    return TITLE_TOP_PX + TITLE_LINE_PX * lines


def place_title(fig: go.Figure, height: float) -> None:
    """The title's first line TITLE_TOP_PX below the top of a figure `height` pixels high (a
    superscript in it must not leave the figure), in the phone's font."""
    fig.update_layout(title=dict(y=1 - TITLE_TOP_PX / height, yanchor="top", font=dict(size=TITLE_PX)))


def stack(fig: go.Figure, bands: list[Band], lines: int, bottom: float) -> list[tuple[float, float]]:
    """Place the bands one under another (top to bottom) and size the figure to hold them: each
    cell's axes get their band's domain, its subplot title moves with it (and takes the phone title
    if the cell has one); above the bands a title of `lines` lines, below them a margin `bottom`.
    Returns each band's plot span (y0, y1) in paper coordinates, for colour bars."""
    plot_px = sum(b.above + b.px + b.below for b in bands)
    titles = {(round(a.x, 9), round(a.y, 9)): a for a in fig.layout.annotations}
    spans = []
    used = 0.0
    for band in bands:
        y1 = 1 - (used + band.above) / plot_px
        y0 = 1 - (used + band.above + band.px) / plot_px
        used += band.above + band.px + band.below
        spans.append((y0, y1))
        for cell in band.cells:
            subplot = fig.get_subplot(cell.row, cell.col)
            (old_x0, old_x1), (_, old_y1) = subplot.xaxis.domain, subplot.yaxis.domain
            title = titles.get((round((old_x0 + old_x1) / 2, 9), round(old_y1, 9)))
            subplot.xaxis.domain, subplot.yaxis.domain = (cell.x0, cell.x1), (y0, y1)
            if title is not None:
                title.update(x=(cell.x0 + cell.x1) / 2, y=y1)
                if cell.title is not None:
                    title.text = cell.title
    top = title_margin(lines)
    height = int(math.ceil(top + plot_px + bottom))
    fig.update_layout(height=height, margin=dict(t=top, b=bottom))
    place_title(fig, height)
    return spans


def bar_across(span: tuple[float, float], centre: float = 0.5, share: float = 0.8) -> dict:
    """A horizontal colour bar in the middle of a band of its own (y0, y1 in paper coordinates),
    its title above the bar and its tick labels below, centred at `centre` of the plot width and
    `share` of it long (two bars share a band side by side: centres 0.25 and 0.75, shares below 0.5)."""
    return dict(orientation="h", x=centre, xanchor="center", len=share, lenmode="fraction",
                y=(span[0] + span[1]) / 2, yanchor="middle", thickness=12)


def title_lines(frames: list[dict]) -> int:
    """The most lines any frame's title has."""
    return max(f["layout"]["title"]["text"].count("<br>") + 1 for f in frames)


def wrap_titles(frames: list[dict], width_px: float) -> list[dict]:
    """The frames with their titles wrapped to `width_px` (the rest of each frame is the same object)."""
    def wrapped(frame: dict) -> dict:
        layout = frame["layout"]
        title = dict(layout["title"], text=wrap(layout["title"]["text"], width_px))
        return dict(frame, layout=dict(layout, title=title))
    return [wrapped(f) for f in frames]


def phone_controls(fig: go.Figure, clear_px: float = CONTROLS_PX) -> float:
    """The Play/Pause/Resume buttons at the left, `clear_px` below the lowest plot (room for its
    tick labels and axis title), and the slider under them across the whole width (side by side
    they do not fit a phone). Returns the bottom margin they need."""
    place_controls(fig, clear_px, stacked_slider=True)
    return clear_px + SLIDER_UNDER_PX + SLIDER_PX
