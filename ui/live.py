"""Training live, the part of /training where a student trains a small model from scratch and
watches its attention form (core.live runs the training in a process of its own).

    from ui.live import live_training_panel
    live_training_panel()          # once on the page: settings, Start, progress, Stop, downloads

One live run per server: while a run is on, every other session sees how far it is and how long it
has left. The owner's page redraws the run every REFRESH_SECONDS (an st.fragment), and each redraw
is the heartbeat that keeps the run going: a closed page stops its run (core.live.HEARTBEAT_TIMEOUT).
The finished model lives in this session (ui.session_models): it can be downloaded as its two files
and is in the model list of /attention.
"""
from __future__ import annotations

import uuid

import pandas as pd
import streamlit as st

from core.checkpoint import model_from_files
from core.live import (ATTENTION_CHOICES, HEARTBEAT_TIMEOUT, HIDDEN_SIZES, LEARNING_RATES, LIVE_TASKS, STEPS_MAX,
                       STEPS_MIN, STEPS_STEP, TRAIN_SECONDS, LiveBusy, LiveResult, LiveSettings, LiveSlot, LiveStatus)

from . import present, session_models, viewport
from .charts import alignment_figure
from .labels import markdown_text

REFRESH_SECONDS = 2.0  # how often a page with a run on redraws it (and, for its owner, sends the heartbeat)
DEFAULTS = LiveSettings()
PHASES = {"starting": "Starting a training process…", "preparing": "Generating the data and building the model…",
          "evaluating": "Measuring the model on held-out inputs…"}


@st.cache_resource(show_spinner=False)
def live_slot() -> LiveSlot:
    """The server's one slot for a live run, shared by every session."""
    return LiveSlot()


def _key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}"


def _owner(prefix: str) -> str:
    """This session's id as the owner of a run."""
    return st.session_state.setdefault(_key(prefix, "owner"), uuid.uuid4().hex)


def _chosen(prefix: str) -> LiveSettings:
    value = lambda name, default: st.session_state.get(_key(prefix, name), default)  # noqa: E731
    return LiveSettings(task=value("task", DEFAULTS.task), attention=value("attention", DEFAULTS.attention),
                        hidden=value("hidden", DEFAULTS.hidden), lr=value("lr", DEFAULTS.lr),
                        steps=value("steps", DEFAULTS.steps))


def _start(prefix: str) -> None:
    try:
        live_slot().start(_owner(prefix), _chosen(prefix))
        st.session_state.pop(_key(prefix, "busy"), None)
    except LiveBusy as busy:
        st.session_state[_key(prefix, "busy")] = f"Another model started first; it ends in about {busy.status.seconds_left():.0f} s."


def _stop(prefix: str) -> None:
    run = live_slot().current()
    if run is not None and run.owner == _owner(prefix):
        run.stop()


def _settings(prefix: str, disabled: bool) -> None:
    """The student's choices (ranges from core.live) and the Start button."""
    columns = st.columns([3, 2, 2, 2, 3])
    columns[0].radio("Task", list(LIVE_TASKS), format_func=lambda task: LIVE_TASKS[task].label,
                     index=list(LIVE_TASKS).index(DEFAULTS.task), key=_key(prefix, "task"), disabled=disabled)
    columns[1].radio("Attention", list(ATTENTION_CHOICES), index=ATTENTION_CHOICES.index(DEFAULTS.attention),
                     format_func=lambda a: "dot product" if a else "none (c = hᵉₙ)", key=_key(prefix, "attention"),
                     disabled=disabled)
    columns[2].select_slider("Hidden size H", HIDDEN_SIZES, value=DEFAULTS.hidden, key=_key(prefix, "hidden"),
                             disabled=disabled, help="Units in every encoder and decoder state.")
    columns[3].select_slider("Learning rate", LEARNING_RATES, value=DEFAULTS.lr, format_func=lambda v: f"{v:g}",
                             key=_key(prefix, "lr"), disabled=disabled, help="Adam's step size.")
    columns[4].slider("Training steps", STEPS_MIN, STEPS_MAX, DEFAULTS.steps, STEPS_STEP, key=_key(prefix, "steps"),
                      disabled=disabled, help=f"Batches of {LIVE_TASKS[DEFAULTS.task].batch_size} examples. Training "
                                              f"stops after {TRAIN_SECONDS} s whatever the steps, so a run ends "
                                              "within 2 minutes.")
    st.button("Start training", type="primary", icon=":material/play_arrow:", key=_key(prefix, "start"),
              disabled=disabled, on_click=_start, args=(prefix,))


def _progress(status: LiveStatus, prefix: str, mine: bool) -> None:
    """A run in progress: the bar (steps, loss, time left), the loss so far, the probe's alignment."""
    progress = status.progress
    left = f"about {status.seconds_left():.0f} s left"
    if progress is None or status.state in PHASES:
        st.progress(0.0 if progress is None else min(1.0, progress.step / max(1, progress.steps)),
                    text=f"{PHASES.get(status.state, PHASES['starting'])} {left}")
    else:
        parts = [f"Step {progress.step:,} of {progress.steps:,}"]
        if progress.loss is not None:
            parts.append(f"loss {progress.loss:.3f}")
        if progress.valid is not None:
            parts.append(f"held-out check {progress.valid:.0f}% exact")
        st.progress(min(1.0, progress.step / max(1, progress.steps)), text=" · ".join(parts + [left]))
    if not mine:
        return
    st.button("Stop", icon=":material/stop:", key=_key(prefix, "stop"), on_click=_stop, args=(prefix,),
              help="Ends training now; the model reached so far is measured and kept.")
    _pictures(status, prefix)


def _pictures(status: LiveStatus, prefix: str) -> None:
    progress = status.progress
    left, right = st.columns([3, 2])
    with left:
        trace = progress.probe if progress is not None else None
        if trace is None:
            st.caption("The probe input's alignment appears here once training has begun.")
        elif trace.steps and trace.steps[0].weights is not None:
            present.chart(alignment_figure(trace, phone=viewport.is_phone()), _key(prefix, "alignment"),
                          config={"displayModeBar": False})
            st.caption(f"The alignment α of the probe input after {progress.probe_step:,} steps, redrawn every "
                       f"{REFRESH_SECONDS:g} s. Output so far: “{markdown_text(trace.output)}”.")
        else:
            st.caption(f"Without attention there are no weights to draw; after {progress.probe_step:,} steps the "
                       f"probe “{markdown_text(trace.src_text)}” comes out as “{markdown_text(trace.output)}”.")
    with right:
        if status.losses:
            frame = pd.DataFrame(status.losses, columns=["step", "training loss"])
            st.line_chart(frame, x="step", y="training loss", x_label="step", y_label="training loss (cross-entropy)",
                          height=260)


def _keep_result(prefix: str, result: LiveResult) -> None:
    """The finished model goes into this session (once): downloads and /attention use it."""
    if st.session_state.get(_key(prefix, "result")) is result:
        return
    st.session_state[_key(prefix, "result")] = result
    model = model_from_files(result.card, result.weights)  # the same checks as an upload
    st.session_state[_key(prefix, "model")] = session_models.keep(model)


def _result(prefix: str) -> None:
    result: LiveResult | None = st.session_state.get(_key(prefix, "result"))
    if result is None:
        return
    how = "stopped" if result.stopped else "trained"
    st.success(f"**{markdown_text(result.name)}** {how} after {result.steps:,} steps ({result.seconds:.0f} s): "
               f"**{100 * result.exact_match:.1f}%** exact match on {result.test_size:,} held-out inputs "
               f"(the weights of step {result.best_step:,}, the best on the validation check).")
    columns = st.columns([1, 1, 3])
    columns[0].download_button("Weights (.safetensors)", result.weights, f"{result.name}.safetensors",
                               "application/octet-stream", key=_key(prefix, "download_weights"),
                               icon=":material/download:", on_click="ignore")
    columns[1].download_button("Card (.json)", result.card, f"{result.name}.json", "application/json",
                               key=_key(prefix, "download_card"), icon=":material/download:", on_click="ignore")
    where = ("It is in the model list of *Attention, step by step* for this session; in another session, load its "
             "two files there." if result.attention else
             "Without attention it has no weights to show on *Attention, step by step*; compare it with a model "
             "trained with attention.")
    columns[2].caption(f"The model lives in this browser session only. {where}")


def _live(prefix: str, polling: bool) -> None:
    """The run's part of the panel (an st.fragment: redrawn every REFRESH_SECONDS while a run is on)."""
    run = live_slot().current()
    status = run.status() if run is not None else None
    running = status is not None and status.running
    if polling and not running:
        st.rerun()  # the run ended: redraw the whole panel (settings enabled, the result) and stop polling
    if status is None:
        return
    mine = status.owner == _owner(prefix)
    if mine and running:
        run.heartbeat()
        _progress(status, prefix, mine=True)
    elif running:
        step = f"step {status.progress.step:,} of {status.progress.steps:,}, " if status.progress else ""
        st.info(f"Another model is training on this server ({step}about {status.seconds_left():.0f} s left). One "
                "live training runs at a time so that the app stays fast for everyone: watch the training film "
                "meanwhile; this panel frees itself when that run ends.", icon=":material/hourglass_top:")
        _progress(status, prefix, mine=False)
    elif mine and status.result is not None:
        _keep_result(prefix, status.result)
    elif mine and status.state == "failed":
        st.error(f"The training run failed: {markdown_text(status.message)}.", icon=":material/error:")


def live_training_panel(prefix: str = "training.live") -> None:
    """Everything of live training on the page: the settings and Start; while a run is on, its
    progress (steps, loss, time left), the probe's alignment redrawn every few seconds and Stop, or,
    for everyone else, that the server is busy and for how long; at the end, the held-out exact match
    and the model's two files to download. `prefix` keys its widgets in st.session_state."""
    run = live_slot().current()
    status = run.status() if run is not None else None
    running = status is not None and status.running
    st.caption(f"Train a small GRU encoder-decoder from scratch, here and now, and watch the alignment of a probe "
               f"input form. A run stops after its steps, after {TRAIN_SECONDS} s, when you press Stop, or "
               f"{HEARTBEAT_TIMEOUT:.0f} s after its page is closed. Nothing is saved on the server.")
    _settings(prefix, disabled=running)
    busy = st.session_state.pop(_key(prefix, "busy"), None)
    if busy:
        st.warning(busy)
    st.fragment(_live, run_every=REFRESH_SECONDS if running else None)(prefix, running)
    _result(prefix)
