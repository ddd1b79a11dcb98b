"""Every page on a 390x844 phone, in a real browser (Chromium + Playwright against `streamlit run
app.py`), once the page has rerun with its figures laid out for the phone (ui/viewport.py): nothing
runs past the window's right edge and the page never scrolls sideways, every figure is drawn, fits
the window and keeps its text inside it, tick labels are at least 10 px, the presenter switch (a
projector's) is hidden, and the widgets still show the link's model, task and text after the phone's
rerun. Screenshots of each whole page, phone-<view>.png, go to artifacts/screenshots/."""
from urllib.parse import parse_qs, urlsplit

import pytest

from test_browser import SHOTS
from test_browser_figures import FIGURES, KEY_OF, TEXT_BOXES_JS, VIEWS, open_view, text_overlaps
from test_browser_figures import pytestmark  # noqa: F401  the same views: browser tests, and their models

pytest.importorskip("playwright.sync_api")

PHONE = (390, 844)
PAGES = {"home": "/", **VIEWS}  # the home page has no figure: its tables and text are checked
READY = {"home": "document.querySelector('[data-testid=\"stDataFrame\"]') !== null"}  # the rest: their animation
SLACK_PX = 0.5  # sub-pixel rounding
TALLEST_PX = 16_000  # Chromium's largest screenshot

# Every element of the main area whose box runs past the window's right edge, unless a box between it
# and the page's content clips or scrolls it and fits the window itself (a wide equation in its own
# `.katex-display` scroller, a wide table in its own). Only the innermost offenders are reported: a
# box that is too wide because of a child names the child.
PAST_THE_EDGE_JS = """(slack) => {
    const edge = window.innerWidth + slack;
    const content = document.querySelector('[data-testid="stMainBlockContainer"]');
    const held = el => {
        for (let box = el.parentElement; box && box !== content; box = box.parentElement) {
            if (getComputedStyle(box).overflowX !== 'visible' && box.getBoundingClientRect().right <= edge) return true;
        }
        return false;
    };
    const past = [...document.querySelectorAll('[data-testid="stMain"] *')].filter(el => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.right > edge && getComputedStyle(el).visibility !== 'hidden'
            && !held(el);
    });
    const outer = new Set(past.flatMap(el => {
        const boxes = [];
        for (let box = el.parentElement; box; box = box.parentElement) boxes.push(box);
        return boxes;
    }));
    return past.filter(el => !outer.has(el)).map(el => ({
        testid: (el.closest('[data-testid]') || {dataset: {}}).dataset.testid || '', key: """ + KEY_OF + """(el),
        element: el.tagName.toLowerCase() + (el.getAttribute('class') ? '.' + el.getAttribute('class').trim()
            .split(/\\s+/).slice(0, 2).join('.') : ''),
        text: (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60),
        right: Math.round(el.getBoundingClientRect().right)}));
}"""

# Every box that scrolls the page itself sideways: the document, and the app's containers around the content.
SIDEWAYS_JS = """() => {
    const scrolled = [];
    const page = document.scrollingElement;
    if (page.scrollWidth > page.clientWidth)
        scrolled.push({box: 'document', width: page.scrollWidth, shown: page.clientWidth});
    for (let box = document.querySelector('[data-testid="stMainBlockContainer"]'); box && box !== page;
         box = box.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX) && box.scrollWidth > box.clientWidth)
            scrolled.push({box: box.dataset.testid || box.tagName.toLowerCase(), width: box.scrollWidth,
                           shown: box.clientWidth});
    }
    return scrolled;
}"""

# Each figure's box, its name (the chart's key on the page) and each of its subplots' plot area (an
# axis of no length draws nothing).
FIGURE_BOXES_JS = """() => (""" + FIGURES + """).map((gd, index) => {
    const r = gd.getBoundingClientRect();
    const plots = Object.entries(gd._fullLayout._plots || {}).map(([name, plot]) => ({
        name, width: plot.xaxis._length, height: plot.yaxis._length}));
    return {index, left: r.left, right: r.right, width: r.width, height: r.height, plots, key: """ + KEY_OF + """(gd)};
})"""

# Every drawn tick label (axes' and colour bars'), and how many axes are meant to show tick labels
# (a diagram's hidden axes have none).
TICK_SIZES_JS = """() => ({
    sizes: (""" + FIGURES + """).flatMap((gd, index) => [
        ...gd.querySelectorAll('g[class$="tick"] > text, .cbaxis text')].filter(el => el.textContent.trim()
            && el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility !== 'hidden')
        .map(el => ({index, text: el.textContent.slice(0, 20), size: parseFloat(getComputedStyle(el).fontSize)}))),
    labelled: (""" + FIGURES + """).flatMap(gd => Object.entries(gd._fullLayout).filter(([name, axis]) =>
        /^[xy]axis\\d*$/.test(name) && axis.visible && axis.showticklabels)).length})"""

# What the page's choosers and text boxes show.
SHOWN_JS = """() => ({
    choices: [...document.querySelectorAll('[data-testid="stSelectbox"] input')].map(el => el.value),
    texts: [...document.querySelectorAll('[data-testid="stTextInput"] input, [data-testid="stTextArea"] textarea')]
        .map(el => el.value)})"""
CHOSEN = ("model", "task")  # link parameters a selectbox shows (its option's text starts with the name)


@pytest.fixture(scope="module")
def phone(browser, server):
    """Each page opened once at 390x844 and kept for the checks; at the end, each is photographed whole
    in a window of the phone's width as tall as the page (after the measuring) and closed."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    opened = {}

    def view(name: str):
        if name not in opened:
            opened[name] = open_view(browser, server, PAGES[name], *PHONE,
                                     **({"ready": READY[name]} if name in READY else {}))
        return opened[name]

    yield view
    for name, page in opened.items():
        photograph_whole(page, SHOTS / f"phone-{name}.png")
        page.close()


def photograph_whole(page, path) -> None:
    """The app scrolls inside its own container: a window as tall as the page shows all of it."""
    for _ in range(2):  # the page's height can change once it has the room (figures redraw)
        height = page.evaluate("""() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return Math.ceil(main.scrollHeight + main.getBoundingClientRect().top);
        }""")
        page.set_viewport_size({"width": PHONE[0], "height": min(height, TALLEST_PX)})
        page.wait_for_timeout(1500)
    page.screenshot(path=str(path))


@pytest.mark.parametrize("name", list(PAGES))
def test_nothing_runs_past_the_right_edge(phone, name):
    page = phone(name)
    past = page.evaluate(PAST_THE_EDGE_JS, SLACK_PX)
    assert not past, f"{name}: past the right edge at {PHONE[0]} px:\n" + "\n".join(
        f"{p['testid']} {p['key']} {p['element']} to {p['right']} px: {p['text']!r}" for p in past[:25])


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_never_scrolls_sideways(phone, name):
    scrolled = phone(name).evaluate(SIDEWAYS_JS)
    assert not scrolled, f"{name}: {scrolled}"


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_figure_is_drawn_fits_the_window_and_keeps_its_text(phone, name):
    page = phone(name)
    figures = page.evaluate(FIGURE_BOXES_JS)
    assert figures, f"{name}: no figure drawn"
    width = page.evaluate("window.innerWidth")
    problems = []
    for figure in figures:
        label = f"figure {figure['index']} ({figure['key']})"
        if not figure["plots"] or figure["height"] < 1:
            problems.append(f"{label}: no plot area drawn")
        problems += [f"{label}: subplot {plot['name']} is {plot['width']:.0f}x{plot['height']:.0f} px"
                     for plot in figure["plots"] if plot["width"] < 1 or plot["height"] < 1]
        if figure["left"] < -SLACK_PX or figure["right"] > width + SLACK_PX:
            problems.append(f"{label}: spans {figure['left']:.0f} to {figure['right']:.0f} px of a {width} px window")
        boxes = page.evaluate(TEXT_BOXES_JS, figure["index"])
        edge = boxes["figure"]
        problems += [f"{label}: {text['text']!r} ({text['selector']}) runs off the figure: x {text['x0']:.0f}-"
                     f"{text['x1']:.0f}, y {text['y0']:.0f}-{text['y1']:.0f} px; the figure x {edge['x0']:.0f}-"
                     f"{edge['x1']:.0f}, y {edge['y0']:.0f}-{edge['y1']:.0f}"
                     for text in boxes["texts"]
                     if text["x0"] < edge["x0"] - SLACK_PX or text["x1"] > edge["x1"] + SLACK_PX
                     or text["y0"] < edge["y0"] - SLACK_PX or text["y1"] > edge["y1"] + SLACK_PX]
    assert not problems, f"{name}:\n" + "\n".join(problems[:25])


@pytest.mark.parametrize("name", list(VIEWS))
def test_no_text_overlaps_other_text_or_a_control(phone, name):
    problems = text_overlaps(phone(name))
    assert not problems, f"{name} at {PHONE[0]}x{PHONE[1]}:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("name", list(VIEWS))
def test_tick_labels_are_at_least_10_px(phone, name):
    ticks = phone(name).evaluate(TICK_SIZES_JS)
    assert ticks["sizes"] or not ticks["labelled"], f"{name}: {ticks['labelled']} axes show tick labels, none is drawn"
    small = [s for s in ticks["sizes"] if s["size"] < 10]
    assert not small, f"{name}: {len(small)} tick labels under 10 px, e.g. {small[:8]}"


@pytest.mark.parametrize("name", list(PAGES))
def test_the_presenter_switch_is_hidden(phone, name):
    switch = phone(name).get_by_role("switch", name="Presenter view", include_hidden=True)
    assert switch.count() == 1  # on the page, as on every page
    assert switch.is_hidden()


def link_query(name: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(VIEWS[name]).query).items()}


@pytest.mark.parametrize("name", [name for name in VIEWS if {*CHOSEN, "text"} & link_query(name).keys()])
def test_the_widgets_show_the_links_choices(phone, name):
    """The page reruns when the window reports itself as a phone; its widgets must still show what the
    link chose and the page computes (a box showing another model than the one drawn misleads)."""
    query = link_query(name)
    shown = phone(name).evaluate(SHOWN_JS)
    for param in CHOSEN:
        if param in query:
            assert any(choice.split()[0] == query[param] for choice in shown["choices"]), \
                f"{name}: the link's {param} {query[param]!r}, the selectboxes show {shown['choices']}"
    if "text" in query:
        assert query["text"] in shown["texts"], \
            f"{name}: the link's text {query['text']!r}, the boxes show {shown['texts']}"
