"""The attention page as a user feels it: Chromium (Playwright) against `streamlit run app.py`.

Prints:
- first render of /attention after the server is up: from page.goto to the animated timeline
  drawn (a .js-plotly-plot with sliders in its _fullLayout), in a fresh browser context each
  time; the first (cold: imports and model load) and the median. Budget: under 4 s.
- from pressing Enter on a new sentence to the timeline redrawn with its tokens (the source
  strip's labels equal the new input's tokens), median and p90. Budget: median under 1.5 s.
  Also checks that the animation frames were replaced (frame 0 has the new token count).
- RSS of the server process (and children) with the four attention models loaded and 5
  sessions open (budget: under 600 MB), and again after every other page was opened once (all
  models loaded).
- failed requests and page errors in the browser, and tracebacks in the server log.

    python bench/browser.py [--sentences 10]

The server runs on a free port; on a shared 2-core machine the figures are noisy.
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from attention_page import new_inputs  # noqa: E402
from core import list_models  # noqa: E402
from core.text import source_pieces  # noqa: E402
from ui.labels import plot_text, token_label  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu"]
VIEWPORT = {"width": 1280, "height": 900}
INPUT = "Input (press Enter to run)"
# The animated timeline is drawn; with `labels`, its source strip shows exactly these labels.
TIMELINE = """(labels) => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(
        g => g._fullLayout && g._fullLayout.sliders && g._fullLayout.sliders.length);
    return !!gd && (!labels || JSON.stringify(gd.data.find(t => t.name === 'source tokens').text[0]) === JSON.stringify(labels));
}"""
# Any animated chart is drawn (the lecture pages).
ANIMATION = """() => [...document.querySelectorAll('.js-plotly-plot')].some(
    g => g._fullLayout && g._fullLayout.sliders && g._fullLayout.sliders.length)"""
# Frame 0 highlights x1 over the whole source strip: its z has one entry per source token.
FRAMES_OK = """(n) => {
    const gd = [...document.querySelectorAll('.js-plotly-plot')].find(g => g._fullLayout && g._fullLayout.sliders);
    const frames = gd._transitionData._frames, z = frames[0].data[0].z;
    const width = z.shape ? Number(String(z.shape).split(',').pop()) : z[0].length;
    return width === n && frames.length === gd._fullLayout.sliders[0].steps.length;
}"""


def start_server(log) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free port; returns the process and its URL once it is healthy."""
    from enter_speed import start_server as start_script  # bench/ is this script's folder

    return start_script("app.py", log)


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory (or VmHWM, the peak) of a process and its children, from /proc."""
    kb = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
              if line.startswith(field + ":"))
    children = {int(c) for f in Path(f"/proc/{pid}/task").glob("*/children") for c in f.read_text().split()}
    return kb / 1024 + sum(rss_mb(child, field) for child in children)


def median_p90(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(ordered):.2f} s, p90 {p90:.2f} s (n={len(values)})"


def labels(card, text: str) -> list[str]:
    """The source strip's labels for a text, as the page draws them."""
    config = card.config
    vocab = set(config["src_vocab"])
    pieces = source_pieces(text, config["src_level"], config["lowercase"], config["drop_spaces"])
    return [plot_text(token_label(p if p in vocab else "<unk>")) for p in pieces[: config["max_src_len"]]]


class Browser:
    """Chromium pages that record failed requests and JavaScript errors."""

    def __init__(self, playwright, problems: list[str]):
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        self.problems = problems

    def page(self):
        page = self.browser.new_context(viewport=VIEWPORT).new_page()
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status} {r.url}"))
        return page

    def open(self, url: str) -> tuple[object, float]:
        """A fresh context on `url`; returns the page and the seconds until the timeline is drawn."""
        page = self.page()
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_function(TIMELINE, arg=None, timeout=90_000)
        return page, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=10, help="new sentences per model for Enter-to-redraw")
    args = parser.parse_args()
    cards = {card.name: card for card in list_models()}
    rng = random.Random(1)
    log = tempfile.NamedTemporaryFile("w+", prefix="streamlit-bench-", suffix=".log")
    problems: list[str] = []
    process, url = start_server(log)
    try:
        idle = rss_mb(process.pid)
        with sync_playwright() as p:
            browser = Browser(p, problems)
            renders = []
            for _ in range(6):
                page, seconds = browser.open(f"{url}/attention")
                renders.append(seconds)
                page.context.close()
            print(f"first render of /attention (budget 4 s): cold {renders[0]:.2f} s; "
                  f"{median_p90(renders)}; warm only median {statistics.median(renders[1:]):.2f} s")

            print("Enter to redrawn timeline (budget: median 1.5 s)")
            for model in ["dates-attn", "en-tr-attn"]:
                page, _ = browser.open(f"{url}/attention?model={model}")
                box = page.get_by_label(INPUT, exact=True)
                latencies, stale = [], 0
                for text in new_inputs(model, args.sentences, rng, cards[model].examples):
                    expected = labels(cards[model], text)
                    box.fill(text)
                    start = time.perf_counter()
                    box.press("Enter")
                    page.wait_for_function(TIMELINE, arg=expected, timeout=30_000)
                    latencies.append(time.perf_counter() - start)
                    stale += not page.evaluate(FRAMES_OK, len(expected))
                page.context.close()
                print(f"  {model:13s} {median_p90(latencies)}; animation frames not replaced: {stale}")

            sessions = [("dates-attn", "3rd of May 1979"), ("numbers-attn", "siebenundneunzig"),
                        ("reverse-attn", "thequickbrownfoxjumpsoverthelazydog"),
                        ("en-tr-attn", "Where are you going?"), ("dates-attn", "le 14 juillet 1989")]
            pages = [browser.open(f"{url}/attention?model={m}&text={quote(t)}")[0] for m, t in sessions]
            time.sleep(2)
            weights = sum(f.stat().st_size for f in (ROOT / "checkpoints").glob("*-attn.safetensors")) / 2**20
            print(f"server RSS with {len(pages)} sessions open, 4 attention models loaded (budget 600 MB): "
                  f"{rss_mb(process.pid):.0f} MB (peak {rss_mb(process.pid, 'VmHWM'):.0f} MB; "
                  f"{idle:.0f} MB just after start; attention weights {weights:.0f} MB on disk)")
            lecture = ["rnn?cell=rnn", "rnn?cell=gru", "rnn?cell=lstm", "architectures?pattern=labeling",
                       "architectures?pattern=classification", "architectures?pattern=lm", "encoder-decoder",
                       "compare"]
            for path in lecture:  # every other page once: every model is loaded
                page = browser.page()
                page.goto(f"{url}/{path}")
                page.wait_for_function(ANIMATION, timeout=90_000)
                pages.append(page)
            time.sleep(2)
            every = sum(f.stat().st_size for f in (ROOT / "checkpoints").glob("*.safetensors")) / 2**20
            print(f"server RSS after every page was opened too ({len(pages)} sessions, all {len(cards)} models "
                  f"loaded, {every:.0f} MB of weights on disk): {rss_mb(process.pid):.0f} MB "
                  f"(peak {rss_mb(process.pid, 'VmHWM'):.0f} MB)")
            browser.browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.seek(0)
        errors = [line for line in log.read().splitlines() if "Traceback" in line or "Error" in line]
        known = "/attention/_stcore/"  # the frontend probes the page path first on a deep link (streamlit#7074)
        print(f"browser: {len(problems)} failed requests / page errors" + "".join(
            f"\n  {p}" + ("  (probe of the page path, streamlit#7074: harmless)" if known in p else "")
            for p in sorted(set(problems))))
        print(f"server log: {len(errors)} error lines" + "".join(f"\n  {line}" for line in errors[:10]))


if __name__ == "__main__":
    main()
