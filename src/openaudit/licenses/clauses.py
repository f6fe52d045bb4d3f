"""Read restrictions out of license texts we may never have seen: user and revenue caps, territory
exclusions, bans on training other models, non-commercial terms, use policies, attribution and naming rules,
share-alike, no-derivatives, registration, terms the licensor may change, and any other binding sentence
(``unclassified``), so that an unknown license never looks unrestricted.

How a file is read:

1. ``sentences.read`` normalises the text (``normalize``), cleans and joins its lines, and cuts it into
   sentences; a list item is read with its lead-in.
2. Each detector looks for its key phrase in a sentence and checks the sentence around it: a prohibition for a
   ban, a consequence for a threshold (a separate license, a fee, an attribution duty or a notice: only the
   first two make a cap), an obligation for attribution. Headings, definitions ("X" means ...), grants and
   negations ("you are not required to", "no limit on") produce nothing. Places, units and the Chinese
   patterns come from the vocabulary files (``rules/vocabulary``).
3. A binding sentence (``modality``: a prohibition, an obligation or a limitation such as "only for") that no
   detector claims and that is not license boilerplate (warranty, liability, notices, source code...) is an
   ``unclassified`` restriction.
4. The citation points at the line where the key phrase starts and quotes the sentence (whitespace collapsed,
   at most 300 characters, cut around the key phrase). Within one file, restrictions of the same kind with
   the same thresholds are merged into one; the citation kept is the most binding sentence.

Only plain ``re`` patterns with bounded gaps, run over sentences of bounded length: linear in the text.

This module walks a file's sentences and merges what the detectors find (``openaudit.licenses.detectors``,
one module per kind of term, and ``detectors.unclassified``).
"""

from __future__ import annotations

from openaudit.evidence import SourceFile
from openaudit.licenses.detectors import candidates
from openaudit.licenses.detectors.caps import defined_thresholds
from openaudit.licenses.detectors.common import BINDING, is_definition
from openaudit.licenses.detectors.territory import territory_definition
from openaudit.licenses.detectors.unclassified import unclassified
from openaudit.licenses.sentences import Doc, Sent, read, unnumbered
from openaudit.model import Citation, Restriction

__all__ = ["QUOTE_LIMIT", "READ_ROLES", "extract_from_text", "extract_restrictions"]

READ_ROLES = ("license", "use_policy", "notice", "card")
QUOTE_LIMIT = 300

_MAX_UNCLASSIFIED = 12
# Cards are not terms: "this model should not be used for medical advice" is guidance, not a license clause.
_UNCLASSIFIED_ROLES = ("license", "use_policy", "notice")



def _quote(s: Sent, pos: int) -> tuple[str, int]:
    """The sentence, whitespace collapsed; cut around ``pos`` when longer than QUOTE_LIMIT; and where the key phrase
    (``pos``) stands in it (Citation.key_at: shorter quotes are centred on it)."""
    text = s.combined
    if s.lead is not None and pos >= s.item_offset:
        body = unnumbered(s.text)
        if len(body) >= 60 and body[:1].isupper():
            text, pos = s.text, pos - s.item_offset  # the item reads on its own
    full = " ".join(text.split())
    key = max(0, min(len(" ".join((text[:pos] + "x").split())) - 1, len(full)))
    if len(full) <= QUOTE_LIMIT:
        return full, key
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
    body = full[start:end]
    lead = ("…" if start > 0 else "")
    focus = len(lead) + key - start - (len(body) - len(body.lstrip()))
    return lead + body.strip() + ("…" if end < len(full) else ""), max(0, focus)


def _merge_summaries(first: str, second: str) -> str:
    parts = first.split("; ")
    if second.lower() in (p.lower() for p in parts) or len(parts) >= 3:
        return first
    return f"{first}; {second[:1].lower()}{second[1:]}"


def _retitle_territory(summary: str, codes: list[str]) -> str:
    return f"{summary.rsplit(' in ', 1)[0]} in {', '.join(codes)}"


def _in_ranges(doc: Doc, s: Sent, ranges: list[tuple[int, int]] | None) -> bool:
    if ranges is None:
        return True
    first, last = doc.line_of(s.start), doc.line_of(max(s.start, s.end - 1))
    return any(lo <= last and first <= hi for lo, hi in ranges)


def _extract_file(f: SourceFile, ranges: list[tuple[int, int]] | None = None) -> list[Restriction]:
    doc, sents = read(f)
    # Definitions are read in the whole file, even when only some lines are read for terms.
    for s in sents if "territor" in doc.low else ():
        d = None if s.heading or not s.has_own(("territor",)) else territory_definition(s.text)
        if d is not None and d[1]:
            doc.territory_def = d
            break
    doc.terms = defined_thresholds(sents)
    best: dict[tuple[object, ...], tuple[int, Restriction]] = {}
    claimed: set[int] = set()  # ids of sentences some detector claimed
    n_unclassified = 0
    for s in sents:
        if s.heading or len(s.text) < 6:
            continue  # no detector reads it (``candidates``: none; ``unclassified``: not a heading, 5 words at least)
        if not _in_ranges(doc, s, ranges):
            continue
        cands = candidates(s)
        if cands:
            claimed.add(id(s))
        elif f.role in _UNCLASSIFIED_ROLES and not s.heading and not is_definition(s.text) and (
                s.lead is None or id(s.lead) not in claimed):
            cands = unclassified(s)
            if cands:
                n_unclassified += 1
                if n_unclassified > _MAX_UNCLASSIFIED:
                    continue
        binding = bool(cands) and BINDING.search(s.text) is not None
        for c in cands:
            if binding:
                c.score += 1
            quote, focus = _quote(s, c.pos)
            r = Restriction(
                kind=c.kind,
                summary=c.summary,
                thresholds=list(c.thresholds),
                territories=list(c.territories),
                clause=Citation(source="file", file=f.name, line=f.source_line(doc.line_of(s.offset_of(c.pos))),
                                text=quote, key_at=focus),
                origin="text",
            )
            ths = tuple(sorted((t.value, t.unit, t.currency or "") for t in c.thresholds))
            # exclusions and domicile rules merge
            key: tuple[object, ...] = (c.kind, ths, "only" if c.mode == "only" else "")
            if c.kind == "unclassified":
                key = (c.kind, s.start)  # each one is its own sentence
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
    if n_unclassified > _MAX_UNCLASSIFIED:
        last = [r for r in out if r.kind == "unclassified"][-1]
        last.summary += f" (and {n_unclassified - _MAX_UNCLASSIFIED} more binding sentences not listed)"
    out.sort(key=lambda r: r.clause.line if r.clause and r.clause.line else 0)
    return out


def extract_restrictions(files: list[SourceFile], *,
                         only_lines: dict[str, list[tuple[int, int]]] | None = None) -> list[Restriction]:
    """Restrictions read from the text of every readable license, use policy, notice and card file.

    One list for all files, file by file in the order given, each file's restrictions in line order.
    Restrictions are merged within a file, never across files: a card restating the license's cap
    gives a second restriction citing the card.

    ``only_lines`` (file name -> inclusive 1-based line ranges) limits the reading of the files it names to the
    sentences overlapping those ranges (the passages of a known license that were added or changed; an empty
    list reads nothing of that file). Files it does not name are read whole. Definitions ("Territory" means,
    '"Threshold" means') are taken from the whole file either way."""
    out: list[Restriction] = []
    for f in files:
        if f.text is None or f.role not in READ_ROLES:
            continue
        ranges = only_lines.get(f.name) if only_lines is not None else None
        if ranges is not None and not ranges:
            continue
        out.extend(_extract_file(f, ranges))
    return out


def extract_from_text(text: str, name: str = "LICENSE", role: str = "license") -> list[Restriction]:
    """Restrictions of a bare text, as if it were the file ``name`` with the given role."""
    return extract_restrictions([SourceFile(name=name, role=role, text=text)])
