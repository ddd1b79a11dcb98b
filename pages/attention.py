"""Attention, step by step: type a sentence and watch the lecture's three steps (scores, softmax
weights, context vector) at every decoder step of a trained model, with the actual numbers."""
from ui import shell

shell.enter_through_app()  # first, before torch and the models load (ui/shell.py)

import streamlit as st

from ui import cache, present, sections, session_models, unit_lines, viewport, widgets
from ui.labels import GLOSSARY, markdown_text, position_label
from ui.state import BEAM_MAX, MAX_TEXT_CHARS, TEMPERATURE_MAX, TEMPERATURE_MIN, TEMPERATURE_STEP, Param


PAGE = "attention"
PREFERRED = "en-tr-attn"
FIRST_STEP = 2  # the step in depth opens on the first step whose query is a decoder state (at i = 1 it is h^e_n)


def reset_step() -> None:
    st.session_state[key("step")] = FIRST_STEP
    st.session_state[key("mask")] = []


def on_model_change() -> None:
    """A new model starts on its own first example unless the user typed something of their own."""
    reset_step()
    text = st.session_state.get(key("text"), "")
    if not text.strip() or any(text in c.examples for c in cards):
        chosen = next(c for c in cards if c.name == st.session_state[key("model")])
        st.session_state[key("text")] = chosen.examples[0] if chosen.examples else ""


def link_values(text: str, steps: int = 1) -> dict:
    """What the link holds besides the widgets' values: the text as read, the step within the steps."""
    return dict(text=text, step=min(st.session_state.get(key("step"), FIRST_STEP), max(steps, 1)))


def stop_with(message: str, text: str) -> None:
    page_state.stop_with(message, **link_values(text))


cards = [c for c in cache.get_cards() if c.attention is not None] + session_models.session_cards(attention_only=True)
if not cards:
    st.error("No attention model was found in checkpoints/. Train one with "
             "`python -m core.train --task dates --attention dot`.")
    st.stop()
cards.sort(key=lambda c: c.name != PREFERRED)
SPEC = [Param("model", "choice", cards[0].name, options=tuple(c.name for c in cards),
              notice=f"The link names a model this page does not have; showing {cards[0].name}."),
        Param("text", "text", cards[0].examples[0] if cards[0].examples else "", default_by="model",
              defaults={c.name: c.examples[0] for c in cards if c.examples}),
        Param("step", "int", FIRST_STEP, lo=1, hi=1000, fallback=1, always=True,
              notice="The step in the link is not a step number from 1 to 1000; showing step 1."),
        Param("temperature", "number", 1.0, lo=TEMPERATURE_MIN, hi=TEMPERATURE_MAX, step=TEMPERATURE_STEP,
              notice=f"The temperature in the link is not a number from {TEMPERATURE_MIN} to {TEMPERATURE_MAX}; "
                     "using T = 1."),
        Param("mask", "positions", (), url="hide",
              notice="The hidden positions in the link are not positions like 2,5; nothing is hidden."),
        Param("beam", "int", 1, lo=1, hi=BEAM_MAX,
              notice=f"The beam width in the link is not a whole number from 1 to {BEAM_MAX}; using greedy decoding.")]
page_state = widgets.PageState(PAGE, SPEC)
key = page_state.key
page_state.open("Attention, step by step",
                "A trained encoder-decoder with dot-product attention runs on your input; every number it computes is "
                "drawn below.", caption=True)

# The first screen (1280x720): the controls, the output and the whole animation with its Play button.
# The examples wait in a popover, the counterfactual and the model's notes under the animation.
controls = st.columns([3, 5, 1.4, 3, 2], vertical_alignment="bottom")
with controls[0]:
    card = widgets.model_picker(PAGE, cards, on_change=on_model_change)
with controls[1]:
    text = widgets.sentence_box(PAGE, "Input (press Enter to run)",
                                "Any text: unknown characters or words are read as <unk>; long inputs are cut at "
                                f"the model's length limit. {GLOSSARY['unk']}", on_change=reset_step)
with controls[2]:
    widgets.example_popover(PAGE, card)
temperature = controls[3].slider(
    "Softmax temperature T", TEMPERATURE_MIN, TEMPERATURE_MAX, step=TEMPERATURE_STEP, key=key("temperature"),
    help="Step 2 becomes softmax(scores / T). T = 1 is the model as trained; small T sharpens the weights, "
         f"large T flattens them. {GLOSSARY['temperature']}")
beam = controls[4].number_input("Beam width", 1, BEAM_MAX, step=1, key=key("beam"),
                                help="1 is greedy decoding. With more, the best hypothesis is traced below and "
                                     f"the others are listed with their scores. {GLOSSARY['beam']}")

if len(text) > MAX_TEXT_CHARS:
    st.warning(f"The input has {len(text):,} characters; the first {MAX_TEXT_CHARS} are read.")
    text = text[:MAX_TEXT_CHARS]
if not text.strip():
    widgets.model_notes(card)
    stop_with("Type a sentence above (or pick an example) to see the model translate it.", text)
try:
    base = session_models.get_trace(card.name, text, temperature, (), beam)
except ValueError as error:
    widgets.model_notes(card)
    stop_with(str(error), text)

n = len(base.src_tokens)
mask = [p for p in st.session_state.get(key("mask"), []) if p < n]  # the box itself is under the animation
st.session_state[key("mask")] = mask
trace = base
if mask:
    try:
        trace = session_models.get_trace(card.name, text, temperature, tuple(mask), beam)
    except ValueError as error:
        stop_with(str(error), text)

for warning in trace.warnings:
    st.warning(markdown_text(warning))
if mask:
    before, after = st.columns(2)
    with before:
        widgets.plain_text("Output with every token visible:", trace.baseline_output)
    with after:
        widgets.plain_text(f"Output with {len(mask)} hidden:", trace.output)
    changed = ", ".join(f"y{i + 1}" for i in trace.changed_steps) or "none"
    st.caption(f"Steps whose token changed: {changed}.")
else:
    widgets.plain_text("Output:", trace.output)

timeline = session_models.get_timeline(card.name, text, temperature, tuple(mask), beam, phone=viewport.is_phone())
present.chart(timeline, key("timeline"), main=True)
below = st.columns([3, 2], vertical_alignment="bottom")
below[1].multiselect(
    "Hide source tokens from attention (counterfactual)", list(range(n)), key=key("mask"),
    format_func=lambda j: position_label(j, base.src_tokens[j]),
    help="Hidden positions get weight exactly 0 and the others are renormalised; the model decodes again. "
         + GLOSSARY["counterfactual"])
with below[0]:
    widgets.download_animation(timeline, f"Attention, step by step: {card.name}",
                               [("Model", card.name), ("Input", text), ("Output", trace.output)],
                               ["attention", card.name, text], key("download"))
st.caption("**The whole computation.** It opens on its first frame: press ▶ Play or drag the slider. The encoder "
           "reads the source one token at a time, then every output token goes through the three steps and the "
           "decoder update. Grey means not computed yet; the orange outline marks the query (or the token being "
           "read). In the state heatmaps a column is one vector and a row one unit, the units ordered by the step "
           "at which they change most. Each colour bar names its quantity: one for the state vectors, one for the "
           "weights α. It runs in your browser.")
widgets.model_notes(card)

unit_lines.follow_seq2seq_units(key("lines"), trace)

st.subheader("One decoder step in depth")
st.markdown(
    "At decoder step *i* the previous decoder state $h^d_{i-1}$ is the **query**. "
    "**Step 1** scores it against every encoder state: $\\text{score}(h^d_{i-1}, h^e_j) = h^d_{i-1} \\cdot h^e_j$. "
    "**Step 2** turns the scores into weights: $\\alpha_{ij} = \\text{softmax}_j(\\text{score})$. "
    "**Step 3** mixes the encoder states: $c_i = \\sum_j \\alpha_{ij} h^e_j$. "
    "The decoder then updates $h^d_i = g(y_{i-1}, h^d_{i-1}, c_i)$ and picks the output token $y_i$."
)


@st.fragment
def step_section(trace, text: str, tgt_level: str) -> None:
    """Everything that depends on the step alone: a step move reruns only this (and writes the URL),
    not the models, the timeline and the controls above."""
    m = len(trace.steps)
    if m > 1:
        st.session_state[key("step")] = min(st.session_state.get(key("step"), FIRST_STEP), m)
        step_number = st.slider("Decoder step i", 1, m, key=key("step"))
    else:
        step_number = 1
    sections.step_in_depth(trace, step_number - 1, key("detail"))

    st.subheader("Every step")
    sections.every_step(trace, step_number - 1, key("all"), tgt_level)

    page_state.save(**link_values(text, m))


step_section(trace, text, card.config["tgt_level"])

session_models.model_upload(PAGE)
