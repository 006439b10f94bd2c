"""Regenerate docs/cli.md from the commands' --help (tests/test_cli.py checks it is current)."""
from pathlib import Path

from click.testing import CliRunner

from veille.cli import main

parts = ["# Command reference\n", "Generated from `--help` by `python docs/cli_reference.py`; do not edit by hand.\n"]
for name in sorted(main.commands):
    out = CliRunner().invoke(main, [name, "--help"], terminal_width=100).output
    parts.append(f"## veille {name}\n\n```\n{out.strip()}\n```\n")
Path(__file__).with_name("cli.md").write_text("\n".join(parts), encoding="utf-8")
