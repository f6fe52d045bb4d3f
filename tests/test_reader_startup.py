"""Work the license reader skips for start-up (issue 18) without changing what it finds.

The time itself is measured by ``bench/startup.py`` (no timed tests); these tests hold the mechanisms: a phrase
list compiled as the subset a text can match finds what the whole list finds, patterns about Chinese text are not
compiled for a text without a character past U+00FF, bundled data paths are placed without system calls, and the
sketch of license identification ranks the same candidates as the hash-by-hash walk it replaced.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from corpus import CORPUS

from openaudit import yamlutil
from openaudit.licenses import coverage, sentences, textmatch, vocabulary
from openaudit.paths import rules_dir

PLACES = ["United States", "United Kingdom", "European Union", "Guinea-Bissau", "the Netherlands",
          "Korea, Republic of", "Côte d'Ivoire", "warrant*", "as is", "non-exclusive"]


@pytest.mark.parametrize("text", [
    "users in the European Union and the United States",
    "The Netherlands, guineabissau, Guinea Bissau and GUINEA-BISSAU",
    "United Kingdom; EUROPEAN  UNION; united\nstates",
    "nothing here but united efforts",
    "as  IS, warranties, nonexclusive, non exclusive",
    "Korea, Republic of; COTE D'IVOIRE; Côte d'Ivoire",
    "",
])
def test_phrase_subset_finds_what_the_whole_list_finds(text: str) -> None:
    whole = vocabulary.PhraseSet(PLACES)
    subset = vocabulary.PhraseSet(PLACES, subset=True)
    assert [m.span() for m in subset.finditer(text)] == [m.span() for m in whole.finditer(text)]
    got, want = subset.search(text, 3), whole.search(text, 3)
    assert (got and got.span()) == (want and want.span())


def test_phrase_subset_match_at_a_position_as_the_whole_list() -> None:
    phrases = list(vocabulary.load().not_prohibitions)
    whole, subset = vocabulary.PhraseSet(phrases), vocabulary.PhraseSet(phrases, subset=True)
    text = "This section shall not apply to you, and you may not use it; it shall not be construed otherwise."
    for at in range(len(text)):
        got, want = subset.match(text, at), whole.pattern.match(text, at)
        assert (got and got.span()) == (want and want.span()), at
    assert subset._current[1] is None and len(subset._anchored[0]) < len(phrases) // 3


def test_phrase_subset_compiles_only_what_texts_name_then_the_whole_list() -> None:
    names = [" ".join(n.lower().split()) for p in vocabulary.load().places for n in p.names]
    subset = vocabulary.PhraseSet(names, subset=True)
    assert [m.group(0) for m in subset.finditer("not licensed in the European Union")] == ["European Union"]
    have, pattern, growths = subset._current
    assert pattern is not None and growths == 1 and len(have) < len(names) // 10  # a few names, not ~300
    assert len(pattern.pattern) < len(subset.full._pattern) // 5
    for i, text in enumerate(["in Brazil", "in Japan", "in Canada", "in Mexico", "in Brazil or Japan"]):
        assert [m.group(0) for m in subset.finditer(text)] == [m.group(0) for m in subset.full.finditer(text)], i
    assert subset._current[2] == vocabulary.PhraseSet._SUBSET_GROWTHS  # then the whole list, compiled once


def test_wide_text_is_found_without_a_pattern() -> None:
    assert not sentences.wide("plain ASCII text")
    assert not sentences.wide("Latin-1 only: café, § 3, © 2024")
    assert sentences.wide("许可证") and sentences.wide("a \u2014 dash left over")


_PROBE = """
import sys
from openaudit.licenses import clauses, sentences
from openaudit.licenses.detectors import caps, common
text = sys.stdin.read()
found = clauses.extract_from_text(text)
compiled = lambda p: p._compiled is not None
units = caps._unit_patterns()
print({"kinds": sorted({r.kind for r in found}),
       "sent_end_cjk": compiled(sentences._SENT_END), "cjk": compiled(common.CJK),
       "revenue": compiled(units["rev_after"]) or compiled(units["rev_before"])})
"""


def _probe(text: str) -> dict:
    # a fresh interpreter: which patterns one reading compiles (the test process has compiled them all)
    out = subprocess.run([sys.executable, "-c", _PROBE], input=text, capture_output=True, text=True, check=True)
    return eval(out.stdout)


@pytest.mark.slow
def test_english_text_compiles_no_chinese_or_revenue_pattern() -> None:
    got = _probe("1. Grant. You may use the Model.\n\n2. Caps. If your products had more than 50 million monthly "
                 "active users, you must obtain a separate license from the Licensor.\n\n3. You may not use the "
                 "Model in the European Union.\n")
    assert got["kinds"] == ["territory", "user_cap"]
    assert got == {**got, "sent_end_cjk": False, "cjk": False, "revenue": False}


@pytest.mark.slow
def test_chinese_text_is_still_read() -> None:
    got = _probe("如果您的产品月活跃用户超过1亿，您必须向我们申请商业许可。本模型仅限非商业用途。\n")
    assert {"user_cap", "non_commercial"} <= set(got["kinds"]) and got["cjk"] and got["sent_end_cjk"]


def test_bundle_key_places_bundled_paths_without_resolving(monkeypatch: pytest.MonkeyPatch) -> None:
    yamlutil._rules_root()  # the data directory itself is resolved once

    def no_resolve(self: Path, strict: bool = False) -> Path:
        raise AssertionError(f"resolved {self}")

    monkeypatch.setattr(Path, "resolve", no_resolve)
    assert yamlutil.bundle_key(rules_dir() / "licenses" / "mit.yaml") == "licenses/mit.yaml"
    monkeypatch.undo()
    assert yamlutil.bundle_key(rules_dir() / "licenses" / ".." / "vocabulary" / "units.yaml") == "vocabulary/units.yaml"
    assert yamlutil.bundle_key(Path("/nonexistent/rules/licenses/mit.yaml")) is None


def test_bundled_vocabulary_is_not_compiled_to_be_checked(tmp_path: Path) -> None:
    copy = tmp_path / "vocabulary"
    shutil.copytree(rules_dir() / "vocabulary", copy)
    kinds = copy / "kinds.yaml"
    kinds.write_text(kinds.read_text(encoding="utf-8").replace("'非商业'", "'非商业('", 1), encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError, match="invalid pattern"):
        vocabulary.load_from(copy)
    assert vocabulary.load_from(copy, compile_check=False).zh  # proven by the tests, compiled when Chinese is read


def _walk_candidates(hashes: list[int], limit: int, floor: float) -> list[tuple[str, float]]:
    """The sketch search as it was: the sketch inverted hash by hash, entries counted in the walk's order."""
    data = json.loads((coverage.index_dir() / "_sketch.json").read_text(encoding="utf-8"))
    inverted: dict[int, list[str]] = {}
    for eid, packed in data["entries"].items():
        for h in coverage.unpack(packed):
            inverted.setdefault(h, []).append(eid)
    sizes = {eid: len(base64.b64decode(p)) // 4 for eid, p in data["entries"].items()}
    hits: dict[str, int] = {}
    for h in set(hashes):
        if h % coverage.SKETCH_MOD == 0:
            for eid in inverted.get(h, ()):
                hits[eid] = hits.get(eid, 0) + 1
    scored = [(eid, n / sizes[eid]) for eid, n in hits.items() if sizes.get(eid)]
    scored = [s for s in scored if s[1] >= floor]
    scored.sort(key=lambda s: -s[1])
    return scored[:limit]


def test_sketch_candidates_rank_as_the_hash_by_hash_walk() -> None:
    texts = [p for p in sorted((CORPUS / "licenses").rglob("*")) if p.is_file()] if CORPUS.is_dir() else []
    if not texts:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    for path in texts:
        words, _ = textmatch.tokens(path.read_text(encoding="utf-8", errors="replace"))
        hashes = coverage.shingles(words)
        for limit, floor in ((4, 0.25), (200, 0.0)):
            assert coverage.sketch_candidates(hashes, limit=limit, floor=floor) == \
                _walk_candidates(hashes, limit, floor), path.name


def _hatch_build_bundle(monkeypatch: pytest.MonkeyPatch) -> dict:
    """``hatch_build.build_bundle`` over this checkout's rules/ (hatchling, a build-only requirement, stubbed
    when absent: only its base class is imported)."""
    import importlib.util
    import types

    root = Path(__file__).resolve().parents[1]
    try:
        import hatchling.builders.hooks.plugin.interface  # noqa: F401
    except ImportError:
        stub = types.ModuleType("hatchling.builders.hooks.plugin.interface")
        stub.BuildHookInterface = object  # type: ignore[attr-defined]
        for name in ("hatchling", "hatchling.builders", "hatchling.builders.hooks", "hatchling.builders.hooks.plugin"):
            monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
        monkeypatch.setitem(sys.modules, stub.__name__, stub)
    spec = importlib.util.spec_from_file_location("_oa_hatch_build", root / "hatch_build.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build_bundle(root / "rules")


def test_build_time_phrases_are_the_run_time_normalization(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wheel's bundle carries every catalog fingerprint and exclude phrase normalized at build time; the
    prepared catalog made from it is the one made by normalizing at run time (an editable install)."""
    from openaudit.licenses.catalog import _bundled_catalog

    bundle = _hatch_build_bundle(monkeypatch)
    phrases = bundle[textmatch.BUNDLE_PHRASES_KEY]
    catalog = _bundled_catalog()
    wanted = {p for e in catalog.entries for p in [*e.fingerprints, *e.exclude]}
    assert wanted and wanted <= set(phrases)
    assert all(phrases[p] == textmatch.normalize_phrase(p) for p in wanted)

    plain = textmatch.prepare(_bundled_catalog())  # this checkout: no bundle unless installed from a wheel
    monkeypatch.setattr(yamlutil, "_bundle", lambda: bundle)
    from_bundle = textmatch.prepare(_bundled_catalog())
    assert [(c.entry.id, c.fps, c.excludes, c.fps_padded, c.excludes_padded, c.fp_set) for c in from_bundle] == \
        [(c.entry.id, c.fps, c.excludes, c.fps_padded, c.excludes_padded, c.fp_set) for c in plain]


def test_build_time_lookups_are_the_run_time_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wheel's bundle carries the license catalog's lookups and the published references' lookups made at
    build time; the catalog and the reference data loaded from it are the ones made from the YAML and JSON files
    at run time (an editable install, no bundle)."""
    from openaudit.licenses import catalog as cat
    from openaudit.standards import references

    bundle = _hatch_build_bundle(monkeypatch)
    assert cat.BUNDLE_KEYS_KEY in bundle and references.BUNDLE_KEYS_KEY in bundle
    monkeypatch.setattr(yamlutil, "_bundle", dict)
    references.load_bundle.cache_clear()
    plain, plain_refs = cat._bundled_catalog(), references.load_bundle()
    monkeypatch.setattr(yamlutil, "_bundle", lambda: bundle)
    references.load_bundle.cache_clear()
    try:
        built, built_refs = cat._bundled_catalog(), references.load_bundle()
    finally:
        references.load_bundle.cache_clear()
    assert built.by_id.keys() == plain.by_id.keys() and list(built.by_id) == list(plain.by_id)
    assert built.entries == plain.entries
    for lookup in ("_by_hub", "_by_name", "_by_url", "_by_spdx"):
        got = {k: e.id for k, e in getattr(built, lookup).items()}
        assert got and got == {k: e.id for k, e in getattr(plain, lookup).items()}, lookup

    def as_lists(keys: dict) -> dict:
        return {kind: {k: list(v) for k, v in d.items()} for kind, d in keys.items()}

    assert built_refs.mot_keys["hub"] and as_lists(built_refs.mot_keys) == as_lists(plain_refs.mot_keys)
    assert as_lists(built_refs.index_keys) == as_lists(plain_refs.index_keys)
    assert built_refs.mot == plain_refs.mot and built_refs.index == plain_refs.index


@pytest.mark.parametrize("dir_name, card", [
    ("allenai__OLMo-7B", "---\nlicense: apache-2.0\n---\n# x\n"),  # MOT exact, index family, OSI
    ("EleutherAI__pythia-6.9b", "---\nlicense: apache-2.0\n---\n# x\n"),  # index: built on this
    ("acme__my-tune", "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-2-7b-hf\n---\n# x\n"),  # OSI base
    ("t5-small", "---\nlicense: apache-2.0\n---\n# x\n"),  # a bare name
    ("community-capped", "---\nlicense: other\n---\n# x\n"),  # in no source
    ("acme__zz-unheard-of-9b", "---\nlicense: mit\n---\n# x\n"),
])
def test_references_from_the_bundle_are_the_full_loads(monkeypatch: pytest.MonkeyPatch, dir_name: str,
                                                       card: str) -> None:
    """With the wheel's bundle, a model no bundled record can match is told from the build-time lookups and the
    OSI file without parsing the MOT and index records; every model gets the references the full load gives."""
    from openaudit.card import parse_card
    from openaudit.evidence import Evidence
    from openaudit.standards import references

    ev = Evidence(kind="local", id=f"/models/{dir_name}", card=parse_card(card, "README.md"))
    bundle = _hatch_build_bundle(monkeypatch)
    monkeypatch.setattr(yamlutil, "_bundle", dict)
    references.load_bundle.cache_clear()
    plain = references.assess(ev)
    monkeypatch.setattr(yamlutil, "_bundle", lambda: bundle)
    references.load_bundle.cache_clear()
    try:
        built = references.assess(ev)
        parsed = references.load_bundle.cache_info().currsize > 0
    finally:
        references.load_bundle.cache_clear()
    assert built == plain
    assert parsed == bool(plain)


@pytest.mark.parametrize("pattern", ["eleutherai/pythia-*", "t5-small", "*", "", "a?c", "a[bc]*", "*b*", "a*c",
                                     "[!a]*", "a\\*"])
@pytest.mark.parametrize("name", ["", "a", "abc", "ac", "a*", "t5-small", "t5-smaller", "eleutherai/pythia-1b",
                                  "eleutherai/pythia", "b\nc", "a\\x"])
def test_glob_match_is_fnmatchcase(pattern: str, name: str) -> None:
    import fnmatch

    from openaudit.standards.references import _glob_match

    assert _glob_match(name, pattern) == fnmatch.fnmatchcase(name, pattern)


def test_bundled_osi_patterns_are_plain() -> None:
    """Every bundled OSI pattern is a plain name or plain prefix and "*": compared without a regex."""
    from openaudit.standards.references import _GLOB, load_bundle

    pats = [str(p).lower() for s in load_bundle().osi for p in s.get("hub") or []]
    assert pats and all(_GLOB.isdisjoint(p.removesuffix("*")) for p in pats)


def test_known_phrases_only_replace_what_they_hold() -> None:
    """A phrase missing from the bundle (a user catalog's) is normalized at run time."""
    from openaudit.licenses.catalog import LicenseEntry

    e = LicenseEntry(id="x", name="X", fingerprints=["Non-Commercial  USE", "Licence"], exclude=["Foo-\nbar"])
    got = textmatch._compile_entry(e, {"Licence": "license"})
    assert got.fps == ["noncommercial use", "license"] and got.excludes == ["foobar"]


@pytest.mark.parametrize("name", ["Llama-3.1-8B", "OLMo 2 (7B)", "Bloom_Z", "Qwen2.5‑Coder", "İnci", "ß-model", ""])
def test_reference_name_keys_match_the_regex(name: str) -> None:
    import re

    from openaudit.standards import references

    assert references._norm(name) == re.sub(r"[^a-z0-9]", "", name.lower())


def test_local_check_does_not_import_the_hub_source(tmp_path: Path) -> None:
    """A single check of a local directory goes through ``batch.run`` without importing ``sources.hub`` (nor,
    through it, the Hub client layer); a batch of Hub ids still budgets its requests."""
    example = str(Path(__file__).resolve().parents[1] / "examples" / "community-capped")
    probe = ("import sys\nfrom typer.testing import CliRunner\nfrom openaudit.cli import app\n"
             f"r = CliRunner().invoke(app, ['check', {example!r}, '--format', 'json'])\n"
             "print(r.exit_code in (0, 1), 'openaudit.sources.hub' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"}, cwd=tmp_path)
    assert out.stdout.split() == ["True", "False"]
    from openaudit import batch
    from openaudit.sources import hub

    assert batch.PER_MODEL_REQUESTS == hub.PER_MODEL_REQUESTS


def _text(pattern: Any) -> str:
    """A pattern's text, lazy (without compiling it) or compiled."""
    return getattr(pattern, "_pattern", None) or pattern.pattern


def test_local_check_compiles_no_pattern_it_does_not_use(tmp_path: Path) -> None:
    """Patterns a check of a local directory never uses are not compiled on its way (issue 18, start-up): the Hub id
    and Hub URL shapes, the catalog's name and URL keys (with the build-time bundle), the phrase locator's words, the
    HTML heading (the card has none), the code keys (the card has no code block) and the token and workflow-command
    shapes of error output. Each is compiled, once, on first use; ``re.compile`` is wrapped in the probe only."""
    from openaudit import lineage, markdown, textutil
    from openaudit.licenses import catalog, locate
    from openaudit.sources import base
    from openaudit.standards.openness.lines import keyword_pattern
    from openaudit.standards.openness.statements import CODE_KEYS

    unused = {_text(p) for p in (base.HUB_ID, locate._WORD, markdown._HTML_HEADING, lineage._HUB_PREFIX,
                                 textutil._HF_TOKEN_SHAPE, textutil._WORKFLOW_COMMAND, keyword_pattern(CODE_KEYS))}
    if yamlutil.BUNDLE.is_file():  # an installed wheel; an editable install makes the catalog's keys at run time
        unused.update(_text(p) for p in (catalog._NAME_DROP, catalog._URL_SCHEME, catalog._URL_REVISION))
    example = str(Path(__file__).resolve().parents[1] / "examples" / "community-capped")
    probe = ("import json, re, sys\ncompiled = []\nplain = re.compile\n"
             "def spy(pattern, flags=0):\n    compiled.append(str(pattern))\n    return plain(pattern, flags)\n"
             "re.compile = spy\nfrom openaudit.__main__ import run\n"
             f"sys.argv = ['openaudit', 'check', {example!r}, '--format', 'json']\n"
             "try:\n    run()\nexcept SystemExit as e:\n    code = e.code\n"
             "sys.stderr.write(json.dumps([code, compiled]))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"}, cwd=tmp_path)
    code, compiled = json.loads(out.stderr)
    assert code in (0, 1)
    assert json.loads(out.stdout)["license"]["id"]
    assert len(compiled) > 50  # the probe sees the patterns the check does compile
    assert unused.isdisjoint(compiled)


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe", b"", b"[" * 100_000 + b"]" * 100_000])
def test_a_damaged_bundle_is_ignored_and_the_yaml_is_parsed(tmp_path, monkeypatch, content):
    from openaudit import yamlutil
    from openaudit.paths import rules_dir

    bad = tmp_path / "_bundle.json"
    bad.write_bytes(content)
    monkeypatch.setattr(yamlutil, "BUNDLE", bad)
    yamlutil._bundle.cache_clear()
    try:
        assert yamlutil.bundle_data("catalog_keys") is None
        data = yamlutil.load_file(rules_dir() / "grade.yaml")  # parsed from the YAML file instead
        assert isinstance(data, dict) and data
    finally:
        yamlutil._bundle.cache_clear()
