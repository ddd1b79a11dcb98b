"""What the recurrent models share: the cell types, the state a cell carries, the encoder's
output, and the written-out recurrent step of the single RNNs. Both the encoder-decoders
(core.model, core.decode) and the single RNNs (core.rnn) read these names from here, so neither
imports the other.

The single RNNs (core.rnn) run one function, `cell_step`, for training, evaluation, tracing,
generation and the gradient norms: `run_cells` loops it over a sequence, and its weights live in
`CellWeights` under torch's names for a one-layer nn.RNN / nn.GRU / nn.LSTM (checkpoints written
from a fused module load unchanged). The encoder-decoders run torch's modules (`SEQUENCE_RNN`
for the encoder, `STEP_CELL` for the decoder), and their traced path calls the same modules.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import torch
from torch import nn

from .options import CELL_TYPES

SEQUENCE_RNN = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}  # a whole sequence in one call
STEP_CELL = {"rnn": nn.RNNCell, "gru": nn.GRUCell, "lstm": nn.LSTMCell}  # one step
GATE_BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4}  # rows of W_ih and W_hh: k blocks of H
# The gates and parts `cell_step` records at every step.
GATES = {"rnn": ("input", "recurrent"),
         "gru": ("r", "z", "n", "input_n", "recurrent_n"),
         "lstm": ("i", "f", "g", "o")}

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # h, or (h, c) for LSTM


class Encoded(NamedTuple):
    states: torch.Tensor  # (B, n, H) h^e_1..h^e_n (zeros after each sequence's end)
    final: State  # h^e_n (B, H), with c^e_n for LSTM
    visible: torch.Tensor  # (B, n) True at real source positions


def hidden_of(state: State) -> torch.Tensor:
    """The hidden vector h of a cell state (LSTM states are (h, c))."""
    return state[0] if isinstance(state, tuple) else state


class CellWeights(nn.Module):
    """The weights of one recurrent layer, named and initialised as torch's one-layer nn.RNN /
    nn.GRU / nn.LSTM (weight_ih_l0 (kH, E), weight_hh_l0 (kH, H), bias_ih_l0, bias_hh_l0; gate
    order GRU r, z, n, LSTM i, f, g, o; uniform in +-1/sqrt(H), drawn in that order), so a
    state dict of either loads into the other. It holds weights only: `cell_step` computes."""

    def __init__(self, cell: str, input_size: int, hidden: int):
        super().__init__()
        if cell not in CELL_TYPES:
            raise ValueError(f"unknown cell {cell!r}; choose one of {CELL_TYPES}")
        self.cell, self.hidden = cell, hidden
        rows = GATE_BLOCKS[cell] * hidden
        self.weight_ih_l0 = nn.Parameter(torch.empty(rows, input_size))
        self.weight_hh_l0 = nn.Parameter(torch.empty(rows, hidden))
        self.bias_ih_l0 = nn.Parameter(torch.empty(rows))
        self.bias_hh_l0 = nn.Parameter(torch.empty(rows))
        bound = 1.0 / math.sqrt(hidden)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def params(self) -> dict[str, torch.Tensor]:
        """The weights by torch's names, as `cell_step` reads them."""
        return dict(self.named_parameters())


def zero_state(cell: str, hidden: int, batch: int = 1) -> State:
    """h_0 = 0 (and c_0 = 0 for LSTM), (batch, hidden)."""
    h = torch.zeros(batch, hidden)
    return (h, torch.zeros_like(h)) if cell == "lstm" else h


def cell_step(cell: str, params: Mapping[str, torch.Tensor], x: torch.Tensor, state: State
              ) -> tuple[State, dict[str, torch.Tensor]]:
    """One recurrent step h_t = f_W(h_{t-1}, x_t), written out. x (B, E); state (B, H) or, for
    LSTM, (h, c); params as `CellWeights.params`. Returns the new state and the gates (each
    (B, H)):

        rnn   h_t = tanh(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh)          input, recurrent
        gru   r = sigma(W_ir x + b_ir + W_hr h + b_hr)   z = sigma(W_iz x + b_iz + W_hz h + b_hz)
              n = tanh(W_in x + b_in + r * (W_hn h + b_hn))              input_n, recurrent_n
              h_t = (1 - z) * n + z * h_{t-1}
        lstm  i, f, o = sigma(...), g = tanh(...)   c_t = f * c_{t-1} + i * g   h_t = o * tanh(c_t)
    """
    from_input = x @ params["weight_ih_l0"].T + params["bias_ih_l0"]  # (B, kH)
    h = hidden_of(state)
    from_state = h @ params["weight_hh_l0"].T + params["bias_hh_l0"]  # (B, kH)
    if cell == "rnn":
        new = torch.tanh(from_input + from_state)
        return new, {"input": from_input, "recurrent": from_state}
    if cell == "gru":
        i_r, i_z, i_n = from_input.chunk(3, dim=-1)
        h_r, h_z, h_n = from_state.chunk(3, dim=-1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        new = (1 - z) * n + z * h
        return new, {"r": r, "z": z, "n": n, "input_n": i_n, "recurrent_n": h_n}
    c = state[1]
    i, f, g, o = (from_input + from_state).chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_new = f * c + i * g
    return (o * torch.tanh(c_new), c_new), {"i": i, "f": f, "g": g, "o": o}


def run_cells(cell: str, params: Mapping[str, torch.Tensor], xs: torch.Tensor, state: State
              ) -> tuple[torch.Tensor, State]:
    """`cell_step` over a sequence: xs (B, T, E) from `state` -> (h_1..h_T (B, T, H), the last state)."""
    hs = []
    for t in range(xs.size(1)):
        state, _ = cell_step(cell, params, xs[:, t], state)
        hs.append(hidden_of(state))
    return torch.stack(hs, dim=1), state
