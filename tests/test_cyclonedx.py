"""`--format cyclonedx`: a CycloneDX 1.6 ML-BOM, validated against the schema cyclonedx-python-lib ships."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("cyclonedx")
from cyclonedx.schema import SchemaVersion  # noqa: E402
from cyclonedx.validation.json import JsonStrictValidator  # noqa: E402

from openaudit.audit import audit, audit_evidence  # noqa: E402
from openaudit.report.cyclonedx import build_bom  # noqa: E402
from openaudit.sources import resolve  # noqa: E402

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"

CARD = """---
license: apache-2.0
library_name: transformers
datasets:
- acme/clean-text
- acme/more-text
base_model: acme/parent-model
---
# pebble-ft

A test fine-tune with 1.2B parameters trained on 20B tokens.
"""


def validate(data: dict) -> None:
    err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(data))
    assert err is None, err


def props(component: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in component.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out


@pytest.fixture
def finetune(tmp_path: Path) -> str:
    d = tmp_path / "pebble-ft"
    d.mkdir()
    (d / "README.md").write_text(CARD, encoding="utf-8")
    (d / "model.safetensors").write_bytes(b"\0" * 16)
    return str(d)


def test_model_bases_and_datasets_validate(finetune: str) -> None:
    r = audit(finetune, offline=True)
    bom = build_bom([r])
    validate(bom)
    assert bom["specVersion"] == "1.6" and bom["bomFormat"] == "CycloneDX"
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model" and model["name"] == "pebble-ft"
    assert model["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    p = props(model)
    assert p["openaudit:license.id"] == ["apache-2.0"]
    assert p["openaudit:osaid.verdict"] == [r.osaid["verdict"]]
    assert p["openaudit:grade"] == [r.grade["letter"]]
    assert p["openaudit:gate"] == ["passed"]
    assert p["openaudit:mof.class"]
    assert p["openaudit:eu_ai_act.exemption"] == [r.eu_ai_act["exemption"]]
    comps = {c["name"]: c for c in bom.get("components", [])}
    assert comps["acme/parent-model"]["type"] == "machine-learning-model"
    assert comps["acme/parent-model"]["purl"].startswith("pkg:huggingface/acme/parent-model")
    assert comps["acme/clean-text"]["type"] == "data" and comps["acme/more-text"]["type"] == "data"
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert deps["model"] == {comps[n]["bom-ref"] for n in ("acme/parent-model", "acme/clean-text", "acme/more-text")}
    assert {d["ref"] for d in model["modelCard"]["modelParameters"]["datasets"]} == {
        comps["acme/clean-text"]["bom-ref"], comps["acme/more-text"]["bom-ref"]}
    tools = bom["metadata"]["tools"]["components"]
    assert any(t["name"] == "openaudit" for t in tools)


def test_named_license_restrictions_and_several_targets_validate() -> None:
    reports = [audit(str(EXAMPLES / name), offline=True) for name in ("community-capped", "llama-finetune",
                                                                      "open-tiny")]
    bom = build_bom(reports)
    validate(bom)
    models = [c for c in bom["components"] if c["bom-ref"].endswith("-model")]
    assert len(models) == 3 and all(c["type"] == "machine-learning-model" for c in models)
    assert "bom-ref" not in bom["metadata"].get("component", {})  # several targets: no single subject
    capped = next(c for c in bom["components"] if c["name"] == "community-capped")
    assert "name" in capped["licenses"][0]["license"]  # not an SPDX license: named
    restr = props(capped)["openaudit:restriction"]
    assert any(v.startswith("user_cap:") and "LICENSE.md:" in v for v in restr)
    llama = next(c for c in bom["components"] if c["name"] == "llama-finetune")
    base = next(c for c in bom["components"] if c["name"] == "meta-llama/Llama-3.1-8B-Instruct")
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert base["bom-ref"] in deps[llama["bom-ref"]]


def test_report_without_lineage_section_validates(finetune: str) -> None:
    r = audit_evidence(resolve(finetune).fetch())
    assert r.lineage is None
    bom = build_bom([r])
    validate(bom)
    assert props(bom["metadata"]["component"])["openaudit:lineage"] == ["not traced"]
    assert "components" not in bom or not bom["components"]


def test_cli_format_cyclonedx(finetune: str) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", finetune, "--format", "cyclonedx"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    validate(data)
    assert data["metadata"]["component"]["name"] == "pebble-ft"
