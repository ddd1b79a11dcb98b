"""Guided alignment training: IBM Model 1 alignments (core.align) and the loss that pulls attention
towards them (core.model.Seq2Seq.loss with a guide, core.train.pair_batches)."""
import random

import numpy as np
import pytest
import torch

from core.align import align
from core.model import ModelConfig, Seq2Seq
from core.train import pair_batches
from core.vocab import BOS_ID, EOS_ID, SPECIALS


def reordered_corpus(pairs: int, seed: int = 0):
    """Sentences of 3-7 words from 40 source words; the target translates word w to w + 100 and
    reverses the order (an SOV-like reordering), so the true link of target i is source n - 1 - i."""
    rng = random.Random(seed)
    corpus = []
    for _ in range(pairs):
        source = rng.sample(range(40), rng.randint(3, 7))
        corpus.append((source, [w + 100 for w in reversed(source)]))
    return corpus


def test_model_1_finds_the_links_of_a_reordered_corpus():
    corpus = reordered_corpus(2000)
    links = align(corpus)
    right = total = 0
    for (source, target), link in zip(corpus, links):
        assert link.shape == (len(target), len(source)) and link.dtype == np.float32
        assert np.allclose(link.sum(axis=1), 1, atol=1e-5)
        n = len(source)
        right += int(sum(int(np.argmax(link[i])) == n - 1 - i for i in range(len(target))))
        total += len(target)
    assert right / total > 0.99, right / total


def test_a_target_word_that_never_meets_its_source_gets_no_confident_link():
    corpus = reordered_corpus(500) + [([1, 2, 3], [101, 102, 103, 999])]  # 999 translates nothing seen before
    link = align(corpus)[-1]
    assert link.shape == (4, 3)
    assert link[3].max() < 0.9  # spread, not a confident link
    assert [int(np.argmax(link[i])) for i in range(3)] == [0, 1, 2]


def tiny_model(attention: str | None = "dot") -> Seq2Seq:
    vocab = list(SPECIALS) + list("abcdef")
    config = ModelConfig(name="tiny", task="reverse", src_vocab=vocab, tgt_vocab=vocab, cell="gru",
                         attention=attention, embed_dim=8, hidden=12, dropout=0.0, src_level="char",
                         tgt_level="char", lowercase=True, max_src_len=10, max_tgt_len=12,
                         length_buckets=[[1, 10]])
    torch.manual_seed(0)
    return Seq2Seq(config)


def test_batches_carry_the_guide_padded_with_zeros():
    first = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    second = np.array([[0.2, 0.3, 0.5]], np.float32)
    examples = [([5, 6], [6, 5, EOS_ID], first), ([5, 6, 7], [7, EOS_ID], second)]
    (src, src_len, tgt, guide), = list(pair_batches(examples, 8, random.Random(0)))
    assert guide.shape == (2, tgt.size(1), src.size(1))
    for row in range(2):
        links = first if int(src_len[row]) == 2 else second  # the batch may be shuffled
        m, n = links.shape
        assert torch.equal(guide[row, :m, :n], torch.from_numpy(links))
        assert guide[row, m:].abs().sum() == 0 and guide[row, :, n:].abs().sum() == 0  # end token, padding


def test_the_guided_loss_adds_the_cross_entropy_of_the_weights_against_the_guide():
    model = tiny_model().eval()
    src = torch.tensor([[4, 5, 6], [7, 8, 0]])
    src_len = torch.tensor([3, 2])
    tgt = torch.tensor([[6, 5, 4, EOS_ID], [8, 7, EOS_ID, 0]])
    guide = torch.zeros(2, 4, 3)
    guide[0, 0, 2] = guide[0, 1, 1] = guide[0, 2, 0] = 1.0
    guide[1, 0, 1] = 0.7
    guide[1, 0, 0] = 0.3
    plain, count = model.loss(src, src_len, tgt)
    guided, same = model.loss(src, src_len, tgt, guide=guide, guide_weight=0.5)
    assert count == same == 7
    # the weights the decoder computed at each teacher-forced step, recomputed step by step
    with torch.no_grad():
        encoded = model.encode(src, src_len)
        state, prev, expected = encoded.final, torch.full((2,), BOS_ID), 0.0
        for i in range(tgt.size(1)):
            step = model.decode_step(prev, state, encoded)
            expected -= float((guide[:, i] * step.weights.clamp_min(1e-9).log()).sum())
            state, prev = step.state, tgt[:, i]
    added = float((guided - plain).detach())
    assert added == pytest.approx(0.5 * expected, rel=1e-5)
    assert added > 0
    # a model without attention ignores the guide
    plain_model = tiny_model(None).eval()
    assert float(plain_model.loss(src, src_len, tgt, guide=guide, guide_weight=0.5)[0]) == pytest.approx(
        float(plain_model.loss(src, src_len, tgt)[0]))


def test_guided_training_pulls_the_weights_towards_the_guide():
    """A few optimizer steps on the guided loss alone raise the weight on the guided positions."""
    model = tiny_model()
    src = torch.tensor([[4, 5, 6, 7]])
    src_len = torch.tensor([4])
    tgt = torch.tensor([[7, 6, 5, 4, EOS_ID]])
    guide = torch.zeros(1, 5, 4)
    for i in range(4):
        guide[0, i, 3 - i] = 1.0

    @torch.no_grad()
    def on_guide() -> float:
        encoded = model.encode(src, src_len)
        state, prev, total = encoded.final, torch.full((1,), BOS_ID), 0.0
        for i in range(4):
            step = model.decode_step(prev, state, encoded)
            total += float(step.weights[0, 3 - i])
            state, prev = step.state, tgt[:, i]
        return total / 4

    model.eval()
    before = on_guide()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        total, count = model.loss(src, src_len, tgt, guide=guide, guide_weight=5.0)
        optimizer.zero_grad()
        (total / count).backward()
        optimizer.step()
    assert on_guide() > max(0.8, before + 0.3), (before, on_guide())
