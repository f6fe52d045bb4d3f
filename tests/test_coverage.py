"""Identification by coverage: real texts from the shared corpus, edited copies made here.

Expected answers were written from reading the texts: an unchanged or filled-in copy is the license; a copy
with a sentence added, a section deleted or a number changed is "modified <license>" with the passage named;
a later version of a catalogued family is that family with its version unknown; a short file that names a
license is a reference to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import CORPUS, corpus_license

from openaudit.audit import audit_evidence
from openaudit.licenses import coverage as cv
from openaudit.licenses.catalog import load_catalog
from openaudit.policy import parse_policy
from openaudit.sources.local import LocalSource

ADDED = "You may not use the Work for any commercial purpose, and you may not use it in the European Union."


def _audit(tmp_path: Path, license_text: str | None, card: str = "---\nlicense: apache-2.0\n---\n# m\n",
           policy=None, extra: dict[str, str] | None = None):
    (tmp_path / "README.md").write_text(card, encoding="utf-8")
    if license_text is not None:
        (tmp_path / "LICENSE").write_text(license_text, encoding="utf-8")
    for name, text in (extra or {}).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return audit_evidence(LocalSource(tmp_path).fetch(), policy=policy)


def _apache_with_added_sentence() -> tuple[str, int]:
    text = corpus_license("apache-2.0.txt")
    lines = text.split("\n")
    end = next(i for i, line in enumerate(lines) if "END OF TERMS AND CONDITIONS" in line)
    lines.insert(end - 1, ADDED)
    return "\n".join(lines), end  # the added sentence is on (1-based) line ``end``


def test_every_indexed_corpus_text_identifies_as_itself():
    catalog = load_catalog()
    seen = 0
    for entry in catalog.entries:
        path = CORPUS / "licenses" / f"{entry.id}.txt"
        if not path.is_file() or cv.load(entry.id) is None:
            continue
        ti = cv.identify_text(path.read_text(encoding="utf-8"), catalog, policies=True)
        assert (ti.status, ti.entry.id if ti.entry else None) == ("exact", entry.id), (entry.id, ti.describe())
        seen += 1
    if not seen:
        pytest.skip("shared corpus not found")
    assert seen >= 50


@pytest.mark.parametrize("variant,expected", [
    ("apache-2.0__flux-schnell.txt", "apache-2.0"),  # reflowed, no appendix
    ("apache-2.0__QwenLM_Qwen.txt", "apache-2.0"),  # appendix filled in
    ("llama2-aup__meta-llama_llama.txt", "llama2-aup"),
    ("gemma-2024-02-21.txt", "gemma-2024-02-21"),
])
def test_formatting_variants_are_the_license(variant, expected):
    path = CORPUS / "licenses" / "variants" / variant
    if not path.is_file():
        pytest.skip("shared corpus not found")
    ti = cv.identify_text(path.read_text(encoding="utf-8"), load_catalog(), policies=True)
    assert (ti.status, ti.entry.id) == ("exact", expected), ti.describe()


def test_apache_with_one_added_sentence_is_modified_not_osi_and_fails_an_allow_list(tmp_path):
    text, line = _apache_with_added_sentence()
    policy = parse_policy({"licenses": {"allow": ["apache-2.0"]}}, "policy")
    report = _audit(tmp_path, text, policy=policy)
    assert report.license.id == "modified-apache-2.0" and report.license.spdx is None
    assert report.license.osi_approved is False and "modified copy" in report.license.osi_reason
    (t,) = report.license.texts
    assert t["status"] == "modified" and t["coverage"] == 1.0
    assert [(p["kind"], p["lines"]) for p in t["passages"]] == [("added", [line, line])]
    assert any(f.rule == "OA110" and f"line {line}" in f.message for f in report.findings)
    nc = [r for r in report.restrictions if r.kind == "non_commercial"]
    assert nc and nc[0].clause.file == "LICENSE" and nc[0].clause.line == line
    assert not report.passed


def test_apache_filled_in_or_without_appendix_is_apache(tmp_path):
    text = corpus_license("apache-2.0.txt").replace("[yyyy]", "2024").replace(
        "[name of copyright owner]", "Example Labs, Inc. and its affiliates")
    report = _audit(tmp_path, text)
    assert report.license.id == "apache-2.0" and report.license.osi_approved is True
    assert "OA110" not in {f.rule for f in report.findings}
    # Restrictions of a known text are the catalog's, cited in this file: none is read from the text itself.
    assert report.restrictions
    assert all(r.origin == "catalog" and r.clause.file == "LICENSE" for r in report.restrictions)
    body = corpus_license("apache-2.0.txt").split("APPENDIX: How to apply")[0]
    b = tmp_path / "b"
    b.mkdir()
    assert _audit(b, body).license.id == "apache-2.0"


def test_llama31_without_additional_commercial_terms_does_not_assert_the_cap(tmp_path):
    text = corpus_license("llama3.1.txt")
    lines = text.split("\n")
    cut = next(i for i, line in enumerate(lines) if line.startswith("2. Additional Commercial Terms"))
    edited = "\n".join(lines[:cut] + lines[cut + 1:])
    report = _audit(tmp_path, edited, card="---\nlicense: llama3.1\n---\n# m\n")
    assert report.license.id == "modified-llama3.1" and report.license.osi_approved is False
    assert not [r for r in report.restrictions if r.kind == "user_cap"]
    assert any("not in this text" in n and "700,000,000" in n for n in report.notes), report.notes
    (t,) = report.license.texts
    removed = [p for p in t["passages"] if p["kind"] == "removed"]
    assert removed and removed[0]["removed_words"] > 50 and "Additional Commercial Terms" in removed[0]["section"]
    assert removed[0]["lines"][0] in (cut + 1, cut + 2)  # where line cut + 1 was: before what follows it
    # The terms whose clauses remain are the catalog's, cited in this file.
    kinds = {r.kind for r in report.restrictions}
    assert {"attribution", "naming"} <= kinds


def test_yi_v2_is_the_yi_family_with_version_unknown(tmp_path):
    path = CORPUS / "evaluation-2026-11" / "licenses" / "variants" / "yi-v2.0.txt"
    if not path.is_file():
        pytest.skip("evaluation corpus not found")
    report = _audit(tmp_path, path.read_text(encoding="utf-8"), card="# m\n")
    assert report.license.id not in ("yi", "yi-1.0") and report.license.id.startswith("yi")
    assert "version unknown" in report.license.name and report.license.osi_approved is False


@pytest.mark.parametrize("text,expected,osi", [
    ("This model is licensed under CC BY-NC 4.0.\n", "cc-by-nc-4.0", False),
    ("The weights are released under the Apache License, Version 2.0.\n", "apache-2.0", True),
    ("See the license at https://www.llama.com/llama3_1/license for the terms.\n", "llama3.1", False),
])
def test_a_short_license_file_naming_a_license_is_a_reference(tmp_path, text, expected, osi):
    report = _audit(tmp_path, text, card="# m\n")
    assert report.license.id == expected and report.license.osi_approved is osi
    assert any(c.file == "LICENSE" and "refers to" in (c.text or "") for c in report.license.evidence)
    assert report.license.texts[0]["status"] == "reference"


def test_unknown_restrictive_text_is_not_osi_approved_and_nothing_readable_is_null(tmp_path):
    report = _audit(tmp_path, "You may use this model only for research, never in production.\n" * 3, card="# m\n")
    assert report.license.id == "unknown" and report.license.osi_approved is False and report.license.osi_reason
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _audit(empty, None, card="# nothing\n").license.osi_approved is None


def test_a_notice_file_does_not_stop_the_card_from_being_read(tmp_path):
    card = "# m\n\nYou may not use this model for commercial purposes.\n"
    report = _audit(tmp_path, None, card=card, extra={"NOTICE": "Copyright 2024 Example Labs\n"})
    assert "non_commercial" in {r.kind for r in report.restrictions}


def test_the_access_form_text_is_read_beside_a_license_file(tmp_path):
    prompt = "By requesting access you agree not to use the model for commercial purposes."
    card = f"---\nlicense: mit\nextra_gated_prompt: \"{prompt}\"\n---\n# m\n"
    report = _audit(tmp_path, corpus_license("mit.txt"), card=card)
    nc = [r for r in report.restrictions if r.kind == "non_commercial"]
    assert nc and "extra_gated_prompt" in nc[0].clause.file


def test_a_modified_copy_of_a_denied_license_is_denied(tmp_path):
    text = corpus_license("llama3.1.txt").replace("700 million", "900 million")
    policy = parse_policy({"licenses": {"deny": ["llama*"]}}, "policy")
    report = _audit(tmp_path, text, card="---\nlicense: llama3.1\n---\n# m\n", policy=policy)
    assert report.license.id == "modified-llama3.1"
    assert any("denied by policy (llama*" in v.message for v in report.gate.violations), report.gate


def test_a_license_followed_by_more_text_than_is_compared_is_never_exact():
    text = corpus_license("apache-2.0.txt") + "\n" + "More words that bind the user somehow. " * 6000
    ti = cv.identify_text(text, load_catalog())
    assert ti.status == "modified" and ti.entry.id == "apache-2.0"
    assert ti.comparison.passages[-1].kind == "added"


def test_a_card_license_section_naming_a_license_is_a_reference(tmp_path):
    card = "# m\n\nSome words.\n\n## License\n\nThis model is released under the CC BY-NC 4.0 license.\n"
    report = _audit(tmp_path, None, card=card)
    assert report.license.id == "cc-by-nc-4.0" and report.license.osi_approved is False
    (c,) = report.license.evidence
    assert c.file == "README.md" and c.line == 7 and c.text.startswith("refers to cc-by-nc-4.0")
    other = tmp_path / "other"
    other.mkdir()
    # Prose elsewhere in the card (a base model's license) is not the model's license.
    assert _audit(other, None, card="# m\n\nThe base model is released under the Llama 3 license.\n").license.id \
        == "unknown"


@pytest.mark.parametrize("name,base", [("cogvideox.txt", "chatglm-6b"), ("opt-175b.txt", "llama1"),
                                       ("nexusraven-v2.txt", "llama2"), ("databricks-open-model.txt", "llama2"),
                                       ("scancode/tencent-hunyuan-3d-2.0-community.LICENSE",
                                        "tencent-hunyuan-community")])
def test_a_license_built_on_a_known_one_under_its_own_title_is_not_named_as_it(name, base):
    # CogVideoX reuses the ChatGLM text, OPT-175B the LLaMA 1 text, NexusRaven and DBRX the Llama 2 text,
    # Hunyuan 3D the Hunyuan community text: each under its own title, so none of them is "modified <that>".
    path = CORPUS / "evaluation-2026-11" / "licenses" / name
    if not path.is_file():
        pytest.skip("evaluation corpus not found")
    text = path.read_text(encoding="utf-8")
    ti = cv.identify_text(text, load_catalog())
    # Its own catalog entry when there is one (exact), else at most a resemblance; never the base text.
    assert ti.entry is None or ti.entry.id != base or ti.status in ("resembles", "unknown"), (ti.status, ti.entry.id)
    canon = cv.load(base)
    from openaudit.licenses.textmatch import tokens

    words, lines = tokens(text)
    assert cv.classify(cv.compare(words, lines, canon)) in ("resembles", "unknown")


def _edits(text: str) -> dict[str, str]:
    """Edited copies of a license text: three that change it, one that only fills in a field."""
    import re

    lines = text.split("\n")
    paras = [i for i, line in enumerate(lines) if len(line.split()) >= 12]
    mid = paras[len(paras) // 2]
    out = {"append": text + "\nYou may not use the Model in the European Union.\n",
           "delete": "\n".join(lines[:mid] + lines[mid + 1:]),
           "copyright": "Copyright (c) 2031 Somebody Else\n" + text}
    # A number inside a sentence (not list numbering at a line start, which copies renumber freely).
    m = next((m for m in re.finditer(r"(?<=[a-z,] )\d{2,}\b", text)
              if not text[text.rfind("\n", 0, m.start()) + 1:m.start()].lower().lstrip().startswith("copyright")), None)
    if m:  # (a copyright line is a notice, never compared)
        out["number"] = text[:m.start()] + str(int(m.group(0)) + 7) + text[m.end():]
    return out


def test_edited_copies_of_every_corpus_text_are_flagged_and_fill_in_is_not():
    catalog = load_catalog()
    wrong, seen = [], 0
    for entry in catalog.entries:
        path = CORPUS / "licenses" / f"{entry.id}.txt"
        if not path.is_file() or cv.load(entry.id) is None:
            continue
        for kind, text in _edits(path.read_text(encoding="utf-8")).items():
            ti = cv.identify_text(text, catalog, policies=True)
            want = "exact" if kind == "copyright" else "modified"
            seen += 1
            if ti.status != want or ti.entry is not entry or (want == "modified" and not ti.comparison.passages):
                wrong.append((entry.id, kind, ti.status, ti.entry and ti.entry.id))
    if not seen:
        pytest.skip("shared corpus not found")
    assert not wrong and seen >= 200


def test_a_modified_text_contradicting_the_card_is_a_conflict(tmp_path):
    text, _ = _apache_with_added_sentence()
    report = _audit(tmp_path, text, card="---\nlicense: mit\n---\n# m\n")
    assert report.license.id == "modified-apache-2.0"
    (c,) = [f for f in report.findings if f.rule == "OA103"]
    assert "mit" in c.message and "LICENSE (modified)" in c.message and "apache-2.0" in c.message


def test_an_edit_in_the_chinese_half_of_a_bilingual_text_is_flagged():
    import re

    text = corpus_license("yi.txt")
    m = re.search(r"[\u4e00-\u9fff]{6,}", text[len(text) // 2:])
    assert m is not None
    k = len(text) // 2 + m.start() + 2
    edited = text[:k] + "不" + text[k:]  # one character added inside a Chinese sentence
    assert cv.identify_text(text, load_catalog()).status == "exact"
    ti = cv.identify_text(edited, load_catalog())
    assert ti.status == "modified" and ti.entry.id == "yi"
    assert [p.kind for p in ti.comparison.passages] == ["added"]


def test_a_reference_is_osi_approved_only_when_it_adds_nothing(tmp_path):
    header = ("Copyright 2026 Example\n\nLicensed under the Apache License, Version 2.0 (the \"License\");\n"
              "you may not use this file except in compliance with the License.\n"
              "You may obtain a copy of the License at\n\n    http://www.apache.org/licenses/LICENSE-2.0\n")
    report = _audit(tmp_path, header, card="# m\n")
    assert report.license.id == "apache-2.0" and report.license.osi_approved is True
    more = tmp_path / "more"
    more.mkdir()
    report = _audit(more, "Licensed under the Apache License, Version 2.0. You may not use it commercially.\n",
                    card="# m\n")
    assert report.license.id == "apache-2.0" and report.license.osi_approved is False
    assert "adds words" in report.license.osi_reason


def test_batch_threads_reading_one_text_share_one_identification():
    """A batch's workers that read the same license text at once wait for the first identification and share it
    (each computing its own would only take turns on the interpreter lock): one result object for all."""
    import threading
    import uuid

    text = corpus_license("apache-2.0.txt") + f"\nDistributed by batch-{uuid.uuid4().hex}.\n"  # not cached yet
    catalog = load_catalog()
    start = threading.Barrier(8)
    results: list[cv.TextIdentity] = []

    def work() -> None:
        start.wait()
        results.append(cv.identify_text(text, catalog))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r is results[0] for r in results)
    assert results[0].status == "modified" and results[0].entry.id == "apache-2.0"
