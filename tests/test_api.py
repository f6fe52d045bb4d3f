"""The Python API: `openaudit.audit(target, *, context=None, policy=None, offline=False) -> Report`, in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import openaudit
from openaudit.context import DeploymentContext
from openaudit.errors import UsageError
from openaudit.model import Report
from openaudit.policy import Policy

EXAMPLES = Path(__file__).parent.parent / "examples"

CARD = """---
license: apache-2.0
library_name: transformers
---
# api-fixture

A card written for openaudit's API tests; the model has 350M parameters.
"""


@pytest.fixture
def fixture_dir(tmp_path: Path) -> str:
    d = tmp_path / "api-fixture"
    d.mkdir()
    (d / "README.md").write_text(CARD, encoding="utf-8")
    (d / "model.safetensors").write_bytes(b"\0" * 16)
    return str(d)


def test_import_is_cheap() -> None:
    code = ("import sys, openaudit; heavy = [m for m in sys.modules if m.split('.')[0] in "
            "('huggingface_hub', 'rich', 'yaml', 'typer', 'cyclonedx') or m.startswith('openaudit.')]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_audit_local_fixture(fixture_dir: str) -> None:
    r = openaudit.audit(fixture_dir, offline=True)
    assert isinstance(r, Report) and isinstance(r, openaudit.Report)
    assert r.license.id == "apache-2.0" and r.passed
    assert r.eu_ai_act is not None and r.eu_ai_act.exemption in ("likely_applies", "undetermined")
    data = json.loads(r.to_json())
    assert data["schema_version"] == 1 and data["license"]["spdx"] == "Apache-2.0"


def test_same_data_as_the_cli_json(tmp_path: Path) -> None:
    target = str(EXAMPLES / "community-capped")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", target, "-f", "json"], capture_output=True,
                          text=True, env=env, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert openaudit.audit(target, offline=True).to_dict() == json.loads(proc.stdout)


def test_context_as_dict_or_object() -> None:
    target = str(EXAMPLES / "community-capped")
    by_dict = openaudit.audit(target, context={"mau": "60M", "regions": ["DE"]}, offline=True)
    by_obj = openaudit.audit(target, context=DeploymentContext.from_options(mau="60M", regions=["DE"]),
                             offline=True)
    assert not by_dict.passed and not by_obj.passed
    assert {v.rule for v in by_dict.gate.violations} == {v.rule for v in by_obj.gate.violations}
    assert {"OA221", "OA224"} <= {v.rule for v in by_dict.gate.violations}
    with pytest.raises(UsageError):
        openaudit.audit(target, context={"users": 5}, offline=True)


def test_policy_as_dict_object_or_path(tmp_path: Path) -> None:
    target = str(EXAMPLES / "open-tiny")
    deny = {"licenses": {"deny": ["apache-*"]}}
    assert not openaudit.audit(target, policy=deny, offline=True).passed
    p = tmp_path / "policy.yaml"
    p.write_text("licenses:\n  deny: [apache-*]\n", encoding="utf-8")
    for policy in (str(p), p):
        r = openaudit.audit(target, policy=policy, offline=True)
        assert "OA901" in {v.rule for v in r.gate.violations}
    assert openaudit.audit(target, policy=openaudit.Policy(), offline=True).passed
    assert isinstance(openaudit.Policy(), Policy)
    with pytest.raises(TypeError):
        openaudit.audit(target, policy=42, offline=True)  # type: ignore[arg-type]


def test_every_example_in_process() -> None:
    for d in sorted(EXAMPLES.iterdir()):
        if d.is_dir():
            r = openaudit.audit(str(d), offline=True)
            assert r.license.evidence, d.name
            assert r.to_dict()["target"]["kind"] == "local"


def test_module_and_function_are_one() -> None:
    from openaudit.audit import audit as fn

    assert callable(openaudit.audit)
    assert openaudit.audit.audit is fn  # the submodule forwards calls to the same function the CLI uses
    with pytest.raises(AttributeError):
        openaudit.no_such_name  # noqa: B018


def test_readme_python_api_example_runs() -> None:
    # The documented example (docs/python-api.md), executed as written (from the repository root, where
    # `examples/` is), without the CLI.
    readme = (EXAMPLES.parent / "docs" / "python-api.md").read_text(encoding="utf-8")
    section = readme.split("\n## ", 1)[0]  # the page up to its first sub-heading
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "openaudit.audit(" in snippet
    check = ("\nimport json as _json\nassert report.passed is False\n"
             "assert {v.rule for v in report.gate.violations} >= {'OA221', 'OA224', 'OA904'}\n"
             "assert report.eu_ai_act.exemption == 'does_not_apply'\n"
             "assert _json.loads(report.to_json())['gate']['passed'] is False\n"
             "import sys\nassert 'typer' not in sys.modules and 'openaudit.cli' not in sys.modules\n"
             "print('README-OK')\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", snippet + check], capture_output=True, text=True, env=env,
                          timeout=60, cwd=EXAMPLES.parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("README-OK")
    assert '"schema_version": 1' in proc.stdout  # print(report.to_json())


def test_signature_of_openaudit_audit() -> None:
    import inspect

    params = inspect.signature(openaudit.audit).parameters
    assert list(params)[:4] == ["target", "context", "policy", "offline"]
    assert all(params[n].kind is inspect.Parameter.KEYWORD_ONLY for n in ("context", "policy", "offline"))
    with pytest.raises(TypeError):
        openaudit.audit("examples/open-tiny", None)  # type: ignore[misc]
