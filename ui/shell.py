"""What every page calls first."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def enter_through_app() -> None:
    """Make sure the page runs inside app.py's navigation.

    Because the repository has a `pages/` folder, Streamlit starts each new server in its legacy
    multipage mode, where a deep link such as /attention runs the page script on its own (no
    navigation, no page config) until some session has run app.py. Switching that mode off and
    rerunning hands the same URL to app.py's st.navigation, which opens the same page."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
