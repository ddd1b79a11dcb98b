"""The lecture's single recurrent network, h_t = f_W(h_{t-1}, x_t), with a head on every h_t.

One embedding, one recurrent layer (rnn | gru | lstm), one linear head. Three uses (the
lecture's "RNN architectures"):

    lm          language modeling: the head on h_t gives p(x_{t+1} | x_1..x_t); generation
                samples a token and feeds it back as the next input
    tagger      sequence labeling: one label per token from h_t
    classifier  sequence classification: one label for the text from the last state h_n
                (the same head on every h_t shows the prediction forming token by token)

Training, evaluation, the traced run (`run`, `generate`) and the gradient norms all step through
core.recurrent.cell_step, which spells out the cell's equations and returns every gate: the
numbers the app shows are the numbers the model was trained with, by construction.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from .options import GENERATE_MAX, SEED_MAX, TEMPERATURE_MAX, TEMPERATURE_MIN
from .recurrent import CELL_TYPES, CellWeights, State, cell_step, hidden_of, run_cells, zero_state
from .text import check_text, normalize, tokenize
from .vocab import PAD_ID, UNK, Vocab

KINDS = ("lm", "tagger", "classifier")
TOPK = 5
# gradient_norms costs one forward-mode pass per embedding dimension through n steps (n = 2000: 6-15 s
# and 150 MB); the long-term dependency demonstration needs far fewer
MAX_GRADIENT_TOKENS = 120


@dataclass
class RNNConfig:
    """Everything needed to rebuild a recurrent model; stored inside its checkpoint card."""

    name: str
    task: str
    kind: str  # one of KINDS
    vocab: list[str]  # input tokens, the four specials first
    labels: list[str]  # what the head predicts: the vocabulary itself for a language model
    cell: str = "gru"
    embed_dim: int = 32
    hidden: int = 128
    dropout: float = 0.0
    level: str = "char"  # 'char' | 'word'
    lowercase: bool = False
    max_len: int = 500  # longer inputs are cut to this many tokens

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; choose one of {KINDS}")
        if self.cell not in CELL_TYPES:
            raise ValueError(f"unknown cell {self.cell!r}; choose one of {CELL_TYPES}")
        for key in ("embed_dim", "hidden", "max_len"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
                raise ValueError(f"{key} must be a whole number from 1 to 100000, not {value!r}")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be a number in [0, 1), not {self.dropout!r}")
        if self.level not in ("char", "word"):
            raise ValueError(f"level must be 'char' or 'word', not {self.level!r}")
        Vocab(self.vocab)
        if not isinstance(self.labels, list) or not self.labels or not all(isinstance(t, str) for t in self.labels) \
                or len(set(self.labels)) != len(self.labels):
            raise ValueError("labels must be a non-empty list of distinct strings")
        if self.kind == "lm" and self.labels != self.vocab:
            raise ValueError("a language model predicts its own vocabulary: labels must equal vocab")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RNNStep:
    """Time step t (0-based here; the lecture's t = index + 1)."""

    index: int
    token: str  # x_t as the model read it (<unk> visible)
    state: np.ndarray  # (H,) h_t
    gates: dict[str, np.ndarray]  # core.recurrent.GATES[cell], each (H,)
    probs: np.ndarray  # (L,) the head's distribution from h_t
    topk: list[tuple[str, float]]
    prediction: str  # the most probable label (lm: the most probable next token)
    cell: np.ndarray | None = None  # (H,) LSTM c_t
    generated: bool = False  # lm generation: x_t is a token the model sampled and fed back
    sampled: str | None = None  # lm generation: the token drawn from this step's distribution


@dataclass
class RNNTrace:
    model: str
    kind: str
    cell: str
    text: str  # as typed
    pieces: list[str]  # the normalised text split into tokens
    tokens: list[str]  # what the network read: pieces with <unk> for unknown ones
    labels: list[str]  # the head's label set (lm: the vocabulary)
    embeddings: np.ndarray  # (n, E) x_t, the embedding of each token read
    steps: list[RNNStep]
    temperature: float = 1.0  # lm generation only
    seed: int | None = None  # lm generation only
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def states(self) -> np.ndarray:
        """(n, H) h_1 .. h_n"""
        return np.stack([step.state for step in self.steps])

    @property
    def prediction(self) -> str:
        """classifier: the label from the last state; tagger and lm: the last step's prediction."""
        return self.steps[-1].prediction

    @property
    def generated_text(self) -> str:
        """lm generation: the sampled continuation, in order."""
        return "".join(s.sampled for s in self.steps if s.sampled is not None)


class RecurrentModel(nn.Module):
    def __init__(self, config: RNNConfig):
        super().__init__()
        self.config = config
        self.vocab = Vocab(config.vocab)
        E, H = config.embed_dim, config.hidden
        self.embed = nn.Embedding(len(self.vocab), E, padding_idx=PAD_ID)
        self.rnn = CellWeights(config.cell, E, H)  # torch's names: checkpoints of nn.GRU etc. load
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(H, len(config.labels))
        self.card = None  # the ModelCard, set by core.checkpoint.load_model

    @property
    def name(self) -> str:
        return self.config.name

    # ---- every path: core.recurrent.cell_step, one token at a time ---------------------------
    def forward(self, ids: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """ids (B, T) -> (logits (B, T, L) from every h_t, states (B, T, H)); training and evaluation."""
        if state is None:
            state = self.zero_state(ids.size(0))
        states, _ = run_cells(self.config.cell, self.params(), self.dropout(self.embed(ids)), state)  # (B, T, H)
        return self.head(self.dropout(states)), states

    def params(self) -> dict[str, torch.Tensor]:
        return self.rnn.params()

    def zero_state(self, batch: int = 1) -> State:
        return zero_state(self.config.cell, self.config.hidden, batch)

    def pieces(self, text: str) -> list[str]:
        """The tokens the network reads. Language models read text as written (line breaks are
        part of a play's layout; only CR LF and tabs are normalised); the others read
        core.text's normalised tokens, exactly as in training."""
        if self.config.kind == "lm":
            return lm_pieces(text)
        return tokenize(normalize(text, self.config.lowercase), self.config.level)

    def _read(self, text: str) -> tuple[list[str], list[int], bool, list[str]]:
        pieces = self.pieces(check_text(text))
        if not pieces:
            raise ValueError("The input is empty: type a few characters or words.")
        warnings = []
        truncated = len(pieces) > self.config.max_len
        if truncated:
            warnings.append(f"The input has {len(pieces)} tokens; only the first {self.config.max_len} "
                            "were read (this model's length limit).")
            pieces = pieces[: self.config.max_len]
        ids = self.vocab.encode(pieces)
        unknown = sorted({p for p, i in zip(pieces, ids) if self.vocab.tokens[i] == UNK})
        if unknown:
            shown = " ".join(repr(p) for p in unknown[:8]) + (" ..." if len(unknown) > 8 else "")
            warnings.append(f"{len(unknown)} token(s) are not in this model's vocabulary and were read as "
                            f"{UNK}: {shown}")
        return pieces, ids, truncated, warnings

    def _step(self, token_id: int, state: State, params: dict, index: int, generated: bool = False
              ) -> tuple[State, RNNStep, torch.Tensor, torch.Tensor]:
        x = self.embed(torch.tensor([token_id]))  # (1, E)
        new, gates = cell_step(self.config.cell, params, x, state)
        h = hidden_of(new)  # (1, H)
        logits = self.head(h)[0]  # (L,)
        probs = torch.softmax(logits, dim=-1)
        top = torch.topk(probs, min(TOPK, probs.numel()))
        labels = self.config.labels
        step = RNNStep(
            index=index, token=self.vocab.tokens[token_id], state=h[0].numpy().copy(),
            gates={k: v[0].numpy().copy() for k, v in gates.items()},
            probs=probs.numpy().copy(),
            topk=[(labels[int(j)], float(p)) for p, j in zip(top.values, top.indices)],
            prediction=labels[int(top.indices[0])],
            cell=new[1][0].numpy().copy() if isinstance(new, tuple) else None, generated=generated)
        return new, step, x[0], logits

    @torch.inference_mode()
    def run(self, text: str) -> RNNTrace:
        """Read `text` one token at a time and record every step. Raises ValueError with a
        readable message for input it cannot run; unknown tokens become visible <unk>s and
        over-long inputs are cut to the model's length limit (both noted in warnings)."""
        pieces, ids, truncated, warnings = self._read(text)
        was_training = self.training
        self.eval()
        try:
            params, state, steps, xs = self.params(), self.zero_state(), [], []
            for t, token_id in enumerate(ids):
                state, step, x, _ = self._step(token_id, state, params, t)
                steps.append(step)
                xs.append(x)
        finally:
            self.train(was_training)
        return RNNTrace(model=self.name, kind=self.config.kind, cell=self.config.cell, text=text, pieces=pieces,
                        tokens=self.vocab.decode(ids), labels=list(self.config.labels),
                        embeddings=torch.stack(xs).numpy().copy(), steps=steps, truncated=truncated,
                        warnings=warnings)

    @torch.inference_mode()
    def generate(self, prompt: str, length: int = 200, temperature: float = 1.0, seed: int = 0) -> RNNTrace:
        """Language models: read the prompt, then sample `length` tokens from
        softmax(logits / temperature), each fed back as the next input. The trace holds the
        prompt's steps and one step per token fed back (generated=True)."""
        if self.config.kind != "lm":
            raise ValueError("Only language models generate text.")
        length, temperature, seed = _generation_options(length, temperature, seed)
        pieces, ids, truncated, warnings = self._read(prompt)
        generator = torch.Generator().manual_seed(seed)
        was_training = self.training
        self.eval()
        try:
            params, state, steps, xs = self.params(), self.zero_state(), [], []
            token_id, generated = ids[0], False
            for t in range(len(ids) + length - 1):
                if t < len(ids):
                    token_id = ids[t]
                state, step, x, logits = self._step(token_id, state, params, t, generated)
                steps.append(step)
                xs.append(x)
                if t >= len(ids) - 1:  # sample the next input from this step's distribution
                    sample = torch.softmax(logits / temperature, dim=-1)
                    sample[:4] = 0  # never the special tokens
                    token_id = int(torch.multinomial(sample / sample.sum(), 1, generator=generator))
                    step.sampled, generated = self.vocab.tokens[token_id], True
        finally:
            self.train(was_training)
        return RNNTrace(model=self.name, kind="lm", cell=self.config.cell, text=prompt, pieces=pieces,
                        tokens=[s.token for s in steps], labels=list(self.config.labels),
                        embeddings=torch.stack(xs).numpy().copy(), steps=steps, temperature=temperature,
                        seed=seed, truncated=truncated, warnings=warnings)

    def gradient_norms(self, text: str) -> np.ndarray:
        """||dh_t / dx_1||_F for t = 1..n on `text`: how much the first input still moves the
        state t steps later (the lecture's long-term dependency problem). Forward-mode autograd
        through cell_step: one pass per embedding dimension, batched. At most MAX_GRADIENT_TOKENS
        tokens (ValueError beyond)."""
        count = len(self.pieces(check_text(text)))
        if count > MAX_GRADIENT_TOKENS:
            raise ValueError(f"The gradient norms are computed for at most {MAX_GRADIENT_TOKENS} tokens; this text "
                             f"has {count:,}. Pass a shorter text.")
        _, ids, _, _ = self._read(text)
        params = {k: v.detach() for k, v in self.params().items()}
        with torch.no_grad():
            xs = self.embed(torch.tensor(ids)).detach()  # (n, E)
        cell = self.config.cell

        def states_from(first: torch.Tensor) -> torch.Tensor:
            state = self.zero_state()
            hs = []
            for t in range(len(ids)):
                x = first.unsqueeze(0) if t == 0 else xs[t : t + 1]
                state, _ = cell_step(cell, params, x, state)
                hs.append(hidden_of(state)[0])
            return torch.stack(hs)  # (n, H)

        jacobian = torch.func.jacfwd(states_from)(xs[0])  # (n, H, E)
        return torch.linalg.matrix_norm(jacobian).numpy()  # (n,)


def lm_pieces(text: str) -> list[str]:
    """Characters of a language model's text: NFC, CR LF and CR as LF, tabs as spaces."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return list(text)


def _generation_options(length: object, temperature: object, seed: object) -> tuple[int, float, int]:
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or not 1 <= length <= GENERATE_MAX:
        raise ValueError(f"The length must be a whole number from 1 to {GENERATE_MAX}.")
    try:
        temperature = float(temperature)
    except (TypeError, ValueError):
        raise ValueError("The temperature must be a number.") from None
    if not math.isfinite(temperature) or not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        raise ValueError(f"The temperature must be a number from {TEMPERATURE_MIN} to {TEMPERATURE_MAX}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= SEED_MAX:
        raise ValueError(f"The seed must be a whole number from 0 to {SEED_MAX}.")
    return int(length), temperature, int(seed)
