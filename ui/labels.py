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
    return html.escape(text, quote=False)  # Plotly shows &quot; literally; quotes are harmless in its text


def markdown_text(text: str) -> str:
    """Escape text for st.markdown so that it shows literally (no links, emphasis or HTML)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def position_label(j: int, token: str) -> str:
    """'x3 · d': the lecture's 1-based source position and the token."""
    return f"x{j + 1} · {token_label(token)}"


# One line for each word a first-year student may not know, shown where the word appears (help
# text or a caption). Markdown; no user text.
GLOSSARY = {
    "counterfactual": "Counterfactual: what the model would have written if something had been different, here "
                      "if it could not look at the hidden tokens.",
    "jacobian": "The Jacobian $\\partial h_t / \\partial x_1$ is the table of how much each number of $h_t$ moves "
                "when each number of $x_1$ moves a little; its norm sums that up in one number (the square root of "
                "the sum of squares).",
    "bits per character": "Bits per character: the average of −log₂ p(the right next character), so 1 bit is "
                          "as uncertain as a fair coin flip and lower is better.",
    "macro F1": "Macro F1: the F1 score (the balance of precision and recall) of each class, averaged with equal "
                "weight per class, so a rare class counts as much as a common one.",
    "log-probability": "Log-probability: the logarithm of the probability the model gives a whole output (the sum "
                       "of log p of its tokens); closer to 0 is more likely.",
    "unk": "<unk> is the one token a model has for everything it never saw in training: an unknown character or "
           "word is read as <unk>.",
    "beam": "Beam search keeps the few best partial outputs (the beam) at every step instead of only the single "
            "best token; width 1 is greedy decoding.",
    "temperature": "Temperature T divides the scores before the softmax: T < 1 makes the distribution sharper, "
                   "T > 1 flatter, T = 1 is the model as trained.",
}
