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

pytestmark = pytest.mark.slow  # real timeouts and retries against the fake Hub

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
    assert "\x1b" not in proc.stderr and "\x1b" not in proc.stdout  # nothing from the Hub reaches the terminal
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
    # A Retry-After of an hour is beyond min(10 s, OPENAUDIT_TIMEOUT): not waited for, the line says when to retry.
    fake_hub.add_fault(r"^/api/models/", status=429, headers={"Retry-After": "3600"})
    proc, elapsed = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", limit=bound(5))
    one_line_error(proc, "acme/faulty", "HTTP 429", "rate limited", "retry after 3600 s")
    assert len(fake_hub.requests_to("^/api/")) == 1
    assert elapsed < 3 + SLACK * contention()
    # Without Retry-After: retried twice (1 s, then 2 s apart), then one line.
    fake_hub.clear()
    fake_hub.faults.clear()
    fake_hub.add_fault(r"^/api/models/", status=429)
    proc, elapsed = run(env_for(fake_hub, tmp_path, 5), "acme/faulty", limit=bound(5))
    one_line_error(proc, "acme/faulty", "HTTP 429", "rate limited")
    assert len(fake_hub.requests_to("^/api/")) == 3
    assert 3 <= elapsed < 3 + SLACK * contention()


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


# The file-level faults run concurrently, one repo per case (a few at a time: each child needs a core to start), so
# the file costs about the slowest case rather than the sum. Each case has its own time bound: OPENAUDIT_TIMEOUT=5
# as in the Bar, and retries bounded so that no case comes near the 15 s check deadline (2 x 5 + 5).
FILE_TIMEOUT = 5
EXTRA = {"NOTICE": "notice", "LICENSE.md": "more", "LICENSE-MODEL": "more", "USE_POLICY.md": "policy"}
_RESOLVE = r"^/acme/{}/resolve/[0-9a-f]+/"
FILE_CASES: dict[str, tuple[float, list[dict], float]] = {
    # repo: (OPENAUDIT_TIMEOUT, faults, seconds it may take beyond start-up)
    # Every request for README.md answers 500: tried twice more (0.5 s, then 1 s later), never for long.
    "readme500": (FILE_TIMEOUT, [dict(path=_RESOLVE.format("readme500") + r"README\.md$", status=500)], 4),
    "all503": (FILE_TIMEOUT, [dict(path=_RESOLVE.format("all503"), status=503)], 4),
    # A file request too slow (whatever the method): one timeout, not repeated.
    "slowhead": (FILE_TIMEOUT, [dict(path=_RESOLVE.format("slowhead") + "LICENSE$", delay=30)], FILE_TIMEOUT + 2),
    # Body (GET) too slow: one timeout, not resumed.
    "slowbody": (FILE_TIMEOUT, [dict(path=_RESOLVE.format("slowbody") + "LICENSE$", method="GET", delay=30)],
                 FILE_TIMEOUT + 3),
    "dropfile": (FILE_TIMEOUT, [dict(path=_RESOLVE.format("dropfile") + "LICENSE$", method="GET", drop=True)], 4),
    "truncfile": (FILE_TIMEOUT, [dict(path=_RESOLVE.format("truncfile") + "LICENSE$", method="GET", status=200,
                                      body=b"Apache Lic", headers={"Content-Length": str(len(LICENSE.encode())),
                                                                   "Connection": "close"})], 4),
    # 429 on a file, twice, Retry-After 1: honoured each time (FILE_RETRIES_429), then the file is read.
    "file429": (FILE_TIMEOUT, [dict(path=_RESOLVE.format("file429") + "LICENSE$", status=429,
                                    headers={"Retry-After": "1"}, times=2)], 4),
    # 429 for ever with Retry-After of an hour: beyond min(10 s, OPENAUDIT_TIMEOUT), so not waited for.
    "file429forever": (FILE_TIMEOUT, [dict(path=_RESOLVE.format("file429forever") + "LICENSE$", status=429,
                                           headers={"Retry-After": "3600"})], 4),
    # Fractional OPENAUDIT_TIMEOUT applies to file requests too (huggingface_hub's own settings are integers).
    "fraction": (0.5, [dict(path=_RESOLVE.format("fraction") + "LICENSE$", delay=30)], 2.5),
    # model_info answers 429 (Retry-After 1) twice, 0.9 s late each time, then the extra files answer 503 0.9 s
    # late (each request within the 1 s timeout, each retry bounded): the check deadline (2 x 1 + 5 = 7 s) stops
    # the waiting; the files not read by then are reported with the reason.
    "deadline": (1, [dict(path=r"^/api/models/acme/deadline", status=429, headers={"Retry-After": "1"}, delay=0.9,
                          times=2),
                     dict(path=_RESOLVE.format("deadline") + r"(NOTICE|LICENSE\.md|LICENSE-MODEL|USE_POLICY\.md)$",
                          status=503, delay=0.9)], 7 + 2),
}


@pytest.fixture(scope="module")
def file_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.CompletedProcess, float]]:
    from concurrent.futures import ThreadPoolExecutor

    hub = FakeHub().start()
    try:
        for name, (_t, faults, _limit) in FILE_CASES.items():
            hub.add_repo(f"acme/{name}", {**FILES, **EXTRA} if name == "deadline" else FILES)
            for fault in faults:
                fault = dict(fault)
                hub.add_fault(fault.pop("path"), **fault)
        base = tmp_path_factory.mktemp("files")

        def one(name: str) -> tuple[subprocess.CompletedProcess, float]:
            timeout, _faults, limit = FILE_CASES[name]
            env = hub_env(hub.url, base / name, OPENAUDIT_TIMEOUT=str(timeout), HF_TOKEN=TOKEN)
            return run(env, f"acme/{name}", "--format", "json", limit=limit + SLACK * contention())

        # Slowest first, so the quick ones fill in around them.
        order = sorted(FILE_CASES, key=lambda n: -FILE_CASES[n][2])
        with ThreadPoolExecutor(3) as pool:
            results = dict(zip(order, pool.map(one, order), strict=True))
        results["_requests"] = hub.requests_to()  # type: ignore[assignment]
    finally:
        hub.stop()
    assert not hub.errors, hub.errors
    return results


def file_report(results: dict, name: str) -> dict:
    proc, elapsed = results[name]
    assert elapsed < FILE_CASES[name][2] + SLACK * contention(), (name, elapsed)
    assert TOKEN not in proc.stdout + proc.stderr
    return partial_report(proc)


def requests_for(results: dict, name: str, file: str) -> list:
    return [r for r in results["_requests"] if r.route.startswith(f"/acme/{name}/resolve/") and
            r.route.endswith("/" + file)]


def test_readme_500_partial_report_says_what_is_missing(file_results: dict) -> None:
    report = file_report(file_results, "readme500")
    status, reason = statuses(report)["README.md"]
    assert status == "unreadable" and "HTTP 500" in reason, reason
    assert report["license"]["id"] == "apache-2.0"  # LICENSE read; card data from model_info
    assert any("README.md could not be read" in n for n in report["notes"])
    assert any(f["rule"] == "OA106" and "README.md" in f["message"] for f in report["findings"])
    # the first try and two more (bounded: FILE_RETRIES_5XX), never more.
    assert len(requests_for(file_results, "readme500", "README.md")) == 3


def test_persistent_503_on_every_file_is_bounded(file_results: dict) -> None:
    files = statuses(file_report(file_results, "all503"))
    assert set(files) == {"README.md", "LICENSE"}
    assert all(status == "unreadable" and "HTTP 503" in reason for status, reason in files.values()), files
    assert len(requests_for(file_results, "all503", "LICENSE")) == 3


def test_slow_file_metadata_times_out_once(file_results: dict) -> None:
    files = statuses(file_report(file_results, "slowhead"))
    assert files["LICENSE"][0] == "unreadable" and "timed out after 5 s" in files["LICENSE"][1], files
    assert files["README.md"][0] == "read"
    assert len(requests_for(file_results, "slowhead", "LICENSE")) == 1  # a timed-out request is not repeated


def test_slow_file_body_times_out_once(file_results: dict) -> None:
    files = statuses(file_report(file_results, "slowbody"))
    assert files["LICENSE"][0] == "unreadable" and "timed out" in files["LICENSE"][1], files
    assert [r.method for r in requests_for(file_results, "slowbody", "LICENSE")] == ["GET"]  # one GET, no HEAD


def test_dropped_connection_on_a_file(file_results: dict) -> None:
    files = statuses(file_report(file_results, "dropfile"))
    assert files["LICENSE"][0] == "unreadable" and files["README.md"][0] == "read", files
    gets = [r for r in requests_for(file_results, "dropfile", "LICENSE") if r.method == "GET"]
    assert len(gets) == 2  # tried once more (GET_RETRIES), not five times


def test_truncated_file_body_is_never_read_as_whole(file_results: dict) -> None:
    files = statuses(file_report(file_results, "truncfile"))
    assert files["LICENSE"][0] == "unreadable", files


def test_429_on_a_file_honours_retry_after_then_reads_it(file_results: dict) -> None:
    report = file_report(file_results, "file429")
    assert statuses(report)["LICENSE"] == ("read", None)
    assert [r.status for r in requests_for(file_results, "file429", "LICENSE")] == [429, 429, 200]
    assert file_results["file429"][1] >= 1  # Retry-After: 1 honoured


def test_429_for_ever_on_a_file_is_bounded(file_results: dict) -> None:
    files = statuses(file_report(file_results, "file429forever"))
    assert files["LICENSE"] == ("unreadable", "download failed: HTTP 429 (rate limited)"), files
    # one try: a Retry-After beyond min(10 s, OPENAUDIT_TIMEOUT) is not waited for.
    assert len(requests_for(file_results, "file429forever", "LICENSE")) == 1


def test_fractional_timeout_applies_to_files(file_results: dict) -> None:
    files = statuses(file_report(file_results, "fraction"))
    assert files["LICENSE"][0] == "unreadable" and "timed out after 0.5 s" in files["LICENSE"][1], files


def test_check_deadline_stops_fetching(file_results: dict) -> None:
    files = statuses(file_report(file_results, "deadline"))
    assert files["LICENSE"][0] == "read", files  # the first files arrived (slowly)...
    late = [reason for status, reason in files.values() if status == "unreadable"]
    assert late and all("deadline" in r for r in late), files  # ...the rest are reported, not waited for
    assert len(files) == 2 + len(EXTRA)  # every file is listed, fetched or not


def test_fractional_timeout_applies_to_model_info(fake_hub: FakeHub, repo: str, tmp_path: Path) -> None:
    fake_hub.add_fault(r"^/api/models/", delay=10)
    proc, elapsed = run(env_for(fake_hub, tmp_path, 0.5), "acme/faulty", limit=bound(0.5))
    one_line_error(proc, "acme/faulty", "timed out after 0.5 s")
    assert elapsed < 0.5 + SLACK * contention()


FORMATS = ("table", "json", "jsonl", "markdown", "sarif", "cyclonedx")


def test_token_never_leaks_even_when_the_hub_echoes_it(fake_hub: FakeHub, tmp_path: Path) -> None:
    """A hostile or buggy Hub echoes the bearer token in error headers, bodies and the files it serves: it appears
    nowhere we write, in any format, on stdout, stderr, --output files or with --debug."""
    from concurrent.futures import ThreadPoolExecutor

    echo = {"X-Error-Message": f"invalid credentials {TOKEN} for this file", "Content-Type": "text/plain"}
    card = (f"---\nlicense: other\nlicense_name: {TOKEN}\nlicense_link: https://x.example/{TOKEN}\n"
            f"base_model: acme/{TOKEN}\n---\n# echo\n\nContact: {TOKEN} [link](https://x/{TOKEN})\n")
    fake_hub.add_repo("acme/echo", {**FILES, "README.md": card, "NOTICE": f"notice {TOKEN}",
                                    "USE_POLICY.md": "policy"})
    fake_hub.add_repo("acme/echo2", {"README.md": card, "LICENSE": LICENSE})
    fake_hub.add_fault(r"^/acme/echo/resolve/[0-9a-f]+/LICENSE$", status=400, headers=echo,
                       body=f"Authorization: Bearer {TOKEN}".encode())
    fake_hub.add_fault(r"^/acme/echo/resolve/[0-9a-f]+/USE_POLICY\.md$", method="GET", status=401,
                       headers={**echo, "X-Error-Code": "RepoNotFound"})
    fake_hub.add_fault(r"^/api/models/acme/echo-info", status=400, headers=echo, body=TOKEN.encode())
    env = env_for(fake_hub, tmp_path, 5, HF_TOKEN=TOKEN)
    run(env, "acme/echo", "--format", "json", limit=bound(5))  # fills the Hub cache: the runs below share it
    runs: dict[str, tuple[str, ...]] = {f"{fmt} stdout": ("--format", fmt) for fmt in FORMATS}
    runs["table --debug"] = ("--format", "table", "--debug")
    runs["batch markdown"] = ("acme/echo2", "--format", "markdown")  # two targets: sources.hub.BudgetHubSource reads
    runs["markdown --output"] = ("--format", "markdown", "--output", str(tmp_path / "report.markdown"))

    def one(key: str) -> tuple[str, subprocess.CompletedProcess]:
        return key, run(env, "acme/echo", *runs[key], limit=bound(5) + 10)[0]

    outputs: dict[str, str] = {}
    with ThreadPoolExecutor(3) as pool:
        for key, proc in pool.map(one, runs):
            assert proc.returncode in (0, 1), (key, proc.stderr)
            outputs[key] = proc.stdout + proc.stderr
            if "--output" in key:
                outputs[key + " file"] = (tmp_path / f"report.{runs[key][1]}").read_text()
                assert len(outputs[key + " file"]) > 200
            else:
                assert len(proc.stdout) > 200, (key, proc.stdout)
    report = json.loads(outputs["json stdout"])
    assert statuses(report)["LICENSE"][0] == "unreadable"
    for key in ("json stdout", "jsonl stdout", "markdown stdout", "markdown --output file", "batch markdown"):
        assert "REDACTED" in outputs[key], key  # the echoed token was there to leak, and was replaced
    assert "OA104" not in {f["rule"] for f in report["findings"]}  # the card (token replaced) still parses
    for debug in ((), ("--debug",)):
        proc, _ = run(env, "acme/echo-info", *debug, limit=bound(5))
        one_line_error(proc, "acme/echo-info")
        outputs[f"info{debug}"] = proc.stdout + proc.stderr
    assert all(r.has_auth for r in fake_hub.requests_to())  # the token was sent...
    for where, text in outputs.items():  # ...and never written back
        assert TOKEN not in text and "faultsecret" not in text, (where, text[-2000:])
    store = tmp_path / "hf" / "openaudit"  # what openaudit keeps beside the Hub cache for --offline
    for path in store.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path


def test_debug_traceback_is_redacted(tmp_path: Path) -> None:
    """With --debug an internal error shows a traceback (exit 2, not 1); the token is replaced there too."""
    script = ("import sys; from openaudit import batch, cli\n"
              f"def boom(*a, **k): raise RuntimeError('leak {TOKEN}')\n"
              "batch.run = boom\nsys.argv = ['openaudit', 'check', 'acme/x', '--debug']\ncli.main()\n")
    env = hub_env("http://127.0.0.1:9", tmp_path / "hf", HF_TOKEN=TOKEN)
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" in proc.stderr and "RuntimeError: leak ***" in proc.stderr, proc.stderr
    assert TOKEN not in proc.stderr + proc.stdout
    script_nodebug = script.replace(", '--debug'", "")
    proc = subprocess.run([sys.executable, "-c", script_nodebug], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1 and TOKEN not in proc.stderr, proc.stderr
