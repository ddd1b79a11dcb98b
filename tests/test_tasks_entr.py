"""The `en-tr` task: the Tatoeba data, the classroom rule, the splits held out by English
sentence, the piece models (learned on the training split, round trip, display), and the
classroom examples the card offers."""
import pytest

from core.pieces import JOIN, PieceModel, join_pieces, word_starts
from core.tasks import entr

from conftest import ROOT, shipped


@pytest.fixture(scope="module")
def splits():
    return entr.build_splits(seed=0)


def test_data_is_the_shared_tatoeba_file_with_its_credit():
    pairs = entr.load_pairs()
    assert len(pairs) == 94188
    licence = (ROOT / "data" / "en-tr" / "LICENSE.md").read_text(encoding="utf-8")
    assert "Tatoeba" in licence and "CC BY 2.0 FR" in licence


@pytest.mark.parametrize("english,turkish", [
    ("Who did you kill?", "Sen kimi öldürdün?"),
    ("Do you have a gun?", "Silahın var mı?"),
    ("That movie was sexy.", "O film seksiydi."),
    ("He was murdered.", "O öldürüldü."),  # caught on both sides
    ("My father is no longer with us.", "Babam öldü."),  # caught on the Turkish side only
    ("Blood everywhere.", "Her yerde kan."),
])
def test_classroom_rule_drops_violence_and_sexual_content(english, turkish):
    assert not entr.classroom_safe(english, turkish)


@pytest.mark.parametrize("english,turkish", [
    ("The cat sleeps on the sofa.", "Kedi kanepede uyuyor."),  # "kanepe" is not "kan" (blood)
    ("She has a lot of skill.", "Onun çok becerisi var."),  # "kill" only as a whole word
    ("I bought a pencil.", "Bir kurşun kalem aldım."),
    ("Tom is at home.", "Tom evde."),
])
def test_classroom_rule_keeps_ordinary_sentences(english, turkish):
    assert entr.classroom_safe(english, turkish)


def test_classroom_rule_removes_a_small_share():
    removed = len(entr.load_pairs()) - len(entr.classroom_pairs())
    assert 500 < removed < 3000, removed  # 1,356 with the rule as written


def test_splits_are_held_out_by_english_sentence(splits):
    english = {name: {en for en, _ in pairs} for name, pairs in splits.items()}
    assert not english["train"] & english["test"]
    assert not english["train"] & english["valid"]
    assert not english["valid"] & english["test"]
    assert len(splits["test"]) <= 2000 and len(splits["valid"]) <= 1000
    assert len(splits["test"]) > 1990 and len(splits["valid"]) > 990
    total = sum(len(pairs) for pairs in splits.values())
    assert total == len(entr.classroom_pairs())
    assert all(entr.classroom_safe(en, tr) for pairs in splits.values() for en, tr in pairs)


def test_splits_are_seeded(splits):
    assert entr.build_splits(seed=0)["test"] == splits["test"]
    assert entr.build_splits(seed=1)["test"] != splits["test"]


def test_piece_model_round_trip_and_display():
    texts = ["Geleceksin.", "Gelecek misin?", "Geliyorum.", "Gidecek.", "Tom geldi."] * 40
    pieces = PieceModel.learn(texts, vocab_size=40)
    again = PieceModel.from_json(pieces.to_json())
    for text in texts[:5] + ["Tom gidecek misin?"]:
        split = pieces.split(text)
        assert split == again.split(text)
        assert join_pieces(split) == text
        assert not split[0].startswith(JOIN)
        assert len(word_starts(split)) == len(text.split())
        assert all(p in (f"{JOIN}.", f"{JOIN}?") or not p.endswith((".", "?")) for p in split)  # punctuation alone
    assert join_pieces(["gel", f"{JOIN}ecek", f"{JOIN}sin", f"{JOIN}.", "Tom"]) == "geleceksin. Tom"
    split = pieces.split("Tom 😀 geldi")  # an unknown character is a word of its own
    assert "😀" in split and split.index("😀") in word_starts(split) and join_pieces(split) == "Tom 😀 geldi"


def test_shipped_piece_models_round_trip_every_test_sentence(splits):
    model = shipped("en-tr-attn")
    for en, tr in splits["test"]:
        assert join_pieces(model.source_tokens(en)) == " ".join(en.split())
        assert join_pieces(model.target_tokens(tr)) == " ".join(tr.split())


def test_piece_models_were_learned_on_the_training_split_only(splits):
    """A test sentence's rare words are not whole pieces unless training has them too."""
    model = shipped("en-tr-attn")
    train_words = {w for en, _ in splits["train"] for w in en.split()}
    test_only = {w.strip(".,!?") for en, _ in splits["test"] for w in en.split()} - {w.strip(".,!?") for w in train_words}
    whole = [w for w in test_only if w and model.source_tokens(w) == [w]]
    assert len(whole) <= 0.2 * max(1, len(test_only)), whole[:20]


def test_classroom_examples_translate_to_a_human_reference(splits):
    model = shipped("en-tr-attn")
    assert len(model.card.examples) == 10 and model.card.examples == entr.EXAMPLES
    references = entr.references(splits["test"])
    for text in model.card.examples:
        assert text in references, text  # held out: never seen in training
        assert model.translate(text).output in references[text], (text, references[text])


@pytest.mark.parametrize("text", ["Tom is reading. 😀", "İstanbul'da yaşıyorum.", "x" * 10_000, "<b>hi</b>",
                                  "\u202eevil", "   ", "Ünïcödé ñ ß"])
def test_any_text_gives_a_trace_or_a_clear_error(text):
    model = shipped("en-tr-attn")
    try:
        trace = model.translate(text)
    except ValueError as error:
        assert str(error)
        assert not text.strip()
        return
    assert len(trace.src_tokens) <= model.config.max_src_len
    assert trace.steps and trace.steps[-1].token in ("</s>", trace.out_tokens[-1])
