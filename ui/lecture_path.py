"""The app's pages in the lecture's order: app.py builds the navigation from this table and the home
page lists the lecture path from it, so the two never disagree. Plain data (imported before torch)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stop:
    path: str  # the page's script
    title: str  # in the navigation bar
    icon: str
    url_path: str  # "" for the home page
    summary: str = ""  # the home page's line about it (Markdown); empty: not a stop of the path


HOME = Stop("pages/home.py", "Home", ":material/home:", "")
STOPS = [
    Stop("pages/rnn.py", "Recurrent networks", ":material/replay:", "rnn",
         "$h_t = f_W(h_{t-1}, x_t)$: one state carried from token to token. A language model trained on Shakespeare "
         "reads your text; watch the unrolled network, every gate of one update, and single neurons."),
    Stop("pages/architectures.py", "RNN architectures", ":material/account_tree:", "architectures",
         "The same step wired four ways: sequence labeling (names, places, dates), sequence classification "
         "(sentiment), language modeling with generation, and the encoder-decoder."),
    Stop("pages/encoder-decoder.py", "Encoder-decoder", ":material/compress:", "encoder-decoder",
         "The encoder reads $x_1 \\dots x_n$ into one vector $c = h^e_n$; the decoder writes from it. Its limits "
         "measured live: the fixed-length bottleneck, long-term dependencies, sequential processing."),
    Stop("pages/attention.py", "Attention, step by step", ":material/center_focus_strong:", "attention",
         "At every decoder step $i$: $\\text{score}(h^d_{i-1}, h^e_j) = h^d_{i-1} \\cdot h^e_j$, "
         "$\\alpha_{ij} = \\text{softmax}_j(\\text{score})$, $c_i = \\sum_j \\alpha_{ij} h^e_j$, animated with the "
         "actual numbers, on English → Turkish translation (where the word order makes the alignment cross) and on "
         "dates, number words and reversed strings."),
    Stop("pages/compare.py", "Attention vs none", ":material/compare:", "compare",
         "The same input through both models of a task, and accuracy by source length for every task."),
    Stop("pages/training.py", "Watch attention learn", ":material/movie:", "training",
         "How an alignment comes to be: films of the shipped models' training (where each decoder step looks, from "
         "the untrained model to the shipped one, as the loss falls), and a small model you train yourself in the "
         "browser."),
]
