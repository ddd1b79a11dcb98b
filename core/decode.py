"""Traced inference: run a model on one input and record every intermediate value.

The traced path calls the same `Seq2Seq.encoder_step` / `decode_step` as training, one
token at a time, so the numbers in a Trace are the numbers the model computed.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .model import Encoded, Seq2Seq, hidden_of
from .text import detokenize, source_pieces
from .trace import DecoderStep, Hypothesis, Trace
from .vocab import BOS, BOS_ID, EOS, EOS_ID, UNK

TOPK = 5
MAX_BEAM = 10


class Source:
    """A source text made ready for the encoder."""

    def __init__(self, model: Seq2Seq, text: str):
        if not isinstance(text, str):
            raise ValueError("The input must be text.")
        config = model.config
        pieces = source_pieces(text, config.src_level, config.lowercase, config.drop_spaces)
        if not pieces:
            raise ValueError("The input is empty: type a few characters or words to translate.")
        self.warnings: list[str] = []
        self.truncated = len(pieces) > config.max_src_len
        if self.truncated:
            self.warnings.append(f"The input has {len(pieces)} tokens; only the first "
                                 f"{config.max_src_len} were read (this model's length limit).")
            pieces = pieces[: config.max_src_len]
        self.text = text
        self.pieces = pieces
        self.ids = model.src_vocab.encode(pieces)
        self.tokens = model.src_vocab.decode(self.ids)
        unknown = sorted({p for p, t in zip(pieces, self.tokens) if t == UNK})
        if unknown:
            shown = " ".join(repr(p) for p in unknown[:8]) + (" ..." if len(unknown) > 8 else "")
            self.warnings.append(f"{len(unknown)} token(s) are not in this model's vocabulary and "
                                 f"were read as {UNK}: {shown}")


def _visible(n: int, mask) -> torch.Tensor:
    """(1, n) bool: False at the masked positions."""
    positions = sorted({int(p) for p in mask})
    bad = [p for p in positions if not 0 <= p < n]
    if bad:
        raise ValueError(f"Mask positions {bad} are outside the source (positions 0..{n - 1}).")
    if len(positions) == n:
        raise ValueError("Every source token is masked: keep at least one visible.")
    visible = torch.ones(1, n, dtype=torch.bool)
    visible[0, positions] = False
    return visible


@torch.no_grad()
def _encode_traced(model: Seq2Seq, ids: list[int]):
    """Run the encoder over the source; returns (Encoded, states (n, H), cells (n, H) or None).

    GRU and Elman encoders run as one sequence call (the same function as `encode`; a test checks
    it step by step). nn.LSTM returns only the last cell state, so LSTM steps one token at a
    time to record c^e_j for every j."""
    tokens = torch.tensor([ids])  # (1, n)
    cells = None
    if model.config.cell == "lstm":
        state, states, cell_list = None, [], []
        for j in range(len(ids)):
            state = model.encoder_step(tokens[:, j], state)
            states.append(state[0][0])
            cell_list.append(state[1][0])
        stacked = torch.stack(states).unsqueeze(0)  # (1, n, H)
        final = state
        cells = torch.stack(cell_list).numpy().copy()
    else:
        stacked, final_state = model.encoder(model.src_embed(tokens))  # (1, n, H), (1, 1, H)
        final = final_state[0]
    encoded = Encoded(stacked, final, torch.ones(1, len(ids), dtype=torch.bool))
    return encoded, stacked[0].numpy().copy(), cells


def _decode_traced(model: Seq2Seq, encoded, visible, temperature, forced: list[int] | None):
    """Greedy decoding (or decoding along `forced` token ids), recording each step."""
    vocab = model.tgt_vocab
    state, prev, steps = encoded.final, BOS_ID, []
    limit = len(forced) if forced is not None else model.config.max_tgt_len
    for i in range(limit):
        out = model.decode_step(torch.tensor([prev]), state, encoded, visible, temperature)
        probs = torch.softmax(out.logits[0], dim=-1)
        top = torch.topk(probs, min(TOPK, probs.numel()))
        token_id = forced[i] if forced is not None else int(top.indices[0])
        steps.append(DecoderStep(
            index=i,
            input_token=vocab.tokens[prev],
            query=out.query[0].numpy().copy(),
            scores=None if out.scores is None else out.scores[0].numpy().copy(),
            weights=None if out.weights is None else out.weights[0].numpy().copy(),
            context=out.context[0].numpy().copy(),
            state=hidden_of(out.state)[0].numpy().copy(),
            cell=out.state[1][0].numpy().copy() if isinstance(out.state, tuple) else None,
            topk=[(vocab.tokens[int(j)], float(p)) for p, j in zip(top.values, top.indices)],
            token=vocab.tokens[token_id],
        ))
        if token_id == EOS_ID:
            break
        state, prev = out.state, token_id
    return steps


def _expand(state, index: torch.Tensor):
    return tuple(s[index] for s in state) if isinstance(state, tuple) else state[index]


@torch.no_grad()
def beam_search(model: Seq2Seq, encoded, visible, temperature: float, width: int) -> list[Hypothesis]:
    """Keep the `width` best partial hypotheses by summed log-probability; a hypothesis ends at
    the end token. Finished ones are ranked by log-probability per token. Width 1 is greedy."""
    vocab = model.tgt_vocab
    beams: list[tuple[list[int], float]] = [([], 0.0)]
    state = encoded.final
    finished: list[tuple[list[int], float]] = []
    for _ in range(model.config.max_tgt_len):
        k = len(beams)
        index = torch.zeros(k, dtype=torch.long)
        expanded = encoded._replace(states=encoded.states[index], visible=encoded.visible[index],
                                    final=_expand(encoded.final, index))
        prev = torch.tensor([seq[-1] if seq else BOS_ID for seq, _ in beams])
        out = model.decode_step(prev, state, expanded, visible[index], temperature)
        logprobs = torch.log_softmax(out.logits, dim=-1)  # (k, V)
        totals = torch.tensor([lp for _, lp in beams]).unsqueeze(1) + logprobs  # (k, V)
        best = torch.topk(totals.flatten(), min(width, totals.numel()))
        candidates = []
        for total, flat in zip(best.values.tolist(), best.indices.tolist()):
            origin, token_id = divmod(flat, logprobs.size(1))
            sequence = beams[origin][0] + [token_id]
            if token_id == EOS_ID:
                finished.append((sequence, total))
            else:
                candidates.append((origin, sequence, total))
        if len(finished) >= width or not candidates:
            break
        beams = [(seq, total) for _, seq, total in candidates]
        state = _expand(out.state, torch.tensor([origin for origin, _, _ in candidates]))
    if len(finished) < width:  # cut off by the length limit: keep them, unfinished
        finished.extend(beams[: width - len(finished)] if candidates else [])
    ranked = sorted(finished, key=lambda h: -h[1] / len(h[0]))
    return [Hypothesis(tokens=vocab.decode(seq), logprob=float(lp), score=float(lp / len(seq)))
            for seq, lp in ranked[:width]]


def _validate_options(model: Seq2Seq, temperature, mask, beam) -> tuple[float, list[int], int]:
    try:
        temperature = float(temperature)
    except (TypeError, ValueError):
        raise ValueError("The temperature must be a number.") from None
    if not math.isfinite(temperature) or temperature <= 0:
        raise ValueError("The temperature must be a positive number (1 is the model as trained).")
    if isinstance(beam, bool) or not isinstance(beam, (int, np.integer)) or not 1 <= beam <= MAX_BEAM:
        raise ValueError(f"The beam width must be a whole number from 1 to {MAX_BEAM}.")
    try:
        mask = sorted({int(p) for p in mask})
    except (TypeError, ValueError):
        raise ValueError("Mask positions must be whole numbers.") from None
    if mask and model.scorer is None:
        raise ValueError("This model has no attention, so there is nothing to hide from it; "
                         "pick an attention model to mask source tokens.")
    return temperature, mask, int(beam)


@torch.inference_mode()
def _run(model: Seq2Seq, source: Source, temperature: float, mask: list[int], beam: int):
    encoded, encoder_states, encoder_cells = _encode_traced(model, source.ids)
    visible = _visible(len(source.ids), mask)
    hypotheses: list[Hypothesis] = []
    if beam == 1:
        steps = _decode_traced(model, encoded, visible, temperature, forced=None)
    else:
        hypotheses = beam_search(model, encoded, visible, temperature, beam)
        forced = model.tgt_vocab.encode(hypotheses[0].tokens)
        steps = _decode_traced(model, encoded, visible, temperature, forced=forced)
    return encoder_states, encoder_cells, steps, hypotheses


def translate(model: Seq2Seq, text: str, temperature: float = 1.0, mask=(), beam: int = 1) -> Trace:
    """Translate `text` and return its Trace. Raises ValueError with a readable message for
    input it cannot run (empty text, bad options); unknown tokens become visible <unk>s and
    over-long inputs are cut to the model's length limit (both noted in trace.warnings)."""
    was_training = model.training
    model.eval()
    try:
        temperature, mask, beam = _validate_options(model, temperature, mask, beam)
        source = Source(model, text)
        encoder_states, encoder_cells, steps, hypotheses = _run(model, source, temperature, mask, beam)
        out_tokens = [step.token for step in steps]
        content = [t for t in out_tokens if t not in (EOS, BOS)]
        trace = Trace(
            model=model.config.name, score_function=model.config.attention, cell=model.config.cell,
            src_text=text, src_pieces=source.pieces, src_tokens=source.tokens,
            encoder_states=encoder_states, encoder_cells=encoder_cells, steps=steps,
            out_tokens=out_tokens, output=detokenize(content, model.config.tgt_level),
            temperature=temperature, mask=mask, beam=hypotheses, truncated=source.truncated,
            warnings=list(source.warnings),
        )
        if steps and steps[-1].token != EOS:
            trace.warnings.append(f"The output reached this model's limit of "
                                  f"{model.config.max_tgt_len} tokens before the end token.")
        if mask:
            _, _, base_steps, _ = _run(model, source, temperature, [], beam)
            base_tokens = [s.token for s in base_steps]
            trace.baseline_output = detokenize([t for t in base_tokens if t not in (EOS, BOS)],
                                               model.config.tgt_level)
            longest = max(len(base_tokens), len(out_tokens))
            padded = lambda seq: seq + [None] * (longest - len(seq))  # noqa: E731
            trace.changed_steps = [i for i, (a, b) in enumerate(zip(padded(out_tokens), padded(base_tokens)))
                                   if a != b]
        return trace
    finally:
        model.train(was_training)
