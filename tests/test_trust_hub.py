"""Issue 15, the Hub and card-reading findings: each case asserts the secure outcome (exit code, gate failed,
nothing read from another host or path, a bounded time) against the fake Hub or a generated hostile card.

Time bounds here are safety bounds run in a subprocess with a timeout (generous: the machine may be shared),
not performance targets; those live in bench/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import FakeHub, hub_env
from test_lineage import LLAMA_LICENSE, MIT_LICENSE, VALIDATOR, card, rules_of, run_cli

TOKEN = "hf_trusthubsecret123456789"


@pytest.fixture
def env(fake_hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    return hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")


def reports_of(proc: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    assert "Traceback" not in proc.stderr, proc.stderr
    out = {}
    for line in proc.stdout.splitlines():
        r = json.loads(line)
        assert list(VALIDATOR.iter_errors(r)) == []
        out[r["target"]["id"]] = r
    return out


def statuses(report: dict) -> dict[str, str]:
    return {f["name"]: f["status"] for f in report["files"]}


# -- finding 3: decoy files cannot push LICENSE out; an unread license file fails the gate ----------------------

def decoy_repo(hub: FakeHub, repo_id: str, decoys: int) -> None:
    """A Llama-licensed repo relabelled MIT, with ``decoys`` MIT COPYING.n files that sort before LICENSE."""
    files = {"README.md": card("mit"), "LICENSE": LLAMA_LICENSE}
    files.update({f"COPYING.{i}": MIT_LICENSE for i in range(1, decoys + 1)})
    hub.add_repo(repo_id, files)


def test_decoys_cannot_push_license_out_of_a_batch(fake_hub: FakeHub, env: dict[str, str]) -> None:
    decoy_repo(fake_hub, "evil/decoy", 4)
    fake_hub.add_repo("evil/plain", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    proc = run_cli(env, "check", "evil/decoy", "evil/plain", "-f", "jsonl")
    reports = reports_of(proc)
    decoy = reports["evil/decoy"]
    assert statuses(decoy)["LICENSE"] == "read"  # fetched before the decoys, whatever their number
    assert any(r["kind"] == "user_cap" for r in decoy["restrictions"]), decoy["license"]  # its terms are read
    unread = [n for n, s in statuses(decoy).items() if s != "read"]
    assert unread and all(n.startswith("COPYING.") for n in unread)
    assert rules_of(decoy)["OA111"] == len(unread)  # each unread license file is an error
    assert not decoy["gate"]["passed"] and proc.returncode == 1
    assert reports["evil/plain"]["gate"]["passed"]


def test_decoys_cannot_push_license_out_of_an_upstream(fake_hub: FakeHub, env: dict[str, str]) -> None:
    decoy_repo(fake_hub, "evil/decoy", 4)
    fake_hub.add_repo("evil/ft", {"README.md": card("mit", base="evil/decoy", relation="finetune"),
                                  "LICENSE": MIT_LICENSE})
    proc = run_cli(env, "check", "evil/ft", "-f", "json")
    report = json.loads(proc.stdout)
    up = next(e for e in report["lineage"]["chain"] if e["id"] == "evil/decoy")
    assert up["status"] == "ok"
    # the upstream's LICENSE was read, not only its decoys: its user cap is inherited
    assert any(r["kind"] == "user_cap" and r["origin"] == "base_model" for r in report["restrictions"]), up
    assert rules_of(report)["OA506"] >= 1  # its unread COPYING files are said and fail the gate
    assert not report["gate"]["passed"] and proc.returncode == 1


def test_thousands_of_decoys_in_a_single_check(fake_hub: FakeHub, env: dict[str, str]) -> None:
    decoy_repo(fake_hub, "evil/many", 300)
    proc = run_cli(env, "check", "evil/many", "-f", "json")
    report = json.loads(proc.stdout)
    assert statuses(report)["LICENSE"] == "read"
    assert any(r["kind"] == "user_cap" for r in report["restrictions"])
    fetched = {r.route.rsplit("/", 1)[-1] for r in fake_hub.requests_to("/resolve/")}
    assert len(fetched) <= 1 + 8  # the card and at most 8 license files, most decisive first
    assert "OA111" in rules_of(report) and proc.returncode == 1


def test_license_link_file_is_read_first(fake_hub: FakeHub, env: dict[str, str]) -> None:
    readme = card("other").replace("license: other", "license: other\nlicense_link: ./TERMS-LICENSE.txt")
    files = {"README.md": readme, "TERMS-LICENSE.txt": LLAMA_LICENSE}
    files.update({f"LICENSE-{i}": MIT_LICENSE for i in range(5)})
    fake_hub.add_repo("evil/linked", files)
    fake_hub.add_repo("evil/plain", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    proc = run_cli(env, "check", "evil/linked", "evil/plain", "-f", "jsonl")
    linked = reports_of(proc)["evil/linked"]
    assert statuses(linked)["TERMS-LICENSE.txt"] == "read"
    assert not linked["gate"]["passed"]


# -- finding 12: the commit sha from the Hub is validated before any use -------------------------------------------

@pytest.mark.parametrize("sha", ["../../../../../../tmp/oa-traversal", "0" * 40 + "\n", "A" * 40])
def test_model_info_sha_is_validated(fake_hub: FakeHub, env: dict[str, str], tmp_path: Path, sha: str) -> None:
    fake_hub.add_repo("acme/x", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    info = {"id": "acme/x", "sha": sha, "siblings": [{"rfilename": "README.md"}, {"rfilename": "LICENSE"}],
            "tags": [], "gated": False, "private": False}
    fake_hub.add_fault(r"^/api/models/acme/x", status=200, body=json.dumps(info).encode(),
                       headers={"Content-Type": "application/json"})
    proc = run_cli(env, "check", "acme/x", "-f", "json")
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "invalid commit sha" in proc.stderr
    assert not fake_hub.requests_to("/resolve/")  # nothing fetched or stored under that name
    assert not list(tmp_path.rglob("*oa-traversal*")) and not Path("/tmp/oa-traversal.json").exists()


# -- finding 14: stay on HF_ENDPOINT ------------------------------------------------------------------------------

def test_author_pagination_link_to_another_host_is_refused(fake_hub: FakeHub, tmp_path: Path) -> None:
    for i in range(3):
        fake_hub.add_repo(f"org/m{i}", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    page = [{"id": "org/m0", "_id": "0", "sha": "0" * 40, "siblings": [], "tags": []}]
    link = f'<{fake_hub.cdn_url}/api/models?author=org&cursor=1>; rel="next"'  # same server, another host name
    fake_hub.add_fault(r"^/api/models$", status=200, body=json.dumps(page).encode(), times=1,
                       headers={"Content-Type": "application/json", "Link": link})
    env = hub_env(fake_hub.url, tmp_path / "hf", HF_TOKEN=TOKEN, OPENAUDIT_TIMEOUT="10")
    proc = run_cli(env, "check", "--author", "org", "-f", "jsonl")
    # The listing is read as the batch goes: the model of the first page is audited, then the refused page is
    # one error line and exit 3 (the run does not pass).
    assert proc.returncode == 3, proc.stderr
    assert [json.loads(line)["target"]["id"] for line in proc.stdout.splitlines()] == ["org/m0"]
    assert "refused" in proc.stderr and "localhost" in proc.stderr and proc.stderr.count("\n") == 1
    assert TOKEN not in proc.stderr
    assert not [r for r in fake_hub.requests if r.headers.get("host", "").startswith("localhost")]


def test_model_info_redirect_to_another_host_is_refused(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("acme/strict", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    fake_hub.add_repo("evil/permissive", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    fake_hub.add_fault(r"^/api/models/acme/strict", status=302,
                       headers={"Location": f"{fake_hub.cdn_url}/api/models/evil/permissive"})
    proc = run_cli({**env, "HF_TOKEN": TOKEN}, "check", "acme/strict", "-f", "json")
    assert proc.returncode == 3 and proc.stdout == ""
    assert "refused" in proc.stderr and proc.stderr.count("\n") == 1 and TOKEN not in proc.stderr
    assert not fake_hub.requests_to("evil/permissive")


def test_lfs_download_through_a_cdn_still_works(fake_hub: FakeHub, env: dict[str, str]) -> None:
    fake_hub.add_repo("acme/lfs", {"README.md": card("mit"), "LICENSE": MIT_LICENSE}, lfs=["LICENSE"])
    proc = run_cli({**env, "HF_TOKEN": TOKEN}, "check", "acme/lfs", "-f", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert statuses(json.loads(proc.stdout))["LICENSE"] == "read"
    cdn = [r for r in fake_hub.requests if r.headers.get("host", "").startswith("localhost")]
    assert cdn and not any(r.has_auth for r in cdn)  # the token stays on HF_ENDPOINT


# -- finding 7: lineage entries not followed are said, and unknown joins the effective licenses ----------------

def test_lineage_entries_not_followed_are_said(fake_hub: FakeHub, env: dict[str, str]) -> None:
    for j in range(16):
        fake_hub.add_repo(f"c/m{j}", {"README.md": card("mit"), "LICENSE": MIT_LICENSE})
    for i in range(17):
        fake_hub.add_repo(f"b/m{i}", {"README.md": card("mit", base=[f"c/m{j}" for j in range(16)]),
                                      "LICENSE": MIT_LICENSE})
    bases = [f"b/m{i}" for i in range(17)]
    readme = card("mit").replace("license: mit", "license: mit\nbase_model: " + json.dumps([{"x": 1}, 7, *bases]))
    fake_hub.add_repo("d/root", {"README.md": readme, "LICENSE": MIT_LICENSE})
    proc = run_cli(env, "check", "d/root", "-f", "json")
    report = json.loads(proc.stdout)
    assert list(VALIDATOR.iter_errors(report)) == []
    chain = report["lineage"]["chain"]
    by_status: dict[str, list[dict]] = {}
    for e in chain:
        by_status.setdefault(e["status"], []).append(e)
    assert len(by_status.get("invalid", [])) == 2  # {"x": 1} and 7
    not_followed = by_status.get("not_followed", [])
    assert any(e["id"] == "b/m16" for e in not_followed)  # the 17th base_model
    assert any("64 entries" in (e["reason"] or "") for e in not_followed)  # the chain cap
    assert "unknown" in report["lineage"]["effective_licenses"]
    oa502 = [f for f in report["findings"] if f["rule"] == "OA502"]
    assert len(oa502) >= 2 + len(not_followed)


# -- finding 5: what openaudit stores for --offline is untrusted ---------------------------------------------------

def test_forged_offline_store_cannot_hide_license_or_crash(fake_hub: FakeHub, env: dict[str, str],
                                                           tmp_path: Path) -> None:
    fake_hub.add_repo("acme/strict", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    proc = run_cli(env, "check", "acme/strict", "-f", "json")
    assert json.loads(proc.stdout)["license"]["id"] == "llama3.1"
    store = tmp_path / "hf" / "openaudit" / "models--acme--strict"
    entry = next(store.glob("*.json"))
    forged = [
        json.dumps({"siblings": ["README.md"], "tags": ["license:mit"], "card_data": {"license": "mit"}}),
        "[" * 200_000,  # nesting: RecursionError in json
        json.dumps({"siblings": [{"rfilename": "x"}, "../../../etc/passwd", 5], "gated": {"a": 1}, "tags": "x"}),
    ]
    for text in forged:
        entry.write_text(text)
        proc = run_cli(env, "check", "acme/strict", "--offline", "-f", "json")
        assert "Traceback" not in proc.stderr and proc.returncode in (0, 1), proc.stderr
        report = json.loads(proc.stdout)
        assert statuses(report)["LICENSE"] == "read" and report["license"]["id"] == "llama3.1"
    (store / "refs" / "main").write_text("../../../../x")
    proc = run_cli(env, "check", "acme/strict", "--offline", "-f", "json")
    assert proc.returncode == 3 and "not a commit sha" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership and modes")
def test_offline_store_writable_by_others_is_refused(fake_hub: FakeHub, env: dict[str, str], tmp_path: Path) -> None:
    fake_hub.add_repo("acme/strict", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    run_cli(env, "check", "acme/strict", "-f", "json")
    store = tmp_path / "hf" / "openaudit"
    store.chmod(0o777)
    proc = run_cli(env, "check", "acme/strict", "--offline", "-f", "json")
    assert proc.returncode == 3 and "not safe to read" in proc.stderr and proc.stderr.count("\n") == 1


def test_relative_hub_cache_is_refused(fake_hub: FakeHub, tmp_path: Path) -> None:
    # HOME unset without a passwd entry makes huggingface_hub's cache "~/.cache/huggingface" relative to the
    # working directory (the repository under audit in CI); a relative XDG_CACHE_HOME does the same.
    fake_hub.add_repo("acme/strict", {"README.md": card("llama3.1"), "LICENSE": LLAMA_LICENSE})
    env = hub_env(fake_hub.url, tmp_path / "unused", HF_HOME=None, XDG_CACHE_HOME="committed-cache")
    proc = run_cli(env, "check", "acme/strict", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 3 and "not an absolute path" in proc.stderr and proc.stderr.count("\n") == 1
    assert not (tmp_path / "committed-cache").exists() and not fake_hub.requests


# -- finding 4: linear readers and a CPU limit on the whole audit -----------------------------------------------

HOSTILE_BODIES = {
    "commas_under_training_data": lambda: "## Training data\n\n" + "1," * 20_000,  # 40 KB: 69 s before
    "one_line_of_urls": lambda: " ".join(f"https://e.example/a{i}" for i in range(50_000)),  # ~1 MB: 1008 s
    "hub_model_links": lambda: " ".join(f"fine-tuned from https://huggingface.co/o{i}/m{i}"
                                        for i in range(22_000)),  # ~1 MB (212 KB: 19 s before)
    "markdown_links": lambda: "training code " + " ".join(f"[r{i}](https://github.com/o{i}/r{i})"
                                                          for i in range(30_000)),
    "heading_of_spaces": lambda: "# a" + " " * 200_000 + "b\n## Training data\n",
    "numbers_and_separators": lambda: "## Training data\n" + "1." * 250_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_hostile_card_text_is_read_in_bounded_time(name: str, tmp_path: Path) -> None:
    d = tmp_path / name
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: mit\n---\n# M\n\n" + HOSTILE_BODIES[name]() + "\n")
    env = {**os.environ, "OPENAUDIT_CPU_LIMIT": "100"}
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", str(d), "-f", "json"], env=env,
                          capture_output=True, text=True, timeout=90)  # safety bound: minutes before the fix
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["license"]["id"] == "mit"


def test_cpu_limit_ends_the_audit_with_one_line_and_exit_3(tmp_path: Path) -> None:
    d = tmp_path / "slow"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: mit\n---\n" + "# h\ntrained on data\n" * 100_000)
    for args in (["check", str(d)], ["check", str(d), str(d), "--jobs", "2"]):
        env = {**os.environ, "OPENAUDIT_CPU_LIMIT": "0.3"}
        proc = subprocess.run([sys.executable, "-m", "openaudit", *args, "-f", "json"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 3, (args, proc.returncode, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "OPENAUDIT_CPU_LIMIT" in proc.stderr
        assert proc.stderr.startswith("openaudit: error:") and "Traceback" not in proc.stderr
