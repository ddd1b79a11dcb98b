"""The browser window's width class, so that figures are laid out for the screen they are drawn on.

Streamlit gives each figure its container's width, and a figure's subplots, colour bars and titles
are placed in the figure's own coordinates, so CSS cannot turn a side-by-side layout into a stacked
one. The window reports its class instead ("phone" below PHONE_PX, "wide" otherwise): a script of
the page's own (Streamlit's components v2, no iframe) sends it when the page opens and when a resize
crosses the line, and the figure builders take `phone=is_phone()`. A wide window sends nothing (wide is
the default, so a desktop visit runs once); a phone's report reruns the page once.
"""
from __future__ import annotations

import streamlit as st

from . import shell

PHONE_PX = 640  # narrower windows get the one-column figures
KEY = "viewport"  # the component's key
PHONE, WIDE = "phone", "wide"

_JS = """
export default function (component) {
  const { setStateValue } = component;
  let sent = '%s';  // a wide window says nothing: the server's default, no extra run
  // A report reruns the page: sent while the page's first run is still going, it would interrupt
  // that run (which reads the page's link), so it waits until the app is idle.
  const idle = () => !document.querySelector('[data-testid="stStatusWidget"]');
  const report = () => {
    const kind = window.innerWidth < %d ? '%s' : '%s';
    if (kind === sent) return;
    if (!idle()) { clearTimeout(timer); timer = setTimeout(report, 150); return; }
    sent = kind;
    setStateValue('kind', kind);
  };
  let timer = null;
  timer = setTimeout(report, 150);
  const onResize = () => { clearTimeout(timer); timer = setTimeout(report, 300); };
  window.addEventListener('resize', onResize);
  return () => { window.removeEventListener('resize', onResize); clearTimeout(timer); };
}
""" % (WIDE, PHONE_PX, PHONE, WIDE)

# it draws nothing and takes no room (nor the gap a hidden element would leave above the title)
_CSS = """<style>.st-key-viewport-reporter, [data-testid="stLayoutWrapper"]:has(> .st-key-viewport-reporter)
{ display: none; }</style>"""



def track() -> None:
    """app.py, before the page: mount the reporter and keep the window's class for this run."""
    st.html(_CSS)
    with st.container(key="viewport-reporter"):
        result = shell.page_script("seq2seq_viewport", _JS)(key=KEY, default={"kind": WIDE}, on_kind_change=lambda: None)
    kind = getattr(result, "kind", None) if result is not None else None
    previous = st.session_state.get(f"_{KEY}_kind")
    st.session_state[f"_{KEY}_changed"] = kind in (PHONE, WIDE) and previous is not None and kind != previous
    if kind in (PHONE, WIDE):
        st.session_state[f"_{KEY}_kind"] = kind


def changed() -> bool:
    """True in the run the window's report started (the page's first run on a phone, or a resize
    across PHONE_PX). The browser sends that rerun with the widget values it had on screen, which
    can be older than the page's link (it may not have drawn the first run's values yet), so the
    pages read their view from the link again in this run (ui.widgets.PageState.load)."""
    return bool(st.session_state.get(f"_{KEY}_changed"))


def is_phone() -> bool:
    """True when the browser said its window is narrower than PHONE_PX."""
    return st.session_state.get(f"_{KEY}_kind") == PHONE
