#!/usr/bin/env bash
# Create .venv (once) and install the pinned requirements into it. Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
file=requirements.txt
[ "${1:-}" = dev ] && file=requirements-dev.txt
stamp=".venv/.installed-$(basename "$file" .txt)"
if [ ! -f "$stamp" ] || [ "$file" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$file"
  touch "$stamp"
fi
