"""What every page calls first."""
from __future__ import annotations

import contextlib
import functools
import importlib
import sys
import threading

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


_IMPORTS = threading.Lock()


def import_in_turn(*modules: str) -> None:
    """Import `modules` one session at a time, and return only when they are whole. On a cold server
    the first sessions run app.py at once, and two threads importing numpy, pandas or torch together
    can see a half-initialised module ("partially initialized module 'pandas'"): a module is in
    sys.modules from the moment its import begins, and Plotly takes pandas from there. The import
    system makes a second importer wait for the first to finish; after that this costs nothing."""
    if _IMPORTED.issuperset(modules):
        return
    with _IMPORTS:
        for name in modules:
            importlib.import_module(name)  # waits while another thread is still importing it
            _IMPORTED.add(name)


_IMPORTED: set[str] = set()


RUNS_AT_ONCE = 2  # page runs that may compute at the same time (see in_turn)
_RUNS = threading.BoundedSemaphore(RUNS_AT_ONCE)


@contextlib.contextmanager
def in_turn():
    """Page runs take turns, RUNS_AT_ONCE at a time, the others waiting in the order they came.

    A Streamlit server runs each session's page in a thread of one Python process, and those threads
    share one core (the GIL): 60 students pressing Enter together made 60 runs crawl side by side,
    each taking 60 times as long and holding its half-built figures in memory all that time. In turn,
    each run is done at its own speed, fewer half-built figures are held at once (at N = 60 the peak
    fell from 967 to 871 MB and the p95 from 63 to 50 s; the CPU per run did not change), and the
    waiting students are served first come, first served. Two, not one, so that a run waiting for a figure another run is computing
    (Streamlit's cache lets one compute it) never stops the server. A run that has to wait says so
    at the top of its page until its turn comes (the slot is there on every run, so that the page's
    elements keep their places)."""
    notice = st.empty()
    if not _RUNS.acquire(blocking=False):
        notice.caption(":material/hourglass_top: Many people are using the app right now: your page is computed "
                       "in turn, in a moment.")
        _RUNS.acquire()
        notice.empty()
    try:
        yield
    finally:
        _RUNS.release()


def load_plotly_early():
    """On a session's first run, put an empty Plotly chart on the page before the server imports
    torch and loads models, and return its slot (app.py clears it when the page has run).

    The browser loads Plotly's 4.7 MB bundle only when the first chart arrives; without this it
    starts after the server's slow first run (imports, models, traces) and the two add up. With
    it, the browser parses the bundle while the server works."""
    slot = st.empty()  # on every run, so the elements below keep their places (a shifted widget is drawn anew)
    if st.session_state.get("_plotly_requested"):
        return None
    st.session_state["_plotly_requested"] = True
    import_in_turn("numpy", "pandas", "plotly.graph_objects")  # what drawing a chart imports
    slot.plotly_chart({"data": [{"type": "scatter", "x": [], "y": []}], "layout": {"height": 10, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
                                              "xaxis": {"visible": False}, "yaxis": {"visible": False}}},
                      config={"staticPlot": True, "displayModeBar": False}, key="_plotly_early")
    return slot


def show_loading(title: str):
    """While a cold server imports torch (seconds), show the page's title and a loading notice in a
    slot, and return the slot (app.py turns it into the notice alone; the page clears it with
    done_loading() as it writes its own title, app.py at the latest when the page has run). On a
    warm server (torch imported) the page paints fast on its own: None."""
    slot = st.empty()  # on every run, so the elements below keep their places (a shifted widget is drawn anew)
    if "torch" in sys.modules:
        return None
    with slot.container():
        st.title(title)
        st.caption(":material/hourglass_top: Loading the models…")
    st.session_state["_loading_slot"] = slot
    return slot


def done_loading() -> None:
    """The page has its own title on screen: the loading notice above it goes."""
    slot = st.session_state.pop("_loading_slot", None)
    if slot is not None:
        slot.empty()


def enter_through_app() -> None:
    """Make sure the page runs inside app.py's navigation.

    Because the repository has a `pages/` folder, Streamlit starts each new server in its legacy
    multipage mode, where a deep link such as /attention runs the page script on its own (no
    navigation, no page config) until some session has run app.py. Switching that mode off and
    rerunning hands the same URL to app.py's st.navigation, which opens the same page."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# Streamlit leaves 6rem above a page under its top navigation bar (3.75rem tall): on a 1280x720
# projector that is a tenth of the screen, empty. One rem below the bar is enough.
_COMPACT_TOP = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
/* a page's title takes one line's height, not a banner's (the first screen is for the figures) */
[data-testid="stMain"] h1 { font-size: 2.1rem; padding-top: 0.25rem; padding-bottom: 0.25rem; }
/* a wide equation scrolls inside its own box instead of running off a narrow screen */
.katex-display { overflow-x: auto; overflow-y: hidden; padding-bottom: 2px; }
</style>"""


def compact_top() -> None:
    """Pull every page's content up under the navigation bar (style only; takes no space)."""
    st.html(_COMPACT_TOP)


@functools.cache
def page_script(name: str, js: str):
    """A script of the page's own (Streamlit's components v2: it runs in the app's page, no iframe),
    registered once per process; call the result to mount it."""
    return st.components.v2.component(name, js=js)
