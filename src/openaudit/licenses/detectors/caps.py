"""User and revenue thresholds: "more than 700 million monthly active users ... must request a license", "annual
revenue above US$10 million"; a number with a unit (``rules/vocabulary/units.yaml``) and what crossing it leads to
(a separate license or a fee make a cap; an attribution duty or a notice do not). Defined terms holding a
threshold ('"Threshold" means ...') are read from the whole file."""

from __future__ import annotations

import re
from functools import lru_cache

from openaudit.lazyre import LazyPattern
from openaudit.lazyre import compile as _lazy
from openaudit.licenses import vocabulary as _vocab
from openaudit.licenses.detectors.common import Cand, cap, join_or
from openaudit.licenses.numbers import format_quantity, iter_quantities
from openaudit.licenses.sentences import Sent, unnumbered
from openaudit.model import Threshold

_I = re.I

_UNITS_CACHE: dict[str, object] = {}


def _unit_patterns() -> dict[str, LazyPattern]:
    """Patterns built from ``rules/vocabulary/units.yaml``: a user unit right after a number, a user unit before
    it (then a comparator), a revenue noun after it, a revenue noun before it (then a comparator). Each is compiled
    when first used: a text whose caps are all in users never needs the revenue ones."""
    got = _UNITS_CACHE.get("units")
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
        got = _UNITS_CACHE["units"] = {
            "user_after": _lazy(rf"\s*(?:\+\s*|or\s+more\s+|or\s+greater\s+)?(?:{users})(?![\w-])", _I),
            "user_before": _lazy(rf"(?<![\w-])(?:{users})(?![\w-])[^.;0-9$\u20ac\u00a3\u00a5]{{0,70}}?"
                                 rf"\b{comparator}\s*$", _I),
            "rev_after": _lazy(r"\s*(?:\([^()]{0,80}\)\s*)?(?:or\s+more\s+)?(?:(?:in|of)\s+)?"
                               rf"(?:the\s+|your\s+|its\s+)?{revenue}(?![\w-])", _I),
            "rev_before": _lazy(rf"(?<![\w-]){revenue}(?![\w-])[^.;\d$\u20ac\u00a3\u00a5]{{0,90}}?\b{comparator}"
                                r"\s*$", _I),
            "monthly": _vocab.phrase_pattern(v.monthly_words),
            "annual": _vocab.phrase_pattern(v.annual_words),
        }
    return got  # type: ignore[return-value]


@lru_cache(maxsize=1)
def _revenue_keys() -> tuple[str, ...]:
    """The first letters of every revenue noun (lower-cased): a revenue pattern matches only where one occurs."""
    return tuple(sorted({re.findall(r"[^\W\d_]+", n.lower())[0] for n in _vocab.load().revenue_nouns}))


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
    r"\b[^.;]{0,40}?\b(?:licen(?:ce|se)|agreement|permission|authori(?:sation|zation)|terms)|"
    r"not\s+(?:be\s+)?(?:authori(?:sed|zed)|permitted|entitled|licensed|allowed|eligible)|terminat\w*|cease|"
    r"(?:commercial|enterprise|separate|additional)\s+(?:licen(?:ce|se)|agreement|terms)|cannot\s+exercise|"
    r"may\s+not\s+(?:use|exercise)|does\s+not\s+apply|no\s+longer\s+(?:apply|applies|eligible|licensed))",
    _I,
)
_FEE_CONSEQUENCE = _lazy(
    r"\b(?:(?:license|licensing|usage|subscription|annual)\s+fees?|royalt(?:y|ies)|pay\s+(?:a|the|an)\b|"
    r"paid\s+(?:licen(?:ce|se)|plan|subscription|tier)|compensat\w+\s+the\s+licensor|remuneration)\b",
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
        if not q.has_currency and big:
            hit = p["user_after"].match(after) or p["user_before"].search(before)
            if hit:
                users.append((q.start, Threshold(q.value, _user_unit(hit))))
                continue
        if not (q.has_currency or big) or not s.has(_revenue_keys()):
            continue  # a revenue pattern needs a revenue noun
        hit = p["rev_after"].match(after) or p["rev_before"].search(before)
        if hit is not None:
            unit = _revenue_period(hit.group("rev"), text, q.start)
            revenue.append((q.start, Threshold(q.value, unit, q.currency)))
    return users, revenue


# Words a match of _TERM_DEF needs, unless it is a parenthesis ('(the "Revenue Threshold")').
_TERM_DEF_WORDS = ("mean", "refer", "defined")


def _has_any(low: str, words: tuple[str, ...]) -> bool:
    return any(w in low for w in words)


def defined_thresholds(sents: list[Sent]) -> dict[str, list[Threshold]]:
    """Defined terms that hold a threshold: '"Threshold" shall mean annual revenue of US$10,000,000'."""
    out: dict[str, list[Threshold]] = {}
    for s in sents:
        if s.heading or '"' not in s.text or not ("(" in s.text or _has_any(s.own_low, _TERM_DEF_WORDS)):
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
        attr = _ATTR_CONSEQUENCE.search(window)
        # Each pattern is searched (and compiled, the first time) only when the answer depends on it.
        if attr is None:
            if lic:
                return "license"
            if _FEE_CONSEQUENCE.search(window):
                return "fee"
            if _NOTICE_CONSEQUENCE.search(window):
                return "notice"
            continue
        fee = _FEE_CONSEQUENCE.search(window)
        if not fee and (lic is None or _ATTR_ONLY_LICENSE.search(lic.group(0))):
            return "attribution"
        if lic:
            return "license"
        if fee:
            return "fee"
        return "attribution"
    return None


# "terms" of the attribution duty, not a separate license: "... you must comply with the attribution terms".
_ATTR_ONLY_LICENSE = _lazy(r"\bterms\b", _I)


def thresholds(s: Sent) -> list[Cand]:
    text = s.combined
    users, revenue = _quantities(s)
    if not users and not revenue:
        for pos, t in _term_uses(s):
            (users if t.unit in USER_UNITS else revenue).append((pos, t))
        if not users and not revenue:
            return []
        if not _COMPARATOR.search(text):
            return []  # the term named, not crossed
    if _NO_CAP.search(s.text):  # read only where there is a threshold: most sentences have none
        return []
    consequence = _consequence(s)
    found = users + revenue
    ths = [t for _, t in found]
    pos = min(p for p, _ in found)
    label = cap(join_or([describe_threshold(t) for t in ths]))
    if consequence == "attribution":
        attribution = _ATTR_CONSEQUENCE.search(text)
        what = (_quoted_phrase(text, attribution.start()) if attribution else None) or "attribution"
        return [Cand("attribution", pos, f"{label} requires displaying {what} (not a cap)", ths, score=2)]
    if consequence == "notice":
        return [Cand("registration", pos, f"{label} requires notifying the licensor (not a cap)", ths, score=2)]
    if consequence in ("license", "fee"):
        score = 2
    elif s.doc.role != "card" and _COMPARATOR.search(text) and _ELIGIBILITY.search(text):
        score = 1  # "free access for organisations with annual revenue of less than $1M"
    else:
        return []  # "over 100 million monthly active users use our products" (a card bragging)
    need = "requires paying a fee to the licensor" if consequence == "fee" else "requires a separate license"
    out = [Cand("user_cap", p, f"{cap(describe_threshold(t))} {need}", [t], score=score) for p, t in users]
    out += [Cand("revenue_cap", p, f"{cap(describe_threshold(t))} {need}", [t], score=score) for p, t in revenue]
    return out


USER_UNITS = ("monthly_active_users", "daily_active_users", "monthly_visits")


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


def describe_threshold(t: Threshold) -> str:
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


def _quoted_phrase(text: str, pos: int) -> str | None:
    m = _QUOTED_PHRASE.search(text, pos, min(len(text), pos + 120))
    return f'"{m.group(1).strip()}"' if m else None
