"""Field of use: non-commercial and research-only terms, and use-based restrictions (an acceptable use policy, a
list of prohibited uses, a prohibition for a harmful purpose)."""

from __future__ import annotations

import re

from openaudit.lazyre import compile as _lazy
from openaudit.licenses.detectors.common import (
    NOT,
    USE_WORD,
    Cand,
    find_after,
    prohibition,
    prohibition_at,
    relief,
    word_list,
)
from openaudit.licenses.sentences import Sent

_I = re.I

_NONCOMMERCIAL = _lazy(r"\bnon[\s-]?commercial(?:ly)?\b", _I)
_ONLY = _lazy(r"\b(?:only|solely|exclusively|limited\s+to|restricted\s+to|strictly)\b", _I)
# What a non-commercial condition must bear on: the use of the work or the rights granted.
_USE_NOUN = _lazy(
    r"\b(?:use[sd]?|using|usage|purposes?|exploit\w*|reproduc\w*|shar(?:e|ing)|licen[cs]\w*|rights?|access\w*|"
    r"deploy\w*|models?|materials?|works?|software|weights|research|grant\w*|activit\w*|settings?)\b",
    _I,
)
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
    r"(?:strictly\s+)?(?:prohibited|forbidden|not\s+(?:permitted|allowed|authori(?:sed|zed)))\b",
    _I,
)
_INTENDED = _lazy(r"\b(?:intended|designed|meant|suitable|recommended)\b", _I)  # intended use, not terms
_NC_RELIEF = _lazy(
    r"\bnot\s+(?:limited|restricted)\s+to\s+non-?commercial|\bincluding\s+commercial|"
    r"\bcommercial\s+(?:use\s+)?(?:is\s+)?(?:permitted|allowed)|\bboth\s+commercial\s+and|\bfor\s+any\s+purpose",
    _I,
)


_NC_GATE = frozenset(("commercial", "research"))


def _same_clause(text: str, lo: int, m: re.Match[str], pattern) -> bool:
    """An "only" (``pattern``) or a prohibition (``None``) in the same clause as the non-commercial phrase
    ("for non-commercial purposes only", "may not be used except non-commercially"), not one that belongs
    to another item of a list ("caps, non-commercial terms, ... and prohibited purposes only")."""
    hi = m.end() + 80
    if pattern is not None:
        found = [(o.start(), o.end()) for o in pattern.finditer(text, lo, hi)]
    else:
        found, at = [], lo
        while (p := prohibition_at(text[:hi], at)) is not None:
            found.append((p.start(), p.end()))
            at = p.end()
    for start, end in found:
        between = text[end:m.start()] if start < m.start() else text[m.end():start]
        if "," not in between and ";" not in between:
            return True
    return False


def non_commercial(s: Sent) -> list[Cand]:
    if not s.has(_NC_GATE):
        return []
    text = s.combined
    commercial = s.has(("commercial",))  # _NONCOMMERCIAL, _OTHER_THAN_COMMERCIAL, _COMMERCIAL_USE need it
    if ((commercial or s.has(("purpose",))) and _NC_RELIEF.search(text)) or relief(s):
        return []
    for m in _NONCOMMERCIAL.finditer(text, s.item_offset) if commercial else ():
        lo = max(0, m.start() - 120)
        if not _USE_NOUN.search(text, lo, m.end() + 80):
            continue  # "this alternative is allowed only occasionally and noncommercially": a way of conveying
        if _same_clause(text, lo, m, _ONLY) or _same_clause(text, lo, m, None):
            return [Cand("non_commercial", m.start(), "Non-commercial use only", score=2)]
    m = _OTHER_THAN_COMMERCIAL.search(text, s.item_offset) if commercial else None
    if m:
        return [Cand("non_commercial", m.start(), "Non-commercial use only", score=2)]
    m = _RESEARCH_ONLY.search(text, s.item_offset) if s.has(("research",)) else None
    if m and not _INTENDED.search(text, max(0, m.start() - 60), m.start()):
        return [Cand("non_commercial", m.start(), "Research use only; no commercial use", score=2)]
    p = prohibition(s) if commercial else None
    while p is not None:
        c = find_after(_COMMERCIAL_USE, text, p.end(), 220)
        if c is not None and c.start() >= s.item_offset and c.group(0).strip().lower() != "commercial" \
                and not _NOT_A_USE.search(text, c.start(), c.end() + 12):
            return [Cand("non_commercial", c.start(), "No commercial use", score=2)]
        p = prohibition_at(text, p.end())
    return []


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


_USE_GATE = frozenset(("polic", "aup", "restrict", "prohibited use"))


def use_restrictions(s: Sent) -> list[Cand]:
    own = s.text
    text = s.combined
    if s.has(("restriction",)) and _NO_USE_RESTR.search(text):
        return []
    m = _POLICY.search(text, s.item_offset) if s.has(("polic", "aup")) else None
    if m and _POLICY_BINDING.search(text):
        return [Cand("use_restrictions", m.start(), "Use must comply with the acceptable use policy", score=2)]
    m = _USE_RESTR.search(text, s.item_offset) if s.has(("restrict", "prohibited")) else None
    if m and _USE_RESTR_BINDING.search(text):
        return [Cand("use_restrictions", m.start(), "Use-based restrictions apply (prohibited uses)", score=2)]
    p = prohibition_at(text, s.item_offset)
    if p is not None and USE_WORD.search(text, max(0, p.start() - 60), p.end() + 120):
        h = word_list("harmful").search(text, p.end())
        if h is not None and h.start() - p.end() < 300:
            return [Cand("use_restrictions", p.start(), "Use-based restrictions apply (prohibited uses)", score=2)]
    # _LIST_LEADIN ends with r":\s*$"
    if s.lead is None and own.rstrip().endswith(":") and _LIST_LEADIN.search(own) and USE_WORD.search(own):
        p = prohibition_at(own) or NOT.search(own)
        return [Cand("use_restrictions", p.start() if p else 0, "Prohibited uses are listed", score=1)]
    return []
