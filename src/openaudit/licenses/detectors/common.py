"""What every clause detector shares: the binding phrases (prohibition, obligation, relief), definitions, the
candidate restriction a detector returns, and the ``unclassified`` word lists of the vocabulary."""

from __future__ import annotations

import re

from msgspec import Struct, field

from openaudit.lazyre import LazyPattern
from openaudit.lazyre import compile as _lazy
from openaudit.licenses import modality as _modality
from openaudit.licenses import vocabulary as _vocab
from openaudit.licenses.sentences import Sent, unnumbered
from openaudit.model import Threshold

_I = re.I

_DEF = _lazy(
    r"^(?P<head>[^.;]{0,140}?)(?::\s*)?\b(?:shall\s+mean|means|refers\s+to|is\s+defined\s+as|"
    r"has\s+the\s+meaning|shall\s+refer\s+to|is\s+hereinafter\s+referred)\b",
    _I,
)
_QUOTED = _lazy(r"\"[^\"]{0,100}\"|'[^']{0,60}'|\([^()]{0,100}\)")
_CLAUSE_WORDS = _lazy(r"\b(?:if|you|your|must|will|may|when|shall\s+not|agree)\b", _I)
PROHIBIT = _lazy(
    r"\b(?:may\s+not|must\s+not|shall\s+not|will\s+not|can\s*not|cannot|could\s+not|should\s+not|"
    r"do\s+not|won't|mustn't|shan't|can't|never|"
    r"(?:are|is)\s+not\s+(?:permitted|allowed|authori(?:sed|zed)|licensed|entitled)|"
    r"not\s+(?:be\s+)?(?:permitted|allowed|authori(?:sed|zed))\s+to|"
    r"(?:agree|undertake|covenant)s?\s+(?:that\s+)?(?:you\s+|it\s+|they\s+)?(?:will\s+|shall\s+)?not|"
    r"(?:strictly\s+)?(?:prohibited|forbidden)|no\s+(?:one|person|licensee|user)\s+(?:may|shall)|"
    r"(?:is|are)\s+not\s+(?:to\s+be\s+)?used|(?:shall\s+|must\s+|will\s+|to\s+)?refrain\s+from|"
    r"(?:is|are)\s+barred\s+from|under\s+no\s+circumstances)\b",
    _I,
)
_NEG_BEFORE = _lazy(r"\b(?:not|no|nothing|neither|nor|without)\b[\w\s,]{0,14}$", _I)
OBLIGATION = _lazy(
    r"\b(?:must|shall|should|will|required|requires|agree\s+to|need\s+to|have\s+to|has\s+to|is\s+to|are\s+to)\b",
    _I,
)
_RELIEF = _lazy(
    r"\b(?:(?:are|is)\s+not\s+(?:required|obligated|obliged)|need\s+not|not\s+necessary|"
    r"(?:do|does)\s+not\s+(?:need|have)\s+to|don't\s+(?:need|have)\s+to|"
    r"(?:are|is)\s+(?:encouraged|invited|welcome)|encourage[sd]?\b|optional(?:ly)?|"
    r"at\s+your\s+(?:option|discretion)|free\s+to\s+choose|not\s+mandatory|no\s+longer\s+required)",
    _I,
)


def relief(s: Sent) -> bool:
    """The sentence relieves rather than binds ("you are not required to", "you are encouraged to")."""
    return _RELIEF.search(s.text) is not None


def relief_with_lead(s: Sent) -> bool:
    return relief(s) or (s.lead is not None and relief(s.lead))


def prohibition(s: Sent) -> re.Match[str] | None:
    """``prohibition_at(s.combined)``, computed once per sentence."""
    got = s.memo.get("prohibition", _UNSET)
    if got is _UNSET:
        got = s.memo["prohibition"] = prohibition_at(s.combined)
    return got  # type: ignore[return-value]


_UNSET = object()


BINDING = _lazy(
    r"\b(?:must|shall|may\s+not|will\s+not|cannot|can\s+not|agree|required|requires|prohibited|only|solely)\b",
    _I,
)


def is_definition(text: str) -> bool:
    """'"Research Purpose" means ...', 'c. Territory shall mean ...': describes, does not restrict."""
    head = text[:220].lower()
    if "mean" not in head and "refer" not in head and "defined" not in head:
        return False
    m = _DEF.match(unnumbered(text.lstrip()))
    if not m:
        return False
    return not _CLAUSE_WORDS.search(_QUOTED.sub(" ", m.group("head")))


def prohibition_at(text: str, lo: int = 0) -> re.Match[str] | None:
    """The first prohibition in text[lo:] that is not itself negated ("not prohibited") and binds someone ("shall
    not apply", "shall not be construed": ``modality.not_prohibitions`` in the vocabulary)."""
    for m in PROHIBIT.finditer(text, lo):
        word = m.group(0).lower()
        if word.startswith(("prohibited", "forbidden", "strictly")) and \
                _NEG_BEFORE.search(text, max(0, m.start() - 30), m.start()):
            continue
        if _modality.binds_no_one(text, m.start()):
            continue
        return m
    return None


def find_after(pattern: re.Pattern[str] | LazyPattern, text: str, pos: int, gap: int) -> re.Match[str] | None:
    return pattern.search(text, pos, min(len(text), pos + gap))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Cand(Struct):
    """A restriction a detector found in a sentence."""

    kind: str
    pos: int  # position of the key phrase in the sentence's ``combined`` text
    summary: str
    thresholds: list[Threshold] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    score: int = 1
    mode: str = ""  # territory: exclude | only | domicile


USE_WORD = _lazy(r"\b(?:use|used|using)\b", _I)
NOT = _lazy(r"\bnot\b", _I)


CJK = _lazy(r"[\u3400-\u9fff]")


def has_cjk(s: Sent) -> bool:
    """Whether the sentence holds a Chinese character (``CJK``); compiled only for a text with a character past
    U+00FF (``Doc.wide``)."""
    return s.doc.wide and CJK.search(s.combined) is not None


def join_or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


_TERMS_CACHE: dict[str, object] = {}


def word_list(name: str):
    """The matcher of one ``unclassified`` word list of the vocabulary; ``not_bound_end``: a not-bound subject
    right before the binding phrase, up to three words between ("the Licensor shall", "it does not")."""
    got = _TERMS_CACHE.get(name)
    if got is None:
        v = _vocab.load()
        if name == "not_bound_end":
            got = re.compile(rf"(?<![\w-]){_vocab.terms_regex(v.not_bound)}(?![\w-])(?:\s+[\w'/]+){{0,3}}\s*$", _I)
        else:
            words = {"subjects": v.unclassified_subjects, "boilerplate": v.boilerplate, "licensee": v.licensee,
                     "mechanics": v.mechanics, "harmful": v.harmful_purposes}[name]
            got = _vocab.PhraseSet(words)
        _TERMS_CACHE[name] = got
    return got
