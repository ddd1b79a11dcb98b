"""Server-side cost of the lecture-path pages, measured with Streamlit's AppTest (no browser).

Prints, per page and setting, the server time of a rerun for a NEW input (nothing cached for it),
median and p90 over `--inputs` inputs (budget: median under 300 ms); the gradient demonstration of
the encoder-decoder page for a new 100-character text (budget: 1 s); and the JSON size of each
page's animation for a long input.

    python bench/lecture_pages.py [--inputs 15]

Wall-clock and CPU times as in bench/attention_page.py (same helpers); noisy on a shared machine.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from streamlit.testing.v1 import AppTest  # noqa: E402

from attention_page import flag, row, timed  # noqa: E402
from core import list_models  # noqa: E402

LINES = ["Now is the winter of our discontent", "Friends, Romans, countrymen, lend me your ears",
         "What light through yonder window breaks", "Is this a dagger which I see before me",
         "The quality of mercy is not strained", "Shall I compare thee to a summer's day",
         "All that glisters is not gold", "Brevity is the soul of wit", "The lady doth protest too much"]
PEOPLE = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Marie Curie", "Nikola Tesla", "Aziz Sancar"]
PLACES = ["London", "Paris", "Ankara", "Boston", "Vienna", "Lagos", "Lima"]
ORGS = ["Siemens", "the United Nations", "Google", "Airbus", "Reuters"]
OPINIONS = ["The {x} was {a}, but the {y} was {b}.", "I {v} this {x}.", "What a {a} {x}!", "The {x} is not {a}."]
WORDS = dict(x=["film", "phone", "hotel", "plot", "service", "camera"], y=["ending", "price", "staff", "music"],
             a=["dull", "great", "awful", "lovely", "slow", "brilliant"], b=["superb", "terrible", "fine", "poor"],
             v=["love", "hate", "like", "regret"])


def new_texts(kind: str, count: int, rng: random.Random) -> list[str]:
    out: list[str] = []
    while len(out) < count:
        if kind == "lm":
            text = f"{rng.choice(LINES)}, {rng.choice(LINES).lower()}"
        elif kind == "ner":
            text = (f"{rng.choice(PEOPLE)} met {rng.choice(PEOPLE)} at {rng.choice(ORGS)} in {rng.choice(PLACES)} "
                    f"on {rng.randint(1, 28)} May {rng.randint(1950, 2030)}.")
        elif kind == "sentiment":
            text = rng.choice(OPINIONS).format(**{k: rng.choice(v) for k, v in WORDS.items()})
        elif kind == "dates":
            text = f"{rng.randint(1, 28)} {rng.choice(['May', 'June', 'March'])} {rng.randint(1900, 2099)}"
        else:
            text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(8, 30)))
        if text not in out:
            out.append(text)
    return out


def page(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.switch_page(path)
    at.query_params.update(query or {})
    timed(at)  # first run: imports and models (not counted)
    return at


def box(at: AppTest, key: str):
    """The page's text input or text area with this key."""
    found = [w for w in [*at.text_input, *at.text_area] if w.key == key]
    return found[0]


def fresh_reruns(at: AppTest, key: str, texts: list[str]) -> list[tuple[float, float]]:
    runs = []
    for text in texts:
        box(at, key).set_value(text)
        runs.append(timed(at))
    return runs


def animation_mb(at: AppTest) -> float:
    sizes = [len(c.proto.spec) for c in at.get("plotly_chart") if '"frames"' in c.proto.spec]
    return max(sizes) / 1e6 if sizes else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(0)
    names = {card.name for card in list_models()}
    n = args.inputs
    print(f"rerun for a new input, server time in ms (AppTest; {n} new inputs each)")
    print(f"  {'page / setting':34s} {'':16s} {'median':>7s} {'p90':>6s} {'CPU median':>10s} {'n':>3s}")
    for cell in ("rnn", "gru", "lstm"):
        if f"lm-{cell}" in names:
            at = page("pages/rnn.py", {"cell": cell})
            print(f"  {'/rnn  lm-' + cell:34s} {row('new text', fresh_reruns(at, 'rnn.text', new_texts('lm', n, rng)), 300)}")
    for pattern, kind in (("labeling", "ner"), ("classification", "sentiment"), ("lm", "lm")):
        at = page("pages/architectures.py", {"pattern": pattern})
        runs = fresh_reruns(at, "arch.text", new_texts(kind, n, rng))
        label = "new text" + (" + 200 generated" if pattern == "lm" else "")
        print(f"  {'/architectures  ' + pattern:34s} {row(label, runs, 300)}")
    at = page("pages/encoder-decoder.py", {"model": "dates-noattn"})
    print(f"  {'/encoder-decoder  dates-noattn':34s} "
          f"{row('new input', fresh_reruns(at, 'encdec.text', new_texts('dates', n, rng)), 300)}")
    print(f"  {'/encoder-decoder  bottleneck':34s} "
          f"{row('new letters', fresh_reruns(at, 'encdec.letters', new_texts('reverse', n, rng)), 300)}")
    hundred = [(t * 3)[:100] for t in new_texts("lm", max(5, n // 3), rng)]
    print(f"  {'/encoder-decoder  gradients':34s} "
          f"{row('100 characters', fresh_reruns(at, 'encdec.long', hundred), 1000)}")
    at = page("pages/compare.py", {"task": "reverse"})
    print(f"  {'/compare  reverse':34s} "
          f"{row('new input', fresh_reruns(at, 'compare.text', new_texts('reverse', n, rng)), 300)}")

    print("\nanimation JSON for a long input (MB = 10^6 bytes)")
    line = " ".join(LINES)[:300]
    for path, query, key, text in (
            ("pages/rnn.py", {"cell": "lstm"}, "rnn.text", line),
            ("pages/architectures.py", {"pattern": "lm", "length": "300"}, "arch.text", line),
            ("pages/encoder-decoder.py", {"model": "reverse-noattn"}, "encdec.text", "abcdefghijklmnopqrstuvwxyzabcdefghijklmn")):
        at = page(path, query)
        box(at, key).set_value(text)
        timed(at)
        mb = animation_mb(at)
        print(f"  {path:28s} {len(text):4d} characters: {mb:.2f} MB  {flag(mb, 1)}")


if __name__ == "__main__":
    main()
