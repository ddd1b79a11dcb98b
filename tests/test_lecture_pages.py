"""The lecture-path pages in Streamlit's AppTest (RNN, architectures, encoder-decoder, attention vs
none): no exception, widgets change what is drawn (with the models' own numbers), the URL
restores a view, bad input gets a message."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import RECURRENT, chart_specs, run_page, shipped
from figures import all_label_text, array, has_trace, named

PAGES = {"rnn": "pages/rnn.py", "arch": "pages/architectures.py", "encdec": "pages/encoder-decoder.py",
         "compare": "pages/compare.py"}
needs_lms = pytest.mark.skipif(not {"lm-rnn", "lm-gru", "lm-lstm"} <= set(RECURRENT), reason="language models")
needs_all = pytest.mark.skipif(not {"lm-lstm", "ner", "sentiment"} <= set(RECURRENT), reason="recurrent models")


def open_page(page: str, query: dict | None = None) -> AppTest:
    return run_page(PAGES[page], query)


def charts(at: AppTest) -> list[dict]:
    return chart_specs(at)


def messages(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.info, *at.warning, *at.error])


def no_markup(at: AppTest) -> None:
    for spec in charts(at):
        assert "<img" not in all_label_text(spec) and "<script" not in all_label_text(spec)
    for element in [*at.markdown, *at.warning, *at.info, *at.caption]:
        assert "<img" not in element.value or "\\<img" in element.value


# ---- RNN --------------------------------------------------------------------------------------
@needs_lms
def test_rnn_page_draws_the_models_states_and_updates():
    at = open_page("rnn", {"cell": "gru", "text": "To be, or not"})
    assert not at.exception
    trace = shipped("lm-gru").run("To be, or not")
    unrolled = next(s for s in charts(at) if s.get("frames"))
    states = named(unrolled, "hidden states")
    rows = array(states["customdata"])[:, 0] - 1  # the units, in the order the rows show them
    assert sorted(rows) == list(range(trace.states.shape[1]))
    assert np.array_equal(array(states["z"]), trace.states.T[rows])
    assert len(unrolled["frames"]) == len(trace.steps)
    at.slider(key="rnn.step").set_value(4).run()
    at.number_input(key="rnn.unit").set_value(7).run()
    assert not at.exception
    step = trace.steps[3]
    assert at.latex[-1].value.strip("$\n").endswith(f"= {float(step.state[6]):.4f}")
    gates = next(s for s in charts(at) if has_trace(s, "values of the update") and "every value" in
                 s["layout"]["title"]["text"])
    assert np.allclose(array(named(gates, "values of the update")["z"])[-1], step.state)
    assert at.query_params["step"] == "4" and at.query_params["unit"] == "7"


@needs_lms
def test_rnn_page_cell_switch_and_neuron_explorer():
    at = open_page("rnn", {"text": "Hello, world. Hello again."})
    at.radio(key="rnn.cell").set_value("lstm").run()
    assert not at.exception and at.query_params["cell"] == "lstm"
    trace = shipped("lm-lstm").run("Hello, world. Hello again.")
    assert len(at.latex) == 6  # i, f, o, g, c, h
    at.selectbox(key="rnn.chars").set_value("punctuation").run()
    table = next(d.value for d in at.dataframe if "difference" in d.value.columns)
    states = trace.states
    inside = np.array([t in ",." for t in trace.tokens])
    best = int(table["unit"].iloc[0]) - 1
    difference = states[inside, best].mean() - states[~inside, best].mean()
    assert difference == pytest.approx(float(table["difference"].iloc[0]), abs=1e-4)
    assert abs(difference) >= np.abs(states[inside].mean(0) - states[~inside].mean(0)).max() - 1e-4


@needs_lms
@pytest.mark.parametrize("query", [{"cell": "transformer", "step": "x", "unit": "-3", "chars": "<b>"},
                                   {"text": "a" * 5000, "step": "999999"}])
def test_rnn_page_garbage_url(query):
    at = open_page("rnn", query)
    assert not at.exception and messages(at)


@needs_lms
@pytest.mark.parametrize("text", ["", "x" * 10_000, "😀😀", "<img src=x onerror=alert(1)>", "\u202e\u0000"])
def test_rnn_page_bad_input(text):
    at = open_page("rnn")
    at.text_area(key="rnn.text").set_value(text).run()
    assert not at.exception
    if not text or len(text) > 300 or "😀" in text:
        assert messages(at)
    no_markup(at)


# ---- architectures --------------------------------------------------------------------------
@needs_all
def test_architectures_page_runs_each_pattern_on_its_model():
    example = shipped("ner").card.examples[0]
    at = open_page("arch", {"pattern": "labeling", "text": example})
    assert not at.exception
    trace = shipped("ner").run(example)
    heat = next(s for s in charts(at) if has_trace(s, "label probabilities"))
    assert np.array_equal(array(named(heat, "label probabilities")["z"]), np.stack([s.probs for s in trace.steps]).T)
    at.segmented_control(key="arch.pattern").set_value("classification").run()
    assert not at.exception
    text = at.text_input(key="arch.text").value
    assert text == shipped("sentiment").card.examples[0]
    sentiment = shipped("sentiment").run(text)
    lines = next(s for s in charts(at) if any(t.get("stackgroup") for t in s["data"]))
    for index, label in enumerate(sentiment.labels):
        assert np.allclose(array(named(lines, label)["y"]), [s.probs[index] for s in sentiment.steps])
    assert sentiment.prediction in "\n".join(m.value for m in [*at.markdown, *at.text])
    at.text_input(key="arch.text").set_value("My own words about Paris").run()
    at.segmented_control(key="arch.pattern").set_value("labeling").run()
    assert at.text_input(key="arch.text").value == "My own words about Paris"  # typed text is kept


@needs_all
def test_architectures_page_generation_follows_seed_and_temperature():
    at = open_page("arch", {"pattern": "lm", "text": "ROMEO:", "seed": "3", "temperature": "0.5", "length": "60"})
    assert not at.exception
    expected = shipped("lm-lstm").generate("ROMEO:", length=60, temperature=0.5, seed=3)
    assert at.code[0].value == "ROMEO:" + expected.generated_text
    at.number_input(key="arch.seed").set_value(4).run()
    assert at.code[0].value != "ROMEO:" + expected.generated_text
    assert at.query_params["seed"] == "4"


@needs_all
@pytest.mark.parametrize("query", [{"pattern": "nope", "temperature": "hot", "seed": "-1", "length": "1e9"},
                                   {"pattern": "lm", "lm": "lm-huge", "length": "0"}])
def test_architectures_page_garbage_url(query):
    at = open_page("arch", query)
    assert not at.exception and messages(at)


@needs_all
@pytest.mark.parametrize("pattern", ["labeling", "classification", "lm"])
@pytest.mark.parametrize("text", ["", "x" * 10_000, "😀😀", "<img src=x onerror=alert(1)>"])
def test_architectures_page_bad_input(pattern, text):
    at = open_page("arch", {"pattern": pattern})
    at.text_input(key="arch.text").set_value(text).run()
    assert not at.exception
    if not text or len(text) > 300:
        assert messages(at)
    no_markup(at)


# ---- encoder-decoder ------------------------------------------------------------------------
def test_encoder_decoder_page_draws_the_plain_model():
    at = open_page("encdec", {"model": "reverse-noattn", "text": "encoder"})
    assert not at.exception
    trace = shipped("reverse-noattn").translate("encoder")
    figure = next(s for s in charts(at) if s.get("frames"))
    encoder = named(figure, "encoder states")
    rows = array(encoder["customdata"])[:, 0] - 1  # the units, in the order the rows show them
    assert np.array_equal(array(encoder["z"]), trace.encoder_states.T[rows])
    assert np.array_equal(array(named(figure, "context c")["z"])[:, 0], trace.encoder_states[-1][rows])  # c = h^e_n
    assert len(figure["frames"]) == len(trace.src_tokens) + 1 + len(trace.steps)


def test_encoder_decoder_page_grows_the_input():
    at = open_page("encdec", {"letters": "abcdefghijklmnopqrstuvwxyzabcd"})
    assert not at.exception
    prefixes = next(s for s in charts(at) if has_trace(s, "reverse-noattn"))
    from core.evaluate import predict

    sources = ["abcdefghijklmnopqrstuvwxyzabcd"[:k] for k in range(1, 31)]
    outputs = predict(shipped("reverse-noattn"), sources)
    expected = [100 * sum(a == b for a, b in zip(o, s[::-1])) / len(s) for o, s in zip(outputs, sources)]
    assert np.allclose(array(named(prefixes, "reverse-noattn")["y"]), expected)
    at.text_input(key="encdec.letters").set_value("abc").run()
    assert not at.exception


@needs_lms
def test_encoder_decoder_page_gradients_are_the_models():
    at = open_page("encdec", {"long": "To be, or not to be"})
    assert not at.exception
    figure = next(s for s in charts(at) if s["layout"].get("yaxis", {}).get("type") == "log")
    for trace in figure["data"]:
        expected = shipped(trace["name"]).gradient_norms("To be, or not to be")
        assert np.allclose(array(trace["y"]), expected, rtol=1e-6)


@pytest.mark.parametrize("query", [{"model": "dates-attn", "letters": "💥" * 50, "long": ""},
                                   {"model": "<b>x</b>", "text": "", "letters": "   "}])
def test_encoder_decoder_page_garbage(query):
    at = open_page("encdec", query)
    assert not at.exception and messages(at)
    no_markup(at)


# ---- attention vs none ----------------------------------------------------------------------
def test_compare_page_runs_both_models_of_a_task():
    at = open_page("compare", {"task": "reverse", "text": "attention"})
    assert not at.exception
    shown = "\n".join(m.value for m in [*at.markdown, *at.text])
    for name in ("reverse-attn", "reverse-noattn"):
        assert shipped(name).translate("attention").output in shown
    align = next(s for s in charts(at) if has_trace(s, "with attention: output"))
    assert np.array_equal(array(named(align, "alignment matrix")["z"]),
                          shipped("reverse-attn").translate("attention").attention)
    lengths = charts(at)[-1]
    noattn = next(t for t in lengths["data"] if "reverse-noattn" in t["hovertemplate"])
    card = shipped("reverse-noattn").card
    assert np.allclose(array(noattn["y"]), [100 * r["exact_match"] for r in card.metrics_by_length])
    at.selectbox(key="compare.task").set_value("dates").run()
    assert not at.exception and at.query_params["task"] == "dates"


@pytest.mark.parametrize("text", ["", "x" * 10_000, "<img src=x onerror=alert(1)>", "🙂"])
def test_compare_page_bad_input(text):
    at = open_page("compare", {"task": "nope"})
    at.text_input(key="compare.text").set_value(text).run()
    assert not at.exception and messages(at)
    no_markup(at)


@needs_all
def test_generation_figure_starts_near_the_end_of_the_prompt_and_keeps_step_numbers():
    prompt = "To be, or not to be, that is the question: whether 'tis nobler in the mind"
    at = open_page("arch", {"pattern": "lm", "text": prompt, "length": "50", "seed": "2"})
    assert not at.exception
    trace = shipped("lm-lstm").generate(prompt, length=50, temperature=0.8, seed=2)
    figure = [s for s in charts(at) if s.get("frames")][-1]
    first = len(prompt) - 20
    states = named(figure, "hidden states")
    rows = array(states["customdata"])[:, 0] - 1
    assert np.array_equal(array(states["z"]), trace.states[first:].T[rows])
    assert array(states["x"])[0] == first + 1
    assert [f["name"] for f in figure["frames"]] == [f"t{t}" for t in range(first + 1, len(trace.steps) + 1)]
