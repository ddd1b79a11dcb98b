"""The lecture-path pages in a real browser (Chromium + Playwright against `streamlit run app.py`):
each page loads from a deep link with no "Page not found", an interaction redraws it, its animation
plays to the end with no websocket frame sent, and screenshots at 1280x800 are written."""
from urllib.parse import quote

import pytest

from conftest import RECURRENT
from test_browser import SHOTS, count_sent_frames, press_play, settle

PAGES = [("rnn", "?cell=gru&text=" + quote("To be, or not to be"), "Recurrent networks"),
         ("architectures", "?pattern=labeling&text=" + quote("Ada Lovelace met Charles Babbage in London."),
          "RNN architectures"),
         ("encoder-decoder", "?model=reverse-noattn&text=encoder", "The encoder-decoder and its limits"),
         ("compare", "?task=reverse&text=attention", "Attention vs none")]
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not {"lm-gru", "ner", "sentiment"} <= set(RECURRENT), reason="recurrent models")]


def open_page(browser, server, path: str, query: str = "", height: int = 800):
    page = browser.new_page(viewport={"width": 1280, "height": height})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server}/{path}{query}")
    wait_for_animation(page)
    settle(page)
    return page, dialogs


def wait_for_animation(page, timeout: float = 40_000):
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')].some(
        gd => gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders.length)""", timeout=timeout)


def slider_state(page) -> dict:
    return page.evaluate("""() => {
        const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
            gd => gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders.length);
        return {active: gd._fullLayout.sliders[0].active, steps: gd._fullLayout.sliders[0].steps.length,
                title: gd._fullLayout.title ? gd._fullLayout.title.text : ""};
    }""")


@pytest.mark.parametrize("path,query,title", PAGES)
def test_page_loads_plays_without_the_server_and_screenshots(browser, server, path, query, title):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, dialogs = open_page(browser, server, path, query)
    assert page.get_by_text(title).first.is_visible()
    assert "Page not found" not in page.content()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"{path}-1280x800.png"))
    count_sent_frames(page)
    steps = slider_state(page)["steps"]
    press_play(page)
    page.wait_for_function(f"""() => {{
        const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._fullLayout && g._fullLayout.sliders
            && g._fullLayout.sliders.length);
        return gd._fullLayout.sliders[0].active === {steps - 1};
    }}""", timeout=90_000)
    assert page.evaluate("window.__framesSent") == 0
    page.set_viewport_size({"width": 1280, "height": 3600})  # the app scrolls inside; a tall window shows all
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / f"{path}-1280x800-full.png"))
    assert not dialogs
    page.close()


def test_rnn_page_typing_redraws(browser, server):
    page, _ = open_page(browser, server, "rnn", "?cell=lstm&text=abc")
    assert slider_state(page)["steps"] == 3
    box = page.get_by_label("Text (Ctrl+Enter to run)", exact=True)
    box.fill("Hello there")
    box.press("Control+Enter")
    page.wait_for_function("""() => {
        const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._fullLayout && g._fullLayout.sliders
            && g._fullLayout.sliders.length);
        return gd && gd._fullLayout.sliders[0].steps.length === 11;
    }""", timeout=30_000)
    page.close()


def test_architectures_pattern_switch_and_inert_script_text(browser, server):
    page, dialogs = open_page(browser, server, "architectures", "?pattern=classification")
    box = page.get_by_label("Text (press Enter to run)", exact=True)
    box.fill("<img src=x onerror=alert(1)> was great")
    box.press("Enter")
    page.wait_for_timeout(2500)
    settle(page)
    assert not dialogs and page.locator("img[src='x']").count() == 0
    page.get_by_text("Language modeling").first.click()
    page.get_by_text("Generation: each sampled character is fed back").first.wait_for(timeout=30_000)
    settle(page)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "architectures-lm-1280x800.png"))
    page.close()


@pytest.mark.parametrize("path,query,box_label,text,frames", [
    ("encoder-decoder", "?model=reverse-noattn&text=abc", "Input (press Enter to run)", "abcdef", 6 + 1 + 7),
    ("compare", "?task=reverse&text=abc", "Input (press Enter to run)", "abcdefgh", 9),
])
def test_typing_a_new_input_redraws_the_animation(browser, server, path, query, box_label, text, frames):
    page, dialogs = open_page(browser, server, path, query)
    box = page.get_by_label(box_label, exact=True)
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(f"""() => [...document.querySelectorAll('.js-plotly-plot')].some(
        g => g._fullLayout && g._fullLayout.sliders && g._fullLayout.sliders.length
             && g._fullLayout.sliders[0].steps.length === {frames})""", timeout=30_000)
    assert not dialogs
    page.close()
