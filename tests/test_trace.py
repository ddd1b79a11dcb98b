"""The Trace is a plain record: numpy and Python values only, exact JSON round trip."""
import json

import numpy as np

from core import Trace
from core.text import tokenize

from conftest import example_inputs


def _plain(value) -> bool:
    if isinstance(value, (str, int, float, bool, type(None), np.ndarray)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return all(_plain(getattr(value, f)) for f in value.__dataclass_fields__)
    return False


def test_trace_holds_plain_values_and_round_trips_json(model):
    text = example_inputs(model, 1)[0]
    for trace in (model.translate(text), model.translate(text, beam=3)):
        assert _plain(trace)
        text_json = trace.to_json()
        json.loads(text_json)
        again = Trace.from_json(text_json)
        assert again.to_json() == text_json
        np.testing.assert_array_equal(again.encoder_states, trace.encoder_states)
        assert again.encoder_states.dtype == np.float32
        for a, b in zip(again.steps, trace.steps):
            np.testing.assert_array_equal(a.state, b.state)
            np.testing.assert_array_equal(a.query, b.query)
            if b.weights is not None:
                np.testing.assert_array_equal(a.weights, b.weights)
            assert a.topk == b.topk and a.token == b.token
        assert again.output == trace.output and again.beam == trace.beam
        if trace.attention is not None:
            np.testing.assert_array_equal(again.attention, trace.attention)


def test_output_is_the_detokenised_steps_without_end_token(model):
    trace = model.translate(example_inputs(model, 1)[0])
    assert trace.out_tokens[-1] == "</s>" or len(trace.steps) == model.config.max_tgt_len
    content = [t for t in trace.out_tokens if t != "</s>"]
    if model.config.tgt_level == "char":
        assert trace.output == "".join(content)
    elif model.config.tgt_level == "piece":  # a bare piece starts a word, a "·" piece continues one
        assert trace.output == "".join(t[1:] if t.startswith("·") else " " + t for t in content).strip()
    else:
        assert tokenize(trace.output, "word") == content
