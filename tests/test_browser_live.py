"""Training live in a real browser: a run starts, shows its progress and alignment, and stops; a
second session sees the busy state; the downloaded model loads back on /attention and translates;
damaged uploads get a clear error; a closed page's run stops.

The live panel (ui.live.live_training_panel) is served from a one-line page of its own, so these
tests do not depend on the page that hosts it; /attention is the app's.
"""
import re
import time

import pytest

from conftest import ROOT, running_app

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

SLOW = 240_000  # ms: a run's first steps on a loaded machine (a free one needs a few seconds)
PANEL = """import sys
sys.path.insert(0, {root!r})
import streamlit as st
import torch
torch.set_num_threads(1)
st.set_page_config(layout="wide")
from ui.live import live_training_panel
live_training_panel()
"""


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """`streamlit run` of a page that holds only the live panel."""
    script = tmp_path_factory.mktemp("live") / "live_panel.py"
    script.write_text(PANEL.format(root=str(ROOT)))
    with running_app(script=str(script), start_seconds=120, stop_seconds=30) as url:
        yield url


def open_panel(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Start training").wait_for(timeout=SLOW)
    return context, page


def step_shown(page) -> int:
    text = page.get_by_text(re.compile(r"Step [\d,]+ of [\d,]+")).first.inner_text(timeout=SLOW)
    return int(re.search(r"Step ([\d,]+) of", text).group(1).replace(",", ""))


def test_a_run_starts_shows_progress_is_busy_elsewhere_stops_and_loads_back_on_attention(browser, panel, server,
                                                                                           tmp_path):
    owner_context, owner = open_panel(browser, panel)
    other_context, other = open_panel(browser, panel)
    owner.get_by_role("button", name="Start training").click()

    # progress: steps, loss and time left in the bar, the probe's alignment drawn, the steps moving on
    owner.get_by_text(re.compile(r"Step [\d,]+ of [\d,]+ · loss [\d.]+ .*s left")).first.wait_for(timeout=SLOW)
    owner.locator(".js-plotly-plot").first.wait_for(timeout=SLOW)
    first = step_shown(owner)
    owner.wait_for_function(
        """(first) => [...document.querySelectorAll('[data-testid="stProgress"]')].some(bar => {
            const m = bar.innerText.match(/Step ([\\d,]+) of/);
            return m && Number(m[1].replace(/,/g, '')) > first; })""", arg=first, timeout=SLOW)
    assert owner.get_by_role("button", name="Start training").is_disabled()

    # a second session: busy, with how long it will take; it cannot start another
    other.reload()
    other.get_by_text("Another model is training on this server").wait_for(timeout=SLOW)
    assert re.search(r"about \d+ s left", other.get_by_text("Another model is training").inner_text())
    assert other.get_by_role("button", name="Start training").is_disabled()
    assert other.get_by_role("button", name="Stop").count() == 0

    owner.get_by_role("button", name="Stop").click()
    owner.get_by_text(re.compile(r"stopped after [\d,]+ steps")).wait_for(timeout=SLOW)
    files = []
    for label in ("Weights (.safetensors)", "Card (.json)"):
        with owner.expect_download() as download:
            owner.get_by_role("button", name=label).click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        files.append(path)
    assert [p.suffix for p in files] == [".safetensors", ".json"] and files[0].stat().st_size > 10_000
    # the other session frees itself once the run has ended
    other.wait_for_function("""() => [...document.querySelectorAll('button')].some(
        b => b.innerText.includes('Start training') && !b.disabled)""", timeout=60_000)
    owner_context.close()
    other_context.close()

    # the two files load back on /attention and the model translates there
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/attention")
    upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    upload.wait_for(state="attached", timeout=SLOW)
    upload.set_input_files([str(p) for p in files])
    page.get_by_text(re.compile(r"reverse-live-attn-h128 \(yours\) is loaded")).wait_for(timeout=SLOW)
    page.get_by_text("reverse-live-attn-h128 (yours)").first.wait_for()
    assert page.get_by_role("textbox", name=re.compile("Input")).input_value() == "attention"
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')].some(
        gd => gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders.length)""", timeout=SLOW)
    assert page.get_by_text("Output:").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    page.close()


@pytest.mark.parametrize("name, content, expected", [
    ("notes.json", b"These are my notes, not a model card.\n", "not a valid model card"),
    ("model.safetensors", b"These are my notes, not weights.\n" * 10, "cannot read the weights"),
])
def test_a_damaged_upload_gets_a_clear_error_and_the_page_works_on(browser, server, tmp_path, name, content,
                                                                   expected):
    card = ROOT / "checkpoints" / "reverse-attn.json"
    weights = ROOT / "checkpoints" / "reverse-attn.safetensors"
    bad = tmp_path / name
    bad.write_bytes(content)
    pair = [bad, weights] if name.endswith(".json") else [card, bad]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/attention")
    upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    upload.wait_for(state="attached", timeout=SLOW)
    upload.set_input_files([str(p) for p in pair])
    alert = page.locator('[data-testid="stAlert"]').filter(has_text=expected)
    alert.wait_for(timeout=SLOW)
    assert name in alert.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')].some(
        gd => gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders.length)""", timeout=SLOW)
    assert page.get_by_text("(yours)").count() == 0  # the page goes on with its own model
    page.close()


def test_a_too_large_upload_is_refused(browser, server, tmp_path):
    big = tmp_path / "huge.safetensors"
    big.write_bytes(b"\0" * (17 * 2**20))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/attention")
    upload = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    upload.wait_for(state="attached", timeout=SLOW)
    upload.set_input_files([str(big), str(ROOT / "checkpoints" / "reverse-attn.json")])
    page.locator('[data-testid="stFileUploader"]').get_by_text(re.compile(r"16(\.0)? ?MB")).first.wait_for(
        timeout=SLOW)
    assert page.get_by_text("(yours) is loaded").count() == 0
    page.close()


def test_a_closed_page_stops_its_run(browser, panel):
    starter_context, starter = open_panel(browser, panel)
    slider = starter.locator('[data-testid="stSlider"]').filter(has_text="Training steps")
    slider.get_by_role("slider").press("End")  # the most steps: only the closed page can end the run this early
    starter.wait_for_function(  # the thumb's value and the maximum's label
        """() => [...document.querySelectorAll('[data-testid="stSlider"]')].some(
            s => s.innerText.includes('Training steps') && (s.innerText.match(/3,?000/g) || []).length >= 2)""",
        timeout=SLOW)
    time.sleep(2)  # the slider's value reaches the server before Start does
    starter.get_by_role("button", name="Start training").click()
    starter.get_by_text(re.compile(r"Step [\d,]+ of")).first.wait_for(timeout=SLOW)
    starter_context.close()  # the page is gone: no more heartbeats
    closed = time.time()
    watcher_context, watcher = open_panel(browser, panel)
    watcher.get_by_text("Another model is training on this server").wait_for(timeout=SLOW)
    watcher.wait_for_function("""() => [...document.querySelectorAll('button')].some(
        b => b.innerText.includes('Start training') && !b.disabled)""", timeout=SLOW)
    assert time.time() - closed < 45  # the heartbeat's timeout, the stop and the evaluation; 3000 steps take minutes
    watcher_context.close()
