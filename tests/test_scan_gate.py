"""`openaudit scan` and `openaudit lock` end to end: a fresh git repository whose app.py loads a model served by
the fake Hub (tests/fakehub.py), a policy that denies its license, waivers, every output format, and the lock
round trip with the Hub gone."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fakehub import FakeHub, hub_env

CARD = """---
license: llama3.1
---
# tiny-llama

A toy model for openaudit's scan tests.
"""
LICENSE = """Llama 3.1 Community License Agreement

Llama 3.1 Version Release Date: July 23, 2024

A stand-in for openaudit's tests. It keeps the title and release-date lines by which the license is
recognised; products above 700 million monthly active users are mentioned only so that the number can be found.
"""
CARD_MIT = "---\nlicense: mit\n---\n# tiny-llama\n\nRelicensed for the sake of the test.\n"
APP = '''"""The application."""
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("acme/tiny-llama")
'''
DENY = "licenses:\n  deny: [llama3.1]\n"


def git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "app"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "app.py").write_text(APP)
    (repo / ".openaudit.yaml").write_text(DENY)
    return repo


def oa(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "openaudit", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def hub(fake_hub: FakeHub) -> FakeHub:
    fake_hub.add_repo("acme/tiny-llama", {"README.md": CARD, "LICENSE": LICENSE, "model.safetensors": b"\0" * 8})
    return fake_hub


@pytest.fixture
def env(hub: FakeHub, tmp_path: Path) -> dict[str, str]:
    return hub_env(hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="5")


def test_denied_model_fails_and_is_named(hub, env, tmp_path):
    repo = git_repo(tmp_path)
    proc = oa(env, repo, "scan")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "acme/tiny-llama" in proc.stdout and "OA901" in proc.stdout
    assert "app.py:4" in proc.stdout  # where the code references it

    proc = oa(env, repo, "scan", "--format", "json")
    report = json.loads(proc.stdout)["models"][0]
    assert report["target"]["id"] == "acme/tiny-llama"
    assert report["target"]["references"] == [
        {"file": "app.py", "line": 4, "text": 'model = AutoModelForCausalLM.from_pretrained("acme/tiny-llama")',
         "how": "call"}]
    assert [v["rule"] for v in report["gate"]["violations"]] == ["OA901"]


def test_waivers_in_every_format(hub, env, tmp_path):
    repo = git_repo(tmp_path)
    future = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    (repo / ".openaudit.yaml").write_text(
        DENY + f"waivers:\n  - {{model: acme/tiny-llama, rule: OA901, reason: 'Legal approved <2025-11>', "
               f"expires: {future}}}\n")
    proc = oa(env, repo, "scan", "-f", "json")
    assert proc.returncode == 0, proc.stdout
    report = json.loads(proc.stdout)["models"][0]
    waived = [f for f in report["findings"] if f["waived"]]
    assert [(f["rule"], f["waiver_reason"]) for f in waived] == [("OA901", "Legal approved <2025-11>")]
    assert "OA907" in {f["rule"] for f in report["findings"]}  # expires within 30 days: said ahead of time

    oa907 = [f for f in report["findings"] if f["rule"] == "OA907"]
    assert [f["severity"] for f in oa907] == ["warning"] and "in 20 day(s)" in oa907[0]["message"]

    table = oa(env, repo, "scan").stdout
    assert "(waived)" in table and "Legal approved" in table and "OA907  warning" in table

    lines = [json.loads(x) for x in oa(env, repo, "scan", "-f", "jsonl").stdout.splitlines()]
    assert {(f["rule"], f["waived"]) for f in lines[0]["findings"]} >= {("OA901", True), ("OA907", False)}

    md = oa(env, repo, "scan", "-f", "markdown").stdout
    assert "**waived**" in md and "Legal approved &lt;2025\\-11&gt;" in md and "1 waived" in md
    [callout] = [x for x in md.splitlines() if x.startswith("> ⚠️ OA907 acme/tiny\\-llama: Waiver for")]
    assert future.replace("-", "\\-") in callout  # up front, not only in the findings table

    sarif = json.loads(oa(env, repo, "scan", "-f", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    oa901 = [r for r in results if r["ruleId"] == "OA901"]
    assert oa901 and oa901[0]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "Legal approved <2025-11>"}]
    assert all("suppressions" not in r for r in results if r["ruleId"] != "OA901")
    assert [r["level"] for r in results if r["ruleId"] == "OA907"] == ["warning"]


def test_expired_waiver_does_not_apply(hub, env, tmp_path):
    repo = git_repo(tmp_path)
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    (repo / ".openaudit.yaml").write_text(
        DENY + f"waivers:\n  - {{model: 'acme/*', reason: 'old deal', expires: {past}}}\n")
    proc = oa(env, repo, "scan", "-f", "json")
    assert proc.returncode == 1
    findings = json.loads(proc.stdout)["models"][0]["findings"]
    assert {"OA901", "OA906"} <= {f["rule"] for f in findings}
    assert not any(f["waived"] for f in findings)


def test_sarif_output_file_is_valid_2_1_0(hub, env, tmp_path):
    from test_sarif import validate_sarif

    repo = git_repo(tmp_path)
    proc = oa(env, repo, "scan", "--format", "sarif", "--output", "out.sarif")
    assert proc.returncode == 1 and proc.stdout == ""
    log = json.loads((repo / "out.sarif").read_text())
    validate_sarif(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "OA901" in ids
    r = next(r for r in run["results"] if r["ruleId"] == "OA901")
    assert r["level"] == "error"
    assert ids[r["ruleIndex"]] == "OA901"
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "app.py" and loc["region"]["startLine"] == 4
    related = r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert related.startswith("hf://acme/tiny-llama@")
    assert r["message"]["text"].startswith("acme/tiny-llama: License llama3.1 is denied")
    assert run["invocations"][0]["executionSuccessful"] is True


def test_models_that_cannot_be_audited_are_shown_with_where(hub, env, tmp_path):
    from test_sarif import validate_sarif

    repo = git_repo(tmp_path)
    (repo / "serve.yaml").write_text("server:\n  model: acme/missing\n")
    proc = oa(env, repo, "scan")
    assert proc.returncode == 3  # the worst result: evidence unavailable beats the failed gate
    assert proc.stderr.splitlines() == [
        "openaudit: error: acme/missing: repository not found on the Hub (or private without access) (referenced "
        "at serve.yaml:2); if it is not a Hub model, add '# openaudit: ignore' to that line"]
    assert "acme/tiny-llama  llama3.1  E      FAILED" in proc.stdout and "ERROR (exit 3)" in proc.stdout
    assert "2 targets: 0 passed, 1 failed, 1 not audited" in proc.stdout

    md = oa(env, repo, "scan", "-f", "markdown").stdout
    assert md.startswith("## openaudit ❌ 0 of 2 models passed, 1 not audited")
    assert "- acme/missing: acme/missing\\: repository not found" in md and "`serve.yaml:2`" in md

    log = json.loads(oa(env, repo, "scan", "-f", "sarif").stdout)
    validate_sarif(log)
    inv = log["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    [n] = [n for n in inv["toolExecutionNotifications"] if n["level"] == "error"]
    assert n["properties"] == {"model": "acme/missing", "exitCode": 3}
    loc = n["locations"][0]["physicalLocation"]
    assert (loc["artifactLocation"]["uri"], loc["region"]["startLine"]) == ("serve.yaml", 2)

    (repo / "serve.yaml").write_text("server:\n  model: acme/missing  # openaudit: ignore\n")
    assert oa(env, repo, "scan").returncode == 1


def test_lock_then_offline_scan_with_the_hub_gone(hub, env, tmp_path):
    repo = git_repo(tmp_path)
    proc = oa(env, repo, "lock")
    assert proc.returncode == 0, proc.stderr
    assert "acme/tiny-llama" in proc.stdout
    lock = yaml.safe_load((repo / "openaudit.lock").read_text())
    entry = lock["models"]["acme/tiny-llama"]
    sha = hub.repos["acme/tiny-llama"].refs["main"]
    assert entry["revision"] == sha and entry["license"] == "llama3.1"
    assert entry["digest"].startswith("sha256:") and len(entry["digest"]) == 7 + 64
    assert {"kind": "user_cap", "thresholds": [{"value": 700e6, "unit": "monthly_active_users"}]} in entry["terms"]
    summary = json.loads(oa(env, repo, "lock", "--lock", "again.lock", "-f", "json").stdout)
    assert summary == {"lock": "again.lock", "models": lock["models"]}  # same audit, same digest

    hub.stop()
    for extra in ({"HF_HUB_OFFLINE": "1"}, {}):  # offline on purpose, and online with the Hub unreachable
        proc = oa({**env, **extra}, repo, "scan", "-f", "json")
        assert proc.returncode == 1, (extra, proc.stderr)  # still decided: the denied license fails
        report = json.loads(proc.stdout)["models"][0]
        assert report["target"]["revision"] == sha and report["target"]["offline"] is True
        assert report["target"]["lock"]["decided_from_lock"] is True
        assert any("openaudit.lock" in n and "offline" in n for n in report["notes"]), report["notes"]
        assert [v["rule"] for v in report["gate"]["violations"]] == ["OA901"]
    proc = oa(env, repo, "scan")
    assert "Hub was unreachable" in proc.stdout and "decided offline" in proc.stdout
    proc = oa(env, repo, "scan", "-f", "sarif", "-o", "out.sarif")
    assert proc.returncode == 1
    assert proc.stderr == ("openaudit: decided offline from openaudit.lock (locked revisions from the Hub cache): "
                           "acme/tiny-llama\n")
    log = json.loads((repo / "out.sarif").read_text())
    assert log["runs"][0]["properties"]["models"][0]["decidedFromLock"] is True
    notes = [n["message"]["text"] for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"]]
    assert any("decided offline from openaudit.lock" in n for n in notes), notes
    md = oa({**env, "HF_HUB_OFFLINE": "1"}, repo, "scan", "-f", "markdown").stdout
    assert "(hub, offline)" in md.replace("\\", "") and "Decided offline from openaudit.lock" in md.replace("\\", "")

    # Without a lock, the Hub gone is evidence unavailable (exit 3), one line per model.
    (repo / "openaudit.lock").unlink()
    proc = oa(env, repo, "scan")
    assert proc.returncode == 3 and proc.stderr.startswith("openaudit: error: acme/tiny-llama")


def test_lock_fallback_when_the_hub_answers_503(hub, env, tmp_path):
    repo = git_repo(tmp_path)
    assert oa(env, repo, "lock").returncode == 0
    hub.add_fault(r"^/api/models/", status=503)  # the Hub is up but failing: as good as unreachable
    proc = oa(env, repo, "scan", "-f", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)["models"][0]
    assert report["target"]["lock"]["decided_from_lock"] is True
    assert any("HTTP 503" in n and "decided offline from openaudit.lock" in n for n in report["notes"])


def test_drift_upstream_is_a_warning(hub, env, tmp_path):
    repo = git_repo(tmp_path)
    (repo / ".openaudit.yaml").write_text("licenses:\n  allow: [llama3.1, mit]\n")
    assert oa(env, repo, "lock").returncode == 0
    hub_sha = hub.repos["acme/tiny-llama"].refs["main"]
    proc = oa(env, repo, "scan", "-f", "json")
    assert proc.returncode == 0 and "OA908" not in proc.stdout  # nothing changed

    hub.add_revision("acme/tiny-llama", {"README.md": CARD_MIT, "LICENSE": "MIT License\n"}, branch="main")
    proc = oa(env, repo, "scan", "-f", "json")
    report = json.loads(proc.stdout)["models"][0]
    drift = [f for f in report["findings"] if f["rule"] == "OA908"]
    assert {f["severity"] for f in drift} == {"warning"}
    messages = " ".join(f["message"] for f in drift)
    assert "revision" in messages and "terms" in messages and "llama3.1" in messages
    assert f"revision was {hub_sha[:12]}" in messages
    assert proc.returncode == 0  # a warning: fails only with fail_on: warning
    assert oa(env, repo, "scan", "--fail-on", "warning").returncode == 1


def test_no_models_found(env, tmp_path):
    (tmp_path / "x.py").write_text("print('hello')\n")
    proc = oa(env, tmp_path, "scan")
    assert proc.returncode == 0 and "no model references found" in proc.stdout
    assert json.loads(oa(env, tmp_path, "scan", "-f", "json").stdout)["models"] == []  # one shape, even empty
    assert "No model references found" in oa(env, tmp_path, "scan", "-f", "markdown").stdout


def test_github_action_scan_step(hub, env, tmp_path):
    """action.yml's scan step, run with bash as a composite action runs it: the Markdown summary goes to
    $GITHUB_STEP_SUMMARY, the report in `format` to `output`, the exit code to the step outputs; no upload."""
    from test_sarif import validate_sarif

    action = yaml.safe_load((Path(__file__).resolve().parents[1] / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "policy", "format", "fail-on"} <= set(action["inputs"])
    uses = [step["uses"].split("@")[0] for step in action["runs"]["steps"] if "uses" in step]
    assert uses == ["actions/setup-python", "actions/cache"]  # sets up Python 3.11+; uploads nothing by itself
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")

    repo = git_repo(tmp_path)
    runner_temp = tmp_path / "runner"
    (runner_temp / "openaudit-venv" / "bin").mkdir(parents=True)
    shim = runner_temp / "openaudit-venv" / "bin" / "openaudit"  # what the install step puts there
    calls = tmp_path / "calls.txt"
    shim.write_text(f'#!/bin/sh\necho run >> "{calls}"\nexec "{sys.executable}" -m openaudit "$@"\n')
    shim.chmod(0o755)
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    step_env = {**env, "RUNNER_TEMP": str(runner_temp), "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_OUTPUT": str(outputs), "OA_PATHS": ".", "OA_POLICY": ".openaudit.yaml", "OA_FORMAT": "sarif",
                "OA_OUTPUT": "openaudit.sarif", "OA_FAIL_ON": ""}
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo, env=step_env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert outputs.read_text() == "exit-code=1\n"
    text = summary.read_text()
    assert text.startswith("## openaudit ❌ 0 of 1 model passed") and "OA901" in text and "app.py:4" in text
    assert "gate failed" in proc.stdout and "OA901" in proc.stdout  # the reason is in the job log too
    assert calls.read_text().count("run") == 1  # one scan gives the report and the summary
    validate_sarif(json.loads((repo / "openaudit.sarif").read_text()))


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "markdown"])
def test_every_format_to_an_output_file(hub, env, tmp_path, fmt):
    repo = git_repo(tmp_path)
    proc = oa(env, repo, "scan", "--format", fmt, "--output", "report.out")
    assert proc.returncode == 1 and proc.stdout == "" and proc.stderr == ""
    text = (repo / "report.out").read_text(encoding="utf-8")
    assert "acme/tiny" in text and "OA901" in text and "app.py" in text
    if fmt in ("json", "jsonl"):
        report = json.loads(text.splitlines()[0]) if fmt == "jsonl" else json.loads(text)["models"][0]
        assert report["target"]["references"][0]["line"] == 4
    else:
        assert "app.py:4" in text
    assert "\x1b" not in text  # no colour in a file


def test_scan_json_has_one_shape_whatever_the_number_of_models(hub, env, tmp_path):
    """An object holding a list, for zero, one or two models, with the models not audited and the gate."""
    repo = git_repo(tmp_path)
    one = json.loads(oa(env, repo, "scan", "-f", "json").stdout)
    assert set(one) >= {"schema_version", "tool", "passed", "models", "not_audited"}
    assert [m["target"]["id"] for m in one["models"]] == ["acme/tiny-llama"] and one["passed"] is False
    (repo / "other.py").write_text('from transformers import AutoModel\nAutoModel.from_pretrained("acme/missing")\n')
    two = json.loads(oa(env, repo, "scan", "-f", "json").stdout)
    assert set(two) == set(one) and len(two["models"]) == 1
    assert [u["model"] for u in two["not_audited"]] == ["acme/missing"]


def test_environment_defaults_are_references_and_policy_ignore_drops_api_names(hub, env, tmp_path):
    """`os.environ.get("MODEL_ID", "org/x")` names a model the code loads by default; a LiteLLM config's
    `openai/gpt-4o` is no Hub model: the policy's `ignore:` keeps it out instead of ending the scan with exit 3."""
    repo = tmp_path / "app"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "serve.py").write_text('import os\nMODEL = os.environ.get("MODEL_ID", "acme/tiny-llama")\n'
                                   'alt = os.getenv("HF_MODEL_NAME", \'acme/tiny-llama\')\n')
    (repo / "litellm.yaml").write_text("model_list:\n  - model_name: gpt\n    litellm_params:\n"
                                       "      model: openai/gpt-4o\n")
    proc = oa(env, repo, "scan", "-f", "json")
    data = json.loads(proc.stdout)
    assert [m["target"]["id"] for m in data["models"]] == ["acme/tiny-llama"]
    assert [r["how"] for r in data["models"][0]["target"]["references"]] == ["default", "default"]
    assert [u["model"] for u in data["not_audited"]] == ["openai/gpt-4o"] and proc.returncode == 3
    (repo / ".openaudit.yaml").write_text('ignore: ["openai/*", "anthropic/*"]\n')
    proc = oa(env, repo, "scan", "-f", "json")
    data = json.loads(proc.stdout)
    assert data["not_audited"] == [] and proc.returncode in (0, 1)
    (tmp_path / "bad.yaml").write_text("ignore: {openai: 1}\n")
    bad = oa(env, repo, "scan", "--policy", str(tmp_path / "bad.yaml"))
    assert bad.returncode == 2 and "ignore" in bad.stderr
