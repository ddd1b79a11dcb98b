"""Checkpoints: safetensors weights + a JSON model card (config, data, metrics). Never pickle."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save, save_file

from .card_schema import MODEL_NAME, CardSchemaError, check_card
from .model import ModelConfig, Seq2Seq
from .pieces import PieceModel
from .rnn import KINDS, RecurrentModel, RNNConfig
from .weights_file import model_shapes, read_weights, shape_difference, tensor_shapes, weights_sha256

# SEQ2SEQ_CHECKPOINT_DIR points the app and the library at another directory of checkpoints (the tests
# serve damaged copies from one); read here only
CHECKPOINT_DIR = Path(os.environ.get("SEQ2SEQ_CHECKPOINT_DIR") or Path(__file__).resolve().parent.parent / "checkpoints")
MAX_CARD_BYTES = 16 * 2**20  # the largest shipped card has 143 kB
PIECES_SUFFIX = ".pieces.json"
MAX_UPLOAD_BYTES = 16 * 2**20  # each file of an uploaded model (model_from_files); a live model has at most 3 MB


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
    weights_sha256: str = ""  # of the weights file; save_model writes it, load_model checks it (core.stamp)
    pieces_sha256: str = ""  # of the piece model file, for models with subword pieces; checked the same way

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


_NAME = MODEL_NAME


def _checked_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise CheckpointError(f"{name!r} is not a model name (letters, digits, '.', '_' and '-', at most 100).")
    return name


def card_path(name: str, directory: Path = CHECKPOINT_DIR) -> Path:
    return Path(directory) / f"{name}.json"


def weights_path(name: str, directory: Path = CHECKPOINT_DIR) -> Path:
    return Path(directory) / f"{name}.safetensors"


def pieces_path(name: str, directory: Path = CHECKPOINT_DIR) -> Path:
    """The piece models (core.pieces) of a model with subword pieces: {"source": ..., "target": ...},
    each the plain JSON of a Hugging Face `tokenizers` tokenizer."""
    return Path(directory) / f"{name}{PIECES_SUFFIX}"


def save_model(model: Seq2Seq | RecurrentModel, card: ModelCard, directory: Path = CHECKPOINT_DIR) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(weights_path(card.name, directory)), metadata={"name": card.name})
    piece_models = getattr(model, "piece_models", None)
    if piece_models:
        plain = {side: json.loads(piece_model.to_json()) for side, piece_model in piece_models.items()}
        pieces_path(card.name, directory).write_text(json.dumps(plain, ensure_ascii=False), encoding="utf-8")
        card.pieces_sha256 = weights_sha256(pieces_path(card.name, directory).read_bytes())
    card.weights_sha256 = weights_sha256(weights_path(card.name, directory).read_bytes())  # the card names its weights
    card_path(card.name, directory).write_text(json.dumps(card.to_dict(), indent=1, ensure_ascii=False) + "\n",
                                               encoding="utf-8")


def check_file(path: Path, limit: int, missing: str, too_large: str) -> None:
    """CheckpointError "`path`: `missing`" if there is no file at `path`, "`path`: `too_large`"
    if it has more than `limit` bytes (checked before anything is read)."""
    if not path.is_file():
        raise CheckpointError(f"{path}: {missing}")
    if path.stat().st_size > limit:
        raise CheckpointError(f"{path}: {too_large}")


def read_card(path: Path) -> ModelCard:
    """The card at `path`, checked against the schema (core.card_schema) and its config built once."""
    path = Path(path)
    check_file(path, MAX_CARD_BYTES, "model card not found.",
               f"not a valid model card (larger than {MAX_CARD_BYTES:,} bytes).")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise CheckpointError(f"{path}: not a valid model card ({type(err).__name__}: {err}).") from None
    card = _card_from_json(raw, str(path))
    if path.name != f"{card.name}.json":
        raise CheckpointError(f"{path}: the card names another model ({card.name}).")
    return card


def _card_from_json(raw: bytes, where: str) -> ModelCard:
    """The card whose JSON is `raw`, checked against the schema, its config built once;
    CheckpointError starting with `where` (the file's path or name) otherwise."""
    try:
        data = json.loads(raw.decode("utf-8"))
        check_card(data)
        card = ModelCard.from_dict(data)
        config = card.build_config()
    except CardSchemaError as err:
        raise CheckpointError(f"{where}: not a valid model card ({err}).") from None
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError, AttributeError, RecursionError) as err:
        raise CheckpointError(f"{where}: not a valid model card ({type(err).__name__}: {err}).") from None
    if (card.name, card.attention, card.cell) != (config.name, getattr(config, "attention", None), config.cell):
        raise CheckpointError(f"{where}: the card's name, attention or cell disagrees with its config.")
    return card


def list_models(directory: Path = CHECKPOINT_DIR, unreadable: dict[str, str] | None = None) -> list[ModelCard]:
    """The cards of every model in `directory`, sorted by name. Unreadable cards are skipped; pass
    a dict as `unreadable` to collect {file stem: what is wrong} for them."""
    cards = []
    for path in sorted(Path(directory).glob("*.json")):
        if path.name.endswith(PIECES_SUFFIX):
            continue
        try:
            cards.append(read_card(path))
        except CheckpointError as err:
            if unreadable is not None:
                unreadable[path.stem] = str(err)
    return cards


def load_model(name: str, directory: Path = CHECKPOINT_DIR) -> Seq2Seq | RecurrentModel:
    """Rebuild a model from its card and weights, ready for inference (eval mode): a Seq2Seq
    for encoder-decoder cards, a RecurrentModel for language models, taggers and classifiers.
    Before anything is allocated, the weights file's size, header and tensor shapes are checked
    against the card; after loading, its values must be finite and its SHA-256 the card's."""
    name = _checked_name(name)
    card = read_card(card_path(name, directory))
    model, digest, pieces_digest = _load_weights(name, card, directory)
    if pieces_digest != card.pieces_sha256:  # a changed piece file would split text differently
        raise CheckpointError(f"{pieces_path(name, directory)}: the piece models do not match the checksum in the "
                              "card (the file is damaged or was changed).")
    return _stamped(model, card, digest,
                    unstamped=f"{card_path(name, directory)}: the card holds no checksum of its weights; once they "
                              f"are known to be right, run `python -m core.stamp {name}`.",
                    mismatch=f"{weights_path(name, directory)}: the weights do not match the checksum in the card "
                             "(the file is damaged or was changed).")


def _stamped(model: Seq2Seq | RecurrentModel, card: ModelCard, digest: str, *, unstamped: str, mismatch: str
             ) -> Seq2Seq | RecurrentModel:
    """`model` with its card, in eval mode, once `digest` (its weights file's SHA-256) is the one
    the card holds; CheckpointError(`unstamped`) if the card holds none, (`mismatch`) if it differs."""
    if not card.weights_sha256:
        raise CheckpointError(unstamped)
    if digest != card.weights_sha256:
        raise CheckpointError(mismatch)
    model.card = card
    model.eval()
    return model


def _new_model(config: ModelConfig | RNNConfig, piece_models: dict[str, PieceModel]) -> Seq2Seq | RecurrentModel:
    return Seq2Seq(config, piece_models) if isinstance(config, ModelConfig) else RecurrentModel(config)


def _load_weights(name: str, card: ModelCard, directory: Path) -> tuple[Seq2Seq | RecurrentModel, str, str]:
    """The model of `card` with the weights file's values, the file's SHA-256 and the piece model
    file's ("" without pieces), not yet checked against the card."""
    weights_file = weights_path(name, directory)
    if not weights_file.is_file():
        raise CheckpointError(f"{weights_file}: weights file not found.")
    config = card.build_config()
    piece_models, pieces_digest = _read_piece_models(name, config, directory) if isinstance(config, ModelConfig) \
        else ({}, "")

    def new_model() -> Seq2Seq | RecurrentModel:
        return _new_model(config, piece_models)

    try:
        data = read_weights(weights_file)
    except (OSError, ValueError) as err:
        raise CheckpointError(f"{weights_file}: cannot read the weights ({err}).") from None
    return _model_from_weights(new_model, data, str(weights_file)) + (pieces_digest,)


def _model_from_weights(new_model, data: bytes, where: str) -> tuple[Seq2Seq | RecurrentModel, str]:
    """The model `new_model()` builds, holding the values of the safetensors bytes `data`, and
    their SHA-256: the header and every tensor's name and shape are checked against the model
    before anything is allocated, the values must be finite. CheckpointError starting with `where`."""
    try:
        found = tensor_shapes(data)
    except ValueError as err:
        raise CheckpointError(f"{where}: cannot read the weights ({err}).") from None
    problem = shape_difference(model_shapes(new_model), found)
    if problem:
        raise CheckpointError(f"{where}: the weights do not fit the card's config ({problem}).")
    model = new_model()
    try:
        state = load(data)
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise CheckpointError(f"{where}: cannot read the weights ({err}).") from None
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        first = str(err).splitlines()[0:3]
        raise CheckpointError(f"{where}: the weights do not fit the card's config ({' '.join(first)}).") from None
    bad = [k for k, v in state.items() if not torch.isfinite(v).all()]
    if bad:
        raise CheckpointError(f"{where}: non-finite values in {', '.join(bad[:3])}.")
    return model, weights_sha256(data)


def _read_piece_models(name: str, config: ModelConfig, directory: Path) -> tuple[dict[str, PieceModel], str]:
    """The piece models a config needs and the SHA-256 of their file ({} and "" for none)."""
    sides = [side for side, level in (("source", config.src_level), ("target", config.tgt_level)) if level == "piece"]
    if not sides:
        return {}, ""
    path = pieces_path(name, directory)
    check_file(path, MAX_CARD_BYTES, "piece model file not found.",
               f"the piece model file is larger than {MAX_CARD_BYTES // 2**20} MB.")
    try:
        raw = path.read_bytes()
        plain = json.loads(raw.decode("utf-8"))
        return {side: PieceModel.from_json(json.dumps(plain[side])) for side in sides}, weights_sha256(raw)
    except Exception as err:  # the tokenizer library raises its own exception types on a bad file
        raise CheckpointError(f"{path}: not a valid piece model file ({type(err).__name__}).") from None


def model_files(model: Seq2Seq, card: ModelCard) -> tuple[bytes, bytes]:
    """The two files of a model kept in memory (a model trained live): its safetensors weights and
    its JSON card, the card stamped with the weights' SHA-256 as save_model stamps it. Nothing is
    written to disk; models with subword pieces need their piece file too and are not handled here."""
    if getattr(model, "piece_models", None):
        raise ValueError("a model with subword pieces needs its piece file beside the weights and the card")
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    weights = save(state, metadata={"name": card.name})
    card.weights_sha256 = weights_sha256(weights)
    return weights, (json.dumps(card.to_dict(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def model_from_files(card_data: bytes, weights_data: bytes, card_name: str = "the card",
                     weights_name: str = "the weights file") -> Seq2Seq:
    """An encoder-decoder from the bytes of its card and its safetensors weights (an upload), with
    the checks load_model makes: the card's schema (core.card_schema), the weights' header, names and
    shapes against the card's config before anything is allocated, finite values, and the card's
    SHA-256 of the weights. CheckpointError with one sentence naming the file (`card_name`,
    `weights_name`) otherwise. Models with subword pieces need a third file and are refused."""
    for data, where in ((card_data, card_name), (weights_data, weights_name)):
        if len(data) > MAX_UPLOAD_BYTES:
            raise CheckpointError(f"{where}: the file has {len(data):,} bytes, more than the "
                                  f"{MAX_UPLOAD_BYTES // 2**20} MB a model file here may have.")
    card = _card_from_json(card_data, card_name)
    config = card.build_config()
    if not isinstance(config, ModelConfig):
        raise CheckpointError(f"{card_name}: the card is of a {card.kind} model, not an encoder-decoder.")
    if "piece" in (config.src_level, config.tgt_level):
        raise CheckpointError(f"{card_name}: a model with subword pieces needs its piece file too, which cannot "
                              "be uploaded here.")
    unstamped = f"{card_name}: the card holds no checksum of its weights."
    if not card.weights_sha256:  # refused before the weights are read
        raise CheckpointError(unstamped)
    model, digest = _model_from_weights(lambda: Seq2Seq(config), weights_data, weights_name)
    return _stamped(model, card, digest, unstamped=unstamped,
                    mismatch=f"{weights_name}: the weights do not match the checksum in the card (another "
                             "model's weights, or a changed file).")


def model_card(name: str, directory: Path = CHECKPOINT_DIR) -> ModelCard:
    return read_card(card_path(_checked_name(name), directory))


__all__ = ["CHECKPOINT_DIR", "CheckpointError", "ModelCard", "list_models", "load_model", "save_model",
           "read_card", "model_card", "model_files", "model_from_files"]
