"""Server time of one move of the step slider on /attention (AppTest, no browser).

Prints, over the decoder steps of the page's opening example (en-tr-attn) moved to one at a time:
- the whole page rerun that a widget outside any fragment causes (what an arrow key cost before the
  step section became an st.fragment), median and p90;
- the rerun of the step section alone (an st.fragment: what the browser asks for when the step
  slider moves), median and p90. Budget: under 150 ms.
Each with the CPU time of the process (the script thread, mostly): steadier than wall-clock time
when other work shares the machine.

    python bench/step_move.py [--rounds 3]

AppTest reruns the whole script on every run() unless told which fragment to rerun; `fragment_run`
tells it, as the browser does. Times include AppTest's own overhead (a script thread per run, the
element tree parsed), so they slightly overstate the server's. On a shared 2-core machine they are noisy.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402
from streamlit.testing.v1.local_script_runner import LocalScriptRunner  # noqa: E402

APP = str(ROOT / "app.py")
STEP = "attention.step"


def open_attention(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("pages/attention.py")
    at.query_params.update(query or {})
    return at.run()


def fragment_ids(at: AppTest) -> list[str]:
    """The fragments the last full run registered (the page has one: the step section)."""
    return list(at._fragment_storage._fragments)  # AppTest keeps them across runs; no public accessor


def fragment_run(at: AppTest, fragment_id: str) -> AppTest:
    """Rerun only `fragment_id` with the widgets' new values, as the browser asks when a widget inside
    a fragment changes (AppTest.run() alone reruns the whole script)."""
    request = LocalScriptRunner.request_rerun

    def scoped(runner, data):
        accepted = request(runner, data)
        # A new runner starts with a full-run request pending, and a full run absorbs any fragment
        # request that joins it: replace the pending request instead (AppTest has no public way).
        runner._requests._rerun_data = dataclasses.replace(data, fragment_id_queue=[fragment_id],
                                                           is_fragment_scoped_rerun=True)
        return accepted

    with mock.patch.object(LocalScriptRunner, "request_rerun", scoped):
        return at.run()


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def time_moves(at: AppTest, steps: list[int], rounds: int, fragment: str | None) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this process: the script thread, mostly) of each move."""
    times, cpu = [], []
    for _ in range(rounds):
        for step in steps:
            at.slider(key=STEP).set_value(step)
            start, start_cpu = time.perf_counter(), time.process_time()
            at = fragment_run(at, fragment) if fragment else at.run()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            assert not at.exception, at.exception
    return times, cpu


def report(what: str, times: list[float], cpu: list[float], note: str) -> None:
    print(f"step move, {what:<22} median {1000 * statistics.median(times):.0f} ms, p90 {1000 * p90(times):.0f} ms, "
          f"CPU median {1000 * statistics.median(cpu):.0f} ms  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over every step")
    args = parser.parse_args()
    at = open_attention()
    slider = at.slider(key=STEP)
    steps = list(range(int(slider.min), int(slider.max) + 1))
    time_moves(at, steps[:3], 1, None)  # warm: every figure of the example cached
    whole, whole_cpu = time_moves(at, steps, args.rounds, None)
    report("whole page rerun:", whole, whole_cpu, f"({len(whole)} moves over {len(steps)} steps)")
    fragments = fragment_ids(at)
    if not fragments:
        print("step move, step section only: no fragment on the page")
        return
    section, section_cpu = time_moves(at, steps, args.rounds, fragments[0])
    report("step section only:", section, section_cpu, "(budget 150 ms)")


if __name__ == "__main__":
    main()
