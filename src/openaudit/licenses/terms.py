"""The terms that bind the user: what the license text says, reconciled with the catalog's knowledge.

The text is read first (``clauses.extract_restrictions``), so a license never seen before still yields
its caps and bans. The identified license's known terms (``rules/licenses/<id>.yaml``) then fill what
the text reading missed, cited in the repository's files where their phrase is found. When the text and
the catalog disagree on a number or a territory, the text wins (it is what binds) and the difference is
reported as a discrepancy.
"""

from __future__ import annotations

import functools

from msgspec import Struct

from openaudit.evidence import Evidence, SourceFile
from openaudit.licenses.catalog import Catalog, LicenseEntry
from openaudit.licenses.locate import locate
from openaudit.model import Citation, Restriction, Threshold

LICENSE_ROLES = ("license", "use_policy", "notice")  # Evidence.license_files()
_ROLE_ORDER = {"license": 0, "use_policy": 1, "notice": 2, "gated_prompt": 2.5, "card": 3}


class Discrepancy(Struct):
    """A term on which the catalog and the license text read in the files disagree."""

    kind: str
    license_id: str
    catalog: str
    text: str
    clause: Citation | None


def known_terms(ev: Evidence, entry: LicenseEntry | None, prompt: SourceFile | None = None,
                files: list[SourceFile] | None = None, require: bool = False,
                missing: list[Restriction] | None = None, notes: list[str] | None = None) -> list[Restriction]:
    """The catalog's known terms of ``entry``, each cited in the repo's files (``files``: by default every license
    file, and the access-form text ``prompt`` when it is read for terms, see gated.py) where its clause stands.

    ``require``: the text is a modified copy, so a term whose clause is not in it is not asserted; a note says
    the catalog's term is not in this text (in ``notes``; or, with ``missing``, the term is put there for the caller
    to say)."""
    if entry is None:
        return []
    out = []
    if files is None:
        files = ev.license_files() + ([prompt] if prompt is not None else [])
    for t in entry.terms:
        clause = locate(t.clause, files) if t.clause else None
        term = Restriction(
            kind=t.kind,
            summary=t.summary,
            thresholds=[Threshold(float(x["value"]), x["unit"], x.get("currency")) for x in t.thresholds],
            territories=list(t.territories),
            clause=clause or Citation(source="catalog", file=None, text=t.clause),
            origin="catalog",
        )
        if clause is None and require and t.clause and _in_canonical(entry, t.clause):
            if missing is not None:
                missing.append(term)
            else:
                _not_in_text(notes, entry, term, files)
            continue
        out.append(term)
    return out


def _in_canonical(entry: LicenseEntry, clause: str) -> bool:
    """Whether the known text of ``entry`` holds ``clause`` (a term whose clause is elsewhere, e.g. in a use policy
    incorporated by reference, is not made absent by a modified license text)."""
    from openaudit.licenses import coverage as cv

    canon = cv.load(entry.id)
    return canon is not None and cv.holds_phrase(canon, clause)


def _not_in_text(notes: list[str] | None, entry: LicenseEntry, term: Restriction, files: list[SourceFile]) -> None:
    from openaudit.licenses import gated

    names = ", ".join(f.name for f in files)
    gated.note(notes, f"the catalog's {entry.id} term is not in this text ({names}), so it is not asserted: "
                   f"{_describe(term) if term.thresholds or term.territories else term.kind} ({term.summary})")


def _identities(ev: Evidence, catalog_: Catalog | None, texts: dict | None) -> dict:
    """File name -> coverage.TextIdentity for every readable license and use-policy file."""
    from openaudit.licenses import coverage as cv

    out = dict(texts or {})
    if catalog_ is None:
        from openaudit.licenses.catalog import load_catalog

        catalog_ = load_catalog()
    for f in ev.license_files():
        if f.text is None or f.name in out or f.role == "notice":
            continue
        ti = cv.identify_text(f.text, catalog_, policies=f.role == "use_policy")
        if ti.status not in (cv.EXACT, cv.MODIFIED):
            ref = cv.reference(f.text, catalog_)
            ti = ref if ref is not None else ti
        out[f.name] = ti
    return out


def _only_lines(ev: Evidence, texts: dict) -> dict[str, list[tuple[int, int]]]:
    """Per known license text, the lines to read for terms: none for the text of a known license (its terms are
    the catalog's), the added and changed passages of a modified copy; unknown texts are read whole (absent)."""
    from openaudit.licenses import coverage as cv

    out: dict[str, list[tuple[int, int]]] = {}
    for name, ti in texts.items():
        if ti.status == cv.EXACT and ti.entry is not None:
            out[name] = []
        elif ti.status == cv.MODIFIED and ti.comparison is not None:
            out[name] = [p.lines for p in ti.comparison.passages if p.added_words]
    return out


def text_terms(ev: Evidence, prompt: SourceFile | None = None,
               only_lines: dict[str, list[tuple[int, int]]] | None = None,
               substantive: bool | None = None) -> list[Restriction]:
    """Restrictions read from the license-like files; from the card (and the access-form text ``prompt``, when
    given: see gated.usable_for_terms) only when no such file is readable.

    Cached by content (a target is read by the lineage resolver and by the audit itself; reading a 2 MiB file
    costs seconds): the key is the files' names, roles and texts, so nothing is kept on the evidence; each call
    returns fresh copies.
    """
    import copy

    files = tuple((f.name, f.role, f.text, f.line_map) for f in ev.files)
    shown = (prompt.name, prompt.role, prompt.text, prompt.line_map) if prompt is not None else None
    only = tuple(sorted((name, tuple((a, b) for a, b in ranges)) for name, ranges in only_lines.items())) \
        if only_lines else None
    return copy.deepcopy(_text_terms(files, shown, only, substantive))


_FileKey = tuple[str, str, str | None, tuple[int, ...] | None]  # name, role, text, line_map


@functools.lru_cache(maxsize=16)
def _text_terms(files_key: tuple[_FileKey, ...], prompt_key: _FileKey | None,
                only: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] | None,
                substantive: bool | None) -> list[Restriction]:
    files_all = [SourceFile(name=n, role=r, text=t, line_map=m) for n, r, t, m in files_key]
    prompt = SourceFile(name=prompt_key[0], role=prompt_key[1], text=prompt_key[2],
                        line_map=prompt_key[3]) if prompt_key else None
    only_lines = {name: list(ranges) for name, ranges in only} if only else None
    readable = [f for f in files_all if f.role in LICENSE_ROLES and f.text is not None]
    # The card is read unless a real license or use-policy text stands in for it (a one-line NOTICE does not).
    if substantive is None:
        substantive = any(f.role in ("license", "use_policy") for f in readable)
    cards = [f for f in files_all if f.role == "card" and f.text is not None]
    files = readable + ([] if substantive else cards)
    if prompt is not None and prompt.text is not None:
        # Read as license text (clause extraction knows the roles of real files only); cited under its own name.
        files = [SourceFile(name=prompt.name, role="license", text=prompt.text, line_map=prompt.line_map), *files]
    found = _extract(files, only_lines)
    role = {f.name: f.role for f in files_all}
    if prompt is not None:
        role[prompt.name] = prompt.role
    found.sort(key=lambda r: _ROLE_ORDER.get(role.get((r.clause.file or "") if r.clause else "", "card"), 9))
    out: list[Restriction] = []
    seen: set[tuple] = set()
    for r in found:
        key = _key(r)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _extract(files: list[SourceFile], only_lines: dict[str, list[tuple[int, int]]] | None) -> list[Restriction]:
    """``clauses.extract_restrictions``, reading in the files named in ``only_lines`` only the sentences on those
    lines (a file mapped to no range is not read)."""
    import inspect

    from openaudit.licenses.clauses import extract_restrictions

    if not only_lines:
        return extract_restrictions(files)
    files = [f for f in files if f.name not in only_lines or only_lines[f.name]]
    if "only_lines" in inspect.signature(extract_restrictions).parameters:
        return extract_restrictions(files, only_lines=only_lines)
    found = extract_restrictions(files)  # until the clause reader takes only_lines: filter by the clause's line
    out = []
    for r in found:
        c = r.clause
        ranges = only_lines.get(c.file) if c is not None and c.file else None
        if ranges is None or (c is not None and c.line is not None and any(a <= c.line <= b for a, b in ranges)):
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
              texts: dict | None = None, notes: list[str] | None = None) -> tuple[list[Restriction], list[Discrepancy]]:
    """Text terms first; catalog terms the text reading did not find; discrepancies between the two.

    Each license file is identified by coverage (``texts``: file name -> coverage.TextIdentity, from
    ``identify``; computed when None). The terms of a known license text are the catalog's (reviewed), cited
    where their clause stands in that file, and the file is not read for terms (so "only occasionally and
    noncommercially" in GPL-3.0 never reads as non-commercial); a modified copy gives the catalog's terms whose
    clause it still holds, and the terms read from its added or changed passages; any other text is read whole.
    ``catalog_`` (the bundled catalog when None) is used to match the texts and the access-form text (gated.py).
    What the reading says beside the terms (a known term missing from a modified text, terms read from the access
    form) goes to ``notes``, for the report; the evidence is not changed.
    """
    from openaudit.licenses import coverage as cv
    from openaudit.licenses import gated

    if catalog_ is None:
        from openaudit.licenses.catalog import load_catalog

        catalog_ = load_catalog()
    prompt = None
    if gated.prompt_file(ev) is not None:
        prompt = gated.usable_for_terms(ev, catalog_, entry)
    ids = _identities(ev, catalog_, texts)
    only = _only_lines(ev, ids)
    if prompt is not None and prompt.text is not None and gated.readable_license_file(ev):
        # Beside a license file, the access form is read for what it adds to a known text (a Llama form holds
        # the whole agreement, then its use policy and the form's own words): only those passages.
        pti = cv.identify_text(prompt.text, catalog_)
        if pti.status in (cv.EXACT, cv.MODIFIED) and pti.comparison is not None:
            same = pti.entry is not None and any(ti.entry is not None and ti.entry.id == pti.entry.id
                                                 for ti in ids.values())
            # A form for another license than the files' (a Llama form beside an Apache LICENSE) is not read.
            only[prompt.name] = [p.lines for p in pti.comparison.passages if p.added_words] if same else []
    real = any(f.role in ("license", "use_policy") and f.text is not None and f.name in ids
               and (ids[f.name].status != cv.UNKNOWN or len(f.text.split()) >= 60)
               and ids[f.name].status != cv.REFERENCE
               for f in ev.license_files())
    from_text = text_terms(ev, prompt, only, real)
    catalog: list[Restriction] = []
    by_file = {f.name: f for f in ev.license_files()}
    covered: set[str] = set()
    missing: list[tuple[Restriction, LicenseEntry, SourceFile]] = []
    for name, ti in ids.items():
        if ti.entry is None or ti.status not in (cv.EXACT, cv.MODIFIED) or name not in by_file:
            continue
        covered.add(ti.entry.id)
        gone: list[Restriction] = []
        catalog += known_terms(ev, ti.entry, files=[by_file[name]], require=ti.status == cv.MODIFIED, missing=gone)
        missing += [(t, ti.entry, by_file[name]) for t in gone]
    if entry is not None and entry.id not in covered:
        catalog += known_terms(ev, entry, prompt)
    out = list(from_text)
    discrepancies: list[Discrepancy] = []
    for term, owner, f in missing:
        # A modified copy without the clause of a known term: said, never asserted; when the text states the same
        # kind of term otherwise (a changed number), that is a discrepancy (the text binds).
        units = {t.unit for t in term.thresholds}
        other = [r for r in from_text if r.kind == term.kind and _cites(r, f)
                 and (not units or {t.unit for t in r.thresholds} & units)]
        if other and (term.thresholds or term.territories) and _key(other[0]) != _key(term):
            discrepancies.append(Discrepancy(term.kind, owner.id, _describe(term), _describe(other[0]),
                                             other[0].clause))
        else:
            _not_in_text(notes, owner, term, [f])
    if prompt is not None and any(_cites(r, prompt) for r in out + catalog):
        why = ("it is what the user agreed to, beside the license file" if gated.readable_license_file(ev)
               else "no license file could be read")
        gated.note(notes, f"terms were read from the license text in the access form ({prompt.name}, cited at the "
                          f"card lines where it stands): {why}")
    for term in catalog:
        same_kind = [r for r in from_text if r.kind == term.kind]
        if prompt is not None and not _cites(term, prompt):
            # The access-form text does not hold this clause (a summary, a note): what it says does not stand in
            # for the license's known term, which is kept beside it.
            said = [r for r in same_kind if _cites(r, prompt)]
            same_kind = [r for r in same_kind if not _cites(r, prompt)]
            if said and not same_kind and (term.thresholds or term.territories) and _key(said[0]) != _key(term):
                assert entry is not None and prompt is not None
                _prompt_note(notes, prompt, said[0], term, entry)
        if not same_kind:
            out.append(term)
            continue
        if term.thresholds:
            units = {t.unit for t in term.thresholds}
            comparable = [r for r in same_kind if {t.unit for t in r.thresholds} & units]
            if comparable and not any(_key(r)[1] == _key(term)[1] for r in comparable):
                assert entry is not None
                _differs(notes, out, discrepancies, term, entry, comparable[0], prompt)
        elif term.territories and not any(set(r.territories) == set(term.territories) for r in same_kind):
            assert entry is not None
            _differs(notes, out, discrepancies, term, entry, same_kind[0], prompt)
    return out, discrepancies


def _cites(r: Restriction, f: SourceFile) -> bool:
    return r.clause is not None and r.clause.file == f.name


def _differs(notes: list[str] | None, out: list[Restriction], discrepancies: list[Discrepancy], term: Restriction,
             entry: LicenseEntry, found: Restriction, prompt: SourceFile | None) -> None:
    """The text says otherwise than the catalog: a discrepancy (the text binds), unless the text is only the
    access-form prompt, a weaker source: then both terms are kept and a note says they differ."""
    if prompt is not None and _cites(found, prompt):
        out.append(term)
        _prompt_note(notes, prompt, found, term, entry)
        return
    discrepancies.append(Discrepancy(term.kind, entry.id, _describe(term), _describe(found), found.clause))


def _prompt_note(notes: list[str] | None, prompt: SourceFile, found: Restriction, term: Restriction,
                 entry: LicenseEntry) -> None:
    from openaudit.licenses import gated

    line = f" line {found.clause.line}" if found.clause and found.clause.line else ""
    gated.note(notes, f"{prompt.name}{line} says {_describe(found)} where {entry.id} says {_describe(term)}: "
                   "both are listed; read the license itself")
