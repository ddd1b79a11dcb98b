"""Following units as lines on the encoder-decoder pages: the lines are the trace's own rows."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import chart_specs, run_page, shipped
from figures import array
from ui.unit_lines import busiest_units, seq2seq_vectors, unit_lines_figure


def open_page(page: str, query: dict) -> AppTest:
    return run_page(page, query)


def line_figures(at: AppTest) -> list[dict]:
    specs = chart_specs(at)
    return [s for s in specs if s["data"] and all(t.get("name", "").startswith("unit ") for t in s["data"])]


def test_busiest_units_are_the_units_that_move_most():
    states = np.zeros((5, 4), np.float32)
    states[:, 2] = [0, 1, 0, 1, 0]  # moves 4 times
    states[:, 0] = [0.5, 0.5, 0.5, 0.5, 0.5]  # one jump from 0
    states[:, 3] = [0, 0, 0, 0, 3]  # one big jump
    assert busiest_units(states, 3) == [2, 3, 0]


def test_a_line_is_one_row_of_the_heatmap():
    states = np.random.default_rng(0).normal(size=(6, 10)).astype(np.float32)
    fig = unit_lines_figure(states, list("abcdef"), [7, 2], "h<sub>t</sub>", "t").to_dict()
    assert [t["name"] for t in fig["data"]] == ["unit 8", "unit 3"]
    assert np.array_equal(array(fig["data"][0]["y"]), states[:, 7])
    assert list(array(fig["data"][1]["x"])) == [1, 2, 3, 4, 5, 6]  # 1-based positions


def test_attention_models_offer_context_vectors_and_plain_models_do_not():
    attn = shipped("dates-attn").translate("3rd of May 1979")
    plain = shipped("dates-noattn").translate("3rd of May 1979")
    assert list(seq2seq_vectors(attn)) == ["encoder states h^e_j", "decoder states h^d_i", "context vectors c_i"]
    assert list(seq2seq_vectors(plain)) == ["encoder states h^e_j", "decoder states h^d_i"]
    states, labels, *_ = seq2seq_vectors(attn)["context vectors c_i"]
    assert np.array_equal(states, np.stack([s.context for s in attn.steps])) and labels == attn.out_tokens


@pytest.mark.parametrize("page,query,model,text", [
    ("pages/encoder-decoder.py", {"model": "reverse-noattn", "text": "encoder"}, "reverse-noattn", "encoder"),
    ("pages/attention.py", {"model": "dates-attn", "text": "3rd of May 1979"}, "dates-attn", "3rd of May 1979"),
])
def test_pages_follow_the_busiest_encoder_units_then_any_vector(page, query, model, text):
    at = open_page(page, query)
    assert not at.exception
    assert not line_figures(at)  # nothing is built until the switch is on
    switch = next(t for t in at.toggle if t.key.endswith("lines-on"))
    switch.set_value(True).run()
    trace = shipped(model).translate(text)
    [figure] = line_figures(at)
    expected = busiest_units(trace.encoder_states)
    assert [t["name"] for t in figure["data"]] == [f"unit {u + 1}" for u in expected]
    assert np.array_equal(array(figure["data"][0]["y"]), trace.encoder_states[:, expected[0]].astype(np.float32))

    radio = next(r for r in at.radio if r.key.endswith("lines-vectors"))
    radio.set_value("decoder states h^d_i").run()
    assert not at.exception
    [figure] = line_figures(at)
    decoder = np.stack([s.state for s in trace.steps])
    expected = busiest_units(decoder)
    assert [t["name"] for t in figure["data"]] == [f"unit {u + 1}" for u in expected]
    assert np.array_equal(array(figure["data"][-1]["y"]), decoder[:, expected[-1]].astype(np.float32))
