"""The training loop the trainers share (core.train for encoder-decoders, core.rnn_train for
the single RNNs): Adam, gradient clipping, evaluation on the validation split every few steps,
the best weights kept, the learning rate halved after two evaluations without progress, a
progress bar and a time limit."""
from __future__ import annotations

import copy
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import platform

import torch
from tqdm import tqdm

from .checkpoint import ModelCard


@dataclass(frozen=True, kw_only=True)
class Budget:
    """The part of a task's training settings both trainers read (core.train.Settings,
    core.rnn_train.RecurrentSettings): optimizer steps, batch size, learning rate, dropout, which
    tokens enter the vocabulary (at least min_freq times, at most max_vocab of them) and how often
    the validation split is evaluated."""

    steps: int
    batch_size: int
    lr: float = 2e-3
    dropout: float = 0.0
    min_freq: int = 1
    max_vocab: int | None = None
    eval_every: int = 500


def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of example indices of similar length (less padding; every example once)."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


@dataclass
class Fitted:
    steps: int  # optimizer steps taken
    best_step: int  # the step whose weights were kept
    best_value: float
    history: list[dict] = field(default_factory=list)  # step, training loss, validation value
    stopped: bool = False  # ended by `should_stop` before its steps and its deadline


def fit(model: torch.nn.Module, batches: Iterable, loss_of: Callable[[object], torch.Tensor],
        validate: Callable[[], float], *, steps: int, lr: float, eval_every: int, deadline: float,
        name: str, progress: bool = True, digits: int = 4, recorder=None,
        should_stop: Callable[[], bool] | None = None) -> Fitted:
    """Train `model` on `batches` (an endless iterable) for `steps` optimizer steps, until the
    `deadline` (time.time()) or until `should_stop()` (asked after every step) is true, evaluating
    `validate()` (higher is better) every `eval_every` steps and at the end (a stop ends training
    as the deadline does: the last weights are evaluated too); the best weights are loaded back
    and the model left in eval mode; `Fitted.stopped` says whether `should_stop` ended it.
    `recorder` (core.film.FilmRecorder) is told every batch's loss and records the model at its
    points; recording only runs the model, so the training itself is the same with or without it."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    best_value, best_state, best_step, stale = -float("inf"), copy.deepcopy(model.state_dict()), 0, 0
    history: list[dict] = []
    bar = tqdm(total=steps, disable=not progress, desc=name, dynamic_ncols=True,
               mininterval=0.5 if sys.stderr.isatty() else 30)
    step, stopped = 0, False
    for batch in batches:
        model.train()
        loss = loss_of(batch)
        if recorder is not None:
            recorder.loss(loss.item())  # the loss of the weights after `step` steps
            if recorder.wants(step):
                recorder.record(step)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        bar.update(1)
        stopped = should_stop is not None and bool(should_stop())
        ending = stopped or time.time() >= deadline
        if step % eval_every == 0 or step == steps or ending:  # the last weights are evaluated too
            value = validate()
            history.append({"step": step, "loss": round(loss.item(), 4), "valid": round(value, digits)})
            if value > best_value:
                best_value, best_state, best_step, stale = value, copy.deepcopy(model.state_dict()), step, 0
            else:
                stale += 1
                if stale % 2 == 0:  # halve the learning rate after two evaluations without progress
                    for group in optimizer.param_groups:
                        group["lr"] /= 2
            bar.set_postfix(loss=f"{loss.item():.3f}", valid=f"{value:.{digits}f}", best=f"{best_value:.{digits}f}")
        if step >= steps or ending:
            break
    bar.close()
    if recorder is not None:
        recorder.record(step)  # the last weights (their loss: the batches since the point before)
    model.load_state_dict(best_state)
    model.eval()
    return Fitted(steps=step, best_step=best_step, best_value=best_value, history=history, stopped=stopped)


def trained_card(*, config, module, description: str, data: dict, metrics: dict, by_length: list[dict],
                 fitted: Fitted, seconds: float, minutes: float, seed: int, batch_size: int, lr: float,
                 command: str, samples: list[dict], kind: str = "seq2seq", attention: str | None = None,
                 **training) -> ModelCard:
    """The card of a freshly trained model, the same for both trainers: the task's source, licence
    and credit, the measurements, and how it was trained (time limit, steps, seed, versions)."""
    source = {"source": module.SOURCE["data"], "licence": module.SOURCE["licence"],
              **({"credit": module.SOURCE["credit"]} if "credit" in module.SOURCE else {})}
    return ModelCard(
        name=config.name, task=config.task, attention=attention, cell=config.cell, kind=kind,
        description=description, config=config.to_dict(), data={**source, **data},
        metrics=metrics, metrics_by_length=by_length,
        training={"seconds": round(seconds, 1), "minutes": minutes, "steps": fitted.steps, **training,
                  "best_step": fitted.best_step, "seed": seed, "batch_size": batch_size, "lr": lr,
                  "threads": torch.get_num_threads(), "torch": torch.__version__, "python": platform.python_version(),
                  "command": command, "history": fitted.history},
        examples=list(module.EXAMPLES), samples=samples)
