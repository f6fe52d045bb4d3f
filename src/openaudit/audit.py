"""The audit pipeline: source -> Evidence -> license identification -> terms -> findings -> gate -> Report."""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import asdict

from openaudit import __version__
from openaudit.context import DeploymentContext
from openaudit.engine.facts import build_facts
from openaudit.engine.rules import load_ruleset
from openaudit.evidence import Evidence
from openaudit.licenses.catalog import Catalog, load_catalog
from openaudit.licenses.identify import identify
from openaudit.licenses.terms import reconcile as reconcile_terms
from openaudit.model import FileStatus, LicenseResult, Report, Restriction
from openaudit.policy import Policy
from openaudit.sources import resolve


def audit(target: str, *, context: DeploymentContext | None = None, policy: Policy | None = None,
          offline: bool = False, rules: tuple[str, ...] = ()) -> Report:
    """Audit one target (Hub id, local directory or card file) and return its report.

    ``context`` overrides the policy's deployment context; ``rules`` adds rule directories.
    """
    evidence = resolve(target, offline=offline).fetch()
    return audit_evidence(evidence, context=context, policy=policy, rules=rules)


def audit_evidence(ev: Evidence, *, context: DeploymentContext | None = None, policy: Policy | None = None,
                   catalog: Catalog | None = None, rules: tuple[str, ...] = (),
                   today: dt.date | None = None) -> Report:
    catalog = catalog or load_catalog()
    policy = policy or Policy()
    context = policy.context.merged(context or DeploymentContext())
    today = today or dt.date.today()
    ident = identify(ev, catalog)
    restrictions, discrepancies = reconcile_terms(ev, catalog.get(ident.result.id))
    standards = assess_standards(ev, ident.result, restrictions)
    facts = build_facts(ev, catalog, ident, restrictions, context, standards)
    facts["policy"] = policy.to_facts(ident.result.id, ident.result.spdx)
    facts["discrepancies"] = [asdict(d) for d in discrepancies]
    waivers = [w for w in policy.waivers if fnmatch.fnmatchcase(ev.id.lower(), w.model.lower())]
    facts["waivers_expired"] = [_waiver_fact(w) for w in waivers if w.expired(today)]
    facts["waivers_expiring"] = [_waiver_fact(w) for w in waivers
                                 if not w.expired(today) and w.expires and (w.expires - today).days <= 30]
    ruleset = load_ruleset(tuple(rules) + tuple(policy.rule_paths))
    findings = ruleset.run(facts, disabled=policy.disable, severity=policy.severity)
    active = [w for w in waivers if not w.expired(today)]
    for f in findings:
        if f.rule in ("OA906", "OA907"):
            continue
        w = next((w for w in active if w.matches(ev.id, f.rule)), None)
        if w is not None:
            f.waived, f.waiver_reason = True, w.reason
    failing = ("error", "warning") if policy.fail_on == "warning" else ("error",)
    violations = [f for f in findings if f.severity in failing and not f.waived]
    return Report(
        tool={"name": "openaudit", "version": __version__},
        target={"kind": ev.kind, "id": ev.id, "revision": ev.revision,
                "requested_revision": ev.requested_revision, "offline": ev.offline},
        license=ident.result,
        restrictions=restrictions,
        osaid=standards["osaid"],
        mof=standards["mof"],
        grade=standards["grade"],
        findings=findings,
        gate={"passed": not violations, "fail_on": policy.fail_on, "policy": policy.source,
              "context": context.to_facts() if context.given else None,
              "violations": [{"rule": f.rule, "message": f.message} for f in violations],
              "waived": [{"rule": f.rule, "reason": f.waiver_reason} for f in findings if f.waived]},
        files=[_file_status(f) for f in ev.files],
        notes=list(ev.notes),
    )


def _waiver_fact(w) -> dict:
    return {"model": w.model, "rule": w.rule or "all rules", "reason": w.reason,
            "expires": w.expires.isoformat() if w.expires else None}


def _mof(ev: Evidence, license: LicenseResult) -> dict:
    from openaudit.policy import mof_rank
    from openaudit.standards.mof import classify, components_from_evidence

    result = classify(components_from_evidence(ev, license.spdx)).to_dict()
    result["rank"] = mof_rank(result.get("class"))
    return result


def assess_standards(ev: Evidence, license: LicenseResult, restrictions: list[Restriction]) -> dict:
    """OSAID 1.0 verdict, MOF class and openness grade, each with its evidence."""
    from openaudit.standards.facts import gather
    from openaudit.standards.grade import grade
    from openaudit.standards.osaid import assess

    facts = gather(ev)
    return {
        "osaid": assess(facts, license, restrictions),
        "mof": _mof(ev, license),
        "grade": grade(facts, license, restrictions),
    }
def _file_status(f) -> FileStatus:
    if f.text is None:
        return FileStatus(f.name, f.role, "unreadable", f.error)
    if f.truncated:
        return FileStatus(f.name, f.role, "truncated", f"read up to the size cap ({f.size} bytes in all)")
    return FileStatus(f.name, f.role, "read", f.error)
