"""Texts written in Chinese: thresholds and the kinds whose patterns the vocabulary gives (``kinds.yaml``, ``zh``)."""

from __future__ import annotations

import re
from functools import lru_cache

from openaudit.licenses import vocabulary as _vocab
from openaudit.licenses.detectors.caps import USER_UNITS, describe_threshold
from openaudit.licenses.detectors.common import Cand, cap, join_or
from openaudit.licenses.numbers import iter_quantities
from openaudit.licenses.sentences import Sent
from openaudit.model import Threshold


@lru_cache(maxsize=1)
def _zh_patterns() -> dict[str, list[re.Pattern[str]]]:
    """The vocabulary's Chinese patterns, compiled when a Chinese text is first read."""
    out = {}
    for kind, patterns in _vocab.load().zh.items():
        try:
            out[kind] = [re.compile(p) for p in patterns]
        except re.error as e:
            raise _vocab.VocabularyError(f"kinds.yaml: kinds.{kind}.zh: invalid pattern: {e}") from None
    return out


_ZH_SUMMARY = {
    "non_commercial": "Non-commercial use only",
    "use_restrictions": "Use-based restrictions apply (prohibited uses)",
    "output_training_ban": "Outputs may not be used to train or improve other models",
    "attribution": "Retain the license and attribution notices",
    "registration": "Commercial use requires registration with the licensor",
}


def _zh_thresholds(s: Sent) -> list[Cand]:
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
    label = cap(join_or([describe_threshold(t) for t in ths]))
    if re.search(zt["license_consequence"], text):
        return [Cand("user_cap" if t.unit in USER_UNITS else "revenue_cap", p,
                      f"{cap(describe_threshold(t))} requires a separate license", [t], score=2) for p, t in found]
    if re.search(zt["attribution_consequence"], text):
        return [Cand("attribution", pos, f"{label} requires displaying attribution (not a cap)", ths, score=2)]
    return []


def chinese(s: Sent) -> list[Cand]:
    text = s.combined
    out = _zh_thresholds(s)
    for kind, patterns in _zh_patterns().items():
        for p in patterns:
            m = p.search(text, s.item_offset)
            if m is not None:
                out.append(Cand(kind, m.start(), _ZH_SUMMARY[kind], score=2))
                break
    return out
