"""Every sentence on a page is true (Streamlit's AppTest): the first decoder step says why it looks
at the last source token, with its number; sentences built from the model cards say what the cards
hold; words a first-year student may not know are explained where they appear."""

import numpy as np
from streamlit.testing.v1 import AppTest

from conftest import chart_specs, run_page, shipped
from core import list_models
from figures import array, named
from ui.encdec_charts import length_findings
from ui.labels import GLOSSARY
from ui.unit_lines import busiest_units



def open_page(page: str, query: dict | None = None) -> AppTest:
    return run_page(page, query)


def charts(at: AppTest) -> list[dict]:
    return chart_specs(at)


def shown_text(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.markdown, *at.caption, *at.info, *at.warning])


def test_attention_opens_the_step_in_depth_on_the_first_step_with_a_decoder_query():
    at = open_page("pages/attention.py", {"model": "dates-attn", "text": "3rd of May 1979"})
    assert not at.exception
    assert at.slider(key="attention.step").value == 2  # the query is h^d_1, a decoder state
    timeline = next(s for s in charts(at) if s.get("frames"))
    assert timeline["layout"]["sliders"][0]["active"] == 0  # and the animation on its first frame


def test_step_one_says_why_it_looks_at_the_last_token_and_a_link_keeps_it():
    at = open_page("pages/attention.py", {"model": "dates-attn", "text": "3rd of May 1979", "step": "1"})
    assert not at.exception
    assert at.slider(key="attention.step").value == 1
    assert at.query_params["step"] == "1"  # step 1 stays in the link (the page's own default is 2)
    trace = shipped("dates-attn").translate("3rd of May 1979")
    length = float(np.sum(trace.encoder_states[-1].astype(np.float64) ** 2))
    notes = [i.value for i in at.info if "h^d_0" in i.value]
    assert len(notes) == 1 and f"= {length:.2f}" in notes[0]
    scores = trace.steps[0].scores.astype(np.float64)
    assert np.argmax(scores) == len(scores) - 1  # and step 1 does look at the last token, as it says
    at.slider(key="attention.step").set_value(3).run()
    assert not [i.value for i in at.info if "h^d_0" in i.value]  # only where step 1 is shown


def test_attention_controls_explain_their_words():
    at = open_page("pages/attention.py", {"model": "dates-attn", "text": "3rd of May 1979"})
    helps = {w.label: w.help or "" for w in [*at.slider, *at.number_input, *at.multiselect, *at.text_input]}
    assert GLOSSARY["temperature"] in helps["Softmax temperature T"]
    assert GLOSSARY["beam"] in helps["Beam width"]
    assert GLOSSARY["counterfactual"] in helps["Hide source tokens from attention (counterfactual)"]
    assert GLOSSARY["unk"] in helps["Input (press Enter to run)"]


def test_limitation_three_says_attention_keeps_the_chain():
    at = open_page("pages/encoder-decoder.py", {"model": "reverse-noattn", "text": "encoder"})
    assert not at.exception
    text = shown_text(at)
    assert "all at once" not in text.split("Limitation 3")[-1].split("self-attention computes")[0]
    assert "Attention does not shorten that chain" in text and "Transformer" in text
    timing = next(s for s in charts(at) if any(t.get("name") == "dependent steps" for t in s["data"]))
    steps = named(timing, "dependent steps")
    n, m = 7, len(shipped("reverse-noattn").translate("encoder").steps)
    assert steps["x"][:2] == [n + m, n + m] and steps["x"][2:] == [1, 1]


def test_compare_page_sentences_come_from_the_cards():
    at = open_page("pages/compare.py", {"task": "reverse", "text": "thequickbrownfoxjumpsover"})
    assert not at.exception
    text = shown_text(at)
    assert "with attention it holds" not in text
    findings = length_findings([c for c in list_models() if c.kind == "seq2seq"])
    assert findings and all(f"- {finding}" in text for finding in findings.values())
    plain = next(c for c in list_models() if c.name == "reverse-noattn").metrics_by_length[0]["exact_match"]
    assert f"falls from {100 * plain:.1f}%" in text and "tokens are wrong against the known answer" in text


def test_rnn_page_follows_a_few_units_as_lines_and_explains_its_measure():
    at = open_page("pages/rnn.py", {"cell": "gru", "text": "To be, or not to be"})
    assert not at.exception
    trace = shipped("lm-gru").run("To be, or not to be")
    assert at.multiselect(key="rnn.lines").value == busiest_units(trace.states)
    lines = next(s for s in charts(at) if any(t.get("name", "").startswith("unit ") for t in s["data"]))
    assert [t["name"] for t in lines["data"]] == [f"unit {u + 1}" for u in busiest_units(trace.states)]
    first = busiest_units(trace.states)[0]
    assert np.array_equal(array(named(lines, f"unit {first + 1}")["y"]), trace.states[:, first].astype(np.float32))
    assert GLOSSARY["bits per character"] in shown_text(at)


def test_architectures_use_the_slide_names_and_a_real_plain_model():
    at = open_page("pages/architectures.py", {"pattern": "labeling"})
    text = shown_text(at)
    assert "one-to-one" in text and "many-to-many" in text  # the slide's name, and the common one said to be the same
    at = open_page("pages/architectures.py", {"pattern": "encoder-decoder"})
    assert not at.exception
    trace = shipped("reverse-noattn").translate("encoder")
    diagram = next(s for s in charts(at) if s.get("frames"))
    inputs, states, outputs = (named(diagram, name)["text"] for name in ("inputs", "states", "outputs"))
    assert inputs[:7] == list("encoder") and "c" in states
    assert outputs == [t.replace("<", "&lt;").replace(">", "&gt;") for t in trace.out_tokens]
    assert "attention" not in " ".join(inputs)
    at = open_page("pages/architectures.py", {"pattern": "classification"})
    assert GLOSSARY["macro F1"] in shown_text(at)
