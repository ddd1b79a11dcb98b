"""What the recurrent models share: the cell types, the state a cell carries, and the encoder's
output. Both the encoder-decoders (core.model, core.decode) and the single RNNs (core.rnn) read
these names from here, so neither imports the other."""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

CELL_TYPES = ("rnn", "gru", "lstm")
SEQUENCE_RNN = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}  # a whole sequence in one call
STEP_CELL = {"rnn": nn.RNNCell, "gru": nn.GRUCell, "lstm": nn.LSTMCell}  # one step

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # h, or (h, c) for LSTM


class Encoded(NamedTuple):
    states: torch.Tensor  # (B, n, H) h^e_1..h^e_n (zeros after each sequence's end)
    final: State  # h^e_n (B, H), with c^e_n for LSTM
    visible: torch.Tensor  # (B, n) True at real source positions


def hidden_of(state: State) -> torch.Tensor:
    """The hidden vector h of a cell state (LSTM states are (h, c))."""
    return state[0] if isinstance(state, tuple) else state
