"""The normalized facts document the rules read. Its shape is documented in rules/README.md."""

from __future__ import annotations

from typing import Any

from openaudit.context import DeploymentContext
from openaudit.evidence import Evidence
from openaudit.licenses.catalog import Catalog
from openaudit.licenses.gated import KEY as GATED_KEY
from openaudit.licenses.identify import Identification
from openaudit.licenses.vocabulary import field_of_use
from openaudit.model import Citation, Restriction, to_data
from openaudit.safety import safety_facts


def _cite(c: Citation | None) -> dict[str, Any] | None:
    return to_data(c) if c is not None else None


def restriction_fact(r: Restriction) -> dict[str, Any]:
    d: dict[str, Any] = to_data(r)
    caps: dict[str, float] = {}
    currency = None
    for t in r.thresholds:
        key = {"monthly_active_users": "mau_cap", "daily_active_users": "dau_cap", "monthly_visits": "visits_cap",
               "annual_revenue": "annual_revenue_cap", "monthly_revenue": "monthly_revenue_cap"}[t.unit]
        caps[key] = min(caps.get(key, t.value), t.value)
        currency = currency or t.currency
    d.update({"mau_cap": None, "dau_cap": None, "visits_cap": None, "annual_revenue_cap": None,
              "monthly_revenue_cap": None})
    d.update(caps)
    d["currency"] = currency
    d["territories_text"] = ", ".join(r.territories)
    return d


def _license_statement(ev: Evidence) -> str:
    """What the card's metadata says about the license, for the finding that no license could be found."""
    meta = ev.metadata
    declared = meta.get("license")
    items = declared if isinstance(declared, list) else [declared]
    values = [str(v) for v in items if isinstance(v, (str, int, float)) and str(v).strip()]
    if not values:
        return "No license declared in the card metadata"
    return (f"The card declares license: {', '.join(values)[:80]} but names no license (no license_name or "
            "license_link)")


def build_facts(
    ev: Evidence,
    catalog: Catalog,
    ident: Identification,
    restrictions: list[Restriction],
    context: DeploymentContext,
    standards: dict[str, Any] | None = None,
) -> dict[str, Any]:
    res = ident.result
    entry = catalog.get(res.id)
    card = ev.card
    kinds = sorted({r.kind for r in restrictions})
    facts: dict[str, Any] = {
        "target": {"kind": ev.kind, "id": ev.id, "revision": ev.revision, "gated": ev.gated},
        "license": {
            "id": res.id,
            "known": res.id != "unknown",
            "name": res.name,
            "spdx": res.spdx,
            "osi_approved": res.osi_approved,
            "category": entry.category if entry else None,
            "confidence": res.confidence,
            "reason": res.reason,
            "declared": ident.declared,
            "citation": _cite(res.evidence[0]) if res.evidence else None,
        },
        "signals": {
            "count": len(ident.signals),
            "metadata": sum(1 for s in ident.signals if s.kind in ("metadata", "link")),
            "files": sum(1 for s in ident.signals if s.kind == "file"),
        },
        "license_files": [f.name for f in ev.license_files()],
        # Access-form texts (extra_gated_prompt) whose terms were read as the license (see licenses/gated.py).
        "license_prompts": sorted({r.clause.file for r in restrictions if r.clause is not None and r.clause.file
                                   and r.clause.file.endswith(f"({GATED_KEY})")}),
        "conflicts": [
            {"a_kind": a.kind, "a_value": a.value, "a_id": a.entry.id if a.entry else None,
             "b_kind": b.kind, "b_value": b.value, "b_id": b.entry.id if b.entry else None,
             "citation": _cite(b.citation)}
            for a, b in ident.conflicts
        ],
        "modified_texts": [{"file": s.value,
                            "license_id": ident.base.id if ident.base is not None else res.id,
                            "changes": s.text.describe(5) if s.text is not None and s.text.describe() else
                            "it may add or change terms",
                            "citation": _cite(s.citation)}
                           for s in ident.modified],
        "card": {
            "present": card is not None,
            "path": card.path if card else None,
            "has_metadata": bool(card and card.metadata),
            "metadata_error": card.metadata_error if card else None,
            "license_statement": _license_statement(ev),
            "citation": {"source": "file", "file": card.path, "line": None, "text": None} if card else None,
        },
        "files": [
            {"name": f.name, "role": f.role,
             "status": "unreadable" if f.text is None else ("truncated" if f.truncated else "read"),
             "reason": f.error, "citation": {"source": "file", "file": f.name, "line": None, "text": None}}
            for f in ev.files
        ],
        "restrictions": [restriction_fact(r) for r in restrictions],
        "restriction_kinds": kinds,
        "limiting_kinds": [k for k in kinds if k in field_of_use()],  # rules/vocabulary/kinds.yaml
        "context": context.to_facts(),
        "context_given": context.given,
        "safety": safety_facts(ev),
    }
    facts.update(standards or {})
    return facts
