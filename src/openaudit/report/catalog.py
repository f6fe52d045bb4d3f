"""Rendering of the license catalog for `openaudit licenses` and `openaudit explain`."""

from __future__ import annotations

import json
from typing import Any, TextIO

from openaudit.licenses.catalog import Catalog, LicenseEntry


def entry_dict(e: LicenseEntry, full: bool = False) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": e.id,
        "name": e.name,
        "category": e.category,
        "spdx": e.spdx,
        "osi_approved": e.osi_approved,
        "terms": sorted({t.kind for t in e.terms}),
    }
    if full:
        d.update({
            "family": e.family,
            "version": e.version,
            "hub_ids": e.hub_ids,
            "names": e.names,
            "scancode": e.scancode,
            "urls": e.urls,
            "fingerprints": e.fingerprints,
            "known_terms": [
                {"kind": t.kind, "summary": t.summary, "thresholds": t.thresholds, "territories": t.territories,
                 "clause": t.clause}
                for t in e.terms
            ],
            "source": e.source,
            "notes": e.notes,
        })
    return d


def _osi(v: bool | None) -> str:
    return {True: "yes", False: "no", None: "?"}[v]


def terminal_width(out: TextIO) -> int | None:
    """The terminal's width when ``out`` is one (COLUMNS honoured), else None: piped output keeps one line per
    item, for grep."""
    import os
    import shutil

    try:
        tty = out.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty and not os.environ.get("COLUMNS"):
        return None
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def _fit(line: str, indent: int, width: int | None) -> str:
    """``line`` wrapped to ``width`` with continuation lines indented by ``indent`` (unchanged without a width)."""
    if width is None or len(line) <= width:
        return line
    import textwrap

    return textwrap.fill(line, width=width, subsequent_indent=" " * indent, break_on_hyphens=False)


def render_list(catalog: Catalog, fmt: str, out: TextIO) -> None:
    entries = sorted(catalog.entries, key=lambda e: e.id)
    if fmt == "json":
        out.write(json.dumps([entry_dict(e) for e in entries], indent=2) + "\n")
        return
    width = terminal_width(out)
    w = max(len(e.id) for e in entries)
    if width is not None and w + 40 > width:  # narrow: the name and terms under the id
        for e in entries:
            terms = ",".join(sorted({t.kind for t in e.terms})) or "-"
            out.write(f"{e.id}  osi {_osi(e.osi_approved)}  {e.category or '-'}\n")
            out.write(_fit(f"    {e.name} [{terms}]", 4, width) + "\n")
        out.write(f"\n{len(entries)} licenses\n")
        return
    out.write(f"{'id'.ljust(w)}  osi  {'category'.ljust(14)}  terms / name\n")
    for e in entries:
        terms = ",".join(sorted({t.kind for t in e.terms})) or "-"
        out.write(_fit(f"{e.id.ljust(w)}  {_osi(e.osi_approved).ljust(3)}  {(e.category or '-').ljust(14)}  "
                       f"{e.name} [{terms}]", w + 23, width) + "\n")
    out.write(f"\n{len(entries)} licenses\n")


def render_entry(e: LicenseEntry, fmt: str, out: TextIO) -> None:
    if fmt == "json":
        out.write(json.dumps(entry_dict(e, full=True), indent=2) + "\n")
        return
    lines = [
        f"{e.name} ({e.id})",
        f"  category      {e.category or '-'}",
        f"  version       {e.version or '-'}",
        f"  SPDX          {e.spdx or '-'}",
        f"  OSI approved  {_osi(e.osi_approved)} (from the SPDX license list)",
    ]
    if e.hub_ids:
        lines.append(f"  Hub ids       {', '.join(e.hub_ids)}")
    for u in e.urls[:5]:
        lines.append(f"  URL           {u}")
    if e.terms:
        lines.append("  Terms:")
        for t in e.terms:
            limits = "; ".join(
                f"{x['value']:,.0f} {x['unit'].replace('_', ' ')}{(' ' + x['currency']) if x.get('currency') else ''}"
                for x in t.thresholds
            )
            extra = f" [{limits}]" if limits else ""
            terr = f" [territories: {', '.join(t.territories)}]" if t.territories else ""
            lines.append(f"    - {t.kind}: {t.summary}{extra}{terr}")
            if t.clause:
                lines.append(f"      clause: “{t.clause}”")
    else:
        lines.append("  Terms: none recorded")
    if e.notes:
        lines.append(f"  Notes: {' '.join(str(e.notes).split())}")
    lines.append(f"  Defined in rules/licenses/{e.source}")
    width = terminal_width(out)
    out.write("\n".join(_fit(line, len(line) - len(line.lstrip()) + 4, width) for line in lines) + "\n")


def rule_dict(r) -> dict[str, Any]:
    return {"code": r.code, "name": r.name, "title": r.title, "severity": r.severity, "standard": r.standard,
            "docs": r.docs, "source": r.source}


def render_rules(rules: list, fmt: str, out: TextIO) -> None:
    if fmt == "json":
        out.write(json.dumps([rule_dict(r) for r in rules], indent=2) + "\n")
        return
    width = terminal_width(out)
    for r in rules:
        out.write(_fit(f"{r.code}  {r.severity.ljust(7)}  {r.standard[:28].ljust(28)}  {r.title}", 48, width) + "\n")
    out.write(f"\n{len(rules)} rules; `openaudit explain CODE` shows one\n")


def render_rule(r, fmt: str, out: TextIO) -> None:
    if fmt == "json":
        out.write(json.dumps(rule_dict(r), indent=2) + "\n")
        return
    out.write(f"{r.code} {r.name}: {r.title}\n")
    out.write(f"  severity  {r.severity}\n  standard  {r.standard}\n  defined   rules/{r.source}\n\n")
    width = terminal_width(out)
    for key, label in (("what", "What"), ("why", "Why it matters"), ("fix", "How to fix")):
        out.write(f"{label}:\n" + _fit(f"  {r.docs[key]}", 2, width) + "\n\n")


def render_references_topic(fmt: str, out: TextIO) -> None:
    """`openaudit explain references`: what each assessor measures, how matches are made, the bundled data."""
    from openaudit.model import to_data
    from openaudit.standards.references import EXPLAIN, ReferenceDataError, load_bundle

    try:
        b = load_bundle()
        # the sources without their record-link template (an internal detail of the bundle)
        sources: dict[str, Any] = {k: {**{f: x for f, x in to_data(v).items() if f != "record_url"}, "records": n}
                                   for (k, v), n in zip(
            b.sources.items(), (len(b.mot), len(b.index), len(b.osi)), strict=True)}
    except ReferenceDataError as exc:
        sources = {"error": str(exc)}
    if fmt == "json":
        out.write(json.dumps({**EXPLAIN, "sources": sources}, indent=2) + "\n")
        return
    out.write("references: published assessments beside openaudit's own verdict\n\n")
    out.write(f"{EXPLAIN['what']}\n\nWhat each assessor measures:\n")
    for key, text in EXPLAIN["assessors"].items():
        out.write(f"  {key}: {text}\n")
    out.write("\nHow a record is matched (`match`):\n")
    for key, text in EXPLAIN["matches"].items():
        out.write(f"  {key}: {text}\n")
    out.write(f"\n{EXPLAIN['how']}\n\nBundled data:\n")
    for key, src in sources.items():
        if not isinstance(src, dict):
            out.write(f"  {key}: {src}\n")
            continue
        out.write(f"  {key}: {src['name']}: {src['records']} records; snapshot {src['snapshot']} ({src['date']}); "
                  f"license {src['license']}\n")
        if src.get("attribution"):
            out.write(f"      attribution: {src['attribution']}\n")
