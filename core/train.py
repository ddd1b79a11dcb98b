"""Train a model on a task and write its checkpoint + card.

    python -m core.train --task dates --attention dot        # -> checkpoints/dates-attn.*
    python -m core.train --task dates --attention none       # -> checkpoints/dates-noattn.*
    python -m core.train --task reverse --attention dot --minutes 2 --out /tmp/ck   # a quick run
    python -m core.train --task lm --cell lstm               # -> checkpoints/lm-lstm.* (core.rnn_train)

Seeded and reproducible on one thread (the default). The best weights on the validation split
are kept; the card's metrics come from the held-out test split.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from .align import align
from .checkpoint import CHECKPOINT_DIR, ModelCard, save_model
from .evaluate import alignment_figures, evaluate, grouped, is_translation, pad
from .film import METRIC_SLICE, PROBES, FilmRecorder, save_film
from .fit import Budget, fit, length_batches, trained_card
from .model import ModelConfig, Seq2Seq
from .rnn_train import RECURRENT_SETTINGS, train_recurrent
from .tasks import get_task
from .pieces import PieceModel
from .text import normalize
from .vocab import EOS_ID, SPECIALS, Vocab


@dataclass(frozen=True, kw_only=True)
class Settings(Budget):
    """Per-task model size and training budget (the same for the -attn and -noattn model)."""

    embed_dim: int
    hidden: int
    src_level: str
    tgt_level: str
    lowercase: bool
    max_src_len: int
    max_tgt_len: int
    length_buckets: tuple
    batch_size: int = 128
    drop_spaces: bool = False
    label_smoothing: float = 0.0
    train_size: int | None = None  # None: the task's default
    bidirectional: bool = False  # the encoder reads both ways (core.model.ModelConfig)
    src_pieces: tuple = ()  # piece-level sides: (kind, how many pieces) the piece model learns (core.pieces)
    tgt_pieces: tuple = ()


SETTINGS = {
    "dates": Settings(embed_dim=32, hidden=128, src_level="char", tgt_level="char", lowercase=True,
                      max_src_len=64, max_tgt_len=12, length_buckets=((1, 15), (16, 23), (24, 31), (32, 64)),
                      steps=6000, min_freq=5),
    "numbers": Settings(embed_dim=32, hidden=128, src_level="char", tgt_level="char", lowercase=True,
                        max_src_len=100, max_tgt_len=8, length_buckets=((1, 15), (16, 31), (32, 47), (48, 100)),
                        steps=3500, min_freq=5),
    "reverse": Settings(embed_dim=32, hidden=128, src_level="char", tgt_level="char", lowercase=True,
                        drop_spaces=True, max_src_len=60, max_tgt_len=62,
                        length_buckets=((3, 9), (10, 19), (20, 29), (30, 40)), steps=6000, min_freq=5),
    # 90k real sentence pairs; Turkish in 4000 unigram pieces (suffixes become pieces of their own), English
    # in 8000 BPE pieces (frequent words whole, so a source word is one position to attend to; a unigram
    # model of that size splits "am" and "tired"); a bidirectional encoder so
    # that h^e_j describes x_j in its sentence, dropout and label smoothing against overfitting
    "en-tr": Settings(embed_dim=256, hidden=256, src_level="piece", tgt_level="piece", lowercase=False,
                      max_src_len=40, max_tgt_len=48, length_buckets=((1, 5), (6, 8), (9, 11), (12, 40)),
                      steps=14000, dropout=0.2, batch_size=96, lr=2e-3, label_smoothing=0.1, eval_every=1000,
                      bidirectional=True, src_pieces=("bpe", 8000), tgt_pieces=("unigram", 4000)),
}


def model_name(task: str, attention: str | None, cell: str = "gru") -> str:
    kind = "noattn" if attention is None else ("attn" if attention == "dot" else attention)
    return f"{task}-{kind}" + ("" if cell == "gru" else f"-{cell}")


def encode_pairs(pairs, model: Seq2Seq) -> list[tuple[list[int], list[int]]]:
    """(source ids, target ids + EOS) of each (source, target) pair in `model`'s vocabularies;
    pairs with an empty source, a source over max_src_len or a target of max_tgt_len tokens or
    more are left out."""
    config, out = model.config, []
    for src, tgt in pairs:
        s = model.source_tokens(src)
        t = model.target_tokens(tgt)
        if 0 < len(s) <= config.max_src_len and len(t) < config.max_tgt_len:
            out.append((model.src_vocab.encode(s), model.tgt_vocab.encode(t) + [EOS_ID]))
    return out


def _piece_models(settings: Settings, train_pairs) -> dict[str, PieceModel]:
    """Piece models learned on the training split only, for the sides whose level is 'piece'."""
    out = {}
    if settings.src_level == "piece":
        kind, size = settings.src_pieces
        out["source"] = PieceModel.learn([normalize(s, settings.lowercase) for s, _ in train_pairs], size, kind)
    if settings.tgt_level == "piece":
        kind, size = settings.tgt_pieces
        out["target"] = PieceModel.learn([normalize(t, False) for _, t in train_pairs], size, kind)
    return out


def pair_batches(examples, batch_size: int, rng: random.Random):
    """One epoch of `encode_pairs`' examples as padded batches (src, src_len, tgt), shuffled by
    `rng`, each of similar source length (less padding, every example once). Examples that carry
    a third item, their alignment (m, n) from core.align, add the batch's guide (B, m + 1, n): the
    end token's row and padding are zeros."""
    for batch in length_batches([len(example[0]) for example in examples], batch_size, rng):
        src, src_len = pad([examples[i][0] for i in batch])
        tgt, _ = pad([examples[i][1] for i in batch])
        if len(examples[batch[0]]) < 3:
            yield src, src_len, tgt
            continue
        guide = torch.zeros(len(batch), tgt.size(1), src.size(1))
        for row, i in enumerate(batch):
            links = examples[i][2]
            guide[row, : links.shape[0], : links.shape[1]] = torch.from_numpy(links)
        yield src, src_len, tgt, guide


def selection_metric(metrics: dict) -> float:
    """The number training keeps the best weights by (higher is better): BLEU for translation,
    otherwise exact match in percent (from core.evaluate.evaluate's metrics)."""
    return metrics.get("bleu", metrics["exact_match"] * 100)


def train(task: str, attention: str | None = "dot", cell: str = "gru", seed: int = 0, steps: int | None = None,
          minutes: float = 28.0, train_size: int | None = None, out_dir: str | Path | None = CHECKPOINT_DIR,
          name: str | None = None,
          progress: bool = True, data_seed: int = 0, sizes: dict[str, int] | None = None,
          film: bool = False, pieces_from: str | Path | None = None, guided: float = 0.0,
          batch_size: int | None = None) -> tuple[Seq2Seq, ModelCard]:
    """Train one model; `sizes` overrides the task's split sizes (small runs and tests). With
    `film`, a training film (core.film) is recorded and saved beside the checkpoint; `pieces_from`
    (a pieces file, core.pieces) reuses learned piece models instead of learning them again, so a
    run can reproduce a shipped model exactly. `guided` > 0 (attention models): guided alignment
    training, the loss adds `guided` times the cross-entropy between each step's weights and the
    training pair's IBM Model 1 alignment (core.align), learned from the training split alone."""
    started = time.time()
    settings = SETTINGS[task]
    if steps is not None:
        settings = replace(settings, steps=steps, eval_every=min(settings.eval_every, max(1, steps // 4)))
    if batch_size is not None:
        settings = replace(settings, batch_size=batch_size)
    guided = guided if attention is not None else 0.0
    module = get_task(task)
    sizes = dict(sizes or {})
    if train_size or settings.train_size:
        sizes["train"] = train_size or settings.train_size
    splits = module.build_splits(seed=data_seed, sizes=sizes or None)
    torch.manual_seed(seed)
    rng = random.Random(seed)

    piece_models = _read_pieces(pieces_from) if pieces_from else _piece_models(settings, splits["train"])
    config = ModelConfig(
        name=name or model_name(task, attention, cell), task=task, src_vocab=list(SPECIALS), tgt_vocab=list(SPECIALS),
        cell=cell, attention=attention, embed_dim=settings.embed_dim,
        hidden=settings.hidden, dropout=settings.dropout, src_level=settings.src_level,
        tgt_level=settings.tgt_level, lowercase=settings.lowercase, drop_spaces=settings.drop_spaces,
        max_src_len=settings.max_src_len, max_tgt_len=settings.max_tgt_len,
        length_buckets=[list(b) for b in settings.length_buckets], bidirectional=settings.bidirectional)
    splitter = Seq2Seq(config, piece_models)  # only its tokenisation is used, to build the vocabularies
    src_vocab = Vocab.build([splitter.source_tokens(s) for s, _ in splits["train"]], settings.min_freq,
                            settings.max_vocab)
    tgt_vocab = Vocab.build([splitter.target_tokens(t) for _, t in splits["train"]], settings.min_freq,
                            settings.max_vocab)
    config = replace(config, src_vocab=src_vocab.tokens, tgt_vocab=tgt_vocab.tokens)
    model = Seq2Seq(config, piece_models)
    examples = encode_pairs(splits["train"], model)
    if guided:  # the end token (last target id) gets no alignment
        links = align([(src, tgt[:-1]) for src, tgt in examples])
        examples = [(src, tgt, link) for (src, tgt), link in zip(examples, links)]
    valid = splits["valid"]

    epochs = 0

    def batches():
        nonlocal epochs
        while True:
            epochs += 1
            yield from pair_batches(examples, settings.batch_size, rng)

    def loss_of(batch) -> torch.Tensor:
        total, count = model.loss(*batch[:3], settings.label_smoothing, guide=batch[3] if len(batch) > 3 else None,
                                  guide_weight=guided)
        return total / count

    recorder = _film_recorder(model, module, valid, settings.steps) if film else None
    fitted = fit(model, batches(), loss_of, lambda: selection_metric(evaluate(model, valid)[0]),
                 steps=settings.steps, lr=settings.lr, eval_every=settings.eval_every,
                 deadline=started + minutes * 60, name=config.name, progress=progress, digits=3,
                 recorder=recorder)
    seconds = time.time() - started

    metrics, by_length, predictions = evaluate(model, splits["test"])
    if is_translation(model):  # one prediction per English sentence, scored against all its references
        samples = [{"input": src, "reference": refs[0], "references": refs, "output": out}
                   for (src, refs), out in list(zip(grouped(splits["test"]), predictions))[:20]]
    else:
        samples = [{"input": src, "reference": ref, "output": out}
                   for (src, ref), out in list(zip(splits["test"], predictions))[:20]]
    if attention is not None and config.src_level == config.tgt_level == "piece":
        metrics.update(alignment_figures(model, [src for src, _ in grouped(splits["test"])]))
    card = trained_card(
        config=config, module=module, attention=attention,
        description=_describe(task, attention, cell, module, config.bidirectional),
        data={"data_seed": data_seed, "sizes": {k: len(v) for k, v in splits.items()},
              "held_out": "the test split shares no key (date, number, string or English sentence) with training"},
        metrics=metrics, by_length=by_length, fitted=fitted, seconds=seconds, minutes=minutes, seed=seed,
        batch_size=settings.batch_size, lr=settings.lr, epochs=epochs, samples=samples,
        **({"guided_alignment": guided, "aligner": "IBM Model 1 both ways on the training split (core.align)"}
           if guided else {}),
        command=f"python -m core.train --task {task} --attention {attention or 'none'}"
                + ("" if cell == "gru" else f" --cell {cell}") + f" --minutes {minutes:g}"
                + ("" if steps is None else f" --steps {steps}") + (f" --guided {guided:g}" if guided else "")
                + ("" if batch_size is None else f" --batch-size {batch_size}") + (" --film" if film else "")
                + ("" if pieces_from is None else f" --pieces-from {pieces_from}"))
    model.card = card
    if out_dir is not None:
        save_model(model, card, out_dir)
        if recorder is not None:
            recorder.film.final_weights_sha256 = card.weights_sha256
            recorder.film.best_step = fitted.best_step
            save_film(recorder.film, out_dir)
    return model, card


def _read_pieces(path: str | Path) -> dict[str, PieceModel]:
    plain = json.loads(Path(path).read_text(encoding="utf-8"))
    return {side: PieceModel.from_json(json.dumps(value)) for side, value in plain.items()}


def _film_recorder(model: Seq2Seq, module, valid: list[tuple[str, str]], steps: int) -> FilmRecorder:
    """A recorder whose probes are the task's first examples and whose metric is the selection
    metric on the first METRIC_SLICE validation inputs (distinct sources for translation)."""
    if is_translation(model):
        keep = {src for src, _ in grouped(valid)[:METRIC_SLICE]}
        sliced = [(src, ref) for src, ref in valid if src in keep]
        inputs, name = len(keep), "BLEU"
    else:
        sliced = valid[:METRIC_SLICE]
        inputs, name = len(sliced), "exact match (%)"
    return FilmRecorder(model, list(module.EXAMPLES[:PROBES]),
                        lambda: selection_metric(evaluate(model, sliced)[0]), name, inputs, steps)


def _describe(task: str, attention: str | None, cell: str, module, bidirectional: bool = False) -> str:
    what = (module.__doc__ or task).strip().splitlines()[0].strip("`").strip()
    how = ("plain encoder-decoder: the decoder sees only c = h^e_n" if attention is None
           else f"encoder-decoder with {attention}-product attention" if attention == "dot"
           else f"encoder-decoder with {attention} attention")
    if bidirectional:
        return f"{what} -- {how} (bidirectional {cell.upper()} encoder, {cell.upper()} decoder)."
    return f"{what} -- {cell.upper()} {how}."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", required=True, choices=sorted(SETTINGS) + sorted(RECURRENT_SETTINGS))
    parser.add_argument("--attention", default="dot", choices=["dot", "general", "additive", "none"])
    parser.add_argument("--cell", default="gru", choices=["rnn", "gru", "lstm"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=None, help="optimizer steps (default: the task's budget)")
    parser.add_argument("--minutes", type=float, default=28.0, help="stop training after this long")
    parser.add_argument("--train-size", type=int, default=None, help="training pairs (default: the task's)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--name", default=None)
    parser.add_argument("--out", default=str(CHECKPOINT_DIR))
    parser.add_argument("--film", action="store_true", help="record a training film (core.film) beside the checkpoint")
    parser.add_argument("--pieces-from", default=None, help="reuse this pieces file instead of learning pieces")
    parser.add_argument("--guided", type=float, default=0.0,
                        help="weight of the guided alignment loss (attention models; core.align)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the task's")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    attention = None if args.attention == "none" else args.attention
    if args.task in RECURRENT_SETTINGS:  # a single RNN: language model, tagger or classifier
        _, card = train_recurrent(args.task, args.cell, args.seed, args.steps, args.minutes, args.out, args.name)
        print(f"{card.name}: {card.metrics} in {card.training['seconds']:.0f} s")
        return 0
    _, card = train(args.task, attention, args.cell, args.seed, args.steps, args.minutes, args.train_size,
                    args.out, args.name, film=args.film, pieces_from=args.pieces_from, guided=args.guided,
                    batch_size=args.batch_size)
    print(f"{card.name}: {card.metrics} in {card.training['seconds']:.0f} s")
    for row in card.metrics_by_length:
        print("  ", row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
