"""Subword pieces: a unigram language model over word pieces (Kudo 2018), learned on a training
split with Hugging Face `tokenizers` and stored as its plain JSON.

Pieces are written as a reader sees them, and that is also how the models' vocabularies hold them:
a piece that starts a word is bare, a piece that continues the word before it starts with JOIN (a
middle dot), so "Geleceksin." -> ["Gelecek", "·sin", "·."] and the pieces of one word read joined
(`gel·ecek·sin`). The text comes back exactly (`join_pieces`). Inside the tokenizer, word starts carry
WORD_START ("▁", as in SentencePiece).
"""
from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

WORD_START = "▁"  # U+2581, as in SentencePiece
JOIN = "·"  # U+00B7 between the pieces of one word on screen
UNKNOWN_PIECE = "<unk>"
PUNCTUATION = r"[.,!?;:\"()…]"


class PieceModel:
    """Splits text into pieces and joins pieces back into text."""

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer

    @classmethod
    def learn(cls, texts: Iterable[str], vocab_size: int) -> "PieceModel":
        """Learn a unigram piece vocabulary of `vocab_size` pieces from `texts` (deterministic)."""
        tokenizer = Tokenizer(models.Unigram())
        tokenizer.normalizer = normalizers.NFC()
        # punctuation marks are pieces of their own, never glued to the end of a word
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Metaspace(replacement=WORD_START, prepend_scheme="always"),
            pre_tokenizers.Split(Regex(PUNCTUATION), behavior="isolated")])
        tokenizer.decoder = decoders.Metaspace(replacement=WORD_START, prepend_scheme="always")
        trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=[UNKNOWN_PIECE],
                                          unk_token=UNKNOWN_PIECE, show_progress=False, shrinking_factor=0.75,
                                          max_piece_length=16)
        tokenizer.train_from_iterator(list(texts), trainer=trainer)
        return cls(tokenizer)

    @classmethod
    def from_json(cls, text: str) -> "PieceModel":
        return cls(Tokenizer.from_str(text))

    def to_json(self) -> str:
        return self.tokenizer.to_str()

    @property
    def pieces(self) -> list[str]:
        """Every piece of the vocabulary, most useful first (the unknown piece left out)."""
        vocab = self.tokenizer.get_vocab()
        return [p for p, _ in sorted(vocab.items(), key=lambda item: item[1]) if p != UNKNOWN_PIECE]

    def split(self, text: str) -> list[str]:
        """The pieces of `text` (white space already collapsed; the two marks read as spaces);
        characters the model never saw come out as pieces of their own, which a model's vocabulary
        then reads as <unk>."""
        text = text.replace(WORD_START, " ").replace(JOIN, " ")
        text = " ".join(text.split())
        if not text:
            return []
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        pieces: list[str] = []
        word_start = False
        for piece, (a, b) in zip(encoding.tokens, encoding.offsets):
            if piece == UNKNOWN_PIECE and b > a:  # show what an unknown piece stood for
                piece = text[a:b]
            if piece == WORD_START:  # a word start before a character of its own (unknown ones)
                word_start = True
                continue
            if piece.startswith(WORD_START):
                pieces.append(piece[len(WORD_START):])
            else:
                pieces.append(piece if word_start else JOIN + piece)
            word_start = False
        return pieces


def join_pieces(pieces: list[str]) -> str:
    """The text of a piece sequence: a bare piece starts a new word, a JOIN piece continues one."""
    text = ""
    for piece in pieces:
        text += piece[len(JOIN):] if piece.startswith(JOIN) else (" " if text else "") + piece
    return text


def word_starts(pieces: list[str]) -> list[int]:
    """The index of each word's first piece."""
    return [i for i, piece in enumerate(pieces) if i == 0 or not piece.startswith(JOIN)]
