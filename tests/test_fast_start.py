"""The openaudit process turns the cyclic garbage collector off for a check of one target (start-up, issue 18),
and keeps it on for a batch (its memory must stay flat) and in a program that hosts the app."""

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
from openaudit.cli import main
sys.argv = ["openaudit", "check", *sys.argv[1:], "--format", "json"]
main()
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
