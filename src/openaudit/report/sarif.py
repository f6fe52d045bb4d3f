"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` holds every rule that produced a result, described from the rule docs
(rules/*.yaml). A result is located where the model is referenced in your code (``openaudit scan``:
one result per reference), or at the clause behind the finding (``openaudit check``): a file of a local
model directory, or ``hf://<id>@<revision>/<file>`` for a Hub model. Waived findings carry a SARIF
suppression with the waiver's reason. The invocation's notifications carry the reports' notes (e.g. a
decision taken offline from openaudit.lock) and, for `scan`, the models that could not be audited (errors
located at their references; ``executionSuccessful`` is then false).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from openaudit import __version__
from openaudit.model import Citation, Finding, Report

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# Findings at least this severe become results (each result is a code-scanning alert); `--min-severity note`
# includes the info-level ones (e.g. "MOF: Unclassified"), which stay in the JSON report either way.
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
DEFAULT_MIN_SEVERITY = "warning"
MAX_LOCATIONS_PER_FINDING = 20


def _rule_descriptor(code: str, severity: str) -> dict[str, Any]:
    from openaudit.engine.rules import load_ruleset

    try:
        rule = load_ruleset().get(code)
    except Exception:  # noqa: BLE001 (a broken rule directory must not lose the results)
        rule = None
    if rule is None:
        return {"id": code, "shortDescription": {"text": code},
                "defaultConfiguration": {"level": LEVELS.get(severity, "warning")}}
    what, why, fix = rule.docs.get("what", ""), rule.docs.get("why", ""), rule.docs.get("fix", "")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": what},
        "help": {"text": f"{what}\n\nWhy: {why}\n\nFix: {fix}\n\nMore: `openaudit explain {rule.code}`",
                 "markdown": f"{what}\n\n**Why:** {why}\n\n**Fix:** {fix}\n\nMore: `openaudit explain {rule.code}`"},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"standard": rule.standard, "severity": rule.severity, "tags": ["license", "ai-model"]},
    }


def _uri_for_file(path: str) -> str:
    """A relative URI reference (percent-encoded: SARIF artifact locations are URIs) or a file: URI."""
    p = Path(path)
    if p.is_absolute():
        try:
            rel = os.path.relpath(p)
        except ValueError:
            return p.as_uri()
        return quote(Path(rel).as_posix(), safe="/") if not rel.startswith("..") else p.as_uri()
    return quote(p.as_posix(), safe="/")


_PROMPT_SUFFIX = " (extra_gated_prompt)"  # see licenses/gated.py


def _evidence_location(report: Report, c: Citation | None) -> dict[str, Any]:
    t = report.target
    file = (c.file if c is not None and c.file else None) or "README.md"
    # the access-form text in the card metadata: cited at the card's lines (licenses/gated.py), except when only
    # the card data the Hub returned was read (model_info.cardData): then the lines are the text's own
    prompt = file.endswith(_PROMPT_SUFFIX) and file.startswith("model_info.cardData")
    if file.endswith(_PROMPT_SUFFIX):
        file = file[: -len(_PROMPT_SUFFIX)]
        file = "README.md" if file == "model_info.cardData" else file
    if t.get("kind") == "hub":
        rev = t.get("revision") or t.get("requested_revision") or "main"
        uri = f"hf://{quote(str(t['id']), safe='/')}@{quote(str(rev), safe='/')}/{quote(file, safe='/')}"
    else:
        base = Path(t["id"])
        uri = _uri_for_file(str(base if base.is_file() and file == base.name else
                                (base.parent if base.is_file() else base) / file))
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
    if prompt and c is not None:
        where = f", line {int(c.line)} of that text" if c.line else ""
        loc["message"] = {"text": f"extra_gated_prompt (card metadata){where}: {(c.text or '')[:500]}"}
    elif c is not None and c.line:
        loc["physicalLocation"]["region"] = {"startLine": int(c.line)}
        if c.text:
            loc["physicalLocation"]["region"]["snippet"] = {"text": c.text[:500]}
    return loc


def _reference_location(ref: dict) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(1, int(ref.get("line") or 1))}
    if ref.get("text"):
        region["snippet"] = {"text": str(ref["text"])[:500]}
    return {"physicalLocation": {"artifactLocation": {"uri": _uri_for_file(str(ref.get("file")))}, "region": region}}


def _result(f: Finding, report: Report, rule_index: int, location: dict[str, Any],
            related: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    t = report.target
    text = f.message
    if t.get("references") and not text.startswith(str(t["id"])):
        text = f"{t['id']}: {text}"
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": text},
        "locations": [location],
        "properties": {"model": t.get("id"), "revision": t.get("revision"), "license": report.license.id,
                       "severity": f.severity, "gatePassed": report.passed},
    }
    if related:
        result["relatedLocations"] = [{**loc, "id": i} for i, loc in enumerate(related, 1)]
    if f.waived:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f.waiver_reason or "waived by policy"}]
    return result


def _notifications(reports: list[Report], unaudited: list[dict]) -> list[dict[str, Any]]:
    """Models that could not be audited (errors, at their references) and the reports' notes, such as a
    decision taken offline from openaudit.lock."""
    out: list[dict[str, Any]] = []
    for u in unaudited:
        refs = [r for r in u.get("references") or [] if isinstance(r, dict)]
        n: dict[str, Any] = {"level": "error", "message": {"text": f"not audited: {u.get('error')}"},
                             "properties": {"model": u.get("model"), "exitCode": u.get("exit_code")}}
        if refs:
            n["locations"] = [_reference_location(r) for r in refs[:MAX_LOCATIONS_PER_FINDING]]
        out.append(n)
    for r in reports:
        for note in r.notes:
            out.append({"level": "note", "message": {"text": f"{r.target.get('id')}: {note}"},
                        "properties": {"model": r.target.get("id")}})
    return out


def _references(report: Report) -> list[dict[str, Any]]:
    """The published assessments (MOT, EU index, OSI) as run properties: not results, they are not findings."""
    return [{"assessor": x.assessor, "subject": x.subject, "verdict": x.verdict, "match": x.match,
             "date": x.date, "url": x.url, "comparison": x.comparison, "differs": x.differs,
             "license": x.source.license if x.source else None,
             "attribution": x.source.attribution if x.source else None}
            for x in report.references or []]


def build_sarif(reports: list[Report], unaudited: list[dict] | None = None,
                min_severity: str = DEFAULT_MIN_SEVERITY) -> dict[str, Any]:
    """``unaudited`` (from `openaudit scan`): models that could not be audited, {model, error, exit_code,
    references}; they become error notifications of the invocation, which is then not successful.
    ``min_severity`` (error, warning, or info/note): less severe findings are left out of the results."""
    unaudited = unaudited or []
    floor = SEVERITY_RANK["info" if min_severity == "note" else min_severity]
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for report in reports:
        refs = [r for r in report.target.get("references") or [] if isinstance(r, dict)]
        for f in report.findings:
            if SEVERITY_RANK.get(f.severity, 1) < floor:
                continue
            if f.rule not in index:
                index[f.rule] = len(rules)
                rules.append(_rule_descriptor(f.rule, f.severity))
            evidence = _evidence_location(report, f.evidence or next(iter(report.license.evidence), None))
            if refs:
                for ref in refs[:MAX_LOCATIONS_PER_FINDING]:
                    results.append(_result(f, report, index[f.rule], _reference_location(ref), [evidence]))
            else:
                results.append(_result(f, report, index[f.rule], evidence))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "openaudit", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "invocations": [{"executionSuccessful": not unaudited,
                             "toolExecutionNotifications": _notifications(reports, unaudited)}],
            "results": results,
            "properties": {"models": [{"id": r.target.get("id"), "revision": r.target.get("revision"),
                                       "license": r.license.id, "passed": r.passed,
                                       "offline": bool(r.target.get("offline")),
                                       "decidedFromLock": bool((r.target.get("lock") or {}).get("decided_from_lock")),
                                       "references": _references(r)}
                                      for r in reports]
                           + [{"id": u.get("model"), "passed": False, "error": u.get("error")} for u in unaudited]},
        }],
    }


def render_sarif(reports: list[Report], out: TextIO, *, unaudited: list[dict] | None = None,
                 min_severity: str = DEFAULT_MIN_SEVERITY) -> None:
    out.write(json.dumps(build_sarif(reports, unaudited, min_severity), indent=2, ensure_ascii=True))
    out.write("\n")
