"""The training film: how a model's attention and outputs came to be.

While `core.train` trains an encoder-decoder, a `FilmRecorder` stops at about sixty points of
training (denser early, where things change fastest) and records, with the weights of that moment,
the greedy translation of a few fixed probe inputs (the card's first examples), the attention
weights of every step (attention models), the mean training loss of the batches since the point
before, and the held-out metric on a fixed slice of the validation split.

The film is stored beside the checkpoint as `NAME.film.json.gz` (gzip-compressed JSON, no pickle,
no weights): weights are kept in thousandths. `Film.final_weights_sha256` names the weights the run
ended with, so anyone can check that a film belongs to the shipped checkpoint:

    python -m core.train --task reverse --attention dot --film --out /tmp/film-run
    python -m core.film adopt /tmp/film-run reverse-attn     # copies the film if the weights are the same
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .checkpoint import CHECKPOINT_DIR, CheckpointError, check_file, model_card, weights_path
from .weights_file import weights_sha256

FILM_SUFFIX = ".film.json.gz"
FILM_POINTS = 60  # about how many points of training a film shows
PROBES = 4  # probe inputs per film: the card's first examples
METRIC_SLICE = 300  # validation inputs the film's held-out metric is measured on
MAX_FILM_BYTES = 8 * 2**20
SCALE = 1000  # weights are stored in thousandths


def film_points(steps: int, points: int = FILM_POINTS) -> list[int]:
    """About `points` optimizer-step counts from 0 (before training) to `steps`, spaced evenly in
    log(step + 1) so early training, where things change fastest, gets more frames."""
    if steps < 1:
        raise ValueError("a film needs at least one training step")
    marks = {0, steps}
    for k in range(1, points):
        marks.add(int(round(math.expm1(k / (points - 1) * math.log1p(steps)))))
    return sorted(m for m in marks if 0 <= m <= steps)


@dataclass
class ProbeFrame:
    """One probe input's greedy translation at one point of training."""

    out_tokens: list[str]  # y_1 .. y_m, the end token included when it was written
    output: str  # detokenised
    weights: list[list[int]] | None  # (m, n) attention weights in thousandths; None without attention


@dataclass
class FilmPoint:
    step: int  # optimizer steps taken before this point
    loss: float | None  # mean training loss of the batches since the previous point, this point's included
    metric: float  # the held-out metric on the validation slice
    probes: list[ProbeFrame]


@dataclass
class Film:
    model: str
    task: str
    attention: str | None
    metric_name: str  # e.g. "exact match (%)" or "BLEU"
    metric_inputs: int  # how many validation inputs the metric is measured on
    probe_inputs: list[str]
    probe_tokens: list[list[str]]  # what the encoder read for each probe (constant over training)
    points: list[FilmPoint] = field(default_factory=list)
    final_weights_sha256: str = ""  # the weights the run ended with (its best step, see core.fit)
    best_step: int = 0

    @property
    def steps(self) -> list[int]:
        return [p.step for p in self.points]

    def weights(self, point: int, probe: int) -> np.ndarray | None:
        """The (m, n) attention weights of probe `probe` at film point `point`, as floats."""
        raw = self.points[point].probes[probe].weights
        if raw is None:
            return None
        return np.asarray(raw, dtype=np.float64).reshape(len(raw), -1) / SCALE

    def mean_entropy(self, point: int) -> float:
        """Mean entropy (nats) of the attention weights over every step of every probe at `point`."""
        values = []
        for probe in range(len(self.probe_inputs)):
            w = self.weights(point, probe)
            if w is None:
                raise ValueError(f"{self.model} has no attention weights")
            w = np.clip(w, 1e-12, None)
            w = w / w.sum(axis=1, keepdims=True)
            values.extend((-(w * np.log(w)).sum(axis=1)).tolist())
        return float(np.mean(values))

    def half_point(self) -> int:
        """The index of the first point whose metric reaches half the last point's metric."""
        final = self.points[-1].metric
        for index, point in enumerate(self.points):
            if point.metric >= final / 2:
                return index
        return len(self.points) - 1

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Film":
        points = [FilmPoint(step=int(p["step"]), loss=None if p["loss"] is None else float(p["loss"]),
                            metric=float(p["metric"]),
                            probes=[ProbeFrame(**frame) for frame in p["probes"]]) for p in data["points"]]
        return cls(**{**data, "points": points})


def film_path(name: str, directory: Path = CHECKPOINT_DIR) -> Path:
    return Path(directory) / f"{name}{FILM_SUFFIX}"


def save_film(film: Film, directory: Path = CHECKPOINT_DIR) -> Path:
    path = film_path(film.model, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(film.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    return path


def load_film(name: str, directory: Path = CHECKPOINT_DIR) -> Film:
    """The film of model `name`; CheckpointError naming the file if it is missing or damaged."""
    path = film_path(name, directory)
    check_file(path, MAX_FILM_BYTES, f"no training film for {name}.",
               f"the film file is larger than {MAX_FILM_BYTES // 2**20} MB.")
    try:
        data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        film = Film.from_dict(data)
        _check(film)
    except CheckpointError:
        raise
    except Exception as err:
        raise CheckpointError(f"{path}: not a valid training film ({type(err).__name__}).") from None
    return film


def _check(film: Film) -> None:
    if not film.points or len(film.probe_tokens) != len(film.probe_inputs):
        raise ValueError("empty film")
    steps = film.steps
    if steps != sorted(set(steps)):
        raise ValueError("film points out of order")
    for point in film.points:
        if len(point.probes) != len(film.probe_inputs) or not math.isfinite(point.metric):
            raise ValueError("bad film point")
        for frame, tokens in zip(point.probes, film.probe_tokens):
            if frame.weights is not None and any(len(row) != len(tokens) for row in frame.weights):
                raise ValueError("weights do not match the probe")
            if frame.weights is not None and len(frame.weights) != len(frame.out_tokens):
                raise ValueError("weights do not match the output")


def available_films(directory: Path = CHECKPOINT_DIR) -> list[str]:
    """Names of the models that have a film file, sorted."""
    return sorted(p.name[: -len(FILM_SUFFIX)] for p in Path(directory).glob(f"*{FILM_SUFFIX}"))


class FilmRecorder:
    """Called by core.fit at the film's points; builds the Film of one training run."""

    def __init__(self, model, probes: list[str], metric, metric_name: str, metric_inputs: int, steps: int):
        self.model = model
        self.metric = metric  # () -> float on the validation slice
        first = [model.translate(text) for text in probes]
        self.film = Film(model=model.config.name, task=model.config.task, attention=model.config.attention,
                         metric_name=metric_name, metric_inputs=metric_inputs, probe_inputs=list(probes),
                         probe_tokens=[trace.src_tokens for trace in first])
        self.points = set(film_points(steps))
        self._losses: list[float] = []
        self._last: list[float] = []

    def wants(self, step: int) -> bool:
        return step in self.points

    def loss(self, value: float) -> None:
        self._losses.append(value)

    def record(self, step: int) -> None:
        """Record the model as it is after `step` optimizer steps (once per step)."""
        if self.film.points and self.film.points[-1].step == step:
            return
        window = self._losses or self._last  # the last point follows its batch: that batch's loss
        loss = round(float(np.mean(window)), 4) if window else None
        self._last, self._losses = window[-1:], []
        frames = []
        for text in self.film.probe_inputs:
            trace = self.model.translate(text)
            weights = None
            if trace.steps and trace.steps[0].weights is not None:
                weights = [[int(round(float(w) * SCALE)) for w in step_.weights] for step_ in trace.steps]
            frames.append(ProbeFrame(out_tokens=list(trace.out_tokens), output=trace.output, weights=weights))
        self.film.points.append(FilmPoint(step=step, loss=loss, metric=round(float(self.metric()), 3),
                                          probes=frames))


def adopt(run_dir: Path, name: str, directory: Path = CHECKPOINT_DIR) -> str:
    """Copy the film of a training run into `directory` if the run ended with exactly the weights
    shipped there; otherwise raise ValueError (the film would belong to another model)."""
    run_dir, directory = Path(run_dir), Path(directory)
    shipped = weights_sha256(weights_path(name, directory).read_bytes())
    film = load_film(name, run_dir)
    if film.final_weights_sha256 != shipped:
        raise ValueError(f"the run in {run_dir} ended with weights {film.final_weights_sha256[:12]}..., "
                         f"the shipped {name} has {shipped[:12]}...: the film is not of the shipped model")
    card = model_card(name, directory)
    if card.weights_sha256 and card.weights_sha256 != shipped:
        raise ValueError(f"{name}: its card names other weights than the file holds")
    shutil.copyfile(film_path(name, run_dir), film_path(name, directory))
    return shipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    take = sub.add_parser("adopt", help="copy a run's film beside the shipped checkpoint it reproduces")
    take.add_argument("run_dir")
    take.add_argument("name")
    take.add_argument("--dir", default=str(CHECKPOINT_DIR))
    show = sub.add_parser("show", help="print a film's points")
    show.add_argument("name")
    show.add_argument("--dir", default=str(CHECKPOINT_DIR))
    args = parser.parse_args(argv)
    if args.command == "adopt":
        try:
            digest = adopt(Path(args.run_dir), args.name, Path(args.dir))
        except (ValueError, CheckpointError) as err:
            print(f"not adopted: {err}", file=sys.stderr)
            return 1
        print(f"{args.name}: film adopted (weights sha256 {digest[:16]}...)")
        return 0
    film = load_film(args.name, Path(args.dir))
    entropy = film.attention is not None
    print(f"{film.model}: {len(film.points)} points, metric {film.metric_name} on {film.metric_inputs} inputs")
    for index, point in enumerate(film.points):
        extra = f" entropy {film.mean_entropy(index):.3f}" if entropy else ""
        print(f"  step {point.step:>6} loss {point.loss} {film.metric_name} {point.metric}{extra} "
              f"| {point.probes[0].output[:40]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
