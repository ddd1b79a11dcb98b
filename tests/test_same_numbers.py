"""The shipped models compute the same numbers as when tests/data/fingerprint.json.gz was written
(`python tests/fingerprint.py write`): a change in core that is not meant to change what the
models compute must leave every traced number of every card example alone."""
import copy
import json

import torch

import fingerprint
from conftest import shipped


def test_every_card_example_gives_the_stored_numbers():
    stored = fingerprint.read()
    fresh = json.loads(json.dumps(fingerprint.compute()))  # the same float round trip as the stored file
    assert set(fresh) == set(stored), "the shipped models changed"
    diff = fingerprint.differences(stored, fresh)
    assert not diff, "numbers changed:\n" + "\n".join(diff[:40])


def test_the_fingerprint_sees_a_small_change_in_one_weight():
    model = shipped("dates-attn")
    text = model.card.examples[0]
    before = fingerprint.translation(model.translate(text))
    changed = copy.deepcopy(model)
    with torch.no_grad():
        changed.decoder_cell.weight_hh[3, 5] += 1e-3
    after = fingerprint.translation(changed.translate(text))
    assert not fingerprint.differences(before, fingerprint.translation(model.translate(text)))
    assert fingerprint.differences(before, after)


def test_the_fingerprint_sees_one_changed_element():
    values = torch.randn(40, 128).numpy()
    moved = values.copy()
    moved[17, 90] += 1e-4
    assert not fingerprint.differences(fingerprint.summary(values), fingerprint.summary(values.copy()))
    assert fingerprint.differences(fingerprint.summary(values), fingerprint.summary(moved))


def test_the_fingerprint_sees_a_changed_number_in_a_figure_frame_but_not_a_new_name():
    from figures import array, figure_dict
    from ui.charts import timeline_figure

    model = shipped("dates-attn")
    spec = figure_dict(timeline_figure(model.translate(model.card.examples[0])))
    before = fingerprint.figure(spec)
    renamed = copy.deepcopy(spec)
    for trace in renamed["data"]:
        trace["name"] = "renamed " + str(trace.get("name"))
    assert not fingerprint.differences(before, fingerprint.figure(renamed))
    moved = copy.deepcopy(spec)
    frame = next(f for f in moved["frames"][5:] if any("y" in t for t in f.get("data", [])))
    trace = next(t for t in frame["data"] if "y" in t)  # a bar of scores or weights at this frame
    y = array(trace["y"]).astype(float).copy()
    y.flat[0] += 1e-3
    trace["y"] = y.tolist()
    assert fingerprint.differences(before, fingerprint.figure(moved))
