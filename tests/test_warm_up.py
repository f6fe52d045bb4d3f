"""The warm-up of a Hub check (openaudit.audit.start_warm_up, issue 18): while the check's first request is in
flight, a background thread loads what the audit needs (the rest of huggingface_hub, the readers, the catalog,
rules and patterns). It must never change a report, never print, never fail the check, and never start for a
local target. OPENAUDIT_NO_WARM_UP=1 turns it off: the reports with and without it are compared here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import FakeHub, hub_env
from test_lineage import LLAMA_LICENSE, MIT_LICENSE, card

ROOT = Path(__file__).resolve().parent.parent
APACHE = ROOT.parent / "shared" / "corpus" / "licenses" / "apache-2.0.txt"
RESTRICTIVE = """Acme Model License

1. You may use, copy and modify the Model for research purposes only; commercial use is not permitted.
2. You will not use the Model or its outputs to train or improve any other large language model.
3. The Model may not be used in the European Union.
"""


def _repos(hub: FakeHub) -> list[str]:
    apache = APACHE.read_text(encoding="utf-8") if APACHE.exists() else "Apache License\nVersion 2.0, January 2004\n"
    hub.add_repo("acme/apache", {"README.md": card("apache-2.0"), "LICENSE": apache})
    hub.add_repo("acme/restricted", {"README.md": card("other"), "LICENSE": RESTRICTIVE, "USE_POLICY.md": "policy"})
    hub.add_repo("acme/root", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    hub.add_repo("acme/leaf", {"README.md": card("mit", base="acme/root", relation="finetune", datasets=["acme/data"]),
                               "LICENSE": MIT_LICENSE})
    hub.add_dataset("acme/data", card_data={"license": "cc-by-4.0"})
    return ["acme/apache", "acme/restricted", "acme/leaf"]


def _check(env: dict[str, str], target: str, *extra: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", target, *extra], env=env,
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_hub_check_output_is_the_same_with_and_without_warm_up(fake_hub: FakeHub, tmp_path: Path, fmt: str) -> None:
    targets = _repos(fake_hub)
    fake_hub.add_fault("", delay=0.05)  # the warm-up runs while requests are in flight, as it does for real
    for target in targets:
        outs = []
        for i, switch in enumerate(("0", "1")):  # each run cold: a Hub cache of its own
            env = hub_env(fake_hub.url, tmp_path / f"hf-{target.replace('/', '-')}-{i}", OPENAUDIT_TIMEOUT="10",
                          OPENAUDIT_NO_WARM_UP=switch)
            outs.append(_check(env, target, "--format", fmt))
        (code, out, err), (code_off, out_off, err_off) = outs
        assert code in (0, 1) and "Traceback" not in err, err
        assert (code, out, err) == (code_off, out_off, err_off), target
        if fmt == "json":
            assert json.loads(out)["target"]["id"] == target


def test_warm_up_errors_are_said_like_without_it(fake_hub: FakeHub, tmp_path: Path) -> None:
    """A check that fails (no such repository) ends with the same one line and exit code, warm-up or not."""
    fake_hub.add_fault("", delay=0.05)
    runs = [_check(hub_env(fake_hub.url, tmp_path / f"hf{s}", OPENAUDIT_TIMEOUT="10", OPENAUDIT_NO_WARM_UP=s),
                   "acme/missing", "--format", "json") for s in ("0", "1")]
    assert runs[0] == runs[1] and runs[0][0] == 3 and runs[0][2].count("\n") == 1


# The CLI in a subprocess that notes in the file {note} when the warm-up is started (time.monotonic(), the clock the
# fake Hub stamps its requests with); with {mode} "fail", openaudit.audit.warm_up raises (after noting "failed").
PATCHED_CLI = """
import sys, time
import openaudit.audit as a
def note(line):
    with open({note!r}, "a") as fh:
        fh.write(line + "\\n")
real_start = a.start_warm_up
def start():
    note(str(time.monotonic()))
    real_start()
a.start_warm_up = start
def broken():
    note("failed")
    raise RuntimeError("warm-up failed")
if {mode!r} == "fail":
    a.warm_up = broken
from openaudit.__main__ import run
sys.argv = ["openaudit", *sys.argv[1:]]
run()
"""


def _patched_check(env: dict[str, str], mode: str, note: Path, *args: str) -> tuple[int, str, str]:
    code = PATCHED_CLI.format(mode=mode, note=str(note))
    proc = subprocess.run([sys.executable, "-c", code, "check", *args], env=env, capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_a_failing_warm_up_does_not_change_the_report(fake_hub: FakeHub, tmp_path: Path) -> None:
    _repos(fake_hub)
    fake_hub.add_fault("", delay=0.05)
    note = tmp_path / "started"
    expected = _check(hub_env(fake_hub.url, tmp_path / "hf0", OPENAUDIT_TIMEOUT="10", OPENAUDIT_NO_WARM_UP="1"),
                      "acme/restricted", "--format", "json")
    got = _patched_check(hub_env(fake_hub.url, tmp_path / "hf1", OPENAUDIT_TIMEOUT="10"), "fail", note,
                         "acme/restricted", "--format", "json")
    assert note.read_text().splitlines()[1:] == ["failed"]  # the warm-up started and failed...
    assert got == expected and expected[0] in (0, 1)  # ...and the audit loaded what it needed itself, nothing said


def test_warm_up_starts_once_when_the_first_hub_request_is_sent(fake_hub: FakeHub, tmp_path: Path) -> None:
    _repos(fake_hub)
    fake_hub.add_fault("", delay=0.2)
    note = tmp_path / "started"
    code, _, err = _patched_check(hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10"), "note", note,
                                  "acme/leaf", "--format", "json")
    assert code in (0, 1), err
    started = [float(x) for x in note.read_text().splitlines()]
    model_info = min(fake_hub.requests_to(), key=lambda r: r.started)
    assert model_info.path.startswith("/api/models/acme/leaf")
    assert len(started) == 1 and started[0] < model_info.ended  # once, before model_info answered


def test_no_warm_up_for_local_or_offline_targets(fake_hub: FakeHub, tmp_path: Path) -> None:
    _repos(fake_hub)
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")
    assert _check(env, "acme/apache", "--format", "json")[0] in (0, 1)  # cached for --offline below
    note = tmp_path / "started"
    for target in (str(ROOT / "examples" / "open-tiny"), "acme/apache"):
        code, _, err = _patched_check(env, "note", note, target, "--offline", "--format", "json")
        assert code in (0, 1), err
    assert not note.exists()  # no request, nothing to overlap: never started


def test_batch_output_is_the_same_and_warm_up_starts_with_the_listing(fake_hub: FakeHub, tmp_path: Path) -> None:
    for i in range(4):
        fake_hub.add_repo(f"acme-batch/m{i}", {"README.md": card("apache-2.0" if i % 2 else "other"),
                                              "LICENSE": RESTRICTIVE if i % 2 == 0 else MIT_LICENSE})
    fake_hub.add_fault("", delay=0.1)
    argv = ("--author", "acme-batch", "--jobs", "4", "--format", "jsonl")
    off = _check(hub_env(fake_hub.url, tmp_path / "hf0", OPENAUDIT_TIMEOUT="10", OPENAUDIT_NO_WARM_UP="1"), *argv)
    fake_hub.clear()
    note = tmp_path / "started"
    on = _patched_check(hub_env(fake_hub.url, tmp_path / "hf1", OPENAUDIT_TIMEOUT="10"), "note", note, *argv)
    assert off[0] in (0, 1) and (on[0], on[2]) == (off[0], off[2]), on[2]
    assert sorted(on[1].splitlines()) == sorted(off[1].splitlines())  # streamed in the order they finish
    assert len(on[1].splitlines()) == 4
    listing = min(fake_hub.requests_to(), key=lambda r: r.started)
    assert listing.path.startswith("/api/models?") or listing.path.startswith("/api/models/?"), listing.path
    started = [float(x) for x in note.read_text().splitlines()]  # (each model's first request asks again: no-op)
    assert started[0] < listing.ended  # while the listing's first page was on its way
