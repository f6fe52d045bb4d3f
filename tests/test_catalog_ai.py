"""Catalog entries for AI-specific / custom model licenses, checked against the shared license corpus.

Every corpus text must be identified as its own entry (first full match, no sibling version), and every
term's clause must be found in the corpus text(s) of its entry, so that citations land on a real line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openaudit.licenses.catalog import load_catalog, norm_name, norm_url
from openaudit.licenses.locate import WordIndex
from openaudit.licenses.textmatch import match_text
from openaudit.licenses.vocabulary import categories
from openaudit.model import RESTRICTION_KINDS, THRESHOLD_UNITS

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LICENSES = CORPUS / "licenses"

pytestmark = pytest.mark.skipif(
    not LICENSES.is_dir(), reason=f"shared license corpus not found at {LICENSES} (tests read ../shared/corpus)"
)

# corpus file (relative to shared/corpus/licenses) -> the catalog entry it must be identified as
CASES: dict[str, str] = {
    # Meta
    "scancode/llama1.LICENSE": "llama1",
    "llama2.txt": "llama2",
    "llama3.txt": "llama3",
    "llama3.1.txt": "llama3.1",
    "llama3.2.txt": "llama3.2",
    "llama3.3.txt": "llama3.3",
    "llama4.txt": "llama4",
    "scancode/llama4-cla.LICENSE": "llama4",
    "llama2-aup.txt": "llama2-aup",
    "variants/llama2-aup__meta-llama_llama.txt": "llama2-aup",
    "llama3-aup.txt": "llama3-aup",
    "llama3.1-aup.txt": "llama3.1-aup",
    "llama3.2-aup.txt": "llama3.2-aup",
    "llama3.3-aup.txt": "llama3.3-aup",
    "llama4-aup.txt": "llama4-aup",
    "codellama-aup.txt": "codellama-aup",
    "fair-noncommercial-research-license.txt": "fair-noncommercial-research-license",
    "microsoft-research-license.txt": "microsoft-research-license",
    # Google
    "gemma.txt": "gemma",
    "variants/gemma-2024-04-01.txt": "gemma-2024-04-01",
    "variants/gemma-2024-02-21.txt": "gemma-2024-02-21",
    "gemma-prohibited-use.txt": "gemma-prohibited-use",
    # Alibaba
    "qwen.txt": "qwen",
    "variants/qwen__Qwen-VL.txt": "qwen",
    "scancode/qwen2.5.LICENSE": "qwen2.5",
    "qwen-research.txt": "qwen-research",
    "qwen2.5-research.txt": "qwen2.5-research",
    # other Chinese labs
    "deepseek-model.txt": "deepseek-model",
    "minimax-model.txt": "minimax-model",
    "variants/minimax-model__overlay.txt": "minimax-model",
    "kimi-k2-modified-mit.txt": "kimi-k2-modified-mit",
    "scancode/kimi-modified-mit.LICENSE": "kimi-k2-modified-mit",
    "yi.txt": "yi",
    "variants/yi-v1.0.txt": "yi-1.0",
    "glm-4.txt": "glm-4",
    "chatglm-6b.txt": "chatglm-6b",
    "chatglm3.txt": "chatglm3",
    "codegeex4.txt": "codegeex4",
    "tencent-hunyuan-community.txt": "tencent-hunyuan-community",
    "opencoder.txt": "opencoder",
    # Mistral
    "mistral-research-mrl.txt": "mistral-research-mrl",
    "mistral-non-production-mnpl.txt": "mistral-non-production-mnpl",
    "mistral-modified-mit.txt": "mistral-modified-mit",
    # TII
    "falcon-2.txt": "falcon-2",
    "falcon-3.txt": "falcon-3",
    "falcon-2-aup.txt": "falcon-2-aup",
    "falcon-3-aup.txt": "falcon-3-aup",
    # NVIDIA
    "nvidia-open-model-agreement.txt": "nvidia-open-model-agreement",
    "scancode/nvidia-open-model.LICENSE": "nvidia-open-model-license",
    "nvidia-ai-foundation-models-community.txt": "nvidia-ai-foundation-models-community",
    # Stability AI
    "stabilityai-community.txt": "stabilityai-community",
    "stabilityai-non-commercial-community.txt": "stabilityai-non-commercial-community",
    "stabilityai-non-commercial-research-community.txt": "stabilityai-non-commercial-research-community",
    "variants/stabilityai-non-commercial-research-community__StableCascade.txt": (
        "stabilityai-non-commercial-research-community"
    ),
    "variants/stabilityai-non-commercial-research-community__overlay.txt": (
        "stabilityai-non-commercial-research-community"
    ),
    "scancode/stabilityai-non-commercial-2023-12-06.LICENSE": "stabilityai-non-commercial-research-community",
    "stabilityai-sdxl-0.9-research.txt": "stabilityai-sdxl-0.9-research",
    "stabilityai-svd-non-commercial-community.txt": "stabilityai-svd-non-commercial-community",
    "stable-beluga-non-commercial.txt": "stable-beluga-non-commercial",
    "deepfloyd-if-license.txt": "deepfloyd-if-license",
    # Black Forest Labs
    "flux-1-dev-non-commercial.txt": "flux-1-dev-non-commercial",
    "variants/flux-1-dev-non-commercial-2024-08.txt": "flux-1-dev-non-commercial-2024-08",
    "flux-non-commercial-v2.1.txt": "flux-non-commercial-v2.1",
    # Apple
    "apple-amlr.txt": "apple-amlr",
    "apple-ascl.txt": "apple-ascl",
    "scancode/apple-ml-ferret.LICENSE": "apple-ascl",
    # policies of other vendors
    "cohere-c4ai-aup.txt": "cohere-c4ai-aup",
    "cohere-labs-aup.txt": "cohere-labs-aup",
    "xai-aup.txt": "xai-aup",
    "whiterabbitneo-terms.txt": "whiterabbitneo-terms",
    "whiterabbitneo-usage-restrictions.txt": "whiterabbitneo-usage-restrictions",
}

# Entries without a text in the corpus: identified by Hub id / name / link only.
TEXTLESS = {"jamba-open-model", "intel-research", "h-research", "falcon-mamba-7b"}

MINE = set(CASES.values()) | TEXTLESS

NO_URL = {"flux-1-dev-non-commercial-2024-08", "yi-1.0", "whiterabbitneo-terms", "whiterabbitneo-usage-restrictions"}

POLICIES = {
    "llama2-aup",
    "llama3-aup",
    "llama3.1-aup",
    "llama3.2-aup",
    "llama3.3-aup",
    "llama4-aup",
    "codellama-aup",
    "gemma-prohibited-use",
    "falcon-2-aup",
    "falcon-3-aup",
    "cohere-c4ai-aup",
    "cohere-labs-aup",
    "xai-aup",
    "whiterabbitneo-terms",
    "whiterabbitneo-usage-restrictions",
}


def _read(rel: str) -> str:
    return (LICENSES / rel).read_text(encoding="utf-8")


def test_catalog_loads_with_every_ai_entry() -> None:
    catalog = load_catalog()  # raises on a schema error or a duplicate id
    ids = [e.id for e in catalog.entries]
    assert len(ids) == len(set(ids))
    missing = MINE - set(ids)
    assert not missing, f"entries missing from rules/licenses: {sorted(missing)}"


@pytest.mark.parametrize("license_id", sorted(MINE))
def test_entry_schema(license_id: str) -> None:
    e = load_catalog().get(license_id)
    assert e is not None
    assert e.source == f"{license_id}.yaml"
    assert e.id == e.id.lower()
    assert e.name and e.category in categories() and e.family
    assert e.spdx and (e.spdx.startswith("LicenseRef-") or e.spdx == "AML")
    # superseded texts whose old locations now serve the new version, and card sections, have no URL
    assert e.urls or license_id in NO_URL
    assert (e.category == "policy") == (license_id in POLICIES)
    if license_id in TEXTLESS:
        assert not e.fingerprints and not e.terms and e.notes, "a text-less entry says so in notes"
        assert e.hub_ids or e.names
        return
    assert 2 <= len(e.fingerprints) <= 4
    for fp in e.fingerprints:
        assert 1 <= len(fp.split()) <= 10, f"fingerprint too long to be a phrase: {fp!r}"
    assert e.words
    for t in e.terms:
        assert t.kind in RESTRICTION_KINDS and t.summary
        for th in t.thresholds:
            assert th["unit"] in THRESHOLD_UNITS and th["value"] > 0
            assert ("currency" in th) == th["unit"].endswith("revenue")


@pytest.mark.parametrize("rel,expected", sorted(CASES.items()))
def test_corpus_text_identifies_its_entry(rel: str, expected: str) -> None:
    matches = match_text(_read(rel), load_catalog())
    full = [m for m in matches if m.confidence >= 0.9]
    assert full, f"{rel}: no full match (candidates: {[(m.entry.id, m.confidence) for m in matches]})"
    assert full[0].entry.id == expected
    assert [m.entry.id for m in full] == [expected], f"{rel}: other full matches {[m.entry.id for m in full]}"


def _cases_by_entry() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rel, lid in sorted(CASES.items()):
        out.setdefault(lid, []).append(rel)
    return out


# Terms a license takes from a policy it incorporates by reference: their clause is a phrase of the policy
# (cited from the repo's USE_POLICY.md when present), not of the agreement itself.
INCORPORATED: dict[str, list[str]] = {
    "llama3.2": ["llama3.2-aup.txt"],
    "llama4": ["llama4-aup.txt"],
}


@pytest.mark.parametrize("license_id,files", sorted(_cases_by_entry().items()))
def test_clauses_are_found_in_the_texts(license_id: str, files: list[str]) -> None:
    entry = load_catalog().get(license_id)
    assert entry is not None
    clauses = [t.clause for t in entry.terms if t.clause]
    policies = [WordIndex(_read(rel).splitlines()) for rel in INCORPORATED.get(license_id, [])]
    for rel in files:
        index = WordIndex(_read(rel).splitlines())
        for clause in clauses:
            found = index.find(clause) is not None or any(p.find(clause) is not None for p in policies)
            assert found, f"{license_id}: clause {clause!r} not found in {rel}"


def test_incorporated_clauses_are_only_in_the_policy() -> None:
    for license_id, policies in INCORPORATED.items():
        entry = load_catalog().get(license_id)
        own = [WordIndex(_read(rel).splitlines()) for rel in _cases_by_entry()[license_id]]
        borrowed = [t.clause for t in entry.terms if t.clause and any(i.find(t.clause) is None for i in own)]
        assert borrowed, f"{license_id}: nothing taken from {policies}; drop it from INCORPORATED"


def _term(license_id: str, kind: str):
    entry = load_catalog().get(license_id)
    assert entry is not None
    found = [t for t in entry.terms if t.kind == kind]
    assert found, f"{license_id} has no {kind} term"
    return found[0]


@pytest.mark.parametrize("license_id", ["llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"])
def test_llama_user_cap_is_700_million(license_id: str) -> None:
    assert _term(license_id, "user_cap").thresholds == [{"value": 700_000_000, "unit": "monthly_active_users"}]


def test_llama_output_training_ban_only_in_2_and_3() -> None:
    kinds = {
        lid: {t.kind for t in load_catalog().get(lid).terms}
        for lid in ["llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"]
    }
    assert "output_training_ban" in kinds["llama2"] and "output_training_ban" in kinds["llama3"]
    for lid in ["llama3.1", "llama3.2", "llama3.3", "llama4"]:
        assert "output_training_ban" not in kinds[lid]
        assert "naming" in kinds[lid]
    assert "naming" in kinds["llama3"] and "naming" not in kinds["llama2"]


def test_llama_multimodal_eu_exclusion() -> None:
    for lid in ["llama3.2", "llama4", "llama3.2-aup", "llama3.3-aup", "llama4-aup"]:
        assert _term(lid, "territory").territories == ["EU"]
    assert not [t for t in load_catalog().get("llama3.1-aup").terms if t.kind == "territory"]


def test_other_caps() -> None:
    for lid in ["qwen", "qwen2.5", "tencent-hunyuan-community"]:
        assert _term(lid, "user_cap").thresholds == [{"value": 100_000_000, "unit": "monthly_active_users"}]
    assert _term("stabilityai-community", "revenue_cap").thresholds == [
        {"value": 1_000_000, "unit": "annual_revenue", "currency": "USD"}
    ]
    assert _term("mistral-modified-mit", "revenue_cap").thresholds == [
        {"value": 20_000_000, "unit": "monthly_revenue", "currency": "USD"}
    ]
    assert sorted(_term("tencent-hunyuan-community", "territory").territories) == ["EU", "GB", "KR"]
    kimi = load_catalog().get("kimi-k2-modified-mit")
    assert {t.kind for t in kimi.terms} == {"attribution"}  # thresholds trigger a credit, not a cap


def test_hub_ids_resolve() -> None:
    catalog = load_catalog()
    for hub_id in [
        "llama2",
        "llama3",
        "llama3.1",
        "llama3.2",
        "llama3.3",
        "llama4",
        "gemma",
        "deepfloyd-if-license",
        "fair-noncommercial-research-license",
        "apple-amlr",
        "apple-ascl",
        "grok2-community",
        "intel-research",
        "h-research",
    ]:
        entry = catalog.by_hub_id(hub_id)
        assert entry is not None and entry.id == hub_id


def test_lookup_keys_are_not_shared() -> None:
    """A name, link, Hub id or SPDX/ScanCode key of an AI entry must lead to that entry alone."""
    owners: dict[tuple[str, str], set[str]] = {}
    for e in load_catalog().entries:
        keys = [("name", norm_name(n)) for n in [e.id, e.name, *e.names, *e.hub_ids]]
        keys += [("url", norm_url(u)) for u in e.urls]
        keys += [("spdx", s.lower()) for s in [e.spdx, *e.scancode] if s]
        for k in keys:
            owners.setdefault(k, set()).add(e.id)
    shared = {k: sorted(v) for k, v in owners.items() if len(v) > 1 and v & MINE}
    assert not shared, shared
