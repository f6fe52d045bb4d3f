"""The modality of a sentence: what it does to the reader of a license.

``classify`` says whether a sentence prohibits ("may not", "shall refrain from", "is prohibited"), obliges
("must", "shall", "agree to"), limits ("only for", "solely in", "restricted to"), permits ("may", "is granted")
or sets a condition ("if", "provided that", "unless"), and whether its binding phrase is negated ("you are not
required to", "nothing ... shall"). The phrases are data (``rules/vocabulary/kinds.yaml``, ``modality``).
ALL-CAPS sentences are read like any other (the patterns ignore case).

Kinds are decided after this, by the detectors in ``clauses``; a binding sentence no detector claims is an
``unclassified`` restriction.
"""

from __future__ import annotations

import re
from functools import lru_cache

from msgspec import Struct

from openaudit.lazyre import compile as _lazy
from openaudit.licenses import vocabulary as _vocab

__all__ = ["Modality", "classify"]


class Modality(Struct, frozen=True):
    """What a clause does: prohibit, oblige, limit, permit or condition, and where its binding phrase starts."""

    prohibition: bool = False
    obligation: bool = False
    limitation: bool = False
    permission: bool = False
    condition: bool = False
    relieved: bool = False  # the obligation is negated: "you are not required to", "need not"
    weak: bool = False  # the prohibition phrase binds only with the licensee as subject ("will not", "cannot")
    at: int = -1  # where the first binding phrase starts (-1: none)
    obligation_at: int = -1  # where the obligation phrase starts (-1: none)

    @property
    def binding(self) -> bool:
        """A prohibition, a limitation or an obligation that is not negated."""
        return self.prohibition or self.limitation or (self.obligation and not self.relieved)

    @property
    def label(self) -> str:
        for name in ("prohibition", "limitation", "obligation", "condition", "permission"):
            if getattr(self, name):
                return name
        return "statement"


_RELIEF = _lazy(
    r"\b(?:(?:are|is|be)\s+not\s+(?:required|obligated|obliged)|not\s+be\s+required|need\s+not|not\s+necessary|"
    r"(?:do|does)\s+not\s+(?:need|have)\s+to|don't\s+(?:need|have)\s+to|nothing\b[^.;]{0,80}\b(?:shall|will|may)|"
    r"(?:are|is)\s+(?:encouraged|invited|welcome)|optional(?:ly)?|not\s+mandatory|no\s+longer\s+required)",
    re.I,
)


# "if you do not delete the provisions": a prohibition phrase inside a condition is the condition.
_IF_BEFORE = _lazy(r"\b(?:if|unless|whether|provided(?:\s+that)?)\s+(?:[\w']+\s+){0,3}$", re.I)
_NOT_BEFORE = _lazy(r"\b(?:not|never|no)\s+(?:be\s+|being\s+)?$", re.I)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, _vocab.PhraseSet]:
    m = _vocab.load().modality
    out = {key: _vocab.PhraseSet(m[key]) for key in
           ("prohibition", "limitation", "obligation", "permission", "condition")}
    # "shall not apply": a text holds few of these, so only those are compiled (``subset``)
    out["not_prohibition"] = _vocab.PhraseSet(_vocab.load().not_prohibitions, subset=True)
    out["weak"] = _vocab.PhraseSet(_vocab.load().weak_prohibition)
    return out


def _first(pattern: _vocab.PhraseSet, text: str, skip: _vocab.PhraseSet) -> re.Match[str] | None:
    """The first match of ``pattern`` that does not start a ``skip`` phrase ("may not apply")."""
    for m in pattern.finditer(text):
        at = m.start()
        if skip.match(text, at) is None and not _NOT_BEFORE.search(text, max(0, at - 20), at) \
                and not _IF_BEFORE.search(text, max(0, at - 40), at):
            return m
    return None


def binds_no_one(text: str, at: int) -> bool:
    """Whether the phrase at ``at`` is one of the vocabulary's ``not_prohibitions`` ("shall not apply")."""
    return _patterns()["not_prohibition"].match(text, at) is not None


def classify(text: str) -> Modality:
    """The modality of one sentence (bounded: the reader's sentences are at most ``MAX_SENTENCE`` long)."""
    p = _patterns()
    hits = {key: p[key].search(text) for key in ("permission", "condition")}
    # "including but not limited to" limits nothing
    hits["limitation"] = next((m for m in p["limitation"].finditer(text)
                               if not _NOT_BEFORE.search(text, max(0, m.start() - 12), m.start())), None)
    prohibition = _first(p["prohibition"], text, p["not_prohibition"])
    obligation = _first(p["obligation"], text, p["not_prohibition"])
    relieved = _RELIEF.search(text) is not None
    # "must not", "shall not" are prohibitions; the obligation phrase inside them does not count on its own.
    if obligation is not None and prohibition is not None and obligation.start() >= prohibition.start() and \
            obligation.end() <= prohibition.end():
        obligation = next((m for m in p["obligation"].finditer(text, prohibition.end())
                           if p["not_prohibition"].match(text, m.start()) is None), None)
    starts = [m.start() for m in (prohibition, hits["limitation"], obligation) if m is not None]
    return Modality(
        prohibition=prohibition is not None,
        obligation=obligation is not None,
        limitation=hits["limitation"] is not None,
        permission=hits["permission"] is not None,
        condition=hits["condition"] is not None,
        relieved=relieved,
        weak=prohibition is not None and p["weak"].pattern.match(text, prohibition.start()) is not None,
        at=min(starts) if starts else -1,
        obligation_at=obligation.start() if obligation is not None else -1,
    )
