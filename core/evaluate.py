"""Held-out evaluation: exact match (and BLEU and chrF for translation), overall and by source length.

    python -m core.evaluate dates-attn            # recompute the card's metrics on its test set
    python -m core.evaluate dates-attn --limit 500 --update-card
    python -m core.evaluate en-tr-attn --alignment              # ... and how its attention aligns
    python -m core.evaluate en-tr-attn --against en-tr-noattn   # paired bootstrap on the same test set
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
from .pieces import join_pieces, word_starts
from .vocab import EOS, PAD_ID


def batch_ids(model: Seq2Seq, sources: list[str]) -> list[list[int]]:
    cap = model.config.max_src_len
    return [model.src_vocab.encode(model.source_tokens(text)[:cap]) or [PAD_ID] for text in sources]


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
            outputs[i] = model.output_text(model.tgt_vocab.decode(seq))
    model.train(was_training)
    return outputs


def is_translation(model: Seq2Seq) -> bool:
    """Sentence translation (word or piece targets): an English sentence may have several right
    answers, so it is scored once against all of its references, with BLEU and chrF."""
    return model.config.tgt_level in ("word", "piece")


def grouped(pairs: list[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(source, every reference of that source) in order of first appearance."""
    out: dict[str, list[str]] = {}
    for src, ref in pairs:
        out.setdefault(src, []).append(ref)
    return list(out.items())


def metrics_for(model: Seq2Seq, pairs: list[tuple[str, str]], predictions: list[str]) -> tuple[dict, list[dict]]:
    """Metrics over all pairs and per source-length bucket of the model's config. `predictions`
    holds one output per pair, or for translation tasks one per distinct source (see `grouped`)."""
    config = model.config
    translation = is_translation(model)
    items = grouped(pairs) if translation else [(src, [ref]) for src, ref in pairs]
    if len(predictions) != len(items):
        raise ValueError(f"{len(predictions)} predictions for {len(items)} inputs")
    tokens_of = model.target_tokens
    correct = [any(tokens_of(p) == tokens_of(ref) for ref in refs) for p, (_, refs) in zip(predictions, items)]
    lengths = [len(model.source_tokens(src)) for src, _ in items]

    def metrics_of(indices: list[int]) -> dict:
        result = {"n": len(indices), "exact_match": sum(correct[i] for i in indices) / max(1, len(indices))}
        if translation:
            import sacrebleu

            hyps = [predictions[i] for i in indices]
            streams = reference_streams([items[i][1] for i in indices])
            result["bleu"] = sacrebleu.corpus_bleu(hyps, streams).score if indices else 0.0
            result["chrf"] = sacrebleu.corpus_chrf(hyps, streams).score if indices else 0.0
        return result

    overall = metrics_of(list(range(len(items))))
    by_length = []
    for lo, hi in config.length_buckets:
        indices = [i for i, n in enumerate(lengths) if lo <= n <= hi]
        by_length.append({"lengths": f"{lo}-{hi}", **metrics_of(indices)})
    return overall, by_length


def evaluate(model: Seq2Seq, pairs: list[tuple[str, str]]) -> tuple[dict, list[dict], list[str]]:
    """(metrics, metrics by source length, predictions: one per pair, or per distinct source for
    translation tasks)."""
    sources = [src for src, _ in grouped(pairs)] if is_translation(model) else [src for src, _ in pairs]
    predictions = predict(model, sources)
    overall, by_length = metrics_for(model, pairs, predictions)
    return overall, by_length, predictions


def _words(pieces: list[str]) -> list[tuple[int, str]]:
    """(index of its first piece, text) of every word of a piece sequence."""
    starts = word_starts(pieces)
    return [(a, join_pieces(pieces[a:b])) for a, b in zip(starts, starts[1:] + [len(pieces)])]


def alignment_figures(model: Seq2Seq, sources: list[str]) -> dict:
    """How well the attention aligns, from traced greedy translations of `sources`:

    name_alignment: over the proper names (capitalised source words other than "I") that the output
        writes too (an output word starting with the name, e.g. Tom -> Tom'un), the share whose
        first output piece comes from a step that puts its largest weight on one of the name's
        source pieces; name_cases counts them; the same for the names written after the first step
        (name_alignment_after_step_1: at step 1 the query is h^e_n, whose score with itself is its squared
        length, so that step tends to look at the end of the source);
    last_token_weight: the mean weight on the last source token over every step but the end token.
    Piece-level source and target only."""
    if model.scorer is None or model.config.src_level != "piece" or model.config.tgt_level != "piece":
        raise ValueError("alignment figures need an attention model with source and target pieces")
    hits = cases = later_hits = later_cases = 0
    last_weights: list[float] = []
    for text in sources:
        trace = model.translate(text)
        content_steps = [s for s in trace.steps if s.token != EOS]
        last_weights += [float(s.weights[-1]) for s in content_steps]
        src_words = _words(trace.src_pieces)
        out_words = _words([s.token for s in content_steps])
        starts = [start for start, _ in src_words] + [len(trace.src_pieces)]
        seen = set()
        for k, (start, word) in enumerate(src_words):
            name = "".join(ch for ch in word if ch.isalpha())
            if not name or not name[0].isupper() or name == "I" or name in seen or not word.startswith(name):
                continue
            written = [first for first, out in out_words if out.startswith(name)]
            if not written:
                continue
            seen.add(name)
            hit = starts[k] <= int(trace.steps[written[0]].weights.argmax()) < starts[k + 1]
            cases += 1
            hits += hit
            if written[0] > 0:  # not the first step, whose query is h^e_n itself
                later_cases += 1
                later_hits += hit
    return {"name_alignment": hits / max(1, cases), "name_cases": cases,
            "name_alignment_after_step_1": later_hits / max(1, later_cases), "name_cases_after_step_1": later_cases,
            "last_token_weight": sum(last_weights) / max(1, len(last_weights))}


def reference_streams(references: list[list[str]]) -> list[list[str | None]]:
    """sacrebleu's layout: one stream per reference slot; a sentence with fewer references has None."""
    width = max((len(refs) for refs in references), default=1)
    return [[" ".join(refs[k].split()) if k < len(refs) else None for refs in references] for k in range(width)]


def paired_bootstrap(references: list[list[str]], first: list[str], second: list[str], translation: bool,
                     samples: int = 1000, seed: int = 0) -> float:
    """Share of bootstrap resamples of the test set (sentences drawn with replacement, the same
    draw for both systems) on which `first` scores higher than `second`: BLEU for translation
    (every reference of a sentence used), exact match otherwise. Near 1.0 the difference is
    robust; near 0.5 it is noise."""
    rng = random.Random(seed)
    n = len(references)
    if translation:
        import sacrebleu

        bleu = sacrebleu.BLEU()
        streams = reference_streams(references)
        stats = [bleu._extract_corpus_statistics(hyps, streams) for hyps in (first, second)]

        def score(which: int, draw: list[int]) -> float:
            summed = [sum(column) for column in zip(*(stats[which][i] for i in draw))]
            return bleu._compute_score_from_stats(summed).score
    else:
        hits = [[h in refs for h, refs in zip(hyps, references)] for hyps in (first, second)]

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
    parser.add_argument("--alignment", action="store_true",
                        help="also measure how the attention aligns (names, weight on the last token)")
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
    if args.alignment:
        figures = alignment_figures(model, [src for src, _ in grouped(pairs)])
        print(json.dumps({"model": args.name, "alignment": figures}, indent=1))
        overall.update(figures)
    if args.against:
        other = load_model(args.against, args.dir)
        other_overall, other_by_length, other_predictions = evaluate(other, pairs)
        translation = is_translation(model)
        references = [refs for _, refs in grouped(pairs)] if translation else [[ref] for _, ref in pairs]
        share = paired_bootstrap(references, predictions, other_predictions, translation)
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
