"""Property tests (hypothesis) of the parsers that read untrusted text: card, numbers, normalizer, license reader.

Each must return, never raise (our own error types aside), in bounded time. The example count is bounded for
CI (HYPOTHESIS_PROFILE=ci, the default here: 200 examples per test, no per-example deadline; set
HYPOTHESIS_PROFILE=long for a deeper run). Coverage-guided fuzzing of the same entry points: bench/fuzz/.
"""

from __future__ import annotations

import os
import time
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openaudit.card import parse_card
from openaudit.errors import OpenAuditError
from openaudit.evidence import SourceFile
from openaudit.licenses.numbers import iter_quantities, parse_money, parse_quantity
from openaudit.licenses.textmatch import normalize

settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PER_CALL_SECONDS = 2.0  # generous; catastrophic regex backtracking shows up as seconds or minutes

# Text that looks like what we parse, mixed with anything at all (controls, surrogates excluded by st.text).
LICENSE_WORDS = ["license", "licence", "Licensee", "million", "monthly active users", "MAU", "revenue", "USD",
                 "$", "€", "700", "1.2B", "10,000,000", "non-commercial", "noncommercial", "commercial",
                 "You may not", "shall not", "except", "European Union", "EU", "territory", "Copyright (c)", "©",
                 "derivative", "outputs", "train", "improve any other large language model", "Llama",
                 "Apache License", "Version 2.0", "MIT", "Permission is hereby granted", "-", "\n", "\r\n", " ",
                 "---", "#", "*", "(a)", "1.", "§", "\u202e", "\x1b[31m", "\t", "mil-\nlion", "one hundred",
                 "thousand", "billion", "per month", "per year", "annual", "greater than", "exceeds", "copyright",
                 "Copy-\nright", ": 2024", "(c)", "non", "_", ".", "!!", "licence", "acknowledgement", "\u0130",
                 "\u212a", "\u0663\u0664\u0665\u0666"]
licenseish = st.lists(st.one_of(st.sampled_from(LICENSE_WORDS), st.text(max_size=12)), max_size=80).map("".join)
any_text = st.one_of(st.text(max_size=400), licenseish)

YAML_BITS = ["license: mit", "license: [", "license: {a: 1}", "tags:\n- x\n- y", "a: &a [1, 2]", "b: *a",
             "c: *nope", "!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=", "key: !!str 1",
             "? complex\n: key", "dup: 1\ndup: 2", "  bad indent", "- list at top", "'quoted: x'", '"\\x1b[31m"',
             "license_name: \"\\u202e\"", "base_model: [a/b, c/d]", "datasets: null", "%YAML 1.2", "---", "...",
             "\t", "x: |\n  block\n  text", "y: >-\n  folded", "z: 1e999", "w: 0x1F", "v: 2024-01-01"]
front = st.lists(st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=20)), max_size=15).map("\n".join)
card_text = st.one_of(
    st.text(max_size=500),
    st.builds(lambda f, b, nl, bom: (bom + "---" + nl + f + nl + "---" + nl + b).replace("\n", nl),
              front, any_text, st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from(["", "\ufeff"])),
)


def timed(fn, *args):
    start = time.process_time()  # CPU time: other processes on a busy CI runner do not count
    try:
        return fn(*args)
    finally:
        elapsed = time.process_time() - start
        assert elapsed < PER_CALL_SECONDS, (fn.__name__, elapsed, args[0][:200] if args else None)


@lru_cache(maxsize=1)
def catalog():
    from openaudit.licenses.catalog import load_catalog

    return load_catalog()


@given(card_text)
def test_parse_card_never_raises(text: str) -> None:
    card = timed(parse_card, text)
    assert isinstance(card.metadata, dict)
    assert card.metadata_error is None or isinstance(card.metadata_error, str)
    assert all(isinstance(k, str) for k in card.metadata)
    assert 1 <= card.body_start <= len(card.lines) + 1
    for key, line in card.key_lines.items():
        assert key in card.metadata or card.metadata == {}, key
        assert 1 <= line <= len(card.lines), (key, line)
    if card.metadata_error is not None:
        assert card.metadata == {}
    _ = card.body, card.body_lines


@given(any_text)
def test_number_parsers_never_raise(text: str) -> None:
    q = timed(parse_quantity, text)
    assert q is None or (isinstance(q, float) and q >= 0)
    m = timed(parse_money, text)
    assert m is None or (isinstance(m[0], float) and (m[1] is None or isinstance(m[1], str)))
    found = timed(lambda t: list(iter_quantities(t)), text)
    assert all(x.value >= 0 for x in found)


@given(st.floats(min_value=0, max_value=1e15, allow_nan=False), st.sampled_from(["", " million", "M", " billion",
                                                                                 "B", "k", " thousand"]))
def test_parse_quantity_reads_numbers(value: float, suffix: str) -> None:
    text = f"{value:,.0f}{suffix}" if value >= 1 else f"{value:.2f}{suffix}"
    q = timed(parse_quantity, text)
    assert q is None or q >= 0


@given(any_text)
def test_normalize_is_idempotent(text: str) -> None:
    once = timed(normalize, text)
    twice = timed(normalize, once)
    assert twice.split() == once.split()
    assert all(w.isascii() or w.isalnum() for w in once.split())


@given(any_text)
def test_match_text_never_raises(text: str) -> None:
    from openaudit.licenses.textmatch import match_text

    matches = timed(match_text, text, catalog())
    for m in matches:
        assert catalog().get(m.entry.id) is not None
        assert 0 <= m.confidence <= 1


@given(st.lists(any_text, min_size=1, max_size=3))
def test_extract_restrictions_never_raises(texts: list[str]) -> None:
    from openaudit.licenses.clauses import extract_restrictions

    files = [SourceFile(name=f"LICENSE-{i}", role="license", text=t) for i, t in enumerate(texts)]
    try:
        found = timed(extract_restrictions, files)
    except OpenAuditError:
        return
    for r in found:
        assert r.kind
        if r.clause is not None and r.clause.line is not None:
            lines = files[int(r.clause.file.rsplit("-", 1)[1])].lines
            assert 1 <= r.clause.line <= len(lines), (r.clause, len(lines))


UNSAFE_CHARS = [chr(c) for c in [*range(0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), 0x200B, 0x200E,
                                 0x200F, 0x2028, 0x2029, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


@given(st.lists(st.one_of(st.sampled_from([*UNSAFE_CHARS, "\x1b[31m", "\x1b]8;;u\x1b\\", "[b]", "\t", "\n"]),
                          st.text(max_size=10)), max_size=60).map("".join))
def test_sanitize_leaves_no_control_or_bidi_character(text: str) -> None:
    from openaudit.textutil import sanitize

    out = timed(sanitize, text)
    assert not any(c in out for c in UNSAFE_CHARS), repr(out)
    assert sanitize(out) == out  # idempotent
    one = sanitize(text, one_line=True, limit=50)
    assert "\n" not in one and len(one) <= 50


@given(st.binary(max_size=2000))
def test_decode_never_raises(data: bytes) -> None:
    from openaudit.textutil import decode

    text, err = timed(decode, data)
    assert text is not None or err


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=200))
def test_redact_secrets_removes_the_token(text: str) -> None:
    from openaudit.textutil import redact_secrets

    token = "hf_PropTok3nXYZ12345"
    for mixed in (text + token, token + text, text[: len(text) // 2] + token + text[len(text) // 2:]):
        assert token not in redact_secrets(mixed, [token])
        assert token not in redact_secrets(mixed, [token], shape=False)


@given(st.lists(st.one_of(st.sampled_from(["pytorch_model.bin", "model.safetensors", "ggml-model-q4.bin", "x.pt",
                                           "optimizer.pt", "modeling_x.py", "sub/dir/a.py", "model.gguf", "a.ckpt",
                                           "training_args.bin", "LICENSE", "config.json"]),
                          st.text(max_size=30)), max_size=30),
       st.lists(st.text(max_size=15), max_size=5))
def test_safety_facts_never_raise(names: list[str], tags: list[str]) -> None:
    from openaudit.evidence import Evidence
    from openaudit.safety import safety_facts

    ev = Evidence(kind="hub", id="acme/x", siblings=names, tags=tags)
    facts = timed(safety_facts, ev)
    assert facts["pickle_only"] == (bool(facts["pickle_weights"]) and not facts["safe_weights"])
    assert set(facts["pickle_weights"]) <= set(names)
    if facts["pickle_only"]:
        assert facts["pickle_citation"]["file"] in names
    assert facts["remote_code"] == bool(facts["remote_code_signals"])
