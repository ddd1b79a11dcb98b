"""The plain record of one translation: every intermediate value the model computed.

Numpy arrays and plain Python values only, so a view can read it without torch and it
round-trips through JSON exactly (float32 values survive the trip unchanged).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

import numpy as np

_STEP_ARRAYS = ("query", "scores", "weights", "context", "state", "cell", "scaled")
_TRACE_ARRAYS = ("encoder_states", "encoder_cells")


@dataclass
class DecoderStep:
    """Decoder step i (0-based here; the lecture's i = index + 1)."""

    index: int
    input_token: str  # y_{i-1}; "<s>" at the first step
    query: np.ndarray  # (H,) h^d_{i-1}, the previous decoder state
    scores: np.ndarray | None  # (n,) step 1, before temperature; None without attention
    weights: np.ndarray | None  # (n,) step 2; exactly 0 at masked positions
    context: np.ndarray  # (H,) step 3: c_i (without attention: c = h^e_n)
    state: np.ndarray  # (H,) h^d_i
    topk: list[tuple[str, float]]  # the output distribution's most probable tokens
    token: str  # y_i, the token chosen at this step
    cell: np.ndarray | None = None  # (H,) LSTM cell state c^d_i
    scaled: np.ndarray | None = None  # (n,) score / T as softmax read it (before the mask); None without attention


@dataclass
class Hypothesis:
    """One finished (or cut-off) hypothesis of beam search."""

    tokens: list[str]
    logprob: float  # sum of log-probabilities of its tokens
    score: float  # logprob / number of tokens: what the beam ranks by
    text: str = ""  # its tokens as output text


@dataclass
class Trace:
    model: str
    score_function: str | None  # 'dot' | 'general' | 'additive'; None without attention
    cell: str
    src_text: str  # the input as typed
    src_pieces: list[str]  # the normalised input split into tokens, before <unk> mapping
    src_tokens: list[str]  # what the encoder saw: src_pieces with <unk> for unknown ones
    encoder_states: np.ndarray  # (n, H) h^e_1 .. h^e_n
    steps: list[DecoderStep]
    out_tokens: list[str]  # one per step, the end token included
    output: str  # detokenised, without the end token
    temperature: float = 1.0
    mask: list[int] = field(default_factory=list)  # source positions hidden from attention
    beam: list[Hypothesis] = field(default_factory=list)  # best first; [] for greedy
    baseline_output: str | None = None  # with a mask: the output without it
    changed_steps: list[int] = field(default_factory=list)  # with a mask: steps whose token changed
    truncated: bool = False  # the input was longer than the model's length cap
    warnings: list[str] = field(default_factory=list)  # readable notes about the input
    encoder_cells: np.ndarray | None = None  # (n, H) LSTM cell states
    src_level: str = "char"  # how the tokens split the text: 'char' | 'word' | 'piece' (core.pieces)
    tgt_level: str = "char"
    bidirectional: bool = False  # the encoder read both ways: h^e_j = [forward h_j ; backward h_j]

    @property
    def attention(self) -> np.ndarray | None:
        """(m, n) alignment matrix: row i holds the weights of step i; None without attention."""
        if self.score_function is None:
            return None
        return np.stack([step.weights for step in self.steps])

    def to_dict(self) -> dict:
        return _to_plain(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> "Trace":
        data = dict(data)
        data["steps"] = [DecoderStep(**_from_plain(s, _STEP_ARRAYS)) for s in data["steps"]]
        data["beam"] = [Hypothesis(**h) for h in data.get("beam", [])]
        return cls(**_from_plain(data, _TRACE_ARRAYS))

    @classmethod
    def from_json(cls, text: str) -> "Trace":
        return cls.from_dict(json.loads(text))


def _to_plain(record) -> dict:
    out = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, list) and value and hasattr(value[0], "__dataclass_fields__"):
            value = [_to_plain(v) for v in value]
        elif f.name == "topk":
            value = [[token, prob] for token, prob in value]
        out[f.name] = value
    return out


def _from_plain(data: dict, array_fields: tuple[str, ...]) -> dict:
    out = dict(data)
    for name in array_fields:
        if out.get(name) is not None:
            out[name] = np.asarray(out[name], dtype=np.float32)
    if "topk" in out:
        out["topk"] = [(token, float(prob)) for token, prob in out["topk"]]
    return out
