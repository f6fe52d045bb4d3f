"""Data flows one way (issue 17): readers return what they say, results are typed and frozen, and the lineage
stage's datasets are an input of the standards stage (one grade formula, nothing edited after the fact)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from openaudit.audit import audit_evidence
from openaudit.card import parse_card
from openaudit.evidence import Evidence, SourceFile
from openaudit.licenses.catalog import load_catalog
from openaudit.licenses.identify import Signal, _compatible
from openaudit.model import (
    Citation,
    GateResult,
    GradeResult,
    OsaidResult,
    Report,
    TrainingDataset,
    Violation,
    to_data,
)
from openaudit.standards.facts import gather
from openaudit.standards.grade import grade, letter_for, load_config
from openaudit.standards.osaid import assess

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
LLAMA_32_GGUF = CORPUS / "cards" / "bartowski__Llama-3.2-3B-Instruct-GGUF.md"

DATA_CARD = """---
license: apache-2.0
datasets: ["acme/open-data", "acme/nc-data"]
---
# A model

## Training data

The model was trained on the acme/open-data and acme/nc-data datasets: web text collected in 2023,
filtered for quality and deduplicated before training.
"""


def _evidence(card: str, name: str = "m") -> Evidence:
    ev = Evidence(kind="local", id=f"/models/{name}", card=parse_card(card, "README.md"))
    ev.files.append(SourceFile(name="README.md", role="card", text=card))
    return ev


def _dataset(ds_id: str, *, license_id: str = "apache-2.0", status: str = "ok", non_commercial: bool = False,
             reason: str | None = None, line: int = 3) -> TrainingDataset:
    return TrainingDataset(id=ds_id, status=status, reason=reason, license=license_id if status == "ok" else None,
                           license_id=license_id, license_name=None, category=None, gated=False,
                           non_commercial=non_commercial, no_derivatives=False,
                           citation=Citation(source="metadata", file="README.md", line=line,
                                             text=f"datasets: {ds_id}"))


def test_results_are_frozen_and_typed() -> None:
    report = audit_evidence(_evidence(DATA_CARD))
    assert isinstance(report.osaid, OsaidResult) and isinstance(report.grade, GradeResult)
    assert isinstance(report.gate, GateResult) and report.gate.passed is report.passed
    for result in (report.osaid, report.mof, report.grade, report.gate, report.eu_ai_act,
                   report.osaid.requirements[0], report.grade.dimensions["license"]):
        with pytest.raises(AttributeError):
            result.reason = "edited after the fact"  # type: ignore[union-attr]


def test_to_data_is_the_json_contract() -> None:
    report = audit_evidence(_evidence(DATA_CARD))
    d = report.to_dict()
    assert json.loads(report.to_json()) == d
    assert d["mof"]["class"] == report.mof.mof_class and "mof_class" not in d["mof"]
    assert d["grade"]["dimensions"]["training_data"]["status"] == report.grade.dimensions["training_data"].status
    assert d["gate"] == {"passed": report.passed, "fail_on": "error", "policy": None, "context": None,
                         "violations": [], "waived": []}
    # omit_none: a key the contract has only sometimes is absent, not null
    assert "parameters_stated" not in d["eu_ai_act"]["compute"] and "ambiguous" not in d["eu_ai_act"]["compute"]
    gate = GateResult(passed=False, violations=(Violation("OA101", "m"),))
    assert to_data(gate)["violations"] == [{"rule": "OA101", "message": "m"}]


def test_dataset_cards_are_an_input_of_the_standards_one_grade_formula() -> None:
    """The grade is scored once, with the datasets' cards in training_data; OSAID-D2 keeps its status and says
    what the cards said (previously lineage.feed_standards edited both afterwards and re-scored a copy)."""
    ev = _evidence(DATA_CARD)
    facts = gather(ev)
    lic = audit_evidence(ev).license
    plain = grade(facts, lic, [])
    assert plain.dimensions["training_data"].status == "open"
    datasets = (_dataset("acme/open-data"), _dataset("acme/nc-data", license_id="cc-by-nc-4.0", non_commercial=True),
                _dataset("acme/gone", status="unreachable", license_id="unknown", reason="dataset not found"))
    fed = grade(facts, lic, [], datasets)
    dim = fed.dimensions["training_data"]
    assert dim.status == "partial"
    assert "acme/nc-data is cc-by-nc-4.0 (non-commercial)" in dim.reason
    assert "acme/gone: dataset not found" in dim.reason
    assert all(dim.evidence.count(d.citation) == 1 for d in datasets[1:])  # cited once each, not twice
    assert dim.evidence[-1] == datasets[2].citation
    config = load_config()
    assert fed.score == plain.score - config["weights"]["training_data"] * (1 - config["points"]["partial"])
    assert fed.letter == letter_for(fed.score, config["bands"])
    # Only an unreadable card: noted, no status moves (the grade must not depend on whether the Hub answered).
    unread = grade(facts, lic, [], datasets[2:])
    assert unread.dimensions["training_data"].status == "open" and unread.score == plain.score
    d2 = assess(facts, lic, [], datasets).requirement("OSAID-D2")
    assert d2 is not None and d2.status == assess(facts, lic, []).requirement("OSAID-D2").status  # type: ignore[union-attr]
    assert "dataset cards read on the Hub: acme/open-data apache-2.0, acme/nc-data cc-by-nc-4.0" in d2.reason
    assert "not confirmed on the Hub: acme/gone: dataset not found" in d2.reason


def test_the_audit_leaves_the_evidence_as_read() -> None:
    """Readers return their notes to the pipeline and cache by content: the evidence is not written to."""
    if not LLAMA_32_GGUF.is_file():
        pytest.skip(f"shared corpus file {LLAMA_32_GGUF} not found (../shared sits beside the project)")
    card = LLAMA_32_GGUF.read_text(encoding="utf-8")
    ev = _evidence(card, "bartowski__Llama-3.2-3B-Instruct-GGUF")
    notes, values = copy.deepcopy(ev.notes), {name: getattr(ev, name) for name in ev.__struct_fields__}
    first = audit_evidence(ev)
    again = audit_evidence(ev)
    assert ev.notes == notes and all(getattr(ev, name) is value for name, value in values.items())
    said = [n for n in first.notes if n.startswith(("terms were read from the license text in the access form",
                                                    "Not applied: "))]
    assert len(said) == 2, first.notes  # the access form's terms (terms.py) and a multimodal-only term (scope.py)
    assert again.notes == first.notes and again.to_json() == first.to_json()


def test_license_name_compatibility_reads_the_metadata_key_not_the_citation_text() -> None:
    """A version-less license_name and a license text of the same family do not conflict: told by the signal's
    metadata key (data), not by splitting its human-readable citation."""
    catalog = load_catalog()
    family = next(e for e in catalog.entries if e.family and sum(1 for x in catalog.entries
                                                                  if x.family == e.family) >= 2)
    other = next(e for e in catalog.entries if e.family == family.family and e.id != family.id)
    worded = Citation(source="metadata", file="README.md", line=4, text=f"declared as {family.name}")
    name_sig = Signal("metadata", family.name, family, 0.6, worded, key="license_name")
    file_sig = Signal("file", "LICENSE", other, 0.95, Citation(source="file", file="LICENSE", line=1,
                                                                text="license_name: not a key"))
    assert _compatible(name_sig, file_sig)
    as_license = Signal("metadata", family.id, family, 0.9, Citation(source="metadata", file="README.md", line=3,
                                                                      text=f"license: {family.id}"), key="license")
    assert not _compatible(as_license, file_sig)


def test_a_handmade_report_keeps_its_defaults_typed() -> None:
    rep = Report(tool={"name": "openaudit", "version": "0"}, target={"kind": "local", "id": "x", "revision": None,
                                                                     "requested_revision": None, "offline": True},
                 license=audit_evidence(_evidence(DATA_CARD)).license)
    assert rep.passed and rep.osaid.verdict == "insufficient_evidence" and rep.grade.letter is None
    assert rep.to_dict()["mof"]["class"] is None
