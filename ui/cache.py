"""Caches shared by every page: models load once per server, traces and figures once per input.

Every cache is bounded, so that a hall of students typing their own sentences cannot grow the
server without end: each holds at most `max_entries` values (the least recently used goes first).
One value has a worst case, because every input is capped before it reaches a model (core cuts it to
the model's length limit; the pages cut text at 300 or 500 characters); a cache whose values can be
large (figures with one frame per step, traces of 300 characters) holds fewer of them. The worst case
of one value and of each cache is measured by `python bench/load.py --cache-sizes` (README, "Serving
a class"). Every public function passes all its arguments on to the cached one, so the same input
from two pages (a default left out or written out) is one entry, not two.
"""
from __future__ import annotations

import concurrent.futures
import gc
import threading
import time

import plotly.graph_objects as go
import streamlit as st
from streamlit.logger import get_logger

from core import CheckpointError, ModelCard, RecurrentModel, RNNTrace, Seq2Seq, Trace, list_models, load_model
from core.rnn import MAX_GRADIENT_TOKENS

from .animation import SentFigure
from .charts import timeline_figure

GRADIENT_MAX_TOKENS = MAX_GRADIENT_TOKENS  # the most RecurrentModel.gradient_norms reads
_log = get_logger(__name__)  # Streamlit's: its level and format, so the server's log shows this module's info

# The bounds. A cache of records (st.cache_data) holds at most MAX_* values and at most *_BYTES of
# them pickled (Streamlit drops the least recently used first); a cache of figures (st.cache_resource,
# no byte bound in Streamlit) holds few, as one figure with its frames can take a few MB.
MAX_MODELS = 32  # the shipped checkpoints (13), with room
MAX_TRACES, TRACE_BYTES = 256, "24MB"
MAX_RUNS, RUN_BYTES = 64, "32MB"
MAX_GENERATIONS, GENERATION_BYTES = 16, "16MB"
MAX_GRADIENTS, GRADIENT_BYTES = 64, "1MB"
MAX_PREFIXES, PREFIX_BYTES = 32, "4MB"
MAX_FIGURES = 8  # per figure cache (timeline, unrolled, encoder-decoder, generation, side by side)


class ModelUnavailable(ValueError):
    """A model whose files cannot be loaded. A ValueError, so that every page's handler for input a
    model cannot run shows its one sentence; the details (with server paths) go to the server log."""


@st.cache_resource(show_spinner=False, max_entries=MAX_MODELS)
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


@st.cache_data(show_spinner=False, max_entries=1)
def get_cards() -> list[ModelCard]:
    return list_models()


@st.cache_data(show_spinner=False, max_entries=1)
def get_unreadable_cards() -> list[str]:
    """The models whose card cannot be read (left out of every page); the reasons go to the log."""
    unreadable: dict[str, str] = {}
    list_models(unreadable=unreadable)
    for reason in unreadable.values():
        _log.warning("model card skipped: %s", reason)
    return sorted(unreadable)


@st.cache_data(show_spinner=False, max_entries=MAX_TRACES, max_size=TRACE_BYTES)
def _trace(name: str, text: str, temperature: float, mask: tuple[int, ...], beam: int) -> Trace:
    baseline = _trace(name, text, temperature, (), beam) if mask else None  # the unmasked run, decoded once
    return get_model(name).translate(text, temperature=temperature, mask=list(mask), beam=beam, baseline=baseline)


def get_trace(name: str, text: str, temperature: float = 1.0, mask: tuple[int, ...] = (), beam: int = 1) -> Trace:
    """The Trace of one input, keyed by model name and input (each caller gets its own copy).
    Raises ValueError with a readable message for input the model cannot run."""
    return _trace(name, text, float(temperature), tuple(int(j) for j in mask), int(beam))


@st.cache_resource(show_spinner=False, max_entries=MAX_FIGURES)  # read-only: Streamlit serialises it, never changes it
def _timeline(name: str, text: str, temperature: float, mask: tuple[int, ...], beam: int, phone: bool) -> go.Figure:
    return SentFigure.of(timeline_figure(get_trace(name, text, temperature, mask, beam), phone=phone))


def get_timeline(name: str, text: str, temperature: float = 1.0, mask: tuple[int, ...] = (),
                 beam: int = 1, phone: bool = False) -> go.Figure:
    """The attention timeline (ui.charts.timeline_figure); `phone`: its one-column layout."""
    return _timeline(name, text, float(temperature), tuple(int(j) for j in mask), int(beam), bool(phone))


# ---- the single recurrent networks (language models, taggers, classifiers) --------------------
@st.cache_data(show_spinner=False, max_entries=MAX_RUNS, max_size=RUN_BYTES)
def get_run(name: str, text: str) -> RNNTrace:
    """A recurrent model reading `text`: every state, gate and head distribution (core.rnn).
    Raises ValueError with a readable message for input the model cannot run."""
    return get_model(name).run(text)


@st.cache_data(show_spinner=False, max_entries=MAX_GENERATIONS, max_size=GENERATION_BYTES)
def _generation(name: str, prompt: str, length: int, temperature: float, seed: int) -> RNNTrace:
    return get_model(name).generate(prompt, length=length, temperature=temperature, seed=seed)


def get_generation(name: str, prompt: str, length: int, temperature: float, seed: int) -> RNNTrace:
    """A language model reading `prompt`, then sampling `length` characters, each fed back."""
    return _generation(name, prompt, int(length), float(temperature), int(seed))


@st.cache_data(show_spinner=False, max_entries=MAX_GRADIENTS, max_size=GRADIENT_BYTES)
def get_gradient_norms(name: str, text: str):
    """||dh_t/dx_1|| for t = 1..n (numpy array), by forward-mode autograd through the model's cell."""
    return get_model(name).gradient_norms(text)


@st.cache_resource(show_spinner=False, max_entries=MAX_FIGURES)  # read-only, like get_timeline
def _unrolled(name: str, text: str, phone: bool) -> go.Figure:
    from .rnn_charts import unrolled_figure

    return SentFigure.of(unrolled_figure(get_run(name, text), phone=phone))


def get_unrolled(name: str, text: str, phone: bool = False) -> go.Figure:
    return _unrolled(name, text, bool(phone))  # every argument passed: the warm start's entry is the page's


@st.cache_resource(show_spinner=False, max_entries=MAX_FIGURES)  # read-only, like get_timeline
def _encoder_decoder(name: str, text: str, phone: bool) -> go.Figure:
    from .encdec_charts import encoder_decoder_figure

    return SentFigure.of(encoder_decoder_figure(get_trace(name, text), phone=phone))


def get_encoder_decoder(name: str, text: str, phone: bool = False) -> go.Figure:
    return _encoder_decoder(name, text, bool(phone))


@st.cache_data(show_spinner=False, max_entries=MAX_PREFIXES, max_size=PREFIX_BYTES)
def get_prefixes(name: str, text: str):
    """Every prefix of `text` decoded by the model and scored (core.limits.growing_prefixes)."""
    from core.limits import growing_prefixes

    return growing_prefixes(get_model(name), text)


@st.cache_resource(show_spinner=False, max_entries=MAX_FIGURES)  # read-only, like get_timeline
def _generation_figure(name: str, prompt: str, length: int, temperature: float, seed: int, phone: bool) -> go.Figure:
    from .rnn_charts import unrolled_figure

    trace = get_generation(name, prompt, length, temperature, seed)
    prompt_steps = sum(not s.generated for s in trace.steps)
    # the prompt's end, then the generation
    return SentFigure.of(unrolled_figure(trace, first=max(0, prompt_steps - 20), phone=phone))


def get_generation_figure(name: str, prompt: str, length: int, temperature: float, seed: int,
                          phone: bool = False) -> go.Figure:
    return _generation_figure(name, prompt, int(length), float(temperature), int(seed), bool(phone))


@st.cache_resource(show_spinner=False, max_entries=MAX_FIGURES)  # read-only, like get_timeline
def _side_by_side(with_attention: str, without: str, text: str, phone: bool) -> go.Figure:
    from .encdec_charts import side_by_side_figure

    return SentFigure.of(side_by_side_figure(get_trace(with_attention, text), get_trace(without, text),
                                             split=get_model(without).target_tokens, phone=phone))


def get_side_by_side(with_attention: str, without: str, text: str, phone: bool = False) -> go.Figure:
    return _side_by_side(with_attention, without, text, bool(phone))


def answer_note(name: str, text: str) -> str | None:
    """How many of the model's output tokens on `text` differ from the known answer, split by the
    model's own target splitter (encdec_charts.answer_note); None when no answer is known."""
    from .encdec_charts import answer_note as note

    return note(get_trace(name, text), get_model(name).target_tokens)


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


# ---- a warm start: what the first screens need, computed once when the server starts ----------
def warm_examples(cards: list[ModelCard]) -> int:
    """Load every model and compute the record of every card example (what a click on an example
    shows) and the figure of each model's first example (each page opens on one). Returns how many
    values it computed; a model that cannot be loaded or an example it cannot run is skipped (the
    page that asks for it says why)."""
    done = 0
    pairs = {card.task: card for card in cards if card.kind == "seq2seq" and not card.attention}
    for card in cards:
        try:
            get_model(card.name)
        except ModelUnavailable:
            continue
        for number, example in enumerate(card.examples):
            try:
                if card.kind == "seq2seq":
                    get_trace(card.name, example)
                    if number == 0:
                        if card.attention:
                            get_timeline(card.name, example)
                            if card.task in pairs:
                                get_side_by_side(card.name, pairs[card.task].name, example)
                        else:
                            get_encoder_decoder(card.name, example)
                else:
                    get_run(card.name, example)
                    if number == 0 and card.kind == "lm":
                        get_unrolled(card.name, example)
            except ValueError:
                continue
            done += 1
    return done


def _warm() -> None:
    started = time.perf_counter()
    try:
        computed = warm_examples(get_cards())
    except Exception:  # a warm start is an optimisation: a failure leaves each page to compute its own
        _log.exception("the warm start failed")
        return
    _log.info("warm start: %d examples of every model ready in %.1f s", computed, time.perf_counter() - started)


@st.cache_resource(show_spinner=False, max_entries=1)
def _warm_start() -> threading.Thread:
    thread = threading.Thread(target=_warm, name="warm-start", daemon=True)
    thread.start()
    return thread


TRIM_EVERY_S = 15  # how often memory freed by closed sessions and dropped cache entries goes back


def _trim_forever() -> None:
    """Every TRIM_EVERY_S seconds: free closed tabs' expired sessions, collect reference cycles, and give
    freed heap memory back to the system. glibc's malloc keeps what Python frees for reuse, so without
    this a server's RSS stays at its peak after a class has left. ctypes releases the GIL during the
    call. Not glibc (macOS, musl): no trim, the rest still runs."""
    import ctypes

    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        trim = None
    ticks = 0
    while True:
        time.sleep(TRIM_EVERY_S)
        ticks += 1
        dropped = _drop_expired_sessions()
        # Python collects cycles (Plotly's figures are full of them) when it allocates; a server that a
        # class has just left allocates nothing, so without this their memory stayed taken. Right after
        # sessions were dropped, else once a minute (a full collection in a busy server costs CPU).
        if dropped or ticks % 4 == 0:
            gc.collect()
        if trim is not None:
            trim(0)


def _drop_expired_sessions() -> int:
    """Free the sessions of closed tabs once they can no longer reconnect; returns how many.

    Streamlit keeps a closed tab's session (its state, its last page) for server.disconnectedSessionTTL
    seconds, in a cache that removes expired sessions only when it is next written to, that is when
    another tab closes. After a class leaves, nothing closes any more, and up to 128 sessions stayed
    in memory for good. This asks that cache to remove its expired entries, on the server's event loop
    (the thread that uses it; this waits up to 5 s for it) and under the session manager's own lock,
    which is what Streamlit's next write would do. It reads Streamlit internals: on a version without
    them it does nothing and says so once in the log."""
    from streamlit import runtime

    global _expiry_unsupported
    if _expiry_unsupported or not runtime.exists():
        return 0
    try:
        manager = runtime.get_instance()._session_mgr
        storage, lock = manager._session_storage._cache, manager._storage_lock
        loop = runtime.get_instance()._get_async_objs().eventloop
        expire = storage.expire
    except (AttributeError, RuntimeError):
        _expiry_unsupported = True
        _log.warning("closed sessions are left to Streamlit (this version's session storage is unknown)")
        return 0
    done: concurrent.futures.Future = concurrent.futures.Future()

    def drop() -> None:
        try:
            with lock:
                done.set_result(len(expire()))
        except Exception as error:  # reported by the waiting thread
            done.set_exception(error)

    loop.call_soon_threadsafe(drop)
    try:
        dropped = done.result(timeout=5)
    except concurrent.futures.TimeoutError:  # a busy loop: the next round
        return 0
    except Exception:  # the storage changed under us: leave it to Streamlit from now on
        _expiry_unsupported = True
        _log.exception("closed sessions are left to Streamlit")
        return 0
    if dropped:
        _log.info("dropped %d closed session(s) past server.disconnectedSessionTTL", dropped)
    return dropped


_expiry_unsupported = False


@st.cache_resource(show_spinner=False, max_entries=1)
def _trim_start() -> threading.Thread:
    thread = threading.Thread(target=_trim_forever, name="memory-trim", daemon=True)
    thread.start()
    return thread


def warm_up() -> None:
    """Once per server process, in background threads: load every model and compute every card
    example, so that a class opening the link finds its first screens ready, and give memory that
    sessions freed back to the system (_trim_forever). Returns at once (the caller's page is not
    delayed); under AppTest (no server runtime) it does nothing."""
    from streamlit import runtime

    if runtime.exists():
        _trim_start()
        import pandas  # noqa: F401  imported here first: two threads importing it at once can see it half-made

        from . import encdec_charts, rnn_charts  # noqa: F401  (likewise: the warm start draws with them)

        _warm_start()


# ---- training films (core.film) -------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=16)  # a film is a few hundred kB in memory
def _read_film(name: str):
    from core.film import load_film

    return load_film(name)


def get_film(name: str):
    """The training film of a model, read once per server; None if its file is damaged (the reason goes
    to the log; not cached, so a repaired file is read on the next run)."""
    try:
        return _read_film(name)
    except CheckpointError as error:
        _log.warning("training film of %s is unavailable: %s", name, error)
        return None


@st.cache_resource(show_spinner=False, max_entries=32)  # read-only, like get_timeline; about 1 MB each
def _film_figure(name: str, probe: int, phone: bool) -> go.Figure:
    """The film of `name` on probe `probe`, with the held-out curve of its twin's film when there is one
    (laid out for a `phone` or a wide screen)."""
    from .film_charts import film_figure, twin_name

    twin = twin_name(name)
    return SentFigure.of(film_figure(get_film(name), probe, get_film(twin) if twin in get_film_names() else None,
                                     phone=phone))


def get_film_figure(name: str, probe: int, phone: bool = False) -> go.Figure:
    return _film_figure(name, int(probe), bool(phone))


def get_film_names() -> list[str]:
    from core.film import available_films

    return available_films()
