"""The home page lists every shipped model with its held-out metrics and links the lecture path."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import list_models

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_home_page_lists_the_models_and_their_metrics():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Seq2Seq Attention Explorer"
    table = at.dataframe[0].value
    cards = [c for c in list_models() if c.kind == "seq2seq"]
    assert list(table["model"]) == [c.name for c in cards]
    for card, shown in zip(cards, table["exact match"]):
        assert shown == f"{100 * card.metrics['exact_match']:.2f}%"
    recurrent = [c for c in list_models() if c.kind != "seq2seq"]
    if recurrent:
        second = at.dataframe[1].value
        assert list(second["model"]) == [c.name for c in recurrent]
        for card, shown in zip(recurrent, second["held-out"]):
            key = "bpc" if card.kind == "lm" else "token_f1" if card.kind == "tagger" else "accuracy"
            value = card.metrics[key]
            assert (f"{value:.2f}" if key == "bpc" else f"{100 * value:.1f}%") in shown


def test_home_page_links_every_page_of_the_lecture_path():
    at = AppTest.from_file(APP, default_timeout=60).run()
    links = [element.proto.page for element in at.get("page_link")]
    assert links == ["rnn", "architectures", "encoder-decoder", "attention", "compare", "training"]  # URL paths


def test_the_app_needs_only_its_own_requirements():
    """Every page runs without the training and test packages (requirements-dev.txt), which
    Community Cloud does not install. (tqdm is left out: torch.hub imports it when it is there.)"""
    import subprocess
    import sys

    code = """
import sys
from streamlit.testing.v1 import AppTest
for page in ["pages/home.py", "pages/rnn.py", "pages/architectures.py", "pages/encoder-decoder.py",
             "pages/attention.py", "pages/compare.py", "pages/training.py"]:
    at = AppTest.from_file("app.py", default_timeout=120)
    at.switch_page(page)
    at.run()
    assert not at.exception, (page, at.exception)
at = AppTest.from_file("app.py", default_timeout=120)
at.switch_page("pages/architectures.py")
at.query_params["pattern"] = "lm"
at.run()
assert not at.exception
print(sorted({"faker", "sacrebleu", "babel", "pytest"} & {m.split(".")[0] for m in sys.modules}), flush=True)
import os
os._exit(0)  # done: the interpreter's teardown with the app's warm-up thread in torch is not what this tests
"""
    root = Path(APP).parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_import_in_turn_returns_only_whole_modules(tmp_path, monkeypatch):
    """A session that asks for a module another thread is still importing waits for it to be whole
    (a cold server's first sessions run app.py at once; Plotly reads pandas from sys.modules, where a
    module sits from the moment its import begins)."""
    import importlib
    import sys
    import threading
    import time

    from ui import shell

    (tmp_path / "slow_module_for_import_test.py").write_text(
        "import time\nstarted = True\ntime.sleep(1.0)\nWHOLE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(shell, "_IMPORTED", set())
    name = "slow_module_for_import_test"
    first = threading.Thread(target=importlib.import_module, args=(name,))
    first.start()
    deadline = time.monotonic() + 10
    while name not in sys.modules and time.monotonic() < deadline:  # the first import has begun
        time.sleep(0.01)
    assert name in sys.modules and not hasattr(sys.modules[name], "WHOLE")
    shell.import_in_turn(name)
    assert sys.modules[name].WHOLE
    first.join()
    monkeypatch.delitem(sys.modules, name)


def test_page_runs_take_turns(monkeypatch):
    """At most RUNS_AT_ONCE page runs compute at once; the others wait and all are served; a run that
    ends with an exception (Streamlit stops and reruns scripts by raising) gives its turn back."""
    import threading
    import time

    from ui import shell

    monkeypatch.setattr(shell, "_RUNS", threading.BoundedSemaphore(shell.RUNS_AT_ONCE))
    lock, state = threading.Lock(), {"now": 0, "most": 0, "done": []}

    def run(k: int) -> None:
        try:
            with shell.in_turn():
                with lock:
                    state["now"] += 1
                    state["most"] = max(state["most"], state["now"])
                time.sleep(0.05)
                with lock:
                    state["now"] -= 1
                    state["done"].append(k)
                if k % 3 == 0:
                    raise RuntimeError("stopped")
        except RuntimeError:
            pass

    threads = [threading.Thread(target=run, args=(k,)) for k in range(9)]
    for thread in threads:
        thread.start()
        time.sleep(0.005)
    for thread in threads:
        thread.join(timeout=30)
    assert state["most"] == shell.RUNS_AT_ONCE
    assert sorted(state["done"]) == list(range(9))
    assert shell._RUNS.acquire(blocking=False) and shell._RUNS.acquire(blocking=False)  # every turn was given back
