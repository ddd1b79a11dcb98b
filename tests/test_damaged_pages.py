"""Every page renders when model files are damaged: a model that cannot be loaded is named in one
sentence, every other model keeps working, and no page shows a traceback or a server path.

The app reads copies of the checkpoints with damage done to them (SEQ2SEQ_CHECKPOINT_DIR); the
real files in checkpoints/ are never touched."""
import json
import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from core import CHECKPOINT_DIR

from conftest import ROOT, running_app

UNLOADABLE = "cannot be loaded: its files in checkpoints/ are missing, damaged or do not match its card."


def _edit_card(directory, name, change) -> None:
    path = directory / f"{name}.json"
    card = json.loads(path.read_text(encoding="utf-8"))
    change(card)
    path.write_text(json.dumps(card), encoding="utf-8")


def _flip_a_bit(path) -> None:
    data = bytearray(path.read_bytes())
    data[-1001] ^= 0x04  # a mantissa bit: the value stays finite, only the checksum can tell
    path.write_bytes(bytes(data))


def _truncate(path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _oversize(path) -> None:
    with open(path, "r+b") as f:
        f.truncate(300 * 2**20)  # a sparse file: no disk used


DAMAGE = {  # model: (what is done to its files, how its page says so)
    "dates-attn": (lambda d: _truncate(d / "dates-attn.safetensors"), "truncated weights"),
    "numbers-attn": (lambda d: _edit_card(d, "numbers-attn", lambda c: c.update(metrics=[])), "metrics: []"),
    "numbers-noattn": (lambda d: _edit_card(d, "numbers-noattn", lambda c: c["config"].update(hidden=20_000)),
                       "hidden 20000"),
    "lm-rnn": (lambda d: _flip_a_bit(d / "lm-rnn.safetensors"), "one flipped bit"),
    "lm-gru": (lambda d: _edit_card(d, "lm-gru", lambda c: c["config"].update(hidden=257)), "sizes disagree"),
    "sentiment": (lambda d: _edit_card(d, "sentiment", lambda c: c["training"].update(seconds="fast")), "mistyped"),
    "ner": (lambda d: _oversize(d / "ner.safetensors"), "a 300 MB weights file"),
}
UNREADABLE_CARDS = ["numbers-attn", "numbers-noattn", "sentiment"]

# (page, query, the model it names as unavailable or None, how many charts it draws at least)
VISITS = [
    ("pages/home.py", {}, None, 0),
    ("pages/attention.py", {"model": "dates-attn"}, "dates-attn", 0),
    ("pages/attention.py", {"model": "reverse-attn", "text": "abc"}, None, 2),  # timeline, one step pane
    ("pages/compare.py", {"task": "dates"}, "dates-attn", 1),  # the accuracy by length of every task
    ("pages/compare.py", {"task": "reverse", "text": "abc"}, None, 2),
    ("pages/rnn.py", {"cell": "rnn"}, "lm-rnn", 0),
    ("pages/rnn.py", {"cell": "gru"}, "lm-gru", 0),
    ("pages/rnn.py", {"cell": "lstm"}, None, 3),
    ("pages/architectures.py", {"pattern": "labeling"}, "ner", 0),
    ("pages/architectures.py", {"pattern": "lm"}, None, 3),
    ("pages/architectures.py", {"pattern": "classification"}, None, 0),
    ("pages/encoder-decoder.py", {}, "lm-rnn", 4),  # every demonstration but the gradients
    ("pages/training.py", {"model": "dates-attn"}, None, 0),  # its film is damaged too
    ("pages/training.py", {"model": "reverse-attn"}, None, 1),
]
FILM_ERROR = "The training film of dates-attn cannot be read: its file in checkpoints/ is damaged."


RUN_PAGES = """
import json, sys
from streamlit.testing.v1 import AppTest
for page, query in json.loads(sys.argv[1]):
    at = AppTest.from_file("app.py", default_timeout=300)
    at.switch_page(page)
    at.query_params.update(query)
    at.run()
    shown = [e.value for e in [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption, *at.text]]
    print(json.dumps({"exception": [e.value for e in at.exception], "shown": shown,
                      "info": [e.value for e in at.info], "warning": [e.value for e in at.warning],
                      "error": [e.value for e in at.error], "charts": len(at.get("plotly_chart"))}))
sys.stdout.flush()
import os
os._exit(0)  # the pages are checked; the interpreter's teardown of torch's threads is not what this tests
"""

needs_models = pytest.mark.skipif(not all((CHECKPOINT_DIR / f"{name}.json").is_file() for name in DAMAGE),
                                  reason="the shipped models")


@pytest.fixture(scope="module")
def damaged_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("damaged-checkpoints")
    for path in CHECKPOINT_DIR.iterdir():
        shutil.copy(path, directory / path.name)
    for damage, _ in DAMAGE.values():
        damage(directory)
    _truncate(directory / "dates-attn.film.json.gz")
    return directory


@needs_models
def test_every_page_renders_with_damaged_models(damaged_dir):
    result = subprocess.run([sys.executable, "-c", RUN_PAGES, json.dumps([(p, q) for p, q, _, _ in VISITS])],
                            cwd=ROOT, capture_output=True, text=True, timeout=1200,
                            env={**os.environ, "SEQ2SEQ_CHECKPOINT_DIR": str(damaged_dir)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    runs = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(runs) == len(VISITS)
    for (page, query, unavailable, charts), run in zip(VISITS, runs):
        where = (page, query)
        assert not run["exception"], where
        everything = "\n".join(run["shown"] + run["info"] + run["warning"] + run["error"])
        assert str(damaged_dir) not in everything and "Traceback" not in everything, where
        if unavailable:
            assert f"The model {unavailable} {UNLOADABLE}" in run["info"], (where, run["info"])
        else:
            assert not any(UNLOADABLE in m for m in run["info"]), (where, run["info"])
        assert run["charts"] >= charts, where  # what works is drawn
    assert runs[-2]["error"] == [FILM_ERROR] and not runs[-1]["error"]
    home, classification = runs[0], runs[10]
    assert any(all(name.replace("-", "\\-") in w for name in UNREADABLE_CARDS) for w in home["warning"])
    assert classification["error"] == ["The model sentiment cannot be used: its card in checkpoints/ is damaged or "
                                       "incomplete."]


def test_a_bug_shows_visitors_no_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


@pytest.fixture(scope="module")
def damaged_server(damaged_dir):
    with running_app({"SEQ2SEQ_CHECKPOINT_DIR": str(damaged_dir)}) as url:
        yield url


@pytest.mark.browser
@needs_models
@pytest.mark.parametrize("path,name", [("/attention?model=dates-attn", "dates-attn"),
                                       ("/compare?task=dates", "dates-attn"), ("/rnn?cell=rnn", "lm-rnn")])
def test_a_damaged_model_is_one_sentence_in_the_browser(browser, damaged_server, damaged_dir, path, name):
    from test_browser import settle

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(damaged_server + path)
    page.get_by_text(f"The model {name} cannot be loaded").first.wait_for(timeout=120_000)
    settle(page)
    text = page.inner_text("body")
    assert "Traceback" not in text and str(damaged_dir) not in text and str(ROOT) not in text
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
