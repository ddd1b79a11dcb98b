"""Extract the human-rated sentences of VADER's ground truth for the `sentiment` task.

Source: the source distribution of the PyPI package `vaderSentiment` 3.3.2 (MIT licence, (c) C.J.
Hutto). Only the sdist holds additional_resources/hutto_ICWSM_2014.tar.gz, the data of Hutto &
Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social Media Text",
ICWSM 2014: four files `<source>_GroundTruth.txt` of snippets (movie reviews, tweets, New York
Times editorials, Amazon product reviews), each line `id<TAB>mean rating<TAB>text`, the mean of
about 20 people's ratings from -4 (most negative) to +4 (most positive).

Labels: negative if the mean rating is <= -0.5, positive if >= +0.5, neutral between. Half a
point on a 9-point scale is where raters stop agreeing on a direction: it keeps a neutral class
of about a fifth of the snippets (the editorials and product snippets hold many factual ones)
instead of forcing them to a side.

Output: data/sentiment/sentences.tsv, columns source, id, rating, label, text (NFC, white space
collapsed, HTML entities of the tweets decoded, exact duplicate texts dropped, the first kept).

    python scripts/fetch_sentiment.py
"""
from __future__ import annotations

import html
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

PACKAGE = "vaderSentiment==3.3.2"
OUT = Path(__file__).resolve().parent.parent / "data" / "sentiment" / "sentences.tsv"
SOURCES = {"movieReviewSnippets": "movie", "tweets": "tweet", "nytEditorialSnippets": "editorial",
           "amazonReviewSnippets": "product"}
NEGATIVE_BELOW, POSITIVE_ABOVE = -0.5, 0.5


def label_of(rating: float) -> str:
    if rating <= NEGATIVE_BELOW:
        return "negative"
    if rating >= POSITIVE_ABOVE:
        return "positive"
    return "neutral"


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(text))
    return re.sub(r"\s+", " ", text).strip()


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "--no-binary", ":all:",
                        "-d", tmp, "--quiet"], check=True)
        sdist = next(Path(tmp).glob("vaderSentiment-*.tar.gz"))
        with tarfile.open(sdist) as outer:
            inner_member = next(m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz"))
            inner_bytes = outer.extractfile(inner_member).read()
    rows, seen = [], set()
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for prefix, source in SOURCES.items():
            member = next(m for m in inner.getmembers() if m.name.endswith(f"{prefix}_GroundTruth.txt"))
            for line in decode(inner.extractfile(member).read()).splitlines():
                parts = line.split("\t")
                if len(parts) < 3:
                    continue
                text = clean(" ".join(parts[2:]))
                if not text or text in seen:
                    continue
                seen.add(text)
                rating = float(parts[1])
                rows.append(f"{source}\t{parts[0].strip()}\t{rating:g}\t{label_of(rating)}\t{text}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("source\tid\trating\tlabel\ttext\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} snippets -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
