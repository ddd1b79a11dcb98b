"""The app's figures, tables and equations show exactly what the model computed."""
import math
import re

import numpy as np
import pytest

from conftest import shipped
from figures import all_label_text, array, figure_dict, frame_trace, named
from ui import animation, charts, equations, tables
from ui.labels import markdown_text, plot_text
from ui.state import BEAM_MAX, MAX_TEXT_CHARS, TEMPERATURE_MAX, TEMPERATURE_MIN, TEMPERATURE_STEP, Param, \
    params_for, parse_params

ATTENTION_MODELS = ["dates-attn", "numbers-attn", "reverse-attn", "en-tr-attn"]
HOSTILE = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** &amp;"


def traces():
    """One trace per attention model, with and without temperature and a mask."""
    for name in ATTENTION_MODELS:
        model = shipped(name)
        text = model.card.examples[0]
        yield name, model.translate(text)
        yield name + " T=0.3 masked", model.translate(text, temperature=0.3, mask=[0])


@pytest.fixture(params=list(traces()), ids=lambda p: p[0])
def trace(request):
    return request.param[1]


def test_timeline_draws_the_trace_values_unchanged(trace):
    spec = figure_dict(charts.timeline_figure(trace))
    n, m = len(trace.src_tokens), len(trace.steps)
    order = animation.unit_order(trace.encoder_states)  # rows are units in this order; hover names each unit
    assert sorted(order) == list(range(trace.encoder_states.shape[1]))
    encoder, decoder_states = named(spec, "encoder states"), named(spec, "decoder states")
    assert np.array_equal(array(encoder["customdata"])[:, 0], order + 1)
    assert np.array_equal(array(encoder["z"]), trace.encoder_states.T[order])
    decoder = np.stack([trace.steps[0].query] + [s.state for s in trace.steps]).T
    assert np.array_equal(array(decoder_states["z"]), decoder[order])
    assert np.array_equal(array(decoder_states["z"])[:, 0], trace.encoder_states[-1][order])  # h^d_0 = h^e_n
    contexts = np.stack([s.context for s in trace.steps]).T
    assert np.array_equal(array(named(spec, "context vectors")["z"]), contexts[order])
    assert np.array_equal(array(named(spec, "alignment matrix")["z"]), trace.attention)

    frames = {frame["name"]: frame for frame in spec["frames"]}
    assert len(spec["frames"]) == n + 4 * m
    for k, step in enumerate(trace.steps):
        scores_frame, weights_frame = frames[f"y{k + 1} · 1"], frames[f"y{k + 1} · 2"]
        assert np.array_equal(array(frame_trace(spec, scores_frame, "scores")["y"]), step.scores)
        assert not array(frame_trace(spec, weights_frame, "weights")["y"]).size == 0
        assert np.array_equal(array(frame_trace(spec, weights_frame, "weights")["y"]), step.weights)
        out = frame_trace(spec, frames[f"y{k + 1} · out"], "top choices")
        assert np.allclose(array(out["x"])[: len(step.topk)], [p for _, p in step.topk], rtol=0, atol=0)
    # the encoder frames reveal h^e_1..h^e_j: the grey cover starts right after column j (a
    # bidirectional encoder completes them from the middle out: test_figures_truthful)
    for j in range(n - 1 if not charts.bidirectional(trace) else 0):
        encoder_cover = frames[f"x{j + 1}"]["layout"]["shapes"][0]
        assert encoder_cover["fillcolor"] == animation.COVER and encoder_cover["visible"]
        assert encoder_cover["x0"] == pytest.approx(j + 1.5)
    # Plotly merges shapes index by index: every frame must carry the same shapes, or stale ones stay
    assert len({len(frame["layout"]["shapes"]) for frame in spec["frames"]}) == 1
    assert len(spec["layout"]["shapes"]) == len(spec["frames"][0]["layout"]["shapes"])


def test_timeline_never_shows_a_future_token_in_its_labels():
    model = shipped("dates-attn")
    trace = model.translate("Samstag, 24. Dezember 2016")
    spec = figure_dict(charts.timeline_figure(trace))
    first_out = [f for f in spec["frames"] if f["name"] == "y1 · 1"][0]
    strip = frame_trace(spec, first_out, "output tokens")
    assert strip["text"] == [[""] * len(trace.steps)]
    axis_labels = " ".join(" ".join(axis.get("ticktext", [])) for key, axis in spec["layout"].items()
                           if key.startswith("yaxis") or key.startswith("xaxis"))
    assert "</s>" not in axis_labels and "&lt;/s&gt;" not in axis_labels


def test_timeline_payload_for_a_40_character_input_is_under_1_mb():
    for name, text in [("reverse-attn", "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"),
                       ("dates-attn", "Thursday, the 3rd of May 1979 at noon ok")]:
        trace = shipped(name).translate(text)
        assert len(trace.src_tokens) == 40
        size = len(charts.timeline_figure(trace).to_json().encode())
        assert size < 1_000_000, (name, size)


def test_step_figures_draw_the_step_values(trace):
    for step, s in enumerate(trace.steps):
        scores = figure_dict(charts.scores_figure(trace, step))
        assert np.array_equal(array(named(scores, "query and encoder states")["z"])[0], s.query)
        assert np.array_equal(array(named(scores, "query and encoder states")["z"])[1:], trace.encoder_states)
        assert np.array_equal(array(named(scores, "scores")["x"]), s.scores)
        weights = figure_dict(charts.weights_figure(trace, step))
        assert np.array_equal(array(named(weights, "weights")["y"]), s.weights)
        context = figure_dict(charts.context_figure(trace, step))
        weighted = array(named(context, "weighted encoder states")["z"])
        assert np.array_equal(weighted, (s.weights[:, None] * trace.encoder_states).astype(np.float32))
        assert np.array_equal(array(named(context, "context vector")["z"])[0], s.context)
        # the rows drawn really add up to the context vector drawn below them
        assert np.allclose(weighted.astype(np.float64).sum(axis=0), s.context, atol=1e-5)


def test_equations_show_the_models_own_numbers(trace):
    enc = trace.encoder_states.astype(np.float64)
    for step, s in enumerate(trace.steps):
        eq = equations.step_equations(trace, step)
        j = eq.focus
        assert s.weights[j] == s.weights.max()
        # step 1: the first written terms are query_k * h^e_{j,k}, and the total is the model's score
        pairs = re.findall(r"(\(?-?\d+\.\d{4}\)?)\\cdot(\(?-?\d+\.\d{4}\)?)", eq.score)
        for k, (a, b) in enumerate(pairs):
            assert float(a.strip("()")) == pytest.approx(s.query[k], abs=6e-5)
            assert float(b.strip("()")) == pytest.approx(enc[j, k], abs=6e-5)
        total = float(eq.score.rsplit("=", 1)[1].replace(r"\end{aligned}", ""))
        assert total == pytest.approx(float(s.query.astype(np.float64) @ enc[j]), abs=1e-3)
        assert total == pytest.approx(float(s.scores[j]), abs=6e-5)
        # step 2: the fraction's value is the weight
        weight = float(eq.softmax.rsplit("=", 1)[1].replace(r"\end{aligned}", ""))
        assert weight == pytest.approx(float(s.weights[j]), abs=6e-5)
        # step 3: one component of c_i written as its weighted sum
        value = float(eq.context_unit.rsplit("=", 1)[1].replace(r"\end{aligned}", ""))
        assert value == pytest.approx(float(s.context[eq.unit]), abs=6e-5)
        assert value == pytest.approx(float(s.weights.astype(np.float64) @ enc[:, eq.unit]), abs=1e-4)


def test_softmax_equation_survives_extreme_temperatures():
    model = shipped("dates-attn")
    for temperature in (0.01, 0.05, 100.0):
        trace = model.translate("3rd of May 1979", temperature=temperature)
        eq = equations.step_equations(trace, 0)
        assert "inf" not in eq.softmax and "nan" not in eq.softmax
        charts.weights_figure(trace, 0)


def test_exp_parts_matches_exp_and_goes_beyond_float_range():
    for x in (-50.0, -1.0, 0.0, 0.5, 12.3, 300.0):
        mantissa, exponent = equations.exp_parts(x)
        assert mantissa * 10.0 ** exponent == pytest.approx(math.exp(x), rel=1e-9)
        assert 1 <= mantissa < 10
    mantissa, exponent = equations.exp_parts(2714.85)
    assert exponent == math.floor(2714.85 / math.log(10)) and 1 <= mantissa < 10


def test_tables_hold_the_trace_numbers(trace):
    step = len(trace.steps) - 1
    table = tables.step_table(trace, step)
    assert np.array_equal(table["score"].to_numpy(), trace.steps[step].scores.astype(np.float64))
    assert np.array_equal(table["weight α"].to_numpy(), trace.steps[step].weights.astype(np.float64))
    assert list(table["hidden"]) == [j in trace.mask for j in range(len(trace.src_tokens))]
    assert np.array_equal(tables.attention_table(trace).to_numpy(), trace.attention.astype(np.float64))
    vectors = tables.vectors_table(trace, step)
    assert np.array_equal(vectors.iloc[:, 2].to_numpy(), trace.steps[step].context.astype(np.float64))
    outputs = tables.outputs_table(trace)
    assert list(outputs["output y_i"]) == [s.token.replace(" ", "␣") for s in trace.steps]


def test_user_text_is_escaped_in_every_figure_label():
    model = shipped("en-tr-attn")
    trace = model.translate(HOSTILE)
    for figure in (charts.timeline_figure(trace), charts.scores_figure(trace, 0), charts.weights_figure(trace, 0),
                   charts.context_figure(trace, 0), charts.alignment_figure(trace, 0)):
        text = all_label_text(figure_dict(figure))
        assert "<img" not in text and "onerror=alert(1)>" not in text
    assert plot_text("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"


def test_markdown_text_shows_links_and_emphasis_literally():
    escaped = markdown_text(HOSTILE)
    assert not re.search(r"(?<!\\)[<>\[\]()*_`&]", escaped)  # every markup character is backslash-escaped
    assert escaped.replace("\\", "") == HOSTILE


MODELS = ATTENTION_MODELS


def attention_spec(examples: dict[str, str] | None = None) -> list[Param]:
    """Parameters of the kinds /attention declares (its own list is built from the cards it finds)."""
    return [Param("model", "choice", "dates-attn", options=tuple(MODELS),
                  notice="The link names a model this page does not have; showing dates-attn."),
            Param("text", "text", "3rd of May 1979", default_by="model", defaults=examples or {}),
            Param("step", "int", 2, lo=1, hi=1000, fallback=1, always=True,
                  notice="The step in the link is not a step number from 1 to 1000; showing step 1."),
            Param("temperature", "number", 1.0, lo=TEMPERATURE_MIN, hi=TEMPERATURE_MAX, step=TEMPERATURE_STEP),
            Param("mask", "positions", (), url="hide", label="hidden positions"),
            Param("beam", "int", 1, lo=1, hi=BEAM_MAX, label="beam width")]


def test_url_values_round_trip():
    values = dict(model="numbers-attn", text="vingt & un <b>", step=3, temperature=0.5, mask=[0, 4], beam=3)
    params = params_for(values, attention_spec())
    assert params == {"model": "numbers-attn", "text": "vingt & un <b>", "step": "3", "temperature": "0.5",
                      "hide": "1,5", "beam": "3"}
    parsed, notices = parse_params(params, attention_spec())
    assert parsed == values and notices == []


def test_defaults_are_left_out_of_links_unless_always_written():
    values = dict(model="dates-attn", text="", step=2, temperature=1.0, mask=[], beam=1)
    assert params_for(values, attention_spec()) == {"model": "dates-attn", "text": "", "step": "2"}
    assert params_for(values | {"step": 1}, attention_spec())["step"] == "1"


def test_a_missing_step_is_the_default_and_an_unreadable_one_the_fallback():
    assert parse_params({}, attention_spec())[0]["step"] == 2
    assert parse_params({"step": "1"}, attention_spec())[0]["step"] == 1
    values, notices = parse_params({"step": "abc"}, attention_spec())
    assert values["step"] == 1 and notices == ["The step in the link is not a step number from 1 to 1000; "
                                               "showing step 1."]


def test_positions_are_one_based_in_the_link_and_zero_based_sorted_below_it():
    spec = attention_spec()
    assert parse_params({"hide": "5,3,3"}, spec) == ({**parse_params({}, spec)[0], "mask": [2, 4]}, [])
    assert parse_params({"hide": ""}, spec)[0]["mask"] == [] and parse_params({"hide": ""}, spec)[1] == []
    assert parse_params({"mask": "2"}, spec)[0]["mask"] == []  # the link's name for it is hide


@pytest.mark.parametrize("params", [
    {"model": "nope"}, {"model": "../../etc/passwd"}, {"step": "abc"}, {"step": "-3"}, {"step": "1e9"},
    {"temperature": "-5"}, {"temperature": "nan"}, {"temperature": "inf"}, {"temperature": "x"},
    {"temperature": "1000"}, {"hide": "a,b"}, {"hide": "0"}, {"hide": "1;2"}, {"beam": "0"}, {"beam": "99"},
    {"beam": "2.5"}, {"text": "x" * 10_000},
])
def test_garbage_url_parameters_fall_back_with_a_notice(params):
    values, notices = parse_params(params, attention_spec())
    assert len(notices) == 1
    assert values["model"] in MODELS and 1 <= values["step"] and 1 <= values["beam"] <= 10
    assert len(values["text"]) <= MAX_TEXT_CHARS and values["mask"] == []


def test_a_link_with_a_model_and_no_text_opens_on_that_models_example():
    spec = attention_spec({"numbers-attn": "yirmi bir"})
    assert parse_params({"model": "numbers-attn"}, spec)[0]["text"] == "yirmi bir"
    assert parse_params({"model": "numbers-attn", "text": ""}, spec)[0]["text"] == ""
    assert parse_params({"model": "reverse-attn"}, spec)[0]["text"] == "3rd of May 1979"  # no example: the default


def test_url_temperature_snaps_to_the_slider_and_repeated_keys_take_the_last():
    values, notices = parse_params({"temperature": "0.37", "model": ["dates-attn", "reverse-attn"]}, attention_spec())
    assert values["temperature"] == 0.35 and values["model"] == "reverse-attn" and notices == []


def test_a_long_text_in_a_link_is_cut_not_replaced():
    values, notices = parse_params({"text": "x" * 10_000}, attention_spec())
    assert values["text"] == "x" * MAX_TEXT_CHARS and notices == ["The text in the link has 10,000 characters; the "
                                                                  f"first {MAX_TEXT_CHARS} are used."]
