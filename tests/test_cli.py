"""The CLI as a user runs it (a subprocess): exit codes, output formats, one-line errors, no ANSI in pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

import openaudit

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = json.loads((ROOT / "schema" / "report.schema.json").read_text(encoding="utf-8"))


def run(*args: str, tmp_path: Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(NO_COLOR="1", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"), HF_HUB_DISABLE_TELEMETRY="1")
    return subprocess.run([sys.executable, "-m", "openaudit", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=120)


def validate(data: object) -> None:
    error = best_match(Draft202012Validator(SCHEMA).iter_errors(data))
    assert error is None, f"{list(error.absolute_path)}: {error.message}"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def test_version(tmp_path: Path) -> None:
    proc = run("--version", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"openaudit {openaudit.__version__}"


@pytest.mark.parametrize("args", [("--help",), ("-h",), ("check", "--help")])
def test_help_exits_0(args: tuple[str, ...], tmp_path: Path) -> None:
    proc = run(*args, tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Usage" in proc.stdout
    if args[0] == "check":
        assert "--format" in proc.stdout and "--offline" in proc.stdout
    else:
        assert "check" in proc.stdout


def test_no_arguments_shows_help_and_does_not_crash(tmp_path: Path) -> None:
    proc = run(tmp_path=tmp_path)
    assert "Traceback" not in proc.stderr
    assert "Usage" in proc.stdout + proc.stderr


def test_check_without_targets_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("check", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr


def test_check_local_apache_table(tmp_path: Path) -> None:
    proc = run("check", fixture("cli_apache"), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Apache License 2.0" in proc.stdout
    assert "(apache-2.0)" in proc.stdout
    assert "PASSED" in proc.stdout
    assert proc.stderr == ""


def test_check_local_apache_json_validates(tmp_path: Path) -> None:
    proc = run("check", fixture("cli_apache"), "--format", "json", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    validate(report)
    assert isinstance(report, dict)
    assert report["schema_version"] == 1
    assert report["tool"] == {"name": "openaudit", "version": openaudit.__version__}
    assert report["target"] == {"kind": "local", "id": fixture("cli_apache"), "revision": None,
                                "requested_revision": None, "offline": False}
    assert report["license"]["id"] == "apache-2.0"
    assert report["license"]["name"] == "Apache License 2.0"
    assert report["license"]["osi_approved"] is True
    assert report["license"]["evidence"][0] == {"source": "metadata", "file": "README.md", "line": 2,
                                                "text": "license: apache-2.0"}
    assert report["gate"]["passed"] is True and report["gate"]["violations"] == []
    assert [{k: f[k] for k in ("name", "role", "status", "reason")} for f in report["files"]] == [
        {"name": "README.md", "role": "card", "status": "read", "reason": None}]


def test_check_local_full_fixture_json_validates(tmp_path: Path) -> None:
    proc = run("check", fixture("local_full"), "-f", "json", tmp_path=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    validate(report)
    assert sorted(f["name"] for f in report["files"]) == ["LICENSE", "NOTICE", "README.md", "USE_POLICY.md"]
    assert all(f["status"] == "read" for f in report["files"])


def test_no_license_fails_the_gate_with_oa101(tmp_path: Path) -> None:
    proc = run("check", fixture("cli_nolicense"), "--format", "json", tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    validate(report)
    oa101 = [f for f in report["findings"] if f["rule"] == "OA101"]
    assert len(oa101) == 1 and oa101[0]["severity"] == "error"
    assert report["license"]["id"] == "unknown"
    assert report["gate"]["passed"] is False
    assert "OA101" in [v["rule"] for v in report["gate"]["violations"]]


def test_no_license_table_says_failed(tmp_path: Path) -> None:
    proc = run("check", fixture("cli_nolicense"), tmp_path=tmp_path)
    assert proc.returncode == 1
    assert "FAILED" in proc.stdout and "OA101" in proc.stdout


def test_card_says_mit_but_license_file_is_llama_is_a_conflict(tmp_path: Path) -> None:
    # The real Llama 3.1 text (identification measures coverage of it: a stand-in with its title is not it).
    from corpus import corpus_license

    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_text(Path(fixture("cli_conflict"), "README.md").read_text())
    (model / "LICENSE").write_text(corpus_license("llama3.1.txt"))
    proc = run("check", str(model), "--format", "json", tmp_path=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    validate(report)
    conflicts = [f for f in report["findings"] if f["rule"] == "OA103"]
    assert len(conflicts) == 1
    assert conflicts[0]["severity"] == "error"
    assert "mit" in conflicts[0]["message"] and "llama3.1" in conflicts[0]["message"]
    assert conflicts[0]["evidence"]["file"] == "LICENSE"
    assert conflicts[0]["evidence"]["line"] == 1
    # the text of the license file is what binds the user
    assert report["license"]["id"] == "llama3.1"
    assert report["gate"]["passed"] is False
    assert any(v["rule"] == "OA103" for v in report["gate"]["violations"])


def test_missing_path_is_a_one_line_usage_error(tmp_path: Path) -> None:
    proc = run("check", "./nope", tmp_path=tmp_path, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("openaudit: error:")
    assert "./nope" in lines[0]
    assert "Traceback" not in proc.stderr


def test_missing_path_among_good_targets_prints_nothing_on_stdout(tmp_path: Path) -> None:
    proc = run("check", fixture("cli_apache"), str(tmp_path / "nope"), "-f", "json", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("openaudit: error:")


def test_hub_target_offline_without_cache_is_exit_3(tmp_path: Path) -> None:
    proc = run("check", "openaudit-test-org/not-cached", tmp_path=tmp_path, cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith("openaudit: error:")
    assert "Traceback" not in proc.stderr


def test_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    proc = run("check", fixture("cli_apache"), "--format", "xml", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr


def test_several_targets_give_a_json_array(tmp_path: Path) -> None:
    targets = [fixture("cli_apache"), fixture("cli_nolicense"), fixture("cli_conflict")]
    proc = run("check", *targets, "--format", "json", tmp_path=tmp_path)
    assert proc.returncode == 1  # one failing target fails the run
    data = json.loads(proc.stdout)
    validate(data)
    assert isinstance(data, list) and len(data) == 3
    assert [r["target"]["id"] for r in data] == targets
    assert [r["gate"]["passed"] for r in data] == [True, False, False]


def test_several_passing_targets_exit_0(tmp_path: Path) -> None:
    proc = run("check", fixture("cli_apache"), fixture("cli_apache"), "-f", "json", tmp_path=tmp_path)
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    validate(data)
    assert len(data) == 2


def test_card_file_target(tmp_path: Path) -> None:
    proc = run("check", str(FIXTURES / "cli_apache" / "README.md"), "-f", "json", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    validate(report)
    assert report["license"]["id"] == "apache-2.0"
    assert any("card file alone" in n for n in report["notes"])


@pytest.mark.parametrize("name", ["cli_apache", "cli_nolicense", "cli_conflict", "local_full"])
def test_piped_table_output_has_no_ansi(name: str, tmp_path: Path) -> None:
    env_proc = run("check", fixture(name), tmp_path=tmp_path)
    assert env_proc.returncode in (0, 1)
    assert "\x1b" not in env_proc.stdout
    assert "\x1b" not in env_proc.stderr
    assert env_proc.stdout.startswith("openaudit: ")


def test_piped_output_has_no_ansi_even_without_no_color(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"), TERM="xterm-256color")
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", fixture("cli_conflict")],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 1
    assert "\x1b" not in proc.stdout + proc.stderr


def test_hostile_card_through_the_cli(tmp_path: Path) -> None:
    d = tmp_path / "hostile"
    d.mkdir()
    (d / "README.md").write_text(
        '---\nlicense_name: "\\e[31mRED\\e[0m \\e]8;;http://evil\\aclick\\e]8;;\\a \\u202eabc [bold red]x[/]"\n---\n',
        encoding="utf-8")
    table = run("check", str(d), tmp_path=tmp_path)
    assert "Traceback" not in table.stderr
    assert "\x1b" not in table.stdout and "\u202e" not in table.stdout and "\x07" not in table.stdout
    assert "[bold red]x[/]" in table.stdout
    js = run("check", str(d), "-f", "json", tmp_path=tmp_path)
    assert js.stdout.isascii()
    report = json.loads(js.stdout)
    validate(report)
    # the JSON keeps the value as written (escaped), so consumers see what the card said
    assert any("\x1b[31mRED" in (c["text"] or "") for c in report["license"]["evidence"])
