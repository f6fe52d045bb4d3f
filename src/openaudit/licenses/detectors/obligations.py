"""Duties that come with using or sharing the work: attribution ("Built with ..."), naming derivatives, share-alike,
no-derivatives, registration with the licensor."""

from __future__ import annotations

import re

from openaudit.lazyre import compile as _lazy
from openaudit.licenses.detectors.common import OBLIGATION, Cand, relief
from openaudit.licenses.sentences import Sent

_I = re.I

_ATTRIBUTION = _lazy(
    r"\"(?:built|powered|made|created|developed)\s+(?:with|by|using)\s+[^\"]{1,50}\"|"
    r"\bretain\w*\b[^.;]{0,120}?\b(?:notices?|identification|attribution|credit)\b|"
    r"\b(?:copyright|attribution|permission)\s+notices?\b[^.;]{0,120}?\b(?:shall|must)\s+be\s+"
    r"(?:included|retained|reproduced|kept)|"
    r"\bgive\s+(?:appropriate\s+)?credit\b|\bretain\s+the\s+following\b|"
    r"\bprovide\s+(?:appropriate\s+)?(?:attribution|credit)\b|"
    r"\bmust\s+(?:retain|include|reproduce|display|keep)\b[^.;]{0,80}?\b(?:attribution|notice)\b|"
    r"\baccompanied\s+by\s+(?:a\s+)?\"?notice\"?\s+(?:text\s+)?file|"
    r"\bprominently\s+(?:display|mark|state|show|include)\w*\b|"
    r"\b(?:reproduce|include)\b[^.;]{0,60}?\b(?:above\s+)?copyright\s+notice\b",
    _I,
)
_ATTR_GATE = frozenset(("notice", "credit", "attribut", "prominently", "retain", "built with", "powered by",
                        "made with", "created with", "developed with", "developed by", "built using", "created by",
                        "made by"))
_BUILT_WITH = _lazy(r"\"((?:built|powered|made|created|developed)\s+(?:with|by|using)\s+[^\"]{1,50})\"", _I)
_MAY_ADD = _lazy(r"\b(?:may|can)\s+(?:also\s+)?(?:add|include|display)\b", _I)
_MUST = _lazy(r"\b(?:must|shall)\b", _I)
_NAMING = _lazy(
    r"\b(?:include|use|put|place|add|prefix)\w*\s+\"(?P<a>[^\"]{1,40})\"\s+(?:at|in|to)\s+the\s+"
    r"(?:beginning|start|front)\s+of\b[^.;]{0,60}?\bnames?\b|"
    r"\bnames?\b[^.;]{0,80}?\b(?:must|shall|should|will)\s+(?:always\s+)?(?:begin|start|be\s+prefixed)\s+with\s+"
    r"(?:the\s+(?:word|name|prefix)\s+)?\"?(?P<b>[^\",.;]{1,40})\"?|"
    r"\bprefix\w*\b[^.;]{0,40}?\bnames?\b[^.;]{0,30}?\bwith\s+\"(?P<c>[^\"]{1,40})\"|"
    r"\bnamed?\b[^.;]{0,40}?\bprefix\w*\b[^.;]{0,20}?\"(?P<d>[^\"]{1,40})\"|"
    r"\b(?:include|use|display|contain)\w*\s+\"(?P<e>[^\"]{1,40})\"\s+in\s+(?:the|its|their)\s+(?:model\s+)?names?\b",
    _I,
)


def attribution(s: Sent) -> list[Cand]:
    if not s.has(_ATTR_GATE) or relief(s):
        return []
    text = s.combined
    m = _ATTRIBUTION.search(text, s.item_offset)
    if m is None or not (OBLIGATION.search(text) or s.lead is not None):
        return []
    if _MAY_ADD.search(text, max(0, m.start() - 40), m.end()) and \
            not _MUST.search(text, max(0, m.start() - 60), m.end()):
        return []  # "You may add your own attribution notices": a permission
    phrase = _BUILT_WITH.search(text)
    if phrase:
        summary = f'Display "{phrase.group(1).strip()}"'
    elif "credit" in m.group(0).lower():
        summary = "Give appropriate credit to the licensor"
    else:
        summary = "Retain the license and attribution notices"
    return [Cand("attribution", phrase.start() if phrase else m.start(), summary, score=2)]


_NAME_GATE = frozenset(("name",))


def naming(s: Sent) -> list[Cand]:
    if not s.has(_NAME_GATE) or relief(s):
        return []
    text = s.combined
    m = _NAMING.search(text, s.item_offset)
    if m is None or not (OBLIGATION.search(text) or s.lead is not None):
        return []
    if m.group("e"):
        return [Cand("naming", m.start(), f'Derivative model names must include "{m.group("e").strip()}"',
                      score=2)]
    name = (m.group("a") or m.group("b") or m.group("c") or m.group("d") or "").strip()
    return [Cand("naming", m.start(), f'Derivative model names must begin with "{name}"', score=2)]


_SHARE_ALIKE = _lazy(
    r"\b(?:must|shall)\s+be\s+(?:licensed|distributed|released|made\s+available|published)\s+under\s+"
    r"(?:the\s+(?:same|terms\s+of\s+this)|this|an?\s+identical)\s+(?:licen(?:ce|se)|agreement|terms)|"
    r"\b(?:licen(?:ce|se)|distribute|release|publish)\w*\b[^.;]{0,60}?\bunder\s+the\s+same\s+(?:licen(?:ce|se)|terms)\b|"
    r"\badapter's\s+licen(?:ce|se)\s+you\s+apply\s+must\s+be\b[^.;]{0,80}?\bsame\b|"
    r"\blicensed\s+as\s+a\s+whole\b[^.;]{0,120}?\bunder\s+the\s+terms\s+of\s+this\s+licen(?:ce|se)\b|"
    r"\b(?:must|shall)\s+(?:only\s+)?(?:license|distribute|release|make\s+available|share)\b[^.;]{0,60}?"
    r"\b(?:derivatives?|derivative\s+works?|modifications?|adaptations?|modified\s+versions?)\b[^.;]{0,40}?"
    r"\bunder\s+(?:the\s+terms\s+of\s+)?(?:this|the\s+same)\s+(?:licen(?:ce|se)|agreement)\b",
    _I,
)
_NO_DERIV = _lazy(
    r"\bnot\s+have\s+permission\b[^.;]{0,60}?\b(?:share|distribute)\b[^.;]{0,20}?\badapted\s+material\b|"
    r"\b(?:may|must|shall|will|do)\s+not\s+(?:create|make|produce|prepare|distribute|share|publish|modify|adapt)\b"
    r"[^.;]{0,60}?\b(?:derivative\s+works?|derivatives|adapted\s+material|modified\s+versions?|adaptations?|"
    r"modifications)\b|"
    r"\bno\s+derivative\s+works?\s+(?:may|shall|are)\b|"
    r"\b(?:may|must|shall)\s+not\s+(?:modify|alter|adapt)\s+(?:the|this)\s+(?:model|software|work|weights|"
    r"licensed\s+material|materials?)\b",
    _I,
)
_ND_SCOPED = _lazy(r"\bcommercial|\bterritory\b|\bexcept\b|\bunless\b|\bimprove\b", _I)
_DATA = _lazy(r"\bdata\b", _I)


_SA_GATE = frozenset(("same", "as a whole", "identical", "under this", "under the terms of this"))
_ND_GATE = frozenset(("deriv", "adapt", "modif", "alter"))
_ND_NOT_GATE = frozenset((" not ", "no derivative"))


def share_alike(s: Sent) -> list[Cand]:
    if not s.has(_SA_GATE) or relief(s):
        return []
    text = s.combined
    m = _SHARE_ALIKE.search(text, s.item_offset)
    if m is None or not (OBLIGATION.search(text) or s.lead is not None):
        return []
    return [Cand("share_alike", m.start(), "Adaptations must be shared under the same license", score=2)]


def no_derivatives(s: Sent) -> list[Cand]:
    if not s.has(_ND_GATE) or not s.has(_ND_NOT_GATE):
        return []
    text = s.combined
    m = _NO_DERIV.search(text, s.item_offset)
    if m is None or _ND_SCOPED.search(text) or _DATA.search(m.group(0)):
        return []  # a scoped ban ("for commercial purposes", "outside the Territory", "the data") is not ND
    return [Cand("no_derivatives", m.start(), "Adapted or derivative works may not be shared", score=2)]


_REGISTER = _lazy(
    r"\b(?:must|shall|need\s+to|required\s+to|please|should)\s+(?:first\s+)?"
    r"(?:register|complete\s+(?:the\s+)?registration)\b|"
    r"\bcomplete\s+(?:the\s+)?registration\b|\bregistration\s+form\b|"
    r"\b(?:must|shall|should|need\s+to|required\s+to|please)\s+(?:first\s+)?(?:obtain|request|apply\s+for|"
    r"purchase|acquire|enter\s+into|contact|email|e-mail|fill\s+(?:out|in))\b",
    _I,
)
_REGISTER_WORDS = ("regist", "obtain", "request", "apply", "purchase", "acquire", "enter", "contact", "mail", "fill")
_COMMERCIAL_CTX = _lazy(r"(?<!non-)(?<!non)\bcommercial(?:ly)?\b|\bbusiness\s+use|\benterprise\b", _I)
_NO_REGISTER = _lazy(
    r"\b(?:no|without(?:\s+any)?)\s+(?:need\s+(?:for|to)\s+)?regist|"
    r"\bnot\s+(?:required|necessary|needed)\s+to\s+register|registration\s+is\s+not\s+required",
    _I,
)
_BEFORE_USE = _lazy(r"\bbefore\b|\bprior\s+to\b", _I)
_PERMISSION_OBJ = _lazy(r"\b(?:licen(?:ce|se)|authori(?:sation|zation)|permission|agreement|approval)\b", _I)


_REG_GATE = frozenset(("regist", "commercial", "enterprise", "business"))


def registration(s: Sent) -> list[Cand]:
    if not s.has(_REG_GATE):
        return []
    text = s.combined
    if (s.has(("regist",)) and _NO_REGISTER.search(text)) or relief(s):
        return []
    m = _REGISTER.search(text, s.item_offset) if s.has(_REGISTER_WORDS) else None
    if m is None:
        return []
    if "regist" in m.group(0).lower():
        if _COMMERCIAL_CTX.search(f"{s.prev_text[-300:]} {text}") or _BEFORE_USE.search(text):
            return [Cand("registration", m.start(), "Commercial use requires registration with the licensor",
                          score=2)]
        return []
    if _PERMISSION_OBJ.search(text, m.end(), m.end() + 80) and _COMMERCIAL_CTX.search(text):
        return [Cand("registration", m.start(), "Commercial use requires a separate license from the licensor",
                      score=2)]
    return []
