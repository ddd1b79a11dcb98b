"""Entry point: builds the navigation over the pages, in the lecture's order."""
import streamlit as st

from ui.shell import load_plotly_early, show_loading

st.set_page_config(page_title="Seq2Seq Attention Explorer", page_icon="🔎", layout="wide")
# The navigation goes out before torch is imported, so a cold server paints it (and the page's
# title, below) within a second instead of after the imports and the model loads.
navigation = st.navigation(position="top", pages=[
    st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="", default=True),
    st.Page("pages/rnn.py", title="Recurrent networks", icon=":material/replay:", url_path="rnn"),
    st.Page("pages/architectures.py", title="RNN architectures", icon=":material/account_tree:", url_path="architectures"),
    st.Page("pages/encoder-decoder.py", title="Encoder-decoder", icon=":material/compress:", url_path="encoder-decoder"),
    st.Page("pages/attention.py", title="Attention, step by step", icon=":material/center_focus_strong:", url_path="attention"),
    st.Page("pages/compare.py", title="Attention vs none", icon=":material/compare:", url_path="compare"),
])
early_chart = load_plotly_early()  # before torch: the browser fetches Plotly while the server imports
loading = show_loading(navigation.title)

import torch  # noqa: E402

torch.set_num_threads(1)  # tiny models on a shared 2-core machine run several times faster on one thread
if loading is not None:
    loading.caption(":material/hourglass_top: Loading the models…")  # the page writes its own title below from here on
try:
    navigation.run()
finally:
    for slot in (early_chart, loading):
        if slot is not None:
            slot.empty()
