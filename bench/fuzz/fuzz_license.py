"""Fuzz the license reader (normalizer, fingerprint matcher, clause extraction):
`python bench/fuzz/fuzz_license.py -max_total_time=60`."""

from __future__ import annotations

import _harness

with _harness.instrumented():
    from openaudit.evidence import SourceFile
    from openaudit.licenses.catalog import load_catalog
    from openaudit.licenses.clauses import extract_restrictions
    from openaudit.licenses.textmatch import match_text, normalize


CATALOG = load_catalog()


def test_one_input(data: bytes) -> None:
    text = _harness.text_of(data)
    once = normalize(text)
    assert normalize(once).split() == once.split(), "normalize is not idempotent"
    match_text(text, CATALOG)
    extract_restrictions([SourceFile(name="LICENSE", role="license", text=text)])


if __name__ == "__main__":
    _harness.main(test_one_input)
