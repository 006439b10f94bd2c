"""A fresh clone works: examples name files that exist, and tests that need ../shared say so."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner

from veille.cli import main

from .conftest import ROOT


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line) for line in lines if line.startswith("veille ")]


def test_readme_examples_use_paths_that_exist_in_the_repository():
    commands = readme_commands()
    assert len(commands) >= 5
    for words in commands:
        inputs = []
        skip_next = False
        for w in words[2:]:
            if skip_next:
                skip_next = False
            elif w in ("-o", "--output", "--db", "--scheduler", "--port", "--format", "--workers", "--country",
                       "--since", "--until", "--type"):
                skip_next = True
            elif not w.startswith("-"):
                inputs.append(w)
        for path in inputs:
            assert "../shared" not in path and (ROOT / path).exists(), f"README: `{' '.join(words)}` names {path}"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_help_examples_do_not_need_files_outside_the_repository(command):
    text = CliRunner().invoke(main, [command, "--help"]).output
    examples = text.split("Example", 1)[1].split("Options:", 1)[0]
    assert "../shared" not in examples
    for path in re.findall(r"veille/samples/\S*", examples):
        assert (ROOT / path).exists(), path


def test_without_shared_the_tests_that_need_it_are_skipped_with_one_line():
    env = dict(os.environ, VEILLE_SHARED=str(ROOT / "no-such-folder"))
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
                          "tests/test_cli.py", "-k", "extract_writes_one_event or bad_date_option"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 passed, 1 skipped" in res.stdout
    assert "needs ../shared (the evaluation data beside the checkout), which is missing" in res.stdout
    assert "1 tests skipped: they need ../shared" in res.stdout
