"""Models that belong to one session: a model trained live on /training, or one a student uploads
on /attention (its safetensors weights and JSON card). They live in st.session_state, never in a
server-wide cache, so no other session sees them; their traces come from the same core code as a
shipped model's (Seq2Seq.translate).

Their names in the model picker end in SUFFIX, so they never shadow a shipped model of the same name.
"""
from __future__ import annotations

import dataclasses

import plotly.graph_objects as go
import streamlit as st

from core import CheckpointError, ModelCard, Seq2Seq, Trace
from core.checkpoint import MAX_UPLOAD_BYTES, model_from_files

from . import cache
from .animation import SentFigure
from .charts import timeline_figure
from .labels import markdown_text
from .widgets import state_key

SUFFIX = " (yours)"
_MODELS = "session_models"  # {picker name: Seq2Seq}
_TRACES = "session_models.traces"  # the last few traces and timelines of those models
_KEPT = 8
UPLOAD_MB = MAX_UPLOAD_BYTES // 2**20


def _models() -> dict[str, Seq2Seq]:
    return st.session_state.setdefault(_MODELS, {})


def keep(model: Seq2Seq) -> str:
    """Keep `model` in this session (replacing one of the same name); returns its picker name."""
    name = model.card.name + SUFFIX
    _models()[name] = model
    st.session_state[_TRACES] = {key: value for key, value in st.session_state.get(_TRACES, {}).items()
                                 if key[0] != name}  # an older model of that name drew those
    return name


def session_cards(attention_only: bool = False) -> list[ModelCard]:
    """The cards of this session's models, named as the picker shows them."""
    return [dataclasses.replace(model.card, name=name) for name, model in _models().items()
            if not attention_only or model.config.attention is not None]


def _remembered(key: tuple, make):
    kept = st.session_state.setdefault(_TRACES, {})
    if key not in kept:
        while len(kept) >= _KEPT:
            kept.pop(next(iter(kept)))
        kept[key] = make()
    return kept[key]


def get_trace(name: str, text: str, temperature: float = 1.0, mask: tuple[int, ...] = (), beam: int = 1) -> Trace:
    """ui.cache.get_trace for shipped models and this session's models alike."""
    if name not in _models():
        return cache.get_trace(name, text, temperature, mask, beam)
    model = _models()[name]
    baseline = get_trace(name, text, temperature, (), beam) if mask else None  # the unmasked run, decoded once
    return _remembered(("trace", name, text, temperature, mask, beam),
                       lambda: model.translate(text, temperature=temperature, mask=list(mask), beam=beam,
                                               baseline=baseline))


def get_timeline(name: str, text: str, temperature: float = 1.0, mask: tuple[int, ...] = (),
                 beam: int = 1, phone: bool = False) -> go.Figure:
    """ui.cache.get_timeline for shipped models and this session's models alike."""
    if name not in _models():
        return cache.get_timeline(name, text, temperature, mask, beam, phone)
    return _remembered(("timeline", name, text, temperature, mask, beam, phone),
                       lambda: SentFigure.of(timeline_figure(get_trace(name, text, temperature, mask, beam),
                                                             phone=phone)))


def _upload_problem(files) -> str | Seq2Seq:
    """The model in the uploaded files, or one sentence saying what is wrong with them."""
    weights = [f for f in files if f.name.lower().endswith(".safetensors")]
    cards = [f for f in files if f.name.lower().endswith(".json")]
    if len(files) != 2 or len(weights) != 1 or len(cards) != 1:
        return ("Upload exactly two files of one model: its weights (.safetensors) and its card (.json); "
                f"{len(files)} file{'s' if len(files) != 1 else ''} arrived.")
    for file in files:
        if file.size > MAX_UPLOAD_BYTES:
            return f"{file.name}: the file has {file.size:,} bytes, more than the {UPLOAD_MB} MB a model file may have."
    try:
        model = model_from_files(cards[0].getvalue(), weights[0].getvalue(), cards[0].name, weights[0].name)
    except CheckpointError as error:
        return str(error)
    if model.config.attention is None:
        return (f"{model.card.name} has no attention, so this page has no scores or weights to show; "
                "train one with attention to explore it here.")
    return model


def _load_upload(page: str) -> None:
    files = st.session_state.get(state_key(page, "upload")) or []
    message_key = state_key(page, "upload_message")
    if not files:
        st.session_state.pop(message_key, None)
        return
    if len(files) == 1 and files[0].name.lower().endswith((".safetensors", ".json")):
        st.session_state[message_key] = ("info", "Now add the model's other file (the weights and the card belong "
                                                 "together).")
        return
    outcome = _upload_problem(files)
    if isinstance(outcome, str):
        st.session_state[message_key] = ("error", outcome)
        return
    name = keep(outcome)
    st.session_state[state_key(page, "model")] = name
    if outcome.card.examples:
        st.session_state[state_key(page, "text")] = outcome.card.examples[0]
    st.session_state[message_key] = ("success", f"{name} is loaded for this session and chosen above.")


def model_upload(page: str) -> None:
    """An upload box for a model's two files (weights and card). A good pair is checked like a shipped
    model (core.checkpoint.model_from_files), kept in this session and chosen in the page's model
    picker; anything else gets one sentence and the page carries on."""
    st.file_uploader(
        "Load your own model: its weights (.safetensors) and its card (.json), for example the two files of a "
        "model you trained live on the Training page",
        type=["safetensors", "json"], accept_multiple_files=True, max_upload_size=UPLOAD_MB,
        key=state_key(page, "upload"), on_change=_load_upload, args=(page,),
        help="The model stays in this browser session only. Its card is checked like a shipped model's, and the "
             "weights against the card: names, shapes, finite values and the card's checksum.")
    kind, message = st.session_state.get(state_key(page, "upload_message"), (None, ""))
    if kind == "error":
        st.error(markdown_text(message), icon=":material/error:")
    elif kind == "info":
        st.info(markdown_text(message))
    elif kind == "success":
        st.success(markdown_text(message))
