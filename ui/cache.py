"""Caches shared by every page: models load once per server, traces and figures once per input."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from core import ModelCard, Seq2Seq, Trace, list_models, load_model

from .charts import timeline_figure


@st.cache_resource(show_spinner=False)
def get_model(name: str) -> Seq2Seq:
    return load_model(name)


@st.cache_data(show_spinner=False)
def get_cards() -> list[ModelCard]:
    return list_models()


@st.cache_data(show_spinner=False, max_entries=512)
def get_trace(name: str, text: str, temperature: float = 1.0, mask: tuple[int, ...] = (), beam: int = 1) -> Trace:
    """The Trace of one input, keyed by model name and input (each caller gets its own copy).
    Raises ValueError with a readable message for input the model cannot run."""
    return get_model(name).translate(text, temperature=temperature, mask=list(mask), beam=beam)


@st.cache_resource(show_spinner=False, max_entries=64)  # read-only: Streamlit serialises it, never changes it
def get_timeline(name: str, text: str, temperature: float = 1.0, mask: tuple[int, ...] = (),
                 beam: int = 1) -> go.Figure:
    return timeline_figure(get_trace(name, text, temperature, mask, beam))
