#!/usr/bin/env bash
# Install veille with its test dependencies into .venv and run the test suite.
# This is the README's second command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[test]"
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
