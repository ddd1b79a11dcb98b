"""The schema of a model card (checkpoints/NAME.json): the type and range of every field, checked
when a card is read, so that the pages, which format these fields, can rely on them.

A card that passed `check_card` has, besides a buildable config:
  name, task, cell, description        text (name: letters, digits, '.', '_', '-')
  attention                            None or one of core.attention.SCORE_FUNCTIONS (None for single RNNs)
  kind                                 'seq2seq' or one of core.rnn.KINDS
  data.source, data.licence            text; data.sizes.train/valid/test whole numbers >= 0
  metrics                              finite numbers (or one level of named numbers), with the
                                       kind's headline metric: exact_match (seq2seq), bpc (lm),
                                       token_f1 (tagger), accuracy and macro_f1 (classifier)
  metrics_by_length                    rows with a text bucket ('lengths'; 'positions' for lm),
                                       the headline metric, and n for seq2seq
  training.seconds                     a finite number >= 0
  examples                             text; samples: rows of text (or lists of text)
  weights_sha256                       (once stamped) 64 lowercase hex digits
  pieces_sha256                        of the piece model file (models with subword pieces), or empty
Fractions (exact match, accuracy, F1 ...) lie in [0, 1], BLEU and chrF in [0, 100], counts are
whole numbers >= 0. Keys the app does not know are allowed if they hold plain JSON values.
Sizes are bounded so that no card can make the loader allocate more than a shipped model needs
(the loader also checks them against the weights file before building anything).
"""
from __future__ import annotations

import math
import re

from .attention import SCORE_FUNCTIONS
from .recurrent import CELL_TYPES
from .rnn import KINDS

MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
SHA256 = re.compile(r"[0-9a-f]{64}")
KINDS_ALL = ("seq2seq", *KINDS)
MAX_WIDTH = 4096  # embed_dim and hidden (the shipped models use 32-256)
MAX_LENGTH = 10_000  # max_src_len, max_tgt_len, max_len (the shipped models use up to 2000)
MAX_VOCAB = 100_000  # tokens in a vocabulary or labels (the shipped models use up to 9294)
MAX_TEXT = 20_000  # characters in one text field
MAX_ITEMS = 10_000  # entries in any list of the card other than a vocabulary
MAX_DEPTH = 4  # nesting of values the app does not read

FRACTIONS = {"exact_match", "accuracy", "macro_f1", "token_f1", "token_accuracy", "name_alignment",
             "last_token_weight", "per_label_f1"}
PERCENTAGES = {"bleu", "chrf"}
COUNTS = {"n", "n_chars", "tokens", "name_cases"}
HEADLINE = {"seq2seq": ("exact_match",), "lm": ("bpc",), "tagger": ("token_f1",),
            "classifier": ("accuracy", "macro_f1")}


class CardSchemaError(ValueError):
    """A card field has the wrong type or is out of range; the message names the field."""


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _fail(where: str, what: str, value: object) -> None:
    raise CardSchemaError(f"{where} must be {what}, not {_shown(value)}")


def _text(value: object, where: str, limit: int = MAX_TEXT, empty: bool = True) -> str:
    if not isinstance(value, str) or len(value) > limit or (not empty and not value):
        _fail(where, f"{'' if empty else 'non-empty '}text of at most {limit:,} characters", value)
    return value


def _number(value: object, where: str, lo: float = -math.inf, hi: float = math.inf, whole: bool = False) -> float:
    ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
          and lo <= value <= hi and (not whole or isinstance(value, int)))
    if not ok:
        kind = "a whole number" if whole else "a finite number"
        bounds = "" if (lo, hi) == (-math.inf, math.inf) else f" from {lo:g} to {hi:g}"
        _fail(where, kind + bounds, value)
    return value


def _dict(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        _fail(where, "an object", value)
    return value


def _list(value: object, where: str, limit: int = MAX_ITEMS) -> list:
    if not isinstance(value, list) or len(value) > limit:
        _fail(where, f"a list of at most {limit:,} entries", value)
    return value


def _plain(value: object, where: str, depth: int = 0) -> None:
    """A value the app does not read: text, a finite number, true/false, null, or lists and
    objects of those (not nested deeper than MAX_DEPTH)."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        _text(value, where)
    elif isinstance(value, (int, float)):
        _number(value, where)
    elif isinstance(value, (list, dict)) and depth < MAX_DEPTH:
        items = value.items() if isinstance(value, dict) else enumerate(_list(value, where))
        for key, item in items:
            _plain(item, f"{where}.{key}", depth + 1)
    else:
        _fail(where, "plain JSON (text, numbers, lists and objects)", value)


def _metric(value: object, where: str, key: str) -> None:
    if key in FRACTIONS:
        _number(value, where, 0, 1)
    elif key in PERCENTAGES:
        _number(value, where, 0, 100)
    elif key in COUNTS:
        _number(value, where, 0, whole=True)
    elif key == "bpc":
        _number(value, where, 0)
    else:
        _number(value, where)


def _metrics(value: object, where: str, required: tuple[str, ...]) -> None:
    """Finite numbers, or one level of named finite numbers (per_label_f1, held_out_templates)."""
    metrics = _dict(value, where)
    for key in required:
        if key not in metrics:
            _fail(f"{where}.{key}", "present", None)
    for key, item in metrics.items():
        if isinstance(item, dict):
            for inner, number in item.items():
                _metric(number, f"{where}.{key}.{inner}", key if key in FRACTIONS else inner)
        else:
            _metric(item, f"{where}.{key}", key)


def _rows_by_length(value: object, kind: str) -> None:
    bucket = "positions" if kind == "lm" else "lengths"
    required = HEADLINE[kind][:1] + (("n",) if kind == "seq2seq" else ())
    for i, row in enumerate(_list(value, "metrics_by_length", 100)):
        where = f"metrics_by_length[{i}]"
        row = _dict(row, where)
        _text(row.get(bucket), f"{where}.{bucket}", 100, empty=False)
        _metrics({k: v for k, v in row.items() if k != bucket}, where, required)


def _config(config: dict, kind: str) -> None:
    """The sizes that decide how much the loader allocates, before any model is built."""
    lengths = ("max_src_len", "max_tgt_len") if kind == "seq2seq" else ("max_len",)
    for key, bound in [("embed_dim", MAX_WIDTH), ("hidden", MAX_WIDTH)] + [(k, MAX_LENGTH) for k in lengths]:
        if key in config:
            _number(config[key], f"config.{key}", 1, bound, whole=True)
    vocabularies = ("src_vocab", "tgt_vocab") if kind == "seq2seq" else ("vocab", "labels")
    for key in vocabularies:
        tokens = _list(config.get(key), f"config.{key}", MAX_VOCAB)
        for i, token in enumerate(tokens):
            _text(token, f"config.{key}[{i}]", 200)
    for i, bucket in enumerate(_list(config.get("length_buckets", []), "config.length_buckets", 100)):
        if not isinstance(bucket, list) or len(bucket) != 2:
            _fail(f"config.length_buckets[{i}]", "a pair [lo, hi]", bucket)
        for bound in bucket:
            _number(bound, f"config.length_buckets[{i}]", 0, MAX_LENGTH, whole=True)


def _data(value: object) -> None:
    data = _dict(value, "data")
    _text(data.get("source"), "data.source", empty=False)
    _text(data.get("licence"), "data.licence", empty=False)
    sizes = _dict(data.get("sizes"), "data.sizes")
    for key in ("train", "valid", "test"):
        if key not in sizes:
            _fail(f"data.sizes.{key}", "present", None)
    for key, size in sizes.items():
        _number(size, f"data.sizes.{key}", 0, whole=True)
    for key in ("size_unit", "held_out", "credit"):
        if key in data:
            _text(data[key], f"data.{key}")
    for key, item in data.items():
        if key not in ("source", "licence", "sizes"):
            _plain(item, f"data.{key}")


def _training(value: object) -> None:
    training = _dict(value, "training")
    _number(training.get("seconds"), "training.seconds", 0)
    for key in ("steps", "best_step", "epochs", "batch_size", "threads"):
        if key in training:
            _number(training[key], f"training.{key}", 0, whole=True)
    if "seed" in training:
        _number(training["seed"], "training.seed", whole=True)
    if "lr" in training:
        _number(training["lr"], "training.lr", 0)
    for key, item in training.items():
        _plain(item, f"training.{key}")


def _samples(value: object) -> None:
    for i, sample in enumerate(_list(value, "samples", 1000)):
        sample = _dict(sample, f"samples[{i}]")
        for key in ("input", "reference", "output", "references"):
            if key not in sample:
                continue
            item, where = sample[key], f"samples[{i}].{key}"
            if isinstance(item, list) or key == "references":  # taggers: one label per word
                for j, text in enumerate(_list(item, where, 1000)):
                    _text(text, f"{where}[{j}]")
            else:
                _text(item, where)
        _plain(sample, f"samples[{i}]")


def check_card(card: object) -> None:
    """Raise CardSchemaError naming the first field of `card` (the parsed JSON of a model card)
    whose type or range is wrong."""
    card = _dict(card, "the card")
    kind = card.get("kind", "seq2seq")
    if kind not in KINDS_ALL:
        _fail("kind", f"one of {', '.join(KINDS_ALL)}", kind)
    name = card.get("name")
    if not isinstance(name, str) or not MODEL_NAME.fullmatch(name):
        _fail("name", "letters, digits, '.', '_' and '-' (at most 100)", name)
    _text(card.get("task"), "task", 100, empty=False)
    attention = card.get("attention")
    allowed = SCORE_FUNCTIONS if kind == "seq2seq" else ()  # single RNNs have no attention
    if attention is not None and attention not in allowed:
        _fail("attention", "null" + "".join(f", {a!r}" for a in allowed), attention)
    if card.get("cell") not in CELL_TYPES:
        _fail("cell", f"one of {', '.join(CELL_TYPES)}", card.get("cell"))
    _text(card.get("description"), "description")
    _config(_dict(card.get("config"), "config"), kind)
    _data(card.get("data", {}))
    _metrics(card.get("metrics", {}), "metrics", HEADLINE[kind])
    _rows_by_length(card.get("metrics_by_length", []), kind)
    _training(card.get("training", {}))
    for i, example in enumerate(_list(card.get("examples", []), "examples", 100)):
        _text(example, f"examples[{i}]", 1000)
    _samples(card.get("samples", []))
    for key in ("weights_sha256", "pieces_sha256"):
        if key in card and not (isinstance(card[key], str) and (SHA256.fullmatch(card[key]) or
                                                                 (key == "pieces_sha256" and not card[key]))):
            _fail(key, "64 lowercase hexadecimal digits", card[key])
    for key, item in card.items():
        if key != "config":
            _plain(item, key)
