"""Server-side cost of the attention page, measured with Streamlit's AppTest (no browser).

Prints, per attention model:
- the time of a rerun for a NEW input (nothing cached for it): median and p90 over many inputs.
  Budget: median under 300 ms.
- the time of a rerun that only moves the step slider, and one that changes the temperature;
- the size of the animated timeline's JSON as the browser receives it, for a 40-token input.
  Budget: under 1 MB for a 40-character input.

    python bench/attention_page.py [--inputs 20]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from stats import summary  # noqa: E402

MONTHS = ["January", "March", "May", "July", "September", "November", "Mart", "Mayıs", "Dezember", "juillet"]
WORDS = {"en": ["one", "two", "three", "seven", "twenty", "forty", "hundred", "thousand", "and"],
         "de": ["eins", "zwei", "drei", "sieben", "zwanzig", "hundert", "tausend", "und"]}
SENTENCES = ["I don't know what to do.", "Where are you going?", "He is my best friend.", "I am very tired.",
             "The weather is nice today.", "Can you help me?", "She has lost her keys.", "Why didn't you call me?"]


def new_inputs(model: str, count: int, rng: random.Random) -> list[str]:
    """Inputs the page has not seen in this run."""
    out: set[str] = set()
    while len(out) < count:
        if model.startswith("dates"):
            out.add(f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(1900, 2099)}")
        elif model.startswith("numbers"):
            out.add(" ".join(rng.choice(WORDS[rng.choice(["en", "de"])]) for _ in range(rng.randint(1, 5))))
        elif model.startswith("reverse"):
            out.add("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 30))))
        else:
            a, b = rng.sample(SENTENCES, 2)
            out.add(f"{a[:-1]} and {b[0].lower()}{b[1:]}" if rng.random() < 0.5 else a.replace(".", "!"))
    return sorted(out)


def timed(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    assert not at.exception, at.exception
    return 1000 * (time.perf_counter() - start)


def timeline_bytes(at: AppTest) -> int:
    for chart in at.get("plotly_chart"):
        if '"frames"' in chart.proto.spec:
            return len(chart.proto.spec.encode())
    raise RuntimeError("no animated chart on the page")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(0)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/attention.py")
    timed(at)  # first run: loads the first model
    print("rerun of the attention page (server time; budget: new input, median < 300 ms)")
    for model in ["dates-attn", "numbers-attn", "reverse-attn", "en-de-attn"]:
        at.selectbox(key="attention.model").set_value(model)
        timed(at)  # loads the model once
        fresh = []
        for text in new_inputs(model, args.inputs, rng):
            at.text_input(key="attention.text").set_value(text)
            fresh.append(timed(at))
        steps, temperatures = [], []
        last = int(at.slider(key="attention.step").max) if len(at.slider) > 1 else 1
        for number in range(1, min(last, 8) + 1):
            at.slider(key="attention.step").set_value(number)
            steps.append(timed(at))
        for value in (0.5, 1.5, 2.0, 3.0, 0.25, 1.0):
            at.slider(key="attention.temperature").set_value(value)
            temperatures.append(timed(at))
        print(f"  {model:13s} new input  {summary(fresh, 'ms', 0)}")
        if steps:
            print(f"  {'':13s} step move  {summary(steps, 'ms', 0)}")
        print(f"  {'':13s} temperature {summary(temperatures, 'ms', 0)}")

    print("\nanimated timeline payload (budget: < 1 MB for a 40-character input)")
    forty = {"reverse-attn": "abcdefghijklmnopqrstuvwxyzabcdefghijklmn",
             "dates-attn": "Thursday, the 3rd of May 1979 at noon ok",
             "numbers-attn": "neunhundertneunundneunzigtausendneunhund",
             "en-de-attn": " ".join(["I don't know what to do."] * 6)}
    for model, text in forty.items():
        at.selectbox(key="attention.model").set_value(model)
        at.text_input(key="attention.text").set_value(text)
        at.slider(key="attention.temperature").set_value(1.0)
        timed(at)
        spec = json.loads(next(c.proto.spec for c in at.get("plotly_chart") if '"frames"' in c.proto.spec))
        tokens = len(spec["data"][0]["text"][0])
        print(f"  {model:13s} {len(text):3d} characters, {tokens:2d} source tokens, {len(spec['frames']):3d} frames: "
              f"{timeline_bytes(at) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
