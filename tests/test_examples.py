"""The bundled examples, through the installed CLI, offline: what a new user's first command shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    env.update(HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"), NO_COLOR="1", HF_HUB_DISABLE_TELEMETRY="1")
    return subprocess.run([sys.executable, "-m", "openaudit", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir()))
def test_every_example_audits_offline(example: str, tmp_path: Path) -> None:
    proc = run("check", f"examples/{example}", "--format", "json", tmp_path=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["target"] == {"kind": "local", "id": f"examples/{example}", "revision": None,
                                "requested_revision": None, "offline": False}
    assert any(f["name"] == "README.md" and f["status"] == "read" for f in report["files"])


def test_open_tiny_is_apache(tmp_path: Path) -> None:
    report = json.loads(run("check", "examples/open-tiny", "-f", "json", tmp_path=tmp_path).stdout)
    assert report["license"]["id"] == "apache-2.0"
    assert report["license"]["spdx"] == "Apache-2.0"
    assert report["license"]["osi_approved"] is True
    assert report["license"]["evidence"][0] == {"source": "metadata", "file": "README.md", "line": 2,
                                                "text": "license: apache-2.0"}
    assert report["gate"]["passed"] is True


def test_llama_finetune_carries_known_terms(tmp_path: Path) -> None:
    report = json.loads(run("check", "examples/llama-finetune", "-f", "json", tmp_path=tmp_path).stdout)
    assert report["license"]["id"] == "llama3.1"
    assert report["license"]["osi_approved"] is False
    caps = [r for r in report["restrictions"] if r["kind"] == "user_cap"]
    assert caps and caps[0]["thresholds"][0]["value"] == 700_000_000
    assert caps[0]["thresholds"][0]["unit"] == "monthly_active_users"


def test_table_output_when_piped_is_plain(tmp_path: Path) -> None:
    proc = run("check", "examples/open-tiny", tmp_path=tmp_path)
    assert proc.returncode == 0
    assert "Apache License 2.0 (apache-2.0)" in proc.stdout
    assert "\x1b" not in proc.stdout


def test_licenses_and_explain(tmp_path: Path) -> None:
    listing = run("licenses", tmp_path=tmp_path)
    assert listing.returncode == 0 and "llama3.1" in listing.stdout
    entries = json.loads(run("licenses", "-f", "json", tmp_path=tmp_path).stdout)
    assert {"apache-2.0", "mit", "llama3.1"} <= {e["id"] for e in entries}
    explained = run("explain", "llama3.1", tmp_path=tmp_path)
    assert explained.returncode == 0 and "700,000,000 monthly active users" in explained.stdout
    missing = run("explain", "no-such-license", tmp_path=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr


def test_community_capped_terms_are_read_from_the_text(tmp_path: Path) -> None:
    report = json.loads(run("check", "examples/community-capped", "-f", "json", tmp_path=tmp_path).stdout)
    assert report["license"]["id"] == "unknown"  # no catalog knows this invented license
    by_kind = {r["kind"]: r for r in report["restrictions"]}
    assert by_kind["user_cap"]["thresholds"] == [{"value": 50_000_000, "unit": "monthly_active_users",
                                                  "currency": None}]
    assert by_kind["user_cap"]["clause"]["file"] == "LICENSE.md" and by_kind["user_cap"]["clause"]["line"] == 8
    assert by_kind["territory"]["territories"] == ["EU"]
    assert by_kind["output_training_ban"]["clause"]["line"] == 15
    assert all(r["origin"] == "text" for r in report["restrictions"])


@pytest.mark.parametrize("args", [["check"], ["check", "examples/open-tiny", "--bogus"],
                                  ["check", "examples/open-tiny", "--format", "xml"], ["explain"]])
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str]) -> None:
    proc = run(*args, tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("openaudit: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_arguments_prints_help(tmp_path: Path) -> None:
    proc = run(tmp_path=tmp_path)
    assert proc.returncode == 0 and "Commands" in proc.stdout and "check" in proc.stdout
