"""A fast training smoke test on `reverse`: the CLI's train() learns, is reproducible for a seed,
and writes a checkpoint that loads and runs."""
import numpy as np

from core import load_model
from core.train import train


def test_training_smoke_reverse_learns_and_is_reproducible(tmp_path):
    kwargs = dict(task="reverse", attention="dot", steps=60, progress=False,
                  sizes={"train": 3000, "valid": 200, "test": 300})
    model_a, card_a = train(out_dir=tmp_path / "a", **kwargs)
    model_b, _ = train(out_dir=tmp_path / "b", **kwargs)
    for (key, a), b in zip(model_a.state_dict().items(), model_b.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=key)
    first, last = card_a.training["history"][0], card_a.training["history"][-1]
    assert last["loss"] < first["loss"] * 0.9 or last["loss"] < 2.5
    assert card_a.metrics["n"] == card_a.data["sizes"]["test"]
    loaded = load_model("reverse-attn", tmp_path / "a")
    trace = loaded.translate("abcdef")
    assert trace.src_tokens == list("abcdef") and trace.steps


def test_noattn_smoke_has_no_attention(tmp_path):
    model, card = train(task="reverse", attention=None, steps=5, progress=False, out_dir=None,
                        sizes={"train": 500, "valid": 50, "test": 50})
    assert card.name == "reverse-noattn" and model.scorer is None
    assert model.translate("abc").attention is None


def test_skip_unk_targets_leaves_unknown_target_words_out_of_the_loss():
    from core.model import ModelConfig
    from core.train import _encode_pairs
    from core.vocab import EOS_ID, PAD_ID, UNK_ID, Vocab

    src, tgt = Vocab(["<pad>", "<s>", "</s>", "<unk>", "a", "b"]), Vocab(["<pad>", "<s>", "</s>", "<unk>", "x"])
    config = ModelConfig(name="t", task="en-de", src_vocab=src.tokens, tgt_vocab=tgt.tokens,
                         src_level="word", tgt_level="word")
    pairs = [("a b", "x y x")]
    assert _encode_pairs(pairs, config, src, tgt) == [([4, 5], [4, UNK_ID, 4, EOS_ID])]
    assert _encode_pairs(pairs, config, src, tgt, skip_unk_targets=True) == [([4, 5], [4, PAD_ID, 4, EOS_ID])]
