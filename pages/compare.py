"""Attention vs none: the same input through a task's attention model and its plain
encoder-decoder, side by side; accuracy by source length of both, for every task."""
from ui import shell

shell.enter_through_app()  # first, before torch and the models load (ui/shell.py)

import streamlit as st

from ui import cache, encdec_charts, present, tables, viewport, widgets
from ui.labels import markdown_text
from ui.state import MAX_TEXT_CHARS, Param


PAGE = "compare"
seq2seq = [c for c in cache.get_cards() if c.kind == "seq2seq"]
pairs = {}
for card in seq2seq:
    pairs.setdefault(card.task, {})["attn" if card.attention else "noattn"] = card
pairs = {task: kinds for task, kinds in sorted(pairs.items()) if set(kinds) == {"attn", "noattn"}}
if not pairs:
    st.error("No task has both an attention model and a plain one in checkpoints/.")
    st.stop()
tasks = list(pairs)
first = "en-tr" if "en-tr" in pairs else tasks[0]
SPEC = [Param("task", "choice", first, options=tuple(tasks)),
        Param("text", "text", (pairs[first]["attn"].examples or [""])[0])]


page_state = widgets.PageState(PAGE, SPEC)
key = page_state.key


def on_task_change() -> None:
    widgets.switch_example(PAGE, pairs[st.session_state[key("task")]]["attn"],
                           [e for kinds in pairs.values() for e in kinds["attn"].examples])


page_state.open("Attention vs none",
                "Each task has two models trained on the same data with the same budget: one whose decoder attends over "
                "every encoder state $h^e_j$ at every step, and the plain encoder-decoder whose decoder sees only "
                "$c = h^e_n$. Give both the same input.")
controls = st.columns([2, 5, 1.2], vertical_alignment="bottom")
task = controls[0].selectbox("Task", tasks, key=key("task"), on_change=on_task_change)
attn_card, plain_card = pairs[task]["attn"], pairs[task]["noattn"]
with controls[1]:
    text = widgets.sentence_box(PAGE, "Input (press Enter to run)", "Any text; long inputs are cut at the models' "
                                "length limit.")
with controls[2]:
    widgets.example_popover(PAGE, attn_card)
widgets.model_notes(attn_card)
text = widgets.capped(text, MAX_TEXT_CHARS)
if not text.strip():
    st.info("Type an input above (or click an example) to run both models on it.")
else:
    try:
        traces = {card.name: cache.get_trace(card.name, text) for card in (attn_card, plain_card)}
    except ValueError as error:
        st.info(str(error))
    else:
        race = cache.get_side_by_side(attn_card.name, plain_card.name, text, phone=viewport.is_phone())
        present.chart(race, key("race"), main=True)
        widgets.download_animation(race, f"Attention vs none: {attn_card.name} and {plain_card.name}",
                                   [("Input", text)] + [(name, trace.output) for name, trace in traces.items()],
                                   ["compare", attn_card.task, text], key("download"))
        st.caption("Press ▶ Play: both models write their output one step at a time. The attention model's weights "
                   "show where each step looks; the plain model has only c. Grey is not written yet.")
        columns = st.columns(2)
        for column, card in zip(columns, (attn_card, plain_card)):
            trace = traces[card.name]
            with column:
                st.subheader("with attention" if card.attention else "without attention")
                st.caption(f"{card.name} · {widgets.metric_summary(card)} on the held-out test set")
                widgets.plain_text("Output:", trace.output)
                note = cache.answer_note(card.name, text)
                if note:
                    st.caption(note)
                for warning in trace.warnings:
                    st.warning(markdown_text(warning))
                if trace.attention is None:
                    st.info("No attention matrix: every decoder step reads the same $c = h^e_n$, the encoder's last "
                            "state, whatever it is writing.")
                widgets.table(tables.outputs_table(trace), "Steps (CSV)", f"{card.name}-steps.csv",
                              key(f"csv-{card.name}"), height=300)

st.header("Accuracy by source length, every task")
st.markdown("From the model cards: held-out exact match (BLEU for en-tr) by source length, in the spirit of Bahdanau "
            "et al. (2015), Fig. 2. What the numbers show, task by task:")
for finding in encdec_charts.length_findings(seq2seq).values():
    st.markdown(f"- {finding}")
present.chart(encdec_charts.length_figure(seq2seq, phone=viewport.is_phone()), key("lengths"))
with st.expander("The numbers (table)"):
    widgets.table(tables.length_table(seq2seq), "Accuracy by length (CSV)", "accuracy-by-length.csv",
                  key("csv-lengths"))
page_state.save()
