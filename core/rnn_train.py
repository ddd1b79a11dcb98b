"""Training and held-out evaluation of the single recurrent networks (core.rnn): language
models, taggers and classifiers. `python -m core.train` and `python -m core.evaluate` call
these for the tasks whose KIND is not an encoder-decoder.

    python -m core.train --task lm --cell lstm        # -> checkpoints/lm-lstm.*
    python -m core.train --task sentiment             # -> checkpoints/sentiment.*
    python -m core.train --task ner                   # -> checkpoints/ner.*

Metrics: language models bits per character (and by position in a 256-character window);
classifiers accuracy and macro F1 (and accuracy by sentence length); taggers token F1 over
entity tokens (and on template families held out from training).
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .checkpoint import CHECKPOINT_DIR, ModelCard, save_model
from .fit import Budget, fit, length_batches, trained_card
from .rnn import RecurrentModel, RNNConfig, lm_pieces
from .tasks import get_task
from .text import normalize, tokenize
from .vocab import PAD_ID, UNK_ID, Vocab

IGNORE = -100  # label of padding positions, left out of the loss
LM_EVAL_WINDOW = 256
LM_POSITION_BUCKETS = ((1, 10), (11, 50), (51, 255))


@dataclass(frozen=True, kw_only=True)
class RecurrentSettings(Budget):
    """Per-task model size and training budget."""

    level: str
    lowercase: bool
    embed_dim: int
    hidden: int
    batch_size: int = 64
    max_len: int = 100
    window: int = 128  # language models: characters per training window
    length_buckets: tuple = ()  # classifiers and taggers: (lo, hi) numbers of tokens
    # share of input tokens read as <unk> during training: the model learns to use the context
    # around a word it does not know (names it never saw)
    word_dropout: float = 0.0


RECURRENT_SETTINGS = {
    "lm": RecurrentSettings(level="char", lowercase=False, embed_dim=32, hidden=256, steps=5000, batch_size=64,
                            lr=3e-3, dropout=0.1, max_len=2000, window=128, eval_every=500),
    # 20k human-rated snippets overfit fast: strong dropout, and word dropout so that a sentence's
    # other words carry the prediction (measured on an earlier split: accuracy 66.4% -> 69.1%)
    "sentiment": RecurrentSettings(level="word", lowercase=True, embed_dim=100, hidden=192, steps=4000,
                                   batch_size=64, lr=2e-3, dropout=0.5, min_freq=2, max_vocab=8000, max_len=100,
                                   eval_every=250, word_dropout=0.2,
                                   length_buckets=((1, 10), (11, 20), (21, 30), (31, 100))),
    # word dropout teaches the tagger to read a name it does not know from its context (measured:
    # token F1 on held-out template families 71.1% -> 85.2%)
    "ner": RecurrentSettings(level="word", lowercase=False, embed_dim=64, hidden=128, steps=3000, batch_size=64,
                             lr=2e-3, dropout=0.2, min_freq=2, max_vocab=12000, max_len=100, eval_every=250,
                             word_dropout=0.25,
                             length_buckets=((1, 8), (9, 14), (15, 20), (21, 100))),
}


def recurrent_name(task: str, cell: str) -> str:
    if task == "lm":
        return f"lm-{cell}"
    return task + ("" if cell == "gru" else f"-{cell}")


def _pieces(text: str, kind: str, settings: RecurrentSettings) -> list[str]:
    if kind == "lm":
        return lm_pieces(text)
    return tokenize(normalize(text, settings.lowercase), settings.level)


# ---- batches --------------------------------------------------------------------------------
def _lm_windows(ids: np.ndarray, batch_size: int, window: int, rng: np.random.Generator) -> torch.Tensor:
    starts = rng.integers(0, len(ids) - window - 1, size=batch_size)
    return torch.from_numpy(np.stack([ids[s : s + window + 1] for s in starts])).long()  # (B, T+1)


def _pad(rows: list[list[int]], value: int) -> torch.Tensor:
    out = torch.full((len(rows), max(len(r) for r in rows)), value, dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, : len(row)] = torch.tensor(row)
    return out


def _drop_words(ids: torch.Tensor, rate: float) -> torch.Tensor:
    if rate <= 0:
        return ids
    hit = (torch.rand(ids.shape) < rate) & (ids != PAD_ID)
    return ids.masked_fill(hit, UNK_ID)


def _loss(model: RecurrentModel, batch, word_dropout: float = 0.0) -> torch.Tensor:
    kind = model.config.kind
    if kind == "lm":
        logits, _ = model(batch[:, :-1])  # (B, T, V)
        return nn.functional.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten(), ignore_index=PAD_ID)
    ids, lengths, labels = batch
    logits, _ = model(_drop_words(ids, word_dropout))  # (B, n, L)
    if kind == "tagger":
        return nn.functional.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE)
    last = logits[torch.arange(len(lengths)), lengths - 1]  # (B, L): the head on h_n
    return nn.functional.cross_entropy(last, labels)


def _encode_examples(model: RecurrentModel, pairs, settings: RecurrentSettings) -> list[tuple[list[int], object]]:
    label_index = {label: i for i, label in enumerate(model.config.labels)}
    out = []
    for text, target in pairs:
        pieces = _pieces(text, model.config.kind, settings)
        if not 0 < len(pieces) <= settings.max_len:
            continue
        ids = model.vocab.encode(pieces)
        if model.config.kind == "tagger":
            if len(target) != len(pieces):
                raise ValueError(f"tags do not match the tokens of {text!r}")
            out.append((ids, [label_index[t] for t in target]))
        else:
            out.append((ids, label_index[target]))
    return out


def _example_batches(examples, batch_size: int, rng: random.Random, kind: str):
    for batch in length_batches([len(ids) for ids, _ in examples], batch_size, rng):
        ids = _pad([examples[i][0] for i in batch], PAD_ID)
        lengths = torch.tensor([len(examples[i][0]) for i in batch])
        if kind == "tagger":
            labels = _pad([examples[i][1] for i in batch], IGNORE)
        else:
            labels = torch.tensor([examples[i][1] for i in batch])
        yield ids, lengths, labels


# ---- evaluation -----------------------------------------------------------------------------
@torch.no_grad()
def lm_bits_per_char(model: RecurrentModel, text: str, window: int = LM_EVAL_WINDOW) -> tuple[dict, list[dict]]:
    """Bits per character on `text`, read in consecutive windows from a zero state (as the app
    reads a prompt): every character but each window's first is predicted from the ones before
    it in its window. Also by position in the window (how much context the state holds)."""
    was_training = model.training
    model.eval()
    ids = np.array(model.vocab.encode(lm_pieces(text)), dtype=np.int64)
    usable = len(ids) // window * window
    windows = torch.from_numpy(ids[:usable].reshape(-1, window))
    nll = torch.zeros(window - 1, dtype=torch.float64)
    for start in range(0, len(windows), 64):
        batch = windows[start : start + 64]
        logits, _ = model(batch[:, :-1])
        losses = nn.functional.cross_entropy(logits.transpose(1, 2), batch[:, 1:], reduction="none")  # (B, T)
        nll += losses.double().sum(0)
    model.train(was_training)
    count = len(windows)
    per_position = nll / max(1, count) / math.log(2)  # bits at positions 1..window-1
    overall = {"n_chars": int(count * (window - 1)), "bpc": float(per_position.mean())}
    by_position = [{"positions": f"{lo}-{hi}", "bpc": float(per_position[lo - 1 : hi].mean())}
                   for lo, hi in LM_POSITION_BUCKETS if hi <= window - 1]
    return overall, by_position


@torch.no_grad()
def predict_labels(model: RecurrentModel, texts: list[str], batch_size: int = 256) -> list:
    """Taggers: a label list per text; classifiers: one label per text (from h_n)."""
    was_training = model.training
    model.eval()
    labels = model.config.labels
    pieces = [model.pieces(t)[: model.config.max_len] or ["<pad>"] for t in texts]
    ids = [model.vocab.encode(p) for p in pieces]
    out: list = [None] * len(texts)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        logits, _ = model(_pad([ids[i] for i in chunk], PAD_ID))
        best = logits.argmax(-1)  # (B, n)
        for row, i in enumerate(chunk):
            n = len(ids[i])
            out[i] = ([labels[j] for j in best[row, :n].tolist()] if model.config.kind == "tagger"
                      else labels[int(best[row, n - 1])])
    model.train(was_training)
    return out


def f1_scores(gold: list[str], predicted: list[str], labels: list[str], outside: str | None) -> dict:
    """Per-label F1, macro F1 and (with an `outside` label, for taggers) micro F1 over the
    tokens that are an entity in the gold or the prediction."""
    per_label = {}
    for label in labels:
        if label == outside:
            continue
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label != g for g, p in zip(gold, predicted))
        fn = sum(g == label != p for g, p in zip(gold, predicted))
        per_label[label] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    result = {"per_label_f1": per_label, "macro_f1": sum(per_label.values()) / max(1, len(per_label))}
    if outside is not None:
        tp = sum(g == p != outside for g, p in zip(gold, predicted))
        fp = sum(p != outside and p != g for g, p in zip(gold, predicted))
        fn = sum(g != outside and p != g for g, p in zip(gold, predicted))
        result["token_f1"] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return result


def label_metrics(model: RecurrentModel, pairs, predictions: list) -> dict:
    kind = model.config.kind
    if kind == "tagger":
        gold = [t for _, tags in pairs for t in tags]
        predicted = [t for tags in predictions for t in tags]
        scores = f1_scores(gold, predicted, model.config.labels, outside="O")
        return {"n": len(pairs), "tokens": len(gold), "token_f1": scores["token_f1"],
                "token_accuracy": sum(g == p for g, p in zip(gold, predicted)) / max(1, len(gold)),
                "per_label_f1": scores["per_label_f1"]}
    gold = [label for _, label in pairs]
    scores = f1_scores(gold, predictions, model.config.labels, outside=None)
    return {"n": len(pairs), "accuracy": sum(g == p for g, p in zip(gold, predictions)) / max(1, len(gold)),
            "macro_f1": scores["macro_f1"], "per_label_f1": scores["per_label_f1"]}


def evaluate_recurrent(model: RecurrentModel, splits: dict, buckets=()) -> tuple[dict, list[dict], list]:
    """Held-out metrics on splits['test'] (and, for taggers, splits['test_templates'])."""
    if model.config.kind == "lm":
        overall, by_position = lm_bits_per_char(model, splits["test"])
        return overall, by_position, []
    pairs = splits["test"]
    predictions = predict_labels(model, [text for text, _ in pairs])
    overall = label_metrics(model, pairs, predictions)
    if model.config.kind == "tagger" and splits.get("test_templates"):
        held = splits["test_templates"]
        held_metrics = label_metrics(model, held, predict_labels(model, [t for t, _ in held]))
        overall["held_out_templates"] = {k: held_metrics[k] for k in ("n", "token_f1", "token_accuracy")}
    key = "token_f1" if model.config.kind == "tagger" else "accuracy"
    lengths = [len(model.pieces(text)) for text, _ in pairs]
    by_length = []
    for lo, hi in buckets:
        idx = [i for i, n in enumerate(lengths) if lo <= n <= hi]
        row = label_metrics(model, [pairs[i] for i in idx], [predictions[i] for i in idx]) if idx else {"n": 0}
        by_length.append({"lengths": f"{lo}-{hi}", "n": len(idx), key: row.get(key, 0.0)})
    return overall, by_length, predictions


def held_out_splits(model: RecurrentModel) -> dict:
    """The held-out splits the card was measured on (same task, same data seed)."""
    card = model.card
    seed = card.data.get("data_seed", 0) if card else 0
    sizes = {k: v for k, v in ((card.data.get("sizes") or {}) if card else {}).items()
             if k != "train" and isinstance(v, int)}
    module = get_task(model.config.task)
    if model.config.kind == "lm":
        return module.build_splits(seed=seed)
    return module.build_splits(seed=seed, sizes={**sizes, "train": 0})


def _selection_value(metrics: dict) -> float:
    if "bpc" in metrics:
        return -metrics["bpc"]
    return metrics.get("token_f1", metrics.get("accuracy", 0.0))


# ---- training -------------------------------------------------------------------------------
def train_recurrent(task: str, cell: str = "gru", seed: int = 0, steps: int | None = None, minutes: float = 28.0,
                    out_dir: str | Path | None = CHECKPOINT_DIR, name: str | None = None, progress: bool = True,
                    data_seed: int = 0, sizes: dict | None = None) -> tuple[RecurrentModel, ModelCard]:
    started = time.time()
    settings = RECURRENT_SETTINGS[task]
    if steps is not None:
        settings = replace(settings, steps=steps, eval_every=min(settings.eval_every, max(1, steps // 4)))
    module = get_task(task)
    kind = module.KIND
    splits = module.build_splits(seed=data_seed, sizes=sizes)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)

    if kind == "lm":
        vocab = Vocab.build([lm_pieces(splits["train"])], settings.min_freq, settings.max_vocab)
        labels = list(vocab.tokens)
    else:
        vocab = Vocab.build((_pieces(text, kind, settings) for text, _ in splits["train"]), settings.min_freq,
                            settings.max_vocab)
        labels = list(module.LABELS)
    config = RNNConfig(name=name or recurrent_name(task, cell), task=task, kind=kind, vocab=vocab.tokens,
                       labels=labels, cell=cell, embed_dim=settings.embed_dim, hidden=settings.hidden,
                       dropout=settings.dropout, level=settings.level, lowercase=settings.lowercase,
                       max_len=settings.max_len)
    model = RecurrentModel(config)
    if kind == "lm":
        train_ids = np.array(vocab.encode(lm_pieces(splits["train"])), dtype=np.int64)
        valid_text = splits["valid"][:60_000]

        def batches():
            while True:
                yield _lm_windows(train_ids, settings.batch_size, settings.window, np_rng)

        def validate() -> dict:
            return lm_bits_per_char(model, valid_text)[0]
    else:
        examples = _encode_examples(model, splits["train"], settings)
        valid = splits["valid"]

        def batches():
            while True:
                yield from _example_batches(examples, settings.batch_size, rng, kind)

        def validate() -> dict:
            return label_metrics(model, valid, predict_labels(model, [t for t, _ in valid]))

    fitted = fit(model, batches(), lambda batch: _loss(model, batch, settings.word_dropout),
                 lambda: _selection_value(validate()), steps=settings.steps, lr=settings.lr,
                 eval_every=settings.eval_every, deadline=started + minutes * 60, name=config.name,
                 progress=progress)
    seconds = time.time() - started

    metrics, by_length, predictions = evaluate_recurrent(model, splits, settings.length_buckets)
    samples = []
    if kind != "lm":
        samples = [{"input": text, "reference": target, "output": out}
                   for (text, target), out in list(zip(splits["test"], predictions))[:20]]
    sizes_out = {k: len(v) for k, v in splits.items()}
    card = trained_card(
        config=config, module=module, kind=kind, description=describe_recurrent(module, kind, cell),
        data={"data_seed": data_seed, "sizes": sizes_out, "size_unit": "characters" if kind == "lm" else "sentences",
              "held_out": getattr(module, "HELD_OUT", "the test split shares no text with training")},
        metrics=metrics, by_length=by_length, fitted=fitted, seconds=seconds, minutes=minutes, seed=seed,
        batch_size=settings.batch_size, lr=settings.lr, samples=samples,
        command=f"python -m core.train --task {task}" + ("" if cell == "gru" else f" --cell {cell}")
                + f" --minutes {minutes:g}")
    model.card = card
    if out_dir is not None:
        save_model(model, card, out_dir)
    return model, card


def describe_recurrent(module, kind: str, cell: str) -> str:
    """The card's one-line description: the task's first docstring line and the architecture."""
    what = (module.__doc__ or "").strip().splitlines()[0].replace("`", "").strip()
    return f"{what} -- {cell.upper()} {_KIND_TEXT[kind]}."


_KIND_TEXT = {"lm": "character-level language model: the head on h_t predicts the next character",
              "tagger": "sequence labeling: one label per word from h_t",
              "classifier": "sequence classification: one label for the text from h_n"}
