"""Checkpoints: safetensors weights + a JSON model card (config, data, metrics). Never pickle."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .model import ModelConfig, Seq2Seq
from .rnn import KINDS, RecurrentModel, RNNConfig

CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"


class CheckpointError(RuntimeError):
    """A checkpoint is missing or unusable; the message names the file and what is wrong."""


@dataclass
class ModelCard:
    name: str
    task: str
    attention: str | None  # 'dot' | 'general' | 'additive' | None
    cell: str
    description: str
    config: dict
    data: dict = field(default_factory=dict)  # source, licence, split sizes
    metrics: dict = field(default_factory=dict)  # held-out test metrics
    metrics_by_length: list[dict] = field(default_factory=list)  # one row per source-length bucket
    training: dict = field(default_factory=dict)  # seconds, steps, seed, command, versions
    examples: list[str] = field(default_factory=list)  # inputs that work
    samples: list[dict] = field(default_factory=list)  # held-out inputs with reference and output
    kind: str = "seq2seq"  # 'seq2seq' (core.model) or one of core.rnn.KINDS: 'lm' | 'tagger' | 'classifier'

    def build_config(self) -> ModelConfig | RNNConfig:
        """The model config the card holds (ValueError/TypeError if it is not one)."""
        if self.kind == "seq2seq":
            return ModelConfig(**self.config)
        if self.kind in KINDS and self.config.get("kind") == self.kind:
            return RNNConfig(**self.config)
        raise ValueError(f"unknown model kind {self.kind!r}")

    @classmethod
    def from_dict(cls, data: dict) -> "ModelCard":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _checked_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise CheckpointError(f"{name!r} is not a model name (letters, digits, '.', '_' and '-', at most 100).")
    return name


def card_path(name: str, directory: Path = CHECKPOINT_DIR) -> Path:
    return Path(directory) / f"{name}.json"


def weights_path(name: str, directory: Path = CHECKPOINT_DIR) -> Path:
    return Path(directory) / f"{name}.safetensors"


def save_model(model: Seq2Seq | RecurrentModel, card: ModelCard, directory: Path = CHECKPOINT_DIR) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(weights_path(card.name, directory)), metadata={"name": card.name})
    card_path(card.name, directory).write_text(json.dumps(card.to_dict(), indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")


def read_card(path: Path) -> ModelCard:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: model card not found.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        card = ModelCard.from_dict(data)
        config = card.build_config()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError, AttributeError,
            RecursionError) as err:
        raise CheckpointError(f"{path}: not a valid model card ({type(err).__name__}: {err}).") from None
    if (card.name, card.attention, card.cell) != (config.name, getattr(config, "attention", None), config.cell):
        raise CheckpointError(f"{path}: the card's name, attention or cell disagrees with its config.")
    return card


def list_models(directory: Path = CHECKPOINT_DIR) -> list[ModelCard]:
    """The cards of every model in `directory`, sorted by name (unreadable cards are skipped)."""
    cards = []
    for path in sorted(Path(directory).glob("*.json")):
        try:
            cards.append(read_card(path))
        except CheckpointError:
            continue
    return cards


def load_model(name: str, directory: Path = CHECKPOINT_DIR) -> Seq2Seq | RecurrentModel:
    """Rebuild a model from its card and weights, ready for inference (eval mode): a Seq2Seq
    for encoder-decoder cards, a RecurrentModel for language models, taggers and classifiers."""
    name = _checked_name(name)
    card = read_card(card_path(name, directory))
    config = card.build_config()
    model = Seq2Seq(config) if isinstance(config, ModelConfig) else RecurrentModel(config)
    weights_file = weights_path(name, directory)
    if not weights_file.is_file():
        raise CheckpointError(f"{weights_file}: weights file not found.")
    try:
        state = load_file(str(weights_file))
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise CheckpointError(f"{weights_file}: cannot read the weights ({err}).") from None
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        first = str(err).splitlines()[0:3]
        raise CheckpointError(f"{weights_file}: the weights do not fit the card's config ({' '.join(first)}).") from None
    bad = [k for k, v in state.items() if not torch.isfinite(v).all()]
    if bad:
        raise CheckpointError(f"{weights_file}: non-finite values in {', '.join(bad[:3])}.")
    model.card = card
    model.eval()
    return model


def model_card(name: str, directory: Path = CHECKPOINT_DIR) -> ModelCard:
    return read_card(card_path(_checked_name(name), directory))


__all__ = ["CHECKPOINT_DIR", "CheckpointError", "ModelCard", "list_models", "load_model", "save_model",
           "read_card", "model_card"]
