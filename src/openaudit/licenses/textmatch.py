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
import weakref
from typing import Any

from msgspec import Struct

from openaudit.lazyre import compile as _lazy
from openaudit.licenses.catalog import Catalog, LicenseEntry

_FRONT = _lazy(r"\A\s*---\s*\n.*?\n---\s*\n", re.S)
# Only real copyright notices: "Copyright (c) ...", "Copyright 2024 ...", "© ...". A list item "(c) You must"
# or a wrapped line starting "copyright notice ..." is license text and stays.
# Whatever cannot become a word (it vanishes from the output) may precede the notice or sit between
# "copyright" and the year, so normalizing a normalized text strips nothing more (normalize is idempotent).
_COPYRIGHT = _lazy(r"^[^a-z0-9\n]*(?:copyright[^a-z0-9]*(?:\(c\)|©|\d{4})|©).*$", re.I | re.M)
_MD = _lazy(r"[#*_`>|~\[\]]")
_WORDS = _lazy(r"[a-z0-9]+(?:[.][0-9]+)*")
_EQUIV = {"licence": "license", "licenced": "licensed", "licences": "licenses", "acknowledgement": "acknowledgment"}
_EQUIV_SPACED = tuple((f" {k} ", f" {v} ") for k, v in _EQUIV.items())
_HYPHENATED = _lazy(r"([a-z])-[ \t]*\n[ \t]*([a-z])")
_HYPHEN_BREAK = _lazy(r"-[ \t]*\n")  # in every _HYPHENATED match
_NONCOMMERCIAL = _lazy(r"non[\s-]+commercial")


def normalize(text: str) -> str:
    """Word sequence of a license text, space-separated, for phrase matching."""
    t = text.lstrip("\ufeff")
    if "\r" in t:
        t = t.replace("\r\n", "\n").replace("\r", "\n")
    t = _FRONT.sub("", t, count=1)
    # A word hyphenated across a line break ("mil-\nlion") is one word; a compound split at a line end
    # ("Attribution-\nNonCommercial") is two, so only join when the continuation is lower case. Joined
    # before copyright lines are stripped, so "Copy-\nright 2024" goes as it would once joined.
    t = _join_hyphenated(t)
    low = t.lower()
    if len(low) == len(t) and "\u03a3" not in t:
        # Lower-casing maps each character to one, with no context (final sigma): stripping copyright lines
        # from the lower-cased text (the pattern ignores case) gives the same text, found with str.find.
        t = _strip_copyright_lines(low)
    else:
        t = _COPYRIGHT.sub(" ", t).lower()
    # Curly quotes and the _MD characters (markdown) are neither letters, digits nor dots: they only ever
    # separate words, so they need no replacing before the words are taken.
    if "commercial" in t:
        t = _NONCOMMERCIAL.sub("noncommercial", t)
    out = _word_sequence(t)
    if " non commercial " in out:  # "non_commercial", "non.commercial": split by characters that vanish
        out = out.replace(" non commercial ", " noncommercial ")
    if "licenc" in out or "acknowledgement" in out:  # in every _EQUIV key
        out = _equiv(out)
    return out


# Every byte but a-z, 0-9 and "." to a space (the characters of a _WORDS match are all ASCII); and the same
# with "." to a space too.
_WORD_BYTES = bytes(c if c in b"abcdefghijklmnopqrstuvwxyz0123456789." else 32 for c in range(256))
_WORD_BYTES_NO_DOT = _WORD_BYTES.replace(b".", b" ")
_DOT_DIGIT = _lazy(r"[.][0-9]")
# A "." that no _WORDS match holds: one not followed by a digit, or not preceded by a letter or digit.
_STRAY_DOT = _lazy(r"[.](?:(?![0-9])|(?<![a-z0-9][.]))")
# Where a match ends with a letter right after it ("1.2b" is "1.2", "b").
_DOTTED_END = _lazy(r"([.][0-9]+)(?=[a-z])")


def _word_sequence(t: str) -> str:
    """``" " + " ".join(_WORDS.findall(t)) + " "``, with C-level string operations instead of one object per match.

    A _WORDS match holds only ASCII letters, digits and dots, so every other character (a non-ASCII one
    too, made "?" by the encoding) only separates matches: it becomes a space. A dot is in a match exactly
    when a letter or digit precedes it and a digit follows it (the regex takes any such dot: ``[a-z0-9]+``
    and ``[0-9]+`` are greedy, and ``(?:[.][0-9]+)*`` then goes on); the other dots only separate, so they
    become spaces too (all of them when no dot is followed by a digit). What is left is the matches, apart
    or back to back: two touch only where a ``[.][0-9]+`` ends before a letter (a letter or digit after
    ``[a-z0-9]+``, a digit after ``[0-9]+`` would have been taken; a kept dot continues the match), so a
    space goes there. Then the matches are the runs of non-spaces."""
    if _DOT_DIGIT.search(t) is None:  # no dot in any match
        return " " + " ".join(t.encode("ascii", "replace").translate(_WORD_BYTES_NO_DOT).decode("ascii").split()) + " "
    s = t.encode("ascii", "replace").translate(_WORD_BYTES).decode("ascii")
    s = _STRAY_DOT.sub(" ", s.replace(". ", "  "))  # most dots end a sentence: str.replace is quicker
    if "." in s:
        s = _DOTTED_END.sub(r"\1 ", s)
    return " " + " ".join(s.split()) + " "


def _join_hyphenated(t: str) -> str:
    """``_HYPHENATED.sub(r"\\1\\2", t)``, looking only at the "-" before a line break that each match holds."""
    out: list[str] = []
    pos = 0
    last = 0  # end of the previous match: its letters are not read again
    n = len(t)
    for m in _HYPHEN_BREAK.finditer(t):
        h = m.start()
        if h - 1 < last or not ("a" <= t[h - 1] <= "z"):
            continue
        j = m.end()
        while j < n and t[j] in " \t":
            j += 1
        if j < n and "a" <= t[j] <= "z":
            out.append(t[pos:h])
            pos, last = j, j + 1
    if not out:
        return t
    out.append(t[pos:])
    return "".join(out)


def _copyright_line(line: str) -> bool:
    """``_COPYRIGHT.match(line)``, tried only when the line can hold a match: an ASCII line needs "copyright" (in
    any case); any other line is tried (with dotless or dotted i, "copyr\u0131ght" matches too)."""
    if line.isascii() and "copyright" not in line.lower():
        return False
    return _COPYRIGHT.match(line) is not None


def _strip_copyright_lines(t: str) -> str:
    """``_COPYRIGHT.sub(" ", t)`` for a lower-cased ``t``: a match starts at the start of a line holding
    "copyright" or "©", so the pattern is tried only there."""
    if "\u0131" in t or "\u0130" in t:  # dotless / dotted i match "i" when ignoring case
        return _COPYRIGHT.sub(" ", t)
    starts: set[int] = set()
    for needle in ("copyright", "\u00a9"):
        i = t.find(needle)
        while i >= 0:
            starts.add(t.rfind("\n", 0, i) + 1)
            end = t.find("\n", i)
            i = t.find(needle, end) if end >= 0 else -1
    if not starts:
        return t
    out: list[str] = []
    pos = 0
    for start in sorted(starts):
        m = _COPYRIGHT.match(t, start) if start >= pos else None
        if m is not None:
            out.append(t[pos:start])
            out.append(" ")
            pos = m.end()
    if not out:
        return t
    out.append(t[pos:])
    return "".join(out)


def _equiv(norm: str) -> str:
    """``_EQUIV`` applied to every word of a normalized text (C-level replaces instead of a per-word loop).

    Two passes: a replace consumes the space after a word, so of two equal words in a row the first pass
    replaces only the first."""
    for _ in range(2):
        for old, new in _EQUIV_SPACED:
            if old in norm:
                norm = norm.replace(old, new)
    return norm


def normalize_phrase(phrase: str) -> str:
    return normalize(phrase).strip()


def normalize_line(line: str) -> list[str]:
    """The normalized words of one line, the same tokens ``normalize`` makes (for citing lines)."""
    t = line.lower().replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    t = re.sub(r"non[\s-]+commercial", "noncommercial", t)
    t = _MD.sub(" ", t)
    return [_EQUIV.get(w, w) for w in _WORDS.findall(t)]


class TextMatch(Struct):
    """A catalog license whose fingerprint phrases a text contains, and how many of them."""

    entry: LicenseEntry
    matched: int
    total: int
    confidence: float
    first_phrase: str  # the fingerprint to cite


def _contains(norm_text: str, phrase: str) -> bool:
    return bool(phrase) and f" {phrase} " in norm_text


class _Compiled(Struct):
    """One entry's fingerprints and exclude phrases, normalized once per catalog.

    ``fps``/``excludes`` are the normalized phrases; ``fps_padded``/``excludes_padded`` the same with a
    space on each side (the substring actually searched, see ``_Index``); ``fp_set`` the fingerprints
    (see ``_most_specific``)."""

    entry: LicenseEntry
    fps: list[str]
    excludes: list[str]
    fps_padded: list[str]
    excludes_padded: list[str]
    fp_set: frozenset[str]



def _compile_entry(e: LicenseEntry, known: dict[str, str] | None = None) -> _Compiled:
    """``known``: phrases already normalized (the build-time bundle's, see ``bundled_phrases``)."""
    if not known:
        return _from_phrases(e, [normalize_phrase(f) for f in e.fingerprints],
                             [normalize_phrase(x) for x in e.exclude])
    return _from_phrases(e, [known[f] if f in known else normalize_phrase(f) for f in e.fingerprints],
                         [known[x] if x in known else normalize_phrase(x) for x in e.exclude])


BUNDLE_PHRASES_KEY = "textmatch_phrases"


def bundle_phrases(phrases: list[str]) -> dict[str, str]:
    """Each bundled fingerprint / exclude phrase -> ``normalize_phrase`` of it, written into the wheel's data
    bundle at build time (``hatch_build.py``): the same function of the same text, computed once at build
    instead of at every start-up (~3 ms). A phrase not in it (a user catalog) is normalized at run time."""
    return {p: normalize_phrase(p) for p in phrases}


def bundled_phrases() -> dict[str, str]:
    """The bundle's normalized phrases; empty without a bundle (an editable install)."""
    from openaudit.yamlutil import bundle_data

    got = bundle_data(BUNDLE_PHRASES_KEY)
    if not isinstance(got, dict):
        return {}
    return {k: v for k, v in got.items() if isinstance(k, str) and isinstance(v, str)}


def _from_phrases(e: LicenseEntry, fps: list[str], excludes: list[str]) -> _Compiled:
    return _Compiled(e, fps, excludes,
                     [f" {f} " if f else "" for f in fps], [f" {x} " if x else "" for x in excludes],
                     frozenset(fps))


def prepare(catalog: Catalog) -> list[_Compiled]:
    """Normalized fingerprints and exclude phrases per entry, computed once per catalog (and kept in the
    catalog's compiled cache, see catalog._bundled_catalog)."""
    cached = getattr(catalog, "_textmatch_prepared", None)
    if cached is None:
        known = bundled_phrases()
        cached = [_compile_entry(e, known) for e in catalog.entries if e.fingerprints]
        catalog._textmatch_prepared = cached  # type: ignore[attr-defined]
    return cached


def _compiled(catalog: Catalog) -> list[tuple[LicenseEntry, list[str], list[str]]]:
    """Normalized fingerprints and exclude phrases per entry, computed once per catalog."""
    return [(c.entry, c.fps, c.excludes) for c in prepare(catalog)]


class _Index:
    """Every padded fingerprint and exclude phrase of a catalog, numbered once, with one Aho-Corasick
    automaton over them all: one pass over a normalized text finds every phrase it contains, instead of a
    substring search per phrase and entry.

    ``fp_ids``/``ex_ids`` give, per prepared entry, the number of each of its phrases (-1 for an empty one,
    which ``_contains`` never finds); ``owners`` the prepared entries having each number among their
    fingerprints (an entry none of whose fingerprints is found has no hits: ``match_text`` skips it)."""

    def __init__(self, prepared: list[_Compiled]):
        self.prepared = prepared
        numbers: dict[str, int] = {}

        def number(padded: list[str]) -> list[int]:
            return [numbers.setdefault(p, len(numbers)) if p else -1 for p in padded]

        self.fp_ids = [number(c.fps_padded) for c in prepared]
        self.ex_ids = [number(c.excludes_padded) for c in prepared]
        self.patterns = list(numbers)
        self.owners: list[list[int]] = [[] for _ in self.patterns]
        for k, ids in enumerate(self.fp_ids):
            for i in sorted(set(ids) - {-1}):
                self.owners[i].append(k)
        self.automaton: Any = None  # an ahocorasick_rs automaton for ASCII phrase sets
        self.searched = 0  # texts searched so far: the automaton is built (once) for text AUTOMATON_AFTER + 1

    def _build(self) -> None:
        if self.patterns and all(p.isascii() for p in self.patterns):
            try:
                import ahocorasick_rs  # on first use: the CLI's start-up time matters
            except ImportError:  # pragma: no cover - a declared dependency; the plain search finds the same
                return
            self.automaton = ahocorasick_rs.BytesAhoCorasick([p.encode("ascii") for p in self.patterns])

    def found(self, norm: str) -> set[int]:
        """The numbers of the phrases that occur in ``norm`` (``pattern in norm``). A normalized text and the
        phrases are ASCII, so their bytes are their characters; the automaton reports every occurrence of
        every pattern (overlapping: " a b " and " b c " share a space), so each pattern that occurs. The
        automaton costs ~2 ms to build, the plain search ~0.1 ms per text: a check reading one or two
        license files never builds it, a batch or a benchmark does after a few texts."""
        self.searched += 1
        if self.searched == AUTOMATON_AFTER + 1:
            self._build()
        if self.automaton is not None and norm.isascii():
            return {i for i, _, _ in self.automaton.find_matches_as_indexes(norm.encode("ascii"), overlapping=True)}
        words = set(norm.split())  # a phrase whose words are not all in the text cannot be in it
        return {i for i, p in enumerate(self.patterns) if words.issuperset(p.split()) and p in norm}


AUTOMATON_AFTER = 8

_indexes: weakref.WeakKeyDictionary[Catalog, _Index] = weakref.WeakKeyDictionary()


def _index(catalog: Catalog) -> _Index:
    """The catalog's ``_Index``, built on first use (again if ``prepare`` gives another list). Kept beside the
    catalog, not on it: the catalog goes into the data cache, an automaton cannot."""
    prepared = prepare(catalog)
    index = _indexes.get(catalog)
    if index is None or index.prepared is not prepared:
        index = _indexes[catalog] = _Index(prepared)
    return index


def match_text(text: str, catalog: Catalog) -> list[TextMatch]:
    """Candidates for ``text``, best first. Empty when nothing matches well enough.

    Full matches (every fingerprint, confidence 0.95) identify a license. Weak candidates (at least two
    fingerprints and at least half of them, or all of them in a text much longer than the license) are
    returned with confidence <= 0.5 for diagnostics; identification never names a license from them.
    """
    norm = normalize(text)
    n_words = -1  # words in the text, ``norm.count(" ") - 1``: counted when first needed
    full: list[TextMatch] = []
    partial: list[TextMatch] = []
    specific: dict[int, frozenset[str]] = {}
    index = _index(catalog)
    found = index.found(norm)
    for k in sorted({k for i in found for k in index.owners[i]}):  # the entries with hits, in catalog order
        c = index.prepared[k]
        entry, fps = c.entry, c.fps
        # Each fingerprint found, in order (twice if listed twice): ``[f for f in fps if _contains(norm, f)]``.
        hits = [f for f, i in zip(fps, index.fp_ids[k], strict=True) if i in found]
        specific[id(entry)] = c.fp_set
        if any(i in found for i in index.ex_ids[k]):
            if len(hits) == len(fps):  # the whole license is there, plus text it never contains
                partial.append(TextMatch(entry, len(hits), len(fps), 0.3, hits[0]))
            continue
        if len(hits) == len(fps) and entry.words and n_words < 0:
            n_words = norm.count(" ") - 1
        if len(hits) == len(fps) and entry.words and n_words > 1.3 * entry.words + 60:
            partial.append(TextMatch(entry, len(hits), len(fps), 0.5, hits[0]))
        elif len(hits) == len(fps):
            full.append(TextMatch(entry, len(hits), len(fps), 0.95, hits[0]))
        elif len(hits) >= 2 and len(hits) * 2 >= len(fps):
            partial.append(TextMatch(entry, len(hits), len(fps), round(0.5 * len(hits) / len(fps), 2), hits[0]))
    if len(full) > 1:
        full = _most_specific(full, specific)
    full.sort(key=lambda m: -sum(len(f) for f in m.entry.fingerprints))
    partial.sort(key=lambda m: -m.confidence)
    return full + partial


def _most_specific(matches: list[TextMatch], fp_sets: dict[int, frozenset[str]] | None = None) -> list[TextMatch]:
    """Keep a match whose fingerprints include every other match's; otherwise the text is ambiguous."""
    def fpset(m: TextMatch) -> frozenset[str]:
        if fp_sets is not None and id(m.entry) in fp_sets:
            return fp_sets[id(m.entry)]
        return frozenset(normalize_phrase(f) for f in m.entry.fingerprints)

    for m in matches:
        if all(fpset(o) <= fpset(m) for o in matches if o is not m):
            return [m]
    # Ambiguous: several unrelated entries match fully. Demote all to weak candidates.
    for m in matches:
        m.confidence = 0.3
    return matches


# --- Word tokens with their lines (coverage identification, see ``coverage.py``) -----------------------------

_FORMAT_CHARS = _lazy("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e"
                      "\u2060-\u2064\u206a-\u206f\ufe00-\ufe0f\ufeff]")


# List numbering and bullets ("1.", "3.1", "(a)", "ii)", "(iv)"), at a line start or inside a line ("(a)"): they
# are renumbered and reflowed between copies. A plain number ("700 million" wrapped to a line start) stays.
_LIST_MARK = _lazy(r"^\s*(?:\(?[0-9]{1,2}(?:\.[0-9]{1,2})*[.)]|[0-9]{1,2}(?:\.[0-9]{1,2})+|\(?[a-z]\)|[a-z]\.|"
                   r"\(?[ivx]{1,5}[.)])(?=\s)|\((?:[a-z]|[0-9]{1,2}|[ivx]{1,5})\)", re.I)


# Words for coverage: those of ``normalize_line``, and each CJK ideograph, kana or hangul syllable as a word of its
# own (Chinese, Japanese and Korean texts have no spaces: a changed clause there must change the words too).
_CJK_WORDS = _lazy(r"[a-z0-9]+(?:[.][0-9]+)*|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _line_words(line: str) -> list[str]:
    t = line.lower().replace("‘", "'").replace("’", "'").replace("“", '"').replace("”", '"')
    t = re.sub(r"non[\s-]+commercial", "noncommercial", t)
    t = _MD.sub(" ", t)
    return [_EQUIV.get(w, w) for w in _CJK_WORDS.findall(t)]


def tokens(text: str) -> tuple[list[str], list[int]]:
    """The normalized words of a license text, each with its 1-based line in ``text``.

    The same normalization as ``normalize_line`` (case, quotes, markdown, "non-commercial", British
    spellings), after NFKC and with format characters (soft hyphen, zero-width characters) removed without
    inserting a space; a leading YAML header (ScanCode LicenseDB files) and copyright notice lines are left
    out (they are not the license: a filled-in copy has another holder). Used for the canonical texts (by
    scripts/build_license_index.py) and for the files read, so both give the same words."""
    import unicodedata

    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.lstrip("\ufeff").split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, min(len(lines), 400)):
            if lines[i].strip() == "---":
                start = i + 1
                break
    words: list[str] = []
    where: list[int] = []
    for n in range(start, len(lines)):
        line = lines[n]
        if not line.isascii():
            line = unicodedata.normalize("NFKC", _FORMAT_CHARS.sub("", line))
        if not line.strip() or _copyright_line(line):
            continue
        if "(" in line or "." in line or ")" in line:
            line = _LIST_MARK.sub(" ", line)
        for w in (normalize_line(line) if line.isascii() else _line_words(line)):
            if w == "commercial" and words and words[-1] == "non":  # "non-\ncommercial" across a line break
                words[-1] = "noncommercial"
                continue
            words.append(w)
            where.append(n + 1)
    return words, where
