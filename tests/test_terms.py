"""Text terms reconciled with the catalog: the text wins and differences are reported (OA109)."""

from __future__ import annotations

from pathlib import Path

import pytest

from openaudit.audit import audit_evidence
from openaudit.sources.local import LocalSource

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found beside the project")


def _model(tmp_path: Path, card: str, license_text: str | None) -> Path:
    d = tmp_path / "model"
    d.mkdir()
    (d / "README.md").write_text(card)
    if license_text is not None:
        (d / "LICENSE").write_text(license_text)
    return d


@needs_corpus
def test_llama_31_text_with_a_changed_cap_reports_the_text_number(tmp_path):
    text = (CORPUS / "licenses" / "llama3.1.txt").read_text(encoding="utf-8")
    assert "700 million monthly active users" in text
    d = _model(tmp_path, "---\nlicense: llama3.1\n---\n# m\n", text.replace("700 million", "500 million"))
    report = audit_evidence(LocalSource(d).fetch())
    assert report.license.id == "modified-llama3.1"  # a changed number is a modified text
    caps = [r for r in report.restrictions if r.kind == "user_cap"]
    assert [t.value for r in caps for t in r.thresholds] == [500_000_000]
    assert caps[0].origin == "text" and "500 million" in caps[0].clause.text
    oa109 = [f for f in report.findings if f.rule == "OA109"]
    assert oa109 and "500,000,000" in oa109[0].message and "700,000,000" in oa109[0].message
    assert oa109[0].evidence.file == "LICENSE"


@needs_corpus
def test_unchanged_llama_31_text_has_no_discrepancy_and_cites_the_file(tmp_path):
    text = (CORPUS / "licenses" / "llama3.1.txt").read_text(encoding="utf-8")
    d = _model(tmp_path, "---\nlicense: llama3.1\n---\n# m\n", text)
    report = audit_evidence(LocalSource(d).fetch())
    assert not [f for f in report.findings if f.rule == "OA109"]
    kinds = {r.kind for r in report.restrictions}
    assert {"user_cap", "attribution", "naming", "use_restrictions"} <= kinds
    assert "output_training_ban" not in kinds  # Llama 3.1 dropped the ban of Llama 2 and 3
    for r in report.restrictions:
        assert r.clause is not None and r.clause.file == "LICENSE" and r.clause.line, r


def test_metadata_only_llama_uses_catalog_terms(tmp_path):
    d = _model(tmp_path, "---\nlicense: llama3.1\n---\n# m\n", None)
    report = audit_evidence(LocalSource(d).fetch())
    caps = [r for r in report.restrictions if r.kind == "user_cap"]
    assert caps and caps[0].origin == "catalog" and caps[0].clause.source == "catalog"
    assert caps[0].thresholds[0].value == 700_000_000


def test_card_terms_are_used_only_without_a_license_file(tmp_path):
    card = ("---\nlicense: other\n---\n# m\n\nThis model may be used for non-commercial research purposes only.\n")
    report = audit_evidence(LocalSource(_model(tmp_path, card, None)).fetch())
    nc = [r for r in report.restrictions if r.kind == "non_commercial"]
    assert nc and nc[0].clause.file == "README.md" and nc[0].clause.line == 6
