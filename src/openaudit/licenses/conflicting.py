"""Terms when the card's license signals disagree and none decides (OA103 with an unknown license).

Fail closed: the license that binds is one of the licenses the signals name, so the known terms of each are
reported, each said as conditional on that license and cited at the card line that names it. Terms the
candidates share (a no-derivatives term both name) are listed once.
"""

from __future__ import annotations

from openaudit.evidence import Evidence
from openaudit.licenses.identify import Identification
from openaudit.model import Restriction, Threshold


def candidate_terms(ev: Evidence, ident: Identification, have: list[Restriction]) -> list[Restriction]:
    """The known terms of every license a conflicting signal names, when the license is unknown."""
    if ident.result.id != "unknown" or not ident.conflicts:
        return []
    seen = {(r.kind, tuple(sorted((t.unit, t.value) for t in r.thresholds)), tuple(sorted(r.territories)))
            for r in have}
    by_key: dict[tuple, Restriction] = {}
    names: dict[tuple, list[str]] = {}
    for pair in ident.conflicts:
        for sig in pair:
            entry = sig.entry
            if entry is None:
                continue
            for t in entry.terms:
                key = (t.kind, tuple(sorted((x["unit"], float(x["value"])) for x in t.thresholds)),
                       tuple(sorted(t.territories)))
                if key in seen:
                    continue
                names.setdefault(key, [])
                if entry.id not in names[key]:
                    names[key].append(entry.id)
                if key not in by_key:
                    by_key[key] = Restriction(
                        kind=t.kind, summary=t.summary,
                        thresholds=[Threshold(float(x["value"]), x["unit"], x.get("currency")) for x in t.thresholds],
                        territories=list(t.territories), clause=sig.citation, origin="catalog")
    every = {s.entry.id for pair in ident.conflicts for s in pair if s.entry is not None}
    out = []
    for key, r in by_key.items():
        ids = names[key]
        if set(ids) == every:
            r.summary = f"Under each license the card names ({', '.join(ids)}; its signals disagree): {r.summary}"
        else:
            r.summary = f"If {' or '.join(ids)} applies (the card's license signals disagree): {r.summary}"
        out.append(r)
    return out
