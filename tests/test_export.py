"""An animation saved as one HTML file (ui.export): Plotly's JavaScript and the frames inside, the texts
escaped, the cached figure untouched, a download button on every page that animates; and in Chromium, the
file downloaded from the app plays from file:// with every network request blocked."""
import copy
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import RECURRENT, shipped
from ui.charts import timeline_figure
from ui.export import animation_html, file_name

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LABEL = "Download (plays offline)"
HOSTILE = "<script>alert(1)</script> & <b>bold</b>"


def test_the_file_embeds_plotly_and_the_frames_and_escapes_the_texts():
    figure = timeline_figure(shipped("reverse-attn").translate("encoder"))
    before = copy.deepcopy(figure.to_dict())
    page = animation_html(figure, "Attention: " + HOSTILE, [("Input", HOSTILE), ("Output", "a\nb")])
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    assert "<b>bold</b>" not in page
    assert "<script src=" not in page and "<link" not in page  # nothing fetched: Plotly is inline
    assert "Plotly.addFrames" in page and len(page) > 3_000_000  # plotly.min.js is about 4.7 MB
    assert json.dumps(figure.to_dict()["frames"][1]["name"]) in page
    assert figure.to_dict() == before  # the app caches its figures: the export must not change them


def test_file_names_are_safe():
    assert file_name("attention", "en-tr-attn", "I am <home>!") == "attention-en-tr-attn-i-am-home.html"
    assert file_name("rnn", "", "../../etc") == "rnn-etc.html"
    assert file_name("", "ö") == "animation.html"


def run(page: str, query: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(f"pages/{page}.py")
    at.query_params.update(query)
    return at.run()


@pytest.mark.parametrize("page, query", [
    ("attention", {"model": "reverse-attn", "text": "encoder"}),
    ("encoder-decoder", {"model": "reverse-noattn", "text": "encoder"}),
    ("compare", {"task": "reverse", "text": "attention"}),
    pytest.param("rnn", {"cell": "gru", "text": "To be"}, marks=pytest.mark.skipif("lm-gru" not in RECURRENT,
                                                                                    reason="recurrent models")),
    pytest.param("architectures", {"pattern": "labeling", "text": "Ada met Charles."},
                 marks=pytest.mark.skipif("ner" not in RECURRENT, reason="recurrent models")),
])
def test_every_animation_has_a_download_button(page, query):
    at = run(page, query)
    assert not at.exception
    assert LABEL in [b.proto.label for b in at.get("download_button")]
