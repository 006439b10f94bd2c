#!/usr/bin/env bash
# Install veille into .venv and run it on the sample articles bundled in the package.
# This is the README's first command.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .
exec .venv/bin/veille demo --db "${1:-veille.db}"
