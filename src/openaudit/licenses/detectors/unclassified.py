"""Binding sentences no kind claims: a prohibition, limitation or obligation of the licensee that is not license
boilerplate is an ``unclassified`` restriction, so that an unknown license never looks unrestricted."""

from __future__ import annotations

from openaudit.licenses import modality as _modality
from openaudit.licenses import vocabulary as _vocab
from openaudit.licenses.detectors.common import Cand, has_cjk, word_list
from openaudit.licenses.sentences import Sent, unnumbered


def unclassified(s: Sent) -> list[Cand]:
    """A binding sentence (prohibition, limitation, obligation) about the licensee or the use of the work that
    no detector claimed and that is not license boilerplate: an ``unclassified`` restriction.

    A lead-in ("You must do one of these things:") is read through its items. An obligation binds only when the
    licensee is its subject and it is not about copying, modifying or sharing the work (copyleft and notice
    mechanics); a binding phrase whose subject is the licensor or the license binds no user."""
    v = _vocab.load()
    text = s.combined
    if s.text.rstrip().endswith(":") or len(s.text.split()) < 5:
        return []  # a lead-in is read through its items; "4.5 Prohibited Uses." is a title
    low = s.low
    if has_cjk(s):
        if not any(w in text for w in v.zh_binding) or any(w in text for w in v.zh_boilerplate):
            return []
        return [Cand("unclassified", s.item_offset, "Binding sentence not classified: " + _short(s.text), score=1)]
    mod = _modality.classify(text)
    if not mod.binding or mod.relieved or not word_list("subjects").search(low):
        return []
    if word_list("boilerplate").search(low):
        return []
    if not mod.limitation and word_list("not_bound_end").search(low, max(0, mod.at - 60), mod.at):
        return []  # "the Licensor shall not be bound": binds the licensor ("this license is granted only to" binds)
    if mod.prohibition and mod.weak and not mod.limitation and not \
            word_list("licensee").search(low, max(0, mod.at - 40), mod.at):
        return []  # "problems will not reflect on the authors": a statement, not a duty of the user
    if not mod.prohibition and not mod.limitation and (
            not word_list("licensee").search(low, max(0, mod.obligation_at - 60), mod.obligation_at)
            or word_list("mechanics").search(low)):
        return []
    return [Cand("unclassified", max(mod.at, s.item_offset),
                  f"Binding sentence not classified ({mod.label}): {_short(s.text)}", score=1)]


def _short(text: str, limit: int = 120) -> str:
    t = " ".join(unnumbered(text.strip()).split())
    return f'"{t}"' if len(t) <= limit else f'"{t[:limit].rsplit(" ", 1)[0]}…"'
