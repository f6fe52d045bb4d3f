"""What the human-readable formats show, in order, as plain data: answer first, then evidence.

Every string from the input is sanitized here (no control, ANSI or bidi characters), so the
renderers only lay the view out. The rich renderer wraps strings in Text, never parsing markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import Struct, field

from openaudit.licenses.numbers import short_amount
from openaudit.model import (
    Citation,
    LineageLink,
    Reference,
    ReferenceSource,
    Report,
    Restriction,
    TrainingDataset,
)
from openaudit.textutil import sanitize


class Section(Struct):
    """A titled table of the human report."""

    title: str
    rows: list[tuple[str, ...]] = field(default_factory=list)
    columns: tuple[str, ...] = ()


class View(Struct):
    """What the human formats show of a report: heading, verdict, summary and sections."""

    heading: str
    verdict: str
    passed: bool
    summary: list[tuple[str, str]]
    sections: list[Section]
    closing: str = ""  # the verdict again, as the last line: "Gate FAILED — <reason> (<file:line>)"


_PROMPT_SUFFIX = " (extra_gated_prompt)"  # the access-form text in the card's front matter (licenses/gated.py)


def cite(c: Citation | None) -> str:
    """``file:line``; for the access-form text, the card's line and then what it is: ``README.md:21
    (extra_gated_prompt)``."""
    if c is None:
        return ""
    if c.source == "catalog":
        return "catalog (no license file to cite)"
    where = c.file or c.source
    tail = ""
    if where.endswith(_PROMPT_SUFFIX) and c.line:
        where, tail = where[: -len(_PROMPT_SUFFIX)], _PROMPT_SUFFIX
    if c.line:
        where = f"{where}:{c.line}"
    return sanitize(where + tail, one_line=True, limit=120)


def quoted(c: Citation | None, limit: int = 160) -> str:
    """The citation's text in quotes, at most ``limit`` characters: cut around its key phrase (``key_at``) so
    that the phrase the finding is about is always shown, with a third of the window before it."""
    if c is None or not c.text:
        return ""
    text = sanitize(c.text, one_line=True)
    return "“" + window(text, c.key_at, limit) + "”"


def window(text: str, focus: int | None, limit: int) -> str:
    """At most ``limit`` characters of ``text`` around ``focus`` (the start when None), cut at spaces, "…" where
    it was cut."""
    if len(text) <= limit:
        return text
    focus = 0 if focus is None else max(0, min(focus, len(text) - 1))
    start = 0 if focus < limit * 2 // 3 else focus - limit // 3
    end = start + limit - 2
    if end >= len(text):
        end, start = len(text), max(0, len(text) - (limit - 1))
    if start > 0:
        sp = text.find(" ", start, focus)
        start = sp + 1 if sp >= 0 else start
    if end < len(text):
        sp = text.rfind(" ", max(start, focus), end)
        end = sp if sp > start else end
    body = text[start:end].strip().strip("…").strip()
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _threshold_text(r: Restriction) -> str:
    parts = []
    for t in r.thresholds:
        num = short_amount(t.value)
        unit = t.unit.replace("_", " ")
        parts.append(f"{(t.currency + ' ') if t.currency else ''}{num} {unit}")
    if r.territories:
        parts.append("territories: " + ", ".join(r.territories))
    return "; ".join(parts)


_EU_FAILED = {  # a not-met exemption condition, said in a few words (details in OA701 findings and JSON)
    "open_source_licence": "licence is not free and open-source",
    "public_weights": "weights not public",
    "public_architecture_usage": "architecture or usage information not public",
    "not_monetised": "monetised",
    "no_systemic_risk": "systemic risk presumed",
}


def _eu_ai_act(report: Report) -> str:
    e = report.eu_ai_act
    if e is None:
        return "not assessed"
    text = {"likely_applies": "open-source exemption likely applies",
            "does_not_apply": "open-source exemption does not apply",
            "undetermined": "open-source exemption undetermined"}.get(e.exemption, "not assessed")
    failed = [_EU_FAILED.get(c.id, c.id) for c in e.conditions if c.status == "not_met"]
    if failed:
        text += " (" + "; ".join(failed) + ")"
    return sanitize(text, one_line=True) + " — not legal advice"


_TERM_RULES = ("OA201", "OA212")  # the findings that state a term of the license (rules/usage.yaml)


ASSESSOR_NAMES = {"mot": "MOT", "osai_index": "EU OSAI index", "osi": "OSI"}
MATCH_WORDS = {"exact": "this model", "base_model": "base model", "built_on_this": "built on this model",
               "family": "family", "base_model_family": "base model's family"}


def published_summary(report: Report) -> str:
    """One line: each published assessment, its match and date (after our own verdicts in the summary)."""
    refs = report.references or []
    if not refs:
        return "none found in the bundled MOT, EU OSAI index and OSI data"
    parts = []
    for r in refs:
        when = f", {r.date}" if r.date else ""
        verdict = r.verdict
        counts = r.details.get("counts") if isinstance(r.details, dict) else None
        if isinstance(counts, dict):  # the index: the counts here, the per-dimension grades in the section
            verdict = f"{counts.get('open')} open, {counts.get('partial')} partial, {counts.get('closed')} closed"
        parts.append(f"{ASSESSOR_NAMES.get(r.assessor, r.assessor)}: {verdict} "
                     f"({MATCH_WORDS.get(r.match, r.match)}{when})")
    return sanitize("; ".join(parts), one_line=True, limit=600)


_FAMILY_MATCHES = ("family", "base_model_family")


def reference_sections(report: Report) -> list[Section]:
    """The published assessments in full, then the sources they come from (with the attribution a license asks
    for)."""
    refs = report.references or []
    if not refs:
        return []
    rows: list[tuple[str, ...]] = []
    shown: list[Reference] = []
    more: dict[str, int] = {}
    for r in refs:  # a family-level match stands for its family once per assessor here (all are in the JSON)
        if r.match in _FAMILY_MATCHES and any(x.assessor == r.assessor and x.match in _FAMILY_MATCHES for x in shown):
            more[r.assessor] = more.get(r.assessor, 0) + 1
            continue
        shown.append(r)
    for r in shown:
        extra = more.get(r.assessor) if r.match in _FAMILY_MATCHES else None
        rows.append((ASSESSOR_NAMES.get(r.assessor, r.assessor) + (f" (+{extra} more)" if extra else ""),
                     sanitize(f"{r.subject}: {r.verdict}", one_line=True, limit=200),
                     sanitize(MATCH_WORDS.get(r.match, r.match), one_line=True, limit=80),
                     sanitize(r.date or "undated", one_line=True, limit=40),
                     sanitize(r.url, one_line=True, limit=200),
                     sanitize(r.differs or {"agrees": "agrees with our verdict"}.get(r.comparison, ""),
                              one_line=True, limit=400)))
    sources: dict[str, ReferenceSource] = {}
    for r in refs:
        if r.source is not None:
            sources.setdefault(r.source.id, r.source)
    return [
        Section("Published assessments (what others concluded; not our verdict)", rows,
                ("assessor", "verdict", "match", "date", "link", "vs. our verdict")),
        Section("Sources of the published assessments",
                [(sanitize(s.name, one_line=True), sanitize(f"{s.license}; snapshot {s.date}", one_line=True),
                  sanitize(s.attribution or s.url, one_line=True, limit=300))
                 for s in sources.values()],
                ("source", "license", "attribution")),
    ]


def build_view(report: Report) -> View:
    t = report.target
    rev = f" @ {t['revision'][:12]}" if t.get("revision") else ""
    heading = sanitize(f"{t['id']}{rev} ({t['kind']}{', offline' if t.get('offline') else ''})", one_line=True)
    lic = report.license
    if lic.id == "unknown":
        lic_text = "unknown" + (f" (declared: {sanitize(lic.name, one_line=True)})" if lic.name else "") + \
            (f" — {sanitize(lic.reason, one_line=True)}" if lic.reason else "")
    else:
        lic_text = f"{sanitize(lic.name or lic.id, one_line=True)} ({lic.id})"
    osi = {True: "yes", False: "no", None: "unknown"}[lic.osi_approved]
    grade = report.grade.letter
    score = report.grade.score
    osaid = report.osaid.verdict.replace("_", " ")
    mof = report.mof.label or "Unclassified"
    change = report.mof.what_would_change
    if change:
        mof = sanitize(change, one_line=True, limit=400)
    gate = "PASSED" if report.passed else "FAILED"
    violations = report.gate.violations
    if violations:
        gate += " — " + ", ".join(sorted({v.rule for v in violations}))
    summary = [
        ("Grade", f"{grade} ({score:g}/100)" if grade and score is not None else "not assessed"),
        ("OSAID 1.0", osaid),
        ("MOF", mof),
        ("EU AI Act", _eu_ai_act(report)),
        ("Published", published_summary(report)),
        ("Gate", gate),
        ("License", lic_text),
        ("OSI approved", osi),
        ("Confidence", f"{lic.confidence:.2f}"),
    ]
    for c in lic.evidence[:3]:
        summary.append(("  evidence", f"{cite(c)} {quoted(c, 100)}".strip()))
    sections = []
    if report.restrictions:
        sections.append(Section(
            "Terms that bind you (findings OA201-OA212)",
            [(r.kind, sanitize(r.summary, one_line=True, limit=200), _threshold_text(r), cite(r.clause),
              quoted(r.clause)) for r in report.restrictions],
            ("kind", "term", "limits", "clause", "quote"),
        ))
    lineage = report.lineage

    def _status(x: LineageLink | TrainingDataset) -> str:
        why = f": {sanitize(x.reason, one_line=True, limit=160)}" if x.reason else ""
        return str(x.status) + why

    if lineage is not None and lineage.chain:
        sections.append(Section(
            "Lineage (base_model)",
            [("  " * (int(e.depth or 1) - 1) + sanitize(e.id, one_line=True, limit=100),
              str(e.relation or "-"), str(e.license or "-"), _status(e), cite(e.citation))
             for e in lineage.chain],
            ("upstream", "relation", "license", "status", "declared at"),
        ))
    if lineage is not None and lineage.datasets:
        sections.append(Section(
            "Training data",
            [(sanitize(d.id, one_line=True, limit=100), str(d.license_id or "unknown"),
              ", ".join(k for k, on in (("non-commercial", d.non_commercial),
                                        ("no-derivatives", d.no_derivatives),
                                        (f"gated ({d.gated})", d.gated)) if on) or "-",
              _status(d))
             for d in lineage.datasets],
            ("dataset", "license", "limits", "status"),
        ))
    dims = report.grade.dimensions
    if dims:
        sections.append(Section(
            "Openness",
            [(sanitize(name, one_line=True), d.status, sanitize(d.reason or "", one_line=True, limit=200))
             for name, d in dims.items()],
            ("dimension", "status", "why"),
        ))
    reqs = report.osaid.requirements
    if reqs:
        sections.append(Section(
            "OSAID 1.0 requirements",
            [(r.id, sanitize(r.name or "", one_line=True), r.status, sanitize(r.reason or "", one_line=True, limit=200))
             for r in reqs],
            ("id", "requirement", "status", "why"),
        ))
    sections += reference_sections(report)
    refs = [r for r in report.target.get("references") or [] if isinstance(r, dict)]
    if refs:  # `openaudit scan`: where the code base references this model
        sections.append(Section(
            "Referenced at",
            [(sanitize(f"{r.get('file')}:{r.get('line')}", one_line=True, limit=160),
              sanitize(r.get("text") or "", one_line=True, limit=160)) for r in refs],
            ("where", "line"),
        ))
    # Each term is shown once, under the terms: its OA201-OA212 finding would only restate it.
    shown = [f for f in report.findings
             if f.waived or not (_TERM_RULES[0] <= f.rule <= _TERM_RULES[1] and report.restrictions)]
    if shown:
        sections.append(Section(
            "Findings",
            [(f.rule, f.severity + (" (waived)" if f.waived else ""),
              sanitize(f.message + (f" [waiver: {f.waiver_reason}]" if f.waived else ""), one_line=True, limit=300),
              cite(f.evidence))
             for f in shown],
            ("rule", "severity", "message", "where"),
        ))
    if report.files:
        sections.append(Section(
            "Files",
            [(sanitize(f.name, one_line=True), f.role, f.status, sanitize(f.reason or "", one_line=True))
             for f in report.files],
            ("file", "role", "status", "note"),
        ))
    if report.notes:
        sections.append(Section("Notes", [(sanitize(n, one_line=True),) for n in report.notes], ("note",)))
    verdict = "PASSED" if report.passed else "FAILED"
    return View(heading=heading, verdict=verdict, passed=report.passed, summary=summary, sections=sections,
                closing=closing_line(report))


def _context_text(ctx: Mapping[str, Any]) -> str:
    parts = []
    if ctx.get("mau") is not None:
        parts.append(f"{short_amount(float(ctx['mau']))} monthly active users")
    if ctx.get("annual_revenue") is not None:
        parts.append(f"annual revenue {short_amount(float(ctx['annual_revenue']))}")
    if ctx.get("monthly_revenue") is not None:
        parts.append(f"monthly revenue {short_amount(float(ctx['monthly_revenue']))}")
    if ctx.get("regions_given"):
        parts.append("regions " + ", ".join(str(r) for r in ctx["regions_given"]))
    if ctx.get("commercial") is not None:
        parts.append("commercial use" if ctx["commercial"] else "non-commercial use")
    if ctx.get("train_on_outputs"):
        parts.append("training on outputs")
    if ctx.get("distill"):
        parts.append("distillation")
    return ", ".join(parts)


def conditions(report: Report) -> list[str]:
    """What a deployment must stay within for the gate to keep passing, from the terms that depend on the
    deployment context (caps, territories, kind of use): each said once, in a few words."""
    out: list[str] = []

    def add(text: str) -> None:
        if text not in out:
            out.append(text)

    for r in report.restrictions:
        if r.kind == "user_cap":
            for t in r.thresholds:
                add(f"under {short_amount(t.value)} {t.unit.replace('_', ' ')}")
        elif r.kind == "revenue_cap":
            for t in r.thresholds:
                add(f"under {(t.currency + ' ') if t.currency else ''}{short_amount(t.value)} "
                    f"{t.unit.replace('_', ' ')}")
        elif r.kind == "territory" and r.territories:
            add("outside " + ", ".join(sorted(r.territories)))
        elif r.kind == "non_commercial":
            add("non-commercial use only")
        elif r.kind == "output_training_ban":
            add("no training of other models on its outputs")
    return [sanitize(c, one_line=True) for c in out]


def closing_line(report: Report) -> str:
    """The verdict and its reason in one line, for the end of a human report (and ``--quiet``)."""
    if not report.passed:
        violations = report.gate.violations
        if not violations:
            return "Gate FAILED"
        first = violations[0]
        finding = next((f for f in report.findings if f.rule == first.rule and not f.waived), None)
        where = cite(finding.evidence) if finding is not None else ""
        more = f" (+{len(violations) - 1} more)" if len(violations) > 1 else ""
        reason = sanitize(f"{first.rule} {first.message}", one_line=True, limit=200)
        return f"Gate FAILED — {reason}" + (f" ({where})" if where else "") + more
    ctx = report.gate.context
    if ctx is not None and _context_text(ctx):
        return f"Gate PASSED for {_context_text(ctx)}"
    conds = conditions(report)
    if conds:
        return ("Gate PASSED with no deployment context given: passes only if you stay "
                + "; ".join(conds) + " (check with --mau, --region, --annual-revenue, --commercial)")
    return "Gate PASSED"
