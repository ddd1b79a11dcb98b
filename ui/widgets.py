"""Widgets that several pages share: the model picker, the example chooser, the sentence box,
and the glue between a page's widgets and its URL."""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from core import ModelCard

from . import present, shell, viewport
from .state import Param, params_for, parse_params


def state_key(page: str, name: str) -> str:
    return f"{page}.{name}"


def metric_summary(card: ModelCard) -> str:
    if "chrf" in card.metrics:
        return f"BLEU {card.metrics['bleu']:.1f}, chrF {card.metrics['chrf']:.1f}"
    if "bleu" in card.metrics:
        return f"BLEU {card.metrics['bleu']:.1f}"
    return f"{100 * card.metrics['exact_match']:.1f}% exact"


def model_picker(page: str, cards: list[ModelCard], on_change=None) -> ModelCard:
    """Select box over the given models, labelled with their task and held-out metric."""
    by_name = {card.name: card for card in cards}
    name = st.selectbox("Model", list(by_name), key=state_key(page, "model"), on_change=on_change,
                        format_func=lambda n: f"{n}  ·  {by_name[n].task}, {metric_summary(by_name[n])}")
    return by_name[name]


def model_notes(card: ModelCard) -> None:
    """What a reader must know about a model's data and tokens, from its card: the credit its data
    requires, and how subword pieces read."""
    notes = []
    config = card.config
    if "piece" in (config.get("src_level"), config.get("tgt_level")):
        notes.append("The model reads and writes **subword pieces**: common words are one piece, rarer words and "
                     "suffixes are split, and a piece that continues a word is written with a dot in front, so "
                     "`gel·ecek·sin` is one word in three pieces.")
    if config.get("bidirectional"):
        notes.append("Its encoder reads the sentence both ways: $h^e_j$ joins the forward state after "
                     "$x_1..x_j$ and the backward state after $x_n..x_j$, so it describes $x_j$ in its whole "
                     "sentence; $h^d_0 = h^e_n$ as in the lecture.")
    guided = card.training.get("guided_alignment")
    if guided:
        notes.append("Its attention was trained with a second goal beside the translation (guided alignment, "
                     f"weight {guided:g}): to put its weights where IBM Model 1, an aligner that only counts which "
                     "words occur together in the training pairs, links each output piece to the source. What it "
                     "shows is still what it computes: the same dot product, softmax and weighted sum.")
    if card.data.get("credit"):
        notes.append(f"Data: {card.data['credit']}.")
    if notes:
        st.caption(" ".join(notes))


def _use_example(page: str) -> None:
    chosen = st.session_state[state_key(page, "example")]
    if chosen is not None:
        st.session_state[state_key(page, "text")] = chosen
        st.session_state[state_key(page, "example")] = None


def example_chooser(page: str, card: ModelCard) -> None:
    """The card's example inputs, one click away (the click fills the sentence box)."""
    if card.examples:
        st.pills("Examples", card.examples[:8], key=state_key(page, "example"), wrap=True,
                 on_change=_use_example, args=(page,))


def example_popover(page: str, card: ModelCard) -> None:
    """The card's examples behind one button (beside the text box), so that they take no row of
    the first screen; a click fills the text box and closes it."""
    with st.popover("Examples", use_container_width=True):
        example_chooser(page, card)


def sentence_box(page: str, label: str, help_text: str, on_change=None) -> str:
    return st.text_input(label, key=state_key(page, "text"), help=help_text, on_change=on_change)


def text_box(page: str, label: str, help_text: str, height: int = 90) -> str:
    """A multi-line text box (for texts whose line breaks matter, such as a play's speeches)."""
    return st.text_area(label, key=state_key(page, "text"), help=help_text, height=height)


def plain_text(label: str, text: str) -> None:
    """A label and a user- or model-produced text shown literally (never as Markdown or HTML). The
    text goes to st.text: st.markdown, even with every markup character escaped, still turns a bare
    https://... or www.... into a link and :material/name: into an icon."""
    if not text:
        st.markdown(f"**{label}** *(empty)*")
        return
    with st.container(horizontal=True, gap="small"):
        st.markdown(f"**{label}**", width="content")
        st.text(text)


class PageState:
    """A page's parameters, declared once: `key(name)` names a widget's state, `load()` fills the
    widgets from the link once per visit (a new session, or back from another page; again when the
    window has just said it is a phone, ui.viewport.changed) and returns
    notices about parameters that were ignored, `save()` writes the widgets' values into the link."""

    def __init__(self, page: str, spec: Sequence[Param]):
        self.page = page
        self.spec = list(spec)

    def key(self, name: str) -> str:
        return state_key(self.page, name)

    def load(self) -> list[str]:
        if self.key(self.spec[0].name) in st.session_state and not viewport.changed():
            return []
        values, notices = parse_params(st.query_params.to_dict(), self.spec)
        for name, value in values.items():
            st.session_state[self.key(name)] = value
        return notices

    def save(self, **values) -> None:
        """Write the widgets' values (or the `values` given) into the link, only when it changed."""
        current = {p.name: st.session_state.get(self.key(p.name), p.default) for p in self.spec}
        params = params_for(current | values, self.spec, present.url_params())  # present=1 stays in the link
        if st.query_params.to_dict() != params:
            st.query_params.from_dict(params)

    def open(self, title: str, intro: str, caption: bool = False) -> None:
        """The page's top: read the link (once per visit), then the title, the introduction
        (Markdown; a caption when `caption`) and a notice for each parameter the link got wrong."""
        notices = self.load()
        st.title(title)
        shell.done_loading()  # the page's title is up: a cold server's loading notice above it goes
        (st.caption if caption else st.markdown)(intro)
        for notice in notices:
            st.info(notice)

    def stop_with(self, message: str, **values) -> None:
        """Show `message`, keep the link in step with the widgets, and end this run of the page."""
        st.info(message)
        self.save(**values)
        st.stop()


def switch_example(page: str, chosen: ModelCard, examples) -> None:
    """After the model (or task) changed: show its first example, unless the text box holds text
    the user typed (anything that is not one of `examples`)."""
    text = st.session_state.get(state_key(page, "text"), "")
    if not text.strip() or text in set(examples):
        st.session_state[state_key(page, "text")] = chosen.examples[0] if chosen.examples else ""


def capped(text: str, limit: int) -> str:
    """The first `limit` characters of `text`, with a warning when it was longer."""
    if len(text) > limit:
        st.warning(f"The text has {len(text):,} characters; the first {limit} are read.")
    return text[:limit]


def table(frame, label: str, file_name: str, key: str, height: int | None = None) -> None:
    """A pandas table and a button that downloads it as CSV."""
    st.dataframe(frame, hide_index=True, **({"height": height} if height else {}))
    csv_button(label, lambda: frame.to_csv(index=False), file_name, key)


def csv_button(label: str, make, file_name: str, key: str, where=st) -> None:
    """A CSV download whose file is made only when clicked (`make` returns its text), never on a rerun."""
    where.download_button(label, make, file_name, "text/csv", key=key, on_click="ignore",
                          icon=":material/download:")


def download_animation(figure, title: str, texts: list[tuple[str, str]], name_parts: list[str], key: str) -> None:
    """A button that saves the animation as one self-contained HTML file that plays offline (ui.export).
    The file (megabytes, Plotly's JavaScript included) is built only when clicked, never on a rerun."""
    from .export import animation_html, file_name

    st.download_button("Download (plays offline)", lambda: animation_html(figure, title, texts),
                       file_name(*name_parts), "text/html", key=key, on_click="ignore", icon=":material/download:",
                       help="One HTML file with the figure, its frames and Plotly's JavaScript: it plays in any "
                            "browser from disk, with no network.")
