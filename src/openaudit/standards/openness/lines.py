"""The card as the openness readers see it: one :class:`Line` per body line, from the card's parsed markdown
(:mod:`openaudit.markdown`), with its heading context; and its paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from openaudit import markdown as md
from openaudit.evidence import Evidence
from openaudit.lazyre import LazyPattern
from openaudit.lazyre import compile as _lazy


def keyword_pattern(words: tuple[str, ...]) -> LazyPattern:
    """A pattern that finds any of ``words`` in a lower-cased line: ``any(w in low for w in words)`` in one
    C-level search (the per-line pre-check before a costlier regex)."""
    return _lazy("|".join(re.escape(w) for w in words))


@dataclass(slots=True)
class Line:
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


def walk(ev: Evidence) -> tuple[list[Line], str | None]:
    """The card body as lines with their heading context (from the card's parsed markdown); also the first H1
    title."""
    card = ev.card
    if card is None:
        return [], None
    doc = card.markdown
    kinds, section, headings, lines, uncommented = doc.kinds, doc.section, doc.headings, doc.lines, doc.uncommented
    out: list[Line] = []
    append = out.append
    for no in doc.body():
        k = kinds[no]
        text = uncommented[no] if no in uncommented else lines[no - 1]
        i = section[no]
        append(Line(no, text, headings[i].path if i >= 0 else (), k == md.CODE, k == md.TABLE, k == md.LIST,
                     k == md.HEADING, text.lower()))
    return out, doc.title


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
        if ln.is_list and buf:
            out.append(buf)
            buf = []
        buf.append(ln)
    if buf:
        out.append(buf)
    return out
