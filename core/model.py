"""The lecture's RNN encoder-decoder, with and without attention, in one small file.

Encoder:  h^e_j = f_W(h^e_{j-1}, x_j)                       (rnn | gru | lstm, one layer)
Decoder:  h^d_0 = h^e_n
          no attention:  c_i = c = h^e_n at every step
          attention:     c_i = attend(query = h^d_{i-1}, encoder states)   (core.attention)
          h^d_i = g(y_{i-1}, h^d_{i-1}, c_i)                 (the cell reads [embed(y_{i-1}); c_i])
          p(y_i) = softmax(W_o tanh(W_r [h^d_i; c_i] + b_r) + b_o)

`decode_step` is the single decoder step: teacher-forced training, batched greedy decoding,
beam search and the traced inference the app shows all call it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .attention import SCORE_FUNCTIONS, Scorer, attend
from .decode import translate
from .pieces import PieceModel, join_pieces
from .recurrent import CELL_TYPES, SEQUENCE_RNN, STEP_CELL, Encoded, State, hidden_of
from .text import detokenize, normalize, source_pieces, target_pieces
from .vocab import BOS, BOS_ID, EOS, EOS_ID, PAD, PAD_ID, Vocab

if TYPE_CHECKING:
    from .trace import Trace

LEVELS = ("char", "word", "piece")


@dataclass
class ModelConfig:
    """Everything needed to rebuild a model; stored inside its checkpoint card."""

    name: str
    task: str
    src_vocab: list[str]
    tgt_vocab: list[str]
    cell: str = "gru"
    attention: str | None = "dot"  # one of SCORE_FUNCTIONS, or None for the plain encoder-decoder
    embed_dim: int = 64
    hidden: int = 128
    dropout: float = 0.0
    src_level: str = "char"  # 'char' | 'word' | 'piece' (subword pieces, core.pieces)
    tgt_level: str = "char"
    # True: the encoder reads both ways and h^e_j = [forward h_j ; backward h_j] (each half H/2 units),
    # so h^e_j describes x_j in its whole sentence; h^d_0 = h^e_n stays the lecture's
    bidirectional: bool = False
    lowercase: bool = True  # applied by core.text.normalize before tokenising
    drop_spaces: bool = False  # remove spaces from the source (tasks on symbol strings)
    max_src_len: int = 64  # longer inputs are cut to this many tokens
    max_tgt_len: int = 32  # decoding stops after this many steps
    length_buckets: list[list[int]] = field(default_factory=list)  # [lo, hi] source lengths

    def __post_init__(self):
        if self.cell not in CELL_TYPES:
            raise ValueError(f"unknown cell {self.cell!r}; choose one of {CELL_TYPES}")
        if self.attention is not None and self.attention not in SCORE_FUNCTIONS:
            raise ValueError(f"unknown attention {self.attention!r}; choose one of {SCORE_FUNCTIONS} or None")
        for key in ("embed_dim", "hidden", "max_src_len", "max_tgt_len"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
                raise ValueError(f"{key} must be a whole number from 1 to 100000, not {value!r}")
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be a number in [0, 1), not {self.dropout!r}")
        for key in ("src_level", "tgt_level"):
            if getattr(self, key) not in LEVELS:
                raise ValueError(f"{key} must be one of {LEVELS}, not {getattr(self, key)!r}")
        if not isinstance(self.bidirectional, bool):
            raise ValueError(f"bidirectional must be true or false, not {self.bidirectional!r}")
        if self.bidirectional and (self.cell == "lstm" or self.hidden % 2):
            raise ValueError("a bidirectional encoder needs a GRU or Elman cell and an even hidden size")
        for key in ("src_vocab", "tgt_vocab"):
            tokens = getattr(self, key)
            if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
                raise ValueError(f"{key} must be a list of strings")
            Vocab(tokens)  # specials first, no repeats

    def to_dict(self) -> dict:
        return asdict(self)


class StepOutput(NamedTuple):
    logits: torch.Tensor  # (B, V)
    state: State  # h^d_i, or (h^d_i, c^d_i) for LSTM
    query: torch.Tensor  # (B, H) h^d_{i-1}
    scores: torch.Tensor | None  # (B, n)
    weights: torch.Tensor | None  # (B, n)
    context: torch.Tensor  # (B, H)


class Seq2Seq(nn.Module):
    def __init__(self, config: ModelConfig, piece_models: dict[str, PieceModel] | None = None):
        """piece_models: {"source": ..., "target": ...} for the sides whose level is 'piece'."""
        super().__init__()
        self.config = config
        self.piece_models = dict(piece_models or {})
        for side, level in (("source", config.src_level), ("target", config.tgt_level)):
            if level == "piece" and side not in self.piece_models:
                raise ValueError(f"a model with {side} pieces needs the {side} piece model")
        self.src_vocab = Vocab(config.src_vocab)
        self.tgt_vocab = Vocab(config.tgt_vocab)
        E, H = config.embed_dim, config.hidden
        self.src_embed = nn.Embedding(len(self.src_vocab), E, padding_idx=PAD_ID)
        if config.bidirectional:  # two directions of H/2 units; their states are concatenated
            self.encoder = SEQUENCE_RNN[config.cell](E, H // 2, batch_first=True, bidirectional=True)
        else:
            self.encoder = SEQUENCE_RNN[config.cell](E, H, batch_first=True)
        self.tgt_embed = nn.Embedding(len(self.tgt_vocab), E, padding_idx=PAD_ID)
        self.decoder_cell = STEP_CELL[config.cell](E + H, H)
        self.scorer = Scorer(config.attention, H) if config.attention else None
        self.readout = nn.Linear(2 * H, H)
        self.generator = nn.Linear(H, len(self.tgt_vocab))
        self.dropout = nn.Dropout(config.dropout)
        self.card = None  # the ModelCard, set by core.checkpoint.load_model

    # ---- text <-> tokens ---------------------------------------------------------------------
    def source_tokens(self, text: str) -> list[str]:
        """Normalise and split a source text exactly as the encoder reads it (before the length cap)."""
        config = self.config
        if config.src_level == "piece":
            return self.piece_models["source"].split(normalize(text, config.lowercase))
        return source_pieces(text, config.src_level, config.lowercase, config.drop_spaces)

    def target_tokens(self, text: str) -> list[str]:
        """Split a reference output into the decoder's tokens (targets keep their case)."""
        if self.config.tgt_level == "piece":
            return self.piece_models["target"].split(normalize(text, lowercase=False))
        return target_pieces(text, self.config.tgt_level)

    def output_text(self, tokens: list[str]) -> str:
        """The text a decoder produced: its tokens up to the end token, special tokens other than
        <unk> left out (<unk> stays visible), detokenised."""
        content = []
        for token in tokens:
            if token == EOS:
                break
            if token not in (PAD, BOS):
                content.append(token)
        if self.config.tgt_level == "piece":
            return join_pieces(content)
        return detokenize(content, self.config.tgt_level)

    # ---- encoder -------------------------------------------------------------------------
    def encode(self, src: torch.Tensor, src_len: torch.Tensor) -> Encoded:
        """src (B, n) ids padded with PAD_ID; src_len (B,) true lengths."""
        embedded = self.dropout(self.src_embed(src))  # (B, n, E)
        packed = pack_padded_sequence(embedded, src_len.cpu(), batch_first=True, enforce_sorted=False)
        out, final = self.encoder(packed)
        states, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))  # (B, n, H)
        if self.config.bidirectional:  # h^e_n: both directions' states at each sequence's last token
            final = states[torch.arange(src.size(0)), src_len - 1]  # (B, H)
        elif isinstance(final, tuple):
            final = (final[0][0], final[1][0])  # ((B, H), (B, H))
        else:
            final = final[0]  # (B, H)
        visible = torch.arange(src.size(1)).unsqueeze(0) < src_len.unsqueeze(1)  # (B, n)
        return Encoded(states, final, visible)

    def encoder_step(self, token: torch.Tensor, state: State | None = None) -> State:
        """One encoder step h^e_j = f_W(h^e_{j-1}, x_j) with the same weights as `encode`.
        token (B,); returns the new state ((B, H), or (h, c) for LSTM). Left-to-right encoders only."""
        if self.config.bidirectional:
            raise ValueError("a bidirectional encoder cannot run one token at a time")
        embedded = self.src_embed(token).unsqueeze(1)  # (B, 1, E)
        if state is not None:
            state = tuple(s.unsqueeze(0) for s in state) if isinstance(state, tuple) else state.unsqueeze(0)
        _, new = self.encoder(embedded, state)
        return (new[0][0], new[1][0]) if isinstance(new, tuple) else new[0]

    # ---- decoder -------------------------------------------------------------------------
    def decode_step(self, prev_token: torch.Tensor, state: State, encoded: Encoded,
                    visible: torch.Tensor | None = None, temperature: float = 1.0) -> StepOutput:
        """One decoder step i. prev_token (B,) is y_{i-1}; state is h^d_{i-1} (with c^d_{i-1}
        for LSTM); visible (B, n) overrides encoded.visible (masks hide source positions)."""
        query = hidden_of(state)  # (B, H) h^d_{i-1}
        if self.scorer is not None:
            scores, weights, context = attend(self.scorer, query, encoded.states,
                                              encoded.visible if visible is None else visible, temperature)
        else:
            scores = weights = None
            context = hidden_of(encoded.final)  # c = h^e_n, the same at every step
        cell_input = torch.cat([self.dropout(self.tgt_embed(prev_token)), context], dim=-1)  # (B, E+H)
        new_state = self.decoder_cell(cell_input, state)
        readout = torch.tanh(self.readout(torch.cat([hidden_of(new_state), context], dim=-1)))  # (B, H)
        logits = self.generator(self.dropout(readout))  # (B, V)
        return StepOutput(logits, new_state, query, scores, weights, context)

    def loss(self, src: torch.Tensor, src_len: torch.Tensor, tgt: torch.Tensor,
             label_smoothing: float = 0.0, guide: torch.Tensor | None = None,
             guide_weight: float = 0.0) -> tuple[torch.Tensor, int]:
        """Teacher-forced cross-entropy. tgt (B, m) holds y_1..y_m, EOS, then PAD.
        Returns (sum of token losses, number of target tokens). Label smoothing regularises
        training on small data; at 0 this is the plain negative log-likelihood. `guide` (B, m, n):
        for guided alignment training (core.align), each step's target attention weights (a row of
        zeros: no guidance); the loss then adds `guide_weight` times the cross-entropy between
        each guided row and the step's weights alpha_i."""
        encoded = self.encode(src, src_len)
        state = encoded.final
        prev = torch.full((src.size(0),), BOS_ID, dtype=torch.long)
        total = torch.zeros(())
        weights = []
        for i in range(tgt.size(1)):
            step = self.decode_step(prev, state, encoded)
            total = total + nn.functional.cross_entropy(step.logits, tgt[:, i], ignore_index=PAD_ID,
                                                        reduction="sum", label_smoothing=label_smoothing)
            weights.append(step.weights)
            state, prev = step.state, tgt[:, i]
        if guide is not None and self.scorer is not None:
            alpha = torch.stack(weights, dim=1)  # (B, m, n)
            target = guide[:, : alpha.size(1), : alpha.size(2)]
            total = total - guide_weight * (target * alpha.clamp_min(1e-9).log()).sum()
        return total, int((tgt != PAD_ID).sum())

    @torch.no_grad()
    def greedy(self, src: torch.Tensor, src_len: torch.Tensor, max_len: int | None = None) -> list[list[int]]:
        """Batched greedy decoding; returns each sequence's token ids without EOS."""
        encoded = self.encode(src, src_len)
        state = encoded.final
        prev = torch.full((src.size(0),), BOS_ID, dtype=torch.long)
        outputs: list[list[int]] = [[] for _ in range(src.size(0))]
        done = torch.zeros(src.size(0), dtype=torch.bool)
        for _ in range(max_len or self.config.max_tgt_len):
            step = self.decode_step(prev, state, encoded)
            prev = step.logits.argmax(-1)
            for b in torch.nonzero(~done).flatten().tolist():
                if prev[b].item() != EOS_ID:
                    outputs[b].append(prev[b].item())
            done |= prev == EOS_ID
            state = step.state
            if bool(done.all()):
                break
        return outputs

    def translate(self, text: str, temperature: float = 1.0, mask: Iterable[int] = (), beam: int = 1,
                  baseline: "Trace | None" = None) -> "Trace":
        """Run the model on `text` and record every intermediate value (see core.decode)."""
        return translate(self, text, temperature=temperature, mask=mask, beam=beam, baseline=baseline)

    @property
    def name(self) -> str:
        return self.config.name
