"""The attention page in Streamlit's AppTest: widgets change what is drawn, the URL restores a view,
bad input gets a message and never an exception, and the numbers on screen are the model's."""
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import chart_specs, run_page, shipped
from figures import all_label_text, array, has_trace, named
from ui.labels import plot_text, token_label

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(query: dict | None = None) -> AppTest:
    return run_page("pages/attention.py", query, timeout=90)


def charts(at: AppTest) -> list[dict]:
    return chart_specs(at)


def timeline(at: AppTest) -> dict:
    return next(spec for spec in charts(at) if spec.get("frames"))


def source_strip(at: AppTest) -> list[str]:
    return named(timeline(at), "source tokens")["text"][0]


def labels(tokens) -> list[str]:
    return [plot_text(token_label(t)) for t in tokens]


def text_box(at: AppTest):
    return at.text_input(key="attention.text")


def messages(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.info, *at.warning, *at.error])


def test_page_opens_on_a_worked_example():
    at = open_page()
    assert not at.exception
    model = shipped("en-tr-attn")  # the default model, on its first example
    assert text_box(at).value == model.card.examples[0]
    trace = model.translate(text_box(at).value)
    assert "**Output:**" in [m.value for m in at.markdown] and trace.output in [t.value for t in at.text]
    assert source_strip(at) == labels(trace.src_tokens)
    spec = timeline(at)
    assert np.array_equal(array(named(spec, "alignment matrix")["z"]), trace.attention)
    assert len(at.get("download_button")) >= 1  # the animation


def test_every_step_is_built_only_while_its_switch_is_on():
    at = open_page({"model": "dates-attn", "text": "3rd of May 1979", "step": "3"})
    trace = shipped("dates-attn").translate("3rd of May 1979")
    keys = {d.key for d in at.get("download_button")}
    assert "attention.all.csv-attention" not in keys and len(charts(at)) == 2  # the timeline, one step pane
    at.toggle(key="attention.all.open").set_value(True).run()
    assert not at.exception
    assert {"attention.all.csv-attention", "attention.all.csv-encoder"} <= {d.key for d in at.get("download_button")}
    alignment = next(s for s in charts(at) if not s.get("frames") and has_trace(s, "alignment matrix"))
    assert np.array_equal(array(named(alignment, "alignment matrix")["z"]), trace.attention)
    outputs = next(d.value for d in at.dataframe if "output y_i" in d.value.columns)
    assert list(outputs["output y_i"]) == [token_label(s.token) for s in trace.steps]
    at.slider(key="attention.step").set_value(1).run()  # it stays open while the step moves
    assert not at.exception and at.toggle(key="attention.all.open").value
    at.toggle(key="attention.all.open").set_value(False).run()
    assert len(charts(at)) == 2


def test_the_step_in_depth_builds_only_the_pane_on_screen():
    at = open_page({"model": "dates-attn", "text": "3rd of May 1979"})
    trace = shipped("dates-attn").translate("3rd of May 1979")
    step = trace.steps[1]  # the page opens on step 2
    assert any(has_trace(s, "query and encoder states") for s in charts(at))  # step 1's pane first
    assert not any(d.key and d.key.endswith("csv-step") for d in at.get("download_button"))
    at.segmented_control(key="attention.detail.pane").set_value("Tables").run()
    assert not at.exception
    assert not any(has_trace(s, "query and encoder states") for s in charts(at))
    table = next(d.value for d in at.dataframe if "score / T" in d.value.columns)
    np.testing.assert_array_equal(table["score / T"].to_numpy(), step.scaled.astype(np.float64))
    assert {"attention.detail.csv-step", "attention.detail.csv-vectors"} <= {d.key for d in at.get("download_button")}
    at.segmented_control(key="attention.detail.pane").set_value("Step 2 · weights").run()
    weights = next(s for s in charts(at) if has_trace(s, "weights") and not s.get("frames"))  # not the timeline
    np.testing.assert_array_equal(array(named(weights, "weights")["y"]), step.weights)


def test_typing_a_sentence_redraws_with_its_tokens():
    at = open_page({"model": "dates-attn"})
    text_box(at).set_value("12/25/2015").run()
    assert not at.exception
    assert source_strip(at) == labels("12/25/2015")
    assert at.query_params["text"] == "12/25/2015"


def test_choosing_a_model_switches_to_its_example_and_its_vocabulary():
    at = open_page()
    at.selectbox(key="attention.model").set_value("numbers-attn").run()
    assert not at.exception
    model = shipped("numbers-attn")
    assert text_box(at).value == model.card.examples[0]
    assert source_strip(at) == labels(model.translate(model.card.examples[0]).src_tokens)


def test_moving_the_step_changes_the_step_figures_and_equations():
    at = open_page({"model": "dates-attn", "text": "3rd of May 1979"})
    trace = shipped("dates-attn").translate("3rd of May 1979")
    for number in (1, 4, len(trace.steps)):
        at.slider(key="attention.step").set_value(number).run()
        assert not at.exception
        step = trace.steps[number - 1]
        specs = charts(at)
        scores_figure = next(s for s in specs if has_trace(s, "query and encoder states"))
        assert np.array_equal(array(named(scores_figure, "scores")["x"]), step.scores)
        focus = int(np.argmax(step.weights))
        assert at.latex[0].value.strip("$\n").endswith(f"= {float(step.scores[focus]):.4f}\\end{{aligned}}")
        assert at.query_params.get("step", "1") == str(number)


def test_temperature_changes_the_weights_drawn():
    at = open_page({"model": "dates-attn", "text": "3rd of May 1979"})
    at.slider(key="attention.temperature").set_value(3.0).run()
    assert not at.exception
    trace = shipped("dates-attn").translate("3rd of May 1979", temperature=3.0)
    assert np.array_equal(array(named(timeline(at), "alignment matrix")["z"]), trace.attention)
    flat = shipped("dates-attn").translate("3rd of May 1979")
    assert not np.array_equal(trace.attention, flat.attention)
    assert at.query_params["temperature"] == "3"


def test_hiding_a_token_re_decodes_and_shows_both_outputs():
    at = open_page({"model": "numbers-attn", "text": "siebenundneunzig"})
    model = shipped("numbers-attn")
    trace = model.translate("siebenundneunzig", mask=[0, 1, 2, 3, 4])
    at.multiselect(key="attention.mask").set_value([0, 1, 2, 3, 4]).run()
    assert not at.exception
    shown = [m.value for m in at.markdown]
    assert "**Output with every token visible:**" in shown and "**Output with 5 hidden:**" in shown
    assert [t.value for t in at.text] == [trace.baseline_output, trace.output]  # shown as text, never Markdown
    assert np.array_equal(array(named(timeline(at), "alignment matrix")["z"]), trace.attention)
    assert np.all(trace.attention[:, :5] == 0)
    assert at.query_params["hide"] == "1,2,3,4,5"


def test_beam_search_lists_its_hypotheses():
    at = open_page({"model": "en-tr-attn", "text": "Where are you going?", "beam": "3"})
    assert not at.exception
    trace = shipped("en-tr-attn").translate("Where are you going?", beam=3)
    beam_table = at.dataframe[-1].value
    assert list(beam_table["log-probability"]) == pytest.approx([h.logprob for h in trace.beam])


def test_url_restores_the_whole_view():
    query = {"model": "reverse-attn", "text": "encoder", "step": "3", "temperature": "0.5", "hide": "2", "beam": "2"}
    at = open_page(query)
    assert not at.exception and not at.info
    assert at.selectbox(key="attention.model").value == "reverse-attn"
    assert text_box(at).value == "encoder"
    assert at.slider(key="attention.step").value == 3
    assert at.slider(key="attention.temperature").value == 0.5
    assert at.multiselect(key="attention.mask").value == [1]
    assert at.number_input(key="attention.beam").value == 2
    trace = shipped("reverse-attn").translate("encoder", temperature=0.5, mask=[1], beam=2)
    assert np.array_equal(array(named(timeline(at), "alignment matrix")["z"]), trace.attention)


@pytest.mark.parametrize("step,shown", [(None, 2), ("1", 1), ("3", 3), ("abc", 1)])
def test_the_page_opens_on_step_2_unless_the_link_names_a_step(step, shown):
    """At i = 1 the query is h^e_n; the step in depth opens on the first step whose query is a decoder state.
    The link it writes always names the step, so step 1 stays step 1 when the link is opened again."""
    at = open_page({"model": "reverse-attn", "text": "encoder"} | ({"step": step} if step else {}))
    assert not at.exception
    assert at.slider(key="attention.step").value == shown
    assert at.query_params["step"] == str(shown)
    assert ("not a step number" in messages(at)) == (step == "abc")


@pytest.mark.parametrize("query", [
    {"model": "nope", "step": "abc", "temperature": "-5", "hide": "x", "beam": "99"},
    {"model": "<script>alert(1)</script>", "text": "3rd of May 1979", "step": "999"},
    {"text": "ab", "hide": "1,2"},
    {"temperature": "1e309", "step": "-1"},
])
def test_garbage_url_parameters_give_a_notice_and_a_working_page(query):
    at = open_page(query)
    assert not at.exception
    assert messages(at)
    assert timeline(at) if "hide" not in query else True


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_000, "🙂🙂🙂", "<img src=x onerror=alert(1)>",
                                  "\u202e\u0000\ufeff", "İSTANBUL 29 Ekim 1923"])
def test_bad_inputs_get_a_message_and_no_exception(text):
    for model in ("dates-attn", "en-tr-attn"):
        at = open_page({"model": model})
        text_box(at).set_value(text).run()
        assert not at.exception, (model, text)
        if text.strip() == "" or text.startswith("🙂") or len(text) > 1000:
            assert messages(at), (model, text)
        for spec in charts(at):
            assert "<img" not in all_label_text(spec)
        for element in [*at.markdown, *at.warning, *at.info]:
            assert "<img" not in element.value or "\\<img" in element.value


def test_moving_the_step_reruns_only_the_step_section(monkeypatch):
    """The step section is an st.fragment: a step move (as the browser sends it) reruns it alone, with no
    model, trace or timeline fetched and nothing above it redrawn, and still writes the step into the URL."""
    sys.path.insert(0, str(Path(APP).parent / "bench"))
    from step_move import fragment_ids, fragment_run
    from ui import cache

    at = open_page({"model": "reverse-attn", "text": "encoder"})
    trace = shipped("reverse-attn").translate("encoder")
    [section] = fragment_ids(at)
    calls = []
    for name in ("get_trace", "get_timeline", "get_cards"):
        original = getattr(cache, name)
        monkeypatch.setattr(cache, name, lambda *a, _name=name, _original=original, **k: (calls.append(_name),
                                                                                           _original(*a, **k))[1])
    for number in (4, 1, len(trace.steps)):
        at.slider(key="attention.step").set_value(number)
        at = fragment_run(at, section)
        assert not at.exception and calls == []
        scores_figure = next(s for s in charts(at) if has_trace(s, "query and encoder states"))
        assert np.array_equal(array(named(scores_figure, "scores")["x"]), trace.steps[number - 1].scores)
        assert at.query_params.get("step", "1") == str(number)
        # AppTest shows what this run drew: the step section, and nothing above it (the browser keeps that).
        assert not at.title and not any(spec.get("frames") for spec in charts(at))


def test_the_model_notes_say_how_the_attention_was_trained_from_the_card():
    """The guided alignment sentence comes from the card's training record, and only from it."""
    from streamlit.testing.v1 import AppTest

    def notes(guided):
        import dataclasses

        from core import list_models
        from ui.widgets import model_notes

        card = next(c for c in list_models() if c.name == "en-tr-noattn")
        training = {k: v for k, v in card.training.items() if k != "guided_alignment"}
        if guided:
            training["guided_alignment"] = guided
        model_notes(dataclasses.replace(card, training=training))

    without = AppTest.from_function(notes, args=(None,)).run()
    assert not without.exception and "guided alignment" not in without.caption[0].value
    assert "Tatoeba" in without.caption[0].value
    weighted = AppTest.from_function(notes, args=(0.3,)).run()
    assert "guided alignment, weight 0.3" in weighted.caption[0].value
