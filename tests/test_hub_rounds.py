"""Round trips to the Hub (issue 18), counted on the fake Hub: which requests ran one after the other, not how long
anything took. Every answer is held back a little so that requests made at once overlap for sure; ``rounds`` counts
the requests answered strictly one after the other (tests/fakehub.py).

- a single check: model_info, then every card/license/use-policy/notice file at once (2 rounds, 1 + files requests);
- each lineage hop adds one round: an upstream named in model_info's card data, and a dataset card, start with the
  files of the model that names them;
- a batch streams: a model's jsonl line is out while another model's files are still on their way, and an
  organisation's first models are audited while the next page of its listing loads;
- a 429 with Retry-After on a batch file is waited for and the file is read.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import FakeHub, hub_env, rounds
from test_lineage import LLAMA_LICENSE, MIT_LICENSE, VALIDATOR, card

pytestmark = pytest.mark.slow  # subprocess CLIs against a deliberately slow fake Hub

HOLD = 0.3  # seconds every answer is held back


@pytest.fixture
def env(fake_hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    return hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")


def check(env: dict[str, str], *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", *args, "-f", "json"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert list(VALIDATOR.iter_errors(report)) == []
    return report


def test_single_check_reads_every_file_in_one_round(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("acme/full", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE, "NOTICE": "notice",
                                    "USE_POLICY.md": "policy", "model.safetensors": b"\0" * 8})
    fake_hub.add_fault("", delay=HOLD)
    report = check(env, "acme/full")
    assert {f["name"]: f["status"] for f in report["files"]} == {
        "README.md": "read", "LICENSE": "read", "NOTICE": "read", "USE_POLICY.md": "read"}
    seen = fake_hub.requests_to()
    assert len(seen) == 1 + 4 and all(r.method == "GET" for r in seen)  # model_info + one GET per file
    assert rounds(seen) == 2 and fake_hub.max_inflight == 4  # all four files at once


def test_each_lineage_hop_adds_one_round(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("acme/root", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    fake_hub.add_repo("acme/mid", {"README.md": card("llama3.1", base="acme/root", relation="finetune"),
                                   "LICENSE": LLAMA_LICENSE})
    fake_hub.add_repo("acme/leaf", {"README.md": card("mit", base="acme/mid", relation="finetune",
                                                      datasets=["acme/data"]), "LICENSE": MIT_LICENSE})
    fake_hub.add_dataset("acme/data", card_data={"license": "cc-by-nc-4.0"})
    fake_hub.add_fault("", delay=HOLD)
    report = check(env, "acme/leaf")
    assert [(e["id"], e["status"]) for e in report["lineage"]["chain"]] == [("acme/mid", "ok"), ("acme/root", "ok")]
    assert report["lineage"]["datasets"][0]["license_id"] == "cc-by-nc-4.0"
    seen = fake_hub.requests_to()
    # 3 models x (model_info + 2 files) + the dataset card, each fetched once
    assert len(seen) == 10 and len({r.route for r in seen}) == 10, [r.route for r in seen]
    # leaf info | leaf files + mid info + dataset | mid files + root info | root files
    assert rounds(seen) == 4, [(r.route, round(r.started, 2)) for r in seen]


def test_max_depth_zero_fetches_no_upstream(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("acme/root", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    fake_hub.add_repo("acme/leaf", {"README.md": card("mit", base="acme/root"), "LICENSE": MIT_LICENSE})
    check(env, "acme/leaf", "--max-depth", "0")
    assert not fake_hub.requests_to("acme/root")  # no head start beyond the depth asked for


def test_batch_streams_each_line_when_its_model_finishes(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("fast/a", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    fake_hub.add_repo("slow/b", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    fake_hub.add_fault(r"^/slow/b/resolve/", delay=5)
    proc = subprocess.Popen([sys.executable, "-m", "openaudit", "check", "slow/b", "fast/a", "-f", "jsonl"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        # fast/a's line is out while slow/b's files have not been answered yet (targets given first to last)
        pending = [r for r in fake_hub.requests_to(r"^/slow/b/resolve/") if r.ended is None]
        assert first["target"]["id"] == "fast/a" and pending
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and err == "", err
    assert [json.loads(line)["target"]["id"] for line in rest.splitlines()] == ["slow/b"]


def test_batch_honours_retry_after(fake_hub: FakeHub, env: dict[str, str]) -> None:
    for i in range(4):
        fake_hub.add_repo(f"org/m{i}", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    fake_hub.add_fault(r"^/org/m2/resolve/[0-9a-f]+/LICENSE$", status=429, headers={"Retry-After": "1"}, times=1)
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", "--author", "org", "-f", "jsonl"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    reports = {r["target"]["id"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert {f["name"]: f["status"] for f in reports["org/m2"]["files"]} == {"README.md": "read", "LICENSE": "read"}
    assert [r.status for r in fake_hub.requests_to(r"^/org/m2/resolve/[0-9a-f]+/LICENSE$")] == [429, 200]


def test_author_listing_loads_while_its_first_models_are_audited(fake_hub: FakeHub, env: dict[str, str]) -> None:
    for i in range(20):  # two pages of 10
        fake_hub.add_repo(f"big/m{i:02d}", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    fake_hub.add_fault(r"^/api/models$", delay=2)  # each listing page answers 2 s late
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", "--author", "big", "-f", "jsonl"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert len(proc.stdout.splitlines()) == 20
    pages = fake_hub.requests_to(r"^/api/models$")
    assert len(pages) == 2 and pages[1].ended is not None
    files = fake_hub.requests_to(r"^/big/m0\d/resolve/")
    # the first page's models were read before the second page had been answered
    assert len(files) == 20 and min(r.started for r in files) < pages[1].ended


def test_author_listing_pages_are_read_ahead_of_the_audits(fake_hub: FakeHub, env: dict[str, str]) -> None:
    """The next pages of a listing load while the first models are fetched: a worker that reaches the end of a page
    does not wait for the next one (before, page 2 was asked for only when a worker took its first model)."""
    for i in range(30):  # three pages of 10
        fake_hub.add_repo(f"big/m{i:02d}", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    fake_hub.add_fault(r"^/api/models$", delay=HOLD)
    fake_hub.add_fault(r"^/big/", delay=4 * HOLD)  # files answer late: every page is asked for before any file answers
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", "--author", "big", "-f", "jsonl"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert len(proc.stdout.splitlines()) == 30
    pages = fake_hub.requests_to(r"^/api/models$")
    files = fake_hub.requests_to(r"^/big/m\d\d/resolve/")
    assert len(pages) == 3 and len(files) == 60
    assert max(p.started for p in pages) < min(r.ended or 0.0 for r in files)
