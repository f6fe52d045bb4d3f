"""The deployment gate through the CLI: context flags, policy files, waivers, invalid policies."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test runs the CLI in a subprocess, some several times

ROOT = Path(__file__).resolve().parents[1]
LLAMA = str(ROOT / "examples" / "llama-finetune")
OPEN = str(ROOT / "examples" / "open-tiny")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    env.update(HF_HUB_OFFLINE="1", HF_HOME=str(cwd / ".hf"), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "openaudit", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=60)


def report(proc: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(proc.stdout)


@pytest.mark.parametrize("mau, code", [("800M", 1), ("1000", 0), ("700M", 0), ("700_000_001", 1), ("1.2B", 1)])
def test_mau_gate_on_llama_31(tmp_path, mau, code):
    proc = run("check", LLAMA, "--mau", mau, "-f", "json", cwd=tmp_path)
    assert proc.returncode == code, proc.stderr
    rules = [v["rule"] for v in report(proc)["gate"]["violations"]]
    assert rules == (["OA221"] if code else [])


def test_mau_violation_cites_the_cap(tmp_path):
    r = report(run("check", LLAMA, "--mau", "800M", "-f", "json", cwd=tmp_path))
    f = next(f for f in r["findings"] if f["rule"] == "OA221")
    assert f["severity"] == "error"
    assert "800M" in f["message"] and "700M" in f["message"]
    assert "700 million monthly active users" in f["evidence"]["text"]
    assert r["gate"]["context"]["mau"] == 800e6


def test_context_flags_that_do_not_apply_pass(tmp_path):
    # Llama 3.1 has no output-training ban and no territory exclusion in its license.
    proc = run("check", LLAMA, "--distill", "--train-on-outputs", "--region", "EU", "--commercial", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout


def test_bad_amount_is_a_usage_error(tmp_path):
    proc = run("check", LLAMA, "--mau", "lots", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("openaudit: error: --mau") and proc.stderr.count("\n") == 1


def write_policy(tmp_path: Path, text: str) -> None:
    (tmp_path / ".openaudit.yaml").write_text(text)


def test_policy_deny_is_discovered_in_the_working_directory(tmp_path):
    write_policy(tmp_path, "licenses:\n  deny: [llama*]\n")
    proc = run("check", LLAMA, "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1
    v = report(proc)["gate"]["violations"]
    assert v[0]["rule"] == "OA901" and "llama*" in v[0]["message"]
    assert run("check", OPEN, cwd=tmp_path).returncode == 0


def test_policy_allow_list_with_spdx_expression(tmp_path):
    write_policy(tmp_path, "licenses:\n  allow: ['MIT OR Apache-2.0']\n")
    assert run("check", OPEN, cwd=tmp_path).returncode == 0
    proc = run("check", LLAMA, "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1 and report(proc)["gate"]["violations"][0]["rule"] == "OA902"


def test_policy_context_and_cli_override(tmp_path):
    write_policy(tmp_path, "context:\n  mau: 800M\n")
    assert run("check", LLAMA, cwd=tmp_path).returncode == 1
    assert run("check", LLAMA, "--mau", "10", cwd=tmp_path).returncode == 0


def test_pyproject_tool_section(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.openaudit]\nlicenses = {deny = ['llama3.1']}\n")
    assert run("check", LLAMA, cwd=tmp_path).returncode == 1


def test_fail_on_warning(tmp_path):
    write_policy(tmp_path, "fail_on: warning\n")
    proc = run("check", LLAMA, "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert {"OA201", "OA204"} <= {v["rule"] for v in report(proc)["gate"]["violations"]}


def test_rule_disable_and_severity_override(tmp_path):
    write_policy(tmp_path, "rules:\n  disable: [OA201]\n  severity: {OA204: error}\n")
    r = report(run("check", LLAMA, "-f", "json", cwd=tmp_path))
    assert "OA201" not in {f["rule"] for f in r["findings"]}
    assert [v["rule"] for v in r["gate"]["violations"]] == ["OA204"]


def test_waivers_apply_until_they_expire(tmp_path):
    future = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    base = "licenses:\n  deny: [llama3.1]\nwaivers:\n"
    write_policy(tmp_path, base + f"  - {{model: '/*llama-finetune', reason: 'signed agreement', expires: {future}}}\n")
    proc = run("check", LLAMA, "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    r = report(proc)
    waived = {f["rule"]: f["waiver_reason"] for f in r["findings"] if f["waived"]}
    assert waived["OA901"] == "signed agreement"  # a waiver without a rule covers every finding of the model
    assert {"rule": "OA901", "reason": "signed agreement"} in r["gate"]["waived"]

    write_policy(tmp_path, base + f"  - {{model: '/*llama-finetune', rule: OA901, reason: r, expires: {soon}}}\n")
    r = report(run("check", LLAMA, "-f", "json", cwd=tmp_path))
    assert "OA907" in {f["rule"] for f in r["findings"]}

    write_policy(tmp_path, base + f"  - {{model: '/*llama-finetune', reason: 'old deal', expires: {past}}}\n")
    proc = run("check", LLAMA, "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1
    rules = {f["rule"] for f in report(proc)["findings"]}
    assert {"OA901", "OA906"} <= rules


@pytest.mark.parametrize("text, key", [
    ("licences: {deny: [x]}\n", "licences"),
    ("licenses: {block: [x]}\n", "'licenses' takes"),
    ("fail_on: sometimes\n", "fail_on"),
    ("require: {min_grade: Z}\n", "min_grade"),
    ("waivers:\n  - {model: x}\n", "'reason' is required"),
    ("waivers:\n  - {model: x, reason: y, expires: someday}\n", "'expires'"),
    ("context: {mau: lots}\n", "--mau"),
    ("context: {users: 5}\n", "users"),
    ("rules: {severity: {OA201: fatal}}\n", "rules.severity"),
    ("licenses: [\n", "invalid YAML"),
])
def test_invalid_policy_exits_2_naming_the_key(tmp_path, text, key):
    write_policy(tmp_path, text)
    proc = run("check", OPEN, cwd=tmp_path)
    assert proc.returncode == 2
    assert key in proc.stderr and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_explicit_policy_flag_and_missing_file(tmp_path):
    (tmp_path / "p.yaml").write_text("licenses: {deny: ['apache-*']}\n")
    assert run("check", OPEN, "--policy", "p.yaml", cwd=tmp_path).returncode == 1
    proc = run("check", OPEN, "--policy", "nope.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and "policy file not found" in proc.stderr


def test_user_rules_directory(tmp_path):
    d = tmp_path / "myrules"
    d.mkdir()
    (d / "house.yaml").write_text(
        "rules:\n  - code: OA950\n    title: No Llama without review\n    severity: error\n"
        "    standard: In-house\n    when: {path: license.id, glob: 'llama*'}\n"
        "    message: '{license.id} needs review'\n    docs: {what: w, why: y, fix: f}\n")
    proc = run("check", LLAMA, "--rules", str(d), "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1 and report(proc)["gate"]["violations"][0]["message"] == "llama3.1 needs review"
    (d / "bad.yaml").write_text("rules:\n  - code: OA951\n    title: t\n")
    proc = run("check", LLAMA, "--rules", str(d), cwd=tmp_path)
    assert proc.returncode == 2 and "bad.yaml" in proc.stderr


def test_rules_and_explain_commands(tmp_path):
    listing = run("rules", cwd=tmp_path)
    assert listing.returncode == 0 and "OA221" in listing.stdout
    explained = run("explain", "oa221", cwd=tmp_path)
    assert explained.returncode == 0 and "How to fix" in explained.stdout and "--mau" in explained.stdout
    assert run("explain", "OA999", cwd=tmp_path).returncode == 2


COMMUNITY = str(ROOT / "examples" / "community-capped")


@pytest.mark.parametrize("flags, rule", [
    (["--region", "DE"], "OA224"),          # an EU member state counts as the EU
    (["--region", "EU"], "OA224"),
    (["--train-on-outputs"], "OA225"),
    (["--distill"], "OA225"),
    (["--mau", "60M"], "OA221"),
])
def test_gate_on_terms_read_from_a_license_never_seen(tmp_path, flags, rule):
    proc = run("check", COMMUNITY, *flags, "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    r = report(proc)
    assert r["license"]["id"] == "unknown"
    violation = next(f for f in r["findings"] if f["rule"] == rule)
    assert violation["evidence"]["file"] == "LICENSE.md" and violation["evidence"]["line"] > 1


@pytest.mark.parametrize("flags", [["--region", "US"], ["--mau", "40M"], ["--commercial"]])
def test_context_within_the_terms_passes(tmp_path, flags):
    assert run("check", COMMUNITY, *flags, cwd=tmp_path).returncode == 0


def _model(tmp_path: Path, license_text: str) -> str:
    d = tmp_path / "m"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: other\nlicense_name: house-license\n---\n# m\n")
    (d / "LICENSE").write_text(license_text)
    return str(d)


def test_commercial_use_of_a_non_commercial_license_fails(tmp_path):
    m = _model(tmp_path, "Grant. You may use the Model solely for non-commercial research purposes.\n"
                         "Any commercial use of the Model is prohibited.\n")
    assert run("check", m, "--non-commercial", cwd=tmp_path).returncode == 0
    proc = run("check", m, "--commercial", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert "OA223" in {v["rule"] for v in report(proc)["gate"]["violations"]}


def test_revenue_above_the_cap_fails(tmp_path):
    m = _model(tmp_path, "Free use. This license is available to organisations with annual revenue of less than "
                         "US $1,000,000. If your annual revenue exceeds US $1,000,000, you must obtain an "
                         "enterprise license from the Licensor.\n")
    assert run("check", m, "--annual-revenue", "500k", cwd=tmp_path).returncode == 0
    proc = run("check", m, "--annual-revenue", "2M", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout
    v = next(f for f in report(proc)["findings"] if f["rule"] == "OA222")
    assert v["evidence"]["file"] == "LICENSE" and "1,000,000" in v["evidence"]["text"]
