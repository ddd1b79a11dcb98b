"""The attention page as a user feels it: Chromium (Playwright) against `streamlit run app.py`.

Prints:
- first render of /attention after the server is up (cold: the first visit, which loads the
  model; then warm visits in fresh browser contexts). Budget: under 4 s.
- from pressing Enter on a new sentence to the redrawn timeline: median and p90. Budget: median
  under 1.5 s.
- memory (RSS) of the server process with every model loaded and 5 sessions open. Budget: under
  600 MB (Streamlit Community Cloud's smallest tier has 690 MB).

    python bench/browser.py [--sentences 12]      # needs /usr/bin/chromium
"""
from __future__ import annotations

import argparse
import random
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

from stats import summary

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
INPUT = "Input (press Enter to run)"
TIMELINE = """(tokens) => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
        g => g._fullLayout && g._fullLayout.sliders && g._fullLayout.sliders.length);
    return !!gd && (!tokens || gd.data[0].text[0].join('') === tokens.join(''));
}"""


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                "--server.headless", "true"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://localhost:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the app did not start")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc."""
    total = 0
    for path in [Path(f"/proc/{pid}")] + list(Path(f"/proc/{pid}/task").glob("*/children")):
        if path.name == "children":
            for child in path.read_text().split():
                total += rss_mb(int(child)) * 1024
            continue
        for line in (path / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def render_time(browser, url: str, query: str = "") -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{url}/attention{query}")
    page.wait_for_function(TIMELINE, arg=None, timeout=60_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=12)
    args = parser.parse_args()
    process, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            cold = render_time(browser, url)
            warm = [render_time(browser, url) for _ in range(5)]
            print(f"first render of /attention (budget < 4 s): cold {cold:.2f} s; warm {summary(warm, 's', 2)}")

            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{url}/attention?model=dates-attn")
            page.wait_for_function(TIMELINE, arg=None, timeout=60_000)
            box = page.get_by_label(INPUT, exact=True)
            rng = random.Random(0)
            latencies = []
            for _ in range(args.sentences):
                text = f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.{rng.randint(1900, 2099)}"
                box.fill(text)
                start = time.perf_counter()
                box.press("Enter")
                page.wait_for_function(TIMELINE, arg=list(text), timeout=30_000)
                latencies.append(time.perf_counter() - start)
            print(f"Enter to redrawn timeline (budget median < 1.5 s): {summary(latencies, 's', 2)}")

            pages = []
            for model, text in [("dates-attn", "3rd of May 1979"), ("numbers-attn", "siebenundneunzig"),
                                ("reverse-attn", "abcdefghijklmnopqrstuvwxyzabcdefghijklmn"),
                                ("en-de-attn", "Where are you going?"), ("en-de-attn", "I am very tired.")]:
                session = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
                session.goto(f"{url}/attention?model={model}&text={quote(text)}")
                session.wait_for_function(TIMELINE, arg=None, timeout=60_000)
                pages.append(session)
            time.sleep(2)
            weights = sum(f.stat().st_size for f in (ROOT / "checkpoints").glob("*.safetensors")) / 1e6
            print(f"server memory with 5 sessions open and the 4 attention models loaded (budget < 600 MB): "
                  f"{rss_mb(process.pid):.0f} MB; all shipped weights together are {weights:.0f} MB on disk")
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
