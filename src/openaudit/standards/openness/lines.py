"""The card as the openness readers see it: one :class:`Line` per body line, from the card's parsed markdown
(:mod:`openaudit.markdown`), with its heading context; and its paragraphs."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable

from msgspec import Struct

from openaudit import markdown as md
from openaudit.evidence import Evidence
from openaudit.lazyre import LazyPattern
from openaudit.lazyre import compile as _lazy


def keyword_pattern(words: tuple[str, ...]) -> LazyPattern:
    """A pattern that finds any of ``words`` in a lower-cased line: ``any(w in low for w in words)`` in one
    C-level search (the per-line pre-check before a costlier regex)."""
    return _lazy("|".join(re.escape(w) for w in words))


class Line(Struct):
    """One line of the card body, as the openness readers see it."""

    no: int
    text: str  # with HTML comments removed
    headings: tuple[str, ...]  # enclosing headings, outermost first
    in_code: bool
    is_table: bool
    is_list: bool
    heading: bool = False
    low: str = ""  # lower-cased text, for cheap substring pre-checks before the regexes
    roles: frozenset[str] | None = None  # role words of the whole line (lazily, see links.line_roles)


def walk(ev: Evidence, text_keys: tuple[str, ...] | None = None, code_keys: tuple[str, ...] | None = None,
         keep_section: Callable[[tuple[str, ...]], bool] | None = None) -> tuple[list[Line], str | None]:
    """The card body's non-blank lines with their heading context (from the card's parsed markdown); also the
    first H1 title.

    With ``text_keys`` and ``code_keys``, only the lines some reader acts on (each reader first looks for its key
    words in the lower-cased line and does nothing without them): a line outside code holding one of
    ``text_keys``, a line of code holding one of ``code_keys``, every table row, every line of a section whose
    heading path ``keep_section`` accepts, every line with an HTML comment removed; and each whole paragraph that
    holds such a line (a sentence may run over its lines). A card of 100,000 lines that say nothing costs a
    keyword search per line, not a line object and a pass of every reader."""
    card = ev.card
    if card is None:
        return [], None
    doc = card.markdown
    kinds, section, headings, lines, uncommented = doc.kinds, doc.section, doc.headings, doc.lines, doc.uncommented
    body = doc.body()
    if text_keys is None or code_keys is None:
        wanted: Iterable[int] = body
    else:
        wanted = _wanted(doc, text_keys, code_keys, keep_section)
    out: list[Line] = []
    append = out.append
    blank = md.BLANK
    for no in wanted:
        k = kinds[no]
        if k == blank:  # (no reader looks at a blank line: paragraphs end at a gap in the line numbers)
            continue
        text = uncommented[no] if no in uncommented else lines[no - 1]
        i = section[no]
        append(Line(no, text, headings[i].path if i >= 0 else (), k == md.CODE, k == md.TABLE, k == md.LIST,
                    k == md.HEADING, text.lower()))
    return out, doc.title


def _wanted(doc: md.Document, text_keys: tuple[str, ...], code_keys: tuple[str, ...],
            keep_section: Callable[[tuple[str, ...]], bool] | None) -> list[int]:
    """The line numbers ``walk`` keeps (see there), in order."""
    body = doc.body()
    kinds = doc.kinds
    low = "\n".join(doc.lines[doc.body_start - 1:]).lower().split("\n")  # one lower-cased string per body line
    text_hit = keyword_pattern(text_keys).search
    code = md.CODE
    keep = {no for no, t in zip(body, low, strict=False) if text_hit(t) and kinds[no] != code}
    if kinds.find(code, doc.body_start) >= 0:  # the code keys are compiled only for a card that holds code
        code_hit = keyword_pattern(code_keys).search
        keep.update(no for no, t in zip(body, low, strict=False) if kinds[no] == code and code_hit(t))
    keep.update(doc.uncommented)
    table = bytes([md.TABLE])
    at = kinds.find(table, doc.body_start)
    while at >= 0:
        keep.add(at)
        at = kinds.find(table, at + 1)
    if keep_section is not None:
        for h in doc.headings:
            if keep_section(h.path):
                keep.update(range(h.line, h.next))
    paragraphs = doc.paragraphs()
    firsts = [p[0] for p in paragraphs]
    whole: set[int] = set()  # paragraphs added (each once: a paragraph of n kept lines costs n, not n * n)
    for no in list(keep):
        if kinds[no] in (md.TEXT, md.LIST):
            i = bisect_right(firsts, no) - 1
            if i >= 0 and i not in whole and paragraphs[i][0] <= no <= paragraphs[i][1]:
                whole.add(i)
                keep.update(range(paragraphs[i][0], paragraphs[i][1] + 1))
    return sorted(keep)


def paragraphs_of(lines: list[Line]) -> list[list[Line]]:
    """Runs of prose lines: a blank line, heading, table row, code or a new list item ends a paragraph."""
    out: list[list[Line]] = []
    buf: list[Line] = []
    for ln in lines:
        if ln.in_code or ln.heading or ln.is_table or not ln.text.strip():
            if buf:
                out.append(buf)
            buf = []
            continue
        if buf and (ln.is_list or ln.no != buf[-1].no + 1):  # a new item, or a blank line before it
            out.append(buf)
            buf = []
        buf.append(ln)
    if buf:
        out.append(buf)
    return out
