"""Help and usage errors in plain words (issue 16): every command's ``--help`` shows metavars (TARGET..., FILE,
FORMAT, N), never a Python type, and a bad choice names the values that exist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from openaudit.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
# What typer prints for Python types and ranges: `TARGET <list[str]>`, `{TARGET@REV_A}`, `<table|json>`, `[x>=1]`
TYPE_HINTS = ("list[", "str]", "<", "{", "x>=", "<=x", "int]", "bool]")
FORMATS = {"check": "table, json, jsonl, markdown, sarif or cyclonedx",
           "scan": "table, json, jsonl, markdown, sarif or cyclonedx",
           "inventory": "table, json, jsonl, markdown, sarif or cyclonedx",
           "lock": "table or json", "rules": "table or json", "licenses": "table or json",
           "explain": "table or json", "diff": "table, json or markdown"}
ARGS = {"check": ["examples/open-tiny"], "scan": ["examples"], "lock": ["examples"], "inventory": ["--no-stores"],
        "explain": ["grade"], "diff": ["examples/open-tiny", "examples/open-tiny"]}


def run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    env.update(NO_COLOR="1", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"), COLUMNS="80")
    return subprocess.run([sys.executable, "-m", "openaudit", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)


def test_every_command_is_covered() -> None:
    assert set(FORMATS) == set(COMMANDS)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_has_no_python_types(command: str, tmp_path: Path) -> None:
    proc = run(*([command] if command else []), "--help", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    hints = [h for h in TYPE_HINTS if h in proc.stdout]
    assert not hints, f"{hints} in:\n{proc.stdout}"
    assert all(len(line) <= 80 for line in proc.stdout.splitlines()), proc.stdout
    if command:
        assert f"Usage: openaudit {command} [OPTIONS]" in proc.stdout
        assert "-f, --format FORMAT" in proc.stdout
        assert FORMATS[command] in " ".join(proc.stdout.split())  # the values, in words


@pytest.mark.parametrize(("command", "metavars"), [
    ("check", ["[TARGET]...", "TARGET...", "--from FILE", "--author ORG", "-j, --jobs N", "--fail-on LEVEL"]),
    ("scan", ["[PATH]...", "PATH...", "--summary FILE", "--lock FILE", "--min-severity LEVEL"]),
    ("diff", ["[OLD] [NEW]", "OLD ", "NEW ", "-o, --output FILE"]),
    ("explain", ["[NAME]", "NAME "]),
])
def test_help_shows_plain_metavars(command: str, metavars: list[str], tmp_path: Path) -> None:
    out = run(command, "--help", tmp_path=tmp_path).stdout
    for m in metavars:
        assert m in out, (m, out)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_bad_format_names_the_values(command: str, tmp_path: Path) -> None:
    proc = run(command, *ARGS.get(command, []), "--format", "xml", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("openaudit: error: "), proc.stderr
    assert f"'xml' is not a format; use {FORMATS[command]}" in proc.stderr
    assert "Value error" not in proc.stderr and "not one of" not in proc.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["check", "examples/open-tiny", "--jobs", "9"], "9 is out of range: use a number from 1 to 8"),
    (["check", "examples/open-tiny", "--max-depth", "11"], "11 is out of range: use a number from 0 to 10"),
    (["check", "--author", "acme", "--limit", "0"], "0 is out of range: use 1 or more"),
    (["check", "examples/open-tiny", "--fail-on", "notice"], "'notice' is not a level; use error or warning"),
    (["scan", "examples", "--min-severity", "info"], "'info' is not a severity; use error, warning or note"),
    (["explain"], "missing NAME: a rule code"),
    (["diff", "examples/open-tiny"], "diff needs two targets: OLD and NEW"),
])
def test_usage_errors_in_plain_words(args: list[str], message: str, tmp_path: Path) -> None:
    proc = run(*args, tmp_path=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr


def test_choices_accept_any_case(tmp_path: Path) -> None:
    proc = run("rules", "--format", "JSON", tmp_path=tmp_path)
    assert proc.returncode == 0 and proc.stdout.lstrip().startswith("[")


def test_format_values_complete_in_the_shell() -> None:
    script = Path(sys.executable).parent / "openaudit"  # completion keys on the command's name
    if not script.exists():
        pytest.skip("the openaudit command is not installed beside this Python")
    env = {**os.environ, "_OPENAUDIT_COMPLETE": "complete_bash", "COMP_WORDS": "openaudit check --format ma",
           "COMP_CWORD": "3"}
    proc = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.split() == ["markdown"], proc.stdout + proc.stderr


def test_cli_uses_no_typer_internals() -> None:
    src = ROOT / "src" / "openaudit"
    for path in [src / "cli.py", *sorted((src / "commands").glob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        assert "typer._" not in text and "typer.core" not in text and "registered_commands" not in text, path
        assert "import click" not in text and "from click" not in text, path
