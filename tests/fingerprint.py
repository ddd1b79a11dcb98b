"""A fingerprint of every number the shipped models compute on their cards' examples.

    python tests/fingerprint.py write     # store it in tests/data/fingerprint.json.gz
    python tests/fingerprint.py check     # recompute and compare (what tests/test_same_numbers.py does)

For each shipped model and each example of its card: the encoder-decoders' traced `translate`
(greedy; attention models also with a temperature, a mask and a beam on the first example), the
single RNNs' `run` (language models also `generate` and `gradient_norms` on the first example).
On the first example also the numbers the app's figures draw (the attention timeline, the
encoder-decoder animation, the unrolled network), frames included. Tokens, outputs and top-k labels
are kept as they are; each array (per field, the steps stacked) is kept as its shape and a few
numbers that any change moves: sum, sum of absolute values, min, max, four projections on fixed
random directions and its first values. A change in the code that leaves the models' numbers alone
leaves the fingerprint alone.
"""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import list_models, load_model  # noqa: E402

FILE = ROOT / "tests" / "data" / "fingerprint.json.gz"
PROJECTIONS = 4
FIRST = 3


def summary(values) -> dict:
    """Shape and a few numbers that move with any element of `values` (computed in float64)."""
    a = np.asarray(values, dtype=np.float64)
    flat = a.ravel()
    directions = np.random.default_rng(flat.size).standard_normal((PROJECTIONS, flat.size))
    return {"shape": list(a.shape), "sum": float(flat.sum()), "abs": float(np.abs(flat).sum()),
            "min": float(flat.min()) if flat.size else 0.0, "max": float(flat.max()) if flat.size else 0.0,
            "proj": [float(v) for v in directions @ flat], "first": [float(v) for v in flat[:FIRST]]}


def _stack(rows: list) -> np.ndarray | None:
    rows = [r for r in rows if r is not None]
    return np.stack(rows) if rows else None


def translation(trace) -> dict:
    out = {"tokens": list(trace.src_tokens), "out_tokens": list(trace.out_tokens), "output": trace.output,
           "topk": [[t for t, _ in step.topk] for step in trace.steps],
           "topk_probs": summary([[p for _, p in step.topk] for step in trace.steps]),
           "encoder_states": summary(trace.encoder_states),
           "beam": [[h.tokens, round(h.logprob, 4)] for h in trace.beam],
           "baseline_output": trace.baseline_output, "changed_steps": list(trace.changed_steps)}
    if trace.encoder_cells is not None:
        out["encoder_cells"] = summary(trace.encoder_cells)
    for name in ("query", "scores", "scaled", "weights", "context", "state", "cell"):
        stacked = _stack([getattr(step, name) for step in trace.steps])
        if stacked is not None:
            out[name] = summary(stacked)
    return out


def recurrent(trace) -> dict:
    out = {"tokens": list(trace.tokens), "predictions": [s.prediction for s in trace.steps],
           "sampled": [s.sampled for s in trace.steps],
           "topk": [[t for t, _ in s.topk] for s in trace.steps],
           "topk_probs": summary([[p for _, p in s.topk] for s in trace.steps]),
           "embeddings": summary(trace.embeddings), "states": summary(trace.states),
           "probs": summary(np.stack([s.probs for s in trace.steps]))}
    for gate in trace.steps[0].gates:
        out["gate " + gate] = summary(np.stack([s.gates[gate] for s in trace.steps]))
    cells = _stack([s.cell for s in trace.steps])
    if cells is not None:
        out["cells"] = summary(cells)
    return out


NUMERIC_KEYS = ("x", "y", "z", "customdata")


def figure(fig) -> dict:
    """The numbers a figure draws: every numeric array of its traces and of its frames' traces
    (names, colours and layout left out: moving code may rename or restyle, never renumber)."""
    from figures import array, figure_dict

    def numbers(traces: list[dict]) -> dict:
        out = {}
        for k, trace in enumerate(traces):
            for key in NUMERIC_KEYS:
                if key not in trace or trace[key] is None:
                    continue
                try:
                    values = array(trace[key]).astype(np.float64)
                except (TypeError, ValueError):  # text (token labels), not numbers
                    continue
                if values.size:
                    out[f"{k} {key}"] = summary(values)
        return out

    spec = figure_dict(fig)
    frames = spec.get("frames", [])
    return {"data": numbers(spec["data"]), "frames": len(frames),
            "frame data": [numbers(frame.get("data", [])) for frame in frames]}


def figures(card, model, text: str) -> dict:
    """The app's figures of one input: the attention timeline (attention models), the
    encoder-decoder animation (plain ones), or a language model's unrolled network."""
    from ui import charts, encdec_charts, rnn_charts

    if card.kind == "seq2seq":
        trace = model.translate(text)
        if card.attention is None:
            return {"encoder-decoder": figure(encdec_charts.encoder_decoder_figure(trace))}
        return {"timeline": figure(charts.timeline_figure(trace))}
    if card.kind == "lm":
        return {"unrolled": figure(rnn_charts.unrolled_figure(model.run(text)))}
    return {}


def compute() -> dict:
    torch.set_num_threads(1)
    out = {}
    for card in list_models():
        model = load_model(card.name)
        runs = {}
        for k, text in enumerate(card.examples):
            if card.kind == "seq2seq":
                runs[f"translate {text}"] = translation(model.translate(text))
                if k == 0 and card.attention is not None:
                    n = len(model.translate(text).src_tokens)
                    runs[f"translate T=0.5 mask=[0] {text}"] = translation(
                        model.translate(text, temperature=0.5, mask=[0] if n > 1 else []))
                    runs[f"translate beam=3 {text}"] = translation(model.translate(text, beam=3))
            else:
                runs[f"run {text}"] = recurrent(model.run(text))
                if k == 0 and card.kind == "lm":
                    runs[f"generate {text}"] = recurrent(model.generate(text, length=40, temperature=0.8, seed=3))
                    runs[f"gradient_norms {text[:40]}"] = {"norms": summary(model.gradient_norms(text[:40]))}
            if k == 0:
                runs[f"figures {text}"] = figures(card, model, text)
        out[card.name] = runs
    return out


def write() -> None:
    FILE.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(compute(), ensure_ascii=False, sort_keys=True).encode()
    FILE.write_bytes(gzip.compress(data, mtime=0))


def read() -> dict:
    return json.loads(gzip.decompress(FILE.read_bytes()))


def _close(a: float, b: float, size: int) -> bool:
    # float32 values summed in float64: the same computation gives the same numbers; the tolerance
    # only forgives the last bits of float32 arithmetic
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b)) + 1e-6 * size ** 0.5


def differences(stored, fresh, where: str = "") -> list[str]:
    """What differs between two fingerprints (or parts of them), each as a readable line."""
    if isinstance(stored, dict) and "shape" in stored and "proj" in stored:
        if not isinstance(fresh, dict) or fresh.get("shape") != stored["shape"]:
            return [f"{where}: shape {stored['shape']} -> {fresh.get('shape') if isinstance(fresh, dict) else fresh}"]
        size = int(np.prod(stored["shape"])) if stored["shape"] else 1
        pairs = [("sum", stored["sum"], fresh["sum"]), ("abs", stored["abs"], fresh["abs"]),
                 ("min", stored["min"], fresh["min"]), ("max", stored["max"], fresh["max"])]
        pairs += [(f"proj[{i}]", a, b) for i, (a, b) in enumerate(zip(stored["proj"], fresh["proj"]))]
        pairs += [(f"first[{i}]", a, b) for i, (a, b) in enumerate(zip(stored["first"], fresh["first"]))]
        bad = [f"{name} {a:.7g} -> {b:.7g}" for name, a, b in pairs if not _close(a, b, size)]
        return [f"{where}: " + ", ".join(bad)] if bad else []
    if isinstance(stored, dict) and isinstance(fresh, dict):
        out = [f"{where}/{key}: missing now" for key in stored if key not in fresh]
        out += [f"{where}/{key}: new" for key in fresh if key not in stored]
        for key in stored:
            if key in fresh:
                out += differences(stored[key], fresh[key], f"{where}/{key}")
        return out
    return [] if stored == fresh else [f"{where}: {str(stored)[:200]} -> {str(fresh)[:200]}"]


def main(argv: list[str]) -> int:
    if argv[1:] == ["write"]:
        write()
        print(f"wrote {FILE} ({FILE.stat().st_size:,} bytes)")
        return 0
    if argv[1:] == ["check"]:
        diff = differences(read(), json.loads(json.dumps(compute())))
        print("\n".join(diff) if diff else "the same numbers")
        return 1 if diff else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
