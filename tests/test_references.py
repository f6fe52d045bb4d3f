"""Published assessments beside our verdict: the bundled MOT / EU index / OSI data, matching, every format,
the rebuild script, and MOF's "what would change it"."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from corpus import CORPUS
from fakehub import FakeHub, hub_env
from jsonschema import Draft202012Validator

from openaudit.audit import audit_evidence
from openaudit.card import parse_card
from openaudit.evidence import Evidence, SourceFile
from openaudit.model import OsaidResult
from openaudit.report import render
from openaudit.standards.mof import classify
from openaudit.standards.references import (
    ReferenceDataError,
    assess,
    family_key,
    hub_id_from_url,
    load_bundle,
    target_ids,
)

ROOT = Path(__file__).resolve().parents[1]
OLMO_CARD = CORPUS / "cards" / "allenai__OLMo-7B.md"
PYTHIA_CARD = CORPUS / "evaluation-2026-11" / "synthetic" / "EleutherAI__pythia-6.9b.md"
SCHEMA = json.loads((ROOT / "schema" / "report.schema.json").read_text(encoding="utf-8"))


def corpus_text(path: Path) -> str:
    if not path.is_file():
        pytest.skip(f"shared corpus file {path} not found (../shared sits beside the project)")
    return path.read_text(encoding="utf-8")


def local_evidence(dir_name: str, card: str) -> Evidence:
    ev = Evidence(kind="local", id=f"/models/{dir_name}", card=parse_card(card, "README.md"))
    ev.files.append(SourceFile(name="README.md", role="card", text=card))
    return ev


def by_assessor(report) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in report.references:
        out.setdefault(r.assessor, []).append(r)
    return out


# ----------------------------------------------------------------------------------------------------------------
# Ids and families


@pytest.mark.parametrize("model_id, family", [
    ("allenai/OLMo-7B", "allenai/olmo"),
    ("allenai/Olmo-3.1-32B-Think", "allenai/olmo"),
    ("EleutherAI/pythia-6.9b", "eleutherai/pythia"),
    ("meta-llama/Meta-Llama-3-8B", "meta-llama/llama"),
    ("meta-llama/Llama-3.1-8B", "meta-llama/llama"),
    ("mistralai/Mixtral-8x7B-v0.1", "mistralai/mixtral"),
    ("togethercomputer/Pythia-Chat-Base-7B", "togethercomputer/pythia"),
    ("acme/7b-model", None),  # the name starts with a size: no family word
    ("t5-small", None),  # no organisation: no family
])
def test_family_key(model_id: str, family: str | None) -> None:
    assert family_key(model_id) == family


@pytest.mark.parametrize("url, hub_id", [
    ("https://huggingface.co/allenai/OLMo-7B", "allenai/OLMo-7B"),
    ("https://huggingface.co/allenai/OLMo-7B-Instruct/tree/main", "allenai/OLMo-7B-Instruct"),
    ("https://huggingface.co/datasets/allenai/dolma", None),
    ("https://huggingface.co/collections/allenai/olmo-suite-65aeaae8fe5b6b2122b46778", None),
    ("https://huggingface.co/allenai", None),
    ("https://github.com/allenai/OLMo", None),
])
def test_hub_id_from_url(url: str, hub_id: str | None) -> None:
    assert hub_id_from_url(url) == hub_id


def test_local_directory_names_give_ids() -> None:
    assert target_ids(Evidence(kind="local", id="/m/allenai__OLMo-7B"))[:2] == ("allenai/OLMo-7B", "OLMo-7B")
    assert target_ids(Evidence(kind="local", id="/c/models--EleutherAI--pythia-1b"))[0] == "EleutherAI/pythia-1b"
    assert target_ids(Evidence(kind="local", id="/m/OLMo-7B/README.md"))[:2] == (None, "OLMo-7B")
    assert target_ids(Evidence(kind="hub", id="allenai/OLMo-7B"))[0] == "allenai/OLMo-7B"


# ----------------------------------------------------------------------------------------------------------------
# The bar: OLMo-7B, Pythia, an unknown model


def test_olmo_local_dir_reports_mot_class_one_and_index_grades_with_dates() -> None:
    report = audit_evidence(local_evidence("allenai__OLMo-7B", corpus_text(OLMO_CARD)))
    refs = by_assessor(report)
    [mot] = refs["mot"]
    assert (mot.match, mot.subject, mot.details["class"]) == ("exact", "OLMo-7B", 1)
    assert mot.verdict == "Class I - Open Science Model"
    assert mot.date == "2025-05-16" and mot.url.endswith("/models/OLMo-7B.yml")
    # the card alone supports less than the MOT record: said, with what the card does not show
    assert report.mof.mof_class is None
    assert mot.comparison == "differs" and "Model architecture (not shown)" in mot.differs
    index = refs["osai_index"]
    assert index and all(r.match == "family" for r in index)  # the index grades OLMo 3.x, not OLMo-7B
    top = index[0]
    assert top.subject == "Olmo-3.1-32B-Think" and "another size or version" in top.match_note
    assert top.date == "2026-06-12" and "model released 2025-12" in top.date_basis
    assert top.details["grades"]["weights_basemodel"] == "open" and top.details["grades"]["paper"] == "partial"
    assert top.verdict.startswith("11 open, 1 partial, 0 closed of 12")
    assert top.source.license == "CC-BY-4.0" and "osai-index.eu" in top.source.attribution
    [osi] = refs["osi"]
    assert osi.verdict.startswith("passed") and osi.date == "2024-10-28"


def test_pythia_reports_osi_validation_and_why_our_verdict_differs() -> None:
    report = audit_evidence(local_evidence("EleutherAI__pythia-6.9b", corpus_text(PYTHIA_CARD)))
    assert report.osaid.verdict == "insufficient_evidence"  # our verdict stays evidence-based
    [osi] = by_assessor(report)["osi"]
    assert osi.subject == "Pythia" and osi.match == "family" and osi.details["outcome"] == "passed"
    assert osi.url == "https://opensource.org/ai"
    assert osi.comparison == "differs"
    assert osi.differs.startswith("OSI validated Pythia as conformant; this card does not show the ")
    assert "inference code" in osi.differs
    # the MOT records this size exactly; the index graded a system built on it
    [mot] = by_assessor(report)["mot"]
    assert (mot.match, mot.subject, mot.details["class"]) == ("exact", "Pythia-6.9B", 1)
    [index] = by_assessor(report)["osai_index"]
    assert index.match == "built_on_this" and index.subject == "Pythia-Chat-Base-7B"
    assert index.verdict.startswith("as the base model: Base Model Data open, Base Model Weights open")


def test_model_absent_from_every_source_has_empty_references_in_every_format() -> None:
    report = audit_evidence(local_evidence("acme__zz-unheard-of-9b", "---\nlicense: mit\n---\n# A model\n"))
    assert report.references == []
    d = report.to_dict()
    assert d["references"] == []
    assert not list(Draft202012Validator(SCHEMA).iter_errors(d))
    for fmt in ("table", "json", "jsonl", "markdown", "sarif", "cyclonedx"):
        out = io.StringIO()
        render([report], fmt, out)
        assert out.getvalue()
    text = io.StringIO()
    render([report], "table", text)
    assert "Published     none found" in text.getvalue()
    assert "Published assessments" not in text.getvalue()


def test_fine_tune_matches_its_base_models_records_labelled_as_such() -> None:
    card = "---\nlicense: apache-2.0\nbase_model: allenai/OLMo-7B\n---\n# my OLMo tune\n"
    report = audit_evidence(local_evidence("acme__my-tune", card))
    refs = by_assessor(report)
    [mot] = refs["mot"]
    assert mot.match == "base_model" and mot.subject == "OLMo-7B"
    assert "base model allenai/OLMo-7B" in mot.match_note
    assert mot.comparison == "not_compared" and mot.differs is None  # another model: not our verdict's peer
    [osi] = refs["osi"]
    assert osi.match == "base_model_family" and osi.differs is None


def test_exact_match_hides_family_matches_of_the_same_assessor() -> None:
    ev = local_evidence("EleutherAI__pythia-1b", "---\nlicense: apache-2.0\n---\n# x\n")
    mot = [r for r in assess(ev) if r.assessor == "mot"]
    assert [(r.match, r.subject) for r in mot] == [("exact", "Pythia-1B")]
    ev = local_evidence("EleutherAI__pythia-99b", "---\nlicense: apache-2.0\n---\n# x\n")
    mot = [r for r in assess(ev) if r.assessor == "mot"]
    assert mot and len(mot) <= 3 and all(r.match == "family" and r.subject.startswith("Pythia") for r in mot)


def test_osi_did_not_pass_but_card_evidence_is_conformant_is_said() -> None:
    osaid = OsaidResult(verdict="conformant")
    ev = Evidence(kind="hub", id="mistralai/Mixtral-8x7B-v0.1")
    [osi] = [r for r in assess(ev, osaid=osaid) if r.assessor == "osi"]
    assert osi.details["outcome"] == "did_not_pass" and osi.comparison == "differs"
    assert "did not pass Mixtral" in osi.differs


def test_references_validate_against_the_schema_and_sit_after_our_verdicts() -> None:
    d = audit_evidence(local_evidence("allenai__OLMo-7B", corpus_text(OLMO_CARD))).to_dict()
    assert not list(Draft202012Validator(SCHEMA).iter_errors(d))
    keys = list(d)
    assert keys.index("references") > max(keys.index(k) for k in ("osaid", "mof", "grade", "eu_ai_act"))
    assert {r["assessor"] for r in d["references"]} == {"mot", "osai_index", "osi"}
    broken = json.loads(json.dumps(d))
    broken["references"][0]["match"] = "probably"
    assert list(Draft202012Validator(SCHEMA).iter_errors(broken))


def test_every_format_shows_references_and_attribution() -> None:
    report = audit_evidence(local_evidence("allenai__OLMo-7B", corpus_text(OLMO_CARD)))
    outs = {}
    for fmt in ("table", "markdown", "sarif", "cyclonedx"):
        buf = io.StringIO()
        render([report], fmt, buf)
        outs[fmt] = buf.getvalue()
    text = outs["table"]
    assert text.index("Published") > text.index("MOF") and "MOT: Class I - Open Science Model" in text
    assert "Published assessments (what others concluded; not our verdict):" in text
    assert "Liesenfeld" in text and "CC-BY-4.0" in text  # the index's licence asks for attribution
    assert "**Published assessments**" in outs["markdown"] and "`https://osai-index.eu/`" in outs["markdown"]
    sarif = json.loads(outs["sarif"])
    refs = sarif["runs"][0]["properties"]["models"][0]["references"]
    assert {r["assessor"] for r in refs} == {"mot", "osai_index", "osi"}
    bom = json.loads(outs["cyclonedx"])
    props = {p["name"]: p["value"] for p in bom["metadata"]["component"]["properties"]}
    assert props["openaudit:reference.mot"].startswith("OLMo-7B: Class I - Open Science Model (exact; 2025-05-16")
    assert "Liesenfeld" in props["openaudit:reference.osai_index.source"]


def test_mof_says_what_would_change_unclassified() -> None:
    report = audit_evidence(local_evidence("acme__x", corpus_text(PYTHIA_CARD)))
    mof = report.mof
    assert mof.mof_class is None
    assert [s.mof_class for s in mof.to_reach] == [3, 2, 1]
    first = {n.name: n.status for n in mof.to_reach[0].needs}
    assert first["Model architecture"] == "missing"
    assert mof.what_would_change is not None
    assert mof.what_would_change.startswith("Unclassified; Class III - Open Model needs, each under an open")
    nothing = classify([]).to_result()  # nothing listed: every required component is needed, once
    assert sum(len(s.needs) for s in nothing.to_reach) == 14


def test_mof_class_one_has_nothing_to_reach() -> None:
    from openaudit.standards.mof import Component, load_framework

    comps = [Component(name=c.name, license="Apache-2.0") for c in load_framework().components]
    d = classify(comps).to_result()
    assert d.mof_class == 1 and d.to_reach == () and d.what_would_change is None and d.rank == 3


# ----------------------------------------------------------------------------------------------------------------
# The bundle and its rebuild


def test_bundle_carries_source_snapshot_and_license() -> None:
    b = load_bundle()
    assert len(b.mot) == 273 and len(b.index) == 193 and len(b.osi) == 12
    assert b.sources["mot"].license == "MIT" and b.sources["mot"].date == "2026-05-11"
    assert b.sources["osai_index"].license == "CC-BY-4.0" and "doi:10.1145/3630106.3659005" in \
        b.sources["osai_index"].attribution
    assert b.sources["osi"].date == "2024-10-28"
    assert len(b.index_dimensions) == 12


def test_broken_bundle_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "mot.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="not valid JSON"):
        load_bundle(str(tmp_path))


def test_build_script_reproduces_the_committed_bundle(tmp_path: Path) -> None:
    if not (CORPUS / "mot" / "models").is_dir():
        pytest.skip("shared corpus not found")
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_references.py"), str(CORPUS),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for name in ("mot.json", "osai-index.json", "osi-osaid.json"):
        assert (tmp_path / name).read_text(encoding="utf-8") == \
            (ROOT / "rules" / "references" / name).read_text(encoding="utf-8"), name


def test_build_script_reads_upstream_checkout_layouts(tmp_path: Path) -> None:
    mot = tmp_path / "mot-checkout"
    (mot / "models").mkdir(parents=True)
    (mot / "models" / "Tiny.yml").write_text(
        "release:\n  name: Tiny-1B\n  date: '2025-02-01'\n  producer: Acme\n"
        "  huggingface: https://huggingface.co/acme/Tiny-1B\n  license:\n    distribution: {name: Apache-2.0}\n"
        "  components:\n    - {name: Model architecture}\n", encoding="utf-8")
    index = tmp_path / "index-checkout"
    index.mkdir()
    (index / "_parameters.yml").write_text(
        "- name: Availability\n  params:\n" + "".join(f"    - {{ref: d{i}, name: D{i}}}\n" for i in range(6)),
        encoding="utf-8")
    (index / "a_submission_template.yaml").write_text("system: {name: template}\n", encoding="utf-8")
    (index / "Tiny.yaml").write_text(
        "system: {name: Tiny, link: 'https://huggingface.co/acme/Tiny-1B-Chat', endmodelname: Tiny-1B-Chat,"
        " basemodelname: Tiny-1B, releasedate: 2025-03}\n"
        "weights_basemodel: {class: open, link: 'https://huggingface.co/acme/Tiny-1B'}\n"
        "d0: {class: open}\nd1: {class: partial}\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_references.py"), str(tmp_path),
                           "--mot", str(mot), "--index", str(index), "--out", str(out),
                           "--mot-commit", "a" * 40, "--mot-date", "2026-01-02",
                           "--index-commit", "b" * 40, "--index-date", "2026-01-03"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    b = load_bundle(str(out))
    [rec] = b.mot
    assert rec["hub"] == ["acme/Tiny-1B"] and rec["class"] is None and rec["family"] == ["acme/tiny"]
    [sysrec] = b.index
    assert sysrec["hub"] == ["acme/Tiny-1B-Chat"] and sysrec["base_hub"] == ["acme/Tiny-1B"]
    assert sysrec["grades"]["d0"] == "open" and sysrec["grades"]["d2"] == "unknown"
    assert b.sources["osai_index"].date == "2026-01-03"
    ev = Evidence(kind="hub", id="acme/Tiny-1B")
    refs = assess(ev, bundle=b)
    assert {(r.assessor, r.match) for r in refs} == {("mot", "exact"), ("osai_index", "built_on_this")}
    assert refs[0].url == f"https://github.com/lfai/model_openness_tool/blob/{'a' * 40}/models/Tiny.yml"


def test_build_script_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_references.py"), str(tmp_path / "nope"),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("build_references: error: ") and len(proc.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------------------------------------------------------
# End to end through the CLI and the fake Hub


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "openaudit", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_check_olmo_through_the_fake_hub(fake_hub: FakeHub, tmp_path: Path) -> None:
    fake_hub.add_repo("allenai/OLMo-7B", {"README.md": corpus_text(OLMO_CARD)})
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")
    proc = run_cli(env, "check", "allenai/OLMo-7B", "--format", "json")
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    refs = json.loads(proc.stdout)["references"]
    mot = [r for r in refs if r["assessor"] == "mot"]
    assert [(r["match"], r["verdict"], r["date"]) for r in mot] == [("exact", "Class I - Open Science Model",
                                                                     "2025-05-16")]
    assert mot[0]["match_note"] == "this model (hub id)"
    index = [r for r in refs if r["assessor"] == "osai_index"]
    assert index and index[0]["date"] == "2026-06-12" and index[0]["details"]["grades"]


def test_check_unknown_model_through_the_fake_hub_has_no_references(fake_hub: FakeHub, tmp_path: Path) -> None:
    fake_hub.add_repo("acme/zz-unheard-of", {"README.md": "---\nlicense: mit\n---\n# x\n"})
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10")
    proc = run_cli(env, "check", "acme/zz-unheard-of", "--format", "json")
    assert proc.returncode in (0, 1) and proc.stderr == "", proc.stderr
    assert json.loads(proc.stdout)["references"] == []


def test_explain_references(tmp_path: Path) -> None:
    env = hub_env("http://127.0.0.1:9", tmp_path / "hf")
    proc = run_cli(env, "explain", "references")
    assert proc.returncode == 0, proc.stderr
    for word in ("Model Openness Tool", "European Open Source AI Index", "Open Source Initiative",
                 "base_model_family", "CC-BY-4.0", "Liesenfeld"):
        assert word in proc.stdout
    proc = run_cli(env, "explain", "references", "--format", "json")
    data = json.loads(proc.stdout)
    assert set(data["assessors"]) == {"mot", "osai_index", "osi"} and data["sources"]["mot"]["records"] == 273
