"""The presenter view in a real browser at a 1280x720 projector: present=1 opens every page in it,
figure text is at least 16 px and never overlaps, the main figure is at least a screen tall,
explanations collapse to one line, and the keyboard steps and plays the animation on screen."""
import pytest

from test_browser import SHOTS, settle, timeline_state
from test_browser_figures import ANIMATED, FIGURES, overlapping_text

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

PAGES = {
    "rnn": "/rnn?cell=lstm&present=1",
    "architectures-lm": "/architectures?pattern=lm&present=1",
    "encoder-decoder": "/encoder-decoder?model=reverse-noattn&text=thequickbrownfoxjumpsover&present=1",
    "attention": "/attention?model=dates-attn&text=3rd+of+May+1979&present=1",
    "compare": "/compare?task=reverse&text=thequickbrownfoxjumpsover&present=1",
    "training": "/training?model=reverse-attn&present=1",
}

# Every tick label, colour bar label, subplot title and button text in the figures: its font size.
FONT_SIZES_JS = """() => (""" + FIGURES + """).flatMap((gd, index) => [...gd.querySelectorAll(
    'g[class$="tick"] > text, .cbaxis text, .annotation-text, .updatemenu-item-text')]
    .filter(el => el.textContent.trim() && el.getBoundingClientRect().width > 0)
    .map(el => ({index, text: el.textContent.slice(0, 20), size: parseFloat(getComputedStyle(el).fontSize)})))"""


def open_presenter(browser, server, path: str):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server + path)
    page.wait_for_function(f"() => {ANIMATED} !== undefined", timeout=120_000)
    settle(page)
    page.wait_for_timeout(1500)
    return page


@pytest.mark.parametrize("name", list(PAGES))
def test_presenter_view_has_large_text_that_never_overlaps(browser, server, name):
    page = open_presenter(browser, server, PAGES[name])
    assert page.get_by_role("switch", name="Presenter view").is_checked()
    assert "present=1" in page.url  # the page wrote its own parameters and kept the presenter view's
    sizes = page.evaluate(FONT_SIZES_JS)
    assert sizes and min(s["size"] for s in sizes) >= 16, [s for s in sizes if s["size"] < 16][:5]
    page.wait_for_function(f"() => {ANIMATED} !== undefined", timeout=30_000)
    height = page.evaluate(f"() => {ANIMATED}.getBoundingClientRect().height")
    assert height >= 640 - 1  # the main figure: at least the projector's height below the navigation
    problems = overlapping_text(page, range(page.evaluate(f"() => {FIGURES}.length")))
    page.evaluate(f"() => {ANIMATED}.scrollIntoView({{block: 'start'}})")
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"presenter-{name}-1280x720.png"))
    lines = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"]')]
        .filter(el => el.getBoundingClientRect().height > 0)
        .map(el => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || '20'))""")
    page.close()
    assert not problems, "\n".join(problems[:20])
    assert lines and max(lines) < 2, lines  # every explanation on one line (inline maths makes a line taller)


def test_the_keyboard_steps_and_plays_the_animation_on_screen(browser, server):
    page = open_presenter(browser, server, PAGES["attention"])
    page.evaluate(f"() => {ANIMATED}.scrollIntoView({{block: 'start'}})")
    page.mouse.click(1270, 400)  # the page has the focus, no control does
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(150)
    assert timeline_state(page)["active"] == 3
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(150)
    assert timeline_state(page)["active"] == 2
    page.keyboard.press("End")
    page.wait_for_timeout(300)
    state = timeline_state(page)
    assert state["active"] == state["steps"] - 1
    page.keyboard.press("Home")
    page.wait_for_timeout(300)
    assert timeline_state(page)["active"] == 0

    page.keyboard.press(" ")  # plays
    page.wait_for_timeout(1500)
    playing = timeline_state(page)["active"]
    assert playing >= 2
    page.keyboard.press(" ")  # pauses
    page.wait_for_timeout(400)
    paused = timeline_state(page)["active"]
    page.wait_for_timeout(1200)
    assert timeline_state(page)["active"] == paused
    page.keyboard.press(" ")  # resumes from there
    page.wait_for_timeout(1200)
    assert timeline_state(page)["active"] > paused

    # Keys typed into a text box stay there: the animation does not move.
    page.keyboard.press(" ")
    page.wait_for_timeout(300)
    before = timeline_state(page)["active"]
    page.get_by_role("textbox", name="Input (press Enter to run)").click()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Home")
    page.wait_for_timeout(400)
    assert timeline_state(page)["active"] == before
    page.close()


def test_the_switch_turns_the_presenter_view_off_and_a_bad_value_is_explained(browser, server):
    page = open_presenter(browser, server, PAGES["compare"])
    page.get_by_text("Presenter view").click()
    settle(page)
    page.wait_for_timeout(1000)
    assert "present=" not in page.url
    sizes = page.evaluate(FONT_SIZES_JS)
    assert min(s["size"] for s in sizes) < 16  # the normal view's smaller text
    page.close()

    page = open_presenter(browser, server, "/compare?task=reverse&present=%3Cb%3Ex")
    assert page.get_by_text("The presenter view in the link is not 1 or 0").is_visible()
    assert not page.get_by_role("switch", name="Presenter view").is_checked()
    page.close()
