"""Server-side cost of the attention page, measured with Streamlit's AppTest (no browser).

Prints, per attention model:
- the server time of a rerun for a NEW input (nothing cached for it), median and p90 over
  `--inputs` generated inputs. Budget: median under 300 ms.
- the time of a rerun that only moves the "Decoder step i" slider, and of one that changes the
  softmax temperature (a new temperature: the trace is computed again).
- the size of the animated timeline's JSON as the browser receives it (the plotly_chart element's
  spec), for a 40-character input (40 words for en-tr). Budget: under 1 MB for 40 characters.

    python bench/attention_page.py [--inputs 20]

Times are wall clock around AppTest.run() (the script runs in a thread; AppTest polls for its end
every millisecond); the CPU column is the process's CPU time for the same reruns, which other processes
on the machine disturb less. app.py sets torch.set_num_threads(1). On a shared 2-core machine the
wall-clock figures are noisy.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from core import list_models  # noqa: E402

MODELS = ["dates-attn", "numbers-attn", "reverse-attn", "en-tr-attn"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " \
       "seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SWAPS = [("I ", "You "), ("you", "we"), ("He ", "She "), ("today", "tomorrow"), ("very ", "really "),
         ("my ", "your "), ("book", "film"), ("children", "students"), (".", "!")]


def english_number(n: int) -> str:
    """1..999999 in words: 'three hundred and twenty-one thousand and seven'."""
    if n >= 1000:
        rest = n % 1000
        return english_number(n // 1000) + " thousand" + ("" if not rest else (" and " if rest < 100 else " ")
                                                           + english_number(rest))
    if n >= 100:
        return ONES[n // 100] + " hundred" + (" and " + english_number(n % 100) if n % 100 else "")
    if n >= 20:
        return TENS[n // 10] + ("-" + ONES[n % 10] if n % 10 else "")
    return ONES[n]


def new_inputs(model: str, count: int, rng: random.Random, examples: list[str]) -> list[str]:
    """`count` distinct generated inputs for a model (dates, number words, letters, English sentences)."""
    out: list[str] = []
    while len(out) < count:
        if model.startswith("dates"):
            d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1900, 2099)
            text = rng.choice([f"{d} {MONTHS[m - 1]} {y}", f"{MONTHS[m - 1][:3]}. {d}, {y}", f"{m}/{d}/{y}",
                               f"{d:02d}.{m:02d}.{y}", f"the {d}th of {MONTHS[m - 1]} {y}"])
        elif model.startswith("numbers"):
            text = english_number(rng.choice([rng.randint(1, 99), rng.randint(100, 999), rng.randint(1000, 999999)]))
        elif model.startswith("reverse"):
            text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 40)))
        else:  # an example with one or two words swapped, or two examples joined
            text = rng.choice(examples)
            for old, new in rng.sample(SWAPS, 2):
                text = text.replace(old, new, 1)
            if rng.random() < 0.3:
                second = rng.choice(examples)
                text = f"{text[:-1]} and {second[0].lower()}{second[1:]}"
        if text not in out and text not in examples:
            out.append(text)
    return out


def timed(at: AppTest) -> tuple[float, float]:
    """Wall and CPU milliseconds of one rerun (the whole script, as the server runs it). CPU time
    is the process's, so it is less sensitive to other processes on the machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    at.run()
    wall, cpu = 1000 * (time.perf_counter() - wall), 1000 * (time.process_time() - cpu)
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].value}")
    return wall, cpu


def step_slider(at: AppTest):
    return next((s for s in at.slider if s.label == "Decoder step i"), None)


def timeline_spec(at: AppTest) -> str:
    """The animated chart's figure JSON, as sent to the browser."""
    for chart in at.get("plotly_chart"):
        if '"frames"' in chart.proto.spec:
            return chart.proto.spec
    raise RuntimeError("no animated chart on the page")


def median_p90(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def row(label: str, runs: list[tuple[float, float]], budget: float | None = None) -> str:
    (median, p90), (cpu, _) = median_p90([w for w, _ in runs]), median_p90([c for _, c in runs])
    figures = f"{label:16s} {median:7.0f} {p90:6.0f} {cpu:10.0f} {len(runs):3d}"
    return figures + (f"  {flag(median, budget)}" if budget else "")


def flag(value: float, budget: float) -> str:
    return f"(budget {budget:g})" + ("  << OVER" if value > budget else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=20, help="new inputs per model (at least 15)")
    args = parser.parse_args()
    rng = random.Random(0)
    examples = {card.name: card.examples for card in list_models()}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/attention.py")
    timed(at)  # first run: imports and loads the first model
    print(f"rerun of the attention page, server time in ms (AppTest; {args.inputs} new inputs per model)")
    print(f"  {'model':13s} {'rerun':16s} {'median':>7s} {'p90':>6s} {'CPU median':>10s} {'n':>3s}")
    for model in MODELS:
        at.selectbox(key="attention.model").set_value(model)
        timed(at)  # loads the model (not counted)
        fresh = []
        for text in new_inputs(model, args.inputs, rng, examples[model]):
            at.text_input(key="attention.text").set_value(text)
            fresh.append(timed(at))
        steps, temperatures = [], []
        slider = step_slider(at)
        if slider is not None:  # moves to steps 2, 3, ... and back to 1
            for number in [*range(2, min(int(slider.max), 9) + 1), 1]:
                step_slider(at).set_value(number)
                steps.append(timed(at))
        for value in (0.5, 1.5, 2.0, 3.0, 0.25, 0.75):
            at.slider(key="attention.temperature").set_value(value)
            temperatures.append(timed(at))
        at.slider(key="attention.temperature").set_value(1.0).run()
        print(f"  {model:13s} {row('new input', fresh, 300)}")
        if steps:
            print(f"  {'':13s} {row('step slider', steps)}")
        print(f"  {'':13s} {row('new temperature', temperatures)}")

    print("\nanimated timeline JSON as the browser receives it, MB = 10^6 bytes (budget: 1 MB for 40 characters)")
    letters = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(40))
    words = " ".join(" ".join(examples["en-tr-attn"]).split()[:40])
    forty = [("reverse-attn", letters), ("dates-attn", "Wednesday, the 23rd of September in 1987"),
             ("numbers-attn", "six hundred ninety-nine thousand and one"), ("en-tr-attn", words)]
    for model, text in forty:
        at.selectbox(key="attention.model").set_value(model).run()
        at.text_input(key="attention.text").set_value(text)
        timed(at)
        spec = timeline_spec(at).encode()
        figure = json.loads(spec)
        mb, gzip_mb = len(spec) / 1e6, len(gzip.compress(spec)) / 1e6
        length = f"{len(text.split())} words" if model.startswith("en-tr") else f"{len(text)} characters"
        print(f"  {model:13s} {length:14s} {len(figure['data'][0]['text'][0]):2d} source tokens, "
              f"{len(figure['frames']):3d} frames: {mb:.2f} MB (gzip {gzip_mb:.2f} MB)  {flag(mb, 1)}")


if __name__ == "__main__":
    main()
