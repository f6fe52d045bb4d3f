"""Hub faults, end to end: the CLI in a subprocess, the real huggingface_hub client, a fault-injecting fake Hub.

Every case ends with either one ``openaudit: error:`` line and exit 3, or a partial report (exit 0/1) that says
which file is missing and why; never a traceback, never chatter on stderr, and always within
2 x OPENAUDIT_TIMEOUT + a few seconds (the check deadline, see openaudit.sources.hub.check_deadline_seconds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakehub import FakeHub, hub_env

CARD = """---
license: apache-2.0
---
# faulty

A toy model card written for openaudit's fault-injection tests.
"""
LICENSE = """\
                                 Apache License
                           Version 2.0, January 2004

A short stand-in written for openaudit's tests, not the license itself.
"""
FILES = {"README.md": CARD, "LICENSE": LICENSE, "model.safetensors": b"\0" * 16}
TOKEN = "hf_faultsecret0123456789"



def contention() -> float:
    """How oversubscribed the machine is (1.0: not at all). Start-up and report costs stretch with it; the
    timeouts and the deadline under test do not."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:
        return 1.0


# Process start-up, imports and the report itself, on a slow CI machine (scaled by contention when measured).
SLACK = 6.0


def run(env: dict[str, str], *args: str, limit: float) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", *args], env=env, capture_output=True,
                          text=True, timeout=limit + 30)
    elapsed = time.monotonic() - start
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    assert elapsed < limit, (elapsed, limit, proc.stderr)
    return proc, elapsed


def bound(timeout: float) -> float:
    return 2 * timeout + 5 + SLACK * contention()


def one_line_error(proc: subprocess.CompletedProcess[str], *mentions: str) -> str:
    assert proc.returncode == 3, (proc.returncode, proc.stdout[-2000:], proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("openaudit: error: "), lines[0]
    for m in mentions:
        assert m in lines[0], (m, lines[0])
    assert proc.stdout == ""
    return lines[0]


def partial_report(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr)
    assert proc.stderr == "", proc.stderr
    return json.loads(proc.stdout)


def statuses(report: dict) -> dict[str, tuple[str, str | None]]:
    return {f["name"]: (f["status"], f["reason"]) for f in report["files"]}


@pytest.fixture
def repo(fake_hub: FakeHub) -> str:
    return fake_hub.add_repo("acme/faulty", FILES)


def env_for(fake_hub: FakeHub, tmp_path: Path, timeout: float, **extra: str) -> dict[str, str]:
    return hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT=str(timeout), **extra)


def test_404_repository(fake_hub: FakeHub, tmp_path: Path) -> None:
    proc, _ = run(env_for(fake_hub, tmp_path, 5, HF_TOKEN=TOKEN), "acme/nothing-here", limit=bound(5))
    one_line_error(proc, "acme/nothing-here", "not found")
    assert TOKEN not in proc.stderr


def test_401_and_403_on_model_info(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    fake_hub.add_fault(r"^/api/models/", status=403, headers={"X-Error-Message": "Forbidden"}, times=1)
    proc, _ = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", limit=bound(5))
    one_line_error(proc, "acme/faulty", "HTTP 403")
    fake_hub.add_fault(r"^/api/models/", status=401, headers={"X-Error-Code": "GatedRepo",
                                                               "X-Error-Message": "Access restricted"}, times=1)
    proc, _ = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", limit=bound(5))
    one_line_error(proc, "acme/faulty", "gated")


def test_revision_not_found(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    proc, _ = run(env_for(fake_hub, tmp_path, 5), "acme/faulty@v9", limit=bound(5))
    one_line_error(proc, "acme/faulty", "revision not found", "v9")


def test_429_with_retry_after_is_retried_then_succeeds(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    fake_hub.add_fault(r"^/api/models/", status=429, headers={"Retry-After": "1"}, times=2)
    proc, elapsed = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", "--format", "json", limit=bound(5))
    report = partial_report(proc)
    assert report["license"]["id"] == "apache-2.0"
    assert [r.status for r in fake_hub.requests_to("^/api/")] == [429, 429, 200]
    assert elapsed >= 2  # Retry-After honoured


def test_429_persistent_is_bounded(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    # A Retry-After of an hour is capped; two retries at most, then one line.
    fake_hub.add_fault(r"^/api/models/", status=429, headers={"Retry-After": "3600"})
    proc, _ = run(env_for(fake_hub, tmp_path, 2), "acme/faulty", limit=bound(2))
    one_line_error(proc, "acme/faulty", "HTTP 429", "rate limited")
    assert len(fake_hub.requests_to("^/api/")) <= 3


def test_500_on_model_info(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    fake_hub.add_fault(r"^/api/models/", status=500, body=b"<html>oops\x1b[31m</html>")
    proc, _ = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", limit=bound(5))
    line = one_line_error(proc, "acme/faulty", "HTTP 500")
    assert "\x1b" not in line


def test_dropped_connection_on_model_info(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    fake_hub.add_fault(r"^/api/models/", drop=True)
    proc, _ = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", limit=bound(5))
    one_line_error(proc, "acme/faulty", "could not reach the Hub")


def test_truncated_model_info_body(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    fake_hub.add_fault(r"^/api/models/", status=200, body=b'{"id": "acme/faulty", "sha": "ab',
                       headers={"Content-Length": "4096", "Connection": "close",
                                "Content-Type": "application/json"})
    proc, _ = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", limit=bound(5))
    one_line_error(proc, "acme/faulty")


def test_slow_model_info_times_out(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    fake_hub.add_fault(r"^/api/models/", delay=20)
    proc, elapsed = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", limit=bound(5))
    one_line_error(proc, "acme/faulty", "could not reach the Hub")
    assert elapsed < 5 + SLACK * contention()


# The slow cases (each waits for a timeout or the check deadline) run concurrently, one repo per case, so the
# file costs ~one deadline rather than the sum of them. Each still has its own time bound.
SLOW_CASES = {
    # Every request for README.md fails: huggingface_hub alone would retry with backoff for ~25 s.
    "acme/readme500": dict(path=r"^/acme/readme500/resolve/[0-9a-f]+/README\.md$", status=500),
    "acme/all503": dict(path=r"^/acme/all503/resolve/", status=503),
    "acme/slowfile": dict(path=r"^/acme/slowfile/resolve/[0-9a-f]+/LICENSE$", delay=30),
    "acme/dropfile": dict(path=r"^/acme/dropfile/resolve/[0-9a-f]+/LICENSE$", method="GET", drop=True),
    "acme/truncfile": dict(path=r"^/acme/truncfile/resolve/[0-9a-f]+/LICENSE$", method="GET", status=200,
                           body=b"Apache Lic", headers={"Content-Length": str(len(LICENSE.encode())),
                                                        "Connection": "close"}),
}
SLOW_TIMEOUT = 2


@pytest.fixture(scope="module")
def slow_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.CompletedProcess, float]]:
    from concurrent.futures import ThreadPoolExecutor

    hub = FakeHub().start()
    try:
        for repo_id, fault in SLOW_CASES.items():
            hub.add_repo(repo_id, FILES)
            fault = dict(fault)
            hub.add_fault(fault.pop("path"), **fault)
        base = tmp_path_factory.mktemp("slow")

        def one(repo_id: str) -> tuple[subprocess.CompletedProcess, float]:
            env = hub_env(hub.url, base / repo_id.replace("/", "_"), OPENAUDIT_TIMEOUT=str(SLOW_TIMEOUT))
            return run(env, repo_id, "--format", "json", limit=bound(SLOW_TIMEOUT) + 3)

        with ThreadPoolExecutor(len(SLOW_CASES)) as pool:
            results = dict(zip(SLOW_CASES, pool.map(one, SLOW_CASES), strict=True))
    finally:
        hub.stop()
    assert not hub.errors, hub.errors
    return results


def slow_report(results: dict, repo_id: str) -> dict:
    proc, elapsed = results[repo_id]
    assert elapsed < bound(SLOW_TIMEOUT) + 3, elapsed  # + 3: five checks share the machine
    return partial_report(proc)


def test_readme_500_partial_report_within_deadline(slow_results: dict) -> None:
    report = slow_report(slow_results, "acme/readme500")
    status, reason = statuses(report)["README.md"]
    assert status == "unreadable" and ("HTTP 500" in reason or "deadline" in reason), reason
    assert report["license"]["id"] == "apache-2.0"  # LICENSE read; card data from model_info
    assert any("README.md could not be read" in n for n in report["notes"])
    assert any(f["rule"] == "OA106" for f in report["findings"])


def test_persistent_503_on_every_file_stops_at_the_deadline(slow_results: dict) -> None:
    files = statuses(slow_report(slow_results, "acme/all503"))
    assert set(files) == {"README.md", "LICENSE"}
    assert all(status == "unreadable" for status, _ in files.values()), files
    assert any("deadline" in (reason or "") for _, reason in files.values()), files


def test_slow_file_partial_report(slow_results: dict) -> None:
    files = statuses(slow_report(slow_results, "acme/slowfile"))
    assert files["LICENSE"][0] == "unreadable", files


def test_dropped_connection_on_a_file(slow_results: dict) -> None:
    files = statuses(slow_report(slow_results, "acme/dropfile"))
    assert files["LICENSE"][0] == "unreadable" and files["README.md"][0] == "read", files


def test_truncated_file_body_is_never_read_as_whole(slow_results: dict) -> None:
    files = statuses(slow_report(slow_results, "acme/truncfile"))
    assert files["LICENSE"][0] == "unreadable", files


def test_token_never_leaks_even_when_the_hub_echoes_it(fake_hub: FakeHub, tmp_path: Path) -> None:
    """A hostile or buggy Hub echoes the bearer token in error headers and bodies: it appears nowhere we write."""
    echo = {"X-Error-Message": f"invalid credentials {TOKEN} for this file", "Content-Type": "text/plain"}
    fake_hub.add_repo("acme/echo", {**FILES, "NOTICE": "notice"})
    fake_hub.add_fault(r"^/acme/echo/resolve/[0-9a-f]+/LICENSE$", status=400, headers=echo,
                       body=f"Authorization: Bearer {TOKEN}".encode())
    fake_hub.add_fault(r"^/acme/echo/resolve/[0-9a-f]+/NOTICE$", method="GET", status=401,
                       headers={**echo, "X-Error-Code": "RepoNotFound"})
    fake_hub.add_fault(r"^/api/models/acme/echo-info", status=400, headers=echo, body=TOKEN.encode())
    env = env_for(fake_hub, tmp_path, 5, HF_TOKEN=TOKEN)
    outputs = []
    report_file = tmp_path / "report.json"
    for fmt in ("json", "table"):
        proc, _ = run(env, "acme/echo", "--format", fmt, limit=bound(5))
        assert proc.returncode in (0, 1), proc.stderr
        outputs += [proc.stdout, proc.stderr]
    proc, _ = run(env, "acme/echo", "--format", "json", "--output", str(report_file), limit=bound(5))
    outputs.append(report_file.read_text())
    report = json.loads(outputs[-1])
    assert statuses(report)["LICENSE"][0] == "unreadable"
    proc, _ = run(env, "acme/echo-info", limit=bound(5))
    one_line_error(proc, "acme/echo-info")
    outputs += [proc.stdout, proc.stderr]
    proc, _ = run(env, "acme/echo-info", "--debug", limit=bound(5))
    outputs += [proc.stdout, proc.stderr]
    assert all(r.has_auth for r in fake_hub.requests_to())  # the token was sent...
    for text in outputs:  # ...and never written back
        assert TOKEN not in text and "faultsecret" not in text, text[-2000:]
    store = tmp_path / "hf" / "openaudit"  # what openaudit keeps beside the Hub cache for --offline
    for path in store.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
