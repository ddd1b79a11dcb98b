"""Bad inputs give a trace with visible <unk>s and a length-capped source, or a ValueError with a
readable message; never any other exception."""
import pytest

BAD_TEXTS = [
    "", "   ", "\n\t  \r\n", "x" * 10_000, "🙂🙃🎉", "🙂 3 May 1979 🙂", "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>", "\x00\x01\x02", "ﬁ ligature ＦＵＬＬＷＩＤＴＨ", "e\u0301 combining", "İSTANBUL ıi",
    "\u202eright-to-left override", "日本語のテキスト", "' OR 1=1; --", "a" * 39 + "🙂", "\ufeff\u200b\u200d",
    "word " * 3000, "Z̷̢̛a̶l̴g̸o̵", "\ud800ab lone surrogate", "\udfff",
]


@pytest.mark.parametrize("text", BAD_TEXTS, ids=range(len(BAD_TEXTS)))
def test_bad_text_gives_trace_or_readable_value_error(model, text):
    try:
        trace = model.translate(text)
    except ValueError as err:
        message = str(err)
        assert message and message[0].isupper() and len(message) < 300
        return
    n = len(trace.src_tokens)
    assert 1 <= n <= model.config.max_src_len
    assert len(trace.src_pieces) == n
    assert all(tok == "<unk>" or tok == piece for tok, piece in zip(trace.src_tokens, trace.src_pieces))
    assert len(trace.steps) <= model.config.max_tgt_len
    if trace.truncated:
        assert any("length limit" in w for w in trace.warnings)
    if "<unk>" in trace.src_tokens:
        assert any("<unk>" in w for w in trace.warnings)


def test_empty_input_says_so(model):
    for text in ("", "    "):
        with pytest.raises(ValueError, match="empty"):
            model.translate(text)


def test_long_input_is_capped_and_flagged(model):
    trace = model.translate("abc " * 5000)
    assert trace.truncated and len(trace.src_tokens) == model.config.max_src_len


def test_unknown_characters_are_visible_unk(model):
    trace = model.translate("🙂 " + model.card.examples[0])
    assert trace.src_tokens[0] == "<unk>" and trace.src_pieces[0] == "🙂"


@pytest.mark.parametrize("options,match", [
    ({"temperature": 0}, "positive"), ({"temperature": -1}, "positive"), ({"temperature": float("nan")}, "positive"),
    ({"temperature": "hot"}, "number"), ({"beam": 0}, "beam"), ({"beam": 99}, "beam"), ({"beam": 2.5}, "beam"),
    ({"mask": ["x"]}, "whole numbers"), ({"mask": "12"}, "list"), ({"mask": [1.7]}, "whole numbers"),
    ({"mask": {0: "a"}}, "list"), ({"mask": [float("inf")]}, "whole numbers"), ({"mask": 3}, "list"),
    ({"temperature": 1e-40}, "positive"), ({"temperature": 1e9}, "positive"), ({"beam": True}, "beam"),
])
def test_bad_options_raise_readable_value_errors(model, options, match):
    with pytest.raises(ValueError, match=match):
        model.translate(model.card.examples[0], **options)


def test_bad_masks(model):
    if model.config.attention is None:
        pytest.skip("masks need an attention model (tested in test_math)")
    text = model.card.examples[0]
    n = len(model.translate(text).src_tokens)
    with pytest.raises(ValueError, match="outside"):
        model.translate(text, mask=[n + 5])
    with pytest.raises(ValueError, match="at least one"):
        model.translate(text, mask=range(n))


def test_non_text_input_is_a_value_error(model):
    for value in (None, 42, b"bytes", ["a"]):
        with pytest.raises(ValueError):
            model.translate(value)


def test_random_unicode_never_raises_anything_but_value_error(model):
    import random

    rng = random.Random(1234)
    ranges = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x400, 0x4FF), (0x600, 0x6FF), (0x3040, 0x30FF),
              (0x1F300, 0x1F6FF), (0x200B, 0x202E), (0x0, 0x1F), (0xFFF0, 0xFFFF)]
    for _ in range(60):
        length = rng.choice([1, 2, 5, 20, 80, 400])
        text = "".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(length))
        try:
            trace = model.translate(text, beam=rng.choice([1, 2]))
        except ValueError:
            continue
        assert 1 <= len(trace.src_tokens) <= model.config.max_src_len
