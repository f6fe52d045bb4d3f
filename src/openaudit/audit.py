"""The audit pipeline: source -> Evidence -> license identification -> terms -> findings -> gate -> Report."""

from __future__ import annotations

from openaudit import __version__
from openaudit.evidence import Evidence
from openaudit.licenses.catalog import Catalog, LicenseEntry, load_catalog
from openaudit.licenses.identify import Identification, identify
from openaudit.licenses.locate import locate
from openaudit.model import Citation, FileStatus, Finding, Report, Restriction, Threshold
from openaudit.sources import resolve


def audit(target: str, *, offline: bool = False) -> Report:
    """Audit one target (Hub id, local directory or card file) and return its report."""
    evidence = resolve(target, offline=offline).fetch()
    return audit_evidence(evidence)


def audit_evidence(ev: Evidence, catalog: Catalog | None = None) -> Report:
    catalog = catalog or load_catalog()
    ident = identify(ev, catalog)
    restrictions = known_terms(ev, catalog.get(ident.result.id))
    findings = evidence_findings(ev) + license_findings(ev, ident)
    errors = [f for f in findings if f.severity == "error"]
    report = Report(
        tool={"name": "openaudit", "version": __version__},
        target={"kind": ev.kind, "id": ev.id, "revision": ev.revision, "requested_revision": ev.requested_revision,
                "offline": ev.offline},
        license=ident.result,
        restrictions=restrictions,
        findings=findings,
        gate={"passed": not errors, "violations": [{"rule": f.rule, "message": f.message} for f in errors]},
        files=[_file_status(f) for f in ev.files],
        notes=list(ev.notes),
    )
    return report


def _file_status(f) -> FileStatus:
    if f.text is None:
        return FileStatus(f.name, f.role, "unreadable", f.error)
    if f.truncated:
        return FileStatus(f.name, f.role, "truncated", f"read up to the size cap ({f.size} bytes in all)")
    return FileStatus(f.name, f.role, "read", f.error)


def known_terms(ev: Evidence, entry: LicenseEntry | None) -> list[Restriction]:
    """The catalog's known terms of the identified license, each cited in the repo's files when found."""
    if entry is None:
        return []
    out = []
    files = ev.license_files()
    for t in entry.terms:
        clause = locate(t.clause, files) if t.clause else None
        if clause is None:
            clause = Citation(source="catalog", file=entry.source, text=t.clause)
        out.append(
            Restriction(
                kind=t.kind,
                summary=t.summary,
                thresholds=[Threshold(float(x["value"]), x["unit"], x.get("currency")) for x in t.thresholds],
                territories=list(t.territories),
                clause=clause,
                origin="catalog",
            )
        )
    return out


def evidence_findings(ev: Evidence) -> list[Finding]:
    out = []
    card = ev.card
    if card is not None and card.metadata_error:
        out.append(Finding("OA104", "warning", f"model card front matter: {card.metadata_error}",
                           Citation(source="file", file=card.path)))
    if card is None or (not card.metadata and not card.metadata_error and ev.kind == "local"):
        out.append(Finding("OA105", "warning", "no model card metadata found", None))
    for f in ev.files:
        if f.text is None:
            out.append(Finding("OA106", "warning", f"{f.name} could not be read: {f.error}",
                               Citation(source="file", file=f.name)))
        elif f.truncated:
            out.append(Finding("OA107", "info", f"{f.name} is larger than the size cap; read up to the cap",
                               Citation(source="file", file=f.name)))
    return out


def license_findings(ev: Evidence, ident: Identification) -> list[Finding]:
    out = []
    res = ident.result
    if not ident.signals and not ev.license_files():
        out.append(Finding("OA101", "error", "no license declared in the card metadata and no license file", None))
    elif res.id == "unknown":
        out.append(Finding("OA102", "warning", f"license could not be identified: {res.reason}",
                           res.evidence[0] if res.evidence else None))
    for a, b in ident.conflicts:
        assert a.entry is not None and b.entry is not None
        out.append(Finding(
            "OA103", "error",
            f"license signals contradict each other: {a.kind} {a.value!r} is {a.entry.id}, "
            f"{b.kind} {b.value!r} is {b.entry.id}",
            b.citation,
        ))
    return out
