"""Identify a license from its text, by fingerprints, after normalizing the way the SPDX matching
guidelines do: case, whitespace, punctuation, quotes and dashes, bullets and list numbering, markdown,
copyright lines, CRLF, and a leading YAML header (ScanCode LicenseDB files).

An entry *matches* when every one of its fingerprints appears (as a word sequence) and none of its
``exclude`` phrases does. Partial matches (at least half the fingerprints, none excluded) are kept as
weak candidates with lower confidence. When two entries fully match, the one whose fingerprints cover
more words wins only if its fingerprints include the other's; otherwise the text is ambiguous and we
say unknown. A text much longer than the entry's canonical ``words`` count is only a weak match: it may
add terms (a "modified MIT" is not MIT). A text that matches nothing is unknown: we never guess from a
loose resemblance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openaudit.licenses.catalog import Catalog, LicenseEntry

_FRONT = re.compile(r"\A\s*---\s*\n.*?\n---\s*\n", re.S)
# Only real copyright notices: "Copyright (c) ...", "Copyright 2024 ...", "© ...". A list item "(c) You must"
# or a wrapped line starting "copyright notice ..." is license text and stays.
_COPYRIGHT = re.compile(r"^[ \t>*#-]*(?:copyright\s*(?:\(c\)|©|\d{4})|©).*$", re.I | re.M)
_MD = re.compile(r"[#*_`>|~\[\]]")
_WORDS = re.compile(r"[a-z0-9]+(?:[.][0-9]+)*")
_EQUIV = {"licence": "license", "licenced": "licensed", "licences": "licenses", "acknowledgement": "acknowledgment"}


def normalize(text: str) -> str:
    """Word sequence of a license text, space-separated, for phrase matching."""
    t = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    t = _FRONT.sub("", t, count=1)
    t = _COPYRIGHT.sub(" ", t)
    # A word hyphenated across a line break ("mil-\nlion") is one word; a compound split at a line end
    # ("Attribution-\nNonCommercial") is two, so only join when the continuation is lower case.
    t = re.sub(r"([a-z])-[ \t]*\n[ \t]*([a-z])", r"\1\2", t)
    t = t.lower()
    t = t.replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    t = re.sub(r"non[\s-]+commercial", "noncommercial", t)
    t = _MD.sub(" ", t)
    words = _WORDS.findall(t)
    return " " + " ".join(_EQUIV.get(w, w) for w in words) + " "


def normalize_phrase(phrase: str) -> str:
    return normalize(phrase).strip()


def normalize_line(line: str) -> list[str]:
    """The normalized words of one line, the same tokens ``normalize`` makes (for citing lines)."""
    t = line.lower().replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    t = re.sub(r"non[\s-]+commercial", "noncommercial", t)
    t = _MD.sub(" ", t)
    return [_EQUIV.get(w, w) for w in _WORDS.findall(t)]


@dataclass
class TextMatch:
    entry: LicenseEntry
    matched: int
    total: int
    confidence: float
    first_phrase: str  # the fingerprint to cite


def _contains(norm_text: str, phrase: str) -> bool:
    return bool(phrase) and f" {phrase} " in norm_text


def _compiled(catalog: Catalog) -> list[tuple[LicenseEntry, list[str], list[str]]]:
    """Normalized fingerprints and exclude phrases per entry, computed once per catalog."""
    cached = getattr(catalog, "_textmatch_compiled", None)
    if cached is None:
        cached = [(e, [normalize_phrase(f) for f in e.fingerprints], [normalize_phrase(x) for x in e.exclude])
                  for e in catalog.entries if e.fingerprints]
        catalog._textmatch_compiled = cached  # type: ignore[attr-defined]
    return cached


def match_text(text: str, catalog: Catalog) -> list[TextMatch]:
    """Candidates for ``text``, best first. Empty when nothing matches well enough.

    Full matches (every fingerprint, confidence 0.95) identify a license. Weak candidates (at least two
    fingerprints and at least half of them, or all of them in a text much longer than the license) are
    returned with confidence <= 0.5 for diagnostics; identification never names a license from them.
    """
    norm = normalize(text)
    n_words = norm.count(" ") - 1
    full: list[TextMatch] = []
    partial: list[TextMatch] = []
    for entry, fps, excludes in _compiled(catalog):
        hits = [f for f in fps if _contains(norm, f)]
        if not hits:
            continue
        if any(_contains(norm, x) for x in excludes):
            if len(hits) == len(fps):  # the whole license is there, plus text it never contains
                partial.append(TextMatch(entry, len(hits), len(fps), 0.3, hits[0]))
            continue
        if len(hits) == len(fps) and entry.words and n_words > 1.3 * entry.words + 60:
            partial.append(TextMatch(entry, len(hits), len(fps), 0.5, hits[0]))
        elif len(hits) == len(fps):
            full.append(TextMatch(entry, len(hits), len(fps), 0.95, hits[0]))
        elif len(hits) >= 2 and len(hits) * 2 >= len(fps):
            partial.append(TextMatch(entry, len(hits), len(fps), round(0.5 * len(hits) / len(fps), 2), hits[0]))
    if len(full) > 1:
        full = _most_specific(full)
    full.sort(key=lambda m: -sum(len(f) for f in m.entry.fingerprints))
    partial.sort(key=lambda m: -m.confidence)
    return full + partial


def _most_specific(matches: list[TextMatch]) -> list[TextMatch]:
    """Keep a match whose fingerprints include every other match's; otherwise the text is ambiguous."""
    def fpset(m: TextMatch) -> set[str]:
        return {normalize_phrase(f) for f in m.entry.fingerprints}

    for m in matches:
        if all(fpset(o) <= fpset(m) for o in matches if o is not m):
            return [m]
    # Ambiguous: several unrelated entries match fully. Demote all to weak candidates.
    for m in matches:
        m.confidence = 0.3
    return matches
