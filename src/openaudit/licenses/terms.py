"""The terms that bind the user: what the license text says, reconciled with the catalog's knowledge.

The text is read first (``clauses.extract_restrictions``), so a license never seen before still yields
its caps and bans. The identified license's known terms (``rules/licenses/<id>.yaml``) then fill what
the text reading missed, cited in the repository's files where their phrase is found. When the text and
the catalog disagree on a number or a territory, the text wins (it is what binds) and the difference is
reported as a discrepancy.
"""

from __future__ import annotations

from dataclasses import dataclass

from openaudit.evidence import Evidence, SourceFile
from openaudit.licenses.catalog import Catalog, LicenseEntry
from openaudit.licenses.locate import locate
from openaudit.model import Citation, Restriction, Threshold

_ROLE_ORDER = {"license": 0, "use_policy": 1, "notice": 2, "gated_prompt": 2.5, "card": 3}


@dataclass
class Discrepancy:
    kind: str
    license_id: str
    catalog: str
    text: str
    clause: Citation | None


def known_terms(ev: Evidence, entry: LicenseEntry | None, prompt: SourceFile | None = None) -> list[Restriction]:
    """The catalog's known terms of ``entry``, each cited in the repo's files when its phrase is found (and in
    the access-form text ``prompt`` when it is read for terms, see gated.py)."""
    if entry is None:
        return []
    out = []
    files = ev.license_files() + ([prompt] if prompt is not None else [])
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


def text_terms(ev: Evidence, prompt: SourceFile | None = None) -> list[Restriction]:
    """Restrictions read from the license-like files; from the card (and the access-form text ``prompt``, when
    given: see gated.usable_for_terms) only when no such file is readable.

    Memoized on the evidence (a target is read by the lineage resolver and by the audit itself; reading a
    2 MiB file costs seconds): each call returns fresh copies.
    """
    import copy

    key = (tuple((f.name, f.role, id(f.text)) for f in ev.files), id(prompt.text) if prompt is not None else None)
    memo = ev.__dict__.setdefault("_text_terms_memo", {})
    if key not in memo:
        memo.clear()
        memo[key] = _text_terms(ev, prompt)
    return copy.deepcopy(memo[key])


def _text_terms(ev: Evidence, prompt: SourceFile | None) -> list[Restriction]:
    from openaudit.licenses.clauses import extract_restrictions

    readable = [f for f in ev.license_files() if f.text is not None]
    files = readable or [f for f in ev.files if f.role == "card" and f.text is not None]
    if not readable and prompt is not None and prompt.text is not None:
        # Read as license text (clause extraction knows the roles of real files only); cited under its own name.
        files = [SourceFile(name=prompt.name, role="license", text=prompt.text), *files]
    found = extract_restrictions(files)
    role = {f.name: f.role for f in ev.files}
    if prompt is not None:
        role[prompt.name] = prompt.role
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


def reconcile(ev: Evidence, entry: LicenseEntry | None, catalog_: Catalog | None = None,
              ) -> tuple[list[Restriction], list[Discrepancy]]:
    """Text terms first; catalog terms the text reading did not find; discrepancies between the two.

    ``catalog_`` (the bundled catalog when None) is used to match the access-form text (gated.py).
    """
    from openaudit.licenses import gated

    prompt = None
    if gated.prompt_file(ev) is not None:
        if catalog_ is None:
            from openaudit.licenses.catalog import load_catalog

            catalog_ = load_catalog()
        prompt = gated.usable_for_terms(ev, catalog_, entry)
    from_text = text_terms(ev, prompt)
    catalog = known_terms(ev, entry, prompt)
    out = list(from_text)
    discrepancies: list[Discrepancy] = []
    if prompt is not None and any(_cites(r, prompt) for r in out + catalog):
        gated.note(ev, f"terms were read from the license text in the access form ({prompt.name}; line numbers "
                       "are those of that text): no license file could be read")
    for term in catalog:
        same_kind = [r for r in from_text if r.kind == term.kind]
        if prompt is not None and not _cites(term, prompt):
            # The access-form text does not hold this clause (a summary, a note): what it says does not stand in
            # for the license's known term, which is kept beside it.
            said = [r for r in same_kind if _cites(r, prompt)]
            same_kind = [r for r in same_kind if not _cites(r, prompt)]
            if said and not same_kind and (term.thresholds or term.territories) and _key(said[0]) != _key(term):
                assert entry is not None and prompt is not None
                _prompt_note(ev, prompt, said[0], term, entry)
        if not same_kind:
            out.append(term)
            continue
        if term.thresholds:
            units = {t.unit for t in term.thresholds}
            comparable = [r for r in same_kind if {t.unit for t in r.thresholds} & units]
            if comparable and not any(_key(r)[1] == _key(term)[1] for r in comparable):
                assert entry is not None
                _differs(ev, out, discrepancies, term, entry, comparable[0], prompt)
        elif term.territories:
            if not any(set(r.territories) == set(term.territories) for r in same_kind):
                assert entry is not None
                _differs(ev, out, discrepancies, term, entry, same_kind[0], prompt)
    return out, discrepancies


def _cites(r: Restriction, f: SourceFile) -> bool:
    return r.clause is not None and r.clause.file == f.name


def _differs(ev: Evidence, out: list[Restriction], discrepancies: list[Discrepancy], term: Restriction,
             entry: LicenseEntry, found: Restriction, prompt: SourceFile | None) -> None:
    """The text says otherwise than the catalog: a discrepancy (the text binds), unless the text is only the
    access-form prompt, a weaker source: then both terms are kept and a note says they differ."""
    if prompt is not None and _cites(found, prompt):
        out.append(term)
        _prompt_note(ev, prompt, found, term, entry)
        return
    discrepancies.append(Discrepancy(term.kind, entry.id, _describe(term), _describe(found), found.clause))


def _prompt_note(ev: Evidence, prompt: SourceFile, found: Restriction, term: Restriction, entry: LicenseEntry) -> None:
    from openaudit.licenses import gated

    line = f" line {found.clause.line}" if found.clause and found.clause.line else ""
    gated.note(ev, f"{prompt.name}{line} says {_describe(found)} where {entry.id} says {_describe(term)}: "
                   "both are listed; read the license itself")
