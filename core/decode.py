"""Traced inference: run a model on one input and record every intermediate value.

The traced path calls the same `Seq2Seq.encoder_step` / `decode_step` as training, one
token at a time, so the numbers in a Trace are the numbers the model computed.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import torch

from .options import BEAM_MAX, TRANSLATE_TEMPERATURE_MAX, TRANSLATE_TEMPERATURE_MIN
from .recurrent import Encoded, State, hidden_of
from .text import check_text
from .trace import DecoderStep, Hypothesis, Trace
from .vocab import BOS_ID, EOS, EOS_ID, UNK

if TYPE_CHECKING:  # the model calls this module; this module only reads the model's names
    from .model import Seq2Seq

TOPK = 5  # how many of the output distribution's most probable tokens a step records


class Source:
    """A source text made ready for the encoder."""

    def __init__(self, model: Seq2Seq, text: str):
        check_text(text)
        config = model.config
        pieces = model.source_tokens(text)
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


def _visible(n: int, mask: Iterable[int]) -> torch.Tensor:
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
        stacked, final_state = model.encoder(model.src_embed(tokens))  # (1, n, H), (1, 1 or 2, H)
        final = stacked[:, -1] if model.config.bidirectional else final_state[0]  # h^e_n
    encoded = Encoded(stacked, final, torch.ones(1, len(ids), dtype=torch.bool))
    return encoded, stacked[0].numpy().copy(), cells


def _decode_traced(model: Seq2Seq, encoded: Encoded, visible: torch.Tensor, temperature: float,
                   forced: list[int] | None) -> list[DecoderStep]:
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
            scaled=None if out.scores is None else (out.scores[0] / temperature).numpy().copy(),  # as attend()
            topk=[(vocab.tokens[int(j)], float(p)) for p, j in zip(top.values, top.indices)],
            token=vocab.tokens[token_id],
        ))
        if token_id == EOS_ID:
            break
        state, prev = out.state, token_id
    return steps


def _select_rows(state: State, rows: torch.Tensor) -> State:
    return tuple(x[rows] for x in state) if isinstance(state, tuple) else state[rows]


@torch.no_grad()
def beam_search(model: Seq2Seq, encoded: Encoded, visible: torch.Tensor, temperature: float,
                width: int) -> list[Hypothesis]:
    """Beam search with a shrinking beam: each step keeps the best `width - finished` expansions
    of the live hypotheses by summed log-probability; one that ends with the end token is
    finished and takes its slot for good. Finished hypotheses are ranked by log-probability
    per token. Width 1 is exactly greedy decoding."""
    vocab = model.tgt_vocab
    live: list[tuple[list[int], float]] = [([], 0.0)]
    state = encoded.final
    finished: list[tuple[list[int], float]] = []
    for _ in range(model.config.max_tgt_len):
        rows = torch.zeros(len(live), dtype=torch.long)  # every hypothesis reads the same source
        expanded = encoded._replace(states=encoded.states[rows], visible=encoded.visible[rows],
                                    final=_select_rows(encoded.final, rows))
        prev = torch.tensor([seq[-1] if seq else BOS_ID for seq, _ in live])
        out = model.decode_step(prev, state, expanded, visible[rows], temperature)
        totals = torch.tensor([lp for _, lp in live]).unsqueeze(1) + torch.log_softmax(out.logits, dim=-1)
        best = torch.topk(totals.flatten(), min(width - len(finished), totals.numel()))
        kept: list[tuple[int, list[int], float]] = []
        for total, flat in zip(best.values.tolist(), best.indices.tolist()):
            origin, token_id = divmod(flat, totals.size(1))
            sequence = live[origin][0] + [token_id]
            if token_id == EOS_ID:
                finished.append((sequence, total))
            else:
                kept.append((origin, sequence, total))
        live = [(seq, total) for _, seq, total in kept]
        if not live:
            break
        state = _select_rows(out.state, torch.tensor([origin for origin, _, _ in kept]))
    finished.extend(live)  # cut off by the length limit: kept, unfinished
    ranked = sorted(finished, key=lambda h: -h[1] / len(h[0]))
    return [Hypothesis(tokens=vocab.decode(seq), logprob=float(lp), score=float(lp / len(seq)),
                       text=model.output_text(vocab.decode(seq)))
            for seq, lp in ranked[:width]]


def _validate_options(model: Seq2Seq, temperature: object, mask: object, beam: object) -> tuple[float, list[int], int]:
    try:
        temperature = float(temperature)
    except (TypeError, ValueError):
        raise ValueError("The temperature must be a number.") from None
    if not math.isfinite(temperature) or not TRANSLATE_TEMPERATURE_MIN <= temperature <= TRANSLATE_TEMPERATURE_MAX:
        raise ValueError(f"The temperature must be a positive number from {TRANSLATE_TEMPERATURE_MIN} to "
                         f"{TRANSLATE_TEMPERATURE_MAX} (1 is the model as trained).")
    if isinstance(beam, bool) or not isinstance(beam, (int, np.integer)) or not 1 <= beam <= BEAM_MAX:
        raise ValueError(f"The beam width must be a whole number from 1 to {BEAM_MAX}.")
    if isinstance(mask, (str, bytes, dict)) or not isinstance(mask, Iterable):
        raise ValueError("Mask positions must be a list of whole numbers.")
    mask = list(mask)
    if not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in mask):
        raise ValueError("Mask positions must be whole numbers.")
    mask = sorted({int(p) for p in mask})
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


def _check_baseline(baseline: Trace, trace: Trace, beam: int) -> None:
    """A ValueError unless `baseline` is the unmasked run of the call that made `trace`."""
    same = (baseline.model == trace.model and baseline.src_text == trace.src_text and not baseline.mask
            and baseline.src_tokens == trace.src_tokens and baseline.temperature == trace.temperature
            and bool(baseline.beam) == (beam > 1) and len(baseline.beam) <= beam)
    if not same:
        raise ValueError("The baseline is not this model's unmasked run of the same input, temperature and beam.")


def translate(model: Seq2Seq, text: str, temperature: float = 1.0, mask: Iterable[int] = (),
              beam: int = 1, baseline: Trace | None = None) -> Trace:
    """Translate `text` and return its Trace. Raises ValueError with a readable message for
    input it cannot run (empty text, bad options); unknown tokens become visible <unk>s and
    over-long inputs are cut to the model's length limit (both noted in trace.warnings).

    With a mask, the output without it (trace.baseline_output, trace.changed_steps) comes from
    decoding again, or from `baseline`: this model's trace of the same text, temperature and beam
    width without a mask, when the caller has it already (it is checked, not trusted)."""
    was_training = model.training
    model.eval()
    try:
        temperature, mask, beam = _validate_options(model, temperature, mask, beam)
        source = Source(model, text)
        encoder_states, encoder_cells, steps, hypotheses = _run(model, source, temperature, mask, beam)
        out_tokens = [step.token for step in steps]
        trace = Trace(
            model=model.config.name, score_function=model.config.attention, cell=model.config.cell,
            src_text=text, src_pieces=source.pieces, src_tokens=source.tokens,
            encoder_states=encoder_states, encoder_cells=encoder_cells, steps=steps,
            out_tokens=out_tokens, output=model.output_text(out_tokens),
            src_level=model.config.src_level, tgt_level=model.config.tgt_level, bidirectional=model.config.bidirectional,
            temperature=temperature, mask=mask, beam=hypotheses, truncated=source.truncated,
            warnings=list(source.warnings),
        )
        if model.scorer is None and temperature != 1.0:
            trace.warnings.append("This model has no attention, so the temperature changes nothing.")
        if steps and steps[-1].token != EOS:
            trace.warnings.append(f"The output reached this model's limit of "
                                  f"{model.config.max_tgt_len} tokens before the end token.")
        if mask:
            if baseline is None:
                _, _, base_steps, _ = _run(model, source, temperature, [], beam)
                base_tokens = [s.token for s in base_steps]
            else:
                _check_baseline(baseline, trace, beam)
                base_tokens = list(baseline.out_tokens)
            trace.baseline_output = model.output_text(base_tokens)
            longest = max(len(base_tokens), len(out_tokens))
            padded = lambda seq: seq + [None] * (longest - len(seq))  # noqa: E731
            trace.changed_steps = [i for i, (a, b) in enumerate(zip(padded(out_tokens), padded(base_tokens)))
                                   if a != b]
        return trace
    finally:
        model.train(was_training)
