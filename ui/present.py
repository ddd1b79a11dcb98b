"""The presenter view: for a lecturer at a projector, on every page.

A toggle at the top right (and `present=1` in a link, so a slide can open a page in it) turns it on
for the session: explanations collapse to one line (the whole text shows on hover), every figure's
text grows to at least 16 px (tick labels thinned again so they still never overlap), the page's
main figure at least as tall as a 1280x720 projector shows below the navigation, and the keyboard drives
the animation on screen: ← and → step one frame, space plays and pauses, Home and End jump to the
first and last frame. The keys run in the browser on the figure's own frames (no server round trip)
and are ignored while a text box, slider or other control has the focus.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import streamlit as st

from . import shell

if TYPE_CHECKING:  # app.py imports this module before numpy and Plotly (ui/shell.import_in_turn)
    import plotly.graph_objects as go

KEY = "present"  # the session's switch, and the URL parameter
ON, OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
FONT_PX = 16  # the smallest text in a figure in the presenter view
TITLE_PX = 18  # subplot and figure titles
MAIN_HEIGHT = 640  # the main figure: a 1280x720 projector's height below the navigation bar
GROWTH = 1.2  # every figure's height: its text grows from 12-13 px to 16-18 px

_CSS = """<style>
/* explanations: one line each; the whole text on hover */
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] > p {
  display: -webkit-box; -webkit-line-clamp: 1; -webkit-box-orient: vertical; overflow: hidden;
}
[data-testid="stMain"] [data-testid="stCaptionContainer"]:hover,
[data-testid="stMain"] [data-testid="stMarkdown"] [data-testid="stMarkdownContainer"] > p:hover {
  -webkit-line-clamp: unset;
}
/* the figures get the screen's width, the page starts right under the navigation bar */
[data-testid="stMainBlockContainer"] { padding-left: 1.5rem; padding-right: 1.5rem; padding-top: 4rem; }
[data-testid="stMain"] h1 { font-size: 2.1rem; padding-top: 0.25rem; }
</style>"""

_TOGGLE_CSS = """<style>
/* the switch sits in the navigation bar's right corner, beside the app menu */
.st-key-present-switch { position: fixed; top: 0.85rem; right: 3.75rem; z-index: 999991; width: auto; }
/* out of the page's flow, so it leaves no gap above the title */
[data-testid="stLayoutWrapper"]:has(> .st-key-present-switch) { position: fixed; top: 0; right: 0; z-index: 999991; }
@media (max-width: 640px) { .st-key-present-switch { display: none; } }
</style>"""

# The keyboard: a script of the page's own (Streamlit's components v2 run it in the app's page, no
# iframe). It drives the animated figure that has the most of its area on screen with Plotly's own
# animate calls: the slider's steps for ← → Home End, the Play/Pause/Resume buttons' arguments for
# space. Streamlit's widgets and Plotly offer no key binding for a figure's frames.
_KEYS_JS = """
export default function (component) {
  const doc = document;
  const animated = () => [...doc.querySelectorAll('.js-plotly-plot')].filter(gd => gd._fullLayout
      && gd._fullLayout.sliders && gd._fullLayout.sliders.length && gd._fullLayout.updatemenus
      && gd._fullLayout.updatemenus.length);
  const onScreen = gd => {
    const r = gd.getBoundingClientRect();
    const h = Math.max(0, Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0));
    const w = Math.max(0, Math.min(r.right, window.innerWidth) - Math.max(r.left, 0));
    return h * w;
  };
  const target = () => animated().map(gd => [onScreen(gd), gd]).filter(p => p[0] > 0)
      .sort((a, b) => b[0] - a[0]).map(p => p[1])[0];
  const playing = gd => Boolean(gd._transitionData && (gd._transitionData._frameQueue || []).length);
  const show = (gd, k) => {
    const steps = gd._fullLayout.sliders[0].steps;
    const step = steps[Math.max(0, Math.min(steps.length - 1, k))];
    return window.Plotly.animate(gd, ...step.args);
  };
  const button = (gd, label) => gd._fullLayout.updatemenus[0].buttons.find(b => b.label.includes(label));
  const onKey = event => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const el = doc.activeElement;
    if (el && (el.closest('input, textarea, select, [contenteditable="true"], [role="slider"], [role="combobox"], '
        + '[role="listbox"], [role="spinbutton"], button, a'))) return;
    if (![' ', 'ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    const gd = target();
    if (!gd || !window.Plotly) return;
    event.preventDefault();
    const steps = gd._fullLayout.sliders[0].steps;
    const active = gd._fullLayout.sliders[0].active || 0;
    if (event.key === ' ') {
      if (playing(gd)) {
        const pause = button(gd, 'Pause');
        window.Plotly.animate(gd, ...pause.args);
      } else {
        const play = active >= steps.length - 1 ? button(gd, 'Play') : button(gd, 'Resume');
        window.Plotly.animate(gd, ...play.args);
      }
      return;
    }
    if (playing(gd)) window.Plotly.animate(gd, ...button(gd, 'Pause').args);
    const next = {ArrowLeft: active - 1, ArrowRight: active + 1, Home: 0, End: steps.length - 1}[event.key];
    show(gd, next);
  };
  doc.addEventListener('keydown', onKey);
  return () => doc.removeEventListener('keydown', onKey);
}
"""



def read_link(params: Mapping[str, object]) -> tuple[bool | None, str | None]:
    """The presenter switch a link asks for (None: the link does not say) and a notice when the
    value is unreadable. Never quotes the link."""
    raw = params.get(KEY)
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    if raw is None:
        return None, None
    value = str(raw).strip().lower()
    if value in ON:
        return True, None
    if value in OFF:
        return False, None
    return False, "The presenter view in the link is not 1 or 0; the page opens in the normal view."


def is_on() -> bool:
    return bool(st.session_state.get(KEY, False))


def url_params() -> dict[str, str]:
    """What the URL carries for the presenter view: present=1 when it is on, nothing otherwise."""
    return {KEY: "1"} if is_on() else {}


def switch() -> None:
    """app.py, before the page: read `present` from the link once per session, show the switch,
    and when it is on, the presenter styles and the keyboard. Keeps the URL's `present` in step."""
    if f"_{KEY}_read" not in st.session_state:
        st.session_state[f"_{KEY}_read"] = True
        wanted, notice = read_link(st.query_params.to_dict())
        st.session_state[KEY] = bool(wanted)
        if notice:
            st.session_state[f"_{KEY}_notice"] = notice
    st.html(_TOGGLE_CSS)
    with st.container(key="present-switch"):
        st.toggle("Presenter view", key=KEY,
                  help="For a projector: explanations on one line, larger text in the figures, the main figure "
                       "as tall as the screen, and the keyboard drives the animation on screen (← → step, space "
                       "plays and pauses, Home and End jump). A link with present=1 opens a page this way.")
    notice = st.session_state.pop(f"_{KEY}_notice", None)
    if notice:
        st.info(notice)
    if is_on():
        st.html(_CSS)
        shell.page_script("seq2seq_presenter_keys", _KEYS_JS)(key="presenter-keys")
    sync_url()


def sync_url() -> None:
    """Add or remove `present` in the URL to match the switch (pages write their own parameters)."""
    current = st.query_params.get(KEY)
    if is_on() and current != "1":
        st.query_params[KEY] = "1"
    elif not is_on() and current is not None:
        del st.query_params[KEY]


# ---- figures ------------------------------------------------------------------------------------
def _axis_length_px(fig: go.Figure, name: str) -> float:
    """An axis' length in pixels at 1280x720: its domain's share of the plot area."""
    from .animation import PLOT_PX

    axis = fig.layout[name]
    low, high = axis.domain if axis.domain else (0.0, 1.0)
    if name.startswith("x"):
        return (high - low) * PLOT_PX
    margin = fig.layout.margin
    return (high - low) * ((fig.layout.height or 450) - (margin.t or 0) - (margin.b or 0))


def _thin(axis, length_px: float, vertical: bool) -> None:
    """Keep every k-th of an axis' tick labels so that, at FONT_PX, none overlaps the next."""
    from .animation import label_width

    values, texts = axis.tickvals, axis.ticktext
    if not values or not texts or len(values) < 2:
        return
    values, texts = list(values), list(texts)
    if axis.range is not None:
        span = abs(axis.range[1] - axis.range[0])
    else:
        span = (max(values) - min(values)) + 1
    gap_px = abs(values[1] - values[0]) * length_px / max(span, 1e-9)
    needed = 1.4 * FONT_PX + 2 if vertical else max(label_width(str(t), FONT_PX) for t in texts) + 4
    every = max(1, math.ceil(needed / max(gap_px, 1e-9)))
    axis.tickvals, axis.ticktext = values[::every], texts[::every]


def presented(fig: go.Figure, main: bool = False) -> go.Figure:
    """A copy of `fig` for the presenter view: text of at least FONT_PX (the figure's title
    TITLE_PX; text inside heatmap cells and legends keep theirs), tick labels thinned to their room,
    GROWTH times as tall, and the page's main figure at least MAIN_HEIGHT tall."""
    import plotly.graph_objects as go

    from .animation import AnimatedFigure, SentFigure

    memo = getattr(fig, "_presented", None)
    if memo is None:  # the app's figures are cached and never changed: present each one once
        memo = {}
        fig._presented = memo
    if main not in memo:
        source = fig.full() if isinstance(fig, SentFigure) else fig  # a cached figure: its Plotly objects again
        out = go.Figure(source)
        _enlarge(out, main, getattr(source, "_plain_frames", []))
        if isinstance(source, AnimatedFigure):
            out = AnimatedFigure.adopt(out, source._plain_frames)
        memo[main] = SentFigure.of(out) if isinstance(fig, SentFigure) else out
    return memo[main]


def _grow_strips(out: "go.Figure", frames: list[dict]) -> None:
    """Token strips (heatmaps of text, ui.charts.strip_text) get FONT_PX where their cells allow it:
    where the strip laid out at FONT_PX in its presented size puts every label on the same line as
    before, so the frames' text (which reveals the labels step by step) stays as it is."""
    from .charts import strip_text

    for index, trace in enumerate(out.data):
        if trace.type != "heatmap" or not getattr(trace, "texttemplate", None) or trace.text is None:
            continue
        rows = [list(row) for row in trace.text]
        for frame in frames:  # the strip as its last frame shows it: every label revealed
            if index in frame.get("traces", []):
                rows = [list(row) for row in frame["data"][frame["traces"].index(index)]["text"]]
        labels = ["".join(column) for column in zip(*rows)]
        width = _axis_length_px(out, "xaxis" + (trace.xaxis or "x")[1:])
        height = _axis_length_px(out, "yaxis" + (trace.yaxis or "y")[1:])
        plan = strip_text(labels, width, FONT_PX, height)
        if plan["size"] == FONT_PX and plan["rows"] == rows:
            trace.textfont.size = FONT_PX


def _enlarge(out: "go.Figure", main: bool, frames: list[dict] = ()) -> None:
    """presented()'s changes, made in place on a copy (`frames`: an animation's frames, read only)."""
    base_font = out.layout.font.size or 12
    for trace in out.data:  # text drawn inside cells (token strips) keeps its size unless its cells allow more
        if getattr(trace, "texttemplate", None) and trace.textfont is not None and trace.textfont.size is None:
            trace.textfont.size = base_font
    height = (out.layout.height or 450) * GROWTH  # rows of larger text need more room between them
    out.layout.height = max(height, MAIN_HEIGHT) if main else height
    _grow_strips(out, frames)
    out.update_layout(font_size=FONT_PX)
    grown = 0.0  # how much taller the caption and the subplot titles above the plots get
    if out.layout.title and out.layout.title.text:
        before = out.layout.title.font.size or base_font
        out.layout.title.font.size = max(before, TITLE_PX)
        grown += out.layout.title.font.size - before
    if out.layout.annotations:
        grown += max(0, FONT_PX - max(a.font.size or base_font for a in out.layout.annotations))
    out.update_annotations(font_size=FONT_PX)
    if out.layout.margin.t is not None:  # the top margin holds them at their new size
        out.layout.margin.t += math.ceil(1.5 * grown)
    for name in [k for k in out.layout.to_plotly_json() if k.startswith("coloraxis")]:
        bar = out.layout[name].colorbar
        bar.tickfont.size = max(bar.tickfont.size or 0, FONT_PX)
        if bar.title and bar.title.text:
            bar.title.font.size = max(bar.title.font.size or 0, FONT_PX)
    for menu in out.layout.updatemenus:
        menu.font.size = FONT_PX
    for slider in out.layout.sliders:
        slider.currentvalue.font.size = FONT_PX
    for name in [k for k in out.layout.to_plotly_json() if k.startswith(("xaxis", "yaxis"))]:
        axis = out.layout[name]
        axis.tickfont.size = max(axis.tickfont.size or 0, FONT_PX)
        if axis.title and axis.title.text:
            axis.title.font.size = max(axis.title.font.size or 0, FONT_PX)
        _thin(axis, _axis_length_px(out, name), vertical=name.startswith("y"))


def chart(fig: go.Figure, key: str, main: bool = False, config: dict | None = None) -> None:
    """Draw a figure, presented when the presenter view is on. `main`: the page's main figure."""
    st.plotly_chart(presented(fig, main) if is_on() else fig, key=key,
                    config={"displaylogo": False, **(config or {})})
