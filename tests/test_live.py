"""Training live (core.live, ui.live) and models that live in a session (ui.session_models): a run
trains in a process of its own, reports its progress, stops on Stop and when its page goes quiet,
one run at a time per server; its two files load back (core.checkpoint.model_from_files) and a
damaged upload gets one sentence."""
import gc
import json
import math
import os
import threading
import time
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from conftest import shipped
from core.checkpoint import MAX_UPLOAD_BYTES, CheckpointError, model_files, model_from_files
from core.live import (HEARTBEAT_TIMEOUT, LIVE_TASKS, STEPS_MAX, LiveBusy, LiveSettings, LiveSlot, live_splits)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TINY = {"train": 6000, "valid": 300, "test": 600}  # reverse: about 1,300 training strings of 3-10 letters
SLOW_MACHINE = 600  # seconds a run may take in these tests on a loaded machine (a free one needs about 15)


def wait_for(run, condition, timeout: float = SLOW_MACHINE, beat: bool = True):
    """Poll a run's status (sending the heartbeat its page would send) until `condition(status)`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if beat:
            run.heartbeat()
        status = run.status()
        if condition(status):
            return status
        assert status.state != "failed", status.message
        time.sleep(0.2)
    raise AssertionError(f"the run never got there: {run.status().state} {run.status().progress}")


# ---- the choices ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [dict(task="en-tr"), dict(attention="additive"), dict(hidden=100),
                                 dict(lr=0.5), dict(steps=0), dict(steps=STEPS_MAX + 1), dict(steps=True)])
def test_settings_out_of_range_are_refused(bad):
    with pytest.raises(ValueError):
        LiveSettings(**bad)


def test_reverse_live_data_is_short_and_held_out():
    splits = live_splits("reverse", sizes=TINY)
    lo, hi = LIVE_TASKS["reverse"].lengths
    assert all(lo <= len(s) <= hi and t == s[::-1] for pairs in splits.values() for s, t in pairs)
    assert not {s for s, _ in splits["train"]} & {s for s, _ in splits["test"]}
    assert len(splits["test"]) > 50


# ---- a model's two files, and uploads ------------------------------------------------------------
def reverse_files() -> tuple[bytes, bytes]:
    model = shipped("reverse-attn")
    card = type(model.card).from_dict(json.loads(json.dumps(model.card.to_dict())))
    return model_files(model, card)


def test_model_files_load_back_and_translate_the_same():
    weights, card = reverse_files()
    loaded = model_from_files(card, weights)
    original = shipped("reverse-attn")
    for text in ("attention", "xyz", "bottleneck"):
        a, b = original.translate(text), loaded.translate(text)
        assert a.output == b.output == text[::-1]
        assert (a.attention == b.attention).all()


def _other_weights() -> bytes:
    model = shipped("dates-attn")
    return model_files(model, type(model.card).from_dict(model.card.to_dict()))[0]


def _card_with(change) -> bytes:
    card = json.loads(reverse_files()[1])
    change(card)
    return json.dumps(card).encode()


def _non_finite_pair() -> tuple[bytes, bytes]:
    model = shipped("reverse-attn")
    broken = type(model)(model.config)
    broken.load_state_dict(model.state_dict())
    with torch.no_grad():
        broken.generator.bias[0] = math.nan
    card = type(model.card).from_dict(model.card.to_dict())
    weights, card_json = model_files(broken, card)
    return card_json, weights


@pytest.mark.parametrize("damage, expected", [
    ("bad JSON", "not a valid model card"),
    ("a text file renamed .json", "not a valid model card"),
    ("a text file renamed .safetensors", "cannot read the weights"),
    ("weights of another model", "do not fit the card's config"),
    ("a card whose hidden size is changed", "do not fit the card's config"),
    ("a card out of range", "not a valid model card"),
    ("non-finite weights", "non-finite values"),
    ("a card without its checksum", "no checksum"),
    ("another model's checksum", "do not match the checksum"),
    ("too large", "more than the 16 MB"),
])
def test_a_damaged_upload_gets_one_sentence(damage, expected):
    weights, card = reverse_files()
    files = {
        "bad JSON": lambda: (card[:-20], weights),
        "a text file renamed .json": lambda: (b"Shopping list\nmilk\n", weights),
        "a text file renamed .safetensors": lambda: (card, b"Shopping list\nmilk\n" * 20),
        "weights of another model": lambda: (card, _other_weights()),
        "a card whose hidden size is changed": lambda: (_card_with(lambda c: c["config"].update(hidden=64)), weights),
        "a card out of range": lambda: (_card_with(lambda c: c["metrics"].update(exact_match=7)), weights),
        "non-finite weights": _non_finite_pair,
        "a card without its checksum": lambda: (_card_with(lambda c: c.pop("weights_sha256")), weights),
        "another model's checksum": lambda: (_card_with(lambda c: c.update(weights_sha256="0" * 64)), weights),
        "too large": lambda: (card, weights + b"\0" * MAX_UPLOAD_BYTES),
    }[damage]
    card_data, weights_data = files()
    with pytest.raises(CheckpointError) as error:
        model_from_files(card_data, weights_data, "mine.json", "mine.safetensors")
    message = str(error.value)
    assert expected in message and message.startswith("mine.") and "\n" not in message and len(message) < 400, message


# ---- the /attention page: upload --------------------------------------------------------------
def attention_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=SLOW_MACHINE)
    at.switch_page("pages/attention.py")
    return at.run()


def test_an_uploaded_model_is_chosen_and_traced_on_attention():
    weights, card = reverse_files()
    at = attention_page()
    at.file_uploader(key="attention.upload").set_value(
        [("my-model.safetensors", weights, "application/octet-stream"), ("my-model.json", card, "application/json")])
    at.run()
    assert not at.exception and not at.error
    picker = at.selectbox(key="attention.model")
    assert picker.value == "reverse-attn (yours)"  # beside the shipped reverse-attn, which it does not replace
    assert [o.split()[0] for o in picker.options].count("reverse-attn") == 2
    assert at.text_input(key="attention.text").value == "attention"
    output = [t.value for t in at.get("text")]
    assert "noitnetta" in output, output
    at.text_input(key="attention.text").set_value("bottleneck").run()
    assert "kcenelttob" in [t.value for t in at.get("text")] and not at.exception


@pytest.mark.parametrize("files, expected", [
    ([("notes.json", b"just some notes", "application/json"), ("w.safetensors", b"\0" * 64, "application/octet-stream")],
     "not a valid model card"),
    ([("a.json", b"{}", "application/json"), ("b.json", b"{}", "application/json")], "exactly two files"),
])
def test_a_bad_upload_on_attention_gets_an_error_and_the_page_works_on(files, expected):
    at = attention_page()
    before = at.selectbox(key="attention.model").value
    at.file_uploader(key="attention.upload").set_value(files)
    at.run()
    assert not at.exception
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]
    assert at.selectbox(key="attention.model").value == before
    assert at.get("plotly_chart")  # the page carries on with its model


# ---- live runs in a process of their own ----------------------------------------------------------
def test_a_live_run_trains_reports_and_its_model_loads_back():
    slot = LiveSlot()
    run = slot.start("me", LiveSettings(steps=100), sizes=TINY)
    seen = wait_for(run, lambda s: s.state == "training" and s.progress.step > 0)
    assert seen.progress.steps == 100 and seen.progress.loss is not None and seen.progress.seconds_left >= 0
    with pytest.raises(LiveBusy) as busy:  # one live run per server
        slot.start("someone else", LiveSettings())
    assert busy.value.status.owner == "me" and busy.value.status.seconds_left() > 0
    done = wait_for(run, lambda s: not s.running)
    assert done.state == "finished", done.message
    result = done.result
    assert result.steps == 100 and not result.stopped and result.test_size > 50
    model = model_from_files(result.card, result.weights)
    assert model.card.metrics["exact_match"] == result.exact_match
    assert model.config.hidden == 128 and model.config.attention == "dot"
    trace = model.translate("attention")
    assert trace.attention.shape == (len(trace.steps), len("attention"))
    assert losses_fall(done.losses)
    assert run.wait(30).state == "finished"
    with pytest.raises(ProcessLookupError):  # the training process has ended and was reaped
        os.kill(run.pid, 0)
    again = slot.start("someone else", LiveSettings(steps=100), sizes=TINY)  # the slot is free again
    again.stop()
    assert again.wait(SLOW_MACHINE).result.steps <= 2


def losses_fall(losses: list[tuple[int, float]]) -> bool:
    first, last = losses[0][1], losses[-1][1]
    return last < first


def test_stop_ends_a_run_early_and_keeps_what_it_reached():
    run = LiveSlot().start("me", LiveSettings(steps=STEPS_MAX), sizes=TINY)
    wait_for(run, lambda s: s.state == "training" and s.progress.step >= 5)
    run.stop()
    done = wait_for(run, lambda s: not s.running)
    assert done.state == "stopped" and done.result.stopped and done.result.steps < STEPS_MAX
    model_from_files(done.result.card, done.result.weights)  # a whole model, with its card


def test_a_run_whose_page_goes_quiet_stops():
    run = LiveSlot().start("me", LiveSettings(steps=STEPS_MAX), sizes=TINY)
    wait_for(run, lambda s: s.state == "training" and s.progress.step >= 1)
    quiet = time.time()  # from here on no heartbeat: the page was closed
    done = wait_for(run, lambda s: not s.running, beat=False)
    assert done.state == "stopped" and done.message == "the page that started it was closed"
    assert done.result.steps < STEPS_MAX
    assert time.time() - quiet >= HEARTBEAT_TIMEOUT - 1


def test_a_run_leaves_the_server_process_free():
    """Training runs in another process: the server's threads are never held for 100 ms."""
    run = LiveSlot().start("me", LiveSettings(steps=STEPS_MAX), sizes=TINY)
    wait_for(run, lambda s: s.state == "training" and s.progress.step >= 1)
    gaps, stop = [], threading.Event()

    def follow():  # what another session's rerun needs: Python's lock, often
        while not stop.is_set():
            before = time.perf_counter()
            time.sleep(0.005)
            gaps.append(time.perf_counter() - before)
            run.heartbeat()

    worker = threading.Thread(target=follow)
    # this test process's own garbage collection (its heap holds the whole suite's leftovers) can hold
    # the lock for longer than 100 ms; it is not the training's doing, so it waits until the end
    gc.collect()
    gc.disable()
    try:
        cpu_before = time.process_time()
        worker.start()
        time.sleep(5)
        stop.set()
        worker.join()
    finally:
        gc.enable()
    server_cpu = time.process_time() - cpu_before
    run.stop()
    wait_for(run, lambda s: not s.running)
    assert len(gaps) > 50
    assert max(gaps) < 0.1, max(gaps)
    assert server_cpu < 2.5, server_cpu  # the training's CPU time is the other process's


# ---- the panel in AppTest (two sessions share the server's slot) -------------------------------------
def panel_script():
    from ui.live import live_training_panel

    live_training_panel()


def panel_texts(at: AppTest) -> str:
    return " ".join([p.proto.text for p in at.get("progress")] + [e.value for e in at.info] +
                    [e.value for e in at.success] + [e.value for e in at.error])


def rerun_until(at: AppTest, condition, timeout: float = SLOW_MACHINE) -> AppTest:
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        assert not at.exception, at.exception
        if condition(at):
            return at
        time.sleep(0.5)
    raise AssertionError(panel_texts(at))


def test_panel_starts_shows_progress_is_busy_for_others_stops_and_offers_the_files():
    from ui.live import live_slot

    owner = AppTest.from_function(panel_script, default_timeout=SLOW_MACHINE).run()
    other = AppTest.from_function(panel_script, default_timeout=SLOW_MACHINE).run()
    assert not owner.exception and not owner.button(key="training.live.start").disabled
    owner.slider(key="training.live.steps").set_value(STEPS_MAX)
    owner.button(key="training.live.start").click().run()
    rerun_until(owner, lambda at: "Step " in panel_texts(at) and "loss" in panel_texts(at))
    assert owner.button(key="training.live.start").disabled and owner.button(key="training.live.stop")

    other.run()  # a second session sees the busy state, and cannot start
    assert "Another model is training on this server" in panel_texts(other) and " s left" in panel_texts(other)
    assert other.button(key="training.live.start").disabled
    assert not [b for b in other.get("button") if b.proto.label == "Stop"]

    owner.button(key="training.live.stop").click().run()
    rerun_until(owner, lambda at: at.success and "stopped after" in at.success[0].value)
    assert "exact match" in owner.success[0].value
    names = [d.proto.label for d in owner.get("download_button")]
    assert names == ["Weights (.safetensors)", "Card (.json)"]
    assert not owner.button(key="training.live.start").disabled
    other.run()
    assert not other.button(key="training.live.start").disabled and "Another model" not in panel_texts(other)
    assert not live_slot().current().status().running
