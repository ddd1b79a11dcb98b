"""Write the SHA-256 of a model's weights file (and piece model file) into its card, so that load_model refuses a damaged
or swapped file. save_model stamps what it saves; this is for weights that arrive another way
(copied, or saved by an older version), after they are known to be right:

    python -m core.stamp en-tr-attn en-tr-noattn          # checkpoints/NAME.json gets "weights_sha256"
    python -m core.stamp --all --dir path/to/checkpoints

The card must pass its schema and the weights must fit its config and be finite, or nothing is
written. The card keeps its layout (save_model's: one-space indent, UTF-8, final newline).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .checkpoint import CHECKPOINT_DIR, CheckpointError, _checked_name, _load_weights, card_path, list_models, read_card


def stamp(name: str, directory: Path = CHECKPOINT_DIR) -> str:
    """Check model `name` in `directory` and write its weights' SHA-256 into its card; returns it."""
    path = card_path(_checked_name(name), directory)
    card = read_card(path)
    _, digest, pieces_digest = _load_weights(name, card, directory)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["weights_sha256"] = digest
    if pieces_digest:
        data["pieces_sha256"] = pieces_digest
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="model names (checkpoints/NAME.json)")
    parser.add_argument("--all", action="store_true", help="every readable card in the directory")
    parser.add_argument("--dir", type=Path, default=CHECKPOINT_DIR, help="checkpoint directory")
    args = parser.parse_args(argv)
    names = list(args.names) + ([card.name for card in list_models(args.dir)] if args.all else [])
    if not names:
        parser.error("name at least one model, or pass --all")
    failed = 0
    for name in names:
        try:
            print(f"{name}: sha256 {stamp(name, args.dir)}")
        except CheckpointError as err:
            print(f"{name}: not stamped: {err}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
