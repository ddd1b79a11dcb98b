"""Recurrent networks: h_t = f_W(h_{t-1}, x_t) on your text, with a trained character-level
language model: the unrolled network, the hidden states, one update with its numbers, and the
neuron explorer."""
from ui import shell

shell.enter_through_app()  # first, before torch and the models load (ui/shell.py)

import streamlit as st

from ui import cache, present, rnn_charts, rnn_tables, unit_lines, viewport, widgets
from ui.labels import GLOSSARY, markdown_text
from ui.rnn_equations import busiest_unit, update_equations
from ui.state import Param


PAGE = "rnn"
MAX_CHARS = 300  # the animation carries one heatmap column per character
CELLS = ("rnn", "gru", "lstm")
CELL_NAMES = {"rnn": "Elman RNN (tanh)", "gru": "GRU", "lstm": "LSTM"}
lms = {c.cell: c for c in cache.get_cards() if c.kind == "lm"}
if not lms:
    st.error("No language model was found in checkpoints/. Train one with `python -m core.train --task lm --cell gru`.")
    st.stop()
first = next(c for c in CELLS if c in lms)
SPEC = [Param("cell", "choice", first, options=tuple(c for c in CELLS if c in lms), label="cell type"),
        Param("text", "text", lms[first].examples[0] if lms[first].examples else "To be, or not to be"),
        Param("step", "int", 1, lo=1, hi=MAX_CHARS),
        Param("unit", "int", 1, lo=1, hi=4096),
        Param("chars", "choice", "spaces", options=tuple(rnn_tables.CHAR_CLASSES), label="character class")]


page_state = widgets.PageState(PAGE, SPEC)
key = page_state.key


page_state.open("Recurrent networks",
                "An RNN reads a sequence one token at a time and carries a hidden state from each step to the next: "
                "$h_t = f_W(h_{t-1}, x_t)$, the same function with the same weights $W$ at every step. Here a "
                "character-level language model trained on Shakespeare's plays reads your text; after every character "
                "its head turns $h_t$ into a guess of the next one.")

controls = st.columns([2, 5, 1.2], vertical_alignment="bottom")
cell = controls[0].radio("Cell type", [c for c in CELLS if c in lms], key=key("cell"), horizontal=True,
                         format_func=CELL_NAMES.get, help="Three language models trained on the same text.")
card = lms[cell]
with controls[1]:
    text = widgets.text_box(PAGE, "Text (Ctrl+Enter to run)", "Any text, line breaks included; characters the model "
                            f"never saw are read as <unk>; the first {MAX_CHARS} characters are read. "
                            f"{GLOSSARY['unk']}")
with controls[2]:
    widgets.example_popover(PAGE, card)
text = widgets.capped(text, MAX_CHARS)
if not text:
    page_state.stop_with("Type some text above (or click an example) to watch the network read it.")
try:
    trace = cache.get_run(card.name, text)
except ValueError as error:
    page_state.stop_with(str(error))
for warning in trace.warnings:
    st.warning(markdown_text(warning))
n, H = trace.states.shape
st.caption(f"{card.name}: {CELL_NAMES[cell]}, {H} hidden units, held-out {card.metrics['bpc']:.2f} bits per "
           f"character on plays it never saw. {GLOSSARY['bits per character']}")

unrolled = cache.get_unrolled(card.name, text, phone=viewport.is_phone())
present.chart(unrolled, key("unrolled"), main=True)
widgets.download_animation(unrolled, f"Recurrent networks: {card.name}", [("Model", card.name), ("Text", text)],
                           ["rnn", card.name, text], key("download"))
st.caption("**The unrolled network.** Press ▶ Play: one step per character. Each column of the heatmap is the hidden "
           "state $h_t$ after reading the character below it, each row one unit (blue positive, red negative; the "
           "units are ordered by the step at which each changes most, so units that react to the same character sit "
           "together); the strip above shows the head's guess of the next character, coloured by its probability. "
           "Grey is not computed yet. It runs in your browser.")

unit_lines.follow_units(key("lines"), trace.states, rnn_charts.token_labels(trace), "h<sub>t</sub>",
                        "step t (the character read)", "unit k's value after every character")

st.subheader("One step in depth")
st.session_state[key("step")] = min(max(1, st.session_state.get(key("step"), 1)), n)
picks = st.columns([3, 1])
t = (picks[0].slider("Step t", 1, n, key=key("step")) if n > 1 else 1) - 1
st.session_state[key("unit")] = min(max(1, st.session_state.get(key("unit"), 1)), H)
unit = picks[1].number_input("Unit k", 1, H, key=key("unit"),
                             help=f"Which of the {H} units the equations work through.") - 1
step = trace.steps[t]
shown = rnn_tables.shown
st.markdown(f"At step $t = {t + 1}$ the network reads $x_{{{t + 1}}}$ = “{markdown_text(shown(step.token))}” and "
            f"updates the state. The unit that changed most here is unit {busiest_unit(trace, t) + 1}.")
for line in update_equations(trace, t, unit):
    st.latex(line)
present.chart(rnn_charts.gates_figure(trace, t, phone=viewport.is_phone()), key("gates"))
update = rnn_tables.update_table(trace, t)
with st.expander("Every unit of this update (table)"):
    widgets.table(update, "This update (CSV)", f"step{t + 1}-update.csv", key("csv-update"), height=260)

st.subheader("Neuron explorer")
st.markdown("Some units learn to track something readable: spaces, line breaks, being inside a quote or a word. "
            "Pick a character class to find the units whose activation differs most on it, then look at one unit "
            "over your text.")
explore = st.columns([2, 3])
char_class = explore[0].selectbox("Character class", list(rnn_tables.CHAR_CLASSES), key=key("chars"))
ranking = rnn_tables.unit_ranking(trace, char_class)
with explore[0]:
    if ranking.empty:
        st.caption("Your text has no character of this class, or only those; try a longer text.")
    else:
        st.dataframe(ranking, hide_index=True, height=300)
        st.caption("Difference = mean of $h_t[k]$ after characters of the class minus the mean after the others. "
                   "Set the unit above to a unit from this list.")
with explore[1]:
    choices = list(dict.fromkeys([int(u) - 1 for u in ranking["unit"]] + [unit]))
    shown_unit = st.selectbox("Unit to show over the text", choices, format_func=lambda u: f"unit {u + 1}",
                              key=key("shown-unit"), help="The units of the ranking, and unit k from above.")
    present.chart(rnn_charts.unit_text_figure(trace, shown_unit, phone=viewport.is_phone()), key("unit-text"))

with st.expander("Every step and every state (tables)"):
    widgets.table(rnn_tables.steps_table(trace), "Steps (CSV)", "steps.csv", key("csv-steps"))
    st.download_button("Hidden states (CSV)", rnn_tables.states_table(trace).to_csv(index=False), "states.csv",
                       "text/csv", key=key("csv-states"))
page_state.save()
