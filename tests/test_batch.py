"""Batch audits through the CLI against the fake Hub: request budget per model, shared upstream, bounded
concurrency, progress bar only on a terminal, output shapes and the worst exit code.

Budget under test: at most 5 Hub requests per model, listing pages aside. In a batch every file is one GET at
the commit sha (no HEAD), card first then license, use-policy and notice files; a model that did not come from
a listing spends one of its 5 on model_info. An upstream shared by the whole batch is fetched once.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from fakehub import FakeHub, hub_env
from test_lineage import LLAMA_LICENSE, MIT_LICENSE, VALIDATOR, caps, card, rules_of, run_cli

USE_POLICY = "Llama 3.1 Acceptable Use Policy (test stand-in)\n\nThis stand-in only names the policy.\n"
NOTICE = "NOTICE (test stand-in)\n\nLlama 3.1 is licensed under the Llama 3.1 Community License.\n"


@pytest.fixture
def env(fake_hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    return hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")


def per_model(hub: FakeHub, org: str) -> Counter:
    """Requests per model of ``org``: model_info and file requests (listing pages are not per model)."""
    out: Counter = Counter()
    for r in hub.requests_to(f"^/(api/models/)?{org}/"):
        parts = r.route.strip("/").split("/")
        out["/".join(parts[2:4] if parts[0] == "api" else parts[0:2])] += 1
    return out


def test_author_budget_shared_base_and_offline_recheck(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("base/llama", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE,
                                     "USE_POLICY.md": USE_POLICY})
    for i in range(40):  # Llama fine-tunes that ship the whole license kit: 4 files the audit reads
        fake_hub.add_repo(f"fleet/ft-{i:02d}", {
            "README.md": card("mit", base="base/llama", relation="finetune"), "LICENSE": MIT_LICENSE,
            "USE_POLICY.md": USE_POLICY, "NOTICE": NOTICE, "config.json": "{}", "model.safetensors": b"\0" * 8})
    many = {"README.md": card("mit", base="base/llama"), "LICENSE": MIT_LICENSE, "LICENSE.txt": MIT_LICENSE,
            "USE_POLICY.md": USE_POLICY, "NOTICE": NOTICE, "NOTICE.md": NOTICE}  # 6 files: one over budget
    fake_hub.add_repo("fleet/zz-many", many)
    fake_hub.page_size = 10
    proc = run_cli(env, "check", "--author", "fleet", "-f", "jsonl")
    assert proc.returncode == 1 and proc.stderr == "", proc.stderr  # gate failed (OA501); no bar off a TTY
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(reports) == 41
    for r in reports:
        assert list(VALIDATOR.iter_errors(r)) == []
        assert caps(r) and caps(r)[0]["clause"]["file"] == "base/llama:LICENSE" and "OA501" in rules_of(r)
    ft = next(r for r in reports if r["target"]["id"] == "fleet/ft-07")
    assert {f["name"]: f["status"] for f in ft["files"]} == {
        "README.md": "read", "LICENSE": "read", "USE_POLICY.md": "read", "NOTICE": "read"}
    over = next(r for r in reports if r["target"]["id"] == "fleet/zz-many")
    skipped = [f for f in over["files"] if f["status"] != "read"]
    assert [f["name"] for f in skipped] == ["NOTICE.md"] and "budget (5 per model)" in skipped[0]["reason"]

    listing = fake_hub.requests_to("^/api/models$")
    assert len(listing) == 5  # 41 models, 10 a page
    counts = per_model(fake_hub, "fleet")
    assert len(counts) == 41 and max(counts.values()) <= 5, counts
    assert counts["fleet/ft-07"] == 4 and counts["fleet/zz-many"] == 5
    assert not fake_hub.requests_to("^/fleet/", "HEAD") and not fake_hub.requests_to("^/api/models/fleet/")
    # The shared base: one model_info and one GET per file, for the whole run.
    assert len(fake_hub.requests_to("^/api/models/base/llama$")) == 1
    assert sorted(r.route.rsplit("/", 1)[-1] for r in fake_hub.requests_to("^/base/llama/")) == [
        "LICENSE", "README.md", "USE_POLICY.md"]
    total = len(fake_hub.requests) - len(listing)
    assert total <= 5 * 41, total

    # What the batch read is in the Hub cache: an offline re-check makes no request and reads the same files.
    fake_hub.clear()
    proc = run_cli(env, "check", "fleet/ft-07", "--offline", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    again = json.loads(proc.stdout)
    assert {f["name"]: f["status"] for f in again["files"]} == {f["name"]: f["status"] for f in ft["files"]}
    assert again["lineage"]["chain"][0]["license"] == "llama3.1" and caps(again)
    assert fake_hub.requests == []


def test_bounded_concurrency(fake_hub: FakeHub, env: dict[str, str]) -> None:
    ids = [f"c/m-{i:02d}" for i in range(12)]
    for repo in ids:
        fake_hub.add_repo(repo, {"README.md": card("apache-2.0")})
    fake_hub.add_fault("^/", delay=0.15)  # every answer takes 150 ms: overlapping requests are visible
    proc = run_cli(env, "check", *ids, "-j", "3", "-f", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 12
    assert fake_hub.max_inflight == 3  # concurrent, and never more than --jobs
    # A batch of explicit ids: model_info + one GET per file, within the budget.
    assert set(per_model(fake_hub, "c").values()) == {2}
    fake_hub.clear()
    proc = run_cli(env, "check", *ids, "-f", "jsonl")  # default --jobs 8
    assert proc.returncode == 0 and 2 <= fake_hub.max_inflight <= 8, fake_hub.max_inflight
    assert set(per_model(fake_hub, "c").values()) == {1}  # the cards are in the Hub cache now: model_info only


def _run_on_tty(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal; returns (exit code, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "openaudit", *args], env={**env, "TERM": "xterm"},
                            stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    got: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO once the child has closed the terminal
                return
            if not data:
                return
            got.append(data)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=120)
    reader.join(10)
    os.close(master)
    return proc.returncode, out, b"".join(got).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal(fake_hub: FakeHub, env: dict[str, str]) -> None:
    for i in range(3):
        fake_hub.add_repo(f"p/m-{i}", {"README.md": card("apache-2.0")})
    code, out, tty = _run_on_tty(env, "check", "p/m-0", "p/m-1", "p/m-2", "-f", "jsonl")
    assert code == 0 and len(out.splitlines()) == 3
    assert "auditing" in tty and "3/3" in tty  # the rich bar, on the terminal only
    assert "auditing" not in out
    proc = run_cli(env, "check", "p/m-0", "p/m-1", "p/m-2", "-f", "jsonl")
    assert proc.returncode == 0 and proc.stderr == ""  # not a terminal: no bar
    code, out, tty = _run_on_tty(env, "check", "p/m-0", "-f", "json")
    assert code == 0 and "auditing" not in tty  # a single target: no bar either


def test_output_shapes_and_worst_exit_code(fake_hub: FakeHub, env: dict[str, str], tmp_path: Path) -> None:
    fake_hub.add_repo("o/open", {"README.md": card("apache-2.0")})
    fake_hub.add_repo("base/llama", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    fake_hub.add_repo("o/relabelled", {"README.md": card("mit", base="base/llama")})
    fake_hub.add_repo("o/orphan", {"README.md": card("mit", base="nobody/gone")})
    one = run_cli(env, "check", "o/open", "-f", "json")
    assert one.returncode == 0 and isinstance(json.loads(one.stdout), dict)  # one target: one object
    two = run_cli(env, "check", "o/open", "o/relabelled", "-f", "json")
    data = json.loads(two.stdout)
    assert two.returncode == 1  # worst of 0 and 1
    assert isinstance(data, list) and [r["target"]["id"] for r in data] == ["o/open", "o/relabelled"]
    assert all(list(VALIDATOR.iter_errors(r)) == [] for r in data)
    listed = tmp_path / "models.txt"
    listed.write_text("o/open\n# a comment line\n  o/missing   # trailing comment\no/orphan\n")
    proc = run_cli(env, "check", "--from", str(listed), "o/relabelled")
    assert proc.returncode == 3  # worst of 0, 1 and 3 (evidence unavailable)
    assert proc.stderr.count("openaudit: error:") == 1 and "o/missing" in proc.stderr
    summary = proc.stdout.split("Summary:")[1].splitlines()
    rows = {line.split()[0]: line.split() for line in summary if line.startswith("  o/")}
    assert rows["o/open"][1:4] == ["apache-2.0", "E", "PASSED"] and rows["o/open"][-1] == "-"
    assert rows["o/relabelled"][3] == "FAILED" and rows["o/relabelled"][-1] == "llama3.1"
    assert rows["o/orphan"][3] == "PASSED" and rows["o/orphan"][-1] == "unknown"  # an unreadable upstream
    assert "ERROR (exit 3)" in " ".join(rows["o/missing"])
    assert "4 targets: 2 passed, 1 failed, 1 not audited" in proc.stdout
    # A malformed target stops the run before any request (exit 2).
    fake_hub.clear()
    proc = run_cli(env, "check", "o/open", "not a/valid/id!")
    assert proc.returncode == 2 and proc.stderr.startswith("openaudit: error:") and len(proc.stderr.splitlines()) == 1
    assert fake_hub.requests == []


def test_author_limit(fake_hub: FakeHub, env: dict[str, str]) -> None:
    for i in range(25):
        fake_hub.add_repo(f"big/m-{i:02d}", {"README.md": card("apache-2.0")})
    fake_hub.page_size = 10
    proc = run_cli(env, "check", "--author", "big", "--limit", "12", "-f", "jsonl")
    assert proc.returncode == 0, proc.stderr
    ids = [json.loads(line)["target"]["id"] for line in proc.stdout.splitlines()]
    assert len(ids) == 12 and len(set(ids)) == 12 and all(i.startswith("big/") for i in ids)
    assert len(fake_hub.requests_to("^/api/models$")) == 2  # pages of 10: the third is never asked for
    assert len(per_model(fake_hub, "big")) == 12  # only the listed models are read
    bad = run_cli(env, "check", "big/m-00", "--limit", "3")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--limit" in bad.stderr


def test_a_listing_that_fails_midway_audits_the_models_listed_before(fake_hub: FakeHub, env: dict[str, str]) -> None:
    for i in range(25):
        fake_hub.add_repo(f"big/m-{i:02d}", {"README.md": card("apache-2.0")})
    fake_hub.page_size = 10
    fake_hub.add_fault(r"^/api/models$", status=403, after=1)  # the second page is refused
    proc = run_cli(env, "check", "--author", "big", "-f", "jsonl")
    assert proc.returncode == 3, proc.stderr
    ids = sorted(json.loads(line)["target"]["id"] for line in proc.stdout.splitlines())
    assert ids == [f"big/m-{i:02d}" for i in range(10)]  # the first page, whole; nothing after the failure
    assert proc.stderr.count("\n") == 1 and "--author big: listing failed (HTTP 403)" in proc.stderr, proc.stderr
