"""The phone layouts of the architecture diagrams, the training film and the units-as-lines figure:
each draws exactly the desktop figure's numbers (same traces in the same order, same frames), only
laid out for a window about 358 px wide: one column, labels that fit, colour bars in a band of their
own, Play and the slider on two lines. The pages hand the phone layout over when the window is a phone's."""
import re

import numpy as np
import pytest

from conftest import RECURRENT, SHIPPED, chart_specs, run_page, shipped
from figures import array, figure_dict
from ui import architecture_charts as arch
from ui import film_charts, unit_lines
from ui.animation import label_width
from ui.animation import PHONE_FIGURE_PX

DATA_KEYS = ("x", "y", "z", "text", "customdata")


def drawn(value):
    """A trace's array as a plain list (typed arrays decoded), for comparing two figures' data."""
    return array(value).tolist() if value is not None else None


def same_frames(phone: dict, desktop: dict) -> None:
    """The frames address the same traces with the same data (their layouts may differ)."""
    assert [f["name"] for f in phone.get("frames", [])] == [f["name"] for f in desktop.get("frames", [])]
    for p, d in zip(phone.get("frames", []), desktop.get("frames", [])):
        assert p.get("traces") == d.get("traces")
        assert len(p["data"]) == len(d["data"])
        for pd, dd in zip(p["data"], d["data"]):
            assert pd.keys() == dd.keys()
            for key in pd:
                assert (drawn(pd[key]) if key in DATA_KEYS else pd[key]) == \
                       (drawn(dd[key]) if key in DATA_KEYS else dd[key]), (p["name"], key)


def same_traces(phone: dict, desktop: dict, swapped: bool = False) -> None:
    """The same traces in the same order with the same numbers; `swapped`: the phone draws the
    desktop's (x, y) at (y, -x) (a diagram turned a quarter)."""
    assert [(t["type"], t.get("name")) for t in phone["data"]] == [(t["type"], t.get("name")) for t in desktop["data"]]
    for p, d in zip(phone["data"], desktop["data"]):
        for key in DATA_KEYS:
            if swapped and key in ("x", "y"):
                continue
            assert drawn(p.get(key)) == drawn(d.get(key)), (p.get("name"), key)
        if swapped:
            assert drawn(p["x"]) == drawn(d["y"]) and drawn(p["y"]) == [-v for v in drawn(d["x"])]
        assert p.get("marker", {}).get("color") == d.get("marker", {}).get("color")


def both(build, *args, **kwargs) -> tuple[dict, dict]:
    return (figure_dict(build(*args, phone=True, **kwargs)), figure_dict(build(*args, **kwargs)))


def plot_px(spec: dict) -> float:
    margin = spec["layout"]["margin"]
    return spec["layout"]["height"] - margin["t"] - margin["b"]


def lines_fit(text: str, font_px: float, width_px: float = PHONE_FIGURE_PX - 20) -> bool:
    return all(label_width(line, font_px) <= width_px for line in re.split(r"<br>", text))


def ticks_fit(axis: dict, length_px: float, font_px: float = 12) -> bool:
    """The axis' tick labels, evenly spaced, each fit their room on an axis `length_px` long."""
    widest = max(label_width(t, font_px) + 4 for t in axis["ticktext"])
    return (len(axis["ticktext"]) - 1) * widest <= length_px


def controls_on_two_lines(spec: dict) -> None:
    """Play/Pause/Resume on one line, the slider on its own full-width line below them, both in
    the bottom margin."""
    [menu], [slider] = spec["layout"]["updatemenus"], spec["layout"]["sliders"]
    assert slider["x"] == 0 and slider["len"] == 1
    assert slider["pad"]["t"] >= menu["pad"]["t"] + 40  # a button is about 34 px high
    assert spec["layout"]["margin"]["b"] >= slider["pad"]["t"] + 60  # the slider's value and rail


# ---- the architecture diagrams -------------------------------------------------------------------

WORDS = ["Angela", "Merkel", "met", "Emmanuel", "Macron", "in", "Paris", "on", "3", "May", "2019", ".", "extra"]
TAGS = ["PER", "PER", "O", "PER", "PER", "O", "LOC", "O", "DATE", "DATE", "DATE", "O", "O"]


@pytest.mark.parametrize("pattern", list(arch.PATTERNS))
def test_the_phone_wiring_is_the_same_diagram_turned_to_run_down_the_screen(pattern):
    phone, desktop = both(arch.pattern_figure, pattern, WORDS, TAGS)
    same_traces(phone, desktop, swapped=True)
    same_frames(phone, desktop)
    assert len(phone["layout"]["annotations"]) == len(desktop["layout"]["annotations"])
    assert len(phone["layout"].get("shapes", [])) == len(desktop["layout"].get("shapes", []))
    inputs, states, outputs = phone["data"]
    assert set(drawn(inputs["x"])) == {0} and set(drawn(states["x"])) == {1} and set(drawn(outputs["x"])) == {2}
    # a step's boxes (40 px) leave room for the arrow to the next step, and the columns for the labels
    steps = phone["layout"]["yaxis"]["range"]
    assert plot_px(phone) / (steps[1] - steps[0]) >= 40 + 14
    columns = phone["layout"]["xaxis"]["range"]
    column_px = (PHONE_FIGURE_PX - 20) / (columns[1] - columns[0])
    longest = max(label_width(t, 12) for trace in phone["data"] for t in trace["text"])
    assert column_px >= longest + 24 and column_px >= 40 + 28
    assert phone["layout"]["height"] > desktop["layout"]["height"]  # it grows down the screen
    for note in phone["layout"]["annotations"]:
        assert lines_fit(note.get("text", ""), 12)
    controls_on_two_lines(phone)


def test_a_phone_diagram_points_its_arrows_along_the_turned_wiring():
    """h_{t-1} -> h_t runs down the state column; x_t -> h_t and h_t -> y_t run across."""
    phone, desktop = both(arch.pattern_figure, "labeling", WORDS[:3], TAGS[:3])
    arrows = [a for a in phone["layout"]["annotations"] if a.get("showarrow")]
    along = {(a["ax"], a["ay"], a["x"], a["y"]) for a in arrows}
    assert (1, -1, 1, -2) in along and (1, -2, 1, -3) in along  # h_1 -> h_2 -> h_3, downwards
    assert (0, -1, 1, -1) in along and (1, -3, 2, -3) in along  # x_1 -> h_1, h_3 -> y_3
    desktop_arrows = [a for a in desktop["layout"]["annotations"] if a.get("showarrow")]
    assert len(arrows) == len(desktop_arrows)


@pytest.mark.skipif(not {"ner", "sentiment", "lm-lstm"} <= set(RECURRENT), reason="recurrent models")
@pytest.mark.parametrize("build,model,text", [
    (arch.label_probs_figure, "ner", "Angela Merkel met Emmanuel Macron in Paris on 3 May 2019 and again in Rome "
                                     "on 4 June 2020, then Olaf Scholz in Berlin and Giorgia Meloni in Naples."),
    (arch.class_probs_figure, "sentiment", "what a lovely day it was in the park with all of my old friends, "
                                           "though the rain came later and the bus never arrived on time"),
    (arch.next_token_figure, "lm-lstm", "Now is the winter of our discontent made glorious summer by this sun of York"),
])
def test_the_phone_step_figures_draw_the_same_numbers_with_ticks_and_bars_that_fit(build, model, text):
    trace = shipped(model).run(text)
    phone, desktop = both(build, trace)
    same_traces(phone, desktop)
    assert ticks_fit(phone["layout"]["xaxis"], 0.8 * PHONE_FIGURE_PX)
    assert not ticks_fit(desktop["layout"]["xaxis"], 0.8 * PHONE_FIGURE_PX)  # the wide plan would crowd a phone
    assert len(phone["layout"]["xaxis"]["ticktext"]) < len(desktop["layout"]["xaxis"]["ticktext"])
    bar = phone["layout"].get("coloraxis", {}).get("colorbar")
    if bar:  # horizontal, above the plot and inside the top margin: on no plot and no text
        assert bar["orientation"] == "h" and bar["yanchor"] == "bottom"
        assert 1 < bar["y"] and bar["y"] + 50 / plot_px(phone) <= 1 + phone["layout"]["margin"]["t"] / plot_px(phone)
        assert "<br>" not in bar["title"]["text"]
        assert desktop["layout"]["coloraxis"]["colorbar"].get("orientation", "v") == "v"


# ---- the training film ---------------------------------------------------------------------------

FILMS = [(name, twin) for name, twin in (("reverse-attn", "reverse-noattn"), ("dates-noattn", "dates-attn"),
                                         ("en-tr-attn", None)) if name in SHIPPED]


@pytest.mark.parametrize("name,twin", FILMS)
def test_the_phone_film_stacks_its_panels_and_plays_the_same_frames(name, twin):
    from core.film import load_film

    film = load_film(name)
    probe = len(film.probe_inputs) - 1
    phone, desktop = both(film_charts.film_figure, film, probe, load_film(twin) if twin else None)
    same_traces(phone, desktop)
    same_frames(phone, desktop)
    layout = phone["layout"]
    panels = [(layout[f"xaxis{n}"]["domain"], layout[f"yaxis{n}"]["domain"]) for n in ("", "2", "3")]
    assert all(x == [0, 1] for x, _ in panels)  # each panel spans the width
    assert panels[0][1][0] > panels[1][1][1] and panels[1][1][0] > panels[2][1][1]  # one under another
    assert desktop["layout"]["xaxis2"]["domain"][0] > desktop["layout"]["xaxis"]["domain"][1]  # side by side there
    for title, (_, (low, high)) in zip(layout["annotations"][:3], panels):
        assert title["y"] == high and lines_fit(title["text"], 13)
    assert lines_fit(layout["xaxis3"]["title"]["text"], 14)
    for frame in phone["frames"]:
        assert lines_fit(frame["layout"]["title"]["text"], layout["title"]["font"]["size"])
    if film.attention is not None:  # the bar between the matrix's axis title and the loss panel's title
        bar = layout["coloraxis"]["colorbar"]
        gap = panels[0][1][0] - panels[1][1][1]
        assert bar["orientation"] == "h" and panels[1][1][1] < bar["y"] < panels[0][1][0]
        assert (panels[0][1][0] - bar["y"]) * plot_px(phone) >= 100  # under the tick labels and axis title
        assert (bar["y"] - panels[1][1][1]) * plot_px(phone) >= 20  # over the loss panel's title
        assert gap * plot_px(phone) >= 140
        assert ticks_fit(layout["xaxis"], 0.6 * PHONE_FIGURE_PX)
    controls_on_two_lines(phone)


# ---- units as lines ------------------------------------------------------------------------------

def test_the_phone_unit_lines_thin_their_ticks_and_give_the_legend_its_own_band():
    states = np.random.default_rng(1).normal(size=(90, 256)).astype(np.float32)
    units = [200, 3, 17, 250, 99, 128]
    phone, desktop = both(unit_lines.unit_lines_figure, states, [str(i) for i in range(90)], units, "h<sub>t</sub>",
                          "step t")
    same_traces(phone, desktop)
    assert ticks_fit(phone["layout"]["xaxis"], 0.8 * PHONE_FIGURE_PX)
    legend = phone["layout"]["legend"]
    assert legend["yref"] == "container" and legend["y"] == 1 and legend["yanchor"] == "top"
    assert phone["layout"]["margin"]["t"] >= 22 * 2  # two rows of four "unit k" entries


# ---- the pages hand the phone layout over --------------------------------------------------------

@pytest.fixture
def on_a_phone(monkeypatch):
    monkeypatch.setattr("ui.viewport.is_phone", lambda: True)


@pytest.mark.skipif("ner" not in RECURRENT, reason="the tagger")
def test_the_architectures_page_draws_the_phone_figures_on_a_phone(on_a_phone):
    at = run_page("pages/architectures.py", {"pattern": "labeling"})
    assert not at.exception
    diagram, labels = chart_specs(at)[:2]
    assert set(drawn(diagram["data"][0]["x"])) == {0}  # the inputs' column: turned to run down the screen
    assert labels["layout"]["coloraxis"]["colorbar"]["orientation"] == "h"


@pytest.mark.skipif("reverse-attn" not in SHIPPED, reason="the film")
def test_the_training_page_plays_the_stacked_film_on_a_phone(on_a_phone):
    at = run_page("pages/training.py", {"model": "reverse-attn"})
    assert not at.exception
    film = chart_specs(at)[0]
    assert film["layout"]["xaxis2"]["domain"] == [0, 1] and film["layout"]["sliders"][0]["len"] == 1


@pytest.mark.skipif("lm-lstm" not in RECURRENT, reason="the language models")
def test_the_rnn_page_follows_units_in_the_phone_layout_on_a_phone(on_a_phone):
    at = run_page("pages/rnn.py", {"cell": "lstm"})
    assert not at.exception
    [lines] = [s for s in chart_specs(at) if s["data"] and all(t["type"] == "scatter" and t["name"].startswith("unit ")
                                                               for t in s["data"])]
    assert lines["layout"]["legend"].get("yref") == "container"
