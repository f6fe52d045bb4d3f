"""`--format cyclonedx`: a CycloneDX 1.6 ML-BOM, validated against the schema cyclonedx-python-lib ships."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("cyclonedx")
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from openaudit.audit import audit, audit_evidence
from openaudit.report.cyclonedx import build_bom
from openaudit.sources import resolve

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
    assert p["openaudit:osaid.verdict"] == [r.osaid.verdict]
    assert p["openaudit:grade"] == [r.grade.letter]
    assert p["openaudit:gate"] == ["passed"]
    assert p["openaudit:mof.class"]
    assert p["openaudit:eu_ai_act.exemption"] == [r.eu_ai_act.exemption]
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


def test_hub_model_chain_and_dataset_through_the_fake_hub(fake_hub, tmp_path: Path) -> None:
    from fakehub import hub_env

    base_sha = fake_hub.add_repo("acme/base-7b", {
        "README.md": "---\nlicense: mit\n---\n# base\n", "model.safetensors": b"\0" * 16})
    child_sha = fake_hub.add_repo("acme/child", {
        "README.md": "---\nlicense: other\nlicense_name: acme-terms\nlicense_link: LICENSE\nbase_model: acme/base-7b\n"
                     "datasets:\n- acme/corpus\n---\n# child\n",
        "LICENSE": "ACME terms (test stand-in)\n\n1. You may use the model for non-commercial purposes only.\n",
        "model.safetensors": b"\0" * 16})
    fake_hub.add_dataset("acme/corpus", card_data={"license": "cc-by-4.0"})
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")
    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", "acme/child", "--format", "cyclonedx"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    bom = json.loads(proc.stdout)
    validate(bom)
    model = bom["metadata"]["component"]
    assert model["type"] == "machine-learning-model" and model["name"] == "acme/child"
    assert model["purl"] == f"pkg:huggingface/acme/child@{child_sha}"
    # not an SPDX license: named, with a reference to its text at the audited commit
    assert model["licenses"] == [{"license": {"name": "acme-terms",
                                              "url": f"https://huggingface.co/acme/child/blob/{child_sha}/LICENSE"}}]
    p = props(model)
    assert any(v.startswith("non_commercial:") and "LICENSE:3" in v for v in p["openaudit:restriction"])
    assert p["openaudit:eu_ai_act.exemption"] == ["does_not_apply"]
    assert p["openaudit:eu_ai_act.open_source_licence"] == ["not_met"]
    comps = {c["name"]: c for c in bom["components"]}
    base, ds = comps["acme/base-7b"], comps["acme/corpus"]
    assert base["type"] == "machine-learning-model" and base["purl"] == f"pkg:huggingface/acme/base-7b@{base_sha}"
    assert base["licenses"] == [{"license": {"id": "MIT"}}]
    assert ds["type"] == "data" and ds["licenses"] == [{"license": {"id": "CC-BY-4.0"}}]
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert deps[model["bom-ref"]] == {base["bom-ref"], ds["bom-ref"]}


@pytest.mark.slow  # seven CLI processes
def test_other_formats_do_not_import_cyclonedx(tmp_path: Path) -> None:
    # start-up time: cyclonedx-python-lib (and its packageurl / license-expression / py-serializable) is imported
    # on the cyclonedx path only
    target = str(EXAMPLES / "llama-finetune")
    code = ("import sys\nfrom openaudit.cli import main\nsys.argv = ['openaudit'] + sys.argv[1:]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'cyclonedx', 'packageurl', 'license_expression',"
            " 'py_serializable', 'sortedcontainers'})\nsys.stderr.write(f'HEAVY={heavy}\\n')\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    for args in (["check", target, "-f", "json"], ["check", target], ["check", target, "-f", "markdown"],
                 ["check", target, "-f", "sarif"], ["diff", target, target], ["explain", "OA701"]):
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                              timeout=60, cwd=tmp_path)
        assert "HEAVY=[]" in proc.stderr, (args, proc.stderr)
    proc = subprocess.run([sys.executable, "-c", code, "check", target, "-f", "cyclonedx"], capture_output=True,
                          text=True, env=env, timeout=60, cwd=tmp_path)
    assert "'cyclonedx'" in proc.stderr  # the probe would see it
