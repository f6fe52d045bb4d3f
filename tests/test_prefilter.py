"""The necessary-literal prefilter and lower-case copies of the reader's patterns (licenses/prefilter.py): a
filtered search finds exactly what the pattern itself finds, on real license text and on text built to trip it."""

from __future__ import annotations

import random
import re

import pytest
from corpus import CORPUS

from openaudit.licenses import clauses, prefilter
from openaudit.licenses.prefilter import FilteredPattern, derive, holds, lowered
from openaudit.licenses.prefilter import clauses as to_clauses


def _reader_patterns() -> list[tuple[str, FilteredPattern]]:
    out = []
    for name, value in vars(clauses).items():
        if isinstance(value, FilteredPattern):
            out.append((name, value))
    for i, (p, _code) in enumerate(clauses._PLACES):
        out.append((f"_PLACES[{i}]", p))
    return out


PATTERNS = _reader_patterns()


def _same(a: re.Match[str] | None, b: re.Match[str] | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.span() == b.span() and a.groups() == b.groups() and a.groupdict() == b.groupdict()


def _texts() -> list[str]:
    """Sentences of the corpus licenses and cards as the reader joins them, plus case and Unicode variants."""
    texts: list[str] = []
    files = sorted(p for sub in ("licenses", "cards") for p in (CORPUS / sub).rglob("*") if p.is_file()) \
        if CORPUS.is_dir() else []
    from openaudit.evidence import SourceFile

    for p in files[::3]:  # every third file keeps the test quick; the snapshot bench reads them all
        f = SourceFile(name=p.name, role="license", text=p.read_text(encoding="utf-8", errors="replace"))
        _doc, sents = clauses._read(f)
        texts.extend(s.combined for s in sents)
    rng = random.Random(8)
    base = [
        "You shall not use the Model or its outputs to improve any other large language model.",
        "If the monthly active users exceed 700 million, you must request a license from Meta.",
        "Built with Llama: you must display \"Built with Llama\" prominently.",
        "The licensor may modify this Agreement from time to time. Non-commercial use only.",
        "You agree not to use the Model: (a) in the European Union; (b) in the U.K.",
        "Derivatives must be licensed under the same license. You may not distribute Adapted Material.",
    ]
    texts += base
    for t in base:  # case, and characters that case-fold to ASCII letters or change length when lowered
        texts += [t.upper(), t.swapcase(), t.replace("s", "\u017f"), t.replace("i", "\u0131"),
                  t.replace("I", "\u0130"), t.replace("k", "\u212a"), "\u00c9" + t]
    for _ in range(300):
        words = rng.sample(" ".join(base).split(), 12)
        texts.append(" ".join(w.upper() if rng.random() < 0.2 else w for w in words))
    return texts


TEXTS = _texts()


@pytest.mark.parametrize("name,pattern", PATTERNS, ids=[n for n, _ in PATTERNS])
def test_filtered_search_equals_the_pattern(name: str, pattern: FilteredPattern) -> None:
    real = re.compile(*pattern._args)
    for text in TEXTS:
        for pos, endpos in ((0, len(text)), (len(text) // 3, len(text)), (0, 2 * len(text) // 3), (5, 40)):
            assert _same(pattern.search(text, pos, endpos), real.search(text, pos, endpos)), (name, text, pos)
        got = [m.span() for m in pattern.finditer(text)]
        assert got == [m.span() for m in real.finditer(text)], (name, text)


def test_most_reader_patterns_are_filtered_and_lowered() -> None:
    derived = [prefilter._derived(*p._args) for _, p in PATTERNS]
    assert sum(f is not None for f, _ in derived) >= 0.7 * len(derived)
    assert sum(low is not None for _, low in derived) >= 0.7 * len(derived)


def test_formula_of_an_alternation() -> None:
    f = derive(r"\bretain\w*\b[^.;]{0,120}?\b(?:notices?|credit)\b|\bgive\s+credit\b", re.I)
    assert f == ("or", (("and", (("lit", "retain"), ("or", (("lit", "notice"), ("lit", "credit"))))),
                        ("and", (("lit", "credit"), ("lit", "give")))))
    groups = to_clauses(f)
    assert holds(f, "You must RETAIN all copyright Notices")
    assert not holds(f, "You must keep all notices")  # no "retain", no "give"
    assert groups == ((("retain",), ("notice", "credit")), (("credit",), ("give",)))


def test_optional_parts_and_classes_constrain_nothing() -> None:
    assert derive(r"(?:foo)?[a-z]+\d*") is None
    assert derive(r"a{0,3}b") == ("lit", "b")
    assert derive(r"x|\w+") is None  # an unconstrained alternative frees the whole alternation


def test_text_the_test_cannot_trust_is_searched() -> None:
    # "ſ" (long s) matches "s" under IGNORECASE but lower() keeps it: the prefilter must not rule it out.
    p = prefilter.compile(r"\bshall\s+not\b", re.I)
    assert p.search("You \u017fhall not") is not None
    assert p.search("You \u0130 shall not") is not None  # lower() changes the length
    assert p.search("You shall perhaps") is None


def test_lowered_copy_needs_ignorecase_and_plain_literals() -> None:
    assert lowered(r"\bUS\b", 0) is None  # case-sensitive: "us" is not "US"
    assert lowered(r"(?i:foo)bar", re.I) is None  # inline flags
    assert lowered(r"caf\u00c9", re.I) is None  # a cased literal outside ASCII
    args = lowered(r"[A-Z]+ shall", re.I)
    assert args is not None
    import _sre

    low = _sre.compile(r"[A-Z]+ shall", *args)
    assert low.search("licensee shall").span() == (0, 14)


def test_derivations_round_trip_the_data_cache() -> None:
    from openaudit import datacache

    value = {k: prefilter._derive_all(*k) for k in sorted(set(prefilter._registered))}
    assert datacache.decode(datacache.encode(value)) == value


def test_derivations_are_cached_once_and_not_without_the_cache(tmp_path) -> None:
    import os
    import subprocess
    import sys

    code = ("from openaudit.licenses.clauses import extract_from_text\n"
            "r = extract_from_text('You shall not use the outputs to improve any other large language model.')\n"
            "print([x.kind for x in r])")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAUDIT_NO_CACHE",)}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    cache = tmp_path / "openaudit" / "prefilters.cache"
    outs = []
    for extra in ({"OPENAUDIT_NO_CACHE": "1"}, {}, {}):
        run = subprocess.run([sys.executable, "-c", code], env={**env, **extra}, capture_output=True, text=True,
                             check=True)
        outs.append(run.stdout)
        if extra:
            assert not cache.exists()  # no cache: derived for the patterns used, nothing written
        else:
            assert cache.is_file()
    assert outs[0] == outs[1] == outs[2] == "['output_training_ban']\n"
