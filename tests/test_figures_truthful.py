"""Every figure says what it shows: each colour scale has a legend naming its quantity and range,
two quantities never share a scale, animations open on their first frame and never blank their
heatmaps, and the sentences the pages build from numbers say what the numbers say."""
import numpy as np
import pytest

from conftest import RECURRENT, SHIPPED, shipped
from figures import array, figure_dict, named
from ui import animation, architecture_charts, charts, encdec_charts, equations, rnn_charts, unit_lines

CLEAR = {"rgba(0,0,0,0)"}
ANIMATABLE = {"bar", "scatter"}  # trace types Plotly animates: a frame changing one re-plots only those traces


def attention_trace(name: str = "dates-attn", text: str = "3rd of May 1979", **options):
    return shipped(name).translate(text, **options)


def figures() -> list[tuple[str, object]]:
    """Every figure builder of the app on a shipped model (name, builder of the figure)."""
    built = []
    for name, text in (("dates-attn", "3rd of May 1979"), ("reverse-attn", "attention"),
                       ("numbers-attn", "siebenundneunzig")):
        if name in SHIPPED:
            built += [(f"timeline {name}", lambda n=name, t=text: charts.timeline_figure(attention_trace(n, t))),
                      (f"scores {name}", lambda n=name, t=text: charts.scores_figure(attention_trace(n, t), 1)),
                      (f"weights {name}", lambda n=name, t=text: charts.weights_figure(attention_trace(n, t), 1)),
                      (f"context {name}", lambda n=name, t=text: charts.context_figure(attention_trace(n, t), 1)),
                      (f"alignment {name}", lambda n=name, t=text: charts.alignment_figure(attention_trace(n, t), 1))]
    if {"reverse-attn", "reverse-noattn"} <= set(SHIPPED):
        built += [("encoder-decoder", lambda: encdec_charts.encoder_decoder_figure(
                      shipped("reverse-noattn").translate("thequickbrownfox"))),
                  ("side by side", lambda: encdec_charts.side_by_side_figure(
                      shipped("reverse-attn").translate("attention"), shipped("reverse-noattn").translate("attention"),
                      list("noitnetta")))]
    if "lm-lstm" in RECURRENT:
        run = lambda: shipped("lm-lstm").run("To be, or not to be, that is the question:")  # noqa: E731
        built += [("unrolled", lambda: rnn_charts.unrolled_figure(run())),
                  ("gates", lambda: rnn_charts.gates_figure(run(), 4)),
                  ("unit over text", lambda: rnn_charts.unit_text_figure(run(), 3)),
                  ("generation", lambda: rnn_charts.unrolled_figure(
                      shipped("lm-lstm").generate("ROMEO:\n", length=60, temperature=0.8, seed=0), first=3)),
                  ("next character", lambda: architecture_charts.next_token_figure(run()))]
    if "ner" in RECURRENT:
        built += [("labels", lambda: architecture_charts.label_probs_figure(
            shipped("ner").run("Ada Lovelace met Charles Babbage in London.")))]
    return built


FIGURES = figures()


def coloured_heatmaps(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t.get("type") == "heatmap"
            and not {c[1] for c in t.get("colorscale") or [[0, ""]]} <= CLEAR]


@pytest.mark.parametrize("label,build", FIGURES, ids=[f[0] for f in FIGURES])
def test_every_colour_scale_has_a_legend_naming_its_quantity_and_range(label, build):
    spec = figure_dict(build())
    layout = spec["layout"]
    used = {}
    for heatmap in coloured_heatmaps(spec):
        assert heatmap.get("name"), f"{label}: a heatmap without a name"
        axis = heatmap.get("coloraxis")
        assert axis, f"{label}: heatmap {heatmap['name']!r} is coloured without a colour axis (and legend)"
        used.setdefault(axis, []).append(heatmap["name"])
    titles = []
    for axis in used:
        colour = layout[axis]
        assert colour.get("showscale", True), (label, axis)
        title = colour["colorbar"]["title"]["text"]
        assert title.strip(), (label, axis)
        ticks = colour["colorbar"]["tickvals"]
        assert min(ticks) == pytest.approx(colour["cmin"]) and max(ticks) == pytest.approx(colour["cmax"])
        titles.append(title)
    assert len(set(titles)) == len(titles), f"{label}: two colour bars with one title {titles}"


@pytest.mark.parametrize("label,build", FIGURES, ids=[f[0] for f in FIGURES])
def test_alpha_and_probabilities_never_share_a_scale(label, build):
    spec = figure_dict(build())
    for heatmap in coloured_heatmaps(spec):
        axis = spec["layout"][heatmap["coloraxis"]]
        title = axis["colorbar"]["title"]["text"]
        scale = [c[1] for c in axis["colorscale"]]
        viridis = scale[0].lower() in ("#440154", "rgb(68,1,84)")
        if "α" in title:
            assert viridis and axis["cmin"] == 0 and axis["cmax"] == 1, label
        else:
            assert not viridis, f"{label}: {heatmap['name']} is on the α scale but is not α"
        if title.startswith("p"):
            assert axis["cmin"] == 0 and axis["cmax"] == 1


ANIMATED = [f for f in FIGURES if f[0].split()[0] in ("timeline", "encoder-decoder", "side", "unrolled", "generation")]


@pytest.mark.parametrize("label,build", ANIMATED, ids=lambda f: f if isinstance(f, str) else "")
def test_frames_are_sent_as_plotly_encodes_them(label, build):
    """The frames go to the browser encoded by the app's own one-pass copy (animation.encoded), not by
    Plotly; it must write exactly what Plotly's convert_to_base64 writes, and leave the figure's own
    arrays as they were (a cached figure is sent again)."""
    import copy

    from _plotly_utils.utils import convert_to_base64

    fig = build()
    frames = fig._plain_frames
    expected = copy.deepcopy(frames)
    convert_to_base64(expected)
    arrays_before = [a.copy() for a in _arrays(frames)]
    assert fig.to_dict()["frames"] == expected
    if arrays_before:  # numpy arrays go as base64 (some figures' frames hold only lists)
        assert any(isinstance(v, dict) and "bdata" in v for v in _leaves(fig.to_dict()["frames"]))
    assert arrays_before or not label.startswith("timeline")
    after = _arrays(frames)
    assert len(after) == len(arrays_before) and all(np.array_equal(a, b) for a, b in zip(after, arrays_before))


def test_typed_arrays_match_plotly_for_every_dtype():
    from _plotly_utils.utils import to_typed_array_spec

    cases = [np.array([1, -2, 3]), np.array([300, -2]), np.array([70000, 1]), np.array([2 ** 40]),
             np.array([1, 2], np.uint64), np.array([70000], np.uint64), np.arange(6, dtype=np.float32).reshape(2, 3),
             np.arange(6.0).reshape(3, 2).T, np.array([], np.float32), np.array([True, False]), np.array(["a", "b"])]
    for case in cases:
        ours, theirs = animation.typed_array(case), to_typed_array_spec(case)
        if isinstance(theirs, dict):
            assert ours == theirs, case
        else:
            assert isinstance(ours, np.ndarray) and np.array_equal(ours, np.asarray(theirs)), case


def _leaves(node):
    if isinstance(node, dict):
        if "bdata" in node:
            yield node
            return
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
    else:
        yield node


def _arrays(node) -> list[np.ndarray]:
    return [leaf for leaf in _leaves(node) if isinstance(leaf, np.ndarray)]


@pytest.mark.parametrize("label,build", ANIMATED, ids=lambda f: f if isinstance(f, str) else "")
def test_animations_open_on_their_first_frame(label, build):
    spec = figure_dict(build())
    frames = spec["frames"]
    assert spec["layout"]["sliders"][0]["active"] == 0
    first = frames[0]
    if "shapes" in first.get("layout", {}):
        assert spec["layout"]["shapes"] == first["layout"]["shapes"]
        assert spec["layout"]["title"]["text"] == first["layout"]["title"]["text"]
    for index, data in zip(first.get("traces", []), first.get("data", [])):
        for key, value in data.items():
            if key != "type":
                assert np.array_equal(array(spec["data"][index][key]), array(value)), (label, index, key)


@pytest.mark.parametrize("label,build", [f for f in FIGURES if f[0].split()[0] in
                                         ("timeline", "encoder-decoder", "side", "unrolled", "generation")],
                         ids=lambda f: f if isinstance(f, str) else "")
def test_frames_never_make_plotly_drop_the_heatmaps(label, build):
    """A frame that changes a bar or scatter trace makes Plotly re-plot only those and drop every
    heatmap until the redraw (seen as white columns during Play); frames change histograms, the
    text of colourless strips and the layout only. Play redraws (shapes and titles need it)."""
    spec = figure_dict(build())
    types = [t["type"] for t in spec["data"]]
    for frame in spec["frames"]:
        for index, data in zip(frame.get("traces", []), frame.get("data", [])):
            assert types[index] not in ANIMATABLE, (label, frame["name"], index, types[index])
            if types[index] == "heatmap":
                assert set(data) <= {"type", "text"}, (label, frame["name"], "changes a heatmap's colours")
                assert spec["data"][index].get("coloraxis") is None
    play = spec["layout"]["updatemenus"][0]["buttons"][0]
    assert play["label"] == "▶ Play" and play["args"][1]["frame"]["redraw"] is True


def other_figures() -> list[tuple[str, object]]:
    """The figures not in FIGURES: the diagrams, the held-out lines and the training film."""
    from core import list_models
    from core.film import load_film
    from ui import film_charts

    built = [(f"pattern {p}", lambda p=p: architecture_charts.pattern_figure(p, list("abcd"), list("wxyz")))
             for p in architecture_charts.PATTERNS]
    cards = [c for c in list_models() if c.kind == "seq2seq"]
    built.append(("accuracy by length", lambda: encdec_charts.length_figure(cards)))
    if "sentiment" in RECURRENT:
        built.append(("classes", lambda: architecture_charts.class_probs_figure(
            shipped("sentiment").run("a fine film"))))
    if "lm-lstm" in RECURRENT:
        built.append(("unit lines", lambda: unit_lines.unit_lines_figure(
            shipped("lm-lstm").run("To be, or not").states, list("To be, or not"), [0, 3], "h<sub>t</sub>", "t")))
    if {"reverse-attn", "reverse-noattn"} <= set(SHIPPED):
        built.append(("film", lambda: film_charts.film_figure(
            load_film("reverse-attn"), 0, load_film("reverse-noattn"))))
    return built


OTHER_FIGURES = other_figures()


@pytest.mark.parametrize("label,build", FIGURES + OTHER_FIGURES, ids=[f[0] for f in FIGURES + OTHER_FIGURES])
def test_every_trace_is_named_once(label, build):
    """Tests find a figure's traces by name, and a legend shows names: every trace has one of its own."""
    names = [t.get("name") for t in figure_dict(build())["data"]]
    assert all(names) and len(set(names)) == len(names), (label, names)


def test_the_first_step_says_why_it_looks_at_the_last_token():
    trace = attention_trace("dates-attn", "3rd of May 1979")
    n = len(trace.src_tokens)
    length = float(np.sum(trace.encoder_states[-1].astype(np.float64) ** 2))
    assert np.isclose(trace.steps[0].scores[-1], length, rtol=1e-5)  # h^d_0 = h^e_n: its own squared length
    note = equations.first_step_note(trace)
    assert f"{length:.2f}" in note and f"h^e_{{{n}}}" in note and "h^d_0" in note
    assert "looks at the last source token" in note  # true here: the largest of the scores
    spec = figure_dict(charts.timeline_figure(trace))
    first = next(f for f in spec["frames"] if f["name"] == "y1 · 1")
    assert f"= {length:.2f}" in first["layout"]["title"]["text"] and "‖h<sup>e</sup>" in first["layout"]["title"]["text"]
    assert equations.first_step_note(shipped("reverse-noattn").translate("abc")) is None
    race = figure_dict(encdec_charts.side_by_side_figure(trace, shipped("dates-noattn").translate("3rd of May 1979")))
    assert f"= {length:.2f}" in next(f for f in race["frames"] if f["name"] == "y1")["layout"]["title"]["text"]


def test_the_first_step_note_does_not_claim_what_the_scores_do_not_show():
    trace = attention_trace("dates-attn", "3rd of May 1979")
    trace.steps[0].scores[0] = trace.steps[0].scores[-1] + 1  # pretend another position scored higher
    note = equations.first_step_note(trace)
    assert "looks at the last source token" not in note and "$x_{1}$" in note


def test_equations_use_the_lectures_notation():
    trace = attention_trace("dates-attn", "3rd of May 1979", temperature=0.5, mask=[2])
    for step in range(len(trace.steps)):
        eq = equations.step_equations(trace, step)
        for text in (eq.score, eq.softmax, eq.context, eq.context_unit):
            assert "s_{" not in text and "j'" not in text
        assert rf"\text{{score}}(h^d_{{{step}}}, h^e_{{k}})/0.5" in eq.softmax  # score(h^d_{i-1}, h^e_k) / T


def test_wrong_tokens_are_marked_against_a_known_answer():
    assert encdec_charts.wrong_marks(list("abc") + ["</s>"], list("abc")) == [False] * 4
    assert encdec_charts.wrong_marks(list("abd") + ["</s>"], list("abc")) == [False, False, True, False]
    assert encdec_charts.wrong_marks(list("ab") + ["</s>"], list("abc")) == [False, False, True]
    assert encdec_charts.wrong_marks(list("abcd") + ["</s>"], list("abc")) == [False] * 3 + [True, False]
    assert encdec_charts.wrong_marks(list("acd") + ["</s>"], list("abcd")) == [False, True, False, False]
    assert encdec_charts.wrong_marks(list("xyz"), None) == [False] * 3
    text = "thequickbrownfoxjumpsoverthelazydog"
    plain = shipped("reverse-noattn").translate(text)
    spec = figure_dict(encdec_charts.side_by_side_figure(shipped("reverse-attn").translate(text), plain,
                                                         list(text[::-1])))
    strip = named(spec, "without attention: output")
    marked = [label.endswith(" ✗") for label in strip["text"][0]]
    assert marked == encdec_charts.wrong_marks(plain.out_tokens, list(text[::-1])) and any(marked)


def test_length_sentences_say_what_the_cards_hold():
    from core import list_models

    cards = [c for c in list_models() if c.kind == "seq2seq"]
    found = encdec_charts.length_findings(cards)
    by_task = {task: {("attn" if c.attention else "plain"): {r["lengths"]: r for r in c.metrics_by_length}
                      for c in cards if c.task == task} for task in found}
    for task, sentence in found.items():
        rows = by_task[task]
        value = {kind: [100 * r["exact_match"] if "bleu" not in r else r["bleu"] for r in rows[kind].values()]
                 for kind in rows}
        if "falls from" in sentence and "with attention it stays" in sentence:  # the bottleneck claim
            assert value["plain"][0] - value["plain"][-1] >= 10, task
            assert min(value["attn"]) >= value["attn"][0] - (value["plain"][0] - value["plain"][-1]) / 3, task
            assert f"{value['plain'][-1]:.1f}" in sentence and f"{min(value['attn']):.1f}" in sentence
        if "within" in sentence:
            gap = max(abs(a - p) for a, p in zip(value["attn"], value["plain"]))
            assert f"within {gap:.1f} points" in sentence, task
    if "reverse" in found:
        assert "falls from" in found["reverse"]
    if "dates" in found:  # 100% for both: no claim that the plain model falls
        assert "falls" not in found["dates"] and "both models are right" in found["dates"]
    if "numbers" in found:
        assert "falls from" not in found["numbers"] and "within" in found["numbers"]


def test_answer_note_counts_the_wrong_tokens_of_a_known_answer():
    text = "thequickbrownfoxjumpsover"
    plain = shipped("reverse-noattn").translate(text)
    assert encdec_charts.known_answer(plain) == list(text[::-1])
    marks = encdec_charts.wrong_marks(plain.out_tokens, list(text[::-1]))
    note = encdec_charts.answer_note(plain)
    assert note.startswith(f"{sum(marks)} of {len(marks)} tokens are wrong") and "written backwards" in note
    right = shipped("reverse-attn").translate("abc")
    assert encdec_charts.answer_note(right).startswith("Every token is right")
    sample = shipped("dates-noattn").card.samples[1]
    dated = shipped("dates-noattn").translate(sample["input"])
    assert encdec_charts.known_answer(dated) == list(sample["reference"])
    assert encdec_charts.known_answer(shipped("dates-noattn").translate("some text no sample has")) is None


def test_sequential_processing_is_timed_on_the_inputs_own_sizes():
    from core.limits import sequential_vs_parallel

    text = "3rd of May 1979"
    plain, attended = shipped("dates-noattn"), shipped("dates-attn")
    timing = sequential_vs_parallel(plain, text, attended, repeats=2)
    n, m = len(plain.translate(text).src_tokens), len(plain.translate(text).steps)
    assert (timing.source, timing.output, timing.hidden) == (n, m, plain.config.hidden)
    rnn, with_attention, encoder_layer, decoder_layer = timing.chains
    assert rnn.dependent_steps == with_attention.dependent_steps == n + m  # attention does not shorten the chain
    assert encoder_layer.dependent_steps == decoder_layer.dependent_steps == 1
    assert f"{n} encoder + {m} decoder steps" in rnn.label and f"all {n} source positions" in encoder_layer.label
    assert f"all {m} output positions" in decoder_layer.label
    assert all(c.ms > 0 for c in timing.chains)
    spec = figure_dict(encdec_charts.timing_figure(timing))
    steps = named(spec, "dependent steps")
    assert list(array(steps["x"])) == [n + m, n + m, 1, 1]


@pytest.mark.skipif("en-tr-attn" not in SHIPPED, reason="a bidirectional encoder")
def test_a_bidirectional_encoder_reveals_only_the_complete_states():
    """Both ways, h^e_j joins the forward state after x_1..x_j and the backward one after x_n..x_j:
    after j steps of each, only x_{n+1-j}..x_j are complete, and the caption says so."""
    trace = shipped("en-tr-attn").translate("I answered many questions.")
    n = len(trace.src_tokens)
    assert charts.bidirectional(trace) and not charts.bidirectional(attention_trace())
    spec = figure_dict(charts.timeline_figure(trace))
    encoder_axis = named(spec, "encoder states")["xaxis"]
    for j in range(1, n + 1):
        frame = next(f for f in spec["frames"] if f["name"] == f"x{j}")
        covers = [s for s in frame["layout"]["shapes"] if s["xref"] == encoder_axis and s.get("fillcolor") == animation.COVER
                  and s["visible"]]
        hidden = {k for k in range(1, n + 1) if any(c["x0"] < k < c["x1"] for c in covers)}
        assert hidden == set(range(1, n + 1)) - set(range(n + 1 - j, j + 1)), j
        assert "Forward RNN" in frame["layout"]["title"]["text"] and "backward RNN" in frame["layout"]["title"]["text"]


@pytest.mark.skipif("lm-lstm" not in RECURRENT or "lm-gru" not in RECURRENT, reason="language models")
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gates_have_their_own_scale_and_every_row_is_the_models(cell):
    trace = shipped(f"lm-{cell}").run("To be, or not to be")
    spec = figure_dict(rnn_charts.gates_figure(trace, 4))
    by_name = {t["name"]: t for t in spec["data"]}
    gates, values = by_name["gates"], by_name["values of the update"]
    assert gates["coloraxis"] != values["coloraxis"]
    gate_axis = spec["layout"][gates["coloraxis"]]
    assert (gate_axis["cmin"], gate_axis["cmax"]) == (0, 1) and "gate" in gate_axis["colorbar"]["title"]["text"]
    step = trace.steps[4]
    recorded = {rnn_charts.GATE_NAMES[k]: v for k, v in step.gates.items()}
    labels = spec["layout"]["yaxis"]["ticktext"]
    gate_rows = {labels[r] for r, row in enumerate(array(gates["z"])) if not np.isnan(row).all()}
    assert gate_rows == {rnn_charts.GATE_NAMES[k] for k in rnn_charts.SIGMOID_GATES if k in step.gates}
    for r, label in enumerate(labels):  # each row drawn once, on its own scale, with the model's numbers
        drawn = [array(t["z"])[r] for t in (gates, values) if not np.isnan(array(t["z"])[r]).all()]
        assert len(drawn) == 1, label
        if label in recorded:
            assert np.array_equal(drawn[0], recorded[label].astype(np.float32))
    assert np.array_equal(array(values["z"])[labels.index("h<sub>t</sub>")], step.state.astype(np.float32))
