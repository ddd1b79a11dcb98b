"""Turn tokens and user text into labels that display literally.

Plotly reads label text as a small HTML subset (<b>, <br>, <a href>, &amp; ...), and Markdown reads
*, _, [ ] and backticks. User text must show as typed and never as markup, so every label that can
contain it goes through `plot_text` (for figures) or `markdown_text` (for st.markdown).
"""
from __future__ import annotations

import html
import re

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$&:])")


def token_label(token: str) -> str:
    """A token as a visible label: a space shows as ␣, an empty token as ∅."""
    if token == "":
        return "∅"
    return token.replace(" ", "␣")


def plot_text(text: str) -> str:
    """Escape text for Plotly labels, hover text and annotations (shown literally)."""
    return html.escape(text, quote=True)


def markdown_text(text: str) -> str:
    """Escape text for st.markdown so that it shows literally (no links, emphasis or HTML)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def position_label(j: int, token: str) -> str:
    """'x3 · d': the lecture's 1-based source position and the token."""
    return f"x{j + 1} · {token_label(token)}"
