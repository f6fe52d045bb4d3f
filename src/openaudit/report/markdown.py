"""Markdown for a pull-request comment or a GitHub job summary ($GITHUB_STEP_SUMMARY).

Everything that comes from a card, a license or a scanned file is escaped: no raw HTML, no links,
images or mentions can be injected, and table cells cannot be broken out of.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

from openaudit.model import Report
from openaudit.report.view import build_view, cite
from openaudit.textutil import sanitize

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "|": "&#124;"}
_BACKSLASHED = re.compile(r"([\\`*_{}\[\]()#+!~=:\"'-])")


_URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+")


def _escape(text: str) -> str:
    # backslash-escape punctuation that starts emphasis, code, links, images, headings or lists; then entities
    # for what must never be raw: HTML (<, >, &), mentions (@) and table cell separators (|)
    text = _BACKSLASHED.sub(r"\\\1", text)
    return "".join(_ENTITIES.get(c, c) for c in text)


def md(value: object, limit: int | None = 300) -> str:
    """Escape untrusted text for inline Markdown (also safe inside a table cell).

    URLs become code spans, which GitHub never turns into links (no autolink injection)."""
    text = sanitize(value, one_line=True, limit=limit)
    out, pos = [], 0
    for m in _URL.finditer(text):
        out.append(_escape(text[pos:m.start()]))
        out.append("`" + m.group(0).replace("`", "'").replace("|", "\\|") + "`")
        pos = m.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _refs(report: Report) -> list[dict[str, Any]]:
    refs = report.target.get("references")
    return refs if isinstance(refs, list) else []


def _where(ref: dict[str, Any]) -> str:
    return f"{md(ref.get('file'), 160)}:{int(ref.get('line') or 0)}"


def render_markdown(reports: list[Report], out: TextIO, *, unaudited: list[dict[str, Any]] | None = None) -> None:
    """``unaudited`` (from `openaudit scan`): models that could not be audited, {model, error, references}."""
    unaudited = unaudited or []
    failed = [r for r in reports if not r.passed]
    icon = "❌" if failed or unaudited else "✅"
    if not reports and not unaudited:
        out.write("## openaudit ✅\n\nNo model references found.\n")
        return
    total = len(reports) + len(unaudited)
    out.write(f"## openaudit {icon} {len(reports) - len(failed)} of {total} model{'s' if total != 1 else ''} "
              f"passed{f', {len(unaudited)} not audited' if unaudited else ''}\n\n")
    if unaudited:
        out.write("**Could not be audited** (the gate cannot pass until they are):\n\n")
        for u in unaudited:
            refs = [x for x in u.get("references") or [] if isinstance(x, dict)]
            where = ", ".join(f"`{code_span(x.get('file'))}:{int(x.get('line') or 0)}`" for x in refs[:3])
            out.write(f"- {md(u.get('model'), 120)}: {md(u.get('error'))}{f' — referenced at {where}' if where else ''}"
                      "\n")
        out.write("\n")
    if not reports:
        return
    expiry = [(r, f) for r in reports for f in r.findings if f.rule in ("OA906", "OA907")]
    for r, f in expiry:  # waivers that stopped applying or soon will: said up front, not only in the details
        out.write(f"> ⚠️ {md(f.rule, 10)} {md(r.target.get('id'), 120)}: {md(f.message)}\n")
    if expiry:
        out.write("\n")
    out.write("| Model | License | Grade | Gate | Referenced at |\n| --- | --- | --- | --- | --- |\n")
    for r in reports:
        view = build_view(r)
        summary = dict(view.summary)
        refs = _refs(r)
        where = ", ".join(_where(x) for x in refs[:3]) + (f" (+{len(refs) - 3})" if len(refs) > 3 else "")
        gate = "✅ passed" if r.passed else "❌ failed: " + ", ".join(
            sorted({md(v.rule, 10) for v in r.gate.violations}))
        waived = r.gate.waived
        if waived:
            gate += f" ({len(waived)} waived)"
        out.write(f"| {md(r.target.get('id'), 120)} | {md(r.license.id, 80)} | {md(summary.get('Grade', ''))} "
                  f"| {gate} | {where or '—'} |\n")
    for r in reports:
        view = build_view(r)
        out.write(f"\n### {'✅' if r.passed else '❌'} {md(view.heading, 200)}\n\n")
        for key, value in view.summary:
            if key.strip() != "evidence":
                out.write(f"- **{md(key, 40)}**: {md(value)}\n")
        _published(r, out)
        refs = _refs(r)
        if refs:
            out.write("\n**Referenced at**\n\n")
            for x in refs[:20]:
                out.write(f"- `{code_span(x.get('file'))}:{int(x.get('line') or 0)}`\n")
        if r.findings:
            out.write("\n| Rule | Severity | Message | Where |\n| --- | --- | --- | --- |\n")
            for f in r.findings:
                sev = md(f.severity, 10)
                msg = md(f.message)
                if f.waived:
                    sev += " (waived)"
                    msg += f" — **waived**: {md(f.waiver_reason)}"
                out.write(f"| {md(f.rule, 10)} | {sev} | {msg} | {md(cite(f.evidence), 160)} |\n")
        if r.restrictions:
            out.write("\n<details><summary>Terms that bind you</summary>\n\n")
            out.write("| Kind | Term | Clause |\n| --- | --- | --- |\n")
            for t in r.restrictions:
                out.write(f"| {md(t.kind, 40)} | {md(t.summary, 200)} | {md(cite(t.clause), 160)} |\n")
            out.write("\n</details>\n")
        for n in r.notes:
            out.write(f"\n> {md(n, 400)}\n")


def _published(r: Report, out: TextIO) -> None:
    """The published assessments (after our own verdicts in the bullets above), with the sources' attribution."""
    from openaudit.report.view import ASSESSOR_NAMES

    if not r.references:
        return
    out.write("\n**Published assessments** (what others concluded; not our verdict)\n\n"
              "| Assessor | Verdict | Match | Date | Link | vs. our verdict |\n| --- | --- | --- | --- | --- | --- |\n")
    for x in r.references:
        vs = x.differs or {"agrees": "agrees with our verdict"}.get(x.comparison, "not compared")
        when = f"{x.date or 'undated'} ({x.date_basis})"
        out.write(f"| {md(ASSESSOR_NAMES.get(x.assessor, x.assessor), 40)} | {md(f'{x.subject}: {x.verdict}', 300)} "
                  f"| {md(f'{x.match}: {x.match_note}', 200)} | {md(when, 120)} "
                  f"| {md(x.url, 300)} | {md(vs, 500)} |\n")
    sources = {x.source.id: x.source for x in r.references if x.source is not None}
    for s in sources.values():
        out.write(f"\n<sub>{md(s.name, 120)}: {md(s.attribution or s.url, 400)}; {md(s.license, 120)}; "
                  f"snapshot {md(s.date, 20)}</sub>\n")


def code_span(value: object) -> str:
    """Text for an inline code span: backticks cannot close it, nothing inside is Markdown."""
    return sanitize(value, one_line=True, limit=160).replace("`", "'")
