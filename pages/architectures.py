"""The four RNN architectures of the lecture, each live on your text: sequence labeling (a label per
token), sequence classification (one label for the text), language modeling (the next character
at every step, and generation), and the encoder-decoder."""
from ui import shell

shell.enter_through_app()  # first, before torch and the models load (ui/shell.py)

import streamlit as st

from ui import architecture_charts as arch
from ui import cache, present, rnn_tables, viewport, widgets
from ui.labels import GLOSSARY, markdown_text
from ui.state import SEED_MAX, TEMPERATURE_MAX, TEMPERATURE_MIN, TEMPERATURE_STEP, Param


PAGE = "arch"
MAX_CHARS = 300
cards = {c.name: c for c in cache.get_cards()}
lms = [n for n in ("lm-lstm", "lm-gru", "lm-rnn") if n in cards]
MODELS = {"labeling": "ner", "classification": "sentiment", "lm": lms[0] if lms else "lm-lstm"}
SPEC = [Param("pattern", "choice", "labeling", options=tuple(arch.PATTERNS), label="architecture"),
        Param("text", "text", cards["ner"].examples[0] if "ner" in cards else ""),
        Param("lm", "choice", MODELS["lm"], options=tuple(lms) or ("lm-lstm",), label="language model"),
        Param("temperature", "number", 0.8, lo=TEMPERATURE_MIN, hi=TEMPERATURE_MAX, step=TEMPERATURE_STEP),
        Param("seed", "int", 0, lo=0, hi=SEED_MAX),
        Param("length", "int", 200, lo=1, hi=300)]
EXPLAIN = {
    "labeling": "**Sequence labeling** (the lecture's slide calls it one-to-one: one label for each input element; "
                "the same pattern is often called many-to-many, one output per input): after reading each word the head "
                "turns $h_t$ into a label: a person (PER), a place (LOC), an organisation (ORG), a date (DATE) or "
                "none (O). The network reads left to right, so the label of word $t$ can use only words $1..t$.",
    "classification": "**Sequence classification** (many-to-one, as on the slide): the network reads the whole sentence and one label "
                      "comes from the last state $h_n$. The same head applied to every $h_t$ shows the prediction "
                      "forming as the sentence goes on.",
    "lm": "**Language modeling** (one-to-one on the slide; also called many-to-many): after every character the head gives $p(x_{t+1} \\mid x_1..x_t)$, a distribution "
          "over the next character. To **generate**, sample a character from it and feed it back as the next input.",
    "encoder-decoder": "**Encoder-decoder** (also known as sequence-to-sequence, seq2seq): one RNN reads the input into $c = h^e_n$, a second "
                       "writes the output from it, token by token. It has its own page.",
}


page_state = widgets.PageState(PAGE, SPEC)
key = page_state.key
phone = viewport.is_phone()


def model_of(pattern: str) -> str:
    return st.session_state.get(key("lm"), MODELS["lm"]) if pattern == "lm" else MODELS.get(pattern, "")


def on_pattern_change() -> None:
    """A new pattern starts on its model's first example unless the user typed something of their own."""
    name = model_of(st.session_state[key("pattern")])
    if name in cards:
        widgets.switch_example(PAGE, cards[name], [e for c in cards.values() if c.kind != "seq2seq" for e in c.examples])


page_state.open("RNN architectures",
                "The same recurrent step $h_t = f_W(h_{t-1}, x_t)$ is wired into four patterns. Pick one; a trained "
                "model runs it on your text.")
pattern = st.segmented_control("Architecture", list(arch.PATTERNS), key=key("pattern"), format_func=arch.PATTERNS.get,
                               on_change=on_pattern_change, required=True) or "labeling"
st.markdown(EXPLAIN[pattern])

if pattern == "encoder-decoder":
    example = cache.get_trace(arch.PLAIN_EXAMPLE[0], arch.PLAIN_EXAMPLE[1]) if arch.PLAIN_EXAMPLE[0] in cards else None
    diagram = arch.pattern_figure(pattern, *(arch.plain_example(example)), phone=phone)
    present.chart(diagram, key("diagram"), main=True)
    widgets.download_animation(diagram, "RNN architectures: the encoder-decoder",
                               [("Example", arch.plain_example_caption(example))], ["architectures", pattern],
                               key("download"))
    st.caption(arch.plain_example_caption(example))
    st.page_link("pages/encoder-decoder.py", label="The encoder-decoder with real models, and its limits",
                 icon=":material/compress:")
    st.page_link("pages/attention.py", label="Attention, step by step", icon=":material/center_focus_strong:")
    page_state.save()
    st.stop()

name = model_of(pattern)
if name in cache.get_unreadable_cards():
    st.error(f"The model {name} cannot be used: its card in checkpoints/ is damaged or incomplete.")
    st.stop()
if name not in cards:
    st.error(f"The model {name} is not in checkpoints/. Train it with `python -m core.train --task "
             f"{'lm' if pattern == 'lm' else name}`.")
    st.stop()
card = cards[name]
# the examples wait behind a button beside the text box, so the diagram starts on the first screen
if pattern == "lm":
    controls = st.columns([2, 5, 1.2], vertical_alignment="bottom")
else:
    controls = [None, *st.columns([7, 1.2], vertical_alignment="bottom")]
if pattern == "lm":
    controls[0].selectbox("Language model", lms, key=key("lm"))
with controls[1]:
    text = widgets.sentence_box(PAGE, "Text (press Enter to run)", "Any text; unknown words or characters are "
                                f"read as <unk>; the first {MAX_CHARS} characters are read. {GLOSSARY['unk']}")
with controls[2]:
    widgets.example_popover(PAGE, card)
text = widgets.capped(text, MAX_CHARS)
if not text.strip():
    page_state.stop_with("Type some text above (or click an example).")
try:
    trace = cache.get_run(name, text)
except ValueError as error:
    page_state.stop_with(str(error))
for warning in trace.warnings:
    st.warning(markdown_text(warning))

outputs = [s.prediction for s in trace.steps]
diagram = arch.pattern_figure(pattern, trace.tokens, outputs, phone=phone)
present.chart(diagram, key("diagram"), main=True)
widgets.download_animation(diagram, f"RNN architectures: {arch.PATTERNS[pattern]}", [("Model", name), ("Text", text)],
                           ["architectures", pattern, text], key("download"))
st.caption("The wiring, unrolled over the first words or characters of your text. Press ▶ Play to light up what is "
           f"computed at each step (orange: the current step). {card.description}")

if pattern == "labeling":
    tagged = " ".join(f"{word} [{s.prediction}]" if s.prediction != "O" else word
                      for word, s in zip(trace.pieces, trace.steps))  # the words as typed, <unk> or not
    widgets.plain_text("Labels:", tagged)
    present.chart(arch.label_probs_figure(trace, phone=phone), key("labels"))
    held = card.metrics.get("held_out_templates", {}).get("token_f1")
    st.caption(f"Held-out token F1 {100 * card.metrics['token_f1']:.1f}%"
               + (f"; on sentence templates never seen in training {100 * held:.1f}%" if held else "")
               + ". The data is synthetic: sentences generated from templates filled with made-up names, places, "
                 "companies and dates.")
elif pattern == "classification":
    final = trace.steps[-1]
    widgets.plain_text("Prediction from the last state h_n:", f"{final.prediction} (p = {final.topk[0][1]:.3f})")
    present.chart(arch.class_probs_figure(trace, phone=phone), key("classes"))
    st.caption(f"Held-out accuracy {100 * card.metrics['accuracy']:.1f}%, macro F1 {100 * card.metrics['macro_f1']:.1f}% "
               "(human ratings of movie, tweet, editorial and product snippets). " + GLOSSARY["macro F1"])
else:
    present.chart(arch.next_token_figure(trace, phone=phone), key("next"))
    st.caption("Each column: the model's top five guesses for the next character after reading up to there; ● marks "
               "the character that actually follows in your text.")
    st.subheader("Generation: each sampled character is fed back")
    options = st.columns(3)
    temperature = options[0].slider("Temperature", TEMPERATURE_MIN, TEMPERATURE_MAX, step=TEMPERATURE_STEP,
                                    key=key("temperature"),
                                    help="Sampling from softmax(logits / T): small T is nearly greedy, large T wild. "
                                         + GLOSSARY["temperature"])
    seed = options[1].number_input("Seed", 0, SEED_MAX, step=1, key=key("seed"),
                                   help="The same seed gives the same text.")
    length = options[2].number_input("Characters to generate", 1, 300, step=50, key=key("length"))
    generation = cache.get_generation(name, text, int(length), float(temperature), int(seed))
    st.markdown("**Prompt, then the generated text:**")
    st.code(text + generation.generated_text, language=None, wrap_lines=True)
    generated = cache.get_generation_figure(name, text, int(length), float(temperature), int(seed),
                                            phone=viewport.is_phone())
    present.chart(generated, key("generation"), main=True)
    widgets.download_animation(generated, f"Language modeling: {name}",
                               [("Prompt", text), ("Generated", generation.generated_text)],
                               ["generation", name, text], key("download-generation"))
    st.caption("The unrolled network over the end of the prompt and the generation: from the prompt's last "
               "character on, each step samples the next character (shown in the title) and reads it as its next "
               "input.")
    with st.expander("Every generated step (table)"):
        widgets.table(rnn_tables.steps_table(generation), "Steps (CSV)", "generation.csv", key("csv-generation"))
with st.expander("Every step (table)"):
    widgets.table(rnn_tables.steps_table(trace), "Steps (CSV)", "steps.csv", key("csv-steps"))
page_state.save()
