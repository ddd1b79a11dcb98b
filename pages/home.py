"""Home: what the app teaches and the shipped models with their held-out metrics."""
import pandas as pd
import streamlit as st

from core import list_models
from ui import shell

shell.enter_through_app()


def held_out_metric(card) -> str:
    """The single-RNN models' headline metric, in words."""
    m = card.metrics
    if "bpc" in m:
        return f"{m['bpc']:.2f} bits per character"
    if "token_f1" in m:
        held = m.get("held_out_templates", {}).get("token_f1")
        return f"token F1 {100 * m['token_f1']:.1f}%" + (f" (held-out templates {100 * held:.1f}%)" if held else "")
    return f"accuracy {100 * m['accuracy']:.1f}%, macro F1 {100 * m['macro_f1']:.1f}%"


@st.cache_data
def recurrent_table() -> pd.DataFrame:
    rows = [{"model": card.name, "task": card.task, "architecture": card.kind, "cell": card.cell.upper(),
             "held-out": held_out_metric(card),
             "train / valid / test": " / ".join(f"{card.data['sizes'][k]:,}" for k in ("train", "valid", "test"))
             + f" {card.data.get('size_unit', '')}",
             "training time": f"{card.training['seconds'] / 60:.1f} min",
             "data": card.data["source"], "licence": card.data["licence"]}
            for card in list_models() if card.kind != "seq2seq"]
    return pd.DataFrame(rows)


@st.cache_data
def model_table() -> pd.DataFrame:
    rows = []
    for card in list_models():
        if card.kind != "seq2seq":
            continue
        if "bleu" in card.metrics:  # word-level: exact sentence matches are rare, BLEU says more
            lengths = "BLEU " + "; ".join(f"{r['lengths']}: {r['bleu']:.1f}" for r in card.metrics_by_length)
        else:
            lengths = "; ".join(f"{r['lengths']}: {100 * r['exact_match']:.1f}%" for r in card.metrics_by_length)
        rows.append({
            "model": card.name, "task": card.task, "attention": card.attention or "none (c = hᵉₙ)",
            "cell": card.cell.upper(), "exact match": f"{100 * card.metrics['exact_match']:.2f}%",
            "BLEU": f"{card.metrics['bleu']:.1f}" if "bleu" in card.metrics else "",
            "by source length": lengths,
            "train / valid / test": " / ".join(str(card.data["sizes"][k]) for k in ("train", "valid", "test")),
            "training time": f"{card.training['seconds'] / 60:.1f} min",
            "data": card.data["source"], "licence": card.data["licence"],
        })
    return pd.DataFrame(rows)


st.title("Seq2Seq Attention Explorer")
st.markdown(
    "Recurrent networks, the RNN encoder-decoder and dot-product attention, taught with real, trained "
    "models: type a sentence and see every number the model computes, step by step."
)
st.subheader("The lecture path")
st.markdown(
    "1. **Recurrent networks**: $h_t = f_W(h_{t-1}, x_t)$, one state carried from token to token.\n"
    "2. **The encoder-decoder**: the encoder reads $x_1 \\dots x_n$ into one fixed vector $c = h^e_n$; the decoder "
    "writes the output from it. Its limits: the fixed-length bottleneck, long-term dependencies, sequential "
    "processing.\n"
    "3. **Attention** in three steps, at every decoder step $i$: "
    "$\\text{score}(h^d_{i-1}, h^e_j) = h^d_{i-1} \\cdot h^e_j$, "
    "$\\alpha_{ij} = \\text{softmax}_j(\\text{score})$, $c_i = \\sum_j \\alpha_{ij} h^e_j$."
)
st.page_link("pages/attention.py", label="Attention, step by step", icon=":material/center_focus_strong:",
             help="Type a sentence and watch the scores, the softmax weights and the context vector of every "
                  "decoder step, animated, with the actual numbers.")
st.caption("Open the attention page and press ▶ Play: the encoder reads your input one token at a time, then each "
           "output token goes through the three steps. Every view has its own link, so a slide can point to it.")
st.subheader("The shipped models")
st.caption("Every task has an attention model and a plain encoder-decoder trained on the same data with the "
           "same budget. Metrics are measured on held-out test sets that share no date, number, string or "
           "sentence with the training data.")
table = model_table()
if table.empty:
    st.warning("No models were found in checkpoints/. Train one with `python -m core.train --task dates`.")
else:
    st.dataframe(table, hide_index=True, width="stretch")
