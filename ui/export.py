"""An animation saved as one self-contained HTML file, for a lecture with no network: Plotly's
JavaScript is embedded, the figure keeps its frames and its Play button, and the input and output
the figure was drawn from stand above it as escaped text. Pure (no Streamlit)."""
from __future__ import annotations

import html
import re

import plotly.graph_objects as go
import plotly.io as pio

_STYLE = ("body{font-family:sans-serif;margin:1.5em;color:#222}"
          "dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em}"
          "dt{font-weight:bold}dd{margin:0;white-space:pre-wrap;font-family:monospace}")


def animation_html(figure: go.Figure, title: str, texts: list[tuple[str, str]]) -> str:
    """The whole file: a heading, each (label, text) pair shown literally, and the figure with its frames.
    It opens on the figure's first frame; the figure's own ▶ Play runs it."""
    plot = pio.to_html(figure, include_plotlyjs=True, full_html=False, auto_play=False,
                       config={"displaylogo": False, "responsive": True}, default_width="100%")
    pairs = "".join(f"<dt>{html.escape(label)}</dt><dd>{html.escape(text)}</dd>" for label, text in texts)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><dl>{pairs}</dl>{plot}"
            "<p>Seq2Seq Attention Explorer: press ▶ Play in the figure. This file needs no network.</p>"
            "</body></html>\n")


def file_name(*parts: str) -> str:
    """A safe file name from the view's parts (model, input...), e.g. `attention-en-tr-attn-i-am-home.html`."""
    stem = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-").lower() for part in parts if part)
    return (re.sub(r"-+", "-", stem)[:80].strip("-") or "animation") + ".html"
