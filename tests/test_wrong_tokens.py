"""Wrong tokens marked against a known answer for subword outputs too: a translation's tokens are
compared with the closest human reference, split by the model's own target splitter."""
import json

import pytest

from conftest import SHIPPED, shipped
from ui import encdec_charts

pytestmark = pytest.mark.skipif(not {"en-tr-attn", "en-tr-noattn"} <= set(SHIPPED), reason="the en-tr pair")


def samples(name: str) -> list[dict]:
    return next(c for c in encdec_charts.list_models() if c.name == name).samples


def test_a_translation_is_compared_with_its_closest_reference_in_the_models_own_tokens():
    model = shipped("en-tr-noattn")
    checked = 0
    for sample in samples("en-tr-noattn"):
        trace = model.translate(sample["input"])
        reference = encdec_charts.known_answer(trace, model.target_tokens)
        candidates = [model.target_tokens(r) for r in sample.get("references") or [sample["reference"]]]
        assert reference in candidates  # a real reference, in the decoder's own pieces
        fewest = min(sum(encdec_charts.wrong_marks(trace.out_tokens, c)) for c in candidates)
        marks = encdec_charts.wrong_marks(trace.out_tokens, reference)
        assert sum(marks) == fewest
        if trace.output == sample["reference"]:
            assert not any(marks)
        checked += 1
    assert checked >= 10


def test_the_note_says_a_translation_differs_and_counts_the_marked_tokens():
    model = shipped("en-tr-noattn")
    wrong = next(s for s in samples("en-tr-noattn") if model.translate(s["input"]).output not in
                 (s.get("references") or [s["reference"]]))
    trace = model.translate(wrong["input"])
    note = encdec_charts.answer_note(trace, model.target_tokens)
    marks = encdec_charts.wrong_marks(trace.out_tokens, encdec_charts.known_answer(trace, model.target_tokens))
    assert note.startswith(f"{sum(marks)} of {len(marks)} tokens differ from the closest human reference")
    assert encdec_charts.answer_note(trace) is None  # without the model's splitter, subword outputs are not compared


def test_the_side_by_side_figure_marks_subword_tokens_with_the_splitter():
    attn, plain = shipped("en-tr-attn"), shipped("en-tr-noattn")
    wrong = next(s for s in samples("en-tr-noattn") if plain.translate(s["input"]).output not in
                 (s.get("references") or [s["reference"]]))
    a, p = attn.translate(wrong["input"]), plain.translate(wrong["input"])
    spec = json.loads(encdec_charts.side_by_side_figure(a, p, split=plain.target_tokens).to_json())
    strip = next(t for t in spec["data"] if t.get("name") == "without attention: output")
    shown = strip["text"][0]
    marks = encdec_charts.wrong_marks(p.out_tokens, encdec_charts.known_answer(p, plain.target_tokens))
    assert [label.endswith(" ✗") for label in shown] == marks and any(marks)
