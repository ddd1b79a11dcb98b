"""Home: what the app teaches and the shipped models with their held-out metrics."""
from ui import shell

shell.enter_through_app()  # first, before torch and the models load (ui/shell.py)

import pandas as pd
import streamlit as st

from ui import cache
from ui.labels import GLOSSARY, markdown_text
from ui.lecture_path import STOPS


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
            for card in cache.get_cards() if card.kind != "seq2seq"]
    return pd.DataFrame(rows)


@st.cache_data
def model_table() -> pd.DataFrame:
    rows = []
    for card in cache.get_cards():
        if card.kind != "seq2seq":
            continue
        if "bleu" in card.metrics:  # word-level: exact sentence matches are rare, BLEU says more
            lengths = "BLEU " + "; ".join(f"{r['lengths']}: {r['bleu']:.1f}" for r in card.metrics_by_length)
        else:
            lengths = "; ".join(f"{r['lengths']}: {100 * r['exact_match']:.1f}%" for r in card.metrics_by_length)
        rows.append({
            "model": card.name, "task": card.task, "attention": card.attention or "none (c = hᵉₙ)",
            "cell": card.cell.upper() + (" (encoder reads both ways)" if card.config.get("bidirectional") else ""),
            "exact match": f"{100 * card.metrics['exact_match']:.2f}%",
            "BLEU": f"{card.metrics['bleu']:.1f}" if "bleu" in card.metrics else "",
            "chrF": f"{card.metrics['chrf']:.1f}" if "chrf" in card.metrics else "",
            "by source length": lengths,
            "train / valid / test": " / ".join(str(card.data["sizes"][k]) for k in ("train", "valid", "test")),
            "training time": f"{card.training['seconds'] / 60:.1f} min",
            "data": card.data["source"], "licence": card.data["licence"],
        })
    return pd.DataFrame(rows)


st.title("Seq2Seq Attention Explorer")
shell.done_loading()
st.markdown(
    "Recurrent networks, the RNN encoder-decoder and dot-product attention, taught with real, trained "
    "models: type a sentence and see every number the model computes, step by step."
)
st.subheader("The lecture path")
for number, stop in enumerate(STOPS, start=1):
    st.page_link(stop.path, label=f"{number}. {stop.title}", icon=stop.icon)
    st.caption(stop.summary)
st.caption("On every page, ▶ Play runs the animation in your browser, and every view has its own link, so a slide "
           "can point to it.")
st.subheader("The shipped models")
st.caption("Every encoder-decoder task has an attention model and a plain one trained on the same data with the "
           "same budget. Metrics are measured on held-out test sets that share no date, number, string or "
           "sentence with the training data.")
unreadable = cache.get_unreadable_cards()
if unreadable:
    st.warning(f"Not available: {markdown_text(', '.join(unreadable))}. The model card in checkpoints/ of "
               f"{'each' if len(unreadable) > 1 else 'this model'} is damaged or incomplete, so the pages leave it out.")
table = model_table()
if table.empty:
    st.warning("No models were found in checkpoints/. Train one with `python -m core.train --task dates`.")
else:
    st.dataframe(table, hide_index=True, width="stretch")
    credits = sorted({card.data["credit"] for card in cache.get_cards() if card.data.get("credit")})
    if credits:
        st.caption("Data credits: " + "; ".join(markdown_text(c) for c in credits) + ".")
recurrent = recurrent_table()
if not recurrent.empty:
    st.caption("Single recurrent networks for the first pages: language models on plays they never read, a sentiment "
               "classifier on human-rated sentences, and a tagger on synthetic sentences (its held-out templates "
               "are sentence shapes it never saw).")
    st.dataframe(recurrent, hide_index=True, width="stretch")
    st.caption(f"{GLOSSARY['bits per character']} {GLOSSARY['macro F1']}")
