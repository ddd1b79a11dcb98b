"""Gather the screenshots the browser tests took into one page a person can open.

The browser tests write PNG files to artifacts/screenshots/ (every page at 1280x720, 1920x1080 and
the phone width, frames that went blank, downloaded animations). This writes
artifacts/screenshots/index.html, a contact sheet of all of them (each image with its file name,
biggest views first by name), and, when ARTIFACTS_DIR is set, copies the folder there so a CI
runner that keeps a directory keeps them. Prints what it gathered. Standard library only.

    python scripts/screenshot_index.py [FOLDER]
"""
from __future__ import annotations

import html
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_index(folder: Path) -> Path:
    """Write folder/index.html listing every PNG in `folder` (sorted by name) and return its path."""
    shots = sorted(p for p in folder.glob("*.png"))
    figures = "\n".join(
        f'<figure><a href="{html.escape(p.name)}"><img src="{html.escape(p.name)}" loading="lazy" '
        f'alt="{html.escape(p.stem)}"></a><figcaption>{html.escape(p.name)}</figcaption></figure>' for p in shots)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Screenshots of the browser tests</title>
<style>body{{font-family:sans-serif;margin:1rem}} figure{{display:inline-block;margin:.5rem;vertical-align:top}}
img{{max-width:420px;max-height:420px;border:1px solid #ccc}} figcaption{{font-size:.8rem}}</style></head>
<body><h1>Screenshots of the browser tests ({len(shots)})</h1>
{figures}
</body></html>
"""
    index = folder / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else ROOT / "artifacts" / "screenshots"
    if not folder.is_dir() or not any(folder.glob("*.png")):
        print(f"screenshots: none in {folder}")
        return 0
    index = write_index(folder)
    count = len(list(folder.glob("*.png")))
    size = sum(p.stat().st_size for p in folder.glob("*.png")) / 1e6
    print(f"screenshots: {count} files ({size:.1f} MB), contact sheet {index}")
    target = os.environ.get("ARTIFACTS_DIR")
    if target:
        destination = Path(target) / "screenshots"
        shutil.copytree(folder, destination, dirs_exist_ok=True)
        print(f"screenshots: copied to {destination}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
