"""Page sections built from a Trace that more than one page can show (Streamlit layout)."""
from __future__ import annotations

import streamlit as st

from core import Trace

from . import charts, equations, present, tables
from .labels import GLOSSARY, markdown_text, token_label


def step_in_depth(trace: Trace, step: int, key: str) -> None:
    """Decoder step `step` (0-based) in the lecture's three steps: figures, the equations with this
    step's numbers, and the tables (CSV). `key` prefixes the element keys."""
    s = trace.steps[step]
    number = step + 1
    eq = equations.step_equations(trace, step)
    focus = trace.src_tokens[eq.focus]
    st.markdown(f"Step *i* = {number}: input $y_{{{step}}}$ = “{markdown_text(token_label(s.input_token))}”, "
                f"output $y_{{{number}}}$ = “{markdown_text(token_label(s.token))}”. The worked numbers follow the "
                f"source token with the highest weight, $x_{{{eq.focus + 1}}}$ = “{markdown_text(token_label(focus))}”.")
    note = equations.first_step_note(trace) if step == 0 else None
    if note:
        st.info(note)
    one, two, three, numbers = st.tabs(["Step 1 · scores", "Step 2 · weights", "Step 3 · context", "Tables"])
    with one:
        st.latex(eq.score)
        present.chart(charts.scores_figure(trace, step), f"{key}.scores")
    with two:
        st.latex(eq.softmax)
        present.chart(charts.weights_figure(trace, step), f"{key}.weights")
    with three:
        st.latex(eq.context)
        st.latex(eq.context_unit)
        present.chart(charts.context_figure(trace, step), f"{key}.context")
    with numbers:
        weights = tables.step_table(trace, step)
        st.dataframe(weights, hide_index=True)
        st.download_button("Scores and weights (CSV)", weights.to_csv(index=False), f"step{number}-weights.csv",
                           "text/csv", key=f"{key}.csv-step")
        vectors = tables.vectors_table(trace, step)
        st.dataframe(vectors, hide_index=True, height=240)
        st.download_button("Query, context and state (CSV)", vectors.to_csv(index=False),
                           f"step{number}-vectors.csv", "text/csv", key=f"{key}.csv-vectors")


def every_step(trace: Trace, step: int, key: str, target_level: str) -> None:
    """Every decoder step at once: outputs with their top choices, the alignment matrix (the
    selected step outlined), CSV downloads, and the beam's hypotheses when there was a beam."""
    st.dataframe(tables.outputs_table(trace), hide_index=True)
    present.chart(charts.alignment_figure(trace, step), f"{key}.alignment")
    downloads = st.columns(2)
    downloads[0].download_button("Alignment matrix α (CSV)", tables.attention_table(trace).to_csv(), "attention.csv",
                                 "text/csv", key=f"{key}.csv-attention")
    downloads[1].download_button("Encoder states (CSV)", tables.encoder_table(trace).to_csv(index=False),
                                 "encoder-states.csv", "text/csv", key=f"{key}.csv-encoder")
    if trace.beam:
        st.subheader(f"Beam search: {len(trace.beam)} hypotheses")
        st.caption("Finished hypotheses, best first, ranked by log-probability per token. The best one is traced "
                   f"above. {GLOSSARY['beam']} {GLOSSARY['log-probability']}")
        st.dataframe(tables.beam_table(trace, target_level), hide_index=True)
