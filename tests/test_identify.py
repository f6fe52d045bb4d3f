"""Identification from text: unknown rather than a guess; modified copies are flagged, not trusted."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import CORPUS, corpus_license

from openaudit.audit import audit_evidence
from openaudit.sources.local import LocalSource

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not found beside the project")


def _audit(tmp_path: Path, card: str, license_text: str):
    (tmp_path / "README.md").write_text(card)
    (tmp_path / "LICENSE").write_text(license_text)
    return audit_evidence(LocalSource(tmp_path).fetch())


@needs_corpus
@pytest.mark.parametrize("card", sorted(p.name for p in (CORPUS / "cards").glob("*.md"))[:40]
                         if CORPUS.is_dir() else [])
def test_a_model_card_pasted_as_license_is_never_named(tmp_path, card):
    # Prose that mentions license names is not a license text: no file signal may name one.
    text = (CORPUS / "cards" / card).read_text(encoding="utf-8")
    report = _audit(tmp_path, "# no metadata\n", text)
    assert report.license.id == "unknown", (card, report.license)


ADDED = """
Additional terms. If your products or services have more than 100 million monthly active users, you must
request a separate license from Example Labs, which it may grant in its sole discretion. You must also
display "Powered by Example" prominently in your user interface.
"""


def test_modified_mit_lowers_confidence_and_is_flagged(tmp_path):
    report = _audit(tmp_path, "---\nlicense: mit\n---\n# m\n", corpus_license("mit.txt") + ADDED * 3)
    # The text binds: "modified MIT", not MIT; not OSI-approved; the added passage is named with its lines.
    assert report.license.id == "modified-mit" and report.license.osi_approved is False
    assert "modified" in (report.license.osi_reason or "")
    rules = {f.rule for f in report.findings}
    assert "OA110" in rules
    (text,) = report.license.texts
    assert text["status"] == "modified" and text["coverage"] == 1.0
    assert [p["kind"] for p in text["passages"]] == ["added"] and text["passages"][0]["lines"][0] > 20
    caps = [r for r in report.restrictions if r.kind == "user_cap"]
    assert caps and caps[0].thresholds[0].value == 100_000_000 and caps[0].clause.file == "LICENSE"


def test_plain_mit_text_is_identified_with_confidence(tmp_path):
    report = _audit(tmp_path, "---\nlicense: mit\n---\n# m\n", corpus_license("mit.txt"))
    assert report.license.id == "mit" and report.license.confidence >= 0.9
    assert "OA110" not in {f.rule for f in report.findings}


def test_unrecognised_text_with_no_metadata_is_unknown_with_a_reason(tmp_path):
    report = _audit(tmp_path, "# card\n", "You may use this model only on Tuesdays.\n")
    assert report.license.id == "unknown"
    assert "LICENSE" in (report.license.reason or "")
    assert "OA102" in {f.rule for f in report.findings}


def test_family_tag_and_member_text_are_not_a_conflict(tmp_path):
    bsd3 = corpus_license("bsd-3-clause.txt")
    report = _audit(tmp_path, "---\nlicense: bsd\n---\n# m\n", bsd3)
    assert "OA103" not in {f.rule for f in report.findings}


@needs_corpus
def test_every_corpus_card_reports_its_declared_license_or_unknown_never_a_wrong_one():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from expected import CARDS, acceptable

    from openaudit.licenses.catalog import load_catalog
    from openaudit.licenses.identify import identify

    wrong, checked = [], 0
    for name, expected in CARDS.items():
        path = CORPUS / "cards" / name
        if not path.is_file():
            continue
        got = identify(LocalSource(path).fetch(), load_catalog()).result.id
        checked += 1
        if got not in acceptable(expected) and got != "unknown":
            wrong.append((name, got))
    assert checked >= 80 and wrong == []


def test_license_link_to_another_license_is_a_conflict(tmp_path):
    card = ("---\nlicense: apache-2.0\nlicense_link: https://github.com/meta-llama/llama-models/blob/main/models/"
            "llama3_1/LICENSE\n---\n# m\n")
    (tmp_path / "README.md").write_text(card)
    report = audit_evidence(LocalSource(tmp_path).fetch())
    conflicts = [f for f in report.findings if f.rule == "OA103"]
    assert conflicts and "llama3.1" in conflicts[0].message and "apache-2.0" in conflicts[0].message
    assert conflicts[0].evidence.line == 3 and not report.passed


def test_license_link_to_a_repo_file_uses_that_files_text(tmp_path):
    (tmp_path / "README.md").write_text("---\nlicense: other\nlicense_link: LICENSE.md\n---\n# m\n")
    (tmp_path / "LICENSE.md").write_text(corpus_license("mit.txt"))
    report = audit_evidence(LocalSource(tmp_path).fetch())
    assert report.license.id == "mit" and report.license.evidence[0].file == "LICENSE.md"


def test_phrase_search_finds_the_same_with_and_without_the_automaton():
    """match_text searches the catalog's phrases plainly for the first few texts, then with an Aho-Corasick
    automaton (ahocorasick_rs): both must find exactly the same phrases."""
    from openaudit.licenses import textmatch
    from openaudit.licenses.catalog import load_catalog

    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared sits beside the project)")
    prepared = textmatch.prepare(load_catalog())
    plain, fast = textmatch._Index(prepared), textmatch._Index(prepared)
    fast._build()
    assert fast.automaton is not None and plain.automaton is None
    plain.searched = -10**9  # never builds its automaton
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CORPUS.rglob("*.txt"))[:60]]
    texts += ["Licensed under the Apache License, Version 2.0", "", "MIT License\n\nPermission is hereby granted"]
    hits = 0
    for text in texts:
        norm = textmatch.normalize(text)
        got = fast.found(norm)
        assert got == plain.found(norm)
        hits += len(got)
    assert hits > 50
