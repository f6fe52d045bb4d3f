"""Terms that apply to some kinds of model only, decided from the audited model's card.

The Llama 3.2 Acceptable Use Policy withholds the Section 1(a) rights to the *multimodal* Llama 3.2 models
from EU-domiciled licensees; a text-only Llama 3.2 model (1B, 3B) is not concerned. A restriction whose
clause or summary scopes it so (phrases in ``rules/vocabulary/modalities.yaml``) is kept when the model is
multimodal (its pipeline tag, name, tags or model_type say so), left out with a note when the card shows a
text-only model, and kept as conditional, said as such, when the card does not tell.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from openaudit.evidence import Evidence
from openaudit.model import Restriction

MULTIMODAL, TEXT_ONLY, UNKNOWN = "multimodal", "text_only", "unknown"


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    from openaudit.paths import rules_dir
    from openaudit.yamlutil import load_file

    data = load_file(rules_dir() / "vocabulary" / "modalities.yaml")
    return data if isinstance(data, dict) else {}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def modality(ev: Evidence) -> tuple[str, str]:
    """The audited model's modality (MULTIMODAL, TEXT_ONLY or UNKNOWN) and the evidence for it."""
    voc = vocabulary()
    mm = voc.get("multimodal") or {}
    words = {str(w).lower() for w in mm.get("words") or []}
    meta = ev.metadata
    pipeline = [p.strip().lower() for p in _strings(meta.get("pipeline_tag"))]
    for p in pipeline:
        if p in {str(t).lower() for t in mm.get("pipeline_tags") or []}:
            return MULTIMODAL, f"pipeline_tag {p}"
    name = ev.id.rstrip("/").rsplit("/", 1)[-1]
    sources = [("model name", name)] + [("model_name", v) for v in _strings(meta.get("model_name"))] + \
        [("model_type", v) for v in _strings(meta.get("model_type"))] + \
        [("tag", v) for v in (_strings(meta.get("tags")) or list(ev.tags))]
    for what, value in sources:
        low = value.lower()[:200]
        tokens = set(re.split(r"[-_./\s]+", low))
        hit = next((w for w in sorted(words) if w in tokens or ("-" in w and w in low)), None)
        if hit is not None:
            return MULTIMODAL, f"{what} {value[:80]!r} ({hit})"
    text_tags = {str(t).lower() for t in (voc.get("text_only") or {}).get("pipeline_tags") or []}
    for p in pipeline:
        if p in text_tags:
            return TEXT_ONLY, f"pipeline_tag {p}"
    for tag in ev.tags:  # the Hub lists the pipeline tag among the tags
        if tag.lower() in text_tags:
            return TEXT_ONLY, f"tag {tag}"
    return UNKNOWN, "the card gives no pipeline_tag, and neither its name nor its tags say"


def _scoped(r: Restriction) -> str | None:
    text = " ".join(x for x in (r.summary, r.clause.text if r.clause is not None else None) if x).lower()
    for scope, phrases in (vocabulary().get("scoped_terms") or {}).items():
        if any(str(p).lower() in text for p in phrases or []):
            return str(scope)
    return None


def apply(ev: Evidence, restrictions: list[Restriction]) -> tuple[list[Restriction], list[str]]:
    """Restrictions as they apply to this model (see the module docstring), and the notes that say what was left
    out (for the report; the evidence is not changed)."""
    out: list[Restriction] = []
    notes: list[str] = []
    found: tuple[str, str] | None = None
    for r in restrictions:
        scope = _scoped(r)
        if scope != MULTIMODAL:
            out.append(r)
            continue
        found = found or modality(ev)
        kind, why = found
        if kind == MULTIMODAL:
            r.summary = f"{r.summary} [applies: this model is multimodal: {why}]"
            out.append(r)
        elif kind == TEXT_ONLY:
            note = (f"Not applied: {r.kind} term for multimodal models only ({r.summary[:160]}); this model is "
                    f"text-only ({why})")
            if note not in notes:
                notes.append(note)
        else:
            r.summary = (f"Conditional: applies only if this is a multimodal model ({why}): {r.summary}")
            out.append(r)
    return out, notes
