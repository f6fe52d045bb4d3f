"""The license text a gated repository shows in the Hub's access form: card metadata ``extra_gated_prompt``.

Meta's Llama cards put the whole license agreement there; others a one-line "you agree to our license" note
(Gemma) or a summary of the terms (Stable Diffusion's RAIL). When the LICENSE file of a gated repository
cannot be read, this text is often the only copy of the terms at hand.

It is read as a *virtual file* named ``<card> (extra_gated_prompt)`` (``README.md (extra_gated_prompt)``, or
``model_info.cardData (extra_gated_prompt)`` when only the card data returned by the Hub is available), whose
line numbers are those of the prompt text itself (line 1 = its first line). It is a weaker, supporting source:

- identification (``identify``): only a strong text match counts (never a resemblance), with a lower weight
  than a license file or the card's ``license``; it is used only when it agrees with every other known
  signal, or when there is no other signal and no readable license file. Otherwise it is left out and a note
  says why: it never names a license against the card or a license file, and never makes a conflict.
- terms (``terms``): when no license file is readable, its clauses are read if it reads as the identified
  license or as no known license at all; when a license file is readable, they are read too (it is what the
  user agreed to) unless it is the unmodified text of a known license or policy (whose terms are the catalog's);
  a number or territory it states that differs from the
  catalog's known terms is a note, not a discrepancy finding.
"""

from __future__ import annotations

import functools
from typing import Any

from openaudit.evidence import Evidence, SourceFile

KEY = "extra_gated_prompt"
ROLE = "gated_prompt"
MAX_PROMPT_CHARS = 256 * 1024
STRONG = 0.9  # a full text match (textmatch gives 0.95); partial resemblances are <= 0.5
WEIGHT = 0.6  # below a license file's text (0.95) and the card's license (0.9): it supports, never decides


def prompt_file(ev: Evidence) -> SourceFile | None:
    """The access-form text as a virtual license-like file, or None when the card has none."""
    card = ev.card
    if card is None:
        return None
    value = card.metadata.get(KEY)
    if not isinstance(value, str) or not value.strip():
        return None
    return _prompt_file(card.path, value, tuple(card.lines), card.line_of(KEY), card.body_start)


@functools.lru_cache(maxsize=16)
def _prompt_file(path: str, value: str, card_text: tuple[str, ...], key_line: int | None,
                 body_start: int) -> SourceFile:
    """Cached by content (the card's lines and the value): the same file for every reader of one access form,
    with, for each of its lines, the card line where it sits."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    truncated = len(text) > MAX_PROMPT_CHARS
    if truncated:
        text = text[:MAX_PROMPT_CHARS]
    sf = SourceFile(name=f"{path} ({KEY})", role=ROLE, text=text, truncated=truncated, size=len(value))
    sf.line_map = card_lines(list(card_text), key_line, body_start, sf.lines)
    return sf


_ESCAPED = "\\\"'\t"  # characters a YAML scalar may write otherwise than the text reads (escaped, doubled)
_NEEDLE = 40  # characters of a line looked for in the card
_LOOKAHEAD = 64  # card lines searched past the last line found
_BUDGET = 8_000_000  # characters compared in all: linear in the size of the card, whatever its shape


def card_lines(card: list[str], key_line: int | None, body_start: int, lines: list[str]) -> tuple[int, ...] | None:
    """For each line of the access-form text, the card line where it sits: the ``extra_gated_prompt`` key's line
    and the lines after it in the front matter (a ``|`` block holds one line of text per card line; a quoted
    string, all of them on one card line). Each text line is looked for by its first plain words, in order from
    the last one found; a line not found (escapes, folding, too short to tell) takes the line of the one before.
    None when the card does not say where the key is."""
    if not key_line or not 0 < key_line <= len(card):
        return None
    last = max(key_line, min(len(card), body_start - 1))  # the front matter's last line
    at, col, budget = key_line, 0, _BUDGET
    out: list[int] = []
    for text in lines:
        words = text.strip().lstrip(_ESCAPED)
        n = 0
        while n < min(len(words), _NEEDLE) and words[n] not in _ESCAPED:
            n += 1
        needle = words[:n].rstrip()
        short = needle[:16].rsplit(" ", 1)[0] if len(needle) > 16 else needle  # the first words: a folded line
        for probe in dict.fromkeys((needle, short)):  # breaks after them
            if len(probe) < 8 or budget <= 0:
                continue
            found = False
            for i in range(at, min(last, at + _LOOKAHEAD) + 1):
                start = col if i == at else 0
                budget -= len(card[i - 1]) - start
                pos = card[i - 1].find(probe, start)
                if pos >= 0:
                    at, col, found = i, pos + len(probe), True
                    break
                if budget <= 0:
                    break
            if found:
                break
        out.append(at)
    return tuple(out)


def strong_match(ev: Evidence, catalog: Any) -> Any:
    """The prompt's full text match (a ``textmatch.TextMatch``), or None: no prompt, or no strong match."""
    pf = prompt_file(ev)
    if pf is None or pf.text is None:
        return None
    return _strong_match(pf.text, catalog)


@functools.lru_cache(maxsize=16)
def _strong_match(text: str, catalog: Any) -> Any:
    """Cached by content (the text) and catalog: identification and the terms both ask."""
    from openaudit.licenses.textmatch import match_text

    matches = [m for m in match_text(text, catalog) if m.entry.category != "policy"]
    return matches[0] if matches and matches[0].confidence >= STRONG else None


def readable_license_file(ev: Evidence) -> bool:
    return any(f.text is not None for f in ev.license_files())


def note(notes: list[str] | None, text: str) -> None:
    """Add ``text`` to the reader's ``notes`` (returned to the pipeline for the report; the evidence is never
    changed), once."""
    if notes is not None and text not in notes:
        notes.append(text)


def usable_for_terms(ev: Evidence, catalog: Any, entry: Any) -> SourceFile | None:
    """The prompt file when its clauses may be read for terms (see the module docstring), else None.

    When a license file is readable, the access-form text is still what the user agreed to: it is read unless
    it is the text of a known license or use policy (fill-in fields aside), whose terms are the catalog's."""
    pf = prompt_file(ev)
    if pf is None or pf.text is None:
        return None
    if readable_license_file(ev):
        from openaudit.licenses import coverage as cv

        return None if cv.identify_text(pf.text, catalog, policies=True).status == cv.EXACT else pf
    match = strong_match(ev, catalog)
    if match is not None and (entry is None or match.entry is not entry):
        return None  # it reads as another license than the one identified: not its terms
    return pf
