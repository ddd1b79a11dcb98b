"""Every heatmap a page sends is drawn in the browser: Plotly silently draws nothing for some
traces it accepts (a heatmap whose rows are categories once left the /rnn gates figure blank)."""
import pytest

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

DRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')].map(g => [
    (g._fullData || []).filter(t => t.type === 'heatmap' && t.visible !== false).length,
    g.querySelectorAll('.hm image').length])"""


@pytest.mark.parametrize("path", ["/rnn?cell=lstm", "/rnn?cell=gru", "/architectures?pattern=labeling",
                                  "/architectures?pattern=lm", "/encoder-decoder", "/attention", "/compare",
                                  "/training"])
def test_every_heatmap_is_drawn(server, browser, path):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server + path)
    page.wait_for_function(f"() => ({DRAWN})().some(([heat, _]) => heat > 0)", timeout=120_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_timeout(3000)  # the page has finished its run and Plotly has drawn
    charts = page.evaluate(DRAWN)
    page.close()
    assert charts and sum(heat for heat, _ in charts) > 0
    for index, (heat, drawn) in enumerate(charts):
        assert drawn >= heat, f"{path}: chart {index + 1} has {heat} heatmaps, {drawn} drawn"
