"""The floor for Enter on /attention: the least a Streamlit page can do for the same interaction.

A text box; on Enter it translates the typed input with the same model and draws the same attention
timeline (ui.charts.timeline_figure), with the same st.plotly_chart call (a key, the same config) as
/attention. Nothing else is on the page. Built beforehand: torch is imported, the model loaded and the
figure function imported before the first interaction; the trace and figure of a NEW input are
computed on Enter, as the app computes them on a cache miss (ui/cache.py: model.translate, then
timeline_figure).

    streamlit run bench/floor_page.py              # model dates-attn
    FLOOR_MODEL=en-tr-attn streamlit run bench/floor_page.py

bench/enter_speed.py runs it side by side with the app.
"""
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)  # as app.py

from core import load_model  # noqa: E402
from ui.charts import timeline_figure  # noqa: E402

MODEL = os.environ.get("FLOOR_MODEL", "dates-attn")


@st.cache_resource(show_spinner=False)
def model():
    return load_model(MODEL)


model()  # loaded before the first interaction
started = time.perf_counter()
text = st.text_input("Input (press Enter to run)", key="text")
if text.strip():
    figure = timeline_figure(model().translate(text))
    st.plotly_chart(figure, key="timeline", config={"displaylogo": False})
# Server time of this run, read by bench/enter_speed.py (hidden: no element on the page for it).
print(f"floor run {1000 * (time.perf_counter() - started):.1f} ms for {text!r}", file=sys.stderr, flush=True)
