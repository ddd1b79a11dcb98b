"""Enter on /attention against a floor page, side by side in one run (Chromium, Playwright).

Two servers: the app (`streamlit run app.py`) and the floor (`streamlit run bench/floor_page.py`: a text
box that draws the same timeline figure for the same input with the same model, and nothing else).
Each is opened once at 1280x720 and, once both servers are idle (the app's warm start in the background
is over) and after one warm-up Enter not counted, for `--rounds` rounds a NEW input (the same sequence
on both: "14th of March 19NN", NN differing each round) is typed into the box labelled "Input (press
Enter to run)" and Enter pressed. App and floor alternate within each round
(the order swapping every round), so both see the same machine load. Prints per round, then medians:

- chart: from the Enter keydown to the first chart showing the new input (the animated Plotly figure's
  source strip, its first trace's text, equals the new input's token labels);
- done: from the Enter keydown to the page finished: Streamlit's running indicator
  ([data-testid="stStatusWidget"]) absent AND no DOM change for 300 ms; the time reported is the
  later of the indicator's disappearance and the last DOM change (the 300 ms of quiet not included). Streamlit
  puts the indicator in the DOM only after 500 ms of running (and may never, while messages keep
  coming): how many reruns showed it is printed; the rule is the same for both pages either way;
- last: from the Enter keydown to the page's main thread handling the rerun's last websocket
  message (late when the page is busy drawing);
- sent, fin.: from pressing Enter (Playwright's clock) to the first plotly_chart message and to the
  script_finished message on the socket (Playwright's websocket events). Chromium reports socket
  frames from the page's renderer, so these too come late while the page is busy drawing: an upper
  bound on the server's time, not the server's time;
- srvCPU: CPU time of the server process (all its threads) from Enter to done;
- brCPU: CPU time of Chromium (all its processes) and Playwright's driver over the same span;
- brTask, brJS: the page's renderer main thread busy (Chrome's Performance metrics TaskDuration,
  ScriptDuration) from Enter to done: what drawing the answer cost the browser;
- KB: what the rerun sent down the websocket, and the largest elements by kind.

The page times are taken in the page's own clock (performance.now()), the same code for both pages;
the ratio app/floor of the medians is printed for chart and done (and for the server's and the
browser's costs). The floor script also prints its own server time per run to its log (shown as
"floor script").

    python bench/enter_speed.py [--rounds 5] [--model dates-attn]

On a shared 2-core machine the figures are noisy; the alternation keeps the comparison fair, not the
absolute numbers steady.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import list_models  # noqa: E402
from core.text import source_pieces  # noqa: E402
from ui.labels import plot_text, token_label  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu"]
VIEWPORT = {"width": 1280, "height": 720}
INPUT = "Input (press Enter to run)"
QUIET_MS = 300
MEASURES = ("chart", "done", "last", "sent_chart", "finished", "server_cpu", "browser_cpu")
BROWSER = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")

# Installed before any page script: the clock of every DOM change, of the Enter keydown, of the first
# chart with the expected source strip, of the running indicator's disappearance, and of every
# websocket message (with its size). One definition for both pages.
WATCH = """
(() => {
    const w = window.__watch = {enter: null, expected: null, chart: null, lastChange: 0, statusGone: null,
                                running: false, messages: []};
    const timeline = () => [...document.querySelectorAll('.js-plotly-plot')].find(
        g => g._fullLayout && g._fullLayout.sliders && g._fullLayout.sliders.length);
    const look = () => {
        const now = performance.now();
        w.lastChange = now;
        const running = !!document.querySelector('[data-testid="stStatusWidget"]');
        if (running) w.seen = true;
        if (w.running && !running) w.statusGone = now;
        w.running = running;
        if (w.expected !== null && w.chart === null) {
            const gd = timeline();
            if (gd && gd.data && gd.data[0] && JSON.stringify(gd.data[0].text[0]) === w.expected) w.chart = now;
        }
    };
    new MutationObserver(look).observe(document, {childList: true, subtree: true, characterData: true,
                                                  attributes: true});
    document.addEventListener('keydown', e => { if (e.key === 'Enter') w.enter = performance.now(); }, true);
    const Socket = window.WebSocket;
    window.WebSocket = function (...args) {
        const ws = new Socket(...args);
        ws.addEventListener('message', e => {
            const size = e.data.byteLength !== undefined ? e.data.byteLength : (e.data.size || e.data.length);
            w.messages.push([performance.now(), size]);
        });
        return ws;
    };
    window.WebSocket.prototype = Socket.prototype;
    Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""
ARM = """(expected) => {
    const w = window.__watch;
    Object.assign(w, {enter: null, expected: JSON.stringify(expected), chart: null, statusGone: null, seen: false,
                     messages: []});
}"""
# Finished: the new chart is there, the running indicator is gone and the DOM has been still for QUIET_MS.
DONE = """(quiet) => {
    const w = window.__watch;
    if (w.enter === null || w.chart === null) return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    return performance.now() - w.lastChange >= quiet;
}"""
RESULT = """() => {
    const w = window.__watch;
    return {chart: w.chart - w.enter, done: Math.max(w.lastChange, w.statusGone || 0) - w.enter,
            running_seen: w.seen, messages: w.messages.map(([t, n]) => [t - w.enter, n])};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: str, log, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/streamlit"), "run", script, "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})})
    url = f"http://localhost:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{script} did not start")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    children = {int(c) for f in Path(f"/proc/{pid}/task").glob("*/children") for c in f.read_text().split()}
    return ticks / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(child) for child in children)


def browser_cpu_seconds(servers: set[int]) -> float:
    """CPU time so far of every process this bench started except the servers: Chromium (all its
    processes) and Playwright's driver, which are idle while nothing is being measured."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    total, seen, todo = 0, set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        for child, (parent, ticks) in parents.items():
            if parent == pid and child not in seen and child not in servers:
                seen.add(child)
                total += ticks
                todo.append(child)
    return total / os.sysconf("SC_CLK_TCK")


def wait_idle(pids: list[int], share: float = 0.05, limit: float = 300) -> float:
    """Wait until the servers use under `share` of a core over a second (the app's warm start, which
    computes every model's examples in a background thread, is over); returns the seconds waited."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        before = sum(cpu_seconds(pid) for pid in pids)
        time.sleep(1)
        if sum(cpu_seconds(pid) for pid in pids) - before < share:
            break
    return time.perf_counter() - start


def labels(card, text: str) -> list[str]:
    """The source strip's labels for a text, as the timeline draws them (bench/browser.py)."""
    config = card.config
    vocab = set(config["src_vocab"])
    pieces = source_pieces(text, config["src_level"], config["lowercase"], config["drop_spaces"])
    return [plot_text(token_label(p if p in vocab else "<unk>")) for p in pieces[: config["max_src_len"]]]


def inputs(count: int, examples: list[str]) -> list[str]:
    """A warm-up input, then `count` new ones: '14th of March 19NN' with NN differing each time."""
    out = []
    for year in range(1913, 2000, 7):
        text = f"14th of March {year}"
        if text not in examples:
            out.append(text)
    if len(out) < count + 1:
        out += [f"{d}th of June 1950" for d in range(4, 4 + count + 1 - len(out))]
    return out[: count + 1]


class Watched:
    """One page of one server, with the websocket's messages decoded per rerun."""

    def __init__(self, context, url: str, name: str, server_pid: int, servers: set[int]):
        self.name, self.server_pid, self.servers = name, server_pid, servers
        self.page = context.new_page()
        self.cdp = context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.frames: list[tuple[float, bytes]] = []
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._received))
        self.page.goto(url)
        self.box = self.page.get_by_label(INPUT, exact=True)
        self.box.wait_for(timeout=120_000)
        self.settle()

    def _received(self, payload) -> None:
        if isinstance(payload, bytes):
            self.frames.append((time.perf_counter(), payload))

    def settle(self) -> None:
        self.page.wait_for_function("""(quiet) => !document.querySelector('[data-testid="stStatusWidget"]')
            && performance.now() - window.__watch.lastChange >= quiet""", arg=QUIET_MS, timeout=120_000)

    def busy(self) -> dict[str, float]:
        """The page's renderer main thread so far (Chrome's Performance metrics), seconds."""
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        return {k: metrics.get(k, 0.0) for k in ("TaskDuration", "ScriptDuration", "LayoutDuration",
                                                  "RecalcStyleDuration")}

    def enter(self, text: str, expected: list[str]) -> dict:
        self.page.evaluate(ARM, expected)
        self.frames.clear()
        busy, cpu = self.busy(), cpu_seconds(self.server_pid)
        browser_cpu = browser_cpu_seconds(self.servers)
        self.box.fill(text)
        pressed = time.perf_counter()
        self.box.press("Enter")
        self.page.wait_for_function(DONE, arg=QUIET_MS, timeout=120_000, polling=50)
        result = self.page.evaluate(RESULT)
        result["server_cpu"] = 1000 * (cpu_seconds(self.server_pid) - cpu)
        result["browser_cpu"] = 1000 * (browser_cpu_seconds(self.servers) - browser_cpu)
        result["browser"] = {k: 1000 * (v - busy[k]) for k, v in self.busy().items()}
        result["kinds"], result["bytes"] = collections.Counter(), 0
        result["sent_chart"] = result["finished"] = float("nan")
        for arrived, payload in self.frames:
            msg = ForwardMsg.FromString(payload)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                delta = msg.delta.WhichOneof("type")
                kind = msg.delta.new_element.WhichOneof("type") if delta == "new_element" else delta
            if kind == "plotly_chart" and result["sent_chart"] != result["sent_chart"]:
                result["sent_chart"] = 1000 * (arrived - pressed)  # the first chart's message, Playwright's clock
            if kind == "script_finished":
                result["finished"] = 1000 * (arrived - pressed)
            result["kinds"][kind] += len(payload)
            result["bytes"] += len(payload)
        # the last message as the page's main thread handled it (late when the page is busy drawing)
        result["last"] = result["messages"][-1][0] if result["messages"] else float("nan")
        result["count"] = len(self.frames)
        return result


def floor_server_ms(log_path: str, text: str) -> float | None:
    found = re.findall(r"floor run ([\d.]+) ms for " + re.escape(repr(text)), Path(log_path).read_text())
    return float(found[-1]) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="new inputs per page")
    parser.add_argument("--model", default="dates-attn", help="an attention model (the floor uses the same)")
    args = parser.parse_args()
    card = next(c for c in list_models() if c.name == args.model)
    texts = inputs(args.rounds, card.examples)
    app_log = tempfile.NamedTemporaryFile("w+", prefix="enter-app-", suffix=".log")
    floor_log = tempfile.NamedTemporaryFile("w+", prefix="enter-floor-", suffix=".log")
    servers = []
    try:
        servers.append(start_server("app.py", app_log))
        servers.append(start_server("bench/floor_page.py", floor_log, {"FLOOR_MODEL": args.model}))
        (_, app_url), (_, floor_url) = servers
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            pages = {}
            for name, url in [("app", f"{app_url}/attention?model={args.model}"), ("floor", floor_url)]:
                context = browser.new_context(viewport=VIEWPORT)
                context.add_init_script(WATCH)
                start = time.perf_counter()
                pages[name] = Watched(context, url, name, servers[len(pages)][0].pid,
                                      {process.pid for process, _ in servers})
                print(f"{name:5s} loaded in {time.perf_counter() - start:.2f} s")
            waited = wait_idle([process.pid for process, _ in servers])
            print(f"servers idle after {waited:.0f} s more (the app's warm start of every model's examples)")
            for name in pages:  # warm-up: first-use imports and lazily built pieces, not counted
                pages[name].enter(texts[0], labels(card, texts[0]))
            results: dict[str, list[dict]] = {"app": [], "floor": []}
            print(f"\n{'round':>5s} {'input':22s} {'page':5s} {'chart':>6s} {'done':>6s} {'last':>6s} {'sent':>6s} "
                  f"{'fin.':>6s} {'srvCPU':>6s} {'brCPU':>6s} {'brTask':>6s} {'brJS':>6s} {'KB':>4s}  largest (KB)")
            for number, text in enumerate(texts[1:], 1):
                for name in ["app", "floor"] if number % 2 else ["floor", "app"]:
                    r = pages[name].enter(text, labels(card, text))
                    results[name].append(r)
                    top = ", ".join(f"{k} {v / 1024:.0f}" for k, v in r["kinds"].most_common(2))
                    extra = ""
                    if name == "floor" and (ms := floor_server_ms(floor_log.name, text)) is not None:
                        extra = f"; floor script {ms:.0f} ms"
                    print(f"{number:5d} {text:22s} {name:5s} " + " ".join(
                        f"{r[what] / 1000:5.2f}s" for what in ("chart", "done", "last", "sent_chart", "finished"))
                        + f" {r['server_cpu']:4.0f}ms {r['browser_cpu']:4.0f}ms {r['browser']['TaskDuration']:4.0f}ms "
                          f"{r['browser']['ScriptDuration']:4.0f}ms {r['bytes'] / 1024:4.0f}  {top}{extra}")
            print()
            medians = {name: {what: statistics.median(r[what] for r in rs) for what in MEASURES}
                       | {what: statistics.median(r["browser"][what] for r in rs) for what in BROWSER}
                       for name, rs in results.items()}
            for name in ("app", "floor"):
                m = medians[name]
                kb = statistics.median(r["bytes"] for r in results[name]) / 1024
                print(f"median {name:5s}: chart {m['chart'] / 1000:.2f} s, done {m['done'] / 1000:.2f} s | "
                      f"on the socket: chart sent {m['sent_chart'] / 1000:.2f} s, script finished "
                      f"{m['finished'] / 1000:.2f} s | server CPU {m['server_cpu']:.0f} ms, browser CPU "
                      f"{m['browser_cpu']:.0f} ms | page main thread busy {m['TaskDuration']:.0f} ms (script "
                      f"{m['ScriptDuration']:.0f}, layout {m['LayoutDuration']:.0f}, style "
                      f"{m['RecalcStyleDuration']:.0f}) | {kb:.0f} KB")
            print("running indicator seen during the rerun: " + ", ".join(
                f"{name} {sum(r['running_seen'] for r in rs)} of {len(rs)}" for name, rs in results.items()))
            for what, note in [("chart", ""), ("done", "  (requirement: within 1.5x the floor)"),
                               ("finished", "  (script_finished on the socket)"), ("server_cpu", ""),
                               ("browser_cpu", ""), ("TaskDuration", "  (page main thread)")]:
                ratio = medians["app"][what] / medians["floor"][what]
                print(f"ratio app/floor, {what:12s} {ratio:.2f}x{note}")
            problems = [p for page in pages.values() for p in page.problems]
            print(f"browser: {len(problems)} page errors" + "".join(f"\n  {p}" for p in problems[:5]))
            browser.close()
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)
        for name, log in (("app", app_log), ("floor", floor_log)):
            log.seek(0)
            errors = [line for line in log.read().splitlines() if "Traceback" in line or "Error" in line]
            if errors:
                print(f"{name} server log: {len(errors)} error lines" + "".join(f"\n  {e}" for e in errors[:5]))


if __name__ == "__main__":
    main()
