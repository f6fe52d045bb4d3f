"""Reading a license file into sentences for the clause reader.

1. Every line is normalised (``openaudit.licenses.normalize``: NFKC, format characters, homoglyphs, HTML,
   emphasis); the number of lines never changes, so offsets map back to the file's lines.
2. Lines are cleaned (markdown headings, bullets, block quotes, YAML front matter; code fences in cards) and
   joined into one stream; a word hyphenated across a line break is re-joined ("mil-" + "lion"). Every
   stream offset maps back to its 1-based line.
3. The stream is cut into paragraphs (blank lines, list items, headings), paragraphs into sentences (also at
   the Chinese full stop and semicolon). A sentence ending with ":" is the lead-in of the list items under
   it ("You agree not to use the Model: ... 1. Outside the Territory;"), and an item is read together with
   its lead-in.

Sentences are at most ``MAX_SENTENCE`` characters: every reader that runs on one is bounded by it.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import cached_property
from typing import Any

from openaudit.evidence import SourceFile
from openaudit.lazyre import compile as _lazy
from openaudit.licenses.normalize import normalize_lines
from openaudit.textutil import split_lines

__all__ = ["MAX_SENTENCE", "Doc", "Sent", "read", "shouting", "unnumbered", "wide"]

MAX_SENTENCE = 1500
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


def _normalised_lines(f: SourceFile) -> list[str]:
    """The file's lines, normalised (one line out per line in)."""
    return normalize_lines(split_lines(f.text or ""))


def unnumbered(text: str) -> str:
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
_SENT_END = _lazy(r"[.!?][\"')\]]*\s+|(?P<cjk>\u3002|(?<=[\u3400-\u9fff\uf900-\ufaff])[!?;])[\"')\]\u300d\u300f]*\s*")
# _SENT_END without its Chinese branch, which needs a character past U+00FF: the same cuts in a text with none
# (``Doc.wide``), without compiling the CJK character ranges.
_SENT_END_NARROW = _lazy(r"[.!?][\"')\]]*\s+")
_CJK_END = _lazy(r"[\u3002;]")  # with no ".", "!" or "?": what _SENT_END can still end a sentence at
_LIST_NUMBER = _lazy(r"\(?(?:\d{1,3}|[ivxlc]{1,6})(?:\.\d{1,3})*\.?")
_INITIALS = _lazy(r"[a-z]\.|(?:[a-z]\.){2,}")
# Doc, Sent, _Line and _Para are plain classes, not records: they hold working state the reader fills in as it goes
# (lead-ins, neighbours, defined terms) and derive the rest on demand (cached_property).
class Doc:
    def __init__(self, name: str, role: str, text: str, line_starts: list[int], wide: bool = True) -> None:
        self.name = name
        self.role = role
        self.text = text
        self.line_starts = line_starts
        self.wide = wide  # the text may hold a character past U+00FF (Chinese among them): see ``wide``
        self.territory_def: tuple[str, list[str]] | None = None  # (mode, codes) of a defined "Territory"
        self.terms: dict[str, list[Any]] | None = None  # defined term -> thresholds it holds ("Threshold" means)

    @cached_property
    def low(self) -> str:
        return self.text.lower()

    def line_of(self, offset: int) -> int:
        return max(1, bisect_right(self.line_starts, offset))


class Sent:
    def __init__(self, doc: Doc, start: int, end: int, heading: bool = False) -> None:
        self.doc = doc
        self.start = start
        self.end = end
        self.heading = heading
        self.lead: Sent | None = None  # the lead-in sentence ("You agree not to use the Model:") of a list item
        self.next_text = ""
        self.prev_text = ""

    @cached_property
    def text(self) -> str:
        return self.doc.text[self.start:self.end]

    @cached_property
    def memo(self) -> dict[str, object]:
        """Per-sentence results of the detectors (made on first use: most sentences never need one)."""
        return {}

    @cached_property
    def combined(self) -> str:
        """What detectors read: the lead-in (if any), a space, then the sentence."""
        return f"{self.lead.text} {self.text}" if self.lead is not None else self.text

    @cached_property
    def low(self) -> str:
        return self.combined.lower()

    @cached_property
    def own_low(self) -> str:
        return self.text.lower()

    @cached_property
    def shouting(self) -> bool:
        return shouting(self.text)

    @property
    def item_offset(self) -> int:
        """Where the sentence itself starts in ``combined``."""
        return len(self.lead.text) + 1 if self.lead is not None else 0

    def has(self, words) -> bool:
        """Whether one of ``words`` occurs (lower-cased substring) in ``combined``: a cheap gate."""
        low = self.low
        for w in words:
            if w in low:
                return True
        return False

    def has_own(self, words) -> bool:
        low = self.own_low
        for w in words:
            if w in low:
                return True
        return False

    def offset_of(self, pos: int) -> int:
        """Stream offset of a position in ``combined``."""
        if self.lead is not None and pos < self.item_offset:
            return self.lead.start + pos
        return self.start + pos - self.item_offset


class _Line:
    __slots__ = ("indent", "item", "marker", "md_heading", "text")

    def __init__(self, text: str, item: bool, marker: str, indent: int, md_heading: bool) -> None:
        self.text = text
        self.item = item  # starts a list item
        self.marker = marker  # num | alpha | ALPHA | roman | ROMAN | paren | bullet | ""
        self.indent = indent
        self.md_heading = md_heading


class _Para:
    __slots__ = ("end", "heading", "indent", "item", "marker", "start")

    def __init__(self, start: int, end: int, item: bool, heading: bool, marker: str, indent: int) -> None:
        self.start = start
        self.end = end
        self.item = item
        self.heading = heading
        self.marker = marker
        self.indent = indent


_UPPER_ASCII = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER_ASCII = _UPPER_ASCII.lower()


def wide(text: str) -> bool:
    """Whether ``text`` holds a character past U+00FF, without a regular expression: False for ASCII and Latin-1
    text, where no pattern about Chinese text can match (and so none needs compiling)."""
    if text.isascii():
        return False
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return True
    return False


def shouting(text: str) -> bool:
    """ALL-CAPS text (a disclaimer, or a clause written in capitals to hide or to stress it)."""
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
    append = out.append
    in_front = False
    fence: str | None = None
    first_content = True
    for raw in lines:
        if not raw or raw.isspace():
            append(None)  # blank: nothing below changes for it (front matter, fences) nor reads it
            continue
        stripped = raw.strip()  # not empty: the line holds a character that is not a space
        if first_content:
            first_content = False
            in_front = stripped == "---"
        if in_front:
            if stripped in ("---", "...") and out:
                in_front = False
            append(None)
            continue
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            append(None)
            continue
        if raw.isalnum():  # one bare word ("a"): no marker, rule, quote, heading or emphasis to clean
            append(_Line(raw, False, "", 0, False))
            continue
        first = stripped[0]
        if first == "#" and stripped[1:2] == " " and stripped[2:].isalnum():  # "# h": what the steps below give
            append(_Line(stripped[2:], False, "", len(raw) - len(raw.lstrip()), True))
            continue
        if (first == "`" or first == "~") and stripped.startswith(("```", "~~~")):
            if skip_code:
                fence = stripped[:3]
            append(None)
            continue
        # Each pattern is tried only when the character it must start with (or contain) is there.
        if first in _RULE_CHARS and stripped[-1] in _RULE_CHARS and _RULE.fullmatch(stripped):
            append(None)
            continue
        indent = len(raw) - len(raw.lstrip())
        text = _QUOTE_PREFIX.sub("", stripped) if first == ">" else stripped
        md_heading = False
        if text[:1] == "#":
            m = _MD_HEADING.match(text)
            if m:
                md_heading = True
                text = text[m.end():].rstrip("# ")
        item = False
        marker = ""
        m = _BULLET.match(text) if text[:1] in _BULLET_CHARS else None
        if m:
            item, marker = True, "bullet"
            text = text[m.end():]
        if text.isalnum():  # "# h", "- a": no emphasis, space or numbering left to clean
            append(_Line(text, item, marker, indent, md_heading))
            continue
        if "*" in text or "_" in text or "`" in text or "\\" in text:
            text = _MD_NOISE.sub("", text)
        text = text.strip()
        if not marker:
            head = text[:18]  # _NUMBERING needs its "." or ")" by the 18th character
            m = _NUMBERING.match(text) if "." in head or ")" in head else None
            if m:
                item, marker = True, _kind_of(m.group(0))
        if not text:
            append(None)
            continue
        append(_Line(text, item, marker, indent, md_heading))
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
    body = unnumbered(text).strip().rstrip(".")
    if not body:
        return True
    if body.islower():  # no capital letter: not a title (the cheap test first: cards have many short lines)
        return False
    if item and len(body.split()) > 6:
        return False
    return _is_title(body)


def read(f: SourceFile) -> tuple[Doc, list[Sent]]:
    cleaned = _clean_lines(_normalised_lines(f), skip_code=f.role == "card")
    pieces: list[str] = []
    line_starts: list[int] = []
    pos = 0
    paras: list[_Para] = []
    prev_text: str | None = None
    add_start = line_starts.append
    for idx, ln in enumerate(cleaned):
        if ln is None:
            add_start(pos)
            prev_text = None
            continue
        text = ln.text
        prev_ends = prev_text is None or prev_text[-1] in ".:;!?\"')"
        # (a line with no capital letter that does not end with "." is never heading-like: the cheap test first)
        heading = ln.md_heading or (prev_ends and not (text[-1] != "." and text.islower())
                                    and _heading_like(text, ln.item, prev_ends))
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
        add_start(pos)
        pieces.append(text)
        pos += len(text)
        paras[-1].end = pos
        prev_text = None if heading else text
    joined = "".join(pieces)
    doc = Doc(f.name, f.role, joined, line_starts, wide(joined))

    sents: list[Sent] = []
    lead: Sent | None = None
    lead_para: _Para | None = None
    for para in paras:
        if para.heading:
            one = Sent(doc, para.start, para.end, True)
            one.text = joined[para.start:para.end]
            sents.append(one)
            lead = lead_para = None
            continue
        if lead is not None and lead_para is not None:
            if para.item:
                if lead_para.item and (para.indent < lead_para.indent or (
                        para.indent == lead_para.indent and para.marker == lead_para.marker)):
                    lead = lead_para = None  # a sibling of the lead-in item: its list is over
            elif not joined[para.start:para.start + 1].islower():
                lead = lead_para = None
        start, end = para.start, para.end
        if end - start <= 40:
            text = joined[start:end]
            if text.isalnum():  # one short word: one sentence (what _split_sentences gives, without its tests)
                one = Sent(doc, start, end)
                one.text = text
                one.lead = lead
                sents.append(one)
                continue
        para_sents = _split_sentences(doc, start, end)
        for i, s in enumerate(para_sents):
            if i == 0 or s.text[:1].islower():
                s.lead = lead
            sents.append(s)
        if para_sents and para_sents[-1].text.rstrip().endswith(":"):
            lead, lead_para = para_sents[-1], para
    # Plain attributes, not links to the neighbours: no reference cycles for the collector.
    texts = [s.text for s in sents]
    texts.append("")
    prev = ""
    for s, following in zip(sents, texts[1:], strict=True):
        if s.lead is None:
            s.combined = s.text  # what the cached property would give: set now, every detector reads it
        s.prev_text = prev
        s.next_text = following
        prev = s.text
    return doc, sents


def _split_sentences(doc: Doc, start: int, end: int) -> list[Sent]:
    text = doc.text[start:end]
    out: list[Sent] = []
    if "." not in text and "!" not in text and "?" not in text and (text.isascii() or not _CJK_END.search(text)):
        # no sentence end in the paragraph (_SENT_END needs one of these): one sentence, or _chunk's cuts
        if start < end <= start + MAX_SENTENCE and not text[-1].isspace():
            out.append(_sent(doc, start, end))
        else:
            _chunk(doc, start, end, out)
        return out
    cut = 0
    for m in (_SENT_END if doc.wide else _SENT_END_NARROW).finditer(text):
        at, after_at = m.span()
        if doc.wide and m.group("cjk"):
            _chunk(doc, start + cut, start + after_at, out)
            cut = after_at
            continue
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


def _chunk(doc: Doc, start: int, end: int, out: list[Sent]) -> None:
    """Append the sentence doc.text[start:end] to ``out``, trailing space trimmed; very long "sentences"
    (unpunctuated walls of text) are cut at a space near the size limit."""
    text = doc.text
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE:
        window = text[start:start + MAX_SENTENCE]
        k = max(window.rfind("; "), window.rfind(", "), window.rfind(" "))
        k = k + 1 if k > MAX_SENTENCE // 3 else MAX_SENTENCE
        out.append(_sent(doc, start, start + k))
        start += k
    if end > start:
        out.append(_sent(doc, start, end))


def _sent(doc: Doc, start: int, end: int, heading: bool = False) -> Sent:
    s = Sent(doc, start, end, heading)
    s.text = doc.text[start:end]  # every sentence's text is read: set now, not through the cached property
    return s

