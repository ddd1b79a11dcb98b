"""Entry point: builds the navigation over the pages, in the lecture's order."""
import streamlit as st

from ui.lecture_path import HOME, STOPS
from ui import present, viewport
from ui.shell import compact_top, done_loading, import_in_turn, in_turn, load_plotly_early, show_loading

st.set_page_config(page_title="Seq2Seq Attention Explorer", page_icon="🔎", layout="wide")
# The navigation goes out before torch is imported, so a cold server paints it (and the page's
# title, below) within a second instead of after the imports and the model loads.
navigation = st.navigation(position="top", pages=[
    st.Page(stop.path, title=stop.title, icon=stop.icon, url_path=stop.url_path, default=stop is HOME)
    for stop in [HOME, *STOPS]])
compact_top()
present.switch()  # the presenter view's switch, styles and keyboard (ui/present.py)
viewport.track()  # a phone's window says so, and the figures are laid out in one column (ui/viewport.py)
loading = show_loading(navigation.title)
early_chart = load_plotly_early()  # before torch: the browser fetches Plotly while the server imports

import_in_turn("numpy", "pandas", "torch")  # one session at a time on a cold server (ui/shell.py)
import torch  # noqa: E402

torch.set_num_threads(1)  # tiny models on a shared 2-core machine run several times faster on one thread
from ui.cache import warm_up  # noqa: E402

warm_up()  # once per server, in the background: every model and card example (ui/cache.py)
if loading is not None:
    loading.caption(":material/hourglass_top: Loading the models…")  # the page writes its own title below from here on
try:
    with in_turn():  # pages compute a few at a time, first come first served (ui/shell.py)
        navigation.run()
    present.sync_url()  # pages write their own parameters; `present` stays in the link while it is on
finally:
    if early_chart is not None:
        early_chart.empty()
    done_loading()  # if the page did not already (the home page, a page that stopped early)
