"""schema/report.schema.json is a valid JSON Schema, real reports validate, broken ones do not."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from openaudit import model
from openaudit.audit import audit_evidence
from openaudit.card import parse_card
from openaudit.evidence import Evidence, SourceFile
from openaudit.model import (
    Citation,
    FileStatus,
    Finding,
    GateResult,
    GradeBand,
    GradeDimension,
    GradeResult,
    LicenseResult,
    LineageHint,
    LineageLink,
    LineageResult,
    MofComponent,
    MofEvidence,
    MofNeed,
    MofResult,
    MofStep,
    OsaidRequirement,
    OsaidResult,
    Report,
    Restriction,
    Threshold,
    TrainingDataset,
    Violation,
    Waived,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "schema" / "report.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
REPORT = SCHEMA["$defs"]["report"]

LLAMA_TEXT = (
    "Llama 3.1 Community License Agreement\n"
    "Llama 3.1 Version Release Date: July 23, 2024\n"
    "Stand-in text written for openaudit's tests; it carries no terms of its own.\n"
    "A licensee with greater than 700 million monthly active users asks first.\n"
)


def evidence(card: str, files: dict[str, tuple[str, str | None]] | None = None) -> Evidence:
    ev = Evidence(kind="local", id="fixture-model", card=parse_card(card, "README.md"))
    ev.files.append(SourceFile(name="README.md", role="card", text=card))
    for name, (role, text) in (files or {}).items():
        ev.files.append(SourceFile(name=name, role=role, text=text, error=None if text is not None else "binary"))
    return ev


def apache_report() -> dict[str, Any]:
    return audit_evidence(evidence("---\nlicense: apache-2.0\n---\n# m\n")).to_dict()


def sample_reports() -> dict[str, dict[str, Any]]:
    return {
        "apache": apache_report(),
        "no_license": audit_evidence(evidence("---\ntags: [x]\n---\n")).to_dict(),
        "llama_text": audit_evidence(evidence("---\nlicense: llama3.1\n---\n",
                                              {"LICENSE": ("license", LLAMA_TEXT)})).to_dict(),
        "conflict": audit_evidence(evidence("---\nlicense: mit\n---\n",
                                            {"LICENSE": ("license", LLAMA_TEXT)})).to_dict(),
        "bad_yaml": audit_evidence(evidence("---\nlicense: [mit\n---\n",
                                            {"LICENSE.bin": ("license", None)})).to_dict(),
        "no_card": audit_evidence(Evidence(kind="local", id="x")).to_dict(),
    }


def errors(data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_schema_is_the_one_shipped_with_the_package() -> None:
    from openaudit.paths import schema_dir

    assert json.loads((schema_dir() / "report.schema.json").read_text(encoding="utf-8")) == SCHEMA


def test_schema_vocabularies_match_the_model() -> None:
    defs = SCHEMA["$defs"]
    assert tuple(defs["restriction"]["properties"]["kind"]["enum"]) == model.RESTRICTION_KINDS
    assert tuple(defs["threshold"]["properties"]["unit"]["enum"]) == model.THRESHOLD_UNITS
    assert tuple(defs["finding"]["properties"]["severity"]["enum"]) == model.SEVERITIES
    assert tuple(defs["citation"]["properties"]["source"]["enum"]) == model.CITATION_SOURCES
    assert REPORT["properties"]["schema_version"] == {"const": model.SCHEMA_VERSION}


def test_schema_requires_every_key_the_report_emits() -> None:
    d = apache_report()
    assert [k for k in d if k in REPORT["required"]] == REPORT["required"]
    assert set(d) - set(REPORT["required"]) <= set(REPORT["properties"])  # optional keys (eu_ai_act) are declared
    assert set(REPORT["properties"]["target"]["required"]) == set(d["target"])
    assert set(REPORT["properties"]["license"]["required"]) == set(d["license"])


@pytest.mark.parametrize("name", list(sample_reports()))
def test_real_reports_validate(name: str) -> None:
    data = sample_reports()[name]
    assert errors(data) == []


def test_samples_cover_the_interesting_shapes() -> None:
    s = sample_reports()
    assert s["apache"]["license"]["id"] == "apache-2.0"
    assert any(f["rule"] == "OA101" for f in s["no_license"]["findings"])
    assert any(r["thresholds"] for r in s["llama_text"]["restrictions"])
    assert any(r["clause"] and r["clause"]["source"] == "file" for r in s["llama_text"]["restrictions"])
    assert any(f["rule"] == "OA103" for f in s["conflict"]["findings"])
    assert any(f["status"] == "unreadable" for f in s["bad_yaml"]["files"])
    assert any(f["rule"] == "OA104" for f in s["bad_yaml"]["findings"])


def test_an_array_of_reports_validates() -> None:
    s = sample_reports()
    assert errors([s["apache"], s["conflict"]]) == []
    assert errors([]) != []  # the CLI never prints an empty array


def test_a_handmade_report_with_every_field_filled_validates() -> None:
    cit = Citation(source="file", file="LICENSE", line=12, text="greater than 700 million")
    rep = Report(
        tool={"name": "openaudit", "version": "9.9.9"},
        target={"kind": "hub", "id": "org/name", "revision": "a" * 40, "requested_revision": "main",
                "offline": True},
        license=LicenseResult(id="x", name="X", spdx="LicenseRef-x", osi_approved=False, confidence=1.0,
                              evidence=[cit, Citation(source="base_model", file=None, line=None, text="org/base")],
                              reason="r"),
        restrictions=[Restriction("revenue_cap", "s", [Threshold(1e9, "annual_revenue", "USD")], ["EU"], cit, "text"),
                      Restriction("territory", "t", [], ["EU", "UK"], None, "catalog")],
        osaid=OsaidResult(verdict="not_conformant", requirements=(
            OsaidRequirement(id="OSAID-W", name="w", status="fail", reason="r", evidence=(cit,)),),
            counts={"pass": 0, "fail": 1, "unknown": 0}, summary="s"),
        mof=MofResult(mof_class=3, label="Class III", progress={"3": 100, "2": 0, "1": 0}, components=(
            MofComponent(name="Model architecture", mof_class=3, content_type="code", required=True, included=True,
                         license="Apache-2.0", license_source="component", status="open", path="config.json",
                         evidence=(MofEvidence(file="config.json", line=None),), note=None),),
            to_reach=(MofStep(mof_class=2, label="Class II", needs=(MofNeed("Training code", "missing", None),)),),
            what_would_change="w", rank=1),
        grade=GradeResult(letter="B", score=72.5, rank=5, dimensions={
            "license": GradeDimension(status="partial", reason="r", weight=15, evidence=(cit,))},
            bands=(GradeBand("A", 85), GradeBand("F", 0)), weights={"license": 15}),
        findings=[Finding("OA201", "info", "m", cit), Finding("OA999", "warning", "m", None)],
        gate=GateResult(passed=True, fail_on="warning", policy="p.yaml", context={"mau": 1},
                        violations=(Violation("OA201", "m"),), waived=(Waived("OA999", "r"),)),
        lineage=LineageResult(max_depth=3, declared=True, chain=(LineageLink(
            id="org/base", kind="hub", revision=None, relation="finetune", depth=1, parent="org/name", status="ok",
            reason=None, license="mit", license_name="MIT", citation=cit),), effective_licenses=("x", "mit"),
            datasets=(TrainingDataset(id="org/data", status="ok", reason=None, license="cc-by-nc-4.0",
                                      license_id="cc-by-nc-4.0", license_name="CC BY-NC 4.0", category="non-commercial",
                                      gated=False, non_commercial=True, no_derivatives=False, citation=cit),),
            hints=(LineageHint(kind="tag", value="llama", family="llama", citation=cit),)),
        files=[FileStatus("LICENSE", "license", "truncated", "cap")],
        notes=["n"],
    )
    assert errors(rep.to_dict()) == []


def _mutate(path: list[Any], value: Any = None, delete: bool = False) -> dict[str, Any]:
    d = copy.deepcopy(apache_report())
    d["findings"] = [{"rule": "OA105", "severity": "warning", "message": "m", "evidence": None}]
    d["restrictions"] = [{"kind": "user_cap", "summary": "s", "thresholds": [
        {"value": 1, "unit": "monthly_active_users", "currency": None}], "territories": [],
        "clause": None, "origin": "catalog"}]
    d["files"] = [{"name": "README.md", "role": "card", "status": "read", "reason": None}]
    assert errors(d) == []  # the base is valid; only the mutation may break it
    target = d
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return d


BROKEN = [
    (["findings", 0, "severity"], "fatal"),
    (["findings", 0, "rule"], "OA1"),
    (["findings", 0, "rule"], "XX101"),
    (["findings", 0, "evidence"], {"source": "guess", "file": None, "line": None, "text": None}),
    (["findings", 0, "evidence"], {"source": "file", "file": "LICENSE", "line": 0, "text": None}),
    (["schema_version"], 2),
    (["schema_version"], "1"),
    (["tool", "name"], "other"),
    (["target", "kind"], "s3"),
    (["target", "revision"], 5),
    (["target", "offline"], "no"),
    (["license", "confidence"], 1.5),
    (["license", "confidence"], -0.1),
    (["license", "osi_approved"], "yes"),
    (["license", "evidence"], [{"source": "metadata"}]),
    (["restrictions", 0, "kind"], "be_nice"),
    (["restrictions", 0, "origin"], "guess"),
    (["restrictions", 0, "thresholds", 0, "unit"], "users"),
    (["restrictions", 0, "thresholds", 0, "value"], "700M"),
    (["osaid", "verdict"], "maybe"),
    (["mof", "class"], 4),
    (["grade", "letter"], "Z"),
    (["grade", "score"], 101),
    (["gate", "passed"], None),
    (["files", 0, "status"], "ok"),
    (["notes"], [1]),
]


@pytest.mark.parametrize(("path", "value"), BROKEN, ids=[".".join(map(str, p)) + "=" + repr(v) for p, v in BROKEN])
def test_broken_reports_do_not_validate(path: list[Any], value: Any) -> None:
    assert errors(_mutate(path, value)) != []


@pytest.mark.parametrize("path", [["schema_version"], ["license"], ["gate"], ["findings", 0, "severity"],
                                  ["target", "revision"], ["license", "spdx"], ["grade", "letter"],
                                  ["osaid", "verdict"], ["mof", "class"], ["files", 0, "reason"]])
def test_missing_contract_keys_do_not_validate(path: list[Any]) -> None:
    assert errors(_mutate(path, delete=True)) != []


def test_osaid_mof_grade_may_gain_fields() -> None:
    d = apache_report()
    d["osaid"]["summary"] = "later"
    d["mof"]["label"] = "Class III"
    d["grade"]["rank"] = 3
    assert errors(d) == []
