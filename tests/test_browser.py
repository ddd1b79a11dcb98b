"""The app in a real browser: Debian's Chromium driven by Playwright against `streamlit run app.py`.

Needs /usr/bin/chromium (`apt-get install chromium`; `.ci/run` installs it). Screenshots for a
person to look at go to artifacts/screenshots/.
"""
import time
from urllib.parse import quote

import pytest

from conftest import ROOT

SHOTS = ROOT / "artifacts" / "screenshots"
INPUT = "Input (press Enter to run)"

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser


def open_attention(browser, server, query: str = "", width: int = 1280, height: int = 800, scheme: str = "light"):
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server}/attention{query}")
    wait_for_timeline(page)
    settle(page)
    return page, dialogs


def wait_for_timeline(page, contains: list[str] | None = None, timeout: float = 30_000):
    """Wait until the animated chart is drawn (and, if given, shows these source tokens)."""
    page.wait_for_function(
        """(tokens) => {
            const plot = [...document.querySelectorAll('.js-plotly-plot')].find(
                gd => gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders.length);
            if (!plot) return false;
            if (!tokens) return true;
            const shown = plot.data.find(t => t.name === 'source tokens').text[0].join('');
            return shown === tokens.join('');
        }""", arg=contains, timeout=timeout)


def settle(page):
    """Wait until the app has finished its script run (Streamlit shows a running indicator meanwhile)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def count_sent_frames(page) -> None:
    """Count the websocket frames the page sends from now on (window.__framesSent). The socket opened
    before any listener could be attached, so the page's own WebSocket.send is wrapped."""
    page.evaluate("""() => {
        window.__framesSent = 0;
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (...args) { window.__framesSent += 1; return send.apply(this, args); };
    }""")


def press_play(page) -> None:
    """Click the animation's ▶ Play and wait until it has gone back to the first frames."""
    page.locator("g.updatemenu-button").filter(has_text="Play").first.click()
    page.wait_for_function("""() => {
        const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._fullLayout && g._fullLayout.sliders
            && g._fullLayout.sliders.length);
        return gd._fullLayout.sliders[0].active < 3;
    }""", timeout=10_000)


def timeline_state(page) -> dict:
    return page.evaluate("""() => {
        const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
            gd => gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders.length);
        return {active: gd._fullLayout.sliders[0].active, steps: gd._fullLayout.sliders[0].steps.length,
                title: gd._fullLayout.title.text, tokens: gd.data.find(t => t.name === 'source tokens').text[0]};
    }""")


def test_attention_page_loads_and_shows_the_model_and_screenshots(browser, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height, scheme in ((1280, 800, "light"), (1920, 1080, "light"), (1280, 800, "dark")):
        page, dialogs = open_attention(browser, server, "?model=dates-attn&text=" + quote("Samstag, 24. Dezember 2016")
                                       + "&step=5", width, height, scheme)
        assert page.get_by_text("Attention, step by step").first.is_visible()
        assert page.get_by_text("Output:").first.is_visible()
        assert "Page not found" not in page.content()
        state = timeline_state(page)
        assert state["active"] == 0  # it opens on its first frame, ready to Play
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / f"attention-{width}x{height}-{scheme}.png"))
        page.set_viewport_size({"width": width, "height": 3400})  # the app scrolls inside; a tall window shows all
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / f"attention-{width}x{height}-{scheme}-full.png"))
        page.close()
        assert not dialogs


def test_typing_a_sentence_and_pressing_enter_redraws_with_its_tokens(browser, server):
    page, _ = open_attention(browser, server, "?model=numbers-attn")
    box = page.get_by_label(INPUT, exact=True)
    for text in ("quatre-vingt-dix-sept", "yirmi bir"):
        box.fill(text)
        box.press("Enter")
        tokens = [c if c != " " else "␣" for c in text]
        wait_for_timeline(page, contains=tokens)
        assert timeline_state(page)["tokens"] == tokens
    page.close()


def test_play_runs_the_animation_to_the_end_without_the_server(browser, server):
    page, _ = open_attention(browser, server, "?model=reverse-attn&text=abc")
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    count_sent_frames(page)
    steps = timeline_state(page)["steps"]
    press_play(page)
    seen = set()
    deadline = time.time() + 60
    while time.time() < deadline:
        state = timeline_state(page)
        seen.add(state["active"])
        if state["active"] == steps - 1:
            break
        page.wait_for_timeout(100)
    assert state["active"] == steps - 1, state
    assert len(seen) > steps // 2  # it moved through the frames, not jumped
    assert page.evaluate("window.__framesSent") == 0 and not sent
    # the counter does see the socket: a new input does go to the server
    box = page.get_by_label(INPUT, exact=True)
    box.fill("abcd")
    box.press("Enter")
    wait_for_timeline(page, contains=list("abcd"))
    assert page.evaluate("window.__framesSent") > 0
    page.close()


@pytest.mark.parametrize("text", ["<img src=x onerror=alert(1)>", "<script>alert('x')</script> [a](javascript:alert(1))"])
def test_script_like_input_executes_nothing(browser, server, text):
    page, dialogs = open_attention(browser, server, "?model=en-de-attn")
    box = page.get_by_label(INPUT, exact=True)
    box.fill(text)
    box.press("Enter")
    page.wait_for_timeout(500)
    wait_for_timeline(page)
    page.wait_for_timeout(1500)
    assert not dialogs
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert not page.evaluate("[...document.scripts].some(s => s.textContent.includes('alert('))")
    assert page.get_by_label(INPUT, exact=True).input_value() == text  # kept as typed, shown as text
    page.close()


def test_home_page_links_to_the_attention_page(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(server)
    page.get_by_text("The shipped models").first.wait_for()
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    settle(page)
    page.wait_for_timeout(1500)  # the table and the math finish drawing
    page.screenshot(path=str(SHOTS / "home-1280x1400.png"))
    page.get_by_role("link", name="Attention, step by step").first.click()
    wait_for_timeline(page)
    assert page.url.startswith(f"{server}/attention")
    page.close()
