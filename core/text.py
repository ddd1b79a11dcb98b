"""Text normalisation and tokenisation shared by training and inference.

Whatever is applied here is applied identically when a model is trained and when it runs,
so the source tokens shown on screen are exactly what the encoder saw.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Words, numbers (with inner apostrophes or hyphens kept together) and single punctuation marks.
_WORD = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]", re.UNICODE)


_TURKISH_UPPER = str.maketrans({"i": "İ", "ı": "I"})


def upper(text: str, turkish: bool = False) -> str:
    """Upper case; Turkish writes the dotted i as İ and the dotless ı as I."""
    return (text.translate(_TURKISH_UPPER) if turkish else text).upper()


def check_text(text: object) -> str:
    """`text` if it is text a model can read; a ValueError with a readable message otherwise."""
    if not isinstance(text, str):
        raise ValueError("The input must be text.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("The input contains characters that are not valid text (lone surrogates).") from None
    return text


def normalize(text: str, lowercase: bool) -> str:
    """NFC-normalise, collapse runs of white space, optionally lowercase (Turkish-aware for İ)."""
    text = unicodedata.normalize("NFC", text)
    if lowercase:
        # str.lower() turns "İ" into "i" + a combining dot; Turkish users mean plain "i".
        text = text.replace("İ", "i").lower()
    return _SPACES.sub(" ", text).strip()


def tokenize(text: str, level: str) -> list[str]:
    """Split already-normalised text into tokens: 'char' keeps every character, 'word' splits
    words and punctuation."""
    if level == "char":
        return list(text)
    if level == "word":
        return _WORD.findall(text)
    raise ValueError(f"unknown token level {level!r}")


def detokenize(tokens: list[str], level: str) -> str:
    """Inverse of tokenize for display: characters are joined, words are joined with spaces
    except before closing punctuation and after opening punctuation."""
    if level == "char":
        return "".join(tokens)
    out = ""
    for token in tokens:
        if out and not (token in ".,!?;:)]}»“”\"'%…" or out[-1] in "([{„«"):
            out += " "
        out += token
    return out


def source_pieces(text: str, level: str, lowercase: bool, drop_spaces: bool) -> list[str]:
    """Normalise and tokenise a source text exactly as every model reads it."""
    normalised = normalize(text, lowercase)
    if drop_spaces:
        normalised = normalised.replace(" ", "")
    return tokenize(normalised, level)


def target_pieces(text: str, level: str) -> list[str]:
    """Tokenise a reference output (targets keep their case)."""
    return tokenize(normalize(text, lowercase=False), level)
