"""The terms that bind the user: what the license text says, reconciled with the catalog's knowledge.

The text is read first (``clauses.extract_restrictions``), so a license never seen before still yields
its caps and bans. The identified license's known terms (``rules/licenses/<id>.yaml``) then fill what
the text reading missed, cited in the repository's files where their phrase is found. When the text and
the catalog disagree on a number or a territory, the text wins (it is what binds) and the difference is
reported as a discrepancy.
"""

from __future__ import annotations

from dataclasses import dataclass

from openaudit.evidence import Evidence
from openaudit.licenses.catalog import LicenseEntry
from openaudit.licenses.locate import locate
from openaudit.model import Citation, Restriction, Threshold

_ROLE_ORDER = {"license": 0, "use_policy": 1, "notice": 2, "card": 3}


@dataclass
class Discrepancy:
    kind: str
    license_id: str
    catalog: str
    text: str
    clause: Citation | None


def known_terms(ev: Evidence, entry: LicenseEntry | None) -> list[Restriction]:
    """The catalog's known terms of ``entry``, each cited in the repo's files when its phrase is found."""
    if entry is None:
        return []
    out = []
    files = ev.license_files()
    for t in entry.terms:
        clause = locate(t.clause, files) if t.clause else None
        if clause is None:
            clause = Citation(source="catalog", file=None, text=t.clause)
        out.append(Restriction(
            kind=t.kind,
            summary=t.summary,
            thresholds=[Threshold(float(x["value"]), x["unit"], x.get("currency")) for x in t.thresholds],
            territories=list(t.territories),
            clause=clause,
            origin="catalog",
        ))
    return out


def text_terms(ev: Evidence) -> list[Restriction]:
    """Restrictions read from the license-like files; from the card only when no such file is readable.

    Memoized on the evidence (a target is read by the lineage resolver and by the audit itself; reading a
    2 MiB file costs seconds): each call returns fresh copies.
    """
    import copy

    key = tuple((f.name, f.role, id(f.text)) for f in ev.files)
    memo = ev.__dict__.setdefault("_text_terms_memo", {})
    if key not in memo:
        memo.clear()
        memo[key] = _text_terms(ev)
    return copy.deepcopy(memo[key])


def _text_terms(ev: Evidence) -> list[Restriction]:
    from openaudit.licenses.clauses import extract_restrictions

    readable = [f for f in ev.license_files() if f.text is not None]
    files = readable or [f for f in ev.files if f.role == "card" and f.text is not None]
    found = extract_restrictions(files)
    role = {f.name: f.role for f in ev.files}
    found.sort(key=lambda r: _ROLE_ORDER.get(role.get(r.clause.file if r.clause else "", "card"), 9))
    out: list[Restriction] = []
    seen: set[tuple] = set()
    for r in found:
        key = _key(r)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _key(r: Restriction) -> tuple:
    return (r.kind, tuple(sorted((t.unit, t.value) for t in r.thresholds)), tuple(sorted(r.territories)))


def _describe(r: Restriction) -> str:
    parts = [f"{t.value:,.0f} {t.unit.replace('_', ' ')}{(' ' + t.currency) if t.currency else ''}"
             for t in r.thresholds]
    if r.territories:
        parts.append("territories " + ", ".join(sorted(r.territories)))
    return "; ".join(parts) or r.kind


def reconcile(ev: Evidence, entry: LicenseEntry | None) -> tuple[list[Restriction], list[Discrepancy]]:
    """Text terms first; catalog terms the text reading did not find; discrepancies between the two."""
    from_text = text_terms(ev)
    catalog = known_terms(ev, entry)
    out = list(from_text)
    discrepancies: list[Discrepancy] = []
    for term in catalog:
        same_kind = [r for r in from_text if r.kind == term.kind]
        if not same_kind:
            out.append(term)
            continue
        if term.thresholds:
            units = {t.unit for t in term.thresholds}
            comparable = [r for r in same_kind if {t.unit for t in r.thresholds} & units]
            if comparable and not any(_key(r)[1] == _key(term)[1] for r in comparable):
                assert entry is not None
                discrepancies.append(Discrepancy(term.kind, entry.id, _describe(term), _describe(comparable[0]),
                                                 comparable[0].clause))
        elif term.territories:
            if not any(set(r.territories) == set(term.territories) for r in same_kind):
                assert entry is not None
                discrepancies.append(Discrepancy(term.kind, entry.id, _describe(term), _describe(same_kind[0]),
                                                 same_kind[0].clause))
    return out, discrepancies
