"""The training film in a real browser: Play runs the film's frames in the page, with no message from
the server per frame, and the picture moves through training (the title names each point's step)."""
import time

import pytest

from core.film import load_film

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

FILM = """() => [...document.querySelectorAll('.js-plotly-plot')].find(
    gd => gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders.length)"""


def test_the_film_plays_in_the_browser_without_the_server(server, browser):
    film = load_film("reverse-attn")
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(time.time())))
    page.goto(server + "/training?model=reverse-attn&probe=1")
    page.wait_for_function(f"() => !!({FILM})()", timeout=90_000)
    page.wait_for_timeout(1500)  # the page has finished its run
    first_title = page.evaluate(f"() => ({FILM})()._fullLayout.title.text")
    assert "step 0 of" in first_title
    before = len(received)
    page.locator(".updatemenu-item-text", has_text="▶ Play").click()
    page.wait_for_function(f"() => ({FILM})()._fullLayout.sliders[0].active >= 10", timeout=30_000)
    during = len(received) - before
    title = page.evaluate(f"() => ({FILM})()._fullLayout.title.text")
    steps = {f"step {point.step:,} of" for point in film.points[1:]}
    assert any(s in title for s in steps) and title != first_title, title
    assert during == 0, f"{during} messages from the server while the film played"
    page.close()
