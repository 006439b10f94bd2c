#!/usr/bin/env bash
# Install veille with its test dependencies into .venv, start the services the tests use
# (PostgreSQL, and Chromium for the web page), and run the test suite.
# This is the README's second command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/services.sh)"
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[test]"
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
