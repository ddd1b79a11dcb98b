"""The attention timeline's two layouts (ui.charts.timeline_figure): wide, the whole animation with its
Play button in a 1280x720 first screen; phone, one column of panels at a 390-pixel window. Both draw
the same numbers with the same frames; only where the panels sit differs."""
import pytest

from conftest import SHIPPED, shipped
from figures import figure_dict
from ui.animation import PHONE_FIGURE_PX, label_width, stacked
from ui.charts import _Layout, timeline_figure
from ui.labels import plot_text, token_label

INPUTS = [("en-tr-attn", "I went to Boston last year."), ("reverse-attn", "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"),
          ("dates-attn", "Samstag, 24. Dezember 2016")]
INPUTS = [(name, text) for name, text in INPUTS if name in SHIPPED]


@pytest.fixture(scope="module", params=INPUTS, ids=[name for name, _ in INPUTS])
def both(request):
    name, text = request.param
    trace = shipped(name).translate(text)
    return trace, figure_dict(timeline_figure(trace)), figure_dict(timeline_figure(trace, phone=True))


def panels(spec: dict) -> dict[str, tuple[list[float], list[float]]]:
    """Each trace's subplot: (x domain, y domain), by trace name."""
    layout = spec["layout"]
    out = {}
    for trace in spec["data"]:
        x = "xaxis" + trace.get("xaxis", "x")[1:]
        y = "yaxis" + trace.get("yaxis", "y")[1:]
        out[trace["name"]] = (layout[x]["domain"], layout[y]["domain"])
    return out


def columns(rows: list[list[str]]) -> list[str]:
    """The output strip's label in each column, whichever of its lines it is on ('' if left out)."""
    return ["".join(column) for column in zip(*rows)]


def test_phone_and_wide_draw_the_same_traces_and_frames(both):
    """The same traces with the same numbers and the same frames; what may differ is layout: the
    output strip puts its labels on as many lines as its width needs (each label in its own
    column, or left out when none fits), its grey cover spans those lines, and the captions wrap."""
    trace, wide, phone = both
    names = [t["name"] for t in wide["data"]]
    assert names == [t["name"] for t in phone["data"]]
    strip = names.index("output tokens")
    tokens = [plot_text(token_label(t)) for t in trace.out_tokens]
    strip_ref = wide["data"][strip]["yaxis"]
    for a, b in zip(wide["data"], phone["data"]):
        if a["name"] == "output tokens":
            for spec in (a, b):
                assert all(label in ("", token) for label, token in zip(columns(spec["text"]), tokens))
            a, b = ({k: v for k, v in t.items() if k not in {"z", "y", "text", "textfont"}} for t in (a, b))
        assert a == b  # the same data and subplot references: the axes' domains are what differ
    assert len(wide["frames"]) == len(phone["frames"])
    for a, b in zip(wide["frames"], phone["frames"]):
        assert a["traces"] == b["traces"] and a["name"] == b["name"]
        for index, x, y in zip(a["traces"], a["data"], b["data"]):
            if index == strip:  # revealed up to the same step: a column shows its token or nothing
                for shown in (columns(x["text"]), columns(y["text"])):
                    assert all(label in ("", token) for label, token in zip(shown, tokens))
            else:
                assert x == y
        for p, q in zip(a["layout"]["shapes"], b["layout"]["shapes"]):
            same = ("xref", "yref", "x0", "x1", "visible") if p["yref"] == strip_ref else tuple(p)
            assert {k: p[k] for k in same} == {k: q[k] for k in same}
        assert b["layout"]["title"]["text"].replace("<br>", " ") == a["layout"]["title"]["text"]


def overlap(a, b) -> bool:
    (ax, ay), (bx, by) = a, b
    return ax[0] < bx[1] - 1e-9 and bx[0] < ax[1] - 1e-9 and ay[0] < by[1] - 1e-9 and by[0] < ay[1] - 1e-9


def test_wide_timeline_fits_under_the_controls_of_a_1280x720_screen(both):
    _, wide, _ = both
    assert wide["layout"]["height"] <= 440  # with the title, controls and output above it: 720 px (browser-tested)
    boxes = panels(wide)
    assert len(boxes) == 9
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not overlap(boxes[a], boxes[b]), (a, b)
    # three columns: the source side, the decoder side, the alignment above the top choices
    assert boxes["encoder states"][0] == boxes["scores"][0] == boxes["weights"][0]
    assert boxes["decoder states"][0] == boxes["context vectors"][0]
    assert boxes["alignment matrix"][0] == boxes["top choices"][0]
    assert boxes["encoder states"][0][1] < boxes["decoder states"][0][0] < boxes["alignment matrix"][0][0]


def test_phone_timeline_is_one_column_in_the_order_the_computation_runs(both):
    _, _, phone = both
    boxes = panels(phone)
    assert all(x == [0, 1] for x, _ in boxes.values())
    order = ["source tokens", "encoder states", "scores", "weights", "alignment matrix", "output tokens",
             "decoder states", "context vectors", "top choices"]
    tops = [boxes[name][1] for name in order]
    for upper, lower in zip(tops, tops[1:]):
        assert lower[1] < upper[0]  # each panel wholly below the one before, with a gap for its title


def test_phone_colour_bars_lie_under_their_panels_clear_of_the_next(both):
    _, _, phone = both
    boxes = panels(phone)
    layout = phone["layout"]
    for axis, panel, following in (("coloraxis", "context vectors", "top choices"),
                                   ("coloraxis2", "alignment matrix", "output tokens")):
        bar = layout[axis]["colorbar"]
        assert bar["orientation"] == "h" and bar["yanchor"] == "top"
        assert boxes[following][1][1] < bar["y"] < boxes[panel][1][0]


def test_phone_captions_are_wrapped_to_the_width_and_the_top_margin_holds_them(both):
    _, _, phone = both
    widest = PHONE_FIGURE_PX - 24
    lines = 1
    for frame in phone["frames"]:
        title = frame["layout"]["title"]["text"]
        for line in title.split("<br>"):
            assert label_width(line.rstrip(), 13) <= widest or " " not in line.strip(), line
        lines = max(lines, title.count("<br>") + 1)
    assert phone["layout"]["margin"]["t"] >= 18 * lines + 20


def test_stacked_domains_keep_the_gaps_and_sizes_in_pixels():
    domains = stacked([(0, 30), (20, 50)], 100)
    assert domains == [(0.7, 1.0), (0.0, 0.5)]


def test_the_grid_knows_each_panels_size_in_pixels():
    trace = shipped(INPUTS[0][0]).translate(INPUTS[0][1])
    grid = _Layout(trace)
    assert grid.height("enc") == pytest.approx(114, abs=0.5)
    assert grid.width("out_strip") > grid.width("dec")
    phone = _Layout(trace, phone=True)
    assert phone.width("enc") == phone.width("out_strip") < PHONE_FIGURE_PX - 60


@pytest.mark.parametrize("build", ["scores_figure", "weights_figure", "context_figure", "alignment_figure"])
def test_the_step_figures_on_a_phone_draw_the_same_numbers_with_a_colour_bar_off_the_plots(both, build):
    from ui import charts

    trace = both[0]
    wide = figure_dict(getattr(charts, build)(trace, 1))
    phone = figure_dict(getattr(charts, build)(trace, 1, phone=True))
    strip = {"textposition", "xaxis", "yaxis"}  # where a bar's value is written; the axes a trace is drawn on
    assert [{k: v for k, v in t.items() if k not in strip} for t in wide["data"]] == \
        [{k: v for k, v in t.items() if k not in strip} for t in phone["data"]]
    bar = phone["layout"].get("coloraxis", {}).get("colorbar")
    if bar is not None:  # horizontal, below every plot
        assert bar["orientation"] == "h"
        lowest = min(v["domain"][0] for k, v in phone["layout"].items() if k.startswith("yaxis") and "domain" in v) \
            if any(k.startswith("yaxis") and "domain" in v for k, v in phone["layout"].items()) else 0
        assert bar["y"] < lowest
