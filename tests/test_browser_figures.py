"""Every figure says what it shows, in a real browser (Chromium + Playwright against `streamlit run
app.py`): on every page at 1280x720 and 1920x1080 (and on a 390x844 phone, once the page has rerun
with its figures laid out for the phone) each colour scale has a drawn colour bar with a
title, no text overlaps other text or a control, every animation opens on its first frame and
never blanks a heatmap during Play (checked in the data Plotly holds and in the pixels), the first
decoder step says why it looks at the last token, and every link the README shows opens a view
that teaches something. Screenshots go to artifacts/screenshots/ for a person to look at."""
import io
import json
import re
import time
from collections.abc import Callable
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np
import pytest

from conftest import ROOT, RECURRENT, SHIPPED, shipped
from test_browser import SHOTS, settle
from ui import viewport

pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not {"lm-lstm", "lm-gru", "ner", "sentiment"} <= set(RECURRENT),
                                 reason="recurrent models"),
              pytest.mark.skipif(not {"dates-attn", "reverse-attn", "reverse-noattn"} <= set(SHIPPED),
                                 reason="encoder-decoders")]

SIZES = [(1280, 720), (1920, 1080)]  # a laptop or projector, a large screen (phones: tests/test_browser_phone.py)
VIEWS = {  # every page with figures, and the views where text is most crowded
    "rnn": "/rnn?cell=lstm",
    "rnn-long": "/rnn?cell=gru&text=" + quote("To be, or not to be, that is the question: whether 'tis nobler in the "
                                               "mind to suffer the slings and arrows of outrageous fortune"),
    "architectures-labeling": "/architectures?pattern=labeling",
    "architectures-classification": "/architectures?pattern=classification",
    "architectures-lm": "/architectures?pattern=lm",
    "architectures-encdec": "/architectures?pattern=encoder-decoder",
    "encoder-decoder": "/encoder-decoder?model=reverse-noattn&text=thequickbrownfoxjumpsover",
    "attention": "/attention?model=dates-attn&text=" + quote("Samstag, 24. Dezember 2016"),
    "attention-long": "/attention?model=reverse-attn&text=abcdefghijklmnopqrstuvwxyzabcdefghijklmn",
    "compare": "/compare?task=reverse&text=thequickbrownfoxjumpsover",
    "training": "/training?model=reverse-attn",
}
if "en-tr-attn" in SHIPPED:
    VIEWS["attention-pieces"] = "/attention?model=en-tr-attn&text=" + quote("I answered many questions.")

FIGURES = """[...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd._fullLayout && gd.data
    && gd.data.length)"""  # an expression: every drawn figure
KEY_OF = """(el => {
    const keyed = el.closest('[class*="st-key-"]');
    return keyed ? keyed.getAttribute('class').split(' ').find(c => c.startsWith('st-key-')).slice(7) : '';
})"""  # a function: the key of an element's Streamlit container (a figure's: e.g. "rnn-unrolled"), to name it
ANIMATED = """[...document.querySelectorAll('.js-plotly-plot')].find(gd => gd._fullLayout
    && gd._fullLayout.sliders && gd._fullLayout.sliders.length)"""  # the first animated figure

# Every drawn piece of text in a figure, and the controls, with their boxes on the page.
TEXT_BOXES_JS = """(index) => {
    const gd = (""" + FIGURES + """)[index];
    const page = gd.getBoundingClientRect();
    const selectors = ['g[class$="tick"] > text', 'g[class^="g-"][class$="title"] text', '.annotation-text',
        '.cbtitle text', '.cbaxis text', '.colorbar text', '.legendtext', '.bartext', '.textpoint text',
        '.heatmaplayer text', '.slider-current-value', '.updatemenu-item-text', '.gtitle'];
    const seen = new Set();
    const texts = [];
    for (const selector of selectors) {
        for (const el of gd.querySelectorAll(selector)) {
            if (seen.has(el) || !el.textContent.trim()) continue;
            seen.add(el);
            const style = getComputedStyle(el);
            const size = parseFloat(style.fontSize || '12');
            const fill = style.fill || '';
            if (style.visibility === 'hidden' || style.display === 'none' || size < 4 || /rgba\\(.*,\\s*0\\)/.test(fill)
                || parseFloat(style.opacity || '1') === 0 || parseFloat(style.fillOpacity || '1') === 0) continue;
            const r = el.getBoundingClientRect();
            if (r.width < 1 || r.height < 1) continue;
            texts.push({selector, text: el.textContent.slice(0, 40), x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
        }
    }
    const controls = [];
    for (const el of gd.querySelectorAll('.updatemenu-button, .slider-rail-rect')) {
        const r = el.getBoundingClientRect();
        if (r.width > 1 && r.height > 1) controls.push({selector: el.getAttribute('class'),
            text: el.textContent.slice(0, 20), x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
    }
    return {texts, controls, figure: {x0: page.left, y0: page.top, x1: page.right, y1: page.bottom,
                                      key: """ + KEY_OF + """(gd)}};
}"""

LEGENDS_JS = """(index) => {
    const gd = (""" + FIGURES + """)[index];
    const axes = new Set(gd._fullData.filter(t => t.type === 'heatmap' && t.coloraxis).map(t => t.coloraxis));
    const clear = gd._fullData.filter(t => t.type === 'heatmap' && !t.coloraxis && !(t.colorscale || []).every(
        c => c[1] === 'rgba(0,0,0,0)')).map(t => t.name);
    const bars = [...gd.querySelectorAll('.colorbar')].map(bar => ({
        title: [...bar.querySelectorAll('.cbtitle text')].map(t => t.textContent).join(' '),
        ticks: [...bar.querySelectorAll('.cbaxis text, .tick text')].map(t => t.textContent)}));
    return {axes: [...axes], uncovered: clear, bars};
}"""


def overlaps(a: dict, b: dict, slack: float = 2.0) -> bool:
    return min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > slack and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > slack


def watch_phone_run(page) -> Callable[[], bool]:
    """Call before the page opens. A phone's window reports itself once the page has run wide, and the
    page reruns with its figures laid out for the phone (ui/viewport.py); the returned check is True
    once that run has finished. The server's status can say "finished" between the two runs, so the
    page's own messages tell: the rerun it asks for with the viewport saying "phone", then the
    server's end of a run after it."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    seen = {"asked": False, "done": False}

    def asks_for_phone(payload) -> None:
        message = BackMsg.FromString(payload if isinstance(payload, bytes) else payload.encode())
        if message.WhichOneof("type") == "rerun_script" and any(
                widget.id.endswith(f"-{viewport.KEY}") and widget.WhichOneof("value") == "json_value"
                and json.loads(widget.json_value).get("kind") == viewport.PHONE
                for widget in message.rerun_script.widget_states.widgets):
            seen["asked"] = True

    def ends_a_run(payload) -> None:
        if seen["asked"] and not seen["done"] and isinstance(payload, bytes):
            message = ForwardMsg.FromString(payload)
            seen["done"] = (message.WhichOneof("type") == "script_finished"
                            and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN)

    page.on("websocket", lambda ws: (ws.on("framesent", asks_for_phone), ws.on("framereceived", ends_a_run)))
    return lambda: seen["done"]


def open_view(browser, server, path: str, width: int, height: int, ready: str = f"{ANIMATED} !== undefined"):
    """The page at `path` in a `width` x `height` window, once its run for that window has finished and
    its figures have been drawn. `ready`: a JavaScript expression true once the page is drawn (by
    default, its animation: every page with figures has one)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    laid_out = watch_phone_run(page) if width < viewport.PHONE_PX else (lambda: True)
    page.goto(server + path)
    deadline = time.time() + 120
    while not laid_out():
        assert time.time() < deadline, f"{path} at {width}x{height}: the run for a phone's window never finished"
        page.wait_for_timeout(200)
    page.wait_for_function(f"() => {ready}", timeout=120_000)
    settle(page)
    count = -1
    while count != page.evaluate(f"() => {FIGURES}.length"):  # until no more figures appear
        count = page.evaluate(f"() => {FIGURES}.length")
        page.wait_for_timeout(1500)
    return page


@pytest.fixture(scope="module")
def views(browser, server):
    """Each view opened once per size: the page, kept open for the checks (closed at the end)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    opened = {}

    def view(name: str, size: tuple[int, int]):
        if (name, size) not in opened:
            opened[name, size] = open_view(browser, server, VIEWS[name], *size)
        return opened[name, size]

    yield view
    for page in opened.values():
        page.close()


def overlapping_text(page, indices, label: str = "") -> list[str]:
    """Every pair of overlapping texts, and every text on a control, in the figures at `indices`."""
    problems = []
    for index in indices:
        boxes = page.evaluate(TEXT_BOXES_JS, index)
        texts = boxes["texts"]
        figure = f"figure {index} ({boxes['figure']['key']}){label}"
        for i, a in enumerate(texts):
            for b in texts[i + 1:]:
                if overlaps(a, b):
                    problems.append(f"{figure}: {a['text']!r} ({a['selector']}) overlaps {b['text']!r} ({b['selector']})")
            for control in boxes["controls"]:
                if a["selector"] not in (".updatemenu-item-text", ".slider-current-value") and overlaps(a, control):
                    problems.append(f"{figure}: {a['text']!r} ({a['selector']}) lies on {control['text']!r}")
    return problems


# Show frame `position` (0 to 1 along the animation) of the k-th animated figure at once, as the
# slider does; returns its index among all figures, the frame shown and the number of frames.
ANIMATIONS = "(" + FIGURES + ").filter(gd => gd._fullLayout.sliders && gd._fullLayout.sliders.length)"
SHOW_FRAME_JS = """async ([k, position]) => {
    const gd = (""" + ANIMATIONS + """)[k];
    const names = gd._fullLayout.sliders[0].steps.map(s => s.args[0][0]);
    const name = names[Math.round(position * (names.length - 1))];
    await window.Plotly.animate(gd, [name], {mode: 'immediate', frame: {duration: 0, redraw: true},
                                             transition: {duration: 0}});
    return [(""" + FIGURES + """).indexOf(gd), gd._fullLayout.sliders[0].active, names.length];
}"""


def text_overlaps(page) -> list[str]:
    """Every overlap of a text with another or with a control in the page's figures, on the first,
    the middle and the last frame of every animation (the page is left on its first frames)."""
    problems = overlapping_text(page, range(page.evaluate(f"() => {FIGURES}.length")))
    for k in range(page.evaluate(f"() => {ANIMATIONS}.length")):  # later frames write other titles and labels
        for position in (0.5, 1.0):
            index, active, frames = page.evaluate(SHOW_FRAME_JS, [k, position])
            page.wait_for_timeout(300)
            problems += overlapping_text(page, [index], f" (frame {active + 1} of {frames})")
        page.evaluate(SHOW_FRAME_JS, [k, 0.0])  # back to the first frame, as the page opens
    return problems


# Every view at 1280x720; at 1920x1080 (the same layouts with more room) the most crowded ones. The
# phone's 390x844 is checked by tests/test_browser_phone.py on the pages it opens.
WIDE_VIEWS = ("rnn-long", "attention-long", "attention-pieces", "compare")


@pytest.mark.parametrize("name,size", [(name, size) for size in SIZES for name in VIEWS
                                       if size == SIZES[0] or name in WIDE_VIEWS],
                         ids=lambda v: f"{v[0]}x{v[1]}" if isinstance(v, tuple) else v)
def test_no_text_overlaps_other_text_or_a_control(views, name, size):
    page = views(name, size)
    page.screenshot(path=str(SHOTS / f"figures-{name}-{size[0]}x{size[1]}.png"), full_page=True)
    problems = text_overlaps(page)
    page.set_viewport_size({"width": size[0], "height": 3600})  # the app scrolls inside: a tall window shows all
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / f"figures-{name}-{size[0]}x{size[1]}-full.png"))
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_timeout(500)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_colour_scale_has_a_drawn_legend(views, name):
    page = views(name, SIZES[0])
    for index in range(page.evaluate(f"() => {FIGURES}.length")):
        legends = page.evaluate(LEGENDS_JS, index)
        assert not legends["uncovered"], f"{name}: coloured heatmaps without a colour axis {legends['uncovered']}"
        assert len(legends["bars"]) >= len(legends["axes"]), (name, index, legends)
        for bar in legends["bars"]:
            assert bar["title"].strip() and len(bar["ticks"]) >= 2, (name, index, bar)


@pytest.mark.parametrize("name", ["rnn", "encoder-decoder", "attention", "compare", "architectures-lm"])
def test_animations_open_on_their_first_frame(views, name):
    page = views(name, SIZES[0])
    actives = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].filter(gd => gd._fullLayout
        && gd._fullLayout.sliders && gd._fullLayout.sliders.length).map(gd => gd._fullLayout.sliders[0].active)""")
    assert actives and all(a == 0 for a in actives), actives


PLAY_STATE_JS = """(name) => {
    const gd = """ + ANIMATED + """;
    const heatmaps = gd._fullData.filter(t => t.type === 'heatmap' && t.visible !== false).length;
    const drawn = [...gd.querySelectorAll('.heatmaplayer .hm')].filter(g => {
        const image = g.querySelector('image');
        return image && (image.getAttribute('href') || image.getAttribute('xlink:href') || '').length > 100;
    }).length;
    const trace = gd._fullData.find(t => t.name === name);
    const xa = gd._fullLayout[trace.xaxis.replace('x', 'xaxis')], ya = gd._fullLayout[trace.yaxis.replace('y', 'yaxis')];
    const r = gd.getBoundingClientRect();
    const xs = trace.x;
    return {active: gd._fullLayout.sliders[0].active, steps: gd._fullLayout.sliders[0].steps.length, heatmaps, drawn,
            left: r.left + xa._offset + xa.l2p(xs[0] - 0.5), right: r.left + xa._offset + xa.l2p(xs[xs.length - 1] + 0.5),
            top: r.top + ya._offset, height: ya._length, columns: xs.length, first: xs[0]};
}"""


@pytest.mark.parametrize("path,heatmap,revealed", [
    ("/rnn?cell=lstm", "hidden states", lambda active, state: active + 1),
    ("/rnn?cell=gru", "hidden states", lambda active, state: active + 1),
    ("/encoder-decoder?model=reverse-noattn&text=thequickbrownfoxjumpsover", "encoder states",
     lambda active, state: min(active + 1, state["columns"])),
    ("/attention?model=dates-attn&text=" + quote("3rd of May 1979"), "encoder states",
     lambda active, state: min(active + 1, state["columns"])),
], ids=["rnn-lstm", "rnn-gru", "encoder-decoder", "attention"])
def test_play_never_blanks_what_is_computed(browser, server, path, heatmap, revealed):
    """Sampled frames during Play: every heatmap is still drawn (Plotly's data and the DOM), and the
    columns computed so far have no white column in the screenshot."""
    from PIL import Image

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server + path)
    page.wait_for_function(f"() => {ANIMATED} !== undefined", timeout=120_000)
    settle(page)
    page.evaluate(f"() => {ANIMATED}.scrollIntoView({{block: 'start'}})")  # the whole figure on screen
    page.wait_for_timeout(1000)
    page.locator("g.updatemenu-button").filter(has_text="Play").first.click()
    samples, blanks, moved = 0, [], 0
    deadline = time.time() + 120
    while time.time() < deadline:
        state = page.evaluate(PLAY_STATE_JS, heatmap)
        assert state["drawn"] == state["heatmaps"], f"frame {state['active']}: a heatmap is not drawn ({state})"
        if state["top"] < 0 or state["top"] + state["height"] > 1000:  # the page moved under the figure: the
            page.evaluate(f"() => {ANIMATED}.scrollIntoView({{block: 'start'}})")  # screenshot would be blank
            moved += 1
            assert moved <= 5, f"the figure keeps leaving the window ({state})"
            continue
        shot = page.screenshot(clip={"x": state["left"], "y": state["top"], "width": state["right"] - state["left"],
                                     "height": state["height"]})
        after = page.evaluate(f"() => {ANIMATED}._fullLayout.sliders[0].active")
        pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).astype(int)
        shown = revealed(min(state["active"], after), state)  # columns computed for certain at both reads
        width = pixels.shape[1] * shown / state["columns"]
        computed = pixels[:, 2: max(3, int(width) - 2)]
        white = (computed.min(axis=2) >= 252).mean(axis=0) > 0.9  # a column that is white top to bottom
        if white.any():
            blanks.append((state["active"], int(white.sum())))
            Image.open(io.BytesIO(shot)).save(SHOTS / f"blank-{path.strip('/').split('?')[0]}-{state['active']}.png")
            if len(blanks) == 1:  # the whole window once, to see what covers the figure
                page.screenshot(path=SHOTS / f"blank-{path.strip('/').split('?')[0]}-window.png")
        samples += 1
        if after == state["steps"] - 1:
            break
    page.close()
    assert samples >= 10, samples
    assert not blanks, f"white columns among the computed ones at frames {blanks}"


def test_the_first_step_says_why_it_looks_at_the_last_token(browser, server):
    page = open_view(browser, server, "/attention?model=dates-attn&text=" + quote("3rd of May 1979") + "&step=1",
                     1280, 720)
    note = page.get_by_text("not a bug").first
    note.wait_for(timeout=30_000)
    last = shipped("dates-attn").translate("3rd of May 1979").encoder_states[-1].astype(np.float64)
    assert f"{np.sum(last ** 2):.2f}" in note.inner_text()  # ||h^e_n||^2 on this input, from the model
    page.screenshot(path=str(SHOTS / "attention-first-step-1280x720.png"), full_page=True)
    page.close()


# ---- the README's links -------------------------------------------------------------------------
README_LINK = re.compile(r"`(/[a-z-]*\?[^`\s]+)`")


def readme_links() -> list[str]:
    return README_LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def attention_expectations(query: dict) -> tuple[object, str]:
    """The trace a README link to /attention shows and why it teaches something (or fails)."""
    from core.limits import REFERENCES

    model = shipped(query["model"][0])
    hide = [int(p) - 1 for p in query.get("hide", [""])[0].split(",") if p]
    trace = model.translate(query["text"][0], temperature=float(query.get("temperature", ["1"])[0]), mask=hide,
                            beam=int(query.get("beam", ["1"])[0]))
    assert trace.out_tokens[-1] == "</s>" and len(trace.steps) < model.config.max_tgt_len, \
        f"the output runs to the length limit: {trace.output[:40]}..."
    if model.config.task in REFERENCES:
        answer = REFERENCES[model.config.task]("".join(trace.src_tokens))
        assert (trace.baseline_output or trace.output) == answer, "the view's model gets the input wrong"
    if hide:  # a counterfactual teaches when hiding changes a few steps, not everything after them
        assert trace.changed_steps and len(trace.changed_steps) <= len(trace.steps) // 2, \
            f"hiding {hide} changes steps {trace.changed_steps}: {trace.output}"
    return trace, trace.output


@pytest.mark.parametrize("link", readme_links())
def test_every_readme_link_opens_a_view_that_teaches(browser, server, link):
    assert "..." not in link, f"{link} is a template, not a link a reader can open"
    query = parse_qs(urlsplit(link).query)
    page = open_view(browser, server, link, 1280, 720)
    notices = page.locator("[data-testid='stAlertContentInfo']").all_inner_texts()
    assert not [n for n in notices if "link" in n], f"{link}: parameters ignored: {notices}"
    if link.startswith("/attention"):
        trace, output = attention_expectations(query)
        shown = page.locator("[data-testid='stText']").all_inner_texts()
        assert output in shown, (link, output, shown)
    page.screenshot(path=str(SHOTS / f"readme-link-{re.sub(r'[^a-z0-9]+', '-', link)[:60]}.png"), full_page=True)
    page.close()
