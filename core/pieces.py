"""Subword pieces: a unigram language model over word pieces (Kudo 2018), learned on the words of
a training split with Hugging Face `tokenizers` and stored as its plain JSON.

Each word is split on its own, and pieces are written as a reader sees them, which is also how the
models' vocabularies hold them: the first piece of a word is bare, a piece that continues the word
before it starts with JOIN (a middle dot), so "Geleceksin." -> ["Gelecek", "·sin", "·."] and the
pieces of one word read joined (`gel·ecek·sin`). `join_pieces` gives the text back.
"""
from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, trainers

JOIN = "·"  # U+00B7: marks a piece that continues a word
UNKNOWN_PIECE = "<unk>"
PUNCTUATION = r"[.,!?;:\"()…]"


class PieceModel:
    """Splits text into pieces and joins pieces back into text."""

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer

    @classmethod
    def learn(cls, texts: Iterable[str], vocab_size: int, kind: str = "unigram") -> "PieceModel":
        """Learn `vocab_size` pieces from `texts`: 'unigram' (Kudo 2018; finds
        stems and suffixes, used for Turkish) or 'bpe' (byte-pair merges, Sennrich et al. 2016; keeps
        frequent words whole, used for English)."""
        if kind == "unigram":
            tokenizer = Tokenizer(models.Unigram())
            trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=[UNKNOWN_PIECE],
                                              unk_token=UNKNOWN_PIECE, show_progress=False, max_piece_length=16)
        elif kind == "bpe":
            tokenizer = Tokenizer(models.BPE(unk_token=UNKNOWN_PIECE))
            trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=[UNKNOWN_PIECE], show_progress=False)
        else:
            raise ValueError(f"unknown piece model kind {kind!r}; choose 'unigram' or 'bpe'")
        tokenizer.normalizer = normalizers.NFC()
        # words are split at white space; punctuation marks are pieces of their own
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex(PUNCTUATION), behavior="isolated")])
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
        """The pieces of `text` (a middle dot in it reads as a space); characters the model never
        saw come out as pieces of their own, which a model's vocabulary then reads as <unk>."""
        text = " ".join(text.replace(JOIN, " ").split())
        if not text:
            return []
        encoding = self.tokenizer.encode(text, add_special_tokens=False)
        pieces: list[str] = []
        for piece, (a, b) in zip(encoding.tokens, encoding.offsets):
            if piece == UNKNOWN_PIECE and b > a:  # show what an unknown piece stood for
                piece = text[a:b]
            pieces.append(piece if a == 0 or text[a - 1] == " " else JOIN + piece)
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
