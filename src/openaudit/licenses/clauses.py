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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openaudit.evidence import SourceFile
from openaudit.lazyre import compile as _lazy
from openaudit.licenses import modality as _modality
from openaudit.licenses import vocabulary as _vocab
from openaudit.licenses.numbers import format_quantity, iter_quantities
from openaudit.licenses.sentences import Doc, Sent, read, shouting, unnumbered
from openaudit.model import Citation, Restriction, Threshold

__all__ = ["QUOTE_LIMIT", "READ_ROLES", "extract_from_text", "extract_restrictions"]

READ_ROLES = ("license", "use_policy", "notice", "card")
QUOTE_LIMIT = 300
_I = re.I


# =================================================================================================
# Shared vocabulary
# =================================================================================================

_DEF = _lazy(
    r"^(?P<head>[^.;]{0,140}?)(?::\s*)?\b(?:shall\s+mean|means|refers\s+to|is\s+defined\s+as|"
    r"has\s+the\s+meaning|shall\s+refer\s+to|is\s+hereinafter\s+referred)\b",
    _I,
)
_QUOTED = _lazy(r"\"[^\"]{0,100}\"|'[^']{0,60}'|\([^()]{0,100}\)")
_CLAUSE_WORDS = _lazy(r"\b(?:if|you|your|must|will|may|when|shall\s+not|agree)\b", _I)
_PROHIBIT = _lazy(
    r"\b(?:may\s+not|must\s+not|shall\s+not|will\s+not|can\s*not|cannot|could\s+not|should\s+not|"
    r"do\s+not|won't|mustn't|shan't|can't|never|"
    r"(?:are|is)\s+not\s+(?:permitted|allowed|authori[sz]ed|licensed|entitled)|"
    r"not\s+(?:be\s+)?(?:permitted|allowed|authori[sz]ed)\s+to|"
    r"(?:agree|undertake|covenant)s?\s+(?:that\s+)?(?:you\s+|it\s+|they\s+)?(?:will\s+|shall\s+)?not|"
    r"(?:strictly\s+)?(?:prohibited|forbidden)|no\s+(?:one|person|licensee|user)\s+(?:may|shall)|"
    r"(?:is|are)\s+not\s+(?:to\s+be\s+)?used|(?:shall\s+|must\s+|will\s+|to\s+)?refrain\s+from|"
    r"(?:is|are)\s+barred\s+from|under\s+no\s+circumstances)\b",
    _I,
)
_NEG_BEFORE = _lazy(r"\b(?:not|no|nothing|neither|nor|without)\b[\w\s,]{0,14}$", _I)
_OBLIGATION = _lazy(
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
# Words a match of _RELIEF needs: one of these, or "not" with one of _RELIEF_NOT.
_RELIEF_WORDS = ("n't", "encourage", "invited", "welcome", "option", "discretion", "choose", "longer")
_RELIEF_NOT = ("requir", "oblig", "need", "necessar", "have", "mandatory")
# Words a match of _PROHIBIT needs.
_PROHIBIT_WORDS = ("not", "n't", "never", "prohibited", "forbidden", "one", "person", "user", "licensee")


def _relief(s: Sent) -> bool:
    """The sentence relieves rather than binds ("you are not required to", "you are encouraged to")."""
    return _RELIEF.search(s.text) is not None


def _relief_with_lead(s: Sent) -> bool:
    return _relief(s) or (s.lead is not None and _relief(s.lead))


def _prohibition(s: Sent) -> re.Match[str] | None:
    """``_prohibition_at(s.combined)``, computed once per sentence."""
    got = s.memo.get("prohibition", _UNSET)
    if got is _UNSET:
        got = s.memo["prohibition"] = _prohibition_at(s.combined)
    return got  # type: ignore[return-value]


_UNSET = object()


_BINDING = _lazy(
    r"\b(?:must|shall|may\s+not|will\s+not|cannot|can\s+not|agree|required|requires|prohibited|only|solely)\b",
    _I,
)


def _is_definition(text: str) -> bool:
    """'"Research Purpose" means ...', 'c. Territory shall mean ...': describes, does not restrict."""
    head = text[:220].lower()
    if "mean" not in head and "refer" not in head and "defined" not in head:
        return False
    m = _DEF.match(unnumbered(text.lstrip()))
    if not m:
        return False
    return not _CLAUSE_WORDS.search(_QUOTED.sub(" ", m.group("head")))


def _prohibition_at(text: str, lo: int = 0) -> re.Match[str] | None:
    """The first prohibition in text[lo:] that is not itself negated ("not prohibited") and binds someone ("shall
    not apply", "shall not be construed": ``modality.not_prohibitions`` in the vocabulary)."""
    for m in _PROHIBIT.finditer(text, lo):
        word = m.group(0).lower()
        if word.startswith(("prohibited", "forbidden", "strictly")) and \
                _NEG_BEFORE.search(text, max(0, m.start() - 30), m.start()):
            continue
        if _modality.binds_no_one(text, m.start()):
            continue
        return m
    return None


def _find_after(pattern: re.Pattern[str], text: str, pos: int, gap: int) -> re.Match[str] | None:
    return pattern.search(text, pos, min(len(text), pos + gap))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class _Cand:
    kind: str
    pos: int  # position of the key phrase in the sentence's ``combined`` text
    summary: str
    thresholds: list[Threshold] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    score: int = 1
    mode: str = ""  # territory: exclude | only | domicile


# =================================================================================================
# User and revenue thresholds
# =================================================================================================

_THRESHOLD_CACHE: dict[str, object] = {}


def _unit_patterns() -> dict[str, re.Pattern[str]]:
    """Patterns built from ``rules/vocabulary/units.yaml``: a user unit right after a number, a user unit before
    it (then a comparator), a revenue noun after it, a revenue noun before it (then a comparator)."""
    got = _THRESHOLD_CACHE.get("units")
    if got is None:
        v = _vocab.load()
        users = "|".join(f"(?P<u{i}>{_vocab.phrase_regex(u.phrases)})" for i, u in enumerate(v.user_units))
        qual = _vocab.phrase_regex(v.revenue_qualifiers)
        noun = _vocab.phrase_regex(v.revenue_nouns)
        revenue = rf"(?P<rev>(?:{qual}[\s-]+){{0,3}}{noun})"
        comparator = (r"(?:exceeds?|exceeding|exceeded|is\s+(?:more|greater|less)\s+than|more\s+than|greater\s+than|"
                      r"over|above|in\s+excess\s+of|at\s+least|of\s+(?:less|more|greater|fewer)\s+than|of|"
                      r"reach(?:es)?|surpass(?:es)?|fewer\s+than|less\s+than|below|under|beyond|totals?|"
                      r"numbering|up\s+to|equal\s+to\s+or\s+(?:greater|more)\s+than)")
        got = _THRESHOLD_CACHE["units"] = {
            "user_after": re.compile(rf"\s*(?:\+\s*|or\s+more\s+|or\s+greater\s+)?(?:{users})(?![\w-])", _I),
            "user_before": re.compile(rf"(?<![\w-])(?:{users})(?![\w-])[^.;0-9$\u20ac\u00a3\u00a5]{{0,70}}?"
                                      rf"\b{comparator}\s*$", _I),
            "rev_after": re.compile(r"\s*(?:\([^()]{0,80}\)\s*)?(?:or\s+more\s+)?(?:(?:in|of)\s+)?"
                                    rf"(?:the\s+|your\s+|its\s+)?{revenue}(?![\w-])", _I),
            "rev_before": re.compile(rf"(?<![\w-]){revenue}(?![\w-])[^.;\d$\u20ac\u00a3\u00a5]{{0,90}}?\b{comparator}"
                                     r"\s*$", _I),
            "monthly": _vocab.phrase_pattern(v.monthly_words).compiled(),
            "annual": _vocab.phrase_pattern(v.annual_words).compiled(),
        }
    return got  # type: ignore[return-value]


def _user_unit(m: re.Match[str]) -> str:
    units = _vocab.load().user_units
    for i, u in enumerate(units):
        if m.group(f"u{i}") is not None:
            return u.unit
    return units[0].unit


_ANNUAL = _lazy(
    r"\b(?:annual(?:ly|ized)?|yearly|per\s+(?:year|annum)|a\s+year|each\s+year|fiscal\s+year|financial\s+year|"
    r"calendar\s+year|(?:12|twelve)[\s-]+months?)\b",
    _I,
)
_MONTHLY = _lazy(r"\b(?:monthly|per\s+month|a\s+month|each\s+month|calendar\s+month|preceding\s+month)\b", _I)
# What crossing a threshold leads to. Only a separate license (or losing the license) and a fee make a cap.
_CAP_CONSEQUENCE = _lazy(
    r"\b(?:(?:request|obtain|apply\s+for|seek|purchase|acquire|need|require|negotiate|enter\s+into|contact)\w*"
    r"\b[^.;]{0,40}?\b(?:licen[cs]e|agreement|permission|authori[sz]ation|terms)|"
    r"not\s+(?:be\s+)?(?:authori[sz]ed|permitted|entitled|licensed|allowed|eligible)|terminat\w*|cease|"
    r"(?:commercial|enterprise|separate|additional)\s+(?:licen[cs]e|agreement|terms)|cannot\s+exercise|"
    r"may\s+not\s+(?:use|exercise)|does\s+not\s+apply|no\s+longer\s+(?:apply|applies|eligible|licensed))",
    _I,
)
_FEE_CONSEQUENCE = _lazy(
    r"\b(?:(?:license|licensing|usage|subscription|annual)\s+fees?|royalt(?:y|ies)|pay\s+(?:a|the|an)\b|"
    r"paid\s+(?:licen[cs]e|plan|subscription|tier)|compensat\w+\s+the\s+licensor|remuneration)\b",
    _I,
)
_ATTR_CONSEQUENCE = _lazy(
    r"\b(?:prominently\s+(?:display|mark|show|state|include)|display\w*\s+\"|attribut\w*|give\s+credit|"
    r"credit(?:s|ing)?\b|acknowledg\w*)",
    _I,
)
_NOTICE_CONSEQUENCE = _lazy(
    r"\b(?:notify|notif(?:y|ies|ied|ication)|inform\s+(?:the\s+)?(?:licensor|us)|report\s+(?:it\s+)?to\s+"
    r"(?:the\s+)?(?:licensor|us))\b",
    _I,
)
_COMPARATOR = _lazy(
    r"\b(?:more|greater|fewer|less)\s+than|\bexceed\w*|\bover\b|\babove\b|\bin\s+excess\s+of|\bat\s+least|"
    r"\bup\s+to\b|\bbelow\b|\bunder\b|\bsurpass\w*|\breach\w*",
    _I,
)
_ELIGIBILITY = _lazy(r"\b(?:licen[cs]\w*|agreement|free|access|eligib\w*|entitled|permitted|allowed)\b", _I)
_NO_CAP = _lazy(
    r"\b(?:(?:no|without(?:\s+any)?|not\s+subject\s+to\s+any)\s+(?:\w+\s+){0,2}(?:caps?|limits?|limitations?|"
    r"thresholds?|restrictions?|ceilings?)\s+(?:on|to|for|based\s+on|regarding)\s+(?:the\s+|your\s+)?|"
    r"(?:regardless|irrespective)\s+of\s+(?:the\s+|your\s+)?(?:number|amount|size|level|count)\s+of\s+|"
    r"no\s+matter\s+how\s+(?:many|much)\s+)"
    r"(?:\w+\s+){0,3}(?:users|user\s+base|MAUs?|revenues?|turnover|size|sales)\b",
    _I,
)
_DIGIT_OR_SCALE = _lazy(r"\d|million|billion|thousand|hundred|[\u4e07\u4ebf]", _I)
_PERCENT_AFTER = _lazy(r"\s*(?:%|percent|per\s*cent)", _I)
_QUOTED_PHRASE = _lazy(r"\"([^\"]{1,60})\"")
_THRESHOLD_GATE = ("user", "mau", "dau", "revenue", "turnover", "sales", "visit", "gross receipts", "income",
                   "arr", "mrr")
# A defined term holding a threshold: '"Threshold" means ...', '... $10 million (the "Revenue Threshold")'.
_TERM_DEF = _lazy(
    r"^\W{0,3}(?:(?:\d{1,3}(?:\.\d{1,3}){0,3}|[a-z]{1,4})[.)]?\s+)?\"(?P<a>[^\"]{1,50})\"\s*(?:shall\s+mean|means|"
    r"refers\s+to|"
    r"is\s+defined\s+as|shall\s+refer\s+to)\b|\((?:the\s+|hereinafter\s+)?\"(?P<b>[^\"]{1,50})\"\)",
    _I,
)


def _quantities(s: Sent) -> tuple[list[tuple[int, Threshold]], list[tuple[int, Threshold]]]:
    """(user thresholds, revenue thresholds) with their positions in ``combined``: a number with a unit."""
    text = s.combined
    users: list[tuple[int, Threshold]] = []
    revenue: list[tuple[int, Threshold]] = []
    if not s.has(_THRESHOLD_GATE) or not _DIGIT_OR_SCALE.search(text):
        return users, revenue
    p = _unit_patterns()
    for q in iter_quantities(text):
        if q.start < s.item_offset or _PERCENT_AFTER.match(text, q.end):
            continue
        big = q.has_scale or q.value >= 1000  # "3.1", "2024", "Section 2" are never thresholds
        after = text[q.end:q.end + 120]
        before = text[max(0, q.start - 130):q.start]
        if not q.has_currency:
            hit = p["user_after"].match(after) or p["user_before"].search(before)
            if hit and big:
                users.append((q.start, Threshold(q.value, _user_unit(hit))))
                continue
        hit = p["rev_after"].match(after) or p["rev_before"].search(before)
        if hit is not None and (q.has_currency or big):
            unit = _revenue_period(hit.group("rev"), text, q.start)
            revenue.append((q.start, Threshold(q.value, unit, q.currency)))
    return users, revenue


def _defined_thresholds(sents: list[Sent]) -> dict[str, list[Threshold]]:
    """Defined terms that hold a threshold: '"Threshold" shall mean annual revenue of US$10,000,000'."""
    out: dict[str, list[Threshold]] = {}
    for s in sents:
        if s.heading or '"' not in s.text:
            continue
        m = _TERM_DEF.search(unnumbered(s.text))
        if m is None:
            continue
        users, revenue = _quantities(s)
        if users or revenue:
            term = (m.group("a") or m.group("b")).strip()
            out.setdefault(term, [t for _, t in users + revenue])
    return out


def _term_uses(s: Sent) -> list[tuple[int, Threshold]]:
    """Thresholds held by a defined term this sentence uses ("if you exceed the Threshold")."""
    terms = s.doc.terms
    if not terms:
        return []
    text = s.combined
    out: list[tuple[int, Threshold]] = []
    for term, ths in terms.items():
        if term not in text:
            continue
        m = re.search(rf"(?<![\w\"]){re.escape(term)}(?![\w\"])", text)  # the term used, not defined again
        if m is not None and m.start() >= s.item_offset:
            out += [(m.start(), t) for t in ths]
    return out


def _consequence(s: Sent) -> str | None:
    """What crossing the threshold leads to: license | fee | attribution | notice, or None. The sentence itself
    is read first; the next one only when the sentence says nothing ("... exceeds 1M users. You must then ...")."""
    text = s.combined
    for window in (text, s.next_text[:300]):
        lic = _CAP_CONSEQUENCE.search(window)
        fee = _FEE_CONSEQUENCE.search(window)
        attr = _ATTR_CONSEQUENCE.search(window)
        notice = _NOTICE_CONSEQUENCE.search(window)
        if attr and not fee and (lic is None or _ATTR_ONLY_LICENSE.search(lic.group(0))):
            return "attribution"
        if lic:
            return "license"
        if fee:
            return "fee"
        if attr:
            return "attribution"
        if notice:
            return "notice"
    return None


# "terms" of the attribution duty, not a separate license: "... you must comply with the attribution terms".
_ATTR_ONLY_LICENSE = _lazy(r"\bterms\b", _I)


def _thresholds(s: Sent) -> list[_Cand]:
    text = s.combined
    if _NO_CAP.search(s.text):
        return []
    users, revenue = _quantities(s)
    if not users and not revenue:
        for pos, t in _term_uses(s):
            (users if t.unit in _USER_UNITS else revenue).append((pos, t))
        if not users and not revenue:
            return []
        if not _COMPARATOR.search(text):
            return []  # the term named, not crossed
    consequence = _consequence(s)
    found = users + revenue
    ths = [t for _, t in found]
    pos = min(p for p, _ in found)
    label = _cap(_join_or([_describe_threshold(t) for t in ths]))
    if consequence == "attribution":
        attribution = _ATTR_CONSEQUENCE.search(text)
        what = (_quoted_phrase(text, attribution.start()) if attribution else None) or "attribution"
        return [_Cand("attribution", pos, f"{label} requires displaying {what} (not a cap)", ths, score=2)]
    if consequence == "notice":
        return [_Cand("registration", pos, f"{label} requires notifying the licensor (not a cap)", ths, score=2)]
    if consequence in ("license", "fee"):
        score = 2
    elif s.doc.role != "card" and _COMPARATOR.search(text) and _ELIGIBILITY.search(text):
        score = 1  # "free access for organisations with annual revenue of less than $1M"
    else:
        return []  # "over 100 million monthly active users use our products" (a card bragging)
    need = "requires paying a fee to the licensor" if consequence == "fee" else "requires a separate license"
    out = [_Cand("user_cap", p, f"{_cap(_describe_threshold(t))} {need}", [t], score=score) for p, t in users]
    out += [_Cand("revenue_cap", p, f"{_cap(_describe_threshold(t))} {need}", [t], score=score) for p, t in revenue]
    return out


_USER_UNITS = ("monthly_active_users", "daily_active_users", "monthly_visits")


def _revenue_period(rev_phrase: str, text: str, pos: int) -> str:
    """annual_revenue or monthly_revenue: the qualifier of "revenue", else the nearest period word."""
    p = _unit_patterns()
    if p["monthly"].search(rev_phrase):
        return "monthly_revenue"
    if p["annual"].search(rev_phrase):
        return "annual_revenue"
    best: tuple[int, str] | None = None
    for pattern, unit in ((_ANNUAL, "annual_revenue"), (_MONTHLY, "monthly_revenue")):
        for m in pattern.finditer(text):
            d = abs(m.start() - pos)
            if best is None or d < best[0]:
                best = (d, unit)
    return best[1] if best else "annual_revenue"


def _describe_threshold(t: Threshold) -> str:
    amount = format_quantity(t.value)
    if t.unit == "monthly_active_users":
        return f"more than {amount} monthly active users"
    if t.unit == "daily_active_users":
        return f"more than {amount} daily active users"
    if t.unit == "monthly_visits":
        return f"more than {amount} monthly visits"
    period = "annual" if t.unit == "annual_revenue" else "monthly"
    cur = f" {t.currency}" if t.currency else ""
    return f"{period} revenue above {amount}{cur}"


def _join_or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _quoted_phrase(text: str, pos: int) -> str | None:
    m = _QUOTED_PHRASE.search(text, pos, min(len(text), pos + 120))
    return f'"{m.group(1).strip()}"' if m else None


# =================================================================================================
# Territory
# =================================================================================================

_PLACE_CACHE: dict[str, object] = {}


def _place_sets() -> tuple[_vocab.PhraseSet, _vocab.PhraseSet, dict[str, str], dict[str, str]]:
    """Every place of ``rules/vocabulary/places.yaml``: its names (ignoring case) and codes (case-sensitive), with
    the maps from a matched name (lower-cased, spaces collapsed) or code to its code."""
    got = _PLACE_CACHE.get("p")
    if got is None:
        places = _vocab.load().places
        by_name = {" ".join(n.lower().split()): p.code for p in places for n in p.names}
        by_code = {c: p.code for p in places for c in p.codes}
        got = _PLACE_CACHE["p"] = (_vocab.PhraseSet(list(by_name)), _vocab.PhraseSet(list(by_code), flags=0),
                                   by_name, by_code)
    return got  # type: ignore[return-value]


def _place_matches(text: str, lo: int, hi: int, shouting: bool) -> list[tuple[int, int, str]]:
    """Places named in text[lo:hi], by position; a code ("US", "IT") is skipped in an ALL-CAPS sentence, where it
    is a word ("NOT LICENSED TO US")."""
    names, codes, by_name, by_code = _place_sets()
    found = [(m.start(), m.end(), by_name[" ".join(m.group(0).lower().split())]) for m in names.finditer(text, lo, hi)]
    if not shouting:
        found += [(m.start(), m.end(), by_code[m.group(0)]) for m in codes.finditer(text, lo, hi)
                  if not text[m.end():m.end() + 2][:1] == "." or not text[m.end() + 1:m.end() + 2].isalnum()]
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[tuple[int, int, str]] = []
    for f in found:
        if out and f[0] < out[-1][1]:
            continue  # inside a longer name found first
        out.append(f)
    return out


_PLACE_GAP = _lazy(
    r"[\s,;/]*(?:(?:and|or|&|as\s+well\s+as)\s+)?(?:the\s+)?(?:territor(?:y|ies)\s+of\s+(?:the\s+)?)?", _I
)
_PLACE_LEAD = _lazy(
    r"[\s,]*(?:the\s+)?(?:(?:whole\s+|entire\s+)?territor(?:y|ies)\s+of\s+(?:the\s+)?|"
    r"(?:any\s+)?(?:member\s+states?|countries)\s+(?:of|in)\s+(?:the\s+)?)?",
    _I,
)
_TERR_EXCLUDE = _lazy(
    r"\b(?:(?:does|do|shall|will|may)\s+not\s+apply\s+(?:in|to|within)|exclud(?:ing|es|ed|e)|"
    r"except(?:\s+for)?|other\s+than|"
    r"not\s+(?:be\s+)?(?:licensed|available|granted|permitted|authori[sz]ed|allowed|offered|provided|"
    r"distributed|made\s+available)(?:\s+(?:for\s+use|to\s+(?:persons|users|entities|residents|individuals|"
    r"companies|anyone)(?:\s+(?:located|resident|residing|domiciled|based|established))?))?\s+(?:in|within|to)|"
    r"(?:is|are)\s+(?:excluded|prohibited|not\s+permitted)\s+(?:in|within))\b",
    _I,
)
_TERR_DOMICILE = _lazy(
    r"\b(?:(?:domiciled|resident|residing|located|headquartered|incorporated|established|based|"
    r"principal\s+place\s+of\s+business(?:\s+is)?)\s+(?:in|within)|(?:residents?|citizens?|nationals?)\s+of|"
    r"(?:users?|entities|persons|people|companies|individuals|customers|organi[sz]ations|licensees)\s+(?:in|from))\b",
    _I,
)
_TERR_USE_IN = _lazy(
    r"\b(?:use[ds]?|using|deploy\w*|distribut\w*|offer\w*|provid\w*|mak\w+\s+available|access\w*|"
    r"host\w*|sell\w*|exploit\w*)\b[^.;]{0,80}?\b(?:in|within|into)\b",
    _I,
)
_LAWFUL = _lazy(r"\blaws?\b|\bregulations?\b|\bviolat\w*|\bcomply|\bcompliance", _I)
_TERR_WITHHELD = _lazy(
    r"\bnot\s+(?:being\s+)?(?:granted|licensed|permitted|authori[sz]ed|available|allowed)|"
    r"\b(?:may|must|shall|will)\s+not\b|\bprohibited\b|\bexcluded\b|\bno\s+(?:rights?|licen[cs]e)\b",
    _I,
)
_NOT_TERRITORIAL = _lazy(
    r"\bgoverned\s+by\b|\blaws?\s+of\b|\bcourts?\b|\barbitration\b|\bjurisdiction\b|\bexport\w*\b|"
    r"\bsanction\w*\b|\bdispute\b|\bvenue\b",
    _I,
)
_TERRITORIAL = _lazy(
    r"\bworld-?wide\b|\bterritor(?:y|ies|ial)\b|\bglobal(?:ly)?\b|\bcountr(?:y|ies)\b|\bregions?\b", _I
)
# Words a match of the pattern above needs (gates, see Sent.may).
_NOT_TERRITORIAL_WORDS = ("governed", "law", "court", "arbitration", "jurisdiction", "export", "sanction", "dispute",
                          "venue")
_TERR_EXCLUDE_WORDS = ("not", "exclud", "except", "other", "prohibited")
_TERR_DOMICILE_WORDS = ("domiciled", "resident", "residing", "located", "headquartered", "incorporated",
                        "established", "based", "principal", "citizen", "national", "user", "entities", "person",
                        "people", "compan", "individual", "customer", "organi", "licensee")
_TERR_ONLY = _lazy(r"\b(?:only|solely|exclusively)\s+(?:in|within)\b", _I)
_TERR_OUTSIDE = _lazy(r"\boutside(?:\s+of)?\b", _I)
_THE_TERRITORY = _lazy(r"[\s,]*(?:of\s+)?the\s+Territory\b")
_UNLICENSED = _lazy(r"\b(?:unlicensed|unauthori[sz]ed)\b", _I)
_MULTIMODAL = _lazy(r"\bmulti-?modal\b", _I)
_TERRITORY_DEF = _lazy(
    r"^\W{0,3}(?:[a-z0-9]{1,4}[.)]\s+)?\"?territor(?:y|ies)\"?\s+(?:shall\s+)?means?\b", _I
)
_DEF_EXCLUDING = _lazy(r"\b(?:exclud(?:ing|es|e)|except(?:\s+for)?|other\s+than|outside(?:\s+of)?)\b", _I)


def _places_at(text: str, pos: int, shouting: bool) -> list[tuple[int, str]]:
    """The list of places that starts right at ``pos``: "the European Union, United Kingdom and Korea"."""
    found = _place_matches(text, pos, min(len(text), pos + 400), shouting)
    out: list[tuple[int, str]] = []
    lead = _PLACE_LEAD.match(text, pos)
    cursor = lead.end() if lead else pos
    for start, end, code in found:
        if start < cursor:
            continue
        gap = _PLACE_GAP.match(text, cursor)
        if start > (gap.end() if gap else cursor):
            break
        if code not in [c for _, c in out]:
            out.append((start, code))
        cursor = end
    return out


def _territory_definition(text: str) -> tuple[str, list[str]] | None:
    """'"Territory" means the worldwide territory, excluding ...': (exclude | only, codes)."""
    m = _TERRITORY_DEF.match(text)
    if not m:
        return None
    caps = shouting(text)
    ex = _DEF_EXCLUDING.search(text)
    if ex:
        places = _places_at(text, ex.end(), caps)
        return ("exclude", [c for _, c in places]) if places else None
    places = _places_at(text, m.end(), caps)
    return ("only", [c for _, c in places]) if places else None


def _territory(s: Sent) -> list[_Cand]:
    text = s.combined
    if "territor" not in s.low and not _place_matches(text, 0, len(text), False):
        return []
    if s.has(_NOT_TERRITORIAL_WORDS) and _NOT_TERRITORIAL.search(text):
        return []  # governing law, courts, export control: not where the license applies
    shouting = s.shouting
    found: list[tuple[int, list[str], str, int]] = []  # (pos, codes, mode, score)

    def add(pos: int, places: list[tuple[int, str]], mode: str, score: int) -> None:
        if places:
            found.append((places[0][0], [c for _, c in places], mode, score))
        elif _THE_TERRITORY.match(text, pos) and s.doc.territory_def:
            def_mode, codes = s.doc.territory_def
            found.append((pos, list(codes), def_mode, score))

    for m in _TERR_EXCLUDE.finditer(text) if s.has(_TERR_EXCLUDE_WORDS) else ():
        if m.group(0).lower().startswith(("exclud", "except", "other")) and not _TERRITORIAL.search(
                text, max(0, m.start() - 80), m.start()):
            continue  # "excluding Llama 2 or derivative works"
        add(m.end(), _places_at(text, m.end(), shouting), "exclude", 2)
    for m in _TERR_DOMICILE.finditer(text) if s.has(_TERR_DOMICILE_WORDS) else ():
        places = _places_at(text, m.end(), shouting)
        if places and _TERR_WITHHELD.search(text, max(0, m.start() - 200), m.end() + 200):
            found.append((places[0][0], [c for _, c in places], "domicile", 2))
    for m in _TERR_ONLY.finditer(text) if s.has(("only", "solely", "exclusively")) else ():
        add(m.end(), _places_at(text, m.end(), shouting), "only", 1)
    p = _prohibition(s)
    if p is not None and not _LAWFUL.search(text):
        for m in _TERR_USE_IN.finditer(text, p.end(), min(len(text), p.end() + 200)):
            if not text[max(0, m.end() - 20):m.end()].lower().endswith(("only in", "only within")):
                add(m.end(), _places_at(text, m.end(), shouting), "exclude", 1)
    if s.has(("outside",)) and (p is not None or _UNLICENSED.search(text)):
        for m in _TERR_OUTSIDE.finditer(text):
            add(m.end(), _places_at(text, m.end(), shouting), "only", 1)
    out = []
    for pos, codes, mode, score in found:
        if pos < s.item_offset or not codes:
            continue
        names = ", ".join(codes)
        if mode == "exclude":
            summary = f"Not licensed in {names}"
        elif mode == "only":
            summary = f"Licensed only in {names}"
        else:
            scope = "Multimodal model rights" if _MULTIMODAL.search(text) else "Rights"
            summary = f"{scope} not granted to individuals or companies domiciled in {names}"
        out.append(_Cand("territory", pos, summary, territories=codes, mode=mode, score=score))
    return out


# =================================================================================================
# Output training ban
# =================================================================================================

_OUTPUTS = _lazy(
    r"\b(?:outputs?|results|generations?|generated\s+(?:content|data|text|images?|outputs?)|synthetic\s+data|"
    r"completions|responses|data\s+produced\s+by)\b",
    _I,
)
_TRAIN = _lazy(
    r"\b(?:improve|improving|train|training|develop|developing|create|creating|build|building|enhance|"
    r"fine[\s-]?tun\w*|distill\w*|pre-?train\w*)\b",
    _I,
)
_PLAIN_MODEL = _lazy(
    r"\s+(?:an?\s+|any\s+)?(?:(?:new|AI|ML|machine\s+learning|language|generative|foundation)\s+){0,3}"
    r"(?:models?|LLMs?)\b",
    _I,
)
_OTHER_MODEL = _lazy(
    r"\b(?:(?:any|other|another|competing|third[\s-]party|separate|rival|similar|new|different|your\s+own)\b"
    r"[^.;]{0,60}?\b(?:models?|LLMs?|(?:AI|ML|machine\s+learning)\s+(?:systems?|products?|services?)|"
    r"systems?)\b)|\bcompet\w+",
    _I,
)


_OUTPUT_GATE = frozenset(("output", "result", "generat", "synthetic", "completion", "response", "data produced"))
_TRAIN_GATE = frozenset(("improv", "train", "develop", "creat", "build", "enhanc", "tun", "distill"))


_WORK_OBJECT = _lazy(r"\b(?:model|models|materials|software|weights|parameters|checkpoints?)\b", _I)
_DISTILL = _lazy(r"\bdistill\w*", _I)
_TO_TRAIN = _lazy(
    r"\bto\s+(?:help\s+|assist\s+in\s+)?(?:improve|train|develop|create|build|enhance|fine[\s-]?tune|distill|"
    r"pre-?train)\b",
    _I,
)
_WORK_GATE = ("model", "material", "software", "weight", "parameter", "checkpoint")


def _output_ban(s: Sent) -> list[_Cand]:
    """Outputs (or the model itself), then training, then another model, with a prohibition around them: "You
    will not use ... any output ... to improve any other large language model", "Outputs may not be used to
    train competing models", "You may not use the Model to improve any AI model", "Distillation of the Model is
    prohibited". "If you use outputs to train a model, you shall name it ..." has no prohibition: a naming
    rule, not a ban."""
    outputs = s.has(_OUTPUT_GATE)
    if not (outputs or s.has(_WORK_GATE)) or not s.has(_TRAIN_GATE):
        return []
    text = s.combined
    if _relief_with_lead(s) or _PROHIBIT.search(text) is None:
        return []
    d = _DISTILL.search(text, s.item_offset)
    if d is not None and _prohibition_at(text) is not None:
        return [_Cand("output_training_ban", d.start(), "Distilling or training other models on the model or its "
                      "outputs is prohibited", score=2)]
    # "You may not use <anything> to improve any AI model": the prohibited use is training another model.
    p = _prohibition(s)
    u = _USE_WORD.search(text, p.end(), min(len(text), p.end() + 30)) if p is not None else None
    t = _find_after(_TO_TRAIN, text, u.end(), 160) if u is not None else None
    if t is not None and p is not None and max(p.start(), t.start()) >= s.item_offset:
        other = _PLAIN_MODEL.match(text, t.end()) or _find_after(_OTHER_MODEL, text, t.end(), 140)
        if other is not None:
            return [_Cand("output_training_ban", max(p.start(), s.item_offset),
                          "The model may not be used to train or improve other models", score=2)]
    objects = [(o, "outputs") for o in _OUTPUTS.finditer(text)] if outputs else []
    objects += [(o, "model") for o in _WORK_OBJECT.finditer(text)]
    objects.sort(key=lambda x: x[0].start())
    for o, what in objects:
        t = _find_after(_TRAIN, text, o.end(), 160)
        if t is None:
            continue
        other = _PLAIN_MODEL.match(text, t.end()) or _find_after(_OTHER_MODEL, text, t.end(), 140)
        if other is None:
            continue
        p = _prohibition_at(text, max(0, o.start() - 250))
        if p is None or p.start() > other.end() + 80:
            continue
        if what == "model" and p.start() > o.start():
            continue  # "the model ... to train other models" needs the prohibition first: "you may not use the ..."
        pos = min(p.start(), o.start())
        if max(p.start(), o.start()) < s.item_offset:
            continue  # all of it is in the lead-in, which is read on its own
        pos = pos if pos >= s.item_offset else max(p.start(), o.start())
        summary = "Outputs may not be used to train or improve other models" if what == "outputs" else \
            "The model may not be used to train or improve other models"
        return [_Cand("output_training_ban", pos, summary, score=2)]
    return []


# =================================================================================================
# Non-commercial
# =================================================================================================

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
    r"(?:strictly\s+)?(?:prohibited|forbidden|not\s+(?:permitted|allowed|authori[sz]ed))\b",
    _I,
)
_INTENDED = _lazy(r"\b(?:intended|designed|meant|suitable|recommended)\b", _I)  # intended use, not terms
_NC_RELIEF = _lazy(
    r"\bnot\s+(?:limited|restricted)\s+to\s+non-?commercial|\bincluding\s+commercial|"
    r"\bcommercial\s+(?:use\s+)?(?:is\s+)?(?:permitted|allowed)|\bboth\s+commercial\s+and|\bfor\s+any\s+purpose",
    _I,
)


_NC_GATE = frozenset(("commercial", "research"))


def _non_commercial(s: Sent) -> list[_Cand]:
    if not s.has(_NC_GATE):
        return []
    text = s.combined
    commercial = s.has(("commercial",))  # _NONCOMMERCIAL, _OTHER_THAN_COMMERCIAL, _COMMERCIAL_USE need it
    if ((commercial or s.has(("purpose",))) and _NC_RELIEF.search(text)) or _relief(s):
        return []
    for m in _NONCOMMERCIAL.finditer(text, s.item_offset) if commercial else ():
        lo = max(0, m.start() - 120)
        if not _USE_NOUN.search(text, lo, m.end() + 80):
            continue  # "this alternative is allowed only occasionally and noncommercially": a way of conveying
        if _ONLY.search(text, lo, m.end() + 80) or _prohibition_at(text[lo:m.end() + 80]):
            return [_Cand("non_commercial", m.start(), "Non-commercial use only", score=2)]
    m = _OTHER_THAN_COMMERCIAL.search(text, s.item_offset) if commercial else None
    if m:
        return [_Cand("non_commercial", m.start(), "Non-commercial use only", score=2)]
    m = _RESEARCH_ONLY.search(text, s.item_offset) if s.has(("research",)) else None
    if m and not _INTENDED.search(text, max(0, m.start() - 60), m.start()):
        return [_Cand("non_commercial", m.start(), "Research use only; no commercial use", score=2)]
    p = _prohibition(s) if commercial else None
    while p is not None:
        c = _find_after(_COMMERCIAL_USE, text, p.end(), 220)
        if c is not None and c.start() >= s.item_offset and c.group(0).strip().lower() != "commercial" \
                and not _NOT_A_USE.search(text, c.start(), c.end() + 12):
            return [_Cand("non_commercial", c.start(), "No commercial use", score=2)]
        p = _prohibition_at(text, p.end())
    return []


# =================================================================================================
# Use restrictions
# =================================================================================================

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
_USE_WORD = _lazy(r"\b(?:use|used|using)\b", _I)
_NOT = _lazy(r"\bnot\b", _I)


_USE_GATE = frozenset(("polic", "aup", "restrict", "prohibited use"))


def _use_restrictions(s: Sent) -> list[_Cand]:
    own = s.text
    text = s.combined
    if s.has(("restriction",)) and _NO_USE_RESTR.search(text):
        return []
    m = _POLICY.search(text, s.item_offset) if s.has(("polic", "aup")) else None
    if m and _POLICY_BINDING.search(text):
        return [_Cand("use_restrictions", m.start(), "Use must comply with the acceptable use policy", score=2)]
    m = _USE_RESTR.search(text, s.item_offset) if s.has(("restrict", "prohibited")) else None
    if m and _USE_RESTR_BINDING.search(text):
        return [_Cand("use_restrictions", m.start(), "Use-based restrictions apply (prohibited uses)", score=2)]
    p = _prohibition_at(text, s.item_offset)
    if p is not None and _USE_WORD.search(text, max(0, p.start() - 60), p.end() + 120):
        h = _terms("harmful").search(text, p.end())
        if h is not None and h.start() - p.end() < 300:
            return [_Cand("use_restrictions", p.start(), "Use-based restrictions apply (prohibited uses)", score=2)]
    # _LIST_LEADIN ends with r":\s*$"
    if s.lead is None and own.rstrip().endswith(":") and _LIST_LEADIN.search(own) and _USE_WORD.search(own):
        p = _prohibition_at(own) or _NOT.search(own)
        return [_Cand("use_restrictions", p.start() if p else 0, "Prohibited uses are listed", score=1)]
    return []


# =================================================================================================
# Attribution and naming
# =================================================================================================

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


def _attribution(s: Sent) -> list[_Cand]:
    if not s.has(_ATTR_GATE) or _relief(s):
        return []
    text = s.combined
    m = _ATTRIBUTION.search(text, s.item_offset)
    if m is None or not (_OBLIGATION.search(text) or s.lead is not None):
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
    return [_Cand("attribution", m.start(), summary, score=2)]


_NAME_GATE = frozenset(("name",))


def _naming(s: Sent) -> list[_Cand]:
    if not s.has(_NAME_GATE) or _relief(s):
        return []
    text = s.combined
    m = _NAMING.search(text, s.item_offset)
    if m is None or not (_OBLIGATION.search(text) or s.lead is not None):
        return []
    if m.group("e"):
        return [_Cand("naming", m.start(), f'Derivative model names must include "{m.group("e").strip()}"',
                      score=2)]
    name = (m.group("a") or m.group("b") or m.group("c") or m.group("d") or "").strip()
    return [_Cand("naming", m.start(), f'Derivative model names must begin with "{name}"', score=2)]


# =================================================================================================
# Share-alike, no-derivatives
# =================================================================================================

_SHARE_ALIKE = _lazy(
    r"\b(?:must|shall)\s+be\s+(?:licensed|distributed|released|made\s+available|published)\s+under\s+"
    r"(?:the\s+(?:same|terms\s+of\s+this)|this|an?\s+identical)\s+(?:licen[cs]e|agreement|terms)|"
    r"\b(?:licen[cs]e|distribute|release|publish)\w*\b[^.;]{0,60}?\bunder\s+the\s+same\s+(?:licen[cs]e|terms)\b|"
    r"\badapter's\s+licen[cs]e\s+you\s+apply\s+must\s+be\b[^.;]{0,80}?\bsame\b|"
    r"\blicensed\s+as\s+a\s+whole\b[^.;]{0,120}?\bunder\s+the\s+terms\s+of\s+this\s+licen[cs]e\b|"
    r"\b(?:must|shall)\s+(?:only\s+)?(?:license|distribute|release|make\s+available|share)\b[^.;]{0,60}?"
    r"\b(?:derivatives?|derivative\s+works?|modifications?|adaptations?|modified\s+versions?)\b[^.;]{0,40}?"
    r"\bunder\s+(?:the\s+terms\s+of\s+)?(?:this|the\s+same)\s+(?:licen[cs]e|agreement)\b",
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


def _share_alike(s: Sent) -> list[_Cand]:
    if not s.has(_SA_GATE) or _relief(s):
        return []
    text = s.combined
    m = _SHARE_ALIKE.search(text, s.item_offset)
    if m is None or not (_OBLIGATION.search(text) or s.lead is not None):
        return []
    return [_Cand("share_alike", m.start(), "Adaptations must be shared under the same license", score=2)]


def _no_derivatives(s: Sent) -> list[_Cand]:
    if not s.has(_ND_GATE) or not s.has(_ND_NOT_GATE):
        return []
    text = s.combined
    m = _NO_DERIV.search(text, s.item_offset)
    if m is None or _ND_SCOPED.search(text) or _DATA.search(m.group(0)):
        return []  # a scoped ban ("for commercial purposes", "outside the Territory", "the data") is not ND
    return [_Cand("no_derivatives", m.start(), "Adapted or derivative works may not be shared", score=2)]


# =================================================================================================
# Registration
# =================================================================================================

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
_PERMISSION_OBJ = _lazy(r"\b(?:licen[cs]e|authori[sz]ation|permission|agreement|approval)\b", _I)


_REG_GATE = frozenset(("regist", "commercial", "enterprise", "business"))


def _registration(s: Sent) -> list[_Cand]:
    if not s.has(_REG_GATE):
        return []
    text = s.combined
    if (s.has(("regist",)) and _NO_REGISTER.search(text)) or _relief(s):
        return []
    m = _REGISTER.search(text, s.item_offset) if s.has(_REGISTER_WORDS) else None
    if m is None:
        return []
    if "regist" in m.group(0).lower():
        if _COMMERCIAL_CTX.search(f"{s.prev_text[-300:]} {text}") or _BEFORE_USE.search(text):
            return [_Cand("registration", m.start(), "Commercial use requires registration with the licensor",
                          score=2)]
        return []
    if _PERMISSION_OBJ.search(text, m.end(), m.end() + 80) and _COMMERCIAL_CTX.search(text):
        return [_Cand("registration", m.start(), "Commercial use requires a separate license from the licensor",
                      score=2)]
    return []


# =================================================================================================
# Terms the licensor may change
# =================================================================================================

_TERMS_OBJ = r"(?:agreement|licen[cs]e|terms(?:\s+of\s+use)?|polic(?:y|ies)|AUP|conditions)"
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


def _modifiable_terms(s: Sent) -> list[_Cand]:
    if not s.has(_MODIFY_GATE):
        return []
    text = s.combined
    m = _REMOTE.search(text, s.item_offset) if s.has(("remote",)) else None
    if m:
        return [_Cand("modifiable_terms", m.start(), "Licensor may restrict usage remotely", score=2)]
    terms = s.has(_TERMS_WORDS)  # _MODIFY_ACTIVE and _MODIFY_PASSIVE need one
    for m in _MODIFY_ACTIVE.finditer(text, s.item_offset) if terms else ():
        if _LICENSEE_SUBJECT.search(text, max(0, m.start() - 30), m.start()) or _NOT.search(m.group(0)):
            continue  # "you may not modify this License"
        return [_Cand("modifiable_terms", m.start(), _MODIFIABLE, score=2)]
    m = _MODIFY_PASSIVE.search(text, s.item_offset) if terms else None
    if m and not _IN_ACCORDANCE.match(text, m.end()) and not _NOT.search(m.group(0)):
        return [_Cand("modifiable_terms", m.start(), _MODIFIABLE, score=2)]
    for m in _AS_MAY_BE.finditer(text, s.item_offset) if s.has(("time",)) else ():
        nouns = list(_NEAREST_NOUN.finditer(text, max(0, m.start() - 120), m.start()))
        if nouns and _TERMS_WORD.fullmatch(nouns[-1].group(0)):  # the AUP, not "the Models webpage"
            return [_Cand("modifiable_terms", m.start(), _MODIFIABLE, score=1)]
    m = _LATEST_VERSION.search(text, s.item_offset) if s.has(("latest",)) else None
    if m:
        return [_Cand("modifiable_terms", m.start(), _MODIFIABLE, score=1)]
    return []


# =================================================================================================
# Texts written in Chinese
# =================================================================================================

_CJK = _lazy(r"[\u3400-\u9fff]")


def _zh_patterns() -> dict[str, list[re.Pattern[str]]]:
    got = _THRESHOLD_CACHE.get("zh")
    if got is None:
        got = _THRESHOLD_CACHE["zh"] = {k: [re.compile(p) for p in ps] for k, ps in _vocab.load().zh.items()}
    return got  # type: ignore[return-value]


_ZH_SUMMARY = {
    "non_commercial": "Non-commercial use only",
    "use_restrictions": "Use-based restrictions apply (prohibited uses)",
    "output_training_ban": "Outputs may not be used to train or improve other models",
    "attribution": "Retain the license and attribution notices",
    "registration": "Commercial use requires registration with the licensor",
}


def _zh_thresholds(s: Sent) -> list[_Cand]:
    v = _vocab.load()
    text = s.combined
    zt = v.zh_thresholds
    if not any(c in text for c in zt["comparators"]):
        return []
    users: list[tuple[int, Threshold]] = []
    revenue: list[tuple[int, Threshold]] = []
    for q in iter_quantities(text):
        if q.start < s.item_offset or not (q.has_scale or q.value >= 1000):
            continue
        window = text[max(0, q.start - 30):q.end + 12]
        unit = next((u.unit for u in v.user_units if any(ph in window for ph in u.zh)), None)
        if unit is not None and not q.has_currency:
            users.append((q.start, Threshold(q.value, unit)))
        elif any(n in window for n in v.zh_revenue_nouns):
            monthly = any(w in window for w in v.zh_monthly_words)
            revenue.append((q.start, Threshold(q.value, "monthly_revenue" if monthly else "annual_revenue",
                                               q.currency)))
    if not users and not revenue:
        return []
    found = users + revenue
    ths = [t for _, t in found]
    pos = min(p for p, _ in found)
    label = _cap(_join_or([_describe_threshold(t) for t in ths]))
    if re.search(zt["license_consequence"], text):
        return [_Cand("user_cap" if t.unit in _USER_UNITS else "revenue_cap", p,
                      f"{_cap(_describe_threshold(t))} requires a separate license", [t], score=2) for p, t in found]
    if re.search(zt["attribution_consequence"], text):
        return [_Cand("attribution", pos, f"{label} requires displaying attribution (not a cap)", ths, score=2)]
    return []


def _chinese(s: Sent) -> list[_Cand]:
    text = s.combined
    out = _zh_thresholds(s)
    for kind, patterns in _zh_patterns().items():
        for p in patterns:
            m = p.search(text, s.item_offset)
            if m is not None:
                out.append(_Cand(kind, m.start(), _ZH_SUMMARY[kind], score=2))
                break
    return out


# =================================================================================================
# Binding sentences no kind claims
# =================================================================================================

_MAX_UNCLASSIFIED = 12
# Cards are not terms: "this model should not be used for medical advice" is guidance, not a license clause.
_UNCLASSIFIED_ROLES = ("license", "use_policy", "notice")


def _unclassified(s: Sent) -> list[_Cand]:
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
    if _CJK.search(text):
        if not any(w in text for w in v.zh_binding) or any(w in text for w in v.zh_boilerplate):
            return []
        return [_Cand("unclassified", s.item_offset, "Binding sentence not classified: " + _short(s.text), score=1)]
    mod = _modality.classify(text)
    if not mod.binding or mod.relieved or not _terms("subjects").search(low):
        return []
    if _terms("boilerplate").search(low):
        return []
    if not mod.limitation and _terms("not_bound_end").search(low, max(0, mod.at - 60), mod.at):
        return []  # "the Licensor shall not be bound": binds the licensor ("this license is granted only to" binds)
    if mod.prohibition and mod.weak and not mod.limitation and not \
            _terms("licensee").search(low, max(0, mod.at - 40), mod.at):
        return []  # "problems will not reflect on the authors": a statement, not a duty of the user
    if not mod.prohibition and not mod.limitation:
        if not _terms("licensee").search(low, max(0, mod.obligation_at - 60), mod.obligation_at) or \
                _terms("mechanics").search(low):
            return []
    return [_Cand("unclassified", max(mod.at, s.item_offset),
                  f"Binding sentence not classified ({mod.label}): {_short(s.text)}", score=1)]


_TERMS_CACHE: dict[str, object] = {}


def _terms(name: str):  # noqa: ANN202 - re.Pattern or vocabulary.PhraseSet (both have .search)
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


def _short(text: str, limit: int = 120) -> str:
    t = " ".join(unnumbered(text.strip()).split())
    return f'"{t}"' if len(t) <= limit else f'"{t[:limit].rsplit(" ", 1)[0]}…"'


# =================================================================================================
# Putting it together
# =================================================================================================


def _candidates(s: Sent) -> list[_Cand]:
    if s.heading or len(s.text.strip()) < 6:
        return []
    out = _modifiable_terms(s)  # "AUP means ..., as may be updated"
    if _is_definition(s.text):
        return out
    if _CJK.search(s.combined):
        return out + _chinese(s)
    thresholds = _thresholds(s)
    out += thresholds
    out += _territory(s)
    out += _output_ban(s)
    out += _non_commercial(s)
    out += _use_restrictions(s)
    if not any(c.kind == "attribution" for c in thresholds):
        out += _attribution(s)
    out += _naming(s)
    out += _share_alike(s)
    out += _no_derivatives(s)
    if not thresholds:  # "you must request a license" after a cap is its consequence
        out += _registration(s)
    return out


def _quote(s: Sent, pos: int) -> str:
    """The sentence, whitespace collapsed; cut around ``pos`` when longer than QUOTE_LIMIT."""
    text = s.combined
    if s.lead is not None and pos >= s.item_offset:
        body = unnumbered(s.text)
        if len(body) >= 60 and body[:1].isupper():
            text, pos = s.text, pos - s.item_offset  # the item reads on its own
    full = " ".join(text.split())
    if len(full) <= QUOTE_LIMIT:
        return full
    key = min(len(" ".join((text[:pos] + "x").split())) - 1, len(full))
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
    return ("…" if start > 0 else "") + full[start:end].strip() + ("…" if end < len(full) else "")


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
        d = None if s.heading or not s.has_own(("territor",)) else _territory_definition(s.text)
        if d is not None and d[1]:
            doc.territory_def = d
            break
    doc.terms = _defined_thresholds(sents)
    best: dict[tuple, tuple[int, Restriction]] = {}
    claimed: set[int] = set()  # ids of sentences some detector claimed
    unclassified = 0
    for s in sents:
        if not _in_ranges(doc, s, ranges):
            continue
        cands = _candidates(s)
        if cands:
            claimed.add(id(s))
        elif f.role in _UNCLASSIFIED_ROLES and not s.heading and not _is_definition(s.text) and (
                s.lead is None or id(s.lead) not in claimed):
            cands = _unclassified(s)
            if cands:
                unclassified += 1
                if unclassified > _MAX_UNCLASSIFIED:
                    continue
        binding = bool(cands) and _BINDING.search(s.text) is not None
        for c in cands:
            if binding:
                c.score += 1
            r = Restriction(
                kind=c.kind,
                summary=c.summary,
                thresholds=list(c.thresholds),
                territories=list(c.territories),
                clause=Citation(source="file", file=f.name, line=doc.line_of(s.offset_of(c.pos)),
                                text=_quote(s, c.pos)),
                origin="text",
            )
            ths = tuple(sorted((t.value, t.unit, t.currency or "") for t in c.thresholds))
            key = (c.kind, ths, "only" if c.mode == "only" else "")  # exclusions and domicile rules merge
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
    if unclassified > _MAX_UNCLASSIFIED:
        last = [r for r in out if r.kind == "unclassified"][-1]
        last.summary += f" (and {unclassified - _MAX_UNCLASSIFIED} more binding sentences not listed)"
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
