"""Page sections built from a Trace that more than one page can show (Streamlit layout)."""
from __future__ import annotations

import streamlit as st

from core import Trace

from . import charts, equations, present, tables, viewport, widgets
from .labels import GLOSSARY, markdown_text, token_label


PANES = ("Step 1 · scores", "Step 2 · weights", "Step 3 · context", "Tables")


def step_in_depth(trace: Trace, step: int, key: str) -> None:
    """Decoder step `step` (0-based) in the lecture's three steps: one pane at a time (a figure and
    the equations with this step's numbers, or the tables with CSV downloads). `key` prefixes the
    element keys."""
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
    pane = st.segmented_control("Show", PANES, key=f"{key}.pane", default=PANES[0], required=True,
                                label_visibility="collapsed") or PANES[0]
    if pane == PANES[0]:  # only the pane on screen is built and sent
        st.latex(eq.score)
        present.chart(charts.scores_figure(trace, step, phone=viewport.is_phone()), f"{key}.scores")
    elif pane == PANES[1]:
        st.latex(eq.softmax)
        present.chart(charts.weights_figure(trace, step, phone=viewport.is_phone()), f"{key}.weights")
    elif pane == PANES[2]:
        st.latex(eq.context)
        st.latex(eq.context_unit)
        present.chart(charts.context_figure(trace, step, phone=viewport.is_phone()), f"{key}.context")
    else:
        weights = tables.step_table(trace, step)
        st.dataframe(weights, hide_index=True)
        widgets.csv_button("Scores and weights (CSV)", lambda: weights.to_csv(index=False), f"step{number}-weights.csv",
                   f"{key}.csv-step")
        vectors = tables.vectors_table(trace, step)
        st.dataframe(vectors, hide_index=True, height=240)
        widgets.csv_button("Query, context and state (CSV)", lambda: vectors.to_csv(index=False),
                   f"step{number}-vectors.csv", f"{key}.csv-vectors")


def every_step(trace: Trace, step: int, key: str, target_level: str) -> None:
    """Every decoder step at once: outputs with their top choices, the alignment matrix (the
    selected step outlined) and CSV downloads, built only while its switch is on (off at first: the
    timeline above draws the same matrix, and Enter stays quick); the beam's hypotheses whenever
    there was a beam."""
    if st.toggle("Show every step: the outputs with their top choices, the alignment matrix α and CSV downloads",
                 key=f"{key}.open"):
        st.dataframe(tables.outputs_table(trace), hide_index=True)
        present.chart(charts.alignment_figure(trace, step, phone=viewport.is_phone()), f"{key}.alignment")
        downloads = st.columns(2)
        widgets.csv_button("Alignment matrix α (CSV)", lambda: tables.attention_table(trace).to_csv(), "attention.csv",
                   f"{key}.csv-attention", downloads[0])
        widgets.csv_button("Encoder states (CSV)", lambda: tables.encoder_table(trace).to_csv(index=False),
                   "encoder-states.csv", f"{key}.csv-encoder", downloads[1])
    if trace.beam:
        st.subheader(f"Beam search: {len(trace.beam)} hypotheses")
        st.caption("Finished hypotheses, best first, ranked by log-probability per token. The best one is traced "
                   f"above. {GLOSSARY['beam']} {GLOSSARY['log-probability']}")
        st.dataframe(tables.beam_table(trace, target_level), hide_index=True)
