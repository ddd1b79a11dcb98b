"""Word alignments learned from sentence pairs alone (IBM Model 1, Brown et al. 1993), for guided
alignment training (Chen et al. 2016: an extra loss pulls each decoder step's attention weights
towards the source positions its output token aligns to).

Model 1 learns translation probabilities t(f | e) by expectation-maximisation over co-occurrences:
no positions, no dictionaries. It is learned both ways (target given source, source given target)
and the two posteriors are multiplied, which keeps the links both directions agree on (a name and
its translation, a verb and its suffixed form) and damps the ones only frequency suggests.

    links = align(pairs)            # pairs: [(source ids, target ids)], e.g. core.train.encode_pairs
    links[k]                        # (m, n) float32: row i sums to 1 over the n source positions

Vectorised with numpy: every (target position, source position) co-occurrence of the corpus is one
entry of a flat array: both directions, five EM iterations each, take about 8 s for the 89,832
en-tr training pairs.
"""
from __future__ import annotations

import numpy as np

NULL = -1  # the empty source word of Model 1 (target words that translate nothing)


def _model1(source: list[list[int]], target: list[list[int]], iterations: int) -> np.ndarray:
    """EM for t(target word | source word), a NULL word added to every source. Returns the posterior
    of every co-occurrence, in corpus order: for each sentence, for each target word, NULL and then
    each source word (so a sentence's block reshapes to (m, n + 1))."""
    src_word, tgt_word, group = [], [], []
    g = 0
    for s, t in zip(source, target):
        words = [NULL] + list(s)
        for word in t:
            src_word.extend(words)
            tgt_word.extend([word] * len(words))
            group.extend([g] * len(words))
            g += 1
    src_word = np.asarray(src_word, np.int64)
    tgt_word = np.asarray(tgt_word, np.int64)
    group = np.asarray(group, np.int64)
    src_index = src_word - NULL  # NULL becomes 0
    pair, pair_of = np.unique(src_index * (tgt_word.max() + 1) + tgt_word, return_inverse=True)
    pair_source = pair // (tgt_word.max() + 1)
    t = np.ones(len(pair))  # uniform start
    for _ in range(iterations):
        p = t[pair_of]
        posterior = p / np.bincount(group, p)[group]
        counts = np.bincount(pair_of, posterior, minlength=len(pair))
        t = counts / np.bincount(pair_source, counts)[pair_source]
    p = t[pair_of]
    return p / np.bincount(group, p)[group]


def align(pairs: list[tuple[list[int], list[int]]], iterations: int = 5) -> list[np.ndarray]:
    """Soft alignments of each pair: (m, n) float32, row i the weight of each source position for
    target token i (the product of both directions' Model 1 posteriors, renormalised; a NULL source
    word soaks up target tokens that translate nothing, and is dropped). Rows whose posteriors share
    no source position sum to 0 (no guidance for that token)."""
    source = [list(s) for s, _ in pairs]
    target = [list(t) for _, t in pairs]
    forward = _model1(source, target, iterations)  # t(target | source)
    backward = _model1(target, source, iterations)  # t(source | target)
    out = []
    f_at = b_at = 0
    for s, t in zip(source, target):
        n, m = len(s), len(t)
        f = forward[f_at: f_at + m * (n + 1)].reshape(m, n + 1)[:, 1:]  # drop NULL: (m, n)
        b = backward[b_at: b_at + n * (m + 1)].reshape(n, m + 1)[:, 1:].T  # (m, n)
        f_at += m * (n + 1)
        b_at += n * (m + 1)
        joint = f * b
        total = joint.sum(axis=1, keepdims=True)
        out.append(np.divide(joint, total, out=np.zeros_like(joint), where=total > 0).astype(np.float32))
    return out
