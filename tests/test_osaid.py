"""Openness facts (standards.facts) and the OSAID 1.0 assessment (standards.osaid).

Reference verdicts: OSI's validation phase (opensource.org/ai) passed Pythia, OLMo, Amber, CrystalCoder and
T5 and did not pass Llama 2, Grok, Phi-2 and Mixtral. Cards of OLMo, Amber (a GGUF quantization embedding
the original card) and Llama 2 come from the shared corpus; the others are our own fixture cards under
tests/fixtures/standards/ (see the README there).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from openaudit.card import parse_card
from openaudit.evidence import Evidence, SourceFile
from openaudit.licenses.catalog import load_catalog
from openaudit.licenses.identify import identify
from openaudit.licenses.vocabulary import field_of_use
from openaudit.model import Citation, LicenseResult, Restriction, to_data
from openaudit.sources.local import LocalSource
from openaudit.standards.facts import Facts, gather
from openaudit.standards.osaid import REQUIREMENTS, assess

try:  # the catalog's known terms of a license, cited in the repo's files (moved out of audit.py)
    from openaudit.licenses.terms import known_terms
except ImportError:  # pragma: no cover - older layout
    from openaudit.audit import known_terms  # type: ignore[no-redef,attr-defined]

FIXTURES = Path(__file__).parent / "fixtures" / "standards"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CARDS = CORPUS / "cards"
needs_corpus = pytest.mark.skipif(not CARDS.is_dir(), reason=f"shared corpus not found at {CORPUS} "
                                  "(real model cards live outside the project and are not copied into it)")

APACHE = LicenseResult(id="apache-2.0", name="Apache License 2.0", spdx="Apache-2.0", osi_approved=True,
                       confidence=0.9, evidence=[Citation(source="metadata", file="README.md", line=2,
                                                          text="license: apache-2.0")])


def _evidence(path: Path) -> Evidence:
    return LocalSource(path).fetch()


def _license(ev: Evidence) -> LicenseResult:
    return identify(ev, load_catalog()).result


def _assess(path: Path, license: LicenseResult | None = None, restrictions: list[Restriction] | None = None):
    ev = _evidence(path)
    lic = license or _license(ev)
    if restrictions is None:
        restrictions = known_terms(ev, load_catalog().get(lic.id))
    return assess(gather(ev), lic, restrictions)


def _req(result: dict, rid: str) -> dict:
    return next(r for r in result.requirements if r.id == rid)


def _card(tmp_path: Path, text: str, name: str = "README.md") -> Path:
    d = tmp_path / "model"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def _llama2_license(ev: Evidence) -> tuple[LicenseResult, list[Restriction]]:
    """The Llama 2 license and its terms: from the catalog when it has llama2, else built by hand."""
    catalog = load_catalog()
    lic = identify(ev, catalog).result
    if lic.id == "llama2" and catalog.get("llama2") is not None:
        return lic, known_terms(ev, catalog.get("llama2"))
    lic = LicenseResult(id="llama2", name="Llama 2 Community License Agreement",
                        spdx="LicenseRef-scancode-llama-2-license-2023", osi_approved=False, confidence=0.9,
                        evidence=[Citation(source="file", file="LICENSE", line=1, text="LLAMA 2 COMMUNITY LICENSE")])
    terms = [
        Restriction(kind="user_cap", summary="over 700 million monthly active users need a separate license",
                    clause=Citation(source="catalog", text="greater than 700 million monthly active users"),
                    origin="catalog"),
        Restriction(kind="use_restrictions", summary="use must follow the Llama 2 Acceptable Use Policy",
                    clause=Citation(source="catalog", text="Acceptable Use Policy for the Llama Materials"),
                    origin="catalog"),
    ]
    return lic, terms


# ---------------------------------------------------------------------------------------------------------------
# facts


def _assert_cited_lines(ev: Evidence, facts: Facts) -> None:
    """Every body citation of the card quotes the line it points to."""
    lines = ev.card.lines
    cites = [c for r in facts.code_repos for c in r.citations] + [d.citation for d in facts.datasets]
    cites += [f.citation for f in facts.papers + facts.claims + facts.withheld + facts.checkpoints]
    for c in cites:
        if c.source == "file" and c.file == ev.card.path:
            assert c.line is not None and 1 <= c.line <= len(lines)
            head = " ".join(lines[c.line - 1].split())[:40]
            assert c.text.startswith(head), (c, lines[c.line - 1])
        elif c.source == "metadata":
            assert c.line is not None and lines[c.line - 1].split(":")[0].strip() in c.text


@needs_corpus
def test_facts_olmo_card() -> None:
    ev = _evidence(CARDS / "allenai__OLMo-7B.md")
    f = gather(ev)
    repos = {r.owner + "/" + r.name: r for r in f.code_repos}
    core = repos["allenai/OLMo"]
    assert core.own and {"training", "inference"} <= set(core.roles)
    assert repos["allenai/OLMo-Eval"].own and "evaluation" in repos["allenai/OLMo-Eval"].roles
    assert [(d.id, d.source) for d in f.datasets] == [("allenai/dolma", "metadata")]
    assert f.datasets[0].citation.line == 3  # the `datasets:` key
    assert any("2402.00838" in p.value for p in f.papers)
    assert any(c.kind == "all_code" for c in f.claims)
    assert any(c.value.startswith("step") for c in f.checkpoints)
    assert f.evaluations and f.data.present and f.data.docs
    assert f.gating.status == "none_declared"
    assert f.derivative is None and not f.withheld
    _assert_cited_lines(ev, f)


@needs_corpus
def test_facts_amber_quantization_keeps_original_card_facts() -> None:
    ev = _evidence(CARDS / "TheBloke__Amber-GGUF.md")
    f = gather(ev)
    assert f.derivative == "quantized"
    own = {r.name: r.roles for r in f.own_repos()}
    assert own["amber-train"] == ["training"] and own["amber-data-prep"] == ["data_processing"]
    assert "evaluation" in own["Analysis360"]
    tooling = {r.name for r in f.code_repos if not r.own}
    assert {"llama.cpp", "text-generation-webui", "llama-cpp-python", "candle"} <= tooling
    assert [d.id for d in f.located_datasets()] == ["LLM360/AmberDatasets"]
    assert any(c.value.startswith("ckpt_") for c in f.checkpoints)
    assert any(c.kind == "all_code" and "all source code" in c.value for c in f.claims)
    _assert_cited_lines(ev, f)


@needs_corpus
def test_facts_llama2_card_gating_and_data() -> None:
    ev = _evidence(CARDS / "NousResearch__Llama-2-7b-chat-hf.md")
    f = gather(ev)
    assert f.gating.status == "manual"
    first = f.gating.citations[0]
    assert first.source == "metadata" and first.line == ev.card.line_of("extra_gated_description")
    own = f.own_repos()
    assert [r.owner + "/" + r.name for r in own] == ["facebookresearch/llama"]
    assert own[0].roles == ["inference"]
    assert not f.datasets and not f.located_datasets()
    assert f.data.present and "provenance" in f.data.aspects
    _assert_cited_lines(ev, f)


def test_facts_tooling_and_frameworks_are_not_the_models_code() -> None:
    mixtral = gather(_evidence(FIXTURES / "mixtral"))
    assert {r.name for r in mixtral.code_repos} == {"vllm", "transformers"}
    assert not mixtral.own_repos()
    phi = gather(_evidence(FIXTURES / "phi-2"))
    assert {r.name for r in phi.code_repos} == {"pytorch", "DeepSpeed", "flash-attention"}
    assert not phi.own_repos()
    # named but not linked datasets are not "listed with where to obtain"
    assert not phi.located_datasets() and phi.data.present


def test_facts_fixture_cards() -> None:
    pythia = gather(_evidence(FIXTURES / "pythia"))
    assert [w.value for w in pythia.weights] == ["model.safetensors"]
    assert pythia.own_repos("training")[0].name == "pythia"
    assert any(c.kind == "reproduce" for c in pythia.claims)
    assert {d.id for d in pythia.located_datasets()} >= {"EleutherAI/pile"}
    assert any("2101.00027" in d.value for d in pythia.data.docs)  # the Pile paper documents the data
    t5 = gather(_evidence(FIXTURES / "t5"))
    assert [r.name for r in t5.own_repos()] == ["text-to-text-transfer-transformer"]
    assert [c.kind for c in t5.claims] == ["code"]
    grok = gather(_evidence(FIXTURES / "grok"))
    assert [w.kind for w in grok.withheld] == ["open_weights"]
    assert grok.own_repos()[0].name == "grok-1" and grok.downloads


def test_facts_repository_files(tmp_path: Path) -> None:
    d = _card(tmp_path, "---\nlicense: mit\n---\n# m\n")
    for name in ("train.py", "scripts/prepare_data.py", "modeling_m.py", "eval_suite.py", "model.safetensors",
                 "training_args.bin", "pytorch_model-00001-of-00002.bin", "notes.txt"):
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_bytes(b"")
    f = gather(_evidence(d))
    assert {(x.kind, x.value) for x in f.repo_code} == {
        ("training", "train.py"), ("data_processing", "scripts/prepare_data.py"),
        ("inference", "modeling_m.py"), ("evaluation", "eval_suite.py")}
    assert sorted(w.value for w in f.weights) == ["model.safetensors", "pytorch_model-00001-of-00002.bin"]
    assert all(w.citation.source == "file" for w in f.weights)


def test_facts_statements_are_cited_at_their_line(tmp_path: Path) -> None:
    card = ("---\nlicense: apache-2.0\n---\n# Acme-7B\n\nAcme-7B outperforms other open-weight models of its size.\n\n"
            "We do not disclose details of the training\ndata mixture.\n\n"
            "The training code will not be released.\n\nPart of the corpus is licensed data from news publishers.\n")
    f = gather(_evidence(_card(tmp_path, card)))
    kinds = {w.kind: w.citation.line for w in f.withheld}
    assert kinds == {"data_details": 8, "training_code": 11}  # the comparison on line 6 is not a self-label
    assert f.third_party and f.third_party[0].citation.line == 13


def test_facts_skip_comments_code_and_images(tmp_path: Path) -> None:
    card = ("# Acme\n<!-- [training code](https://github.com/acme/acme-train)\n-->\n"
            "```\ngit clone https://github.com/acme/acme-secret\n```\n"
            "![arch](https://github.com/acme/acme-assets/raw/main/arch.png)\n"
            "- [Training code](https://github.com/acme/acme-train2)\n")
    f = gather(_evidence(_card(tmp_path, card)))
    assert [(r.name, r.own, r.roles) for r in f.code_repos] == [("acme-train2", True, ["training"])]


# ---------------------------------------------------------------------------------------------------------------
# OSAID: the nine systems of OSI's validation phase

OSI_PASSED = ("pythia", "olmo", "amber", "crystalcoder", "t5")


@pytest.mark.parametrize("name", ["pythia", "crystalcoder", "t5"])
def test_osi_passed_fixture_cards_are_conformant(name: str) -> None:
    result = _assess(FIXTURES / name)
    assert result.verdict == "conformant", [(r.id, r.reason) for r in result.requirements]
    assert result.counts == {"pass": len(REQUIREMENTS), "fail": 0, "unknown": 0}
    assert "not opened" in result.summary


@needs_corpus
@pytest.mark.parametrize("card", ["allenai__OLMo-7B.md", "TheBloke__Amber-GGUF.md"])
def test_osi_passed_corpus_cards_are_conformant(card: str) -> None:
    result = _assess(CARDS / card)
    assert result.verdict == "conformant", [(r.id, r.reason) for r in result.requirements]


def test_grok_is_not_conformant_because_it_calls_itself_open_weights() -> None:
    result = _assess(FIXTURES / "grok")
    assert result.verdict == "not_conformant"
    assert _req(result, "OSAID-W").status == "pass"  # Apache-2.0: the terms are not the problem
    c1 = _req(result, "OSAID-C1")
    assert c1.status == "fail" and "open-weights" in c1.reason
    assert c1.evidence[0].line == 11 and "open-weights model" in c1.evidence[0].text
    assert {r.id for r in result.requirements if r.status == "fail"} == {"OSAID-C1", "OSAID-C2"}


@pytest.mark.parametrize("name", ["phi-2", "mixtral"])
def test_phi2_and_mixtral_are_insufficient_evidence_not_failures(name: str) -> None:
    """OSI-approved licenses and silent cards: nothing citable fails, so we do not claim a failure."""
    result = _assess(FIXTURES / name)
    assert result.verdict == "insufficient_evidence"
    assert _req(result, "OSAID-W").status == "pass"
    assert _req(result, "OSAID-C1").status == "unknown"
    assert _req(result, "OSAID-D2").status == "unknown"
    assert result.counts["fail"] == 0


def test_mixtral_click_through_gate_is_unknown() -> None:
    a = _req(_assess(FIXTURES / "mixtral"), "OSAID-A")
    assert a.status == "unknown" and a.evidence[0].source == "metadata"


@needs_corpus
def test_llama2_card_fails_on_its_manual_gate_even_without_a_license() -> None:
    ev = _evidence(CARDS / "NousResearch__Llama-2-7b-chat-hf.md")
    result = assess(gather(ev), _license(ev), [])
    assert result.verdict == "not_conformant"
    a = _req(result, "OSAID-A")
    assert a.status == "fail" and a.evidence[0].line == ev.card.line_of("extra_gated_description")


@needs_corpus
def test_llama2_license_terms_fail_parameters_with_the_clause_cited(tmp_path: Path) -> None:
    d = tmp_path / "llama2"
    d.mkdir()
    shutil.copy(CARDS / "NousResearch__Llama-2-7b-chat-hf.md", d / "README.md")
    shutil.copy(CORPUS / "licenses" / "llama2.txt", d / "LICENSE")
    ev = _evidence(d)
    lic, terms = _llama2_license(ev)
    result = assess(gather(ev), lic, terms)
    assert result.verdict == "not_conformant"
    w = _req(result, "OSAID-W")
    assert w.status == "fail" and "user_cap" in w.reason
    assert w.evidence and all(e.text for e in w.evidence)
    if lic.evidence and lic.evidence[0].file == "LICENSE":  # identified from the text: clauses cite LICENSE lines
        assert any(e.file == "LICENSE" and e.line for e in w.evidence)


@needs_corpus
def test_llama2_meta_card_without_front_matter() -> None:
    ev = _evidence(CARDS / "no-frontmatter" / "meta-llama__Llama-2-7b.md")
    assert _license(ev).id == "unknown"
    assert assess(gather(ev), _license(ev), []).verdict == "insufficient_evidence"
    lic, terms = _llama2_license(ev)
    result = assess(gather(ev), lic, terms)
    assert result.verdict == "not_conformant" and _req(result, "OSAID-W").status == "fail"


def test_nine_systems_agree_with_osi_validation() -> None:
    """Conformant exactly for the systems OSI passed; never conformant for the ones it did not."""
    targets = {"pythia": FIXTURES / "pythia", "crystalcoder": FIXTURES / "crystalcoder", "t5": FIXTURES / "t5",
               "grok": FIXTURES / "grok", "phi-2": FIXTURES / "phi-2", "mixtral": FIXTURES / "mixtral"}
    if CARDS.is_dir():
        targets |= {"olmo": CARDS / "allenai__OLMo-7B.md", "amber": CARDS / "TheBloke__Amber-GGUF.md",
                    "llama2": CARDS / "NousResearch__Llama-2-7b-chat-hf.md"}
    for name, path in targets.items():
        ev = _evidence(path)
        lic, terms = _llama2_license(ev) if name == "llama2" else (_license(ev), [])
        verdict = assess(gather(ev), lic, terms).verdict
        assert (verdict == "conformant") == (name in OSI_PASSED), (name, verdict)


# ---------------------------------------------------------------------------------------------------------------
# OSAID: requirement rules


@pytest.mark.parametrize("kind", list(field_of_use()))
def test_field_of_use_restrictions_fail_parameters_citing_the_clause(kind: str) -> None:
    clause = Citation(source="file", file="LICENSE", line=42, text=f"clause that imposes {kind}")
    r = Restriction(kind=kind, summary=f"a {kind} term", clause=clause)
    result = assess(gather(_evidence(FIXTURES / "pythia")), APACHE, [r])
    w = _req(result, "OSAID-W")
    assert w.status == "fail" and kind in w.reason
    assert w.evidence == (Citation(source="file", file="LICENSE", line=42, text=f"clause that imposes {kind}"),)
    assert result.verdict == "not_conformant"


def test_restriction_without_located_clause_cites_the_catalog() -> None:
    r = Restriction(kind="non_commercial", summary="no commercial use", clause=None, origin="catalog")
    w = _req(assess(gather(_evidence(FIXTURES / "pythia")), APACHE, [r]), "OSAID-W")
    assert w.status == "fail" and w.evidence[0].source == "catalog"


@pytest.mark.parametrize("kind", ["attribution", "share_alike", "naming", "modifiable_terms"])
def test_conditions_that_osaid_allows_do_not_fail(kind: str) -> None:
    r = Restriction(kind=kind, summary=kind, clause=Citation(source="file", file="LICENSE", line=3, text="x"))
    result = assess(gather(_evidence(FIXTURES / "pythia")), APACHE, [r])
    assert _req(result, "OSAID-W").status == "pass" and result.verdict == "conformant"


def test_unclassified_term_is_not_evidence_of_openness() -> None:
    """A binding sentence no kind describes: never a pass (OSI-approved text with it -> unknown), and on an
    unknown license the verdict stays unknown, not conformant."""
    clause = Citation(source="file", file="LICENSE", line=7, text="You may not use the Model in medical devices.")
    r = Restriction(kind="unclassified", summary="Binding sentence not classified (prohibition)", clause=clause)
    facts = gather(_evidence(FIXTURES / "pythia"))
    w = _req(assess(facts, APACHE, [r]), "OSAID-W")
    assert w.status == "unknown" and "not classified" in w.reason
    assert w.evidence[0].line == 7
    unknown = assess(facts, LicenseResult(reason="not identified"), [r])
    assert _req(unknown, "OSAID-W").status == "unknown" and unknown.verdict != "conformant"


def test_parameters_unknown_license_and_open_content_license() -> None:
    facts = gather(_evidence(FIXTURES / "pythia"))
    unknown = _req(assess(facts, LicenseResult(reason="no license declared"), []), "OSAID-W")
    assert unknown.status == "unknown" and "not identified" in unknown.reason
    cc = LicenseResult(id="cc-by-4.0", name="Creative Commons Attribution 4.0", spdx="CC-BY-4.0",
                       osi_approved=False, evidence=[Citation(source="metadata", text="license: cc-by-4.0")])
    assert _req(assess(facts, cc, []), "OSAID-W").status == "unknown"


def test_restrictive_license_category_fails_even_without_extracted_terms() -> None:
    entry = load_catalog().get("llama2")
    if entry is None or entry.category not in ("community", "rail", "non-commercial", "research", "proprietary"):
        pytest.skip("catalog has no restrictive llama2 entry yet")
    lic = LicenseResult(id="llama2", name=entry.name, spdx=entry.spdx, osi_approved=False,
                        evidence=[Citation(source="metadata", file="README.md", line=2, text="license: llama2")])
    w = _req(assess(gather(_evidence(FIXTURES / "pythia")), lic, []), "OSAID-W")
    assert w.status == "fail" and w.evidence[0].text == "license: llama2"


@pytest.mark.parametrize(("gated", "status"), [(False, "pass"), ("auto", "unknown"), ("manual", "fail"),
                                               (None, "pass")])
def test_access_from_hub_gating(gated, status: str) -> None:
    card = parse_card("---\nlicense: apache-2.0\n---\n# x\n")
    ev = Evidence(kind="hub", id="acme/x", card=card, gated=gated,
                  files=[SourceFile(name="README.md", role="card", text="")])
    a = _req(assess(gather(ev), APACHE, []), "OSAID-A")
    assert a.status == status
    if status == "fail":
        assert a.evidence[0].text == "Hub repository setting: gated = manual"


def test_silent_card_is_insufficient_evidence_not_a_failure(tmp_path: Path) -> None:
    result = _assess(_card(tmp_path, "---\nlicense: apache-2.0\n---\n# A model\n\nIt generates text.\n"))
    assert result.verdict == "insufficient_evidence" and result.counts["fail"] == 0


def test_withheld_training_code_fails(tmp_path: Path) -> None:
    card = "---\nlicense: apache-2.0\n---\n# Acme-7B\n\nThe training code is not released.\n"
    c1 = _req(_assess(_card(tmp_path, card)), "OSAID-C1")
    assert c1.status == "fail" and c1.evidence[0].line == 6


def test_finetune_cannot_pass_on_its_own_card(tmp_path: Path) -> None:
    card = ("---\nlicense: apache-2.0\nbase_model: acme/base-7b\ndatasets:\n- tatsu-lab/alpaca\n---\n# Acme-Chat\n\n"
            "Fine-tuned on the [Alpaca](https://huggingface.co/datasets/tatsu-lab/alpaca) data.\n\n"
            "- [Training code](https://github.com/acme/acme-chat-train)\n"
            "- [Data preparation](https://github.com/acme/acme-chat-data)\n\n"
            "```python\nAutoModelForCausalLM.from_pretrained('acme/acme-chat')\n```\n")
    result = _assess(_card(tmp_path, card))
    assert result.verdict == "insufficient_evidence"
    for rid in ("OSAID-C1", "OSAID-C2", "OSAID-D1", "OSAID-D2"):
        r = _req(result, rid)
        assert r.status == "unknown" and "acme/base-7b" in r.reason, r
        assert r.evidence[-1].source == "metadata"
    assert "acme/base-7b" in result.summary


def test_result_shape_and_verdict_invariants() -> None:
    paths = [FIXTURES / n for n in ("pythia", "crystalcoder", "t5", "grok", "phi-2", "mixtral")]
    if CARDS.is_dir():
        paths += sorted(CARDS.glob("*.md")) + sorted((CARDS / "no-frontmatter").glob("*.md"))
    for path in paths:
        result = _assess(path)
        json.dumps(to_data(result))
        assert [r.id for r in result.requirements] == [rid for rid, _ in REQUIREMENTS]
        statuses = [r.status for r in result.requirements]
        for r in result.requirements:
            assert r.status in ("pass", "fail", "unknown") and r.reason
            if r.status == "fail":
                assert r.evidence, (path.name, r)  # never a failure without a citation
            for e in r.evidence:
                assert isinstance(e, Citation)
                assert e.source in ("metadata", "file", "link", "base_model", "catalog")
                assert e.line is None or e.line >= 1
        expected = ("not_conformant" if "fail" in statuses else
                    "conformant" if set(statuses) == {"pass"} else "insufficient_evidence")
        assert result.verdict == expected, path.name


@pytest.mark.parametrize("body", ["[" * 100_000, "[a](" * 30_000, "<!--" * 30_000, "# " + "a #" * 30_000,
                                  " https://github.com/a/b" * 5_000, "we release " + "x " * 100_000 + "code"])
def test_adversarial_cards_stay_linear(tmp_path: Path, body: str) -> None:
    """Cards are untrusted: a line built to make a regex backtrack must not stall the audit."""
    import time

    start = time.process_time()  # CPU time: other processes on a busy CI runner do not count
    result = _assess(_card(tmp_path, "---\nlicense: mit\n---\n" + body + "\n"))
    assert time.process_time() - start < 5
    assert result.verdict in ("insufficient_evidence", "not_conformant", "conformant")


@needs_corpus
def test_gate_that_approves_immediately_is_automatic_not_manual() -> None:
    ev = _evidence(CARDS / "google__gemma-7b.md")  # "Requests are processed immediately."
    f = gather(ev)
    assert f.gating.status == "auto" and "immediately" in f.gating.citations[0].text
    a = _req(assess(f, _license(ev), []), "OSAID-A")
    assert a.status == "unknown"


@needs_corpus
def test_distilled_model_without_base_model_metadata_is_a_derivative() -> None:
    ev = _evidence(CARDS / "distil-whisper__distil-large-v2.md")  # "a distilled variant of [Whisper large-v2]"
    f = gather(ev)
    assert f.derivative == "derived" and f.base_models[0].value == "openai/whisper-large-v2"
    result = assess(f, _license(ev), [])
    assert result.verdict == "insufficient_evidence"
    assert "openai/whisper-large-v2" in _req(result, "OSAID-D2").reason


def test_stated_base_model_in_the_body(tmp_path: Path) -> None:
    card = ("---\nlicense: apache-2.0\n---\n# Acme-Chat\n\n"
            "Acme-Chat is fine-tuned from [Acme-Base](https://huggingface.co/acme/acme-base) on chat data.\n\n"
            "This card is based on the [Foo model card](https://huggingface.co/foo/foo).\n")
    f = gather(_evidence(_card(tmp_path, card)))
    assert f.derivative == "finetune"
    assert [b.value for b in f.base_models] == ["acme/acme-base"]  # the card-template credit is not a base
    assert f.base_models[0].citation.line == 6


@needs_corpus
@pytest.mark.parametrize(("card", "base"), [("databricks__dolly-v2-12b.md", "EleutherAI/pythia-12b"),  # over 2 lines
                                            ("FacebookAI__roberta-large-mnli.md", "roberta-large")])  # verb after
def test_stated_bases_in_real_cards(card: str, base: str) -> None:
    f = gather(_evidence(CARDS / card))
    assert f.base_models and f.base_models[0].value == base
    assert f.derivative in ("finetune", "derived")
