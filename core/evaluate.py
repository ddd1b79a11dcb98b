"""Held-out evaluation: exact match (and BLEU for word-level tasks), overall and by source length.

    python -m core.evaluate dates-attn            # recompute the card's metrics on its test set
    python -m core.evaluate dates-attn --limit 500 --update-card
    python -m core.evaluate en-de-attn --against en-de-noattn   # paired bootstrap on the same test set
"""
from __future__ import annotations

import argparse
import json
import random
import sys

import torch

from .checkpoint import CHECKPOINT_DIR, CheckpointError, load_model, save_model
from .model import Seq2Seq
from .tasks import get_task
from .text import detokenize, source_pieces, target_pieces
from .vocab import PAD_ID, output_text


def batch_ids(model: Seq2Seq, sources: list[str]) -> list[list[int]]:
    config = model.config
    out = []
    for text in sources:
        pieces = source_pieces(text, config.src_level, config.lowercase, config.drop_spaces)[: config.max_src_len]
        out.append(model.src_vocab.encode(pieces) or [PAD_ID])
    return out


def pad(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([len(s) for s in sequences])
    padded = torch.full((len(sequences), int(lengths.max())), PAD_ID, dtype=torch.long)
    for i, seq in enumerate(sequences):
        padded[i, : len(seq)] = torch.tensor(seq)
    return padded, lengths


def predict(model: Seq2Seq, sources: list[str], batch_size: int = 256) -> list[str]:
    """Batched greedy decoding of raw source texts (the same normalisation as translate())."""
    was_training = model.training
    model.eval()
    ids = batch_ids(model, sources)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # similar lengths batch together
    outputs: list[str] = [""] * len(ids)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        src, lengths = pad([ids[i] for i in chunk])
        for i, seq in zip(chunk, model.greedy(src, lengths)):
            outputs[i] = output_text(model.tgt_vocab.decode(seq), model.config.tgt_level)
    model.train(was_training)
    return outputs


def metrics_for(model: Seq2Seq, pairs: list[tuple[str, str]], predictions: list[str]) -> tuple[dict, list[dict]]:
    """Metrics over all pairs and per source-length bucket of the model's config."""
    config = model.config
    level = config.tgt_level
    correct = [target_pieces(p, level) == target_pieces(ref, level) for p, (_, ref) in zip(predictions, pairs)]
    lengths = [len(source_pieces(src, config.src_level, config.lowercase, config.drop_spaces)) for src, _ in pairs]

    def metrics_of(indices: list[int]) -> dict:
        result = {"n": len(indices), "exact_match": sum(correct[i] for i in indices) / max(1, len(indices))}
        if level == "word":
            import sacrebleu

            hyps = [predictions[i] for i in indices]
            refs = [detokenize(target_pieces(pairs[i][1], level), level) for i in indices]
            result["bleu"] = sacrebleu.corpus_bleu(hyps, [refs]).score if indices else 0.0
        return result

    overall = metrics_of(list(range(len(pairs))))
    by_length = []
    for lo, hi in config.length_buckets:
        indices = [i for i, n in enumerate(lengths) if lo <= n <= hi]
        by_length.append({"lengths": f"{lo}-{hi}", **metrics_of(indices)})
    return overall, by_length


def evaluate(model: Seq2Seq, pairs: list[tuple[str, str]]) -> tuple[dict, list[dict], list[str]]:
    predictions = predict(model, [src for src, _ in pairs])
    overall, by_length = metrics_for(model, pairs, predictions)
    return overall, by_length, predictions


def paired_bootstrap(references: list[str], first: list[str], second: list[str], level: str,
                     samples: int = 1000, seed: int = 0) -> float:
    """Share of bootstrap resamples of the test set (sentences drawn with replacement, the same
    draw for both systems) on which `first` scores higher than `second`: BLEU for word-level
    targets, exact match otherwise. Near 1.0 the difference is robust; near 0.5 it is noise."""
    rng = random.Random(seed)
    n = len(references)
    if level == "word":
        import sacrebleu

        bleu = sacrebleu.BLEU()
        stats = [bleu._extract_corpus_statistics(hyps, [references]) for hyps in (first, second)]

        def score(which: int, draw: list[int]) -> float:
            summed = [sum(column) for column in zip(*(stats[which][i] for i in draw))]
            return bleu._compute_score_from_stats(summed).score
    else:
        hits = [[h == r for h, r in zip(hyps, references)] for hyps in (first, second)]

        def score(which: int, draw: list[int]) -> float:
            return sum(hits[which][i] for i in draw)
    wins = 0
    for _ in range(samples):
        draw = [rng.randrange(n) for _ in range(n)]
        wins += score(0, draw) > score(1, draw)
    return wins / samples


def held_out_pairs(model: Seq2Seq, limit: int | None = None) -> list[tuple[str, str]]:
    """The held-out test split the model's card was measured on (same task, same data seed).
    Every task draws its held-out splits independently of the training split's size, so the
    training split is not generated here."""
    card = model.card
    seed = card.data.get("data_seed", 0) if card else 0
    sizes = {**(card.data.get("sizes") or {} if card else {}), "train": 0}
    pairs = get_task(model.config.task).build_splits(seed=seed, sizes=sizes)["test"]
    return pairs[:limit] if limit else pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="model name, e.g. dates-attn")
    parser.add_argument("--limit", type=int, default=None, help="only the first N test pairs")
    parser.add_argument("--update-card", action="store_true",
                        help="write the new figures (and the task's current example inputs) into the card")
    parser.add_argument("--dir", default=str(CHECKPOINT_DIR))
    parser.add_argument("--against", metavar="OTHER",
                        help="also run model OTHER on the same test set and print a paired bootstrap comparison")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    try:
        model = load_model(args.name, args.dir)
    except CheckpointError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not isinstance(model, Seq2Seq):  # a single RNN: language model, tagger or classifier
        from .rnn_train import RECURRENT_SETTINGS, evaluate_recurrent, held_out_splits

        buckets = RECURRENT_SETTINGS[model.config.task].length_buckets
        overall, by_length, _ = evaluate_recurrent(model, held_out_splits(model), buckets)
        print(json.dumps({"model": args.name, "card": model.card.metrics, "measured": overall,
                          "by_length": by_length}, indent=1))
        if args.update_card:
            model.card.metrics, model.card.metrics_by_length = overall, by_length
            save_model(model, model.card, args.dir)
        return 0
    pairs = held_out_pairs(model, args.limit)
    overall, by_length, predictions = evaluate(model, pairs)
    print(json.dumps({"model": args.name, "card": model.card.metrics, "measured": overall,
                      "by_length": by_length}, indent=1))
    if args.against:
        other = load_model(args.against, args.dir)
        other_overall, other_by_length, other_predictions = evaluate(other, pairs)
        level = model.config.tgt_level
        references = [detokenize(target_pieces(ref, level), level) for _, ref in pairs]
        share = paired_bootstrap(references, predictions, other_predictions, level)
        print(json.dumps({"model": args.against, "measured": other_overall, "by_length": other_by_length,
                          f"share of 1000 bootstrap resamples on which {args.name} scores higher": share},
                         indent=1))
    if args.update_card:
        model.card.metrics, model.card.metrics_by_length = overall, by_length
        model.card.examples = list(get_task(model.config.task).EXAMPLES)
        save_model(model, model.card, args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
