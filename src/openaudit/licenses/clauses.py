"""Read restrictions out of license texts we may never have seen: user and revenue caps, territory
exclusions, bans on training other models with outputs, non-commercial terms, use policies,
attribution and naming rules, share-alike, no-derivatives, registration, and terms the licensor may
change.

How a file is read:

1. Lines are cleaned (markdown headings, bullets, emphasis, block quotes, YAML front matter; code
   fences in cards) and joined into one stream; a word hyphenated across a line break is re-joined
   ("mil-" + "lion"). Every stream offset maps back to its 1-based line.
2. The stream is cut into paragraphs (blank lines, list items, headings), paragraphs into sentences.
   A sentence ending with ":" is the lead-in of the list items under it ("You agree not to use the
   Model: ... 1. Outside the Territory;"), and an item is read together with its lead-in.
3. Each detector looks for its key phrase in a sentence and checks the sentence around it: a
   prohibition for a ban, a consequence for a threshold, an obligation for attribution. Headings,
   definitions ("X" means ...), grants and negations ("you are not required to", "no limit on")
   produce nothing. The citation points at the line where the key phrase starts and quotes the
   sentence (whitespace collapsed, at most 300 characters, cut around the key phrase).
4. Within one file, restrictions of the same kind with the same thresholds are merged into one; the
   citation kept is the most binding sentence ("must", "shall not"...), else the first.

Only regular expressions with bounded gaps, run over sentences of bounded length, behind cheap gates:
linear in the size of the text. The gate words of every detector are found in one Aho-Corasick pass over
the document and handed to the sentences holding them; a sentence without any skips the detectors; each
pattern is compiled by ``prefilter``, which tests the literals a match needs and runs a lower-case copy of
the pattern before the pattern itself (same results, a fraction of the time).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from openaudit.evidence import SourceFile
from openaudit.licenses.numbers import format_quantity, iter_quantities
from openaudit.licenses.prefilter import compile as _lazy
from openaudit.licenses.prefilter import faithful
from openaudit.model import Citation, Restriction, Threshold
from openaudit.textutil import split_lines

__all__ = ["QUOTE_LIMIT", "READ_ROLES", "extract_from_text", "extract_restrictions"]

READ_ROLES = ("license", "use_policy", "notice", "card")
QUOTE_LIMIT = 300
_MAX_SENTENCE = 1500
_I = re.I


class cached_property:  # noqa: N801 - functools.cached_property without its per-access lock (Python 3.11)
    """Computed once per instance, then read from the instance ``__dict__`` (a non-data descriptor)."""

    def __init__(self, func):
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value


# Same-length character replacements, so offsets stay valid.
_CHARMAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\t": " ", "\u3000": " ",
    "\u00ad": " ",
})

# =================================================================================================
# Reading a file into sentences
# =================================================================================================

_MD_HEADING = _lazy(r"^#{1,6}\s+")
_QUOTE_PREFIX = _lazy(r"^(?:>\s?)+")
_BULLET = _lazy(r"^[-*+\u2022\u00b7\u25aa\u25e6\u2023\u2043]\s+")
_NUMBERING = _lazy(
    r"^(?:\(?(?:\d{1,3}(?:\.\d{1,3}){0,3}|[A-Za-z]|[ivxlcIVXLC]{1,6})(?:\\?[.)])"
    r"|\((?:\d{1,3}|[A-Za-z]{1,5})\))\s+"
)
_MD_NOISE = _lazy(r"\*\*|__|`|\\(?=[.\-*_#()\[\]!])")
_RULE = _lazy(r"[-=_*~#|:\s]{3,}")
_RULE_CHARS = frozenset("-=_*~#|:")  # a stripped line starts with no space: _RULE needs one of these first
_BULLET_CHARS = frozenset("-*+\u2022\u00b7\u25aa\u25e6\u2023\u2043")
_CHARMAP_PAIRS = tuple((chr(k), v) for k, v in _CHARMAP.items())


def _mapped_lines(f: SourceFile) -> list[str]:
    """The file's lines with ``_CHARMAP`` applied: one ``str.replace`` over the whole text per character present
    (none of them splits or joins lines), instead of a substitution per line."""
    text = f.text or ""
    if text.isascii() and "\t" not in text:
        return f.lines
    for old, new in _CHARMAP_PAIRS:
        if old in text:
            text = text.replace(old, new)
    return split_lines(text)


def _unnumbered(text: str) -> str:
    """``_NUMBERING.sub("", text, count=1)`` (the pattern is anchored at the start: one match at most)."""
    head = text[:18]
    return _NUMBERING.sub("", text, count=1) if "." in head or ")" in head else text


_SOFT_HYPHEN = _lazy(r"([A-Za-z]+)-$")
# Prefixes whose hyphen stays when a word is split at a line break ("non-" + "transferable").
_SOFT_PREFIXES = {"non", "self", "co", "re", "pre", "anti", "multi", "cross", "sub", "fine", "high",
                  "low", "end", "third", "well", "so", "e", "opt", "in", "out", "pro", "de"}
_ABBREV = {"e.g.", "i.e.", "etc.", "inc.", "ltd.", "co.", "corp.", "no.", "nos.", "u.s.", "u.k.", "e.u.",
           "sec.", "art.", "vs.", "v.", "mr.", "ms.", "dr.", "st.", "llc.", "p.r.c.", "s.a.", "cf.",
           "approx.", "fig.", "para.", "incl.", "viz.", "al.", "jr.", "u.s.a."}
_SENT_END = _lazy(r"[.!?][\"')\]]*\s+")
_LIST_NUMBER = _lazy(r"\(?(?:\d{1,3}|[ivxlc]{1,6})(?:\.\d{1,3})*\.?")
_INITIALS = _lazy(r"[a-z]\.|(?:[a-z]\.){2,}")
# r"\b(?:EU|EEA|UK|US|USA|PRC|DPRK)\b|\b[UE]\.[SKU]\.", written to start with a literal so that the search
# skips ahead to an E, U, P or D instead of trying every position ((?<!\w.) after one letter: \b before it).
_PLACE_ABBREV = _lazy(
    r"E(?<!\w.)(?:(?:U|EA)\b|\.[SKU]\.)|U(?<!\w.)(?:(?:K|SA?)\b|\.[SKU]\.)|P(?<!\w.)RC\b|D(?<!\w.)PRK\b"
)


@dataclass
class _Doc:
    name: str
    role: str
    text: str
    line_starts: list[int]
    territory_def: tuple[str, list[str]] | None = None  # (mode, codes) of a defined "Territory"
    _present: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict, repr=False)

    @cached_property
    def low(self) -> str:
        return self.text.lower()

    @cached_property
    def abbrev_spans(self) -> tuple[list[int], list[int]]:
        """(starts, ends) of every occurrence of an ``_ABBREV_HINTS`` string (overlapping, in one pass), by start."""
        spans = sorted((i, j) for _, i, j in _automaton(_ABBREV_HINTS).find_matches_as_indexes(self.text,
                                                                                               overlapping=True))
        return [i for i, _ in spans], [j for _, j in spans]

    def present(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """The ``words`` found anywhere in the document: sentence gates only test these."""
        got = self._present.get(words)
        if got is None:
            got = self._present[words] = tuple(w for w in words if w in self.low)
        return got

    @cached_property
    def safe(self) -> bool:
        """Whether ``low`` stands for ``text`` (``prefilter.faithful``: aligned, no other character folding to an
        ASCII letter): then an ASCII word absent from a sentence's slice of ``low`` is absent from the sentence
        under ``re.I`` too, and a pattern that needs it cannot match there."""
        return faithful(self.text, self.low)

    def line_of(self, offset: int) -> int:
        return max(1, bisect_right(self.line_starts, offset))


def _index_gates(doc: _Doc, sents: list[_Sent]) -> None:
    """Give each sentence the gate words (``_GATE_WORDS``) in its own text: every occurrence of every gate word
    in the document, found in one Aho-Corasick pass (overlapping matches, so a word inside another counts),
    instead of substring tests per sentence and detector."""
    if not doc.safe:
        return  # _Sent.gates falls back to testing each word on the sentence
    starts = [s.start for s in sents]
    own: list[set[str] | None] = [None] * len(sents)
    words = _GATE_WORDS
    for idx, i, j in _automaton(_GATE_WORDS).find_matches_as_indexes(doc.low, overlapping=True):
        k = bisect_right(starts, i) - 1
        if k >= 0 and j <= sents[k].end:
            got = own[k]
            if got is None:
                own[k] = {words[idx]}
            else:
                got.add(words[idx])
    for s, got in zip(sents, own, strict=True):
        s.own_gates = frozenset(got) if got else _EMPTY
        if s.lead is None:
            s.gates = s.own_gates  # what the cached property would give: set now, every sentence reads it


_AUTOMATA: dict[tuple[str, ...], object] = {}


def _automaton(words: tuple[str, ...]):
    """The Aho-Corasick automaton of ``words`` (built on first use: ahocorasick_rs is imported only when a text
    is read)."""
    got = _AUTOMATA.get(words)
    if got is None:
        import ahocorasick_rs

        # A DFA: ~0.7 ms to build for the ~100 gate words, scans ~2x faster than the default NFA.
        got = _AUTOMATA[words] = ahocorasick_rs.AhoCorasick(list(words), matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
                                                            implementation=ahocorasick_rs.Implementation.DFA)
    return got


def _holds_span(spans: tuple[list[int], list[int]], lo: int, hi: int) -> bool:
    """Whether one of the (starts, ends) spans, sorted by start, lies within [lo, hi)."""
    starts, ends = spans
    k = bisect_left(starts, lo)
    while k < len(starts) and starts[k] < hi:
        if ends[k] <= hi:
            return True
        k += 1
    return False


@dataclass
class _Sent:
    doc: _Doc
    start: int
    end: int
    heading: bool = False
    lead: _Sent | None = None  # the lead-in sentence ("You agree not to use the Model:") of a list item
    next_text: str = ""
    prev_text: str = ""
    own_gates: frozenset[str] | None = None  # gate words in ``text`` (set by _index_gates on a safe doc)

    @cached_property
    def gates(self) -> frozenset[str]:
        """The gate words (``_GATE_WORDS``) occurring in ``low`` (the lead-in, a space, the sentence)."""
        own = self.own_gates
        if own is None or (self.lead is not None and self.lead.own_gates is None):
            low = self.low
            return frozenset(w for w in self.doc.present(_GATE_WORDS) if w in low)
        lead = self.lead
        if lead is None:
            return own
        got = own | lead.own_gates
        # A word can span the space joining the lead-in and the sentence only if it holds a space.
        window = f"{self.doc.low[max(lead.start, lead.end - _GATE_SPAN):lead.end]} " \
                 f"{self.doc.low[self.start:min(self.end, self.start + _GATE_SPAN)]}"
        extra = [w for w in _SPACED_GATE_WORDS if w in window]
        return got.union(extra) if extra else got

    @cached_property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]

    @cached_property
    def combined(self) -> str:
        """What detectors read: the lead-in (if any), a space, then the sentence."""
        return f"{self.lead.text} {self.text}" if self.lead is not None else self.text

    @cached_property
    def low(self) -> str:
        return self.combined.lower()

    @cached_property
    def abbrev(self) -> bool:
        """``combined`` names a place by its abbreviation ("EU", "U.S."): a territory clause without gate words."""
        spans = self.doc.abbrev_spans
        if not spans[0] or not (_holds_span(spans, self.start, self.end) or (
                self.lead is not None and _holds_span(spans, self.lead.start, self.lead.end))):
            return False  # no hint in the sentence or its lead-in (a hint holds no space: none spans the join)
        return _PLACE_ABBREV.search(self.combined) is not None

    @cached_property
    def shouting(self) -> bool:
        return _shouting(self.text)

    @cached_property
    def relief(self) -> bool:
        """The sentence relieves rather than binds ("you are not required to", "you are encouraged to")."""
        return _may_relieve(self.own_low, self.doc.safe) and _RELIEF.search(self.text) is not None

    @cached_property
    def relief_with_lead(self) -> bool:
        return self.relief or (self.lead is not None and self.lead.relief)

    @property
    def item_offset(self) -> int:
        """Where the sentence itself starts in ``combined``."""
        return len(self.lead.text) + 1 if self.lead is not None else 0

    def has(self, words: frozenset[str]) -> bool:
        """Whether one of ``words`` (all in ``_GATE_WORDS``) occurs (lower-cased substring) in ``combined``:
        a cheap gate."""
        return not self.gates.isdisjoint(words)

    def may(self, words: tuple[str, ...]) -> bool:
        """False only when ``combined`` cannot match a pattern that needs one of ``words`` (lower-case ASCII
        without spaces; see ``_Doc.safe``): a gate before a regular expression, never stricter than it."""
        return not self.doc.safe or _any_in(words, self.low)

    def may_own(self, words: tuple[str, ...]) -> bool:
        """``may`` for a pattern run on the sentence's own ``text`` only."""
        return not self.doc.safe or _any_in(words, self.own_low)

    @cached_property
    def own_low(self) -> str:
        """``text`` lower-cased (a slice of the document's on a safe document)."""
        return self.doc.low[self.start:self.end] if self.doc.safe else self.text.lower()

    @cached_property
    def prohibition(self) -> re.Match[str] | None:
        """``_prohibition_at(combined)``."""
        return _prohibition_at(self.combined) if self.may(_PROHIBIT_WORDS) else None

    def offset_of(self, pos: int) -> int:
        """Stream offset of a position in ``combined``."""
        if self.lead is not None and pos < self.item_offset:
            return self.lead.start + pos
        return self.start + pos - self.item_offset


@dataclass
class _Line:
    text: str
    item: bool  # starts a list item
    marker: str  # num | alpha | ALPHA | roman | ROMAN | paren | bullet | ""
    indent: int
    md_heading: bool


@dataclass
class _Para:
    start: int
    end: int
    item: bool
    heading: bool
    marker: str
    indent: int


_UPPER_ASCII = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER_ASCII = _UPPER_ASCII.lower()


def _shouting(text: str) -> bool:
    """ALL-CAPS text (disclaimers): thresholds are not read from it."""
    count = text.count
    upper = sum(count(c) for c in _UPPER_ASCII)
    lower = sum(count(c) for c in _LOWER_ASCII)
    return upper + lower > 40 and upper > 0.8 * (upper + lower)


def _kind_of(marker: str) -> str:
    """num | alpha | ALPHA | roman | ROMAN | paren of a list marker matched by ``_NUMBERING``."""
    tok = marker.strip()
    if tok.startswith("("):
        return "paren"
    tok = tok.rstrip(".)\\")
    if tok[:1].isdigit():
        return "num"
    if tok not in ("c", "l") and _ROMAN_LOWER.fullmatch(tok):
        return "roman"
    if tok not in ("C", "L") and _ROMAN_UPPER.fullmatch(tok):
        return "ROMAN"
    return "alpha" if tok.islower() else "ALPHA"


_ROMAN_LOWER = _lazy(r"[ivxlc]+")
_ROMAN_UPPER = _lazy(r"[IVXLC]+")
_TITLE_WORD = _lazy(r"[A-Za-z][A-Za-z'&-]*")


def _clean_lines(lines: list[str], skip_code: bool) -> list[_Line | None]:
    """Per line (``_CHARMAP`` applied): the cleaned line, or None for a blank or ignored one (front matter, code
    fences).

    License files are often pasted inside a code fence, so fences are skipped in cards only."""
    out: list[_Line | None] = []
    in_front = False
    fence: str | None = None
    first_content = True
    for raw in lines:
        if not raw or raw.isspace():
            out.append(None)  # blank: nothing below changes for it (front matter, fences) nor reads it
            continue
        line = raw.rstrip()
        stripped = line.strip()
        if first_content and stripped == "---":
            in_front = True
        if stripped:
            first_content = False
        if in_front:
            if stripped in ("---", "...") and out:
                in_front = False
            out.append(None)
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            out.append(None)
            continue
        if stripped.startswith(("```", "~~~")):
            if skip_code:
                fence = stripped[:3]
            out.append(None)
            continue
        # Each pattern is tried only when the character it must start with (or contain) is there.
        if not stripped or (stripped[0] in _RULE_CHARS and _RULE.fullmatch(stripped)):
            out.append(None)
            continue
        indent = len(line) - len(line.lstrip())
        text = _QUOTE_PREFIX.sub("", stripped) if stripped[0] == ">" else stripped
        md_heading = False
        if text[:1] == "#" and _MD_HEADING.match(text):
            md_heading = True
            text = _MD_HEADING.sub("", text).rstrip("# ")
        item = False
        marker = ""
        m = _BULLET.match(text) if text[:1] in _BULLET_CHARS else None
        if m:
            item, marker = True, "bullet"
            text = text[m.end():]
        if "*" in text or "_" in text or "`" in text or "\\" in text:
            text = _MD_NOISE.sub("", text)
        text = text.strip()
        if not marker:
            head = text[:18]  # _NUMBERING needs its "." or ")" by the 18th character
            m = _NUMBERING.match(text) if "." in head or ")" in head else None
            if m:
                item, marker = True, _kind_of(m.group(0))
        if not text:
            out.append(None)
            continue
        out.append(_Line(text, item, marker, indent, md_heading))
    return out


def _is_title(text: str) -> bool:
    words = _TITLE_WORD.findall(text)
    if not words or len(words) > 10:
        return False
    letters = "".join(words)
    if letters.isupper() and len(letters) >= 3:
        return True
    significant = [w for w in words if len(w) > 3]
    return bool(significant) and all(w[0].isupper() for w in significant)


def _heading_like(text: str, item: bool, prev_ends: bool) -> bool:
    """A short title-cased or upper-case line standing alone ("3.2 Use Restrictions", "EXHIBIT A")."""
    if len(text) > 80 or text[-1] in ",;:" or not prev_ends:
        return False
    body = _unnumbered(text).strip().rstrip(".")
    if not body:
        return True
    if item and len(body.split()) > 6:
        return False
    return _is_title(body)


def _read(f: SourceFile) -> tuple[_Doc, list[_Sent]]:
    cleaned = _clean_lines(_mapped_lines(f), skip_code=f.role == "card")
    pieces: list[str] = []
    line_starts: list[int] = []
    pos = 0
    paras: list[_Para] = []
    prev_text: str | None = None
    for idx, ln in enumerate(cleaned):
        if ln is None:
            line_starts.append(pos)
            prev_text = None
            continue
        text = ln.text
        prev_ends = prev_text is None or prev_text[-1] in ".:;!?\"')"
        heading = ln.md_heading or (prev_ends and _heading_like(text, ln.item, prev_ends))
        if heading and not ln.md_heading and idx + 1 < len(cleaned):
            nxt = cleaned[idx + 1]
            if nxt is not None and nxt.text[:1].islower():
                heading = False  # the sentence goes on on the next line
        if prev_text is not None and not ln.item and not heading and paras and not paras[-1].heading:
            m = _SOFT_HYPHEN.search(prev_text) if prev_text[-1] == "-" else None  # paragraph goes on
            if m and text[:1].islower():
                compound = m.group(1).lower() in _SOFT_PREFIXES or prev_text[m.start() - 1:m.start()] == "-"
                if not compound:
                    pieces[-1] = pieces[-1][:-1]  # "mil-" + "lion": drop the hyphen
                    pos -= 1
                # else "non-" + "transferable", "models-and-" + "libraries": keep it, no space
            else:
                pieces.append(" ")
                pos += 1
        else:
            if pieces:
                pieces.append("\n")
                pos += 1
            paras.append(_Para(pos, pos, ln.item, heading, ln.marker, ln.indent))
        line_starts.append(pos)
        pieces.append(text)
        pos += len(text)
        paras[-1].end = pos
        prev_text = None if heading else text
    doc = _Doc(f.name, f.role, "".join(pieces), line_starts)

    sents: list[_Sent] = []
    lead: _Sent | None = None
    lead_para: _Para | None = None
    for para in paras:
        if para.heading:
            sents.append(_sent(doc, para.start, para.end, heading=True))
            lead = lead_para = None
            continue
        first = doc.text[para.start:para.start + 1]
        if lead is not None and lead_para is not None:
            if para.item:
                if lead_para.item and (para.indent < lead_para.indent or (
                        para.indent == lead_para.indent and para.marker == lead_para.marker)):
                    lead = lead_para = None  # a sibling of the lead-in item: its list is over
            elif not first.islower():
                lead = lead_para = None
        para_sents = _split_sentences(doc, para.start, para.end)
        for i, s in enumerate(para_sents):
            if i == 0 or s.text[:1].islower():
                s.lead = lead
            sents.append(s)
        if para_sents and para_sents[-1].text.rstrip().endswith(":"):
            lead, lead_para = para_sents[-1], para
    for s in sents:
        if s.lead is None:
            s.combined = s.text  # what the cached property would give: set now, every detector reads it
    prev = ""
    for s in sents:  # plain attributes, not links to the neighbours: no reference cycles for the collector
        s.prev_text = prev
        prev = s.text
    nxt = ""
    for s in reversed(sents):
        s.next_text = nxt
        nxt = s.text
    return doc, sents


def _split_sentences(doc: _Doc, start: int, end: int) -> list[_Sent]:
    text = doc.text[start:end]
    out: list[_Sent] = []
    cut = 0
    for m in _SENT_END.finditer(text):
        at, after_at = m.span()
        after = text[after_at:after_at + 1]
        if not after or not (after.isupper() or after.isdigit() or after in "\"'(["):
            continue
        # The word before the stop. A paragraph holds no newline (its lines are joined with spaces).
        w = text[max(cut, text.rfind(" ", cut, at) + 1):at + 1].lower().lstrip("(\"'")
        if w in _ABBREV:
            continue
        if w[-1] == ".":  # both patterns end with a dot (w ends with the [.!?] matched)
            if w[1:2] == "." and _INITIALS.fullmatch(w):  # initials have a dot second
                continue
            if at - cut < 8 and _LIST_NUMBER.fullmatch(w):
                continue  # "2." or "iii." opening an item, not a sentence end
        _chunk(doc, start + cut, start + after_at, out)
        cut = after_at
    if cut < len(text):
        _chunk(doc, start + cut, end, out)
    return out


def _chunk(doc: _Doc, start: int, end: int, out: list[_Sent]) -> None:
    """Append the sentence doc.text[start:end] to ``out``, trailing space trimmed; very long "sentences"
    (unpunctuated walls of text) are cut at a space near the size limit."""
    text = doc.text
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > _MAX_SENTENCE:
        window = text[start:start + _MAX_SENTENCE]
        k = max(window.rfind("; "), window.rfind(", "), window.rfind(" "))
        k = k + 1 if k > _MAX_SENTENCE // 3 else _MAX_SENTENCE
        out.append(_sent(doc, start, start + k))
        start += k
    if end > start:
        out.append(_sent(doc, start, end))


def _sent(doc: _Doc, start: int, end: int, heading: bool = False) -> _Sent:
    s = _Sent(doc, start, end, heading)
    s.text = doc.text[start:end]  # every sentence's text is read: set now, not through the cached property
    return s


# =================================================================================================
# Shared vocabulary
# =================================================================================================

_DEF = _lazy(
    r"^(?P<head>[^.;]{0,140}?)(?::\s*)?\b(?:shall\s+mean|means|refers\s+to|is\s+defined\s+as|"
    r"has\s+the\s+meaning|shall\s+refer\s+to|is\s+hereinafter\s+referred)\b",
    _I,
)
_QUOTED = _lazy(r"\"[^\"]{0,100}\"|'[^']{0,60}'|\([^()]{0,100}\)")
_CLAUSE_WORDS = _lazy(r"\b(?:if|you|your|must|will|may|when|shall\s+not|agree)\b", _I)
_PROHIBIT = _lazy(
    r"\b(?:may\s+not|must\s+not|shall\s+not|will\s+not|can\s*not|cannot|could\s+not|should\s+not|"
    r"do\s+not|won't|mustn't|shan't|can't|never|"
    r"(?:are|is)\s+not\s+(?:permitted|allowed|authori[sz]ed|licensed|entitled)|"
    r"not\s+(?:be\s+)?(?:permitted|allowed|authori[sz]ed)\s+to|"
    r"(?:agree|undertake|covenant)s?\s+(?:that\s+)?(?:you\s+|it\s+|they\s+)?(?:will\s+|shall\s+)?not|"
    r"(?:strictly\s+)?(?:prohibited|forbidden)|no\s+(?:one|person|licensee|user)\s+(?:may|shall)|"
    r"(?:is|are)\s+not\s+(?:to\s+be\s+)?used)\b",
    _I,
)
_NEG_BEFORE = _lazy(r"\b(?:not|no|nothing|neither|nor|without)\b[\w\s,]{0,14}$", _I)
_OBLIGATION = _lazy(
    r"\b(?:must|shall|should|will|required|requires|agree\s+to|need\s+to|have\s+to|has\s+to|is\s+to|are\s+to)\b",
    _I,
)
_RELIEF = _lazy(
    r"\b(?:(?:are|is)\s+not\s+(?:required|obligated|obliged)|need\s+not|not\s+necessary|"
    r"(?:do|does)\s+not\s+(?:need|have)\s+to|don't\s+(?:need|have)\s+to|"
    r"(?:are|is)\s+(?:encouraged|invited|welcome)|encourage[sd]?\b|optional(?:ly)?|"
    r"at\s+your\s+(?:option|discretion)|free\s+to\s+choose|not\s+mandatory|no\s+longer\s+required)",
    _I,
)
# Words a match of _RELIEF needs: one of these, or "not" with one of _RELIEF_NOT.
_RELIEF_WORDS = ("n't", "encourage", "invited", "welcome", "option", "discretion", "choose", "longer")
_RELIEF_NOT = ("requir", "oblig", "need", "necessar", "have", "mandatory")
# Words a match of _PROHIBIT needs.
_PROHIBIT_WORDS = ("not", "n't", "never", "prohibited", "forbidden", "one", "person", "user", "licensee")


def _may_relieve(low: str, safe: bool) -> bool:
    """False only when the lower-cased text ``low`` cannot match _RELIEF (see ``_Doc.safe``)."""
    return not safe or _any_in(_RELIEF_WORDS, low) or ("not" in low and _any_in(_RELIEF_NOT, low))


def _any_in(words: tuple[str, ...], low: str) -> bool:
    """Whether one of ``words`` occurs in ``low`` (a loop: quicker than ``any`` over a generator)."""
    for w in words:
        if w in low:
            return True
    return False


_BINDING = _lazy(
    r"\b(?:must|shall|may\s+not|will\s+not|cannot|can\s+not|agree|required|requires|prohibited|only|solely)\b",
    _I,
)


def _is_definition(text: str) -> bool:
    """'"Research Purpose" means ...', 'c. Territory shall mean ...': describes, does not restrict."""
    head = text[:220].lower()
    if "mean" not in head and "refer" not in head and "defined" not in head:
        return False
    m = _DEF.match(_unnumbered(text.lstrip()))
    if not m:
        return False
    return not _CLAUSE_WORDS.search(_QUOTED.sub(" ", m.group("head")))


def _prohibition_at(text: str, lo: int = 0) -> re.Match[str] | None:
    """The first prohibition in text[lo:] that is not itself negated ("not prohibited")."""
    for m in _PROHIBIT.finditer(text, lo):
        word = m.group(0).lower()
        if word.startswith(("prohibited", "forbidden", "strictly")) and \
                _NEG_BEFORE.search(text, max(0, m.start() - 30), m.start()):
            continue
        return m
    return None


def _find_after(pattern: re.Pattern[str], text: str, pos: int, gap: int) -> re.Match[str] | None:
    return pattern.search(text, pos, min(len(text), pos + gap))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class _Cand:
    kind: str
    pos: int  # position of the key phrase in the sentence's ``combined`` text
    summary: str
    thresholds: list[Threshold] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    score: int = 1
    mode: str = ""  # territory: exclude | only | domicile


# =================================================================================================
# User and revenue thresholds
# =================================================================================================

_USER_UNIT_AFTER = _lazy(
    r"\s*(?:\+\s*|or\s+more\s+|or\s+greater\s+)?(?:"
    r"(?P<mau>(?:global\s+|total\s+|aggregate\s+)?monthly\s+active\s+users?|"
    r"monthly\s+active\s+(?:accounts|customers|devices)|MAUs?\b|active\s+users\s+(?:per|a|each)\s+month|"
    r"monthly\s+(?:unique\s+)?users)"
    r"|(?P<visits>monthly\s+(?:unique\s+)?(?:visits|visitors|page\s*views)|"
    r"(?:unique\s+)?(?:visits|visitors)\s+(?:per|a|each)\s+month))",
    _I,
)
_USER_UNIT_BEFORE = _lazy(
    r"(?:(?P<mau>monthly\s+active\s+users?|\bMAUs?)|(?P<visits>monthly\s+(?:unique\s+)?(?:visits|visitors)))"
    r"\b[^.;0-9$\u20ac\u00a3\u00a5]{0,70}?\b(?:exceeds?|exceeding|is\s+(?:more|greater)\s+than|more\s+than|"
    r"greater\s+than|over|above|in\s+excess\s+of|at\s+least|reach(?:es)?|surpass(?:es)?|of|fewer\s+than|"
    r"less\s+than|below|under|beyond|totals?|numbering)\s*$",
    _I,
)
_REV_QUALIFIER = r"(?:(?:annual|annualized|yearly|monthly|gross|global|consolidated|total|aggregate|worldwide)\s+)"
_REVENUE = rf"(?P<rev>{_REV_QUALIFIER}{{0,3}}(?:revenues?|turnover|gross\s+receipts|sales))"
_REV_BEFORE = _lazy(
    rf"{_REVENUE}\b[^.;\d$\u20ac\u00a3\u00a5]{{0,90}}?\b(?:exceeds?|exceeding|exceeded|"
    r"is\s+(?:more|greater|less)\s+than|more\s+than|greater\s+than|over|above|in\s+excess\s+of|at\s+least|"
    r"of\s+(?:less|more|greater|fewer)\s+than|of|reach(?:es)?|surpass(?:es)?|less\s+than|below|under|beyond|"
    r"up\s+to)\s*$",
    _I,
)
_REV_AFTER = _lazy(
    r"\s*(?:\([^()]{0,80}\)\s*)?(?:or\s+more\s+)?(?:(?:in|of)\s+)?(?:the\s+|your\s+|its\s+)?"
    rf"{_REVENUE}\b",
    _I,
)
_ANNUAL = _lazy(
    r"\b(?:annual(?:ly|ized)?|yearly|per\s+(?:year|annum)|a\s+year|each\s+year|fiscal\s+year|financial\s+year|"
    r"calendar\s+year|(?:12|twelve)[\s-]+months?)\b",
    _I,
)
_MONTHLY = _lazy(r"\b(?:monthly|per\s+month|a\s+month|each\s+month|calendar\s+month|preceding\s+month)\b", _I)
_CAP_CONSEQUENCE = _lazy(
    r"\b(?:(?:request|obtain|apply\s+for|seek|purchase|acquire|need|require|negotiate|enter\s+into|contact)\w*"
    r"\b[^.;]{0,40}?\b(?:licen[cs]e|agreement|permission|authori[sz]ation|terms)|"
    r"not\s+(?:be\s+)?(?:authori[sz]ed|permitted|entitled|licensed|allowed|eligible)|terminat\w*|cease|"
    r"(?:commercial|enterprise|separate|additional)\s+(?:licen[cs]e|agreement|terms)|cannot\s+exercise|"
    r"may\s+not\s+(?:use|exercise)|does\s+not\s+apply|no\s+longer\s+(?:apply|applies|eligible|licensed))",
    _I,
)
_ATTR_CONSEQUENCE = _lazy(
    r"\b(?:prominently\s+(?:display|mark|show|state|include)|display\w*\s+\"|attribut\w*|give\s+credit|"
    r"credit\s+to|acknowledg\w*)",
    _I,
)
_COMPARATOR = _lazy(
    r"\b(?:more|greater|fewer|less)\s+than|\bexceed\w*|\bover\b|\babove\b|\bin\s+excess\s+of|\bat\s+least|"
    r"\bup\s+to\b|\bbelow\b|\bunder\b",
    _I,
)
_ELIGIBILITY = _lazy(r"\b(?:licen[cs]\w*|agreement|free|access|eligib\w*|entitled|permitted|allowed)\b", _I)
_NO_CAP = _lazy(
    r"\b(?:(?:no|without(?:\s+any)?|not\s+subject\s+to\s+any)\s+(?:\w+\s+){0,2}(?:caps?|limits?|limitations?|"
    r"thresholds?|restrictions?|ceilings?)\s+(?:on|to|for|based\s+on|regarding)\s+(?:the\s+|your\s+)?|"
    r"(?:regardless|irrespective)\s+of\s+(?:the\s+|your\s+)?(?:number|amount|size|level|count)\s+of\s+|"
    r"no\s+matter\s+how\s+(?:many|much)\s+)"
    r"(?:\w+\s+){0,3}(?:users|user\s+base|MAUs?|revenues?|turnover|size|sales)\b",
    _I,
)
_DIGIT_OR_SCALE = _lazy(r"\d|million|billion|thousand|hundred", _I)
_PERCENT_AFTER = _lazy(r"\s*(?:%|percent|per\s*cent)", _I)
_QUOTED_PHRASE = _lazy(r"\"([^\"]{1,60})\"")
_THRESHOLD_GATE = frozenset(("monthly", "mau", "revenue", "turnover", "sales", "visit", "gross receipts"))


def _thresholds(s: _Sent) -> list[_Cand]:
    text = s.combined
    if not s.has(_THRESHOLD_GATE) or not _DIGIT_OR_SCALE.search(text):
        return []
    if s.shouting or _NO_CAP.search(s.text):
        return []
    users: list[tuple[int, Threshold]] = []
    revenue: list[tuple[int, Threshold]] = []
    for q in iter_quantities(text):
        if q.start < s.item_offset or _PERCENT_AFTER.match(text, q.end):
            continue
        big = q.has_scale or q.value >= 1000  # "3.1", "2024", "Section 2" are never thresholds
        after = text[q.end:q.end + 120]
        before = text[max(0, q.start - 130):q.start]
        if not q.has_currency:
            hit = _USER_UNIT_AFTER.match(after) or _USER_UNIT_BEFORE.search(before)
            if hit and big:
                unit = "monthly_visits" if hit.group("visits") else "monthly_active_users"
                users.append((q.start, Threshold(q.value, unit)))
                continue
        hit = _REV_AFTER.match(after) or _REV_BEFORE.search(before)
        if hit is not None and (q.has_currency or big):
            unit = _revenue_period(hit.group("rev"), text, q.start)
            revenue.append((q.start, Threshold(q.value, unit, q.currency)))
    if not users and not revenue:
        return []
    consequence = _CAP_CONSEQUENCE.search(f"{text} {s.next_text[:300]}")
    attribution = _ATTR_CONSEQUENCE.search(text)
    if attribution and not consequence:
        found = users + revenue
        ths = [t for _, t in found]
        what = _quoted_phrase(text, attribution.start()) or "attribution"
        label = _cap(_join_or([_describe_threshold(t) for t in ths]))
        return [_Cand("attribution", min(p for p, _ in found), f"{label} requires displaying {what}", ths, score=2)]
    if consequence:
        score = 2
    elif s.doc.role != "card" and _COMPARATOR.search(text) and _ELIGIBILITY.search(text):
        score = 1  # "free access for organisations with annual revenue of less than $1M"
    else:
        return []  # "over 100 million monthly active users use our products" (a card bragging)
    out = [_Cand("user_cap", p, f"{_cap(_describe_threshold(t))} requires a separate license", [t], score=score)
           for p, t in users]
    out += [_Cand("revenue_cap", p, f"{_cap(_describe_threshold(t))} requires a separate license", [t],
                  score=score) for p, t in revenue]
    return out


def _revenue_period(rev_phrase: str, text: str, pos: int) -> str:
    """annual_revenue or monthly_revenue: the qualifier of "revenue", else the nearest period word."""
    low = rev_phrase.lower()
    if "monthly" in low:
        return "monthly_revenue"
    if "annual" in low or "yearly" in low:
        return "annual_revenue"
    best: tuple[int, str] | None = None
    for pattern, unit in ((_ANNUAL, "annual_revenue"), (_MONTHLY, "monthly_revenue")):
        for m in pattern.finditer(text):
            d = abs(m.start() - pos)
            if best is None or d < best[0]:
                best = (d, unit)
    return best[1] if best else "annual_revenue"


def _describe_threshold(t: Threshold) -> str:
    amount = format_quantity(t.value)
    if t.unit == "monthly_active_users":
        return f"more than {amount} monthly active users"
    if t.unit == "monthly_visits":
        return f"more than {amount} monthly visits"
    period = "annual" if t.unit == "annual_revenue" else "monthly"
    cur = f" {t.currency}" if t.currency else ""
    return f"{period} revenue above {amount}{cur}"


def _join_or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _quoted_phrase(text: str, pos: int) -> str | None:
    m = _QUOTED_PHRASE.search(text, pos, min(len(text), pos + 120))
    return f'"{m.group(1).strip()}"' if m else None


# =================================================================================================
# Territory
# =================================================================================================

_PLACES: list[tuple[re.Pattern[str], str]] = [
    (_lazy(r"\beuropean\s+economic\s+area\b|\bEEA\b", _I), "EEA"),
    (_lazy(r"\beuropean\s+union\b|\bEU\b(?:\s+member\s+states)?|\bE\.U\.(?!\w)", _I), "EU"),
    (_lazy(r"\bunited\s+kingdom(?:\s+of\s+great\s+britain\s+and\s+northern\s+ireland)?\b|"
                r"\bgreat\s+britain\b|\bU\.K\.(?!\w)|\bUK\b", _I), "GB"),
    (_lazy(r"\b(?:democratic\s+people'?s\s+republic\s+of\s+korea|north\s+korea|DPRK)\b", _I), "KP"),
    (_lazy(r"\b(?:republic\s+of\s+korea|south\s+korea|korea)\b", _I), "KR"),
    (_lazy(r"\bhong\s+kong(?:\s+special\s+administrative\s+region)?"
                r"(?:\s+of\s+the\s+people'?s\s+republic\s+of\s+china)?\b", _I), "HK"),
    (_lazy(r"\b(?:macau|macao)(?:\s+special\s+administrative\s+region)?\b", _I), "MO"),
    (_lazy(r"\btaiwan\b", _I), "TW"),
    (_lazy(r"\b(?:people'?s\s+republic\s+of\s+china|mainland(?:\s+of)?(?:\s+the)?\s+(?:people'?s\s+republic\s+of\s+)?china|"
                r"china|PRC)\b", _I), "CN"),
    (_lazy(r"\bunited\s+states(?:\s+of\s+america)?\b|\bU\.S\.A?\.?(?!\w)|\bUSA\b", _I), "US"),
    (_lazy(r"\bUS\b"), "US"),  # case-sensitive: never the pronoun
    (_lazy(r"\bswitzerland\b", _I), "CH"),
    (_lazy(r"\bjapan\b", _I), "JP"),
    (_lazy(r"\b(?:russia|russian\s+federation)\b", _I), "RU"),
    (_lazy(r"\bbelarus\b", _I), "BY"),
    (_lazy(r"\biran\b", _I), "IR"),
    (_lazy(r"\bcuba\b", _I), "CU"),
    (_lazy(r"\bsyria\b", _I), "SY"),
    (_lazy(r"\bvenezuela\b", _I), "VE"),
    (_lazy(r"\bcanada\b", _I), "CA"),
    (_lazy(r"\bindia\b", _I), "IN"),
    (_lazy(r"\bsingapore\b", _I), "SG"),
    (_lazy(r"\baustralia\b", _I), "AU"),
    (_lazy(r"\bbrazil\b", _I), "BR"),
    (_lazy(r"\bgermany\b", _I), "DE"),
    (_lazy(r"\bfrance\b", _I), "FR"),
    (_lazy(r"\bitaly\b", _I), "IT"),
    (_lazy(r"\bspain\b", _I), "ES"),
    (_lazy(r"\bnetherlands\b", _I), "NL"),
    (_lazy(r"\bireland\b", _I), "IE"),
    (_lazy(r"\bnorway\b", _I), "NO"),
    (_lazy(r"\biceland\b", _I), "IS"),
    (_lazy(r"\bliechtenstein\b", _I), "LI"),
]
_ABBREV_HINTS = ("EU", "EEA", "UK", "US", "PRC", "DPRK", "U.S", "U.K", "E.U")
_PLACE_HINTS = ("union", "kingdom", "korea", "china", "united states", "economic area", "britain",
                "switzerland", "japan", "russia", "belarus", "iran", "cuba", "syria", "venezuela", "canada",
                "india", "singapore", "australia", "brazil", "germany", "france", "italy", "spain",
                "netherlands", "ireland", "norway", "iceland", "liechtenstein", "hong kong", "macau", "macao",
                "taiwan", "prc", "dprk", "territor", "european")
_PLACE_GATE = frozenset(_PLACE_HINTS)
_PLACE_GAP = _lazy(
    r"[\s,;/]*(?:(?:and|or|&|as\s+well\s+as)\s+)?(?:the\s+)?(?:territor(?:y|ies)\s+of\s+(?:the\s+)?)?", _I
)
_PLACE_LEAD = _lazy(
    r"[\s,]*(?:the\s+)?(?:(?:whole\s+|entire\s+)?territor(?:y|ies)\s+of\s+(?:the\s+)?|"
    r"(?:any\s+)?(?:member\s+states?|countries)\s+(?:of|in)\s+(?:the\s+)?)?",
    _I,
)
_TERR_EXCLUDE = _lazy(
    r"\b(?:(?:does|do|shall|will|may)\s+not\s+apply\s+(?:in|to|within)|exclud(?:ing|es|ed|e)|"
    r"except(?:\s+for)?|other\s+than|"
    r"not\s+(?:be\s+)?(?:licensed|available|granted|permitted|authori[sz]ed|allowed|offered|provided|"
    r"distributed|made\s+available)(?:\s+(?:for\s+use|to\s+(?:persons|users|entities|residents|individuals|"
    r"companies|anyone)(?:\s+(?:located|resident|residing|domiciled|based|established))?))?\s+(?:in|within|to)|"
    r"(?:is|are)\s+(?:excluded|prohibited|not\s+permitted)\s+(?:in|within))\b",
    _I,
)
_TERR_DOMICILE = _lazy(
    r"\b(?:(?:domiciled|resident|residing|located|headquartered|incorporated|established|based|"
    r"principal\s+place\s+of\s+business(?:\s+is)?)\s+(?:in|within)|(?:residents?|citizens?|nationals?)\s+of)\b",
    _I,
)
_TERR_USE_IN = _lazy(
    r"\b(?:use[ds]?|using|deploy\w*|distribut\w*|offer\w*|provid\w*|mak\w+\s+available|access\w*|"
    r"host\w*|sell\w*|exploit\w*)\b[^.;]{0,80}?\b(?:in|within|into)\b",
    _I,
)
_LAWFUL = _lazy(r"\blaws?\b|\bregulations?\b|\bviolat\w*|\bcomply|\bcompliance", _I)
_TERR_WITHHELD = _lazy(
    r"\bnot\s+(?:being\s+)?(?:granted|licensed|permitted|authori[sz]ed|available|allowed)|"
    r"\b(?:may|must|shall|will)\s+not\b|\bprohibited\b|\bexcluded\b|\bno\s+(?:rights?|licen[cs]e)\b",
    _I,
)
_NOT_TERRITORIAL = _lazy(
    r"\bgoverned\s+by\b|\blaws?\s+of\b|\bcourts?\b|\barbitration\b|\bjurisdiction\b|\bexport\w*\b|"
    r"\bsanction\w*\b|\bdispute\b|\bvenue\b",
    _I,
)
_TERRITORIAL = _lazy(
    r"\bworld-?wide\b|\bterritor(?:y|ies|ial)\b|\bglobal(?:ly)?\b|\bcountr(?:y|ies)\b|\bregions?\b", _I
)
# Words a match of the pattern above needs (gates, see _Sent.may).
_NOT_TERRITORIAL_WORDS = ("governed", "law", "court", "arbitration", "jurisdiction", "export", "sanction", "dispute",
                          "venue")
_TERR_EXCLUDE_WORDS = ("not", "exclud", "except", "other", "prohibited")
_TERR_DOMICILE_WORDS = ("domiciled", "resident", "residing", "located", "headquartered", "incorporated",
                        "established", "based", "principal", "citizen", "national")
_TERR_ONLY = _lazy(r"\b(?:only|solely|exclusively)\s+(?:in|within)\b", _I)
_TERR_OUTSIDE = _lazy(r"\boutside(?:\s+of)?\b", _I)
_THE_TERRITORY = _lazy(r"[\s,]*(?:of\s+)?the\s+Territory\b")
_UNLICENSED = _lazy(r"\b(?:unlicensed|unauthori[sz]ed)\b", _I)
_MULTIMODAL = _lazy(r"\bmulti-?modal\b", _I)
_TERRITORY_DEF = _lazy(
    r"^\W{0,3}(?:[a-z0-9]{1,4}[.)]\s+)?\"?territor(?:y|ies)\"?\s+(?:shall\s+)?means?\b", _I
)
_DEF_EXCLUDING = _lazy(r"\b(?:exclud(?:ing|es|e)|except(?:\s+for)?|other\s+than|outside(?:\s+of)?)\b", _I)


def _places_at(text: str, pos: int, shouting: bool) -> list[tuple[int, str]]:
    """The list of places that starts right at ``pos``: "the European Union, United Kingdom and Korea"."""
    found: list[tuple[int, int, str]] = []
    window_end = min(len(text), pos + 400)
    for pattern, code in _PLACES:
        for m in pattern.finditer(text, pos, window_end):
            if shouting and code == "US" and m.group(0) == "US":
                continue  # "APPLY TO US" in capitals is the pronoun
            found.append((m.start(), m.end(), code))
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[tuple[int, str]] = []
    lead = _PLACE_LEAD.match(text, pos)
    cursor = lead.end() if lead else pos
    for start, end, code in found:
        if start < cursor:
            continue  # inside an earlier, longer name
        gap = _PLACE_GAP.match(text, cursor)
        if start > (gap.end() if gap else cursor):
            break
        if code not in [c for _, c in out]:
            out.append((start, code))
        cursor = end
    return out


def _territory_definition(text: str) -> tuple[str, list[str]] | None:
    """'"Territory" means the worldwide territory, excluding ...': (exclude | only, codes)."""
    m = _TERRITORY_DEF.match(text)
    if not m:
        return None
    shouting = _shouting(text)
    ex = _DEF_EXCLUDING.search(text)
    if ex:
        places = _places_at(text, ex.end(), shouting)
        return ("exclude", [c for _, c in places]) if places else None
    places = _places_at(text, m.end(), shouting)
    return ("only", [c for _, c in places]) if places else None


def _territory(s: _Sent) -> list[_Cand]:
    text = s.combined
    if not (s.has(_PLACE_GATE) or s.abbrev):
        return []
    if s.may(_NOT_TERRITORIAL_WORDS) and _NOT_TERRITORIAL.search(text):
        return []  # governing law, courts, export control: not where the license applies
    shouting = s.shouting
    found: list[tuple[int, list[str], str, int]] = []  # (pos, codes, mode, score)

    def add(pos: int, places: list[tuple[int, str]], mode: str, score: int) -> None:
        if places:
            found.append((places[0][0], [c for _, c in places], mode, score))
        elif _THE_TERRITORY.match(text, pos) and s.doc.territory_def:
            def_mode, codes = s.doc.territory_def
            found.append((pos, list(codes), def_mode, score))

    for m in _TERR_EXCLUDE.finditer(text) if s.may(_TERR_EXCLUDE_WORDS) else ():
        if m.group(0).lower().startswith(("exclud", "except", "other")) and not _TERRITORIAL.search(
                text, max(0, m.start() - 80), m.start()):
            continue  # "excluding Llama 2 or derivative works"
        add(m.end(), _places_at(text, m.end(), shouting), "exclude", 2)
    for m in _TERR_DOMICILE.finditer(text) if s.may(_TERR_DOMICILE_WORDS) else ():
        places = _places_at(text, m.end(), shouting)
        if places and _TERR_WITHHELD.search(text, max(0, m.start() - 200), m.end() + 200):
            found.append((places[0][0], [c for _, c in places], "domicile", 2))
    for m in _TERR_ONLY.finditer(text) if s.may(("only", "solely", "exclusively")) else ():
        add(m.end(), _places_at(text, m.end(), shouting), "only", 1)
    p = s.prohibition
    if p is not None and not _LAWFUL.search(text):
        for m in _TERR_USE_IN.finditer(text, p.end(), min(len(text), p.end() + 200)):
            if not text[max(0, m.end() - 20):m.end()].lower().endswith(("only in", "only within")):
                add(m.end(), _places_at(text, m.end(), shouting), "exclude", 1)
    if s.may(("outside",)) and (p is not None or _UNLICENSED.search(text)):
        for m in _TERR_OUTSIDE.finditer(text):
            add(m.end(), _places_at(text, m.end(), shouting), "only", 1)
    out = []
    for pos, codes, mode, score in found:
        if pos < s.item_offset or not codes:
            continue
        names = ", ".join(codes)
        if mode == "exclude":
            summary = f"Not licensed in {names}"
        elif mode == "only":
            summary = f"Licensed only in {names}"
        else:
            scope = "Multimodal model rights" if _MULTIMODAL.search(text) else "Rights"
            summary = f"{scope} not granted to individuals or companies domiciled in {names}"
        out.append(_Cand("territory", pos, summary, territories=codes, mode=mode, score=score))
    return out


# =================================================================================================
# Output training ban
# =================================================================================================

_OUTPUTS = _lazy(
    r"\b(?:outputs?|results|generations?|generated\s+(?:content|data|text|images?|outputs?)|synthetic\s+data|"
    r"completions|responses|data\s+produced\s+by)\b",
    _I,
)
_TRAIN = _lazy(
    r"\b(?:improve|improving|train|training|develop|developing|create|creating|build|building|enhance|"
    r"fine[\s-]?tun\w*|distill\w*|pre-?train\w*)\b",
    _I,
)
_PLAIN_MODEL = _lazy(
    r"\s+(?:an?\s+|any\s+)?(?:(?:new|AI|ML|machine\s+learning|language|generative|foundation)\s+){0,3}"
    r"(?:models?|LLMs?)\b",
    _I,
)
_OTHER_MODEL = _lazy(
    r"\b(?:(?:any|other|another|competing|third[\s-]party|separate|rival|similar|new|different|your\s+own)\b"
    r"[^.;]{0,60}?\b(?:models?|LLMs?|(?:AI|ML|machine\s+learning)\s+(?:systems?|products?|services?)|"
    r"systems?)\b)|\bcompet\w+",
    _I,
)


_OUTPUT_GATE = frozenset(("output", "result", "generat", "synthetic", "completion", "response", "data produced"))
_TRAIN_GATE = frozenset(("improv", "train", "develop", "creat", "build", "enhanc", "tun", "distill"))


def _output_ban(s: _Sent) -> list[_Cand]:
    """Outputs, then training, then another model, with a prohibition around them: "You will not use ...
    any output ... to improve any other large language model", "Outputs may not be used to train
    competing models", "Using outputs to train other models is prohibited". "If you use outputs to
    train a model, you shall name it ..." has no prohibition: a naming rule, not a ban."""
    if not s.has(_OUTPUT_GATE) or not s.has(_TRAIN_GATE):
        return []
    text = s.combined
    if s.relief_with_lead or not s.may(_PROHIBIT_WORDS) or _PROHIBIT.search(text) is None:
        return []
    for o in _OUTPUTS.finditer(text):
        t = _find_after(_TRAIN, text, o.end(), 160)
        if t is None:
            continue
        other = _PLAIN_MODEL.match(text, t.end()) or _find_after(_OTHER_MODEL, text, t.end(), 140)
        if other is None:
            continue
        p = _prohibition_at(text, max(0, o.start() - 250))
        if p is None or p.start() > other.end() + 80:
            continue
        pos = min(p.start(), o.start())
        if max(p.start(), o.start()) < s.item_offset:
            continue  # all of it is in the lead-in, which is read on its own
        pos = pos if pos >= s.item_offset else max(p.start(), o.start())
        return [_Cand("output_training_ban", pos, "Outputs may not be used to train or improve other models",
                      score=2)]
    return []


# =================================================================================================
# Non-commercial
# =================================================================================================

_NONCOMMERCIAL = _lazy(r"\bnon[\s-]?commercial(?:ly)?\b", _I)
_ONLY = _lazy(r"\b(?:only|solely|exclusively|limited\s+to|restricted\s+to|strictly)\b", _I)
_COMMERCIAL_USE = _lazy(
    r"(?<!non-)(?<!non)(?<!non )\bcommercial(?:ly)?\b(?:\s+or\s+[\w-]+)?(?:\s+(?:purposes?|use|uses|usage|"
    r"activit\w*|advantage|gain|exploitation|products?|services?|applications?|deployment|settings?|"
    r"environments?|manner|way|ends|endeavou?rs?|operations|production))?",
    _I,
)
_NOT_A_USE = _lazy(r"\b(?:damages?|loss(?:es)?|terms)\b", _I)
_RESEARCH_ONLY = _lazy(
    r"\bresearch(?:\s+(?:and|or)\s+(?:evaluation|development|education(?:al)?|non-?commercial)\s*)?"
    r"(?:\s+purposes?|\s+use|\s+uses)?\s+only\b|"
    r"\b(?:solely|only|exclusively|strictly)\s+(?:be\s+used\s+)?for\s+(?:(?:non-?commercial|academic|"
    r"scientific|internal|personal|educational|non-?profit)[\s,]+(?:and\s+|or\s+)?)*research\b|"
    r"\bresearch[\s-]only\b|"
    r"\bonly\s+(?:use|be\s+used|access)\b[^.;:]{0,120}?\bfor\s+(?:(?:non-?commercial|academic|scientific)\s+)*"
    r"research\s+purposes\b",
    _I,
)
_OTHER_THAN_COMMERCIAL = _lazy(
    r"\b(?:purposes?|uses?)\s+other\s+than\s+(?:for\s+)?commercial\b|\bnot\s+for\s+commercial\s+(?:use|purposes)\b|"
    r"(?<!non-)(?<!non)\bcommercial\s+(?:use|usage|purposes?|exploitation|deployment)\b[^.;]{0,40}?\b(?:is|are)\s+"
    r"(?:strictly\s+)?(?:prohibited|forbidden|not\s+(?:permitted|allowed|authori[sz]ed))\b",
    _I,
)
_INTENDED = _lazy(r"\b(?:intended|designed|meant|suitable|recommended)\b", _I)  # intended use, not terms
_NC_RELIEF = _lazy(
    r"\bnot\s+(?:limited|restricted)\s+to\s+non-?commercial|\bincluding\s+commercial|"
    r"\bcommercial\s+(?:use\s+)?(?:is\s+)?(?:permitted|allowed)|\bboth\s+commercial\s+and|\bfor\s+any\s+purpose",
    _I,
)


_NC_GATE = frozenset(("commercial", "research"))


def _non_commercial(s: _Sent) -> list[_Cand]:
    if not s.has(_NC_GATE):
        return []
    text = s.combined
    commercial = s.may(("commercial",))  # _NONCOMMERCIAL, _OTHER_THAN_COMMERCIAL, _COMMERCIAL_USE need it
    if ((commercial or s.may(("purpose",))) and _NC_RELIEF.search(text)) or s.relief:
        return []
    for m in _NONCOMMERCIAL.finditer(text, s.item_offset) if commercial else ():
        lo = max(0, m.start() - 120)
        if _ONLY.search(text, lo, m.end() + 80) or _prohibition_at(text[lo:m.end() + 80]):
            return [_Cand("non_commercial", m.start(), "Non-commercial use only", score=2)]
    m = _OTHER_THAN_COMMERCIAL.search(text, s.item_offset) if commercial else None
    if m:
        return [_Cand("non_commercial", m.start(), "Non-commercial use only", score=2)]
    m = _RESEARCH_ONLY.search(text, s.item_offset) if s.may(("research",)) else None
    if m and not _INTENDED.search(text, max(0, m.start() - 60), m.start()):
        return [_Cand("non_commercial", m.start(), "Research use only; no commercial use", score=2)]
    p = s.prohibition if commercial else None
    while p is not None:
        c = _find_after(_COMMERCIAL_USE, text, p.end(), 220)
        if c is not None and c.start() >= s.item_offset and c.group(0).strip().lower() != "commercial" \
                and not _NOT_A_USE.search(text, c.start(), c.end() + 12):
            return [_Cand("non_commercial", c.start(), "No commercial use", score=2)]
        p = _prohibition_at(text, p.end())
    return []


# =================================================================================================
# Use restrictions
# =================================================================================================

_POLICY = _lazy(
    r"\b(?:acceptable|prohibited|responsible|permitted|fair)\s+use\s+polic(?:y|ies)\b|\bAUP\b|"
    r"\buse\s+polic(?:y|ies)\b|\busage\s+polic(?:y|ies)\b",
    _I,
)
_POLICY_BINDING = _lazy(
    r"\b(?:incorporated\s+(?:herein\s+)?by\s+reference|adhere\s+to|comply\s+with|compliance\s+with|"
    r"subject\s+to|in\s+accordance\s+with|set\s+forth\s+in|abide\s+by|governed\s+by|agree\s+to|bound\s+by|"
    r"violat\w*|must\s+not\s+use|restricted\s+uses|appl(?:y|ies)\s+to)\b",
    _I,
)
_USE_RESTR = _lazy(
    r"\buse[\s-]based\s+restrictions\b|\buse\s+restrictions\b|\brestricted\s+uses\b|\bprohibited\s+uses\b|"
    r"\busage\s+restrictions\b",
    _I,
)
_USE_RESTR_BINDING = _lazy(
    r"\b(?:must|shall|cannot|can\s+not|may\s+not|agree|include[sd]?|subject\s+to|set\s+forth|attachment|"
    r"exhibit|appendix|schedule|enforceable|comply|considered|referenced)\b",
    _I,
)
_NO_USE_RESTR = _lazy(
    r"\b(?:no|without(?:\s+any)?)\s+(?:\w+\s+){0,2}(?:use|usage|field[\s-]of[\s-]use)\s+restrictions?\b", _I
)
_LIST_LEADIN = _lazy(
    r"(?:\b(?:agree|undertake)s?\s+(?:that\s+)?(?:you\s+)?(?:will\s+|shall\s+)?not(?:\s+to)?\b|"
    r"\b(?:must|shall|may|will)\s+not\b(?:,?\s+and\s+will\s+not\s+permit[^:]{0,80})?|"
    r"\bnot\s+(?:be\s+)?used?\s+(?:to|for|in)\b|\bprohibited\s+from\b)[^:]{0,200}:\s*$",
    _I,
)
_USE_WORD = _lazy(r"\b(?:use|used|using)\b", _I)
_NOT = _lazy(r"\bnot\b", _I)


_USE_GATE = frozenset(("polic", "aup", "restrict", "prohibited use"))


def _use_restrictions(s: _Sent) -> list[_Cand]:
    own = s.text
    if not (s.has(_USE_GATE) or own.rstrip().endswith(":")):
        return []
    text = s.combined
    if s.may(("restriction",)) and _NO_USE_RESTR.search(text):
        return []
    m = _POLICY.search(text, s.item_offset) if s.may(("polic", "aup")) else None
    if m and _POLICY_BINDING.search(text):
        return [_Cand("use_restrictions", m.start(), "Use must comply with the acceptable use policy", score=2)]
    m = _USE_RESTR.search(text, s.item_offset) if s.may(("restrict", "prohibited")) else None
    if m and _USE_RESTR_BINDING.search(text):
        return [_Cand("use_restrictions", m.start(), "Use-based restrictions apply (prohibited uses)", score=2)]
    # _LIST_LEADIN ends with r":\s*$"
    if s.lead is None and own.rstrip().endswith(":") and _LIST_LEADIN.search(own) and _USE_WORD.search(own):
        p = _prohibition_at(own) or _NOT.search(own)
        return [_Cand("use_restrictions", p.start() if p else 0, "Prohibited uses are listed", score=1)]
    return []


# =================================================================================================
# Attribution and naming
# =================================================================================================

_ATTRIBUTION = _lazy(
    r"\"(?:built|powered|made|created|developed)\s+(?:with|by|using)\s+[^\"]{1,50}\"|"
    r"\bretain\w*\b[^.;]{0,120}?\b(?:notices?|identification|attribution|credit)\b|"
    r"\b(?:copyright|attribution|permission)\s+notices?\b[^.;]{0,120}?\b(?:shall|must)\s+be\s+"
    r"(?:included|retained|reproduced|kept)|"
    r"\bgive\s+(?:appropriate\s+)?credit\b|\bretain\s+the\s+following\b|"
    r"\bprovide\s+(?:appropriate\s+)?(?:attribution|credit)\b|"
    r"\bmust\s+(?:retain|include|reproduce|display|keep)\b[^.;]{0,80}?\b(?:attribution|notice)\b|"
    r"\baccompanied\s+by\s+(?:a\s+)?\"?notice\"?\s+(?:text\s+)?file|"
    r"\bprominently\s+(?:display|mark|state|show|include)\w*\b|"
    r"\b(?:reproduce|include)\b[^.;]{0,60}?\b(?:above\s+)?copyright\s+notice\b",
    _I,
)
_ATTR_GATE = frozenset(("notice", "credit", "attribut", "prominently", "retain", "built with", "powered by",
                        "made with", "created with", "developed with", "developed by", "built using", "created by",
                        "made by"))
_BUILT_WITH = _lazy(r"\"((?:built|powered|made|created|developed)\s+(?:with|by|using)\s+[^\"]{1,50})\"", _I)
_MAY_ADD = _lazy(r"\b(?:may|can)\s+(?:also\s+)?(?:add|include|display)\b", _I)
_MUST = _lazy(r"\b(?:must|shall)\b", _I)
_NAMING = _lazy(
    r"\b(?:include|use|put|place|add|prefix)\w*\s+\"(?P<a>[^\"]{1,40})\"\s+(?:at|in|to)\s+the\s+"
    r"(?:beginning|start|front)\s+of\b[^.;]{0,60}?\bnames?\b|"
    r"\bnames?\b[^.;]{0,80}?\b(?:must|shall|should|will)\s+(?:always\s+)?(?:begin|start|be\s+prefixed)\s+with\s+"
    r"(?:the\s+(?:word|name|prefix)\s+)?\"?(?P<b>[^\",.;]{1,40})\"?|"
    r"\bprefix\w*\b[^.;]{0,40}?\bnames?\b[^.;]{0,30}?\bwith\s+\"(?P<c>[^\"]{1,40})\"|"
    r"\bnamed?\b[^.;]{0,40}?\bprefix\w*\b[^.;]{0,20}?\"(?P<d>[^\"]{1,40})\"|"
    r"\b(?:include|use|display|contain)\w*\s+\"(?P<e>[^\"]{1,40})\"\s+in\s+(?:the|its|their)\s+(?:model\s+)?names?\b",
    _I,
)


def _attribution(s: _Sent) -> list[_Cand]:
    if not s.has(_ATTR_GATE) or s.relief:
        return []
    text = s.combined
    m = _ATTRIBUTION.search(text, s.item_offset)
    if m is None or not (_OBLIGATION.search(text) or s.lead is not None):
        return []
    if _MAY_ADD.search(text, max(0, m.start() - 40), m.end()) and \
            not _MUST.search(text, max(0, m.start() - 60), m.end()):
        return []  # "You may add your own attribution notices": a permission
    phrase = _BUILT_WITH.search(text)
    if phrase:
        summary = f'Display "{phrase.group(1).strip()}"'
    elif "credit" in m.group(0).lower():
        summary = "Give appropriate credit to the licensor"
    else:
        summary = "Retain the license and attribution notices"
    return [_Cand("attribution", m.start(), summary, score=2)]


_NAME_GATE = frozenset(("name",))


def _naming(s: _Sent) -> list[_Cand]:
    if not s.has(_NAME_GATE) or s.relief:
        return []
    text = s.combined
    m = _NAMING.search(text, s.item_offset)
    if m is None or not (_OBLIGATION.search(text) or s.lead is not None):
        return []
    if m.group("e"):
        return [_Cand("naming", m.start(), f'Derivative model names must include "{m.group("e").strip()}"',
                      score=2)]
    name = (m.group("a") or m.group("b") or m.group("c") or m.group("d") or "").strip()
    return [_Cand("naming", m.start(), f'Derivative model names must begin with "{name}"', score=2)]


# =================================================================================================
# Share-alike, no-derivatives
# =================================================================================================

_SHARE_ALIKE = _lazy(
    r"\b(?:must|shall)\s+be\s+(?:licensed|distributed|released|made\s+available|published)\s+under\s+"
    r"(?:the\s+(?:same|terms\s+of\s+this)|this|an?\s+identical)\s+(?:licen[cs]e|agreement|terms)|"
    r"\b(?:licen[cs]e|distribute|release|publish)\w*\b[^.;]{0,60}?\bunder\s+the\s+same\s+(?:licen[cs]e|terms)\b|"
    r"\badapter's\s+licen[cs]e\s+you\s+apply\s+must\s+be\b[^.;]{0,80}?\bsame\b|"
    r"\blicensed\s+as\s+a\s+whole\b[^.;]{0,120}?\bunder\s+the\s+terms\s+of\s+this\s+licen[cs]e\b|"
    r"\b(?:must|shall)\s+(?:only\s+)?(?:license|distribute|release|make\s+available|share)\b[^.;]{0,60}?"
    r"\b(?:derivatives?|derivative\s+works?|modifications?|adaptations?|modified\s+versions?)\b[^.;]{0,40}?"
    r"\bunder\s+(?:the\s+terms\s+of\s+)?(?:this|the\s+same)\s+(?:licen[cs]e|agreement)\b",
    _I,
)
_NO_DERIV = _lazy(
    r"\bnot\s+have\s+permission\b[^.;]{0,60}?\b(?:share|distribute)\b[^.;]{0,20}?\badapted\s+material\b|"
    r"\b(?:may|must|shall|will)\s+not\s+(?:create|make|produce|prepare|distribute|share|publish|modify|adapt)\b"
    r"[^.;]{0,60}?\b(?:derivative\s+works?|derivatives|adapted\s+material|modified\s+versions?|adaptations?|"
    r"modifications)\b|"
    r"\bno\s+derivative\s+works?\s+(?:may|shall|are)\b|"
    r"\b(?:may|must|shall)\s+not\s+(?:modify|alter|adapt)\s+(?:the|this)\s+(?:model|software|work|weights|"
    r"licensed\s+material|materials?)\b",
    _I,
)
_ND_SCOPED = _lazy(r"\bcommercial|\bterritory\b|\bexcept\b|\bunless\b|\bimprove\b", _I)
_DATA = _lazy(r"\bdata\b", _I)


_SA_GATE = frozenset(("same", "as a whole", "identical", "under this", "under the terms of this"))
_ND_GATE = frozenset(("deriv", "adapt", "modif", "alter"))
_ND_NOT_GATE = frozenset((" not ", "no derivative"))


def _share_alike(s: _Sent) -> list[_Cand]:
    if not s.has(_SA_GATE) or s.relief:
        return []
    text = s.combined
    m = _SHARE_ALIKE.search(text, s.item_offset)
    if m is None or not (_OBLIGATION.search(text) or s.lead is not None):
        return []
    return [_Cand("share_alike", m.start(), "Adaptations must be shared under the same license", score=2)]


def _no_derivatives(s: _Sent) -> list[_Cand]:
    if not s.has(_ND_GATE) or not s.has(_ND_NOT_GATE):
        return []
    text = s.combined
    m = _NO_DERIV.search(text, s.item_offset)
    if m is None or _ND_SCOPED.search(text) or _DATA.search(m.group(0)):
        return []  # a scoped ban ("for commercial purposes", "outside the Territory", "the data") is not ND
    return [_Cand("no_derivatives", m.start(), "Adapted or derivative works may not be shared", score=2)]


# =================================================================================================
# Registration
# =================================================================================================

_REGISTER = _lazy(
    r"\b(?:must|shall|need\s+to|required\s+to|please|should)\s+(?:first\s+)?"
    r"(?:register|complete\s+(?:the\s+)?registration)\b|"
    r"\bcomplete\s+(?:the\s+)?registration\b|\bregistration\s+form\b|"
    r"\b(?:must|shall|should|need\s+to|required\s+to|please)\s+(?:first\s+)?(?:obtain|request|apply\s+for|"
    r"purchase|acquire|enter\s+into|contact|email|e-mail|fill\s+(?:out|in))\b",
    _I,
)
_REGISTER_WORDS = ("regist", "obtain", "request", "apply", "purchase", "acquire", "enter", "contact", "mail", "fill")
_COMMERCIAL_CTX = _lazy(r"(?<!non-)(?<!non)\bcommercial(?:ly)?\b|\bbusiness\s+use|\benterprise\b", _I)
_NO_REGISTER = _lazy(
    r"\b(?:no|without(?:\s+any)?)\s+(?:need\s+(?:for|to)\s+)?regist|"
    r"\bnot\s+(?:required|necessary|needed)\s+to\s+register|registration\s+is\s+not\s+required",
    _I,
)
_BEFORE_USE = _lazy(r"\bbefore\b|\bprior\s+to\b", _I)
_PERMISSION_OBJ = _lazy(r"\b(?:licen[cs]e|authori[sz]ation|permission|agreement|approval)\b", _I)


_REG_GATE = frozenset(("regist", "commercial", "enterprise", "business"))


def _registration(s: _Sent) -> list[_Cand]:
    if not s.has(_REG_GATE):
        return []
    text = s.combined
    if (s.may(("regist",)) and _NO_REGISTER.search(text)) or s.relief:
        return []
    m = _REGISTER.search(text, s.item_offset) if s.may(_REGISTER_WORDS) else None
    if m is None:
        return []
    if "regist" in m.group(0).lower():
        if _COMMERCIAL_CTX.search(f"{s.prev_text[-300:]} {text}") or _BEFORE_USE.search(text):
            return [_Cand("registration", m.start(), "Commercial use requires registration with the licensor",
                          score=2)]
        return []
    if _PERMISSION_OBJ.search(text, m.end(), m.end() + 80) and _COMMERCIAL_CTX.search(text):
        return [_Cand("registration", m.start(), "Commercial use requires a separate license from the licensor",
                      score=2)]
    return []


# =================================================================================================
# Terms the licensor may change
# =================================================================================================

_TERMS_OBJ = r"(?:agreement|licen[cs]e|terms(?:\s+of\s+use)?|polic(?:y|ies)|AUP|conditions)"
_TERMS_WORDS = ("agreement", "licen", "terms", "polic", "aup", "conditions")
_MODIFY_ACTIVE = _lazy(
    r"\b(?:reserves?\s+the\s+right\s+to|may|can|will|shall\s+have\s+the\s+right\s+to|is\s+entitled\s+to)\s+"
    r"(?:at\s+any\s+time\s+|unilaterally\s+|from\s+time\s+to\s+time\s+|periodically\s+)?"
    r"(?:modify|update|amend|change|revise|supplement|replace|alter)\b(?:\s+(?:or|and(?:/or)?)\s+\w+)?\s+"
    rf"(?:this|these|the|its|such|our)\s+(?:[\w-]+\s+){{0,3}}?{_TERMS_OBJ}\b",
    _I,
)
_MODIFY_PASSIVE = _lazy(
    rf"\b{_TERMS_OBJ}\b(?:\s*\([^()]{{0,60}}\))?\s+(?:may|will|can|might|shall|(?:is|are)\s+subject\s+to)\s+"
    r"(?:be\s+)?(?:updated|modified|amended|revised|changed|change|updates?|modification|amendment|evolve)\b",
    _I,
)
_AS_MAY_BE = _lazy(
    r"\bas\s+(?:may\s+be|it\s+may\s+be)\s+(?:updated|modified|amended|revised|changed)\s+from\s+time\s+to\s+time\b",
    _I,
)
_LATEST_VERSION = _lazy(rf"\blatest\s+version\s+(?:from\s+time\s+to\s+time\s+)?of\s+the\s+{_TERMS_OBJ}\b", _I)
_REMOTE = _lazy(
    r"\brestrict\w*\s*\(\s*remotely\s+or\s+otherwise\s*\)|\bremotely\s+(?:restrict|disable|limit|revoke)\w*", _I
)
_LICENSEE_SUBJECT = _lazy(r"\b(?:you|licensee|recipient|user|we\s+do\s+not|not)\s*$", _I)
_IN_ACCORDANCE = _lazy(r"\s*in\s+accordance\s+with\s+this\b", _I)
_NEAREST_NOUN = _lazy(
    rf"\b(?:{_TERMS_OBJ}|webpage|page|website|models?|list|laws?|regulations?|directive)\b", _I
)
_TERMS_WORD = _lazy(_TERMS_OBJ, _I)
_MODIFY_GATE = frozenset(("modif", "updat", "amend", "chang", "revis", "supplement", "replac", "alter", "remote",
                          "latest version", "evolve"))
_MODIFIABLE = "Licensor may modify the terms from time to time"


def _modifiable_terms(s: _Sent) -> list[_Cand]:
    if not s.has(_MODIFY_GATE):
        return []
    text = s.combined
    m = _REMOTE.search(text, s.item_offset) if s.may(("remote",)) else None
    if m:
        return [_Cand("modifiable_terms", m.start(), "Licensor may restrict usage remotely", score=2)]
    terms = s.may(_TERMS_WORDS)  # _MODIFY_ACTIVE and _MODIFY_PASSIVE need one
    for m in _MODIFY_ACTIVE.finditer(text, s.item_offset) if terms else ():
        if _LICENSEE_SUBJECT.search(text, max(0, m.start() - 30), m.start()) or _NOT.search(m.group(0)):
            continue  # "you may not modify this License"
        return [_Cand("modifiable_terms", m.start(), _MODIFIABLE, score=2)]
    m = _MODIFY_PASSIVE.search(text, s.item_offset) if terms else None
    if m and not _IN_ACCORDANCE.match(text, m.end()) and not _NOT.search(m.group(0)):
        return [_Cand("modifiable_terms", m.start(), _MODIFIABLE, score=2)]
    for m in _AS_MAY_BE.finditer(text, s.item_offset) if s.may(("time",)) else ():
        nouns = list(_NEAREST_NOUN.finditer(text, max(0, m.start() - 120), m.start()))
        if nouns and _TERMS_WORD.fullmatch(nouns[-1].group(0)):  # the AUP, not "the Models webpage"
            return [_Cand("modifiable_terms", m.start(), _MODIFIABLE, score=1)]
    m = _LATEST_VERSION.search(text, s.item_offset) if s.may(("latest",)) else None
    if m:
        return [_Cand("modifiable_terms", m.start(), _MODIFIABLE, score=1)]
    return []


# =================================================================================================
# Putting it together
# =================================================================================================


def _candidates(s: _Sent) -> list[_Cand]:
    if s.heading or len(s.text.strip()) < 6:
        return []
    g = s.gates
    colon = s.text.rstrip().endswith(":")
    if not g and not colon and not s.abbrev:
        return []  # every detector needs a gate word, but for places written "EU"/"US" and list lead-ins
    # Each detector tests its own gate first; testing it here too saves the call when it fails.
    out = _modifiable_terms(s) if not g.isdisjoint(_MODIFY_GATE) else []  # "AUP means ..., as may be updated"
    if _is_definition(s.text):
        return out
    thresholds = _thresholds(s) if not g.isdisjoint(_THRESHOLD_GATE) else []
    out += thresholds
    if not g.isdisjoint(_PLACE_GATE) or s.abbrev:
        out += _territory(s)
    if not g.isdisjoint(_OUTPUT_GATE) and not g.isdisjoint(_TRAIN_GATE):
        out += _output_ban(s)
    if not g.isdisjoint(_NC_GATE):
        out += _non_commercial(s)
    if colon or not g.isdisjoint(_USE_GATE):
        out += _use_restrictions(s)
    if not g.isdisjoint(_ATTR_GATE) and not any(c.kind == "attribution" for c in thresholds):
        out += _attribution(s)
    if not g.isdisjoint(_NAME_GATE):
        out += _naming(s)
    if not g.isdisjoint(_SA_GATE):
        out += _share_alike(s)
    if not g.isdisjoint(_ND_GATE) and not g.isdisjoint(_ND_NOT_GATE):
        out += _no_derivatives(s)
    if not thresholds and not g.isdisjoint(_REG_GATE):  # "you must request a license" after a cap is its consequence
        out += _registration(s)
    return out


def _quote(s: _Sent, pos: int) -> str:
    """The sentence, whitespace collapsed; cut around ``pos`` when longer than QUOTE_LIMIT."""
    text = s.combined
    if s.lead is not None and pos >= s.item_offset:
        body = _unnumbered(s.text)
        if len(body) >= 60 and body[:1].isupper():
            text, pos = s.text, pos - s.item_offset  # the item reads on its own
    full = " ".join(text.split())
    if len(full) <= QUOTE_LIMIT:
        return full
    key = min(len(" ".join((text[:pos] + "x").split())) - 1, len(full))
    start = max(0, key - 100)
    if start > 0:
        sp = full.find(" ", start)
        start = sp + 1 if 0 <= sp < key else start
    end = start + QUOTE_LIMIT - 2
    if end >= len(full):
        end = len(full)
        start = max(0, end - (QUOTE_LIMIT - 1))
    else:
        sp = full.rfind(" ", start, end)
        end = sp if sp > key else end
    return ("…" if start > 0 else "") + full[start:end].strip() + ("…" if end < len(full) else "")


def _merge_summaries(first: str, second: str) -> str:
    parts = first.split("; ")
    if second.lower() in (p.lower() for p in parts) or len(parts) >= 3:
        return first
    return f"{first}; {second[:1].lower()}{second[1:]}"


def _retitle_territory(summary: str, codes: list[str]) -> str:
    return f"{summary.rsplit(' in ', 1)[0]} in {', '.join(codes)}"


def _extract_file(f: SourceFile) -> list[Restriction]:
    doc, sents = _read(f)
    _index_gates(doc, sents)
    for s in sents if not doc.safe or "territor" in doc.low else ():
        d = None if s.heading or not s.may_own(("territor",)) else _territory_definition(s.text)
        if d is not None and d[1]:
            doc.territory_def = d
            break
    best: dict[tuple, tuple[int, Restriction]] = {}
    for s in sents:
        cands = _candidates(s)
        binding = bool(cands) and _BINDING.search(s.text) is not None
        for c in cands:
            if binding:
                c.score += 1
            r = Restriction(
                kind=c.kind,
                summary=c.summary,
                thresholds=list(c.thresholds),
                territories=list(c.territories),
                clause=Citation(source="file", file=f.name, line=doc.line_of(s.offset_of(c.pos)),
                                text=_quote(s, c.pos)),
                origin="text",
            )
            ths = tuple(sorted((t.value, t.unit, t.currency or "") for t in c.thresholds))
            key = (c.kind, ths, "only" if c.mode == "only" else "")  # exclusions and domicile rules merge
            if key not in best:
                best[key] = (c.score, r)
                continue
            score, kept = best[key]
            if c.kind == "attribution" and not c.thresholds:  # "Built with X" and "retain notices"
                kept.summary = _merge_summaries(kept.summary, c.summary)
                r.summary = _merge_summaries(c.summary, kept.summary)
            if c.kind == "territory":
                r.territories = kept.territories + [t for t in c.territories if t not in kept.territories]
                kept.territories = r.territories
                kept.summary = _retitle_territory(kept.summary, kept.territories)
                r.summary = _retitle_territory(r.summary, r.territories)
            if c.score > score:
                best[key] = (c.score, r)
    out = [r for _, r in best.values()]
    out.sort(key=lambda r: r.clause.line if r.clause and r.clause.line else 0)
    return out


def extract_restrictions(files: list[SourceFile]) -> list[Restriction]:
    """Restrictions read from the text of every readable license, use policy, notice and card file.

    One list for all files, file by file in the order given, each file's restrictions in line order.
    Restrictions are merged within a file, never across files: a card restating the license's cap
    gives a second restriction citing the card."""
    out: list[Restriction] = []
    for f in files:
        if f.text is None or f.role not in READ_ROLES:
            continue
        out.extend(_extract_file(f))
    return out


def extract_from_text(text: str, name: str = "LICENSE", role: str = "license") -> list[Restriction]:
    """Restrictions of a bare text, as if it were the file ``name`` with the given role."""
    return extract_restrictions([SourceFile(name=name, role=role, text=text)])


# Every word a sentence gate tests (``_Sent.has`` / ``may``): indexed once per document by _index_gates.
_GATE_WORDS: tuple[str, ...] = tuple(sorted(frozenset().union(
    _THRESHOLD_GATE, _PLACE_GATE, _OUTPUT_GATE, _TRAIN_GATE, _NC_GATE, _USE_GATE, _ATTR_GATE, _SA_GATE, _ND_GATE,
    _ND_NOT_GATE, _REG_GATE, _MODIFY_GATE, _NAME_GATE)))
_SPACED_GATE_WORDS = tuple(w for w in _GATE_WORDS if " " in w)
_GATE_SPAN = max(len(w) for w in _GATE_WORDS)
_EMPTY: frozenset[str] = frozenset()
