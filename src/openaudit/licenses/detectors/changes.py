"""Terms the licensor may change: "Licensor may update this agreement from time to time", remote restriction."""

from __future__ import annotations

import re

from openaudit.lazyre import compile as _lazy
from openaudit.licenses.detectors.common import NOT, Cand
from openaudit.licenses.sentences import Sent

_I = re.I

_TERMS_OBJ = r"(?:agreement|licen(?:ce|se)|terms(?:\s+of\s+use)?|polic(?:y|ies)|AUP|conditions)"
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


def modifiable_terms(s: Sent) -> list[Cand]:
    if not s.has(_MODIFY_GATE):
        return []
    text = s.combined
    m = _REMOTE.search(text, s.item_offset) if s.has(("remote",)) else None
    if m:
        return [Cand("modifiable_terms", m.start(), "Licensor may restrict usage remotely", score=2)]
    terms = s.has(_TERMS_WORDS)  # _MODIFY_ACTIVE and _MODIFY_PASSIVE need one
    for m in _MODIFY_ACTIVE.finditer(text, s.item_offset) if terms else ():
        if _LICENSEE_SUBJECT.search(text, max(0, m.start() - 30), m.start()) or NOT.search(m.group(0)):
            continue  # "you may not modify this License"
        return [Cand("modifiable_terms", m.start(), _MODIFIABLE, score=2)]
    m = _MODIFY_PASSIVE.search(text, s.item_offset) if terms else None
    if m and not _IN_ACCORDANCE.match(text, m.end()) and not NOT.search(m.group(0)):
        return [Cand("modifiable_terms", m.start(), _MODIFIABLE, score=2)]
    for m in _AS_MAY_BE.finditer(text, s.item_offset) if s.has(("time",)) else ():
        nouns = list(_NEAREST_NOUN.finditer(text, max(0, m.start() - 120), m.start()))
        if nouns and _TERMS_WORD.fullmatch(nouns[-1].group(0)):  # the AUP, not "the Models webpage"
            return [Cand("modifiable_terms", m.start(), _MODIFIABLE, score=1)]
    m = _LATEST_VERSION.search(text, s.item_offset) if s.has(("latest",)) else None
    if m:
        return [Cand("modifiable_terms", m.start(), _MODIFIABLE, score=1)]
    return []
