"""The presenter view without a browser: the link's switch, the presented figures (larger text,
ticks thinned to their room, frames kept, the cached original untouched) and the pages in it."""
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from conftest import SHIPPED, run_page, shipped
from ui import present
from ui.animation import PLOT_PX, label_width
from ui.charts import timeline_figure


@pytest.mark.parametrize("raw,wanted,notice", [
    (None, None, False), ("1", True, False), ("true", True, False), (["0", "1"], True, False), ("0", False, False),
    ("off", False, False), ("<b>x", False, True), ("", False, True), ([], None, False)])
def test_the_link_switch(raw, wanted, notice):
    value, message = present.read_link({} if raw is None else {"present": raw})
    assert value is wanted and bool(message) is notice
    if message:
        assert "<b>" not in message


def test_a_presented_figure_has_large_text_and_ticks_that_fit():
    labels = [f"token{k}" for k in range(1, 41)]
    fig = go.Figure(go.Heatmap(z=np.zeros((3, 40)), x=np.arange(1, 41), text=[labels] * 3, texttemplate="%{text}"))
    fig.update_xaxes(tickvals=list(range(1, 41, 2)), ticktext=labels[::2], domain=[0, 0.5])
    fig.update_layout(height=300)
    out = present.presented(fig)
    assert out is not fig and fig.layout.xaxis.tickfont.size is None  # the original is untouched
    assert out.layout.xaxis.tickfont.size >= present.FONT_PX and out.layout.font.size == present.FONT_PX
    assert out.data[0].textfont.size == 12  # text inside cells keeps its size
    values = list(out.layout.xaxis.tickvals)
    gap_px = (values[1] - values[0]) * 0.5 * PLOT_PX / 40
    assert gap_px >= max(label_width(t, present.FONT_PX) for t in out.layout.xaxis.ticktext)
    assert set(out.layout.xaxis.ticktext) <= set(labels[::2])
    assert out.layout.height == pytest.approx(300 * present.GROWTH)
    assert present.presented(fig, main=True).layout.height >= present.MAIN_HEIGHT
    assert present.presented(fig) is out  # presented once per figure


@pytest.mark.skipif("dates-attn" not in SHIPPED, reason="dates-attn")
def test_a_presented_animation_keeps_every_frame_and_number():
    fig = timeline_figure(shipped("dates-attn").translate("3rd of May 1979"))
    plain, shown = fig.to_dict(), present.presented(fig, main=True).to_dict()
    assert len(shown["frames"]) == len(plain["frames"]) > 10
    assert json.dumps(shown["frames"]) == json.dumps(plain["frames"])
    for a, b in zip(plain["data"], shown["data"]):
        assert json.dumps(a.get("z")) == json.dumps(b.get("z"))


def open_page(page: str, query: dict) -> AppTest:
    return run_page(page, query)


@pytest.mark.skipif("dates-attn" not in SHIPPED, reason="dates-attn")
def test_pages_open_in_the_presenter_view_from_a_link():
    at = open_page("pages/attention.py", {"model": "dates-attn", "text": "3rd of May 1979", "present": "1"})
    assert not at.exception
    assert at.toggle(key="present").value is True
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["height"] >= present.MAIN_HEIGHT and spec["layout"]["font"]["size"] == present.FONT_PX
    assert len(spec["frames"]) > 10
    at = open_page("pages/attention.py", {"model": "dates-attn", "text": "3rd of May 1979", "present": "<script>"})
    assert not at.exception and at.toggle(key="present").value is False
    assert any("presenter view in the link" in i.value for i in at.info)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"].get("font", {}).get("size") != present.FONT_PX


@pytest.mark.parametrize("name,text,grows", [("dates-attn", "Samstag, 24. Dezember 2016", True),
                                             ("reverse-attn", "abcdefghijklmnopqrstuvwxyzabcdefghijklmn", False)])
def test_token_strips_grow_to_the_presenter_font_only_where_their_cells_allow(name, text, grows):
    if name not in SHIPPED:
        pytest.skip(name)
    from ui.charts import strip_text

    fig = timeline_figure(shipped(name).translate(text))
    shown = present.presented(fig, main=True)
    strip = next(t for t in shown.data if t.name == "output tokens")
    assert (strip.textfont.size == present.FONT_PX) is grows
    last = [f for f in fig._plain_frames if 1 in f["traces"]][-1]
    rows = last["data"][last["traces"].index(1)]["text"]  # every output label revealed
    labels = ["".join(column) for column in zip(*rows)]
    width = present._axis_length_px(shown, "xaxis" + strip.xaxis[1:])
    height = present._axis_length_px(shown, "yaxis" + strip.yaxis[1:])
    # at the strip's font, its labels lie on the lines they are drawn on without overlapping
    plan = strip_text(labels, width, strip.textfont.size, height)
    assert plan["rows"] == [list(row) for row in rows] and plan["size"] == strip.textfont.size
    assert next(t for t in fig.data if t.name == "output tokens").textfont.size != present.FONT_PX  # original kept


@pytest.mark.skipif("dates-attn" not in SHIPPED, reason="dates-attn")
def test_a_cached_figure_sends_and_presents_what_the_built_figure_does():
    """The figure caches keep a figure as its JSON (ui.animation.SentFigure): the browser receives the
    same text, and the presenter view, rebuilt from it, the same figure as from the built one."""
    import plotly.io as pio

    from ui.animation import SentFigure

    fig = timeline_figure(shipped("dates-attn").translate("3rd of May 1979"))
    sent = SentFigure.of(fig)
    assert pio.to_json(sent, validate=False) == pio.to_json(fig, validate=False)
    assert json.loads(pio.to_json(sent.full(), validate=False)) == json.loads(pio.to_json(fig, validate=False))
    shown = present.presented(sent, main=True)
    assert isinstance(shown, SentFigure) and present.presented(sent, main=True) is shown
    assert json.loads(pio.to_json(shown, validate=False)) == json.loads(pio.to_json(present.presented(fig, main=True),
                                                                                     validate=False))
