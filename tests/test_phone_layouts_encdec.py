"""The phone layouts (phone=True) of the encoder-decoder, side-by-side, unrolled-network and
recurrent-network figures: the same traces with the same numbers and the same frames as the wide
screen's figure (only the layout moves), subplots in one column, colour bars in bands of their own,
and titles, ticks and controls that fit a phone's 358-pixel figure."""
import numpy as np
import pytest

from conftest import RECURRENT, SHIPPED, shipped
from core import list_models
from core.limits import Chain, Timing, growing_prefixes
from figures import array, figure_dict
from ui import encdec_charts, rnn_charts
from ui.animation import label_width
from ui.phone_stack import FIGURE_PX, PHONE_PLOT_PX, PHONE_STRIP_FONT, PHONE_TITLE_PX, TITLE_PX, wrap

pytestmark = pytest.mark.skipif(not {"reverse-attn", "reverse-noattn", "en-tr-attn", "en-tr-noattn"} <= set(SHIPPED)
                                or "lm-lstm" not in RECURRENT, reason="the shipped models")

ARRAYS = ("x", "y", "z", "customdata", "text")
REVERSE = "thequickbrownfoxjumpsover"
SENTENCE = "I answered many questions."
PROSE = "ROMEO: But, soft! what light through yonder window breaks? It is the east, and Juliet is the sun."


def both(build, *args, **kwargs) -> tuple[dict, dict]:
    """The wide screen's figure and the phone's, as the browser receives them."""
    return figure_dict(build(*args, **kwargs)), figure_dict(build(*args, phone=True, **kwargs))


def equal(a, b) -> bool:
    """Two figure arrays hold the same values (NaN, a gap, equal to NaN)."""
    a, b = array(a), array(b)
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def same(a, b) -> bool:
    if isinstance(a, list) or isinstance(a, dict) and "bdata" in a:
        return equal(a, b)
    return a == b


def assert_same_data(wide: list[dict], phone: list[dict], free: tuple[int, ...] = ()) -> None:
    """The same traces in the same order, with the same numbers; the text of traces `free` is checked
    by the caller (planned for the phone's width)."""
    assert [(t["type"], t.get("name")) for t in wide] == [(t["type"], t.get("name")) for t in phone]
    for index, (w, p) in enumerate(zip(wide, phone)):
        for key in ARRAYS:
            if index in free and key in ("text", "z", "y"):
                continue
            assert (key in w) == (key in p), (index, key)
            if key in w:
                assert equal(w[key], p[key]), (w.get("name"), key)


def unwrapped(text: str) -> str:
    return text.replace("<br>", " ")


def assert_same_frames(wide: dict, phone: dict, free: tuple[int, ...] = (), strip: str | None = None) -> None:
    """The same frames: names, the traces they address, their numbers and shapes; the titles the same
    words (wrapped on the phone, each line within the width). The text of traces `free` is checked by
    the caller, and shapes on the `strip` axes (x2 for x2/y2) may reach down another number of lines."""
    assert [f["name"] for f in wide["frames"]] == [f["name"] for f in phone["frames"]]
    for w, p in zip(wide["frames"], phone["frames"]):
        assert w.get("traces") == p.get("traces")
        for index, wd, pd in zip(w.get("traces", []), w.get("data", []), p.get("data", [])):
            for key in set(wd) | set(pd):
                if index in free and key == "text":
                    continue
                assert same(wd.get(key), pd.get(key)), (w["name"], index, key)
        def steady(shape):  # a strip's cover spans its lines, planned for the width
            return {k: v for k, v in shape.items() if not (shape["xref"] == strip and k == "y1")}
        assert [steady(shape) for shape in w["layout"]["shapes"]] == [steady(shape) for shape in p["layout"]["shapes"]]
        assert unwrapped(p["layout"]["title"]["text"]) == w["layout"]["title"]["text"]
        for line in p["layout"]["title"]["text"].split("<br>"):
            assert label_width(line, TITLE_PX) <= PHONE_TITLE_PX or " " not in line.strip(), line


def axes(spec: dict) -> dict[str, tuple[list, list]]:
    """Each drawn subplot's (x domain, y domain), keyed by its trace's axis refs."""
    layout = spec["layout"]
    found = {}
    for trace in spec["data"]:
        x, y = trace.get("xaxis", "x"), trace.get("yaxis", "y")
        found[x + y] = (layout[x.replace("x", "xaxis")].get("domain", [0, 1]),
                        layout[y.replace("y", "yaxis")].get("domain", [0, 1]))
    return found


def assert_one_column(spec: dict, beside: set[str] = frozenset()) -> None:
    """Every subplot spans the width (but those `beside` one), and no two subplots share a height
    but those side by side on purpose."""
    spans = axes(spec)
    for ref, (x, _) in spans.items():
        if ref not in beside:
            assert x == [0, 1], (ref, x)
    heights = sorted({tuple(y) for _, y in spans.values()})
    for (low, high), (next_low, _) in zip(heights, heights[1:]):
        assert high <= next_low + 1e-9, heights


def assert_bars_in_bands(spec: dict) -> None:
    """Every colour bar is horizontal and lies between the subplots or below them, on none."""
    layout = spec["layout"]
    bars = [layout[k]["colorbar"] for k in layout if k.startswith("coloraxis")]
    assert bars
    for bar in bars:
        assert bar["orientation"] == "h"
        for _, (low, high) in axes(spec).values():
            assert not low < bar["y"] < high, (bar["y"], low, high)
        assert 0 <= bar["x"] - bar["len"] / 2 and bar["x"] + bar["len"] / 2 <= 1


def assert_controls_fit(spec: dict) -> None:
    """The slider under the buttons, across the width; the buttons from the left edge."""
    slider, buttons = spec["layout"]["sliders"][0], spec["layout"]["updatemenus"][0]
    assert slider["x"] == 0 and slider["len"] == 1
    assert slider["pad"]["t"] > buttons["pad"]["t"] and buttons["x"] == 0
    assert spec["layout"]["margin"]["b"] >= slider["pad"]["t"] + 40


def assert_title_inside(spec: dict) -> None:
    """The title's first line starts far enough down for a superscript, and its lines fit the top margin."""
    layout = spec["layout"]
    lines = layout["title"]["text"].count("<br>") + 1
    assert layout["title"]["yanchor"] == "top" and (1 - layout["title"]["y"]) * layout["height"] >= TITLE_PX
    assert layout["margin"]["t"] >= (1 - layout["title"]["y"]) * layout["height"] + 1.4 * TITLE_PX * lines


def assert_ticks_fit(spec: dict) -> None:
    """Every axis with planned tick labels has room for each of them on a phone."""
    for key, axis in spec["layout"].items():
        if key.startswith("xaxis") and axis.get("ticktext") and axis.get("showticklabels", True):
            share = axis.get("domain", [0, 1])[1] - axis.get("domain", [0, 1])[0]
            low, high = axis["range"]
            per_tick = share * PHONE_PLOT_PX / (high - low) * (axis["tickvals"][1] - axis["tickvals"][0]
                                                              if len(axis["tickvals"]) > 1 else high - low)
            widest = max(label_width(str(t), 12) for t in axis["ticktext"])
            assert widest <= per_tick, (key, widest, per_tick)


def assert_subplot_titles_fit(spec: dict) -> None:
    for note in spec["layout"].get("annotations", []):
        for line in note["text"].split("<br>"):
            assert label_width(line, 13) <= FIGURE_PX - 20, line


def assert_phone_animation(wide: dict, phone: dict) -> None:
    """An animation's phone layout: the wide one's frames, one column, colour bars in bands, and
    controls, title, ticks and subplot titles that fit the phone."""
    assert_same_frames(wide, phone)
    assert_one_column(phone)
    assert_bars_in_bands(phone)
    assert_controls_fit(phone)
    assert_title_inside(phone)
    assert_ticks_fit(phone)
    assert_subplot_titles_fit(phone)


@pytest.mark.parametrize("name, text", [("reverse-noattn", REVERSE), ("en-tr-noattn", SENTENCE)])
def test_the_encoder_decoder_on_a_phone_draws_the_same_numbers_in_one_column(name, text):
    wide, phone = both(encdec_charts.encoder_decoder_figure, shipped(name).translate(text))
    strip = 1  # the output tokens: their lines are planned for the phone's width
    assert_same_data(wide["data"], phone["data"], free=(strip,))
    assert_same_frames(wide, phone, free=(strip,), strip="x2")

    def columns(rows):  # the label each column shows, whatever its line
        return ["".join(column) for column in zip(*rows)]
    for w, p in zip(wide["frames"], phone["frames"]):
        if 1 in w["traces"]:
            wide_cols = columns(w["data"][w["traces"].index(1)]["text"])
            phone_cols = columns(p["data"][p["traces"].index(1)]["text"])
            assert all(shown in ("", label) for shown, label in zip(phone_cols, wide_cols))
    assert any(columns(phone["frames"][-1]["data"][0]["text"]))  # the last frame shows the output
    c_and_states = {"x4y4", "x5y5"}  # c sits beside the decoder states, which start from it
    assert_one_column(phone, beside=c_and_states)
    c, decoder = axes(phone)["x4y4"], axes(phone)["x5y5"]
    assert c[1] == decoder[1] and c[0][1] < decoder[0][0]
    assert_bars_in_bands(phone)
    assert_controls_fit(phone)
    assert_title_inside(phone)
    assert_ticks_fit(phone)
    assert_subplot_titles_fit(phone)
    assert phone["layout"]["height"] > wide["layout"]["height"]


@pytest.mark.parametrize("task, text", [("reverse", REVERSE), ("en-tr", SENTENCE)])
def test_the_side_by_side_on_a_phone_draws_the_same_numbers_with_its_bars_in_a_band(task, text):
    with_attention, without = shipped(f"{task}-attn"), shipped(f"{task}-noattn")
    wide, phone = both(encdec_charts.side_by_side_figure, with_attention.translate(text), without.translate(text),
                       split=without.target_tokens)
    strips = (1, 2)
    assert_same_data(wide["data"], phone["data"], free=strips)
    for index in strips:
        w, p = wide["data"][index], phone["data"][index]
        assert np.array_equal(array(w["z"]), array(p["z"]), equal_nan=True)
        cell = PHONE_PLOT_PX / len(array(w["z"])[0])
        for label, shown in zip(w["text"][0], p["text"][0]):
            assert shown in (label, "✗" if label.endswith(" ✗") else "", "")
            assert label_width(shown, PHONE_STRIP_FONT) + 2 <= cell
        assert p["textfont"]["size"] == PHONE_STRIP_FONT
    assert_phone_animation(wide, phone)


def test_a_marked_token_too_wide_for_its_cell_keeps_its_mark():
    reverse = shipped("reverse-noattn")
    trace = reverse.translate(REVERSE)
    phone = figure_dict(encdec_charts.side_by_side_figure(shipped("reverse-attn").translate(REVERSE), trace,
                                                          phone=True))
    wide = figure_dict(encdec_charts.side_by_side_figure(shipped("reverse-attn").translate(REVERSE), trace))
    marked = [k for k, label in enumerate(wide["data"][2]["text"][0]) if label.endswith(" ✗")]
    assert marked, "the plain model makes mistakes on this input"
    assert all(phone["data"][2]["text"][0][k] in ("✗", wide["data"][2]["text"][0][k]) for k in marked)


@pytest.mark.parametrize("first", [0, 30])
def test_the_unrolled_network_on_a_phone_draws_the_same_numbers_in_one_column(first):
    wide, phone = both(rnn_charts.unrolled_figure, shipped("lm-lstm").run(PROSE), first=first)
    assert_same_data(wide["data"], phone["data"])
    assert_phone_animation(wide, phone)
    units = phone["layout"]["yaxis2"]
    rows = (units["domain"][1] - units["domain"][0]) * (phone["layout"]["height"] - phone["layout"]["margin"]["t"]
                                                        - phone["layout"]["margin"]["b"])
    spacing = (units["tickvals"][1] - units["tickvals"][0]) * rows / len(array(phone["data"][1]["y"]))
    assert spacing >= 1.4 * 12 + 2  # unit numbers planned for the phone's height: a line each
    # the strips' text shows only when one character a column fits the phone's strip
    assert phone["data"][2]["texttemplate"] == ("%{text}" if 9.2 <= PHONE_PLOT_PX / (len(PROSE) - first) else "")


def test_the_generation_figure_of_the_cache_takes_the_phone_layout():
    from ui import cache

    args = ("lm-lstm", "To be, or not to be", 30, 0.8, 2)
    wide, phone = cache.get_generation_figure(*args), cache.get_generation_figure(*args, phone=True)
    assert wide is cache.get_generation_figure(*args, phone=False)  # one entry for the default written out
    assert figure_dict(phone)["layout"]["sliders"][0]["len"] == 1 != figure_dict(wide)["layout"]["sliders"][0]["len"]


def test_the_length_panels_stack_on_a_phone():
    cards = [c for c in list_models() if c.kind == "seq2seq"]
    wide, phone = both(encdec_charts.length_figure, cards)
    assert_same_data(wide["data"], phone["data"])
    assert [t.get("xaxis") for t in wide["data"]] == [t.get("xaxis") for t in phone["data"]]
    assert_one_column(phone)
    tasks = len({c.task for c in cards})
    assert len({tuple(y) for _, y in axes(phone).values()}) == tasks
    assert phone["layout"]["height"] > tasks * 200


def test_the_timing_panels_stack_on_a_phone_with_row_names_in_lines():
    timing = Timing(25, 26, 128, [
        Chain("RNN encoder-decoder, c = h^e_n (reverse-noattn): 25 encoder + 26 decoder steps", 51, 2.2),
        Chain("self-attention, one encoder layer: all 25 source positions at once", 1, 0.06)])
    wide, phone = both(encdec_charts.timing_figure, timing)
    assert_same_data(wide["data"], phone["data"])
    assert_one_column(phone)
    for axis in ("yaxis", "yaxis2"):
        names = phone["layout"][axis]["ticktext"]
        assert [unwrapped(n) for n in names] == list(phone["data"][0]["y"])
        assert all(label_width(line, 12) <= 150 for n in names for line in n.split("<br>"))
    assert_subplot_titles_fit(phone)


def test_the_gates_and_the_unit_over_the_text_put_their_colour_bars_under_the_plot():
    trace = shipped("lm-lstm").run(PROSE)
    for build, args in ((rnn_charts.gates_figure, (trace, 3)), (rnn_charts.unit_text_figure, (trace, 137))):
        wide, phone = both(build, *args)
        bars = [phone["layout"][k]["colorbar"] for k in phone["layout"] if k.startswith("coloraxis")]
        assert bars and all(b["orientation"] == "h" and b["y"] < 0 for b in bars)
        lows = sorted(b["x"] - b["len"] / 2 for b in bars)
        highs = sorted(b["x"] + b["len"] / 2 for b in bars)
        assert all(high <= low for high, low in zip(highs, lows[1:]))  # side by side, not on each other
        assert unwrapped(phone["layout"]["title"]["text"]) == wide["layout"]["title"]["text"]
        if build is rnn_charts.gates_figure:
            assert_same_data(wide["data"], phone["data"])
    wide, phone = both(rnn_charts.unit_text_figure, trace, 137)
    values = [array(spec["data"][0]["z"]).astype(float).ravel() for spec in (wide, phone)]
    assert np.array_equal(*(v[~np.isnan(v)] for v in values))  # the same values in reading order
    texts = [[t for row in spec["data"][0]["text"] for t in row if t] for spec in (wide, phone)]
    assert texts[0] == texts[1]
    columns = len(phone["data"][0]["text"][0])
    assert columns < len(wide["data"][0]["text"][0])
    assert max(label_width(t, 12) for t in texts[1]) + 2 <= (FIGURE_PX - 20) / columns


def test_the_line_charts_keep_their_lines_on_a_phone():
    reverse = shipped("reverse-noattn")
    wide, phone = both(encdec_charts.prefix_figure, {"reverse-noattn": growing_prefixes(reverse, "thequick")})
    assert_same_data(wide["data"], phone["data"])
    assert phone["layout"]["height"] < wide["layout"]["height"]
    assert label_width(phone["layout"]["xaxis"]["title"]["text"], 14) <= PHONE_PLOT_PX
    lm = shipped("lm-lstm")
    wide, phone = both(rnn_charts.gradient_figure, {"lm-lstm": lm.gradient_norms("To be, or not")},
                       list("To be, or not"))
    assert_same_data(wide["data"], phone["data"])
    assert phone["layout"]["height"] < wide["layout"]["height"]


@pytest.mark.parametrize("text", ["t = 4:  h<sub>4</sub> = f<sub>W</sub>(h<sub>3</sub>, x<sub>4</sub>)  →  next "
                                  "character: “:” (p = 0.425)", "a " * 80, "Antidisestablishmentarianism" * 3])
def test_wrap_keeps_every_word_and_fits_each_line(text):
    wrapped = wrap(text, 200)
    assert unwrapped(wrapped) == text
    for line in wrapped.split("<br>"):
        assert label_width(line, TITLE_PX) <= 200 or " " not in line.strip()
    assert wrap("short", 200) == "short"
