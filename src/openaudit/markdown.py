"""The model card's markdown, parsed once into a document model with line numbers.

Every reader of a card (the openness facts, the MOF component mapping, the EU AI Act readers) asks this model
what a line is, instead of parsing the markdown its own way: which lines are YAML front matter, fenced code
(fence lines included), headings (ATX ``#`` and HTML ``<h1>``…``<h6>``), table rows, list items, blank or
prose; which heading encloses a line; where paragraphs start and end; where a section ends; and (inline) the
links of a line. HTML comments, also across lines, are removed before a line is classified.

The parser is a small line-based block parser, not CommonMark: one pass over the lines, a constant amount of
work per line plus patterns bounded by the line's length, so a hostile 2 MiB card costs linear time
(``bench/hostile_cards.py``). markdown-it-py (installed through rich) was measured and not used: its block
parser alone takes ~9 s on a 2 MiB card of ``# h`` lines, and it has no notion of the HTML headings,
comment-stripped text and flat sections the readers rely on.

Line numbers are 1-based lines of the card file (front matter included), the numbers every citation carries.
The parse is cached on the :class:`~openaudit.card.Card` (``card.markdown``).
"""

from __future__ import annotations

import re
from array import array

from msgspec import Struct, field

from openaudit.lazyre import compile as _lazy

__all__ = [
    "BLANK", "CODE", "FRONT", "HEADING", "LIST", "TABLE", "TEXT",
    "CodeBlock", "Document", "Heading", "md_links", "parse", "strip_links",
]

# What a line is (Document.kinds). A line is exactly one of these.
FRONT = 0  # YAML front matter (before the body)
BLANK = 1  # empty or whitespace once HTML comments are removed (outside code)
TEXT = 2  # prose
HEADING = 3  # an ATX or HTML heading
TABLE = 4  # a table row (starts with "|")
LIST = 5  # the first line of a list item ("- ", "* ", "+ ", "1. ", "1) ")
CODE = 6  # a fence line or a line inside fenced code

_HTML_HEADING = _lazy(r"^\s*<h([1-6])[^>]{0,200}>(.{0,500}?)</h\1>", re.I)
_FENCE = _lazy(r"^\s{0,3}(```+|~~~+)")
_LIST_ITEM = _lazy(r"^\s*(?:[-*+]|\d+[.)])\s+")
_INLINE_MARKUP = _lazy(r"<[^>]{0,200}>|[*_`]")
_LIST_FIRST = frozenset("-*+0123456789")

MAX_HEADING = 500  # characters of a heading's text read for its plain text
MAX_ANCHOR = 300  # characters of link text looked at before a "](" (cards are untrusted: keep scans linear)
MAX_TARGET = 2048  # characters of link target looked at after it


class Heading(Struct):
    """A heading of a markdown document, the headings enclosing it, and where its section ends."""

    line: int
    level: int  # 1..6
    text: str  # plain text: tags and * _ ` removed, closing #s stripped (first MAX_HEADING characters)
    raw: str  # as written, closing #s stripped ("" for an HTML heading: its markup is not a title)
    html: bool  # <h1>…<h6>
    path: tuple[str, ...]  # plain texts of the enclosing headings, outermost first, this one last
    next: int  # line of the next heading of any level (last line + 1 when none): its own lines end before it
    end: int  # last line of its section: before the next heading of the same or a higher level


class CodeBlock(Struct, frozen=True):
    """A fenced code block of a markdown document."""

    start: int  # the opening fence line
    end: int  # the closing fence line (the last line when the fence is never closed)
    info: str  # what follows the opening fence ("python")


class Document(Struct):
    """A parsed card. ``kinds``, ``section`` are indexed by line number (index 0 unused)."""

    lines: list[str]  # every line of the file: line n is lines[n - 1]
    body_start: int  # first line after the front matter
    kinds: bytearray
    section: array[int]  # line -> index in headings of its innermost heading, -1 before any
    headings: list[Heading] = field(default_factory=list)
    code_blocks: list[CodeBlock] = field(default_factory=list)
    uncommented: dict[int, str] = field(default_factory=dict)  # line -> its text without HTML comments
    _paragraphs: list[tuple[int, int]] | None = None  # paragraphs(), once computed

    def text(self, no: int) -> str:
        """Line ``no`` without its HTML comments."""
        got = self.uncommented.get(no)
        return self.lines[no - 1] if got is None else got

    @property
    def title(self) -> str | None:
        """The first non-empty level-1 heading."""
        for h in self.headings:
            if h.level == 1 and h.text:
                return h.text
        return None

    def path_of(self, no: int) -> tuple[str, ...]:
        """Plain texts of the headings enclosing line ``no`` (a heading line is inside its own heading)."""
        i = self.section[no]
        return self.headings[i].path if i >= 0 else ()

    def body(self) -> range:
        return range(self.body_start, len(self.lines) + 1)

    def heading_at(self, no: int) -> Heading | None:
        i = self.section[no]
        return self.headings[i] if self.kinds[no] == HEADING and i >= 0 else None

    def paragraphs(self) -> list[tuple[int, int]]:
        """(first line, last line) of each run of prose and list lines: a blank line, a heading, a table row,
        code or a new list item ends a paragraph."""
        if self._paragraphs is None:
            out: list[tuple[int, int]] = []
            kinds = self.kinds
            first = -1
            for no in self.body():
                k = kinds[no]
                if k == TEXT:
                    if first < 0:
                        first = no
                elif k == LIST:
                    if first >= 0:
                        out.append((first, no - 1))
                    first = no
                elif first >= 0:
                    out.append((first, no - 1))
                    first = -1
            if first >= 0:
                out.append((first, len(self.lines)))
            self._paragraphs = out
        return self._paragraphs


def _strip_comments(text: str, in_comment: bool) -> tuple[str, bool]:
    """Remove HTML comments from a line; returns the rest and whether a comment is still open (linear scan)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if in_comment:
            j = text.find("-->", i)
            if j < 0:
                break
            i, in_comment = j + 3, False
        else:
            j = text.find("<!--", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j])
            i, in_comment = j + 4, True
    return "".join(out), in_comment


def parse(lines: list[str], body_start: int = 1) -> Document:
    """The document model of a card whose file lines are ``lines`` and whose body starts at ``body_start``."""
    n = len(lines)
    body_start = max(1, body_start)
    kinds = bytearray(n + 1)  # FRONT = 0
    section = array("i", [-1]) * (n + 1)
    doc = Document(lines, body_start, kinds, section)
    headings = doc.headings
    uncommented = doc.uncommented
    stack: list[Heading] = []  # the enclosing headings, outermost first
    last = n + 1  # "next" of the last heading; its "end" is n (set below for every heading still open)
    current = -1
    in_code = False
    fence = ""
    code_start = 0
    code_info = ""
    in_comment = False
    for no in range(body_start, n + 1):
        text = lines[no - 1]
        if in_comment or "<!--" in text:
            text, in_comment = _strip_comments(text, in_comment)
            uncommented[no] = text
        if "```" in text or "~~~" in text:
            fm = _FENCE.match(text)
            if fm:
                marker = fm.group(1)[:3]
                if not in_code:
                    in_code, fence, code_start, code_info = True, marker, no, text[fm.end():].strip()
                elif marker == fence:
                    in_code = False
                    doc.code_blocks.append(CodeBlock(code_start, no, code_info))
                kinds[no] = CODE
                section[no] = current
                continue
        if in_code:
            kinds[no] = CODE
            section[no] = current
            continue
        stripped = text.strip()
        if not stripped:
            kinds[no] = BLANK
            section[no] = current
            continue
        first = stripped[0]
        level = 0
        if first == "#":
            # an ATX heading, by hand (no regex per line): ^ {0,3}(#{1,6})(?:[ \t]+(.*))?$
            rest = stripped.lstrip("#")
            marks = len(stripped) - len(rest)
            if marks <= 6 and text.startswith(("#", " #", "  #", "   #")) and (
                    (rest or text[text.index("#") + marks:] or " ")[0] in " \t"):
                html, level, raw = False, marks, rest.lstrip(" \t")  # (trailing space: stripped below anyway)
        elif first == "<" and ("<h" in text or "<H" in text):
            hm = _HTML_HEADING.match(text)  # compiled when a card first holds an HTML heading
            if hm is not None:
                html, level, raw = True, int(hm.group(1)), hm.group(2)
        if level:
            name = raw if len(raw) <= MAX_HEADING else raw[:MAX_HEADING]
            if "<" in name or "*" in name or "_" in name or "`" in name:
                name = _INLINE_MARKUP.sub("", name)
            name = name.strip().rstrip("#").strip()
            while stack and stack[-1].level >= level:
                stack.pop().end = no - 1
            h = Heading(no, level, name, "" if html else raw.rstrip().rstrip("#").rstrip(), html,
                        (*stack[-1].path, name) if stack else (name,), last, last)
            if headings:
                headings[-1].next = no
            stack.append(h)
            current = len(headings)
            headings.append(h)
            kinds[no] = HEADING
        elif first == "|":
            kinds[no] = TABLE
        elif first in _LIST_FIRST and _LIST_ITEM.match(text):
            kinds[no] = LIST
        else:
            kinds[no] = TEXT
        section[no] = current
    if in_code:
        doc.code_blocks.append(CodeBlock(code_start, n, code_info))
    for h in stack:
        h.end = n
    return doc


# ---------------------------------------------------------------------------------------------------------------
# Inline: links


def md_links(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, anchor, url) of the markdown links ``[anchor](url)`` of a line, left to right.

    A scanner rather than a regex: a nested-bracket regex is quadratic on lines such as ``[[[[…``, and the
    card is untrusted. Each ``](`` costs at most MAX_ANCHOR + MAX_TARGET characters of C-level search."""
    out: list[tuple[int, int, str, str]] = []
    pos = last_end = 0
    while True:
        k = text.find("](", pos)
        if k < 0:
            return out
        pos = k + 2
        lo = max(last_end, k - MAX_ANCHOR)
        s = text.rfind("[", lo, k)
        if s < 0:
            continue
        if "]" in text[s + 1:k]:  # one level of nested brackets: [FLUX.1 [dev]](…)
            outer = text.rfind("[", lo, s)
            if outer >= 0:
                s = outer
        e = text.find(")", k + 2, k + 2 + MAX_TARGET)
        if e < 0:
            continue
        target = text[k + 2:e].strip().lstrip("<")
        url = target.split(None, 1)[0].rstrip(">") if target else ""
        if not url:
            continue
        out.append((s, e + 1, text[s + 1:k], url))
        last_end = pos = e + 1


def strip_links(text: str) -> str:
    """The text with every markdown link replaced by its anchor text."""
    if "](" not in text:
        return text
    parts: list[str] = []
    prev = 0
    for start, end, anchor, _url in md_links(text):
        parts.append(text[prev:start])
        parts.append(anchor)
        prev = end
    parts.append(text[prev:])
    return "".join(parts)
