"""A check of one Hub model sends its first request while the CLI loads (issue 18, openaudit.commands.early),
only for a command line typer accepts; the Hub's answer to that request is read without huggingface_hub's
``hf_api`` module; no telemetry request goes out.

The command-line reading is held against typer's own parsing of the ``check`` command (so a command line typer
rejects never makes a request); the rest runs ``python -m openaudit`` (the console script's code) against the
fake Hub and counts its requests."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from fakehub import FakeHub, hub_env

from openaudit.cli import make_app
from openaudit.commands.early import EARLY_OPTIONS, NOT_EARLY, plan

CARD = "---\nlicense: apache-2.0\n---\n# tiny\n\nA toy model.\n"


def check_command():
    return typer.main.get_command(make_app(["check"])).commands["check"]  # type: ignore[attr-defined]


def typer_accepts(argv: list[str]) -> list[str] | None:
    """The targets typer parses from ``check ARGV...``; None if it rejects the command line."""
    try:
        ctx = check_command().make_context("check", list(argv[1:]))
    except Exception:  # click's usage errors, whatever their class
        return None
    return list(ctx.params.get("targets") or [])


# -- reading the command line ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("argv", "expected"), [
    (["check", "acme/tiny"], ("acme/tiny", None)),
    (["check", "acme/tiny@v1.0"], ("acme/tiny", "v1.0")),
    (["check", "gpt2"], ("gpt2", None)),
    (["check", "-f", "JSON", "acme/tiny", "-q", "--fail-on=warning", "-j", "2", "--max-depth", "0"],
     ("acme/tiny", None)),
    (["check", "acme/tiny", "--mau", "700M", "--region", "EU", "-o", "out.sarif", "--format", "sarif"],
     ("acme/tiny", None)),
    (["check", "acme/tiny", "--non-commercial", "--policy", "p.yaml", "--rules", "r", "--min-severity", "note"],
     ("acme/tiny", None)),
])
def test_a_check_of_one_hub_model_is_read(argv, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert plan(argv) == expected
    assert typer_accepts(argv) == [argv[1] if not argv[1].startswith("-") else "acme/tiny"]


@pytest.mark.parametrize("argv", [
    [], ["scan", "acme/tiny"], ["--version"], ["check"],
    ["check", "acme/tiny", "acme/other"],  # a batch
    ["check", "acme/tiny", "--offline"], ["check", "--from", "list.txt"], ["check", "--author", "acme"],
    ["check", "acme/tiny", "--help"], ["check", "-h", "acme/tiny"],
    ["check", "acme/tiny", "--bogus"], ["check", "acme/tiny", "-f", "yaml"], ["check", "acme/tiny", "-f"],
    ["check", "acme/tiny", "-j", "9"], ["check", "acme/tiny", "--jobs", "x"], ["check", "acme/tiny", "--max-depth=11"],
    ["check", "acme/tiny", "--quiet=yes"], ["check", "acme/tiny", "-qf", "json"], ["check", "--", "acme/tiny"],
    ["check", "acme/tiny", "-o", "--quiet"], ["check", "acme/tiny", "--format", "cyclonedx"],
    ["check", "ollama:llama3"], ["check", "./model"], ["check", "a/b/c"], ["check", "acme/../x"],
])
def test_anything_else_sends_nothing_early(argv):
    assert plan(argv) is None


def test_a_name_on_disk_is_a_local_check(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "acme" / "tiny").mkdir(parents=True)
    assert plan(["check", "acme/tiny"]) is None


def test_shell_completion_sends_nothing(monkeypatch):
    monkeypatch.setenv("_OPENAUDIT_COMPLETE", "bash_complete")
    assert plan(["check", "acme/tiny"]) is None


def test_the_options_read_early_are_the_check_commands_own():
    """Every option of ``check`` is either read early or listed as never early: a new option must be placed."""
    names = {o for p in check_command().params if isinstance(p, typer.core.TyperOption)
             for o in (*p.opts, *p.secondary_opts)}
    help_names = {"--help", "-h"}  # the app's help_option_names
    assert names | help_names == set(EARLY_OPTIONS) | NOT_EARLY
    assert not set(EARLY_OPTIONS) & NOT_EARLY


SAMPLES = ["json", "JSON", "cyclonedx", "yaml", "warning", "note", "info", "0", "1", "8", "9", "10", "11", "-1",
           "+3", " 2", "x", "", "700M", "out.json", "\u0663", "\uff13"]  # 3 in Arabic-Indic and full-width digits


def test_every_command_line_read_early_is_one_typer_accepts(tmp_path, monkeypatch):
    """Each option of EARLY_OPTIONS with every sample value, alone and in pairs, written ``--opt value`` and
    ``--opt=value``: whenever ``plan`` finds a check, typer accepts the same command line and parses the same one
    target from it."""
    monkeypatch.chdir(tmp_path)
    single: list[list[str]] = []
    for name, test in EARLY_OPTIONS.items():
        if test is None:
            single += [[name], [f"{name}=1"]]
            continue
        for value in SAMPLES:
            single.append([name, value])
            if name.startswith("--"):
                single.append([f"{name}={value}"])
    found = 0
    for args in itertools.chain(single, (a + b for a, b in itertools.combinations(single[::3], 2))):
        argv = ["check", "acme/tiny", *args]
        if plan(argv) is not None:
            found += 1
            assert typer_accepts(argv) == ["acme/tiny"], argv
    assert found > len(single)  # the pairs are read too, not only refused


# -- the request itself, against the fake Hub ------------------------------------------------------------------


def run(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "openaudit", *argv], env=env, capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def env(fake_hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    fake_hub.add_repo("acme/tiny", {"README.md": CARD, "LICENSE": "MIT License\n"})
    return hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")


PROBE = """
import json, sys
from openaudit.commands import early
from openaudit.sources import hubnet
sent = early.start(["check", "acme/tiny", "-f", "json"])
typer_loaded = "typer" in sys.modules
answer = hubnet.model_info("acme/tiny", None, 10.0)  # what the check calls: it takes the early answer
print(json.dumps({"sent": sent, "typer": typer_loaded, "sha": answer.sha,
                  "hf_api": "huggingface_hub.hf_api" in sys.modules}))
"""


@pytest.mark.slow
def test_the_request_goes_out_before_typer_is_imported_and_is_made_once(fake_hub: FakeHub, env):
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120,
                         check=True)
    got = json.loads(out.stdout)
    assert got == {"sent": True, "typer": False, "sha": fake_hub.repos["acme/tiny"].refs["main"], "hf_api": False}
    assert [r.route for r in fake_hub.requests_to()] == ["/api/models/acme/tiny"]


@pytest.mark.slow
def test_a_check_uses_the_early_answer(fake_hub: FakeHub, env):
    proc = run(env, "check", "acme/tiny", "-f", "json")
    assert proc.returncode in (0, 1), proc.stderr  # the gate's verdict: not what is tested here
    assert json.loads(proc.stdout)["target"]["revision"] == fake_hub.repos["acme/tiny"].refs["main"]
    assert len(fake_hub.requests_to(r"^/api/models/")) == 1  # the early request, not a second one
    assert len(fake_hub.requests_to()) == 3


@pytest.mark.slow
def test_a_rate_limited_early_request_is_retried_as_the_checks_own(fake_hub: FakeHub, env):
    fake_hub.add_fault(r"^/api/models/", status=429, headers={"Retry-After": "0"}, times=1)
    proc = run(env, "check", "acme/tiny", "-f", "json")
    assert proc.returncode in (0, 1), proc.stderr  # the gate's verdict: not what is tested here
    assert [r.status for r in fake_hub.requests_to(r"^/api/models/")] == [429, 200]


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["check", "acme/tiny", "--bogus"], ["check", "acme/tiny", "-f", "yaml"], ["check", "acme/tiny", "-j", "0"],
    ["check", "acme/tiny", "--offline"], ["check", "acme/tiny", "--limit", "2"],
])
def test_no_request_precedes_a_command_line_typer_rejects_or_an_offline_check(fake_hub: FakeHub, env, argv):
    proc = run(env, *argv)
    assert proc.returncode in (2, 3), proc.stderr
    assert fake_hub.requests_to() == []


@pytest.mark.slow
def test_hf_hub_offline_sends_nothing(fake_hub: FakeHub, env):
    proc = run({**env, "HF_HUB_OFFLINE": "1"}, "check", "acme/tiny")
    assert proc.returncode == 3
    assert fake_hub.requests_to() == []


@pytest.mark.slow
def test_no_telemetry_request_goes_out(fake_hub: FakeHub, tmp_path: Path):
    """With huggingface_hub's telemetry left on by the environment, it would first ask the Hub for its registry of
    AI agents (GET /api/agent-harnesses): openaudit turns telemetry off unless the user set it."""
    fake_hub.add_repo("acme/tiny", {"README.md": CARD, "LICENSE": "MIT License\n"})
    env = hub_env(fake_hub.url, tmp_path / "hf", HF_HUB_DISABLE_TELEMETRY=None)
    proc = run(env, "check", "acme/tiny", "-f", "json")
    assert proc.returncode in (0, 1), proc.stderr  # the gate's verdict: not what is tested here
    assert sorted(r.route for r in fake_hub.requests_to()) == [
        "/acme/tiny/resolve/" + fake_hub.repos["acme/tiny"].refs["main"] + "/" + n for n in ("LICENSE", "README.md")
    ] + ["/api/models/acme/tiny"]


@pytest.mark.slow
@pytest.mark.parametrize("body", [
    b'{"sha": 5}', b'{"siblings": [{"size": 1}]}', b'{"tags": "nlp"}', b"[1, 2]", b'{"gated": []}',
    b'{"cardData": {"ignore_metadata_errors": true}}',
])
def test_a_malformed_model_answer_is_one_error_line(fake_hub: FakeHub, env, body):
    fake_hub.add_fault(r"^/api/models/", status=200, body=body, headers={"Content-Type": "application/json"})
    proc = run(env, "check", "acme/tiny")
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.startswith("openaudit: error: acme/tiny: the Hub's ") and proc.stderr.count("\n") == 1
    assert "could not reach" not in proc.stderr


@pytest.mark.slow
def test_keys_a_check_does_not_read_are_not_checked(fake_hub: FakeHub, env):
    """huggingface_hub's ModelInfo would fail on these (no id, a date that is no date); the check needs neither."""
    sha = fake_hub.repos["acme/tiny"].refs["main"]
    body = json.dumps({"sha": sha, "lastModified": "yesterday", "siblings": [
        {"rfilename": "README.md"}, {"rfilename": "LICENSE", "lfs": {}}], "cardData": {"license": "apache-2.0"}})
    fake_hub.add_fault(r"^/api/models/", status=200, body=body.encode(), headers={"Content-Type": "application/json"})
    proc = run(env, "check", "acme/tiny", "-f", "json")
    assert proc.returncode in (0, 1), proc.stderr  # the gate's verdict: not what is tested here
    report = json.loads(proc.stdout)
    assert report["target"]["revision"] == sha and {f["name"] for f in report["files"]} == {"README.md", "LICENSE"}


KEYED_PROBE = """
from openaudit.commands import early
from openaudit.sources import hubnet
assert early.start(["check", "acme/tiny"])
hubnet.model_info("acme/tiny", "main", 10.0)  # another revision: a request of its own
hubnet.model_info("acme/tiny", None, 10.0)  # the early answer
"""


@pytest.mark.slow
def test_the_early_answer_goes_only_to_its_model_and_revision(fake_hub: FakeHub, env):
    subprocess.run([sys.executable, "-c", KEYED_PROBE], env=env, capture_output=True, text=True, timeout=120,
                   check=True)
    assert sorted(r.route for r in fake_hub.requests_to()) == ["/api/models/acme/tiny",
                                                               "/api/models/acme/tiny/revision/main"]


def test_an_early_error_is_raised_where_the_check_takes_the_answer():
    from openaudit.sources import hubnet

    def refused() -> bytes:
        raise ConnectionRefusedError("refused")

    req = hubnet._EarlyRequest(refused)
    req.start()
    hubnet._early[("acme/y", None)] = req
    with pytest.raises(ConnectionRefusedError):
        hubnet.model_info("acme/y", None, 1.0)


AUDIT_PROBE = """
import json, sys
import openaudit
report = openaudit.audit("acme/tiny")
print(json.dumps({"revision": report.target["revision"],
                  "loaded": sorted(m for m in ("huggingface_hub.hf_api", "huggingface_hub.file_download")
                                   if m in sys.modules)}))
"""


@pytest.mark.slow
def test_a_hub_check_imports_neither_hf_api_nor_file_download(fake_hub: FakeHub, env):
    """They cost a check ~55-75 ms of CPU together: the answer and the cache are read with huggingface_hub's
    client, constants and card data class, not these modules."""
    out = subprocess.run([sys.executable, "-c", AUDIT_PROBE], env=env, capture_output=True, text=True, timeout=120,
                         check=True)
    got = json.loads(out.stdout)
    assert got == {"revision": fake_hub.repos["acme/tiny"].refs["main"], "loaded": []}


def test_a_lone_surrogate_escape_in_the_answer_is_read_as_huggingface_hub_reads_it():
    """JavaScript's JSON.stringify writes a string cut inside an emoji as a lone surrogate escape; the json module
    (huggingface_hub's ModelInfo path) reads it, msgspec's decoder does not: the answer must still be read."""
    from openaudit.sources import hubnet

    body = b'{"sha": null, "tags": ["license:mit"], "cardData": {"license": "mit", "model_name": "tiny \\ud83d"}}'
    answer = hubnet.read_model_answer(body)
    assert answer.tags == ["license:mit"]
    assert answer.card_data.license == "mit" and answer.card_data.model_name == "tiny \ud83d"
    with pytest.raises(hubnet.MalformedAnswer):  # a value of the wrong type is still refused
        hubnet.read_model_answer(b'{"sha": null, "tags": ["\\ud83d", 1]}')


NO_THREAD_PROBE = """
import json, sys, threading
from openaudit.commands import early
from openaudit.sources import hubnet

def refuse(self):
    raise RuntimeError("can't start new thread")

threading.Thread.start = refuse  # the system refuses a new thread (ulimit -u, memory)
try:
    early.start(["check", "acme/tiny"])
except RuntimeError:
    pass  # the entry point swallows it (a head start only)
print(json.dumps({"sha": hubnet.model_info("acme/tiny", None, 10.0).sha}))
"""


@pytest.mark.slow
def test_an_early_request_that_could_not_start_leaves_the_check_its_own(fake_hub: FakeHub, env):
    out = subprocess.run([sys.executable, "-c", NO_THREAD_PROBE], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"sha": fake_hub.repos["acme/tiny"].refs["main"]}
    assert [r.route for r in fake_hub.requests_to()] == ["/api/models/acme/tiny"]
