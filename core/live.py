"""Training live: a small encoder-decoder trained from scratch while a student watches.

    slot = LiveSlot()                                   # one per server: one live run at a time
    run = slot.start("owner-id", LiveSettings())        # LiveBusy if another run is on
    run.heartbeat()                                     # the owner's page, every few seconds
    status = run.status()                               # step, loss, seconds left, the probe's Trace ...
    run.stop()                                          # ends training the way the time limit does
    status.result                                       # at the end: LiveResult (weights and card bytes)

The run trains in a process of its own (a fresh Python, one torch thread), so the server's Python,
which serves every other session, is never held by it. The run stops on `stop()`, at its
time limit, or when its owner's page has sent no heartbeat for HEARTBEAT_TIMEOUT seconds (the page
was closed). Nothing is written to disk: the model comes back as the bytes of its safetensors
weights and JSON card (core.checkpoint.model_files).

The training is `train_live`: the task's own data (core.tasks, for `reverse` only the strings of
3-10 letters), one core.model.Seq2Seq built like core.train builds it, and the one training loop,
core.fit.fit.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path

import torch

from .checkpoint import model_files
from .evaluate import evaluate
from .fit import Fitted, fit, trained_card
from .model import ModelConfig, Seq2Seq
from .tasks import get_task
from .trace import Trace
from .train import SETTINGS, encode_pairs, pair_batches, selection_metric
from .vocab import SPECIALS, Vocab

ATTENTION_CHOICES = ("dot", None)  # the lecture's dot product, or the plain encoder-decoder
HIDDEN_SIZES = (32, 64, 128, 256)
LEARNING_RATES = (1e-3, 2e-3, 3e-3, 5e-3, 1e-2)
STEPS_MIN, STEPS_MAX, STEPS_STEP = 100, 3000, 100
TRAIN_SECONDS = 100  # training stops after this long, whatever the steps: with data and evaluation a run ends within 2 minutes
HEARTBEAT_TIMEOUT = 10.0  # seconds without a heartbeat from the owner's page before its run stops
REPORT_SECONDS = 0.5  # how often the process reports step and loss
PROBE_SECONDS = 2.0  # how often it runs the probe input through the model
HARD_LIMIT = 900.0  # a run still going after this long (stuck, or on a machine far too busy) is ended by force
ROOT = Path(__file__).resolve().parent.parent  # the directory that holds the package `core`


@dataclass(frozen=True)
class LiveTask:
    """What a live run of one task trains on (the rest comes from core.train.SETTINGS)."""

    label: str
    sizes: dict  # pairs the task generates per split, before the length filter
    lengths: tuple[int, int] | None  # source lengths kept (in tokens), None: all
    length_buckets: tuple  # the card's metrics by source length
    probe: str  # the input whose alignment is drawn while the model trains
    batch_size: int = 128


LIVE_TASKS = {
    "reverse": LiveTask(label="reverse: strings of 3-10 letters", sizes={"train": 120_000, "valid": 1000, "test": 3000},
                        lengths=(3, 10), length_buckets=((3, 6), (7, 10)), probe="attention"),
    "dates": LiveTask(label="dates: written dates to ISO 8601", sizes={"train": 30_000, "valid": 300, "test": 1000},
                      lengths=None, length_buckets=((1, 15), (16, 23), (24, 31), (32, 64)),
                      probe="3rd of May 1979"),
}


@dataclass(frozen=True)
class LiveSettings:
    """The student's choices; the defaults reach 90% exact match on `reverse` within the time limit."""

    task: str = "reverse"
    attention: str | None = "dot"
    hidden: int = 128
    lr: float = 3e-3
    steps: int = 1000
    seed: int = 0

    def __post_init__(self):
        if self.task not in LIVE_TASKS:
            raise ValueError(f"a live run trains on {' or '.join(LIVE_TASKS)}, not {self.task!r}")
        if self.attention not in ATTENTION_CHOICES:
            raise ValueError(f"attention must be 'dot' or None, not {self.attention!r}")
        if self.hidden not in HIDDEN_SIZES:
            raise ValueError(f"the hidden size must be one of {HIDDEN_SIZES}, not {self.hidden!r}")
        if self.lr not in LEARNING_RATES:
            raise ValueError(f"the learning rate must be one of {LEARNING_RATES}, not {self.lr!r}")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or not STEPS_MIN <= self.steps <= STEPS_MAX:
            raise ValueError(f"steps must be a whole number from {STEPS_MIN} to {STEPS_MAX}, not {self.steps!r}")

    @property
    def name(self) -> str:
        return f"{self.task}-live-{'attn' if self.attention else 'noattn'}-h{self.hidden}"


@dataclass
class LiveProgress:
    """One report of a run in progress."""

    phase: str  # 'preparing' | 'training' | 'evaluating'
    step: int = 0  # optimizer steps taken
    steps: int = 0  # steps asked for
    loss: float | None = None  # mean training loss of the batches since the last report
    valid: float | None = None  # exact match (%) on the validation split at the last evaluation
    seconds: float = 0.0  # since training began
    seconds_left: float | None = None  # estimated from the pace so far and the time limit
    probe: Trace | None = None  # the probe input translated by the model as it is now
    probe_step: int = 0  # the step the probe was translated at


@dataclass
class LiveResult:
    """A finished run: the model's two files (nothing on disk) and what it reached."""

    name: str
    attention: str | None  # 'dot' or None, as in LiveSettings
    weights: bytes  # safetensors
    card: bytes  # JSON model card
    exact_match: float  # on the held-out test split (a fraction)
    test_size: int
    steps: int
    best_step: int
    seconds: float  # training alone
    stopped: bool  # ended by Stop (or a closed page) before its steps or its time limit


class _Watcher:
    """Told by core.fit (as its recorder) every batch's loss and asked at every step whether to
    record: turns that into a report every REPORT_SECONDS and the probe's Trace every PROBE_SECONDS.
    Translating the probe only runs the model, so the training is the same with or without it."""

    def __init__(self, model: Seq2Seq, probe: str, steps: int, started: float, limit: float,
                 report: Callable[[LiveProgress], None], valid: Callable[[], float | None]):
        self.model, self.probe, self.steps, self.started, self.limit = model, probe, steps, started, limit
        self.report, self.valid = report, valid
        self.losses: list[float] = []
        self.last_report = self.last_probe = 0.0
        self.trace: Trace | None = None
        self.trace_step = 0

    def loss(self, value: float) -> None:
        self.losses.append(value)

    def wants(self, step: int) -> bool:
        now = time.time()
        if now - self.last_report >= REPORT_SECONDS and step:
            self.send(step, now)
        return now - self.last_probe >= PROBE_SECONDS

    def record(self, step: int) -> None:
        was_training = self.model.training
        self.model.eval()
        self.trace, self.trace_step = self.model.translate(self.probe), step
        self.model.train(was_training)
        self.last_probe = time.time()
        self.send(step, self.last_probe)

    def send(self, step: int, now: float) -> None:
        seconds = now - self.started
        pace = seconds / step if step else None
        left = self.limit - seconds
        if pace is not None:
            left = min(left, pace * (self.steps - step))
        loss = sum(self.losses) / len(self.losses) if self.losses else None
        self.losses = []
        self.report(LiveProgress("training", step, self.steps, loss, self.valid(), seconds, max(0.0, left),
                                 self.trace, self.trace_step))
        self.last_report = now


def live_splits(task: str, seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, str]]]:
    """The task's own splits (held-out pairs never in training), for `reverse` only its strings
    of 3-10 letters; `sizes` overrides how many pairs each split draws (small runs and tests)."""
    spec = LIVE_TASKS[task]
    splits = get_task(task).build_splits(seed=seed, sizes={**spec.sizes, **(sizes or {})})
    if spec.lengths is None:
        return splits
    lo, hi = spec.lengths
    return {name: [(s, t) for s, t in pairs if lo <= len(s) <= hi] for name, pairs in splits.items()}


def _new_model(settings: LiveSettings, train_pairs: list[tuple[str, str]]) -> Seq2Seq:
    """A fresh Seq2Seq with the task's settings (core.train.SETTINGS) and the student's hidden size,
    its vocabularies built from the training split as core.train builds them."""
    task = SETTINGS[settings.task]
    config = ModelConfig(
        name=settings.name, task=settings.task, src_vocab=list(SPECIALS), tgt_vocab=list(SPECIALS),
        attention=settings.attention, embed_dim=task.embed_dim, hidden=settings.hidden, src_level=task.src_level,
        tgt_level=task.tgt_level, lowercase=task.lowercase, drop_spaces=task.drop_spaces,
        max_src_len=task.max_src_len, max_tgt_len=task.max_tgt_len,
        length_buckets=[list(b) for b in LIVE_TASKS[settings.task].length_buckets])
    splitter = Seq2Seq(config)  # its tokenisation only, to build the vocabularies
    src_vocab = Vocab.build([splitter.source_tokens(s) for s, _ in train_pairs], task.min_freq)
    tgt_vocab = Vocab.build([splitter.target_tokens(t) for _, t in train_pairs], task.min_freq)
    return Seq2Seq(replace(config, src_vocab=src_vocab.tokens, tgt_vocab=tgt_vocab.tokens))


def train_live(settings: LiveSettings, report: Callable[[LiveProgress], None] = lambda progress: None,
               should_stop: Callable[[], bool] = lambda: False, seconds: float = TRAIN_SECONDS,
               sizes: dict[str, int] | None = None) -> LiveResult:
    """Train one model from scratch with core.fit.fit for `settings.steps` steps, at most `seconds`
    of training, or until `should_stop()`; then measure it on the held-out test split. `report` is
    called a few times a second with the progress; `sizes` overrides the split sizes (small runs and
    tests). Runs in the calling process (LiveRun runs it in a process of its own)."""
    report(LiveProgress("preparing", steps=settings.steps))
    spec, module = LIVE_TASKS[settings.task], get_task(settings.task)
    splits = live_splits(settings.task, settings.seed, sizes)
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    model = _new_model(settings, splits["train"])
    examples = encode_pairs(splits["train"], model)
    valid = splits["valid"]
    last_valid: list[float] = []

    def batches():
        while True:
            yield from pair_batches(examples, spec.batch_size, rng)

    def loss_of(batch) -> torch.Tensor:
        total, count = model.loss(*batch)
        return total / count

    def validate() -> float:
        last_valid.append(selection_metric(evaluate(model, valid)[0]))
        return last_valid[-1]

    started = time.time()
    watcher = _Watcher(model, spec.probe, settings.steps, started, seconds, report,
                       lambda: last_valid[-1] if last_valid else None)
    fitted: Fitted = fit(model, batches(), loss_of, validate, steps=settings.steps, lr=settings.lr,
                         eval_every=max(50, settings.steps // 15), deadline=started + seconds,
                         should_stop=should_stop, name=settings.name,
                         progress=False, digits=3, recorder=watcher)
    trained = time.time() - started
    report(LiveProgress("evaluating", fitted.steps, settings.steps, None, last_valid[-1] if last_valid else None,
                        trained, 0.0, watcher.trace, watcher.trace_step))
    metrics, by_length, predictions = evaluate(model, splits["test"])
    samples = [{"input": src, "reference": ref, "output": out}
               for (src, ref), out in list(zip(splits["test"], predictions))[:20]]
    how = "dot-product attention" if settings.attention else "no attention (the decoder sees only c = h^e_n)"
    card = trained_card(
        config=model.config, module=module, attention=settings.attention,
        description=f"Trained live in the browser: {spec.label}, GRU encoder-decoder with {how}.",
        data={"data_seed": settings.seed, "sizes": {k: len(v) for k, v in splits.items()},
              "held_out": "the test split shares no source with training",
              **({"lengths": list(spec.lengths)} if spec.lengths else {})},
        metrics=metrics, by_length=by_length, fitted=fitted, seconds=trained, minutes=round(seconds / 60, 2),
        seed=settings.seed, batch_size=spec.batch_size, lr=settings.lr, samples=samples, live=True,
        stopped=fitted.stopped,
        command=f"core.live.train_live(LiveSettings(task={settings.task!r}, attention={settings.attention!r}, "
                f"hidden={settings.hidden}, lr={settings.lr:g}, steps={settings.steps}))")
    card.examples = [spec.probe] + [e for e in module.EXAMPLES if e != spec.probe
                                    and (spec.lengths is None or spec.lengths[0] <= len(e) <= spec.lengths[1])]
    model.card = card
    weights, card_json = model_files(model, card)
    return LiveResult(name=card.name, attention=settings.attention, weights=weights, card=card_json, exact_match=metrics["exact_match"],
                      test_size=len(splits["test"]), steps=fitted.steps, best_step=fitted.best_step, seconds=trained,
                      stopped=fitted.stopped)


def _worker(request: str, fd: int) -> None:
    """The live run's process (`python -c`, see LiveRun): one torch thread; reports go to the server
    through the pipe `fd`; a line "stop" on stdin, or stdin's end (the server is gone), stops it."""
    torch.set_num_threads(1)
    plain = json.loads(request)
    conn = Connection(fd, readable=False)
    stop = threading.Event()

    def listen():
        for line in sys.stdin:
            if line.strip() == "stop":
                stop.set()
        stop.set()

    threading.Thread(target=listen, daemon=True).start()
    try:
        result = train_live(LiveSettings(**plain["settings"]), lambda progress: conn.send(("progress", progress)),
                            stop.is_set, sizes=plain["sizes"])
        conn.send(("result", result))
    except (BrokenPipeError, ConnectionError):  # the server is gone: nobody to tell
        return
    except Exception as error:  # noqa: BLE001 - the server shows one sentence; the run ends either way
        try:
            conn.send(("error", f"{type(error).__name__}: {error}"))
        except (BrokenPipeError, ConnectionError):
            pass
    finally:
        conn.close()


@dataclass
class LiveStatus:
    """What the server knows of a live run (a copy: reading it never waits on the run)."""

    owner: str
    settings: LiveSettings
    state: str  # 'starting' | 'preparing' | 'training' | 'evaluating' | 'finished' | 'stopped' | 'failed'
    started: float  # time.time() when the run was started
    progress: LiveProgress | None = None
    losses: list[tuple[int, float]] = field(default_factory=list)  # (step, loss) of every report
    result: LiveResult | None = None
    message: str = ""  # why it stopped or failed

    @property
    def running(self) -> bool:
        return self.state in ("starting", "preparing", "training", "evaluating")

    def seconds_left(self, now: float | None = None) -> float:
        """About how long until the run ends."""
        if not self.running:
            return 0.0
        if self.progress is not None and self.progress.seconds_left is not None:
            return self.progress.seconds_left + 3  # and the evaluation
        return max(0.0, TRAIN_SECONDS + 10 - ((now or time.time()) - self.started))


class LiveRun:
    """One live training in a process of its own, followed by a thread of the server that reads its
    reports (waiting on the pipe, so it holds Python's lock only to store a report) and stops the
    run when its page has sent no heartbeat for HEARTBEAT_TIMEOUT seconds.

    The process is a fresh `python -c` (not multiprocessing, whose spawn would run the server's main
    script again, under Streamlit a page script) that imports core.live and calls _worker."""

    def __init__(self, owner: str, settings: LiveSettings, sizes: dict[str, int] | None = None):
        self._lock = threading.Lock()
        self._beat = time.time()
        self._stopping = self._closed = False
        self._status = LiveStatus(owner=owner, settings=settings, state="starting", started=time.time())
        receive_fd, send_fd = os.pipe()
        request = json.dumps({"settings": asdict(settings), "sizes": sizes})
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", f"from core.live import _worker; _worker({request!r}, {send_fd})"],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, pass_fds=(send_fd,),
                env={**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
        finally:
            os.close(send_fd)  # the process holds the sending end; its end closes the pipe
        receive = Connection(receive_fd, writable=False)
        self._follower = threading.Thread(target=self._follow, args=(receive,), name="live training reports",
                                          daemon=True)
        self._follower.start()

    @property
    def owner(self) -> str:
        return self._status.owner

    @property
    def pid(self) -> int:
        return self._process.pid

    def heartbeat(self) -> None:
        """The owner's page is still open."""
        self._beat = time.time()

    def stop(self) -> None:
        """End training now (the model reached so far is still evaluated and returned)."""
        self._signal_stop()

    def status(self) -> LiveStatus:
        with self._lock:
            return replace(self._status, losses=list(self._status.losses))

    def wait(self, timeout: float | None = None) -> LiveStatus:
        """Block until the run has ended (tests and benchmarks; never on a page)."""
        self._follower.join(timeout)
        return self.status()

    def _signal_stop(self) -> None:
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
        try:
            self._process.stdin.write(b"stop\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):  # the process has ended already
            pass

    def _follow(self, receive: Connection) -> None:
        try:
            while True:
                if receive.poll(0.5):
                    try:
                        kind, payload = receive.recv()
                    except (EOFError, OSError):
                        break
                    self._store(kind, payload)
                elif self._process.poll() is not None:
                    break
                now = time.time()
                if not self._stopping and now - self._beat > HEARTBEAT_TIMEOUT:
                    self._closed = True  # no heartbeat: the page that started the run was closed
                    self._signal_stop()
                if now - self._status.started > HARD_LIMIT and self._process.poll() is None:
                    self._process.kill()
                    self._end("failed", "the run took too long and was ended")
        finally:
            receive.close()
            try:
                self._process.stdin.close()
            except OSError:
                pass
            try:
                self._process.wait(5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(5)
            self._end("failed", "the training process ended unexpectedly")

    def _store(self, kind: str, payload) -> None:
        with self._lock:
            status = self._status
            if kind == "progress":
                status.progress = payload
                if status.state in ("starting", "preparing", "training"):
                    status.state = payload.phase
                if payload.loss is not None:
                    status.losses.append((payload.step, payload.loss))
            elif kind == "result":
                status.result = payload
                status.state = "stopped" if payload.stopped else "finished"
                if self._closed:
                    status.message = "the page that started it was closed"
                elif payload.stopped:
                    status.message = "stopped"
            elif kind == "error":
                status.state, status.message = "failed", payload

    def _end(self, state: str, message: str) -> None:
        """Mark the run ended unless it already is."""
        with self._lock:
            if self._status.running:
                self._status.state, self._status.message = state, message


class LiveBusy(RuntimeError):
    """Another live run is on; `status` says whose and how long it has left."""

    def __init__(self, status: LiveStatus):
        super().__init__(f"a live training is already running (about {status.seconds_left():.0f} s left)")
        self.status = status


class LiveSlot:
    """At most one live run per server (keep one LiveSlot per server)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._run: LiveRun | None = None

    def current(self) -> LiveRun | None:
        """The last run started on this server (running or ended), or None."""
        return self._run

    def start(self, owner: str, settings: LiveSettings, sizes: dict[str, int] | None = None) -> LiveRun:
        """Start a run for `owner` (LiveBusy if one is on); `sizes` as in train_live."""
        with self._lock:
            if self._run is not None:
                status = self._run.status()
                if status.running:
                    raise LiveBusy(status)
            self._run = LiveRun(owner, settings, sizes)
            return self._run
