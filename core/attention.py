"""Attention as a pure function: the lecture's three steps, returning every intermediate.

    step 1  score(h^d_{i-1}, h^e_j) = h^d_{i-1} . h^e_j          (dot, the lecture's)
    step 2  alpha_ij = softmax_j(score_ij / T)                     (T = 1 is the model as trained)
    step 3  c_i = sum_j alpha_ij h^e_j

`general` (bilinear, Luong et al. 2015) and `additive` (Bahdanau et al. 2015) are named
alternatives; nothing falls back to them silently.
"""
from __future__ import annotations

import torch
from torch import nn

from .options import SCORE_FUNCTIONS  # noqa: F401  (read from here by core.model and core.card_schema)


class Scorer(nn.Module):
    """Holds the parameters a score function needs (none for `dot`)."""

    def __init__(self, kind: str, hidden: int):
        super().__init__()
        if kind not in SCORE_FUNCTIONS:
            raise ValueError(f"unknown score function {kind!r}; choose one of {SCORE_FUNCTIONS}")
        self.kind = kind
        if kind == "general":
            self.bilinear = nn.Linear(hidden, hidden, bias=False)  # W in q^T W h_j
        elif kind == "additive":
            self.query_proj = nn.Linear(hidden, hidden, bias=False)  # W_1
            self.key_proj = nn.Linear(hidden, hidden, bias=False)  # W_2
            self.v = nn.Linear(hidden, 1, bias=False)  # v^T

    def forward(self, query: torch.Tensor, encoder_states: torch.Tensor) -> torch.Tensor:
        """query (B, H), encoder_states (B, n, H) -> scores (B, n)."""
        if self.kind == "dot":
            keys = encoder_states
        elif self.kind == "general":
            keys = self.bilinear(encoder_states)  # (B, n, H): W h_j, so q . (W h_j)
        else:
            hidden = torch.tanh(self.query_proj(query).unsqueeze(1) + self.key_proj(encoder_states))
            return self.v(hidden).squeeze(-1)  # (B, n)
        return torch.matmul(query.unsqueeze(1), keys.transpose(1, 2)).squeeze(1)  # (B, n): q . k_j


def attend(
    scorer: Scorer,
    query: torch.Tensor,
    encoder_states: torch.Tensor,
    visible: torch.Tensor,
    temperature: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The three steps. query (B, H); encoder_states (B, n, H); visible (B, n) bool, False for
    padding and for positions hidden by a mask, which get weight exactly 0.

    Returns (scores (B, n) before temperature, weights (B, n), context (B, H))."""
    scores = scorer(query, encoder_states)  # step 1, (B, n)
    scaled = (scores / temperature).masked_fill(~visible, float("-inf"))
    weights = torch.softmax(scaled, dim=-1)  # step 2, (B, n); exp(-inf) = 0 exactly
    context = torch.matmul(weights.unsqueeze(1), encoder_states).squeeze(1)  # step 3, (B, H)
    return scores, weights, context
