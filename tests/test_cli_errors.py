"""Errors that help (issue 16): a TARGET that is neither a local path nor a Hub repository says both; a Hub
that cannot be reached says whether ``--offline`` would help (a cached copy exists or not).

Expected, written before the runs: `check modls/x` (a mistyped directory that reads as a Hub id) against a
Hub without that repository -> exit 3, one line naming the missing local path and the missing Hub repository;
`check ./modls/x` -> exit 2, "no such file or directory, and not a Hub model id"; `check acme/tiny` with the
Hub down -> exit 3, one line "could not reach the Hub ... --offline would not help: no cached copy" before
any online check, and "a cached copy exists: re-run with --offline" after one, where `--offline` then works.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fakehub import FakeHub, dead_endpoint, hub_env

CARD = "---\nlicense: mit\n---\n# tiny\n\nA test model.\n"


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openaudit", *args], env=env, capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).parent)


def one_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("openaudit: error: "), proc.stderr
    return lines[0]


def test_missing_path_that_is_no_hub_repository_says_both(fake_hub: FakeHub, tmp_path: Path) -> None:
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")
    line = one_line(run_cli(env, "check", "modls/x"), 3)
    assert line.startswith("openaudit: error: modls/x: not found: no such local file or directory, and no Hub "
                           "repository of that name"), line


def test_explicit_path_that_does_not_exist(tmp_path: Path) -> None:
    env = hub_env(dead_endpoint(), tmp_path / "hf", OPENAUDIT_TIMEOUT="5")
    line = one_line(run_cli(env, "check", "./modls/x"), 2)
    assert line == ("openaudit: error: ./modls/x: no such file or directory, and not a Hub model id "
                    "(org/name[@revision])")


def test_unreachable_hub_says_whether_offline_would_help(fake_hub: FakeHub, tmp_path: Path) -> None:
    hf_home = tmp_path / "hf"
    fake_hub.add_repo("acme/tiny", {"README.md": CARD, "LICENSE": "MIT License\n"})
    down = hub_env(dead_endpoint(), hf_home, OPENAUDIT_TIMEOUT="5")
    line = one_line(run_cli(down, "check", "acme/tiny"), 3)
    assert "acme/tiny: could not reach the Hub at" in line
    assert "--offline would not help: no cached copy" in line, line
    assert "no local file or directory of that name" in line

    up = hub_env(fake_hub.url, hf_home, OPENAUDIT_TIMEOUT="10")
    assert run_cli(up, "check", "acme/tiny").returncode == 0  # one online check caches the revision
    line = one_line(run_cli(down, "check", "acme/tiny"), 3)
    assert "a cached copy exists: re-run with --offline to audit it" in line, line
    offline = run_cli(down, "check", "acme/tiny", "--offline")
    assert offline.returncode == 0 and "acme/tiny" in offline.stdout, offline.stderr
