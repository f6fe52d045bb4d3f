"""The openaudit process (console script, ``python -m openaudit``: ``openaudit.__main__.run``) turns the cyclic
garbage collector off from its start, before typer is imported, and keeps it off for a check of one target
(start-up, issue 18); a batch (its memory must stay flat) and every other command run with it on. A program that
hosts the app, importing ``openaudit.cli`` or calling ``openaudit.cli.main`` in-process, keeps its collector and
its finalizers at exit."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from openaudit.commands.common import fast_start

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Runs the entry point and reports, at exit, whether the collector was on and the report count printed.
PROBE = """
import atexit, gc, sys
atexit.register(lambda: sys.stderr.write(f"\\ngc-enabled={gc.isenabled()}\\n"))
from openaudit.__main__ import run
sys.argv = ["openaudit", "check", *sys.argv[1:], "--format", "json"]
run()
"""


def _run(*targets: str) -> tuple[bool, list]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", PROBE, *targets], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    enabled = proc.stderr.strip().splitlines()[-1]
    return enabled == "gc-enabled=True", json.loads(proc.stdout)


@pytest.mark.slow
def test_one_target_runs_without_the_collector_and_a_batch_with_it():
    on, reports = _run(str(EXAMPLES / "community-capped"))
    assert not on
    assert reports["license"]["id"]  # one target: one report object
    on, reports = _run(str(EXAMPLES / "community-capped"), str(EXAMPLES / "open-tiny"))
    assert on
    assert len(reports) == 2


def test_a_host_program_keeps_its_collector():
    """Without the entry point (a program calling the app or the commands), fast_start changes nothing."""
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    fast_start(one_target=True)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


# A reference cycle whose finalizer must run at exit: the interpreter's last collection finds it, unless the
# objects were frozen out of it.
FINALIZER = """
import gc, sys
{imports}
class Node:
    def __del__(self):
        sys.stdout.write("finalizer ran\\n")
gc.disable()  # the cycle must survive until the interpreter's last collection
a = Node(); a.me = a
del a
"""


@pytest.mark.parametrize("imports", ["", "import openaudit.cli"])
def test_importing_the_cli_keeps_the_hosts_finalizers_at_exit(imports: str) -> None:
    """Importing openaudit.cli used to register gc.freeze at exit for every host: cyclic garbage then never
    reached its finalizer (a temp file not removed, a log not flushed)."""
    proc = subprocess.run([sys.executable, "-c", FINALIZER.format(imports=imports)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "finalizer ran" in proc.stdout


def test_calling_main_in_process_leaves_the_hosts_collector_on(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A host calling openaudit.cli.main() in-process (catching SystemExit) keeps its collector on and nothing
    frozen: the start-up tuning is the entry point's (openaudit.__main__.run), not main's."""
    from openaudit.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(sys, "argv", ["openaudit", "check", str(EXAMPLES / "community-capped"), "-f", "json"])
    frozen = gc.get_freeze_count()
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code in (0, 1)
    assert json.loads(capsys.readouterr().out)["license"]
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


# Started with the process (a sitecustomize module on PYTHONPATH, before any code of the entry point runs): notes
# whether the collector was on when typer was first imported, and whether it is on at exit (nothing changes it
# after the command started, so this is its state while the command ran).
SITECUSTOMIZE = """
import atexit, gc, sys

class _TyperProbe:
    seen = None

    def find_spec(self, name, path=None, target=None):
        if name == "typer" and _TyperProbe.seen is None:
            _TyperProbe.seen = f"gc-at-typer-import={gc.isenabled()} typer-loaded={'typer' in sys.modules}"
        return None

sys.meta_path.insert(0, _TyperProbe())
atexit.register(lambda: sys.stderr.write(f"\\n{_TyperProbe.seen} gc-at-exit={gc.isenabled()}\\n"))
"""


def _console_script() -> list[str]:
    """The console script as pyproject.toml declares it (module:function), run the way its wrapper runs it."""
    entry = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["openaudit"]
    module, func = entry.split(":")
    return [sys.executable, "-c", f"import sys; from {module} import {func}; sys.argv[0] = 'openaudit'; "
            f"sys.exit({func}())"]


ENTRY_POINTS = {"console script": _console_script(), "python -m openaudit": [sys.executable, "-m", "openaudit"]}


def _probe(tmp_path: Path, entry: str, *args: str, exit_codes: tuple[int, ...] = (0, 1)) -> tuple[str, str]:
    """(what the probe saw when typer was imported, whether the collector was on at exit) for one run."""
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(tmp_path)}
    proc = subprocess.run([*ENTRY_POINTS[entry], *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode in exit_codes, proc.stderr
    seen, _, at_exit = proc.stderr.strip().splitlines()[-1].rpartition(" ")
    return seen, at_exit


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_the_collector_is_off_before_typer_is_imported(tmp_path: Path, entry: str) -> None:
    """The console script and ``python -m openaudit`` turn the collector off before the CLI imports typer (it ran
    over and over while typer, click and pydantic loaded: ~2% of a local check); ``--version`` then runs with it
    on again, like every command that does not call fast_start."""
    seen, at_exit = _probe(tmp_path, entry, "--version")
    assert seen == "gc-at-typer-import=False typer-loaded=False"
    assert at_exit == "gc-at-exit=True"


@pytest.mark.parametrize(("args", "code"), [(("--help",), 0), (("rules", "--format", "json"), 0),
                                            (("check", "--help"), 0), (("explain", "grade"), 0), (("chek",), 2)])
def test_commands_without_fast_start_run_with_the_collector_on(tmp_path: Path, args: tuple[str, ...],
                                                               code: int) -> None:
    """Help, a usage error and the commands that do not call fast_start run with the collector on."""
    seen, at_exit = _probe(tmp_path, "python -m openaudit", *args, exit_codes=(code,))
    assert seen.startswith("gc-at-typer-import=False")
    assert at_exit == "gc-at-exit=True"


@pytest.mark.slow
@pytest.mark.parametrize(("args", "on"), [
    (("check", str(EXAMPLES / "community-capped"), "-f", "json"), False),  # one target: off to the end
    (("check", str(EXAMPLES / "community-capped"), str(EXAMPLES / "open-tiny"), "-f", "json"), True),  # batch
    (("scan", str(EXAMPLES), "--offline"), True),
    (("diff", str(EXAMPLES / "community-capped"), str(EXAMPLES / "open-tiny"), "-f", "json"), True),
])
def test_the_collector_is_on_for_a_batch_scan_and_diff(tmp_path: Path, args: tuple[str, ...], on: bool) -> None:
    """After start-up the collector is as before: off for a check of one target, on for a batch, a scan (both
    call fast_start) and a diff (which does not)."""
    seen, at_exit = _probe(tmp_path, "console script", *args)
    assert seen.startswith("gc-at-typer-import=False")
    assert at_exit == f"gc-at-exit={on}"


def test_fast_start_commands_are_the_ones_that_call_it() -> None:
    """The entry point leaves the collector off for the commands of cli.FAST_START until they call fast_start:
    a command listed there that no longer calls it would run a batch with the collector off for good."""
    import inspect

    from openaudit.cli import COMMANDS, FAST_START

    calling = {name for name, command in COMMANDS.items() if "fast_start(" in inspect.getsource(command)}
    assert calling == FAST_START


def test_the_former_console_script_entry_point_still_runs(tmp_path: Path) -> None:
    """A console-script wrapper written by an install made before the entry point moved (``openaudit.cli:run``;
    an editable install keeps its scripts until reinstalled) still runs the CLI instead of failing with an
    ImportError traceback."""
    wrapper = "import sys\nfrom openaudit.cli import run\nsys.argv[0] = 'openaudit'\nsys.exit(run())\n"
    proc = subprocess.run([sys.executable, "-c", wrapper, "--version"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and not proc.stderr
    proc = subprocess.run([sys.executable, "-c", wrapper, "chek"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=120)
    assert proc.returncode == 2 and proc.stderr.startswith("openaudit: error:") and len(proc.stderr.splitlines()) == 1
