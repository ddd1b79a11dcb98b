"""The first screen of a server that has just started, as Chromium (Playwright) sees it.

For `/` and for a deep link to `/attention`, each on its own fresh `streamlit run app.py`, prints:
- first meaningful paint: from the first request (page.goto) to the app's title (an h1) and its
  own navigation (the links in the top bar) both on screen. Budget: under 2 s.
- the loading notice: whether "Loading the models" showed before the page's content came.
- Streamlit's page up: when its app frame (before any message of the app's script) is in the DOM,
  which is what the browser alone costs (its JavaScript bundle).
- content: from the first request to the page's main figure drawn (an animated Plotly chart on
  /attention, the models table on /).
- legacy page list: whether Streamlit's own page list of the `pages/` folder ("app", "home",
  "attention", ...) was ever in the DOM (a MutationObserver watches from the first byte). Must be no.

    python bench/cold_start.py [--runs 1]

On a shared 2-core machine the figures are noisy; run it with little else going on.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
LEGACY_NAMES = ["app", "home", "rnn", "architectures", "encoder-decoder", "attention", "compare"]

# Installed before any page script: records when the title and the app's navigation first show,
# when the loading notice shows, and whether the legacy sidebar page list ever appears.
WATCH = """
(() => {
    const legacy = new Set(%s);
    window.__paint = {app: null, title: null, nav: null, loading: null, legacy: []};
    const look = () => {
        const p = window.__paint, now = performance.now();
        if (p.app === null && document.querySelector('[data-testid="stApp"]')) p.app = now;
        if (p.title === null && document.querySelector('h1')) p.title = now;
        if (p.nav === null && document.querySelector('[data-testid="stTopNavLink"], header a[href*="attention"]'))
            p.nav = now;
        if (p.loading === null && document.body && document.body.innerText.includes('Loading the models')) p.loading = now;
        if (document.querySelector('[data-testid^="stSidebarNav"]') && !p.legacy.includes('sidebar page list'))
            p.legacy.push('sidebar page list');
        for (const el of document.querySelectorAll('a')) {
            const name = el.innerText.trim();
            if (legacy.has(name) && !p.legacy.includes(name)) p.legacy.push(name);
        }
    };
    new MutationObserver(look).observe(document, {childList: true, subtree: true, characterData: true});
})();
""" % LEGACY_NAMES
CONTENT = {
    "/": "() => !!document.querySelector('[data-testid=\"stDataFrame\"], [data-testid=\"stTable\"]')",
    "/attention": """() => [...document.querySelectorAll('.js-plotly-plot')].some(
        g => g._fullLayout && g._fullLayout.sliders && g._fullLayout.sliders.length)""",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://localhost:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return process, url
        except OSError:
            if time.time() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.3)


def first_screen(browser, url: str, path: str) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.add_init_script(WATCH)
    page.goto(url + path, wait_until="commit")  # performance.now() counts from this request
    page.wait_for_function("() => window.__paint && window.__paint.title !== null && window.__paint.nav !== null",
                           timeout=60_000, polling=20)
    page.wait_for_function(CONTENT[path], timeout=120_000, polling=50)
    content = page.evaluate("() => performance.now()")
    paint = page.evaluate("() => window.__paint")
    page.close()
    return {"paint": max(paint["title"], paint["nav"]) / 1000, "content": content / 1000, "app": paint["app"] / 1000,
            "loading": paint["loading"] is not None, "legacy": paint["legacy"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="fresh servers per path")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for path in ("/", "/attention"):
            results = []
            for _ in range(args.runs):
                process, url = start_server()
                try:
                    results.append(first_screen(browser, url, path))
                finally:
                    process.terminate()
                    process.wait(timeout=20)
            paints = [r["paint"] for r in results]
            contents = [r["content"] for r in results]
            legacy = sorted({name for r in results for name in r["legacy"]})
            print(f"{path:<11} first meaningful paint (title + navigation): median {statistics.median(paints):.2f} s, "
                  f"max {max(paints):.2f} s (budget 2 s; Streamlit's own page up at "
                  f"{statistics.median(r['app'] for r in results):.2f} s); content {statistics.median(contents):.2f} s; "
                  f"loading notice shown: {all(r['loading'] for r in results)}; "
                  f"legacy page list in DOM: {', '.join(legacy) or 'never'}  [{len(results)} fresh servers]")
        browser.close()


if __name__ == "__main__":
    main()
