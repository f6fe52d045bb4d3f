"""Catalog entries for licenses users meet on the Hub (issue 14), each checked on its real text.

The texts are read from ../shared/corpus at test time (never copied here). For every entry: the text is
identified as that entry and nothing else, each term's clause is a phrase of the text (so citations land on a
real line), and the terms are those written down from reading the text before the tool ran on it. A later
version of a catalogued text (made at test time by changing the version in the title) is not named as the
catalogued version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openaudit.licenses.catalog import TEXT_SOURCE_PREFIXES, CatalogError, load_catalog, parse_entry
from openaudit.licenses.locate import WordIndex
from openaudit.licenses.textmatch import match_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EVAL = CORPUS / "evaluation-2026-11" / "licenses"

pytestmark = pytest.mark.skipif(not EVAL.is_dir(), reason=f"shared corpus not found at {EVAL} (../shared/corpus)")

# text (under evaluation-2026-11/licenses) -> entry, and what the text says, read by hand:
# (kinds, thresholds as (value, unit), territories)
EXPECTED: dict[str, tuple[str, set[str], set[tuple[float, str]], set[str]]] = {
    "grok2-community.txt": ("grok2-community", {"use_restrictions", "output_training_ban", "attribution"}, set(),
                            set()),
    "exaone-1.1-nc.txt": ("exaone-1.1-nc", {"non_commercial", "output_training_ban", "naming", "use_restrictions",
                                             "attribution", "modifiable_terms"}, set(), set()),
    "databricks-open-model.txt": ("databricks-open-model", {"user_cap", "output_training_ban", "use_restrictions",
                                                             "attribution"},
                                  {(700_000_000, "monthly_active_users")}, set()),
    "databricks-open-model-aup.txt": ("databricks-open-model-aup", {"use_restrictions", "modifiable_terms"}, set(),
                                      set()),
    "cogvideox.txt": ("cogvideox", {"registration", "user_cap", "use_restrictions", "attribution",
                                    "modifiable_terms"}, {(1_000_000, "monthly_visits")}, set()),
    "kolors.txt": ("kolors", {"user_cap", "registration", "output_training_ban", "use_restrictions", "attribution"},
                   {(300_000_000, "monthly_active_users")}, set()),
    "lfm-open-1.0.txt": ("lfm-open-1.0", {"revenue_cap", "attribution"}, {(10_000_000, "annual_revenue")}, set()),
    "health-ai-developer-foundations.txt": ("health-ai-developer-foundations", {"use_restrictions", "attribution"},
                                            set(), set()),
    "opt-175b.txt": ("opt-175b", {"non_commercial", "use_restrictions", "attribution"}, set(), set()),
    "nexusraven-v2.txt": ("nexusflow", {"user_cap", "output_training_ban", "use_restrictions", "attribution"},
                          {(50_000_000, "monthly_active_users")}, set()),
    "scancode/tencent-hunyuan-3d-2.0-community.LICENSE": (
        "tencent-hunyuan-3d-2.0-community",
        {"territory", "user_cap", "output_training_ban", "use_restrictions", "attribution", "modifiable_terms"},
        {(1_000_000, "monthly_active_users")}, {"EU", "GB", "KR"}),
    "scancode/openatom-model-1.0.LICENSE": ("openatom-model-1.0", {"attribution"}, set(), set()),
    "scancode/bilibili-model-ula.LICENSE": (
        "bilibili-model-ula", {"user_cap", "revenue_cap", "output_training_ban", "use_restrictions", "attribution"},
        {(100_000_000, "monthly_active_users"), (1_000_000_000, "annual_revenue")}, set()),
}


def read(rel: str) -> str:
    return (EVAL / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_text_is_identified_as_its_entry_only(rel: str) -> None:
    full = [m.entry.id for m in match_text(read(rel), load_catalog()) if m.confidence >= 0.9]
    assert full == [EXPECTED[rel][0]], full


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_terms_are_what_the_text_says_and_cited_in_it(rel: str) -> None:
    license_id, kinds, thresholds, territories = EXPECTED[rel]
    entry = load_catalog().get(license_id)
    assert entry is not None and entry.osi_approved is False
    assert {t.kind for t in entry.terms} == kinds
    assert {(float(x["value"]), x["unit"]) for t in entry.terms for x in t.thresholds} == \
        {(float(v), u) for v, u in thresholds}
    assert {c for t in entry.terms for c in t.territories} == territories
    index = WordIndex(read(rel).splitlines())
    for t in entry.terms:
        assert t.clause and index.find(t.clause) is not None, (license_id, t.kind, t.clause)
    assert any(s.startswith("corpus:") and (CORPUS / s[len("corpus:"):]).is_file() for s in entry.text_sources), \
        "the entry names where its canonical text is"
    assert abs(len(read(rel).split()) - (entry.words or 0)) < 0.35 * (entry.words or 1)


@pytest.mark.parametrize(("rel", "old", "new", "not_named"), [
    ("exaone-1.1-nc.txt", "Agreement 1.1 - NC", "Agreement 1.2 - NC", {"exaone-1.1-nc"}),
    ("scancode/tencent-hunyuan-3d-2.0-community.LICENSE", "3D 2.0", "3D 2.1",
     {"tencent-hunyuan-3d-2.0-community", "tencent-hunyuan-community"}),
])
def test_a_later_version_is_not_named_as_the_catalogued_one(rel: str, old: str, new: str, not_named: set[str]) -> None:
    text = read(rel)
    assert old in text
    later = text.replace(old, new)
    named = {m.entry.id for m in match_text(later, load_catalog()) if m.confidence >= 0.9}
    assert not named & not_named, named


def test_hunyuan_community_no_longer_claims_the_3d_text() -> None:
    # The 3D 2.0 agreement caps users at 1 million, the community one (HunyuanVideo, Hunyuan-DiT) at 100 million.
    c = load_catalog()
    assert c.by_name("tencent-hunyuan-3d-2.0-community").id == "tencent-hunyuan-3d-2.0-community"
    cap = [t for t in c.get("tencent-hunyuan-community").terms if t.kind == "user_cap"]
    assert cap[0].thresholds == [{"value": 100_000_000, "unit": "monthly_active_users"}]


def test_versionless_exaone_name_is_the_family_without_terms() -> None:
    c = load_catalog()
    family = c.by_name("exaone")
    assert family is not None and family.id == "exaone" and family.category == "family" and not family.terms
    assert c.get("exaone-1.1-nc").family == "exaone"


def test_text_sources_are_checked() -> None:
    with pytest.raises(CatalogError):
        parse_entry({"id": "x", "name": "X", "text_sources": ["file:///etc/passwd"]}, "x.yaml")
    with pytest.raises(CatalogError):
        parse_entry({"id": "x", "name": "X", "text_sources": ["corpus:../../secret"]}, "x.yaml")
    assert parse_entry({"id": "x", "name": "X", "text_sources": ["spdx:MIT"]}, "x.yaml").text_sources == ["spdx:MIT"]
    assert "spdx:" in TEXT_SOURCE_PREFIXES


def test_falcon_mamba_is_named_by_its_card_without_invented_terms(tmp_path: Path) -> None:
    import openaudit

    root = tmp_path / "model"
    root.mkdir()
    (root / "README.md").write_text(
        "---\nlicense: other\nlicense_name: falcon-mamba-7b-license\n"
        "license_link: https://falconllm.tii.ae/falcon-mamba-7b-terms-and-conditions.html\n---\n# m\n",
        encoding="utf-8")
    report = openaudit.audit(str(root), offline=True).to_dict()
    assert report["license"]["id"] == "falcon-mamba-7b" and report["license"]["osi_approved"] is False
    assert report["restrictions"] == []  # no text read, no term asserted from memory


def test_qwen_research_name_takes_the_qwen25_version_from_its_link(tmp_path: Path) -> None:
    import openaudit

    root = tmp_path / "model"
    root.mkdir()
    (root / "README.md").write_text(
        "---\nlicense: other\nlicense_name: qwen-research\n"
        "license_link: https://huggingface.co/Qwen/Qwen2.5-Coder-3B-Instruct/blob/main/LICENSE\n---\n# m\n",
        encoding="utf-8")
    report = openaudit.audit(str(root), offline=True).to_dict()
    assert report["license"]["id"] == "qwen2.5-research"
    kinds = {r["kind"] for r in report["restrictions"]}
    assert "non_commercial" in kinds and "output_training_ban" not in kinds
