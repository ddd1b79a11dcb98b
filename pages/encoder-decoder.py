"""The encoder-decoder and its limits: the plain (no-attention) models read the source into one
vector c = h^e_n and decode from it; then the lecture's three limitations, measured live."""
from ui import shell

shell.enter_through_app()  # first, before torch and the models load (ui/shell.py)

import streamlit as st

from ui import cache, encdec_charts, present, rnn_charts, tables, unit_lines, viewport, widgets
from ui.labels import GLOSSARY, markdown_text
from ui.state import MAX_TEXT_CHARS, Param


PAGE = "encdec"
GRADIENT_CHARS = cache.GRADIENT_MAX_TOKENS  # the most gradient_norms reads (the language models read characters)
all_cards = cache.get_cards()
cards = [c for c in all_cards if c.kind == "seq2seq" and c.attention is None]
if not cards:
    st.error("No plain encoder-decoder was found in checkpoints/. Train one with "
             "`python -m core.train --task reverse --attention none`.")
    st.stop()
cards.sort(key=lambda c: c.name != "dates-noattn")
by_name = {c.name: c for c in cards}
lms = sorted((c for c in all_cards if c.kind == "lm"), key=lambda c: ("rnn", "gru", "lstm").index(c.cell))
SPEC = [Param("model", "choice", cards[0].name, options=tuple(by_name)),
        Param("text", "text", cards[0].examples[0] if cards[0].examples else ""),
        Param("letters", "text", "thequickbrownfoxjumpsoverthelazydog"),
        Param("long", "text", "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer "
                              "the slings and arrows")]


page_state = widgets.PageState(PAGE, SPEC)
key = page_state.key


def on_model_change() -> None:
    widgets.switch_example(PAGE, by_name[st.session_state[key("model")]], [e for c in cards for e in c.examples])


page_state.open("The encoder-decoder and its limits",
                "The encoder reads $x_1 \\dots x_n$ one token at a time; its last state becomes the context "
                "$c = h^e_n$, one fixed-length vector. The decoder starts from $h^d_0 = c$ and reads $c$ again at "
                "every step: $h^d_i = g(y_{i-1}, h^d_{i-1}, c)$. Everything it knows about the input has to fit in $c$.")

controls = st.columns([3, 5, 1.2], vertical_alignment="bottom")
with controls[0]:
    card = widgets.model_picker(PAGE, cards, on_change=on_model_change)
with controls[1]:
    text = widgets.sentence_box(PAGE, "Input (press Enter to run)", "Any text: unknown characters or words are "
                                "read as <unk>; long inputs are cut at the model's length limit. "
                                + GLOSSARY["unk"])
with controls[2]:
    widgets.example_popover(PAGE, card)
widgets.model_notes(card)
text = widgets.capped(text, MAX_TEXT_CHARS)
trace = None
if not text.strip():
    st.info("Type an input above (or click an example) to see the encoder-decoder run.")
else:
    try:
        trace = cache.get_trace(card.name, text)
    except ValueError as error:
        st.info(str(error))
if trace is not None:
    for warning in trace.warnings:
        st.warning(markdown_text(warning))
    widgets.plain_text("Output:", trace.output)
    unrolled = cache.get_encoder_decoder(card.name, text, phone=viewport.is_phone())
    present.chart(unrolled, key("figure"), main=True)
    widgets.download_animation(unrolled, f"Encoder-decoder: {card.name}",
                               [("Model", card.name), ("Input", text), ("Output", trace.output)],
                               ["encoder-decoder", card.name, text], key("download"))
    st.caption("Press ▶ Play: the encoder reads the input, its last state becomes c, and the decoder writes one token "
               "per step from its own state and the same c. Grey is not computed yet; it runs in your browser.")
    unit_lines.follow_seq2seq_units(key("lines"), trace)
    with st.expander("Every decoder step (table)"):
        widgets.table(tables.outputs_table(trace), "Decoder steps (CSV)", "decoder-steps.csv", key("csv-steps"))
        st.download_button("Encoder states (CSV)", tables.encoder_table(trace).to_csv(index=False),
                           "encoder-states.csv", "text/csv", key=key("csv-encoder"))

st.header("Limitation 1: the fixed-length bottleneck")
st.markdown("However long the input, $c$ has the same number of numbers. Grow one input letter by letter and watch "
            "the plain model (`reverse-noattn`) lose it, while the attention model reads every $h^e_j$ again.")
reverse = [n for n in ("reverse-noattn", "reverse-attn") if n in {c.name for c in all_cards}]
letters = st.text_input("Letters to write backwards (press Enter)", key=key("letters"),
                        help="Letters a-z; spaces are dropped; up to 40 are read.")
if "reverse-noattn" not in reverse:
    st.info("This demonstration needs the reverse-noattn model in checkpoints/.")
elif letters.strip():
    try:
        grown = {name: cache.get_prefixes(name, letters) for name in reverse}
    except ValueError as error:
        st.info(str(error))
    else:
        present.chart(encdec_charts.prefix_figure(grown, phone=viewport.is_phone()), key("prefixes"))
        full = grown["reverse-noattn"][-1]
        columns = st.columns(len(grown))
        for column, (name, rows) in zip(columns, grown.items()):
            with column:
                widgets.plain_text(f"{name} on all {rows[-1].length} letters:", rows[-1].output)
        widgets.plain_text("Right answer:", full.reference)
        with st.expander("Every prefix (table)"):
            widgets.table(tables.prefix_table(grown), "Prefixes (CSV)", "prefixes.csv", key("csv-prefixes"))
st.markdown("Held-out accuracy by source length of every task's two models (the card of each model):")
present.chart(encdec_charts.length_figure([c for c in all_cards if c.kind == "seq2seq"], phone=viewport.is_phone()),
              key("lengths"))

st.header("Limitation 2: long-term dependencies")
st.markdown("Training moves $x_1$ by the gradient that flows back through every step. The norm of "
            "$\\partial h_t / \\partial x_1$ (computed by autograd on your text) shows how much the first input still "
            "moves the state $t$ steps later: in the plain tanh RNN it shrinks fast (vanishing gradients); the gates "
            "of the GRU and the LSTM keep it alive longer.")
long_text = st.text_input("Text for the gradients (press Enter)", key=key("long"),
                          help=f"The first {GRADIENT_CHARS} characters are read by each language model.")
if not lms:
    st.info("This demonstration needs the language models lm-rnn, lm-gru and lm-lstm in checkpoints/.")
elif long_text:
    try:
        norms = {c.name: cache.get_gradient_norms(c.name, long_text[:GRADIENT_CHARS]) for c in lms}
    except ValueError as error:
        st.info(str(error))
    else:
        run = cache.get_run(lms[0].name, long_text[:GRADIENT_CHARS])
        present.chart(rnn_charts.gradient_figure(norms, run.tokens, phone=viewport.is_phone()), key("gradients"))
        last = {name: float(values[-1]) for name, values in norms.items()}
        gradient_table = tables.gradient_table(norms, run.tokens)
        st.download_button("Gradient norms (CSV)", gradient_table.to_csv(index=False), "gradient-norms.csv",
                           "text/csv", key=key("csv-gradients"))
        st.caption("After the last character: " + "; ".join(f"{name} {value:.2e}" for name, value in last.items())
                   + ". Frobenius norm of the Jacobian of $h_t$ with respect to the first input embedding. "
                   + GLOSSARY["jacobian"])

st.header("Limitation 3: sequential processing")
st.markdown("Step $j$ of the encoder needs $h^e_{j-1}$, and decoder step $i$ needs $h^d_{i-1}$, so an RNN "
            "encoder-decoder runs $n + m$ steps one after another. Attention does not shorten that chain: each "
            "step's query $h^d_{i-1}$ is the state the step before wrote, so the scores of step $i$ cannot be "
            "computed before step $i-1$ ends. The lecture names this limitation to motivate the Transformer (its "
            "Part 2): self-attention computes every position of a layer at once, one step per layer. Measured now, "
            f"on this server, on your input with {card.name} and its attention twin:")
if trace is not None:
    timing = cache.sequential_timing(card.name, text, [c.name for c in all_cards])
    present.chart(encdec_charts.timing_figure(timing, phone=viewport.is_phone()), key("timing"))
    st.caption(f"n = {timing.source} source tokens, m = {timing.output} decoder steps (the plain model's output with "
               f"its end token), width H = {timing.hidden}. Timed: the recurrent layers (the encoder RNN, then m "
               "decoder steps, with attention's scores, weights and context in each) against one single-head "
               "self-attention layer of the same width with random weights (its cost, not its answer); embeddings "
               "and output layers are left out of both. A Transformer still writes its output one token at a time "
               "when it generates; what runs at once is every encoder layer, and the decoder in training, when the "
               "output is known.")
page_state.save()
