"""A known text gets the catalog's reviewed terms (issue 14): so the catalog must hold every term the text has.
These are the terms the clause reader used to find on these real texts and the catalog lacked, each checked by
reading the clause: the RAIL licensor's right to restrict usage remotely, and Stability AI's use policy "as may
be updated from time to time"."""

from __future__ import annotations

from pathlib import Path

import pytest

import openaudit

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "licenses"
CASES = [  # (corpus text, license id, the line where the clause sits)
    ("bigcode-openrail-m", 69), ("bigscience-bloom-rail-1.0", 66), ("creativeml-openrail-m", 55),
    ("openrail++", 118), ("stabilityai-community", 44), ("stabilityai-non-commercial-community", 6),
    ("stabilityai-non-commercial-research-community", 11), ("stabilityai-svd-non-commercial-community", 4),
]


@pytest.mark.parametrize(("stem", "line"), CASES)
def test_modifiable_terms_of_known_texts_are_cited_in_the_file(tmp_path, stem, line):
    text = CORPUS / f"{stem}.txt"
    if not text.exists():
        pytest.skip(f"the shared corpus is not beside the project ({text})")
    (tmp_path / "README.md").write_text("---\nlicense: other\n---\n# m\n")
    (tmp_path / "LICENSE").write_text(text.read_text(encoding="utf-8"), encoding="utf-8")
    report = openaudit.audit(str(tmp_path), offline=True, max_depth=0)
    assert report.license.id == stem
    terms = [r for r in report.restrictions if r.kind == "modifiable_terms"]
    assert [(r.clause.file, r.clause.line) for r in terms if r.clause] == [("LICENSE", line)]
