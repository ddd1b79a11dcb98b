"""Links made by an attacker and shared with a class: nothing from a URL (or typed) is formatted,
no outside request is made, no link or image is made from it; and the links the app writes stay
far below the size the HTTP server refuses (about 16 KB)."""
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from streamlit.testing.v1 import AppTest

from test_ui import attention_spec
from ui.state import LINK_MAX_CHARS, MAX_TEXT_CHARS, Param, fit_link, link_length, params_for, parse_params

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAYLOADS = ["![x](https://ev.il/x.png)", "[click me](https://ev.il)", "**bold** :red[RED]", "$x^{99}$",
            "<img src=https://ev.il/i.png>", "https://ev.il/bare www.ev.il x@ev.il", ":material/home:"]
MARKUP = ["ev.il", "[", "]", "(", "*", "$", "<", ":red", ":material", "99"]


# ---- notices quote nothing from the link --------------------------------------------------------
@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("key", ["model", "step", "temperature", "hide", "beam"])
def test_attention_notices_never_quote_the_link(key, payload):
    _, notices = parse_params({key: payload}, attention_spec())
    assert len(notices) == 1
    assert not any(mark in notices[0] for mark in MARKUP), notices[0]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_other_pages_notices_never_quote_the_link(payload):
    spec = [Param("cell", "choice", "gru", options=("rnn", "gru")), Param("step", "int", 1, lo=1, hi=300),
            Param("temperature", "number", 0.8, lo=0.05, hi=5.0, step=0.05)]
    _, notices = parse_params({"cell": payload, "step": payload, "temperature": payload}, spec)
    assert len(notices) == 3
    assert not any(mark in notice for notice in notices for mark in MARKUP), notices


# ---- link length ------------------------------------------------------------------------------
WORST = ["🙂" * MAX_TEXT_CHARS, "ü" * MAX_TEXT_CHARS, "%&=+ " * 100, "a" * MAX_TEXT_CHARS]


@pytest.mark.parametrize("text", WORST, ids=["emoji", "umlaut", "reserved", "ascii"])
def test_the_links_the_app_writes_stay_within_the_budget(text):
    params = params_for(dict(model="reverse-attn", text=text, step=40, temperature=0.5, mask=list(range(40)), beam=10),
                        attention_spec())
    assert link_length(params) == len(urlencode(params)) <= LINK_MAX_CHARS
    assert text.startswith(params["text"]) and len(params["text"]) >= 400  # cut only at the end, and only a little
    spec = [Param("text", "text", ""), Param("letters", "text", ""), Param("long", "text", "")]
    written = params_for({"text": text, "letters": text, "long": text}, spec)
    assert len(urlencode(written)) <= LINK_MAX_CHARS
    assert all(text.startswith(value) for value in written.values())


def test_short_links_are_left_alone():
    params = {"model": "dates-attn", "text": "3rd of May 1979"}
    assert fit_link(params, ["text"]) == params


def test_the_encoder_decoder_page_writes_a_short_link_for_three_long_texts():
    """Its three texts once made links of 18 KB, which the server refuses."""
    at = AppTest.from_file(APP, default_timeout=300)
    at.switch_page("pages/encoder-decoder.py")
    at.query_params.update({"text": "🙂" * 500, "letters": "ü" * 500, "long": "🙂" * 500})
    at.run()
    assert not at.exception
    written = {key: at.query_params[key] for key in at.query_params}
    assert len(urlencode(written)) <= LINK_MAX_CHARS


@pytest.mark.browser
def test_the_longest_link_the_app_writes_is_served(server):
    spec = [Param("text", "text", ""), Param("letters", "text", ""), Param("long", "text", "")]
    query = urlencode(params_for({"text": WORST[0], "letters": WORST[0], "long": WORST[1]}, spec))
    for _ in range(20):  # the refusal near 16 KB was intermittent
        with urllib.request.urlopen(f"{server}/encoder-decoder?{query}", timeout=30) as response:
            assert response.status == 200


# ---- in the browser: every request the page makes, every element it draws -----------------------
HOSTILE_LINKS = [
    ("/attention?step=" + quote("![x](https://ev.il/x.png)"), "not a step number"),
    ("/rnn?cell=" + quote("![x](https://ev.il/x.png)"), "cell type in the link"),
    ("/attention?beam=" + quote("[click me](https://ev.il)"), "beam width in the link"),
    ("/attention?model=" + quote("**bold** :red[RED]"), "names a model this page does not have"),
    ("/attention?step=" + quote("$\\text{EVIL}^{2}$") + "&hide=" + quote("<img src=https://ev.il/h.png>"),
     "not a step number"),
    ("/architectures?pattern=labeling&text=" + quote("Ann saw https://ev.il/t and www.ev.il ![x](https://ev.il/y.png) "
                                                     ":material/home: $\\text{EVIL}$ **b**"), "Labels:"),
    ("/compare?task=reverse&text=" + quote("[a](https://ev.il/c) x@ev.il"), "Output:"),
]


@pytest.mark.browser
@pytest.mark.parametrize("path,visible", HOSTILE_LINKS, ids=[p.split("?")[0] + str(i) for i, (p, _) in
                                                               enumerate(HOSTILE_LINKS)])
def test_a_hostile_link_is_plain_text_and_requests_nothing_outside(browser, server, path, visible):
    from test_browser import settle

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server + path)
    page.get_by_text(visible).first.wait_for(timeout=120_000)
    settle(page)
    page.wait_for_timeout(1500)  # images, fonts and KaTeX would have loaded by now
    outside = [url for url in requests if not url.startswith((server, "data:", "blob:", "about:"))]
    assert not outside
    assert page.locator("a[href*='ev.il'], img[src*='ev.il'], [href*='ev.il'], [src*='ev.il']").count() == 0
    assert page.evaluate("() => document.body.innerHTML.includes('mailto:')") is False
    formatted = ":is([data-testid='stAlert'], [data-testid='stText']) :is(a, img, strong, em, [style*='color'], [role='img'])"
    assert page.locator(formatted).count() == 0
    assert page.locator(".katex").filter(has_text="EVIL").count() == 0  # the app's own equations are typeset, no other
    assert "RED" not in page.inner_text("body")
    if visible == "Labels:":  # the typed words, as the tagger read them, shown as text
        assert page.locator("[data-testid='stText']").filter(has_text="Ann [PER]").filter(has_text="https :").count() == 1
    page.close()
