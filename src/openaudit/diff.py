"""Compare two audits of a model: `openaudit diff TARGET@REV_A TARGET@REV_B` (or two local directories).

What is compared, each change with the clauses behind it in each revision (``file:line``):

* the license: id, SPDX id, the declared name when the id is the same (custom terms), and OSI approval
  (OSI-approved → not approved is **stricter**);
* the restrictions, by kind: a kind that appears is **stricter**, one that disappears is looser; for a kind in
  both, a lower user / visit / revenue cap is **stricter** (a higher one looser), a newly excluded territory is
  **stricter** (a territory no longer excluded looser);
* the openness grade (a lower letter is **stricter**), the OSAID verdict, the MOF class and the EU AI Act
  exemption (reported; not counted as stricter).

``diff_reports(a, b)`` returns a plain dict (the JSON output); ``stricter`` is true when any change is.
The command exits 1 when the terms became stricter, 0 otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from openaudit.licenses.numbers import short_amount
from openaudit.model import GRADE_LETTERS, Citation, Report, Restriction, to_data

_UNITS = ("monthly_active_users", "daily_active_users", "monthly_visits", "annual_revenue", "monthly_revenue")


def _cite(c: Citation | None) -> dict[str, Any] | None:
    return to_data(c) if c is not None else None


def where(c: dict[str, Any] | None) -> str:
    if not c:
        return ""
    if c.get("source") == "catalog":
        return "catalog"
    return f"{c.get('file') or c.get('source')}{':' + str(c['line']) if c.get('line') else ''}"


def _side(report: Report) -> dict[str, Any]:
    t = report.target
    return {"target": t.get("id"), "kind": t.get("kind"), "revision": t.get("revision"),
            "requested_revision": t.get("requested_revision"), "license": report.license.id,
            "grade": report.grade.letter, "osaid": report.osaid.verdict}


def _declared(lic: Any) -> str | None:
    """The license name the card declares (``license_name``, else ``license``), from the license evidence."""
    for key in ("license_name", "license"):
        for c in lic.evidence:
            if c.source == "metadata" and c.text and c.text.startswith(key + ":"):
                return c.text[len(key) + 1:].strip() or None
    return None


def _by_kind(restrictions: list[Restriction]) -> dict[str, list[Restriction]]:
    out: dict[str, list[Restriction]] = {}
    for r in restrictions:
        out.setdefault(r.kind, []).append(r)
    return out


def _caps(rs: list[Restriction]) -> dict[str, tuple[float, str | None, Citation | None]]:
    caps: dict[str, tuple[float, str | None, Citation | None]] = {}
    for r in rs:
        for t in r.thresholds:
            if t.unit not in caps or t.value < caps[t.unit][0]:
                caps[t.unit] = (t.value, t.currency, r.clause)
    return caps


def _territories(rs: list[Restriction]) -> dict[str, Citation | None]:
    out: dict[str, Citation | None] = {}
    for r in rs:
        for code in r.territories:
            out.setdefault(code, r.clause)
    return out


def _change(kind: str, summary: str, stricter: bool, before: Any, after: Any,
            a: Sequence[Citation | None], b: Sequence[Citation | None]) -> dict[str, Any]:
    return {"kind": kind, "summary": summary, "stricter": stricter, "before": before, "after": after,
            "clauses": {"a": [_cite(c) for c in a if c is not None], "b": [_cite(c) for c in b if c is not None]}}


def _text_changes(la: Any, lb: Any) -> list[dict[str, Any]]:
    """License files whose text changed between the revisions (digest of the normalized words), with the passages
    that now differ from the known license (``license.texts``, see licenses/coverage.py)."""
    out = []
    ta = {t.get("file"): t for t in getattr(la, "texts", []) or []}
    tb = {t.get("file"): t for t in getattr(lb, "texts", []) or []}
    for name in sorted(set(ta) | set(tb), key=str):
        x, y = ta.get(name), tb.get(name)
        if x is not None and y is not None and x.get("digest") == y.get("digest"):
            continue
        if x is None or y is None:
            continue  # a file added or removed: the license and terms changes say what it did
        lid = y.get("license_id") or x.get("license_id")
        what = f"{y.get('status')} {lid}" if lid else str(y.get("status"))
        passages = y.get("passages") or []
        detail = "; ".join(
            f"{p['kind']} at line{'s' if p['lines'][0] != p['lines'][1] else ''} "
            f"{p['lines'][0]}{'-' + str(p['lines'][1]) if p['lines'][0] != p['lines'][1] else ''}"
            f" (+{p['added_words']}/-{p['removed_words']} words)" for p in passages[:5])
        summary = f"{name}: the license text changed (now {what})" + (f": {detail}" if detail else "")
        worse = x.get("status") == "exact" and y.get("status") != "exact"  # the terms changes say the rest
        out.append(_change("license_text", summary, worse, x.get("status"), y.get("status"),
                           [], [Citation(source="file", file=name, line=p["lines"][0], text=None)
                                for p in passages[:5]]))
    return out


def diff_reports(a: Report, b: Report) -> dict[str, Any]:
    """What changed from ``a`` (the old revision) to ``b`` (the new one)."""
    changes: list[dict[str, Any]] = []
    la, lb = a.license, b.license
    ea, eb = la.evidence[:2], lb.evidence[:2]
    if la.id != lb.id or la.spdx != lb.spdx:
        changes.append(_change("license", f"license changed: {la.name or la.id} ({la.id}) → {lb.name or lb.id} "
                               f"({lb.id})", False, la.id, lb.id, ea, eb))
    elif _declared(la) != _declared(lb):  # same id (e.g. both unknown custom terms): the declared name changed
        changes.append(_change("license_name", f"declared license name changed: {_declared(la) or 'none'} → "
                               f"{_declared(lb) or 'none'}", False, _declared(la), _declared(lb), ea, eb))
    if la.osi_approved is True and lb.osi_approved is not True:
        changes.append(_change("osi_approved", f"the license is no longer OSI-approved ({la.id} → {lb.id})",
                               True, la.osi_approved, lb.osi_approved, ea, eb))
    elif la.osi_approved is not True and lb.osi_approved is True:
        changes.append(_change("osi_approved", f"the license is now OSI-approved ({la.id} → {lb.id})",
                               False, la.osi_approved, lb.osi_approved, ea, eb))
    changes += _text_changes(la, lb)
    ka, kb = _by_kind(a.restrictions), _by_kind(b.restrictions)
    for kind in sorted(set(ka) | set(kb)):
        ra, rb = ka.get(kind, []), kb.get(kind, [])
        if not ra:
            changes.append(_change("restriction_added", f"new restriction {kind}: {rb[0].summary}", True, None,
                                   kind, [], [r.clause for r in rb]))
            continue
        if not rb:
            changes.append(_change("restriction_removed", f"restriction {kind} removed: {ra[0].summary}", False,
                                   kind, None, [r.clause for r in ra], []))
            continue
        ca, cb = _caps(ra), _caps(rb)
        for unit in _UNITS:
            va, vb = ca.get(unit), cb.get(unit)
            if (va is None and vb is None) or (va and vb and va[0] == vb[0]):
                continue
            label = unit.replace("_", " ")
            if va is None:
                assert vb is not None
                changes.append(_change("threshold", f"{kind}: new cap of {short_amount(vb[0])} {label}", True, None,
                                       vb[0], [], [vb[2]]))
            elif vb is None:
                changes.append(_change("threshold", f"{kind}: cap of {short_amount(va[0])} {label} removed", False,
                                       va[0], None, [va[2]], []))
            else:
                lower = vb[0] < va[0]
                changes.append(_change("threshold", f"{kind}: cap {'lowered' if lower else 'raised'} from "
                                       f"{short_amount(va[0])} to {short_amount(vb[0])} {label}", lower, va[0],
                                       vb[0], [va[2]], [vb[2]]))
        ta, tb = _territories(ra), _territories(rb)
        for code in sorted(set(tb) - set(ta)):
            changes.append(_change("territory", f"{kind}: {code} newly excluded", True, None, code, [], [tb[code]]))
        for code in sorted(set(ta) - set(tb)):
            changes.append(_change("territory", f"{kind}: {code} no longer excluded", False, code, None,
                                   [ta[code]], []))
    ga, gb = a.grade.letter, b.grade.letter
    if ga != gb:
        down = ga in GRADE_LETTERS and gb in GRADE_LETTERS and GRADE_LETTERS.index(gb) > GRADE_LETTERS.index(ga)
        changes.append(_change("grade", f"openness grade {ga or 'none'} → {gb or 'none'}", down, ga, gb, [], []))
    getters: tuple[tuple[str, str, Callable[[Report], Any]], ...] = (
        ("osaid", "OSAID 1.0 verdict", lambda r: r.osaid.verdict),
        ("mof", "MOF class", lambda r: r.mof.mof_class),
        ("eu_ai_act", "EU AI Act open-source exemption",
         lambda r: r.eu_ai_act.exemption if r.eu_ai_act is not None else None))
    for key, label, getter in getters:
        va, vb = getter(a), getter(b)
        if va != vb:
            changes.append(_change(key, f"{label}: {va} → {vb}", False, va, vb, [], []))
    stricter = any(c["stricter"] for c in changes)
    return {"a": _side(a), "b": _side(b), "stricter": stricter, "changed": bool(changes), "changes": changes}


FORMATS = ("table", "json", "markdown")


def render_diff(result: dict[str, Any], fmt: str, out: TextIO) -> None:
    """Write ``result`` as ``json``, ``markdown`` (a pull-request comment) or ``table`` (plain text)."""
    if fmt == "json":
        out.write(json.dumps(result, indent=2, ensure_ascii=True) + "\n")
        return
    if fmt == "markdown":
        _render_markdown(result, out)
        return
    from openaudit.textutil import sanitize

    def s(x: Any, limit: int = 200) -> str:
        return sanitize(str(x), one_line=True, limit=limit)

    def side(d: dict[str, Any]) -> str:
        rev = f"@{d['revision'][:12]}" if d.get("revision") else ""
        return s(f"{d['target']}{rev} (license {d['license']}, grade {d['grade'] or '-'}, OSAID {d['osaid']})")

    out.write(f"openaudit diff\n  A  {side(result['a'])}\n  B  {side(result['b'])}\n\n")
    if not result["changes"]:
        out.write("No change in license, terms, grade or verdicts.\n")
        return
    for c in result["changes"]:
        mark = "STRICTER" if c["stricter"] else "changed "
        out.write(f"  {mark}  {s(c['summary'], 300)}\n")
        for label, cites in (("A", c["clauses"]["a"]), ("B", c["clauses"]["b"])):
            for ct in cites[:2]:
                quote = f" “{s(ct.get('text'), 140)}”" if ct.get("text") else ""
                out.write(f"              {label}: {s(where(ct), 120)}{quote}\n")
    verdict = ("Terms became stricter (exit 1)." if result["stricter"]
               else "Terms did not become stricter (exit 0).")
    out.write(f"\n{verdict}\n")


def _render_markdown(result: dict[str, Any], out: TextIO) -> None:
    """A table of changes for a pull-request comment; text from cards and licenses is escaped (report.markdown)."""
    from openaudit.report.markdown import code_span, md

    def side(d: dict[str, Any]) -> str:
        rev = f"@{d['revision'][:12]}" if d.get("revision") else ""
        return (f"{md(str(d['target']) + rev, 200)} | {md(d['license'], 80)} | {md(d['grade'] or '-', 10)} | "
                f"{md(d['osaid'], 60)}")

    def clauses(cites: list[dict[str, Any]]) -> str:
        parts = []
        for ct in cites[:2]:
            quote = f" “{md(ct.get('text'), 140)}”" if ct.get("text") else ""
            loc = code_span(where(ct)).replace("|", "\\|")  # a code span does not stop `|` ending a table cell
            parts.append(f"`{loc}`{quote}")
        return "<br>".join(parts) or "—"

    icon = "❌ terms became stricter" if result["stricter"] else "✅ terms did not become stricter"
    out.write(f"## openaudit diff: {icon}\n\n| | target | license | grade | OSAID |\n| --- | --- | --- | --- | --- |\n"
              f"| A | {side(result['a'])} |\n| B | {side(result['b'])} |\n\n")
    if not result["changes"]:
        out.write("No change in license, terms, grade or verdicts.\n")
        return
    out.write("| | change | clause in A | clause in B |\n| --- | --- | --- | --- |\n")
    for c in result["changes"]:
        mark = "**stricter**" if c["stricter"] else "changed"
        out.write(f"| {mark} | {md(c['summary'], 300)} | {clauses(c['clauses']['a'])} | "
                  f"{clauses(c['clauses']['b'])} |\n")
    out.write(f"\nExit {1 if result['stricter'] else 0}.\n")
