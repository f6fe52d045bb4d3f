"""The openaudit process turns the cyclic garbage collector off for a check of one target (start-up, issue 18),
and keeps it on for a batch (its memory must stay flat) and in a program that hosts the app: one that imports
``openaudit.cli`` or calls ``openaudit.cli.main`` in-process keeps its collector and its finalizers at exit."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openaudit.commands.common import fast_start

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Runs the entry point and reports, at exit, whether the collector was on and the report count printed.
PROBE = """
import atexit, gc, sys
atexit.register(lambda: sys.stderr.write(f"\\ngc-enabled={gc.isenabled()}\\n"))
from openaudit.cli import run
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
    frozen: the start-up tuning is the entry point's (openaudit.cli.run), not main's."""
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
