"""Caches shared by every page: models load once per server, traces and figures once per input."""
from __future__ import annotations

import logging

import plotly.graph_objects as go
import streamlit as st

from core import CheckpointError, ModelCard, RecurrentModel, RNNTrace, Seq2Seq, Trace, list_models, load_model
from core.rnn import MAX_GRADIENT_TOKENS

from .charts import timeline_figure

GRADIENT_MAX_TOKENS = MAX_GRADIENT_TOKENS  # the most RecurrentModel.gradient_norms reads
_log = logging.getLogger(__name__)


class ModelUnavailable(ValueError):
    """A model whose files cannot be loaded. A ValueError, so that every page's handler for input a
    model cannot run shows its one sentence; the details (with server paths) go to the server log."""


@st.cache_resource(show_spinner=False)
def _load(name: str) -> Seq2Seq | RecurrentModel:
    return load_model(name)


def get_model(name: str) -> Seq2Seq | RecurrentModel:
    """The model, loaded once per server. ModelUnavailable if its files are missing or damaged (not
    cached: a repaired file is used on the next run)."""
    try:
        return _load(name)
    except CheckpointError as error:
        _log.warning("model %s is unavailable: %s", name, error)
        raise ModelUnavailable(f"The model {name} cannot be loaded: its files in checkpoints/ are missing, damaged "
                               "or do not match its card.") from None


@st.cache_data(show_spinner=False)
def get_cards() -> list[ModelCard]:
    return list_models()


@st.cache_data(show_spinner=False)
def get_unreadable_cards() -> list[str]:
    """The models whose card cannot be read (left out of every page); the reasons go to the log."""
    unreadable: dict[str, str] = {}
    list_models(unreadable=unreadable)
    for reason in unreadable.values():
        _log.warning("model card skipped: %s", reason)
    return sorted(unreadable)


@st.cache_data(show_spinner=False, max_entries=512)
def get_trace(name: str, text: str, temperature: float = 1.0, mask: tuple[int, ...] = (), beam: int = 1) -> Trace:
    """The Trace of one input, keyed by model name and input (each caller gets its own copy).
    Raises ValueError with a readable message for input the model cannot run."""
    return get_model(name).translate(text, temperature=temperature, mask=list(mask), beam=beam)


@st.cache_resource(show_spinner=False, max_entries=64)  # read-only: Streamlit serialises it, never changes it
def get_timeline(name: str, text: str, temperature: float = 1.0, mask: tuple[int, ...] = (),
                 beam: int = 1) -> go.Figure:
    return timeline_figure(get_trace(name, text, temperature, mask, beam))


# ---- the single recurrent networks (language models, taggers, classifiers) --------------------
@st.cache_data(show_spinner=False, max_entries=512)
def get_run(name: str, text: str) -> RNNTrace:
    """A recurrent model reading `text`: every state, gate and head distribution (core.rnn).
    Raises ValueError with a readable message for input the model cannot run."""
    return get_model(name).run(text)


@st.cache_data(show_spinner=False, max_entries=256)
def get_generation(name: str, prompt: str, length: int, temperature: float, seed: int) -> RNNTrace:
    """A language model reading `prompt`, then sampling `length` characters, each fed back."""
    return get_model(name).generate(prompt, length=length, temperature=temperature, seed=seed)


@st.cache_data(show_spinner=False, max_entries=256)
def get_gradient_norms(name: str, text: str):
    """||dh_t/dx_1|| for t = 1..n (numpy array), by forward-mode autograd through the model's cell."""
    return get_model(name).gradient_norms(text)


@st.cache_resource(show_spinner=False, max_entries=64)  # read-only, like get_timeline
def get_unrolled(name: str, text: str) -> go.Figure:
    from .rnn_charts import unrolled_figure

    return unrolled_figure(get_run(name, text))


@st.cache_resource(show_spinner=False, max_entries=64)  # read-only, like get_timeline
def get_encoder_decoder(name: str, text: str) -> go.Figure:
    from .encdec_charts import encoder_decoder_figure

    return encoder_decoder_figure(get_trace(name, text))


@st.cache_data(show_spinner=False, max_entries=128)
def get_prefixes(name: str, text: str):
    """Every prefix of `text` decoded by the model and scored (core.limits.growing_prefixes)."""
    from core.limits import growing_prefixes

    return growing_prefixes(get_model(name), text)


@st.cache_resource(show_spinner=False, max_entries=32)  # read-only, like get_timeline
def get_generation_figure(name: str, prompt: str, length: int, temperature: float, seed: int) -> go.Figure:
    from .rnn_charts import unrolled_figure

    trace = get_generation(name, prompt, length, temperature, seed)
    prompt_steps = sum(not s.generated for s in trace.steps)
    return unrolled_figure(trace, first=max(0, prompt_steps - 20))  # the prompt's end, then the generation


@st.cache_resource(show_spinner=False, max_entries=32)  # read-only, like get_timeline
def get_side_by_side(with_attention: str, without: str, text: str) -> go.Figure:
    from .encdec_charts import side_by_side_figure

    return side_by_side_figure(get_trace(with_attention, text), get_trace(without, text))


def sequential_timing(name: str, text: str, available: list[str]):
    """The chain of dependent steps of a plain model and its attention twin on `text`, timed now on
    this server (core.limits.sequential_vs_parallel; not cached: it is a measurement). Without its
    twin (not shipped, or its files damaged) the plain model is timed alone."""
    from core.limits import sequential_vs_parallel

    twin = name.replace("-noattn", "-attn")
    try:
        twin_model = get_model(twin) if twin in available else None
    except ModelUnavailable:
        twin_model = None
    return sequential_vs_parallel(get_model(name), text, twin_model)
