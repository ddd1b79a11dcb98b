"""A class on one server: N simulated students, each speaking Streamlit's own websocket protocol.

    python bench/load.py                      # N = 1, 20, 60 students, a fresh server for each N
    python bench/load.py --students 10 --think 1
    python bench/load.py --url http://localhost:8501 --students 5   # a server that is already running
    python bench/load.py --cache-sizes        # the worst case of one value of every cache (ui/cache.py)
    python bench/load.py --cache-growth 100   # the caches alone fed 100 new inputs: RSS stops growing

A student is what a browser tab costs the server, without the browser's rendering: one websocket to
/_stcore/stream sending the BackMsgs the frontend sends (open a page, type into a text box and press
Enter) and reading every ForwardMsg the server answers with. Each student opens /attention, types
five new inputs there, then opens /rnn and /compare and types one input on each, a few seconds apart
(--think). Every input holds a token of that student's own (`Xq-abcde-`), so every value is
a cache miss, and every message a student receives is searched for the tokens of the others.

Printed per N: errors (exceptions on a page, error messages, runs that never finish, dropped
connections), leaks (another student's token seen), p50/p95 of Enter -> page done (the BackMsg sent
to the server's script_finished message), the server's RSS at its peak and after everyone has left
(at once, and after --after seconds), and the server's CPU time.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import random
import re
import socket
import statistics
import string
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(rb"Xq-[a-z]{5}-")  # every student's tokens; the hyphens never occur in base64 (Plotly's arrays)
FINISHED = ForwardMsg.ScriptFinishedStatus
ERROR_ALERT = 1  # streamlit.proto.Alert.Format.ERROR


def student_token(student: int, number: int) -> str:
    """`Xq-`, five letters and `-`, unique per (student, input)."""
    value, letters = student * 64 + number, []
    for _ in range(5):
        value, digit = divmod(value, 26)
        letters.append(string.ascii_lowercase[digit])
    return "Xq-" + "".join(letters) + "-"


class SessionError(RuntimeError):
    pass


@dataclass
class Session:
    """One browser tab as the server sees it: a websocket that sends BackMsgs and reads ForwardMsgs."""
    url: str
    own: set[bytes] = field(default_factory=set)  # this student's tokens (others' are leaks)
    timeout: float = 600.0
    widgets: dict[str, str] = field(default_factory=dict)  # label -> widget id, from the last run
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash (the navigation)
    query_string: str = ""
    page: str = ""
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    own_seen: set[bytes] = field(default_factory=set)  # own tokens the server sent back (the check finds them)
    received_bytes: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # sent with the websocket's opening request (cookies)
    served_by: str | None = None  # the balancer's X-Served-By header on the websocket's answer, if any

    async def __aenter__(self) -> Session:
        stream = self.url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.socket = await websockets.connect(stream, subprotocols=["streamlit"], max_size=None,
                                               open_timeout=self.timeout, ping_interval=None,
                                               additional_headers=self.headers)
        self.served_by = self.socket.response.headers.get("X-Served-By")
        self._finished: asyncio.Queue = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader
        with contextlib.suppress(Exception):
            await self.socket.close()

    async def _read(self) -> None:
        try:
            async for data in self.socket:
                self.received_bytes += len(data)
                self._check_tokens(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
        except websockets.ConnectionClosed as closed:
            if closed.rcvd is None or closed.rcvd.code not in (1000, 1001):
                self._finished.put_nowait(f"connection closed: {closed}")
            return
        self._finished.put_nowait("connection closed by the server")

    def _check_tokens(self, data: bytes) -> None:
        found = set(TOKEN.findall(data))
        self.own_seen |= found & self.own
        self.leaks.extend(token.decode() for token in found - self.own)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                self.errors.append(f"exception on /{self.page}: {element.exception.type} {element.exception.message} {list(element.exception.stack_trace)[-3:]}")
            elif which == "alert" and element.alert.format == ERROR_ALERT:
                self.errors.append(f"error on /{self.page}: {element.alert.body[:200]}")
            elif which in ("text_input", "text_area"):
                widget = getattr(element, which)
                self.widgets[widget.label] = widget.id
        elif kind == "navigation":
            for page in msg.navigation.app_pages:
                self.pages[page.url_pathname] = page.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            if msg.script_finished == FINISHED.FINISHED_SUCCESSFULLY:
                self._finished.put_nowait(None)
            elif msg.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                self._finished.put_nowait("the script did not compile")

    async def _rerun(self, client_state) -> float:
        """Send one rerun and wait for the run to finish; returns the seconds it took."""
        while not self._finished.empty():
            self._finished.get_nowait()
        back = BackMsg()
        back.rerun_script.CopyFrom(client_state)
        started = time.perf_counter()
        await self.socket.send(back.SerializeToString())
        try:
            outcome = await asyncio.wait_for(self._finished.get(), self.timeout)
        except asyncio.TimeoutError:
            raise SessionError(f"/{self.page}: no script_finished within {self.timeout:.0f} s") from None
        if outcome is not None:
            raise SessionError(f"/{self.page}: {outcome}")
        return time.perf_counter() - started

    async def open(self, page: str) -> float:
        """Open a page as a click in the navigation (or typing its URL) does."""
        from streamlit.proto.ClientState_pb2 import ClientState

        self.page, self.widgets, self.query_string = page, {}, ""
        state = ClientState(query_string="", page_name=page, page_script_hash=self.pages.get(page, ""))
        return await self._rerun(state)

    async def enter(self, label: str, value: str) -> float:
        """Type `value` into the text box labelled `label` and press Enter: the frontend sends the box's
        new value with a rerun of the page."""
        from streamlit.proto.ClientState_pb2 import ClientState

        if label not in self.widgets:
            raise SessionError(f"/{self.page}: no text box labelled {label!r}")
        state = ClientState(query_string=self.query_string, page_name=self.page,
                            page_script_hash=self.pages.get(self.page, ""))
        widget = state.widget_states.widgets.add()
        widget.id, widget.string_value = self.widgets[label], value
        return await self._rerun(state)


ATTENTION_BOX = "Input (press Enter to run)"
RNN_BOX = "Text (Ctrl+Enter to run)"
SENTENCES = ["I saw {} at the station.", "Where did {} go yesterday?", "{} is reading a book.",
             "We met {} in Boston.", "Tell {} that I am late."]


@dataclass
class Result:
    enter_seconds: list[float] = field(default_factory=list)
    open_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    tokens_seen: int = 0  # own tokens echoed back (the check has something to find)


async def student(number: int, url: str, think: float, inputs: int, result: Result, rng: random.Random) -> None:
    tokens = [student_token(number, k) for k in range(inputs + 2)]
    pause = lambda: asyncio.sleep(think * rng.uniform(0.5, 1.5))  # noqa: E731
    session = Session(url, own={t.encode() for t in tokens})
    try:
        async with session:
            result.open_seconds.append(await session.open("attention"))
            for k in range(inputs):
                await pause()
                result.enter_seconds.append(await session.enter(ATTENTION_BOX, SENTENCES[k % 5].format(tokens[k])))
            await pause()
            result.open_seconds.append(await session.open("rnn"))
            await pause()
            result.enter_seconds.append(await session.enter(RNN_BOX, f"To be, or not to be, {tokens[inputs]}."))
            await pause()
            result.open_seconds.append(await session.open("compare"))
            await pause()
            result.enter_seconds.append(await session.enter(ATTENTION_BOX, f"I like {tokens[inputs + 1]}."))
    except (SessionError, OSError, websockets.WebSocketException, asyncio.TimeoutError) as error:
        result.errors.append(f"student {number}: {error}")
    result.errors.extend(f"student {number}: {e}" for e in session.errors)
    result.leaks.extend(f"student {number} saw {t}" for t in session.leaks)
    result.tokens_seen += len(session.own_seen)


class Monitor:
    """The server's RSS and CPU time, sampled from /proc every `every` seconds."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every, self.samples = pid, every, []  # (time, rss MB, cpu s)

    def sample(self) -> tuple[float, float, float]:
        with open(f"/proc/{self.pid}/status") as status:
            rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        value = (time.time(), rss, cpu)
        self.samples.append(value)
        return value

    async def run(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                self.sample()
            await asyncio.sleep(self.every)

    def peak(self, since: float) -> float:
        return max(rss for t, rss, _ in self.samples if t >= since)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(port: int | None = None, env: dict[str, str] | None = None, log: Path | None = None):
    """`streamlit run app.py` on a port, its output to `log` (or nowhere); yields (url, process). It gets
    30 s to stop (a server that has just served a class on a busy machine may need them)."""
    port = port or free_port()
    output = open(log, "w") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url, process
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        if process.poll() is None:
            process.kill()
        if log:
            output.close()


def wait_healthy(url: str, process: subprocess.Popen | None = None, timeout: float = 600) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=5).read() == b"ok":
                return
        except OSError:
            if time.time() > deadline or (process is not None and process.poll() is not None):
                raise RuntimeError(f"the app at {url} did not start")
            time.sleep(0.3)


async def wait_idle(monitor: Monitor, window: float = 3.0, timeout: float = 1800) -> None:
    """Until the warm start is done: two windows in a row in which the server used under a quarter of
    its busiest rate so far (a rate relative to its own, so that it also holds on a machine where the
    server gets a small share of a core)."""
    deadline = time.time() + timeout
    last, busiest, quiet = monitor.sample(), 0.0, 0
    while time.time() < deadline and quiet < 2:
        await asyncio.sleep(window)
        now = monitor.sample()
        rate = (now[2] - last[2]) / (now[0] - last[0])
        busiest = max(busiest, rate)
        quiet = quiet + 1 if rate < 0.25 * busiest else 0
        last = now


async def open_session(url: str, page: str = "", timeout: float = 600) -> float:
    """One session that opens a page and leaves (what a first visitor does: starts the warm start)."""
    async with Session(url, timeout=timeout) as session:
        return await session.open(page)


async def one_class(url: str, pid: int | None, students: int, think: float, inputs: int, arrival: float,
                    after: float, seed: int = 0) -> dict:
    monitor = Monitor(pid) if pid else None
    sampler = asyncio.create_task(monitor.run()) if monitor else None
    if monitor:
        await wait_idle(monitor)
    before = monitor.sample() if monitor else None
    rng = random.Random(seed)
    result = Result()

    async def arrive(number: int) -> None:
        await asyncio.sleep(rng.uniform(0, arrival) if students > 1 else 0)
        await student(number, url, think, inputs, result, random.Random(seed * 1000 + number))

    started = time.time()
    await asyncio.gather(*(arrive(n) for n in range(students)))
    finished = time.time()
    figures = {"students": students, "errors": result.errors, "leaks": result.leaks,
               "enters": len(result.enter_seconds), "own_tokens_seen": result.tokens_seen,
               "wall_s": finished - started}
    if result.enter_seconds:
        ordered = sorted(result.enter_seconds)
        figures["p50_s"] = statistics.median(ordered)
        figures["p95_s"] = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        figures["open_p50_s"] = statistics.median(result.open_seconds)
    if monitor:
        left = monitor.sample()
        await asyncio.sleep(after)
        later = monitor.sample()
        sampler.cancel()
        figures.update(rss_before_mb=before[1], rss_peak_mb=monitor.peak(started), rss_left_mb=left[1],
                       rss_after_mb=later[1], cpu_s=left[2] - before[2],
                       cpu_share=(left[2] - before[2]) / max(finished - started, 1e-9))
    return figures


def report(figures: dict, after: float) -> str:
    lines = [f"N = {figures['students']}: {len(figures['errors'])} errors, {len(figures['leaks'])} leaks, "
             f"{figures['enters']} Enters in {figures['wall_s']:.0f} s (each student's own tokens seen back: "
             f"{figures['own_tokens_seen']})"]
    if "p50_s" in figures:
        lines.append(f"  Enter -> page done: p50 {figures['p50_s']:.2f} s, p95 {figures['p95_s']:.2f} s "
                     f"(opening a page: p50 {figures['open_p50_s']:.2f} s)")
    if "rss_peak_mb" in figures:
        lines.append(f"  server RSS: {figures['rss_before_mb']:.0f} MB warm, peak {figures['rss_peak_mb']:.0f} MB, "
                     f"{figures['rss_left_mb']:.0f} MB when all had left, {figures['rss_after_mb']:.0f} MB "
                     f"{after:.0f} s later")
        lines.append(f"  server CPU: {figures['cpu_s']:.0f} s ({100 * figures['cpu_share']:.0f}% of one core "
                     "while the class ran)")
    lines += [f"  ! {e}" for e in figures["errors"][:10]] + [f"  ! {e}" for e in figures["leaks"][:10]]
    return "\n".join(lines)


# ---- the worst case of one value of every cache ---------------------------------------------------
def cache_sizes() -> None:
    """Each cache's largest value for the largest input the pages let through, in MB: pickled (what
    st.cache_data keeps, and what its byte bound counts) or the Python objects' memory (tracemalloc,
    for st.cache_resource); and each cache when full (entries x worst value, at most its byte bound)."""
    import pickle
    import tracemalloc

    sys.path.insert(0, str(ROOT))
    import torch

    torch.set_num_threads(1)
    from core import list_models
    from ui import cache
    from ui.animation import SentFigure  # what the figure caches hold
    from ui.encdec_charts import encoder_decoder_figure, side_by_side_figure
    from ui.rnn_charts import unrolled_figure

    rng = random.Random(0)
    words = "the of and to a in that is was he for it with as his on be at by had not are but from or have".split()
    long_words = " ".join(rng.choice(words) for _ in range(120))[:500]  # 500 characters: the pages' cap
    letters = "".join(rng.choice(string.ascii_lowercase) for _ in range(500))
    prose = (" ".join(rng.choice(words) for _ in range(80)).capitalize() + ".\n")[:300]  # /rnn's cap: 300

    def resource_mb(build) -> float:
        tracemalloc.start()
        value = build()
        gc.collect()  # what the build left behind in reference cycles (Plotly's objects) is not the value
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del value
        return size / 1e6

    worst: dict[str, float] = {}

    def note(name: str, mb: float) -> None:
        worst[name] = max(worst.get(name, 0.0), mb)

    cards = list_models()
    for card in cards:
        note("_load", resource_mb(lambda: cache.load_model(card.name)))
    for card in (c for c in cards if c.kind == "seq2seq"):
        greedy = {}
        for text in (long_words, letters):
            for beam in (10, 1):
                trace = cache._trace.__wrapped__(card.name, text, 1.0, (), beam)
                note("_trace", len(pickle.dumps(trace)) / 1e6)
            greedy[text] = trace
        # the figures draw a greedy trace: the one with the most cells (source tokens x steps)
        text, trace = max(greedy.items(), key=lambda item: len(item[1].src_tokens) * len(item[1].steps))
        if card.attention:
            note("_timeline", resource_mb(lambda: SentFigure.of(cache.timeline_figure(trace))))
            plain = card.name.replace("-attn", "-noattn")
            if any(c.name == plain for c in cards):
                pair = (trace, cache._trace.__wrapped__(plain, text, 1.0, (), 1))
                note("_side_by_side", resource_mb(lambda: SentFigure.of(side_by_side_figure(*pair))))
        else:
            note("_encoder_decoder", resource_mb(lambda: SentFigure.of(encoder_decoder_figure(trace))))
    for card in (c for c in cards if c.kind != "seq2seq"):
        run = cache.get_run.__wrapped__(card.name, prose)
        note("get_run", len(pickle.dumps(run)) / 1e6)
        if card.kind == "lm":
            norms = cache.get_gradient_norms.__wrapped__(card.name, prose[:cache.GRADIENT_MAX_TOKENS])
            note("get_gradient_norms", len(pickle.dumps(norms)) / 1e6)
            generation = cache._generation.__wrapped__(card.name, prose, 300, 1.0, 0)
            note("_generation", len(pickle.dumps(generation)) / 1e6)
            if card.name == "lm-lstm":  # the largest of the three (it also has the cell state)
                note("_unrolled", resource_mb(lambda: SentFigure.of(unrolled_figure(run))))
                note("_generation_figure",
                     resource_mb(lambda: SentFigure.of(unrolled_figure(generation, first=len(prose) - 20))))
    note("get_prefixes", len(pickle.dumps(cache.get_prefixes.__wrapped__("reverse-attn", letters))) / 1e6)
    note("get_cards", len(pickle.dumps(cards)) / 1e6)
    total = 0.0
    print(f"{'cache':22} {'max entries':>11} {'max MB':>7} {'one value (MB)':>15} {'full (MB)':>10}")
    for name, mb in worst.items():
        info = getattr(cache, name)._info
        entries = len(cards) if name == "_load" else info.max_entries  # one model per checkpoint
        bound = getattr(info, "max_size_bytes", None)
        full = entries * mb if bound is None else min(entries * mb, bound / 1e6 + mb)
        total += full
        print(f"{name:22} {entries:11d} {'' if bound is None else f'{bound / 2**20:.0f}':>7} {mb:15.2f} {full:10.1f}")
    print(f"{'every cache full':22} {'':11} {'':7} {'':15} {total:10.1f}")


def cache_growth(inputs: int, every: int = 10) -> None:
    """The server's caches alone, fed `inputs` different 300-character texts as /rnn gets them
    (get_run and get_unrolled of lm-lstm) and as many sentences as /attention gets them (get_trace and
    get_timeline of en-tr-attn), in this process: its RSS every `every` inputs. With bounded caches
    the RSS stops growing once the caches are full."""
    sys.path.insert(0, str(ROOT))
    import torch

    torch.set_num_threads(1)
    from ui import cache

    def rss_mb() -> float:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

    rng = random.Random(1)
    words = "the of and to a in that is was he for it with as his on be at by had not are but from or have".split()
    cache.get_model("lm-lstm"), cache.get_model("en-tr-attn")
    start = rss_mb()
    print(f"models loaded: {start:.0f} MB", flush=True)
    for number in range(1, inputs + 1):
        token = student_token(0, number)
        prose = (token + " " + " ".join(rng.choice(words) for _ in range(80)))[:300]
        cache.get_unrolled("lm-lstm", prose)
        cache.get_timeline("en-tr-attn", f"I saw {token} and " + " ".join(rng.choice(words) for _ in range(8)), 1.0)
        if number % every == 0:
            print(f"{number:4d} inputs on each page: RSS {rss_mb():.0f} MB (+{rss_mb() - start:.0f} MB)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[1, 20, 60])
    parser.add_argument("--inputs", type=int, default=5, help="inputs typed on /attention per student")
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a student's actions (mean)")
    parser.add_argument("--arrival", type=float, default=30.0, help="students arrive within this many seconds")
    parser.add_argument("--after", type=float, default=60.0, help="seconds to watch the server after all have left")
    parser.add_argument("--url", help="a running server (no RSS or CPU figures unless --pid)")
    parser.add_argument("--pid", type=int, help="the process id of the server at --url")
    parser.add_argument("--cache-sizes", action="store_true", help="print the worst case of every cache and stop")
    parser.add_argument("--cache-growth", type=int, metavar="INPUTS",
                        help="feed the caches this many new inputs in this process, print its RSS, and stop")
    args = parser.parse_args()
    if args.cache_sizes:
        cache_sizes()
        return
    if args.cache_growth:
        cache_growth(args.cache_growth)
        return
    for students in args.students:
        if args.url:
            figures = asyncio.run(one_class(args.url, args.pid, students, args.think, args.inputs, args.arrival,
                                            args.after))
        else:
            with app_server() as (url, process):
                asyncio.run(open_session(url))  # the first visitor: starts the warm start
                figures = asyncio.run(one_class(url, process.pid, students, args.think, args.inputs, args.arrival,
                                                args.after))
        print(report(figures, args.after), flush=True)


if __name__ == "__main__":
    main()
