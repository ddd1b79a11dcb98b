import contextlib
import functools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
sys.path.insert(0, str(ROOT))
torch.set_num_threads(1)

from core import list_models, load_model  # noqa: E402

SHIPPED = [card.name for card in list_models() if card.kind == "seq2seq"]  # encoder-decoders
RECURRENT = [card.name for card in list_models() if card.kind != "seq2seq"]  # single RNNs (core.rnn)


@functools.lru_cache(maxsize=None)
def shipped(name: str):
    return load_model(name)


@pytest.fixture(params=SHIPPED)
def model(request):
    return shipped(request.param)


def example_inputs(model, count: int = 3) -> list[str]:
    return list(model.card.examples[:count])


def run_page(page: str, query: dict | None = None, timeout: float = 120):
    """Run app.py in Streamlit's AppTest on `page` (its script, e.g. "pages/attention.py") with the
    link's `query` parameters; returns the AppTest after the run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page(page)
    if query:
        at.query_params.update(query)
    return at.run()


def chart_specs(at) -> list[dict]:
    """Every Plotly chart an AppTest run drew, as the JSON dict Streamlit sends."""
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """`streamlit run app.py` on a free port, for the browser tests; its log must hold no traceback."""
    with running_app() as url:
        yield url


@contextlib.contextmanager
def running_app(env: dict[str, str] | None = None, script: str = "app.py", start_seconds: float = 60,
                stop_seconds: float = 20):
    """`streamlit run app.py` (or another `script`) on a free port with extra environment variables
    (e.g. SEQ2SEQ_CHECKPOINT_DIR); yields its URL. Its log must hold no traceback."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})
    url = f"http://localhost:{port}"
    try:
        deadline = time.time() + start_seconds
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError("the app did not start")
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=stop_seconds)
        assert "Traceback" not in output, output


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (the browser tests)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium is needed at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])  # no requests of the browser's own: a page's requests are the app's
        yield chromium
        chromium.close()


# When a run has opened pages in AppTest (the /training page among them), the interpreter's own
# teardown can abort in C++ ("terminate called without an active exception", exit 134) after every
# test and the summary are done. The run's result is the tests' result: end the process with it
# once pytest has reported everything. (The abort is noted to be looked into; no test depends on it.)
def pytest_sessionfinish(session, exitstatus):
    session.config._final_exit_status = int(exitstatus)


def pytest_unconfigure(config):
    status = getattr(config, "_final_exit_status", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
