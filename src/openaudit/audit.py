"""The audit pipeline: source -> Evidence -> license identification -> terms -> findings -> gate -> Report."""

from __future__ import annotations

import datetime as dt
import sys
import threading
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from openaudit import __version__
from openaudit.context import DeploymentContext
from openaudit.evidence import Evidence
from openaudit.model import (
    EuAiActResult,
    FileStatus,
    GateResult,
    GradeResult,
    LicenseResult,
    LineageResult,
    MofResult,
    OsaidResult,
    Reference,
    Report,
    Restriction,
    TrainingDataset,
    Violation,
    Waived,
    to_data,
)
from openaudit.policy import Policy
from openaudit.sources import resolve

if TYPE_CHECKING:  # pragma: no cover
    import inspect
    import os

    from openaudit.evidence import SourceFile
    from openaudit.licenses.catalog import Catalog
    from openaudit.lineage import LineageResolver, Trace
    from openaudit.policy import Waiver
    from openaudit.sources.base import Source


def audit(target: str, *, context: DeploymentContext | dict[str, Any] | None = None,
          policy: Policy | dict[str, Any] | str | None = None, offline: bool = False, rules: tuple[str, ...] = (),
          max_depth: int | None = None, resolver: LineageResolver | None = None,
          source: Source | None = None) -> Report:
    """Audit one target (Hub id, local directory or card file) and return its report.

    ``context`` overrides the policy's deployment context; ``rules`` adds rule directories. ``base_model``
    is followed up to ``max_depth`` hops (default 3; 0: not followed) and ``datasets`` cards are read, through
    ``resolver`` (an ``openaudit.lineage.LineageResolver``, shared by a batch so upstreams are fetched once).
    ``source`` is a ready Source (e.g. a HubSource built from a listing) used instead of resolving ``target``.

    This is the public Python API (``openaudit.audit``) and what the CLI calls: ``context`` may also be a
    mapping (``{"mau": "800M", "regions": ["EU"]}``), ``policy`` a mapping or a policy file path.
    """
    from openaudit.deadline import cpu_deadline
    from openaudit.lineage import DEFAULT_MAX_DEPTH, LineageResolver

    context, policy = as_context(context), as_policy(policy)

    # The whole audit (fetch, lineage, reading, rules) within OPENAUDIT_CPU_LIMIT seconds of CPU: exit 3 past it.
    with cpu_deadline(str(target)):
        resolver = resolver or LineageResolver(offline=offline)
        depth = DEFAULT_MAX_DEPTH if max_depth is None else max_depth
        source = source or resolve(target, offline=offline)
        if source.kind == "hub" and not offline and source.on_request is None:
            source.on_request = start_warm_up  # the audit's set-up runs while the Hub answers
        evidence = resolver.fetch_target(source, max_depth=depth)
        wait_for_warm_up()
        trace = resolver.trace(evidence, max_depth=depth)
        return audit_evidence(evidence, context=context, policy=policy, rules=rules, catalog=resolver.catalog,
                              lineage=trace)


def as_context(context: DeploymentContext | dict[str, Any] | None) -> DeploymentContext | None:
    """A DeploymentContext from a DeploymentContext, a mapping (policy-file keys) or None."""
    if context is None or isinstance(context, DeploymentContext):
        return context
    if isinstance(context, dict):
        return DeploymentContext.from_mapping(context, "context")
    raise TypeError(f"context must be a DeploymentContext or a dict, not {type(context).__name__}")


def as_policy(policy: Policy | dict[str, Any] | str | os.PathLike[str] | None) -> Policy | None:
    """A Policy from a Policy, a mapping (policy-file keys), a policy file path, or None."""
    import os

    from openaudit.policy import load_policy, parse_policy

    if policy is None or isinstance(policy, Policy):
        return policy
    if isinstance(policy, dict):
        return parse_policy(policy, "policy")
    if isinstance(policy, (str, os.PathLike)):
        return load_policy(os.fspath(policy))
    raise TypeError(f"policy must be a Policy, a dict or a path, not {type(policy).__name__}")


def audit_evidence(ev: Evidence, *, context: DeploymentContext | None = None, policy: Policy | None = None,
                   catalog: Catalog | None = None, rules: tuple[str, ...] = (),
                   today: dt.date | None = None, extra_facts: dict[str, Any] | None = None,
                   lineage: Trace | None = None) -> Report:
    # The stages are imported here, not with this module: a Hub check imports this module before its first request,
    # and these load while the request is in flight (see the warm-up below).
    from openaudit.engine.facts import build_facts
    from openaudit.engine.rules import load_ruleset
    from openaudit.licenses.catalog import load_catalog
    from openaudit.licenses.identify import declared_name, identify
    from openaudit.licenses.terms import reconcile as reconcile_terms

    catalog = catalog or load_catalog()
    policy = policy or Policy()
    context = policy.context.merged(context or DeploymentContext())
    today = today or dt.date.today()
    ident = identify(ev, catalog)
    if ident.result.id == "unknown" and not ident.result.name:
        ident.result.name = declared_name(ev)  # the card's license_name, shown as declared, not dropped
    reader_notes = list(ident.notes)  # what the readers say beside their results (the evidence is not changed)
    restrictions, discrepancies = reconcile_terms(ev, ident.base or catalog.get(ident.result.id), catalog,
                                                  texts=ident.texts, notes=reader_notes)
    from openaudit.licenses.conflicting import candidate_terms

    restrictions += candidate_terms(ev, ident, restrictions)  # signals disagree: every candidate's terms, said so
    from openaudit.lineage import apply as apply_lineage
    from openaudit.lineage import empty_facts as empty_lineage

    lineage_facts, lineage_section = empty_lineage(), None
    if lineage is not None:  # a lineage.Trace: add the terms inherited from upstream licenses (origin base_model)
        restrictions, lineage_facts, lineage_section = apply_lineage(
            lineage, ev, ident.result.id, ident.result.evidence[0] if ident.result.evidence else None,
            restrictions, catalog)
    from openaudit.licenses.scope import apply as apply_scope

    # terms for some kinds of model only (Llama 3.2 multimodal); the notes say which were left out
    restrictions, scope_notes = apply_scope(ev, restrictions)
    reader_notes += scope_notes
    standards = assess_standards(ev, ident.result, restrictions,
                                 datasets=lineage_section.datasets if lineage_section is not None else ())
    facts = build_facts(ev, catalog, ident, restrictions, context,
                        {name: to_data(result) for name, result in standards.items()})
    facts["policy"] = policy.to_facts(ident.result.id, ident.result.spdx)
    if ident.base is not None:  # a modified copy: denied when its license is (never allowed as that license)
        base = policy.to_facts(ident.base.id, ident.base.spdx)
        if base["license_denied"] and not facts["policy"]["license_denied"]:
            facts["policy"].update(license_denied=True, license_not_allowed=False,
                                   license_pattern=base["license_pattern"])
    facts["discrepancies"] = [to_data(d) for d in discrepancies]
    facts["lineage"] = lineage_facts
    waivers = [w for w in policy.waivers if w.applies_to(ev.kind, ev.id)]  # scoped by target kind
    facts["waivers_expired"] = [_waiver_fact(w, today) for w in waivers if w.expired(today)]
    facts["waivers_expiring"] = [_waiver_fact(w, today) for w in waivers
                                 if not w.expired(today) and w.expires and (w.expires - today).days <= 30]
    facts.update(extra_facts or {})  # e.g. `lock_drift` from `openaudit scan` against openaudit.lock (OA908)
    references, notes = _references(ev, lineage_section, standards.osaid, standards.mof)
    ruleset = load_ruleset(tuple(rules) + tuple(policy.rule_paths))
    findings = ruleset.run(facts, disabled=policy.disable, severity=policy.severity)
    active = [w for w in waivers if not w.expired(today)]
    for f in findings:
        if f.rule in ("OA906", "OA907"):
            continue
        w = next((w for w in active if w.matches(ev.id, f.rule, ev.kind)), None)
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
        osaid=standards.osaid,
        mof=standards.mof,
        grade=standards.grade,
        eu_ai_act=standards.eu_ai_act,
        findings=findings,
        gate=GateResult(passed=not violations, fail_on=policy.fail_on, policy=policy.source,
                        context=context.to_facts() if context.given else None,
                        violations=tuple(Violation(rule=f.rule, message=f.message) for f in violations),
                        waived=tuple(Waived(rule=f.rule, reason=f.waiver_reason) for f in findings if f.waived)),
        files=[_file_status(f) for f in ev.files],
        notes=list(ev.notes) + [n for n in dict.fromkeys(reader_notes) if n not in ev.notes] + notes,
        lineage=lineage_section,
        references=references,
    )


def _references(ev: Evidence, lineage_section: LineageResult | None, osaid: OsaidResult,
                mof: MofResult) -> tuple[list[Reference], list[str]]:
    """Published assessments of this model (standards/references.py); a broken bundle is a note, not a crash."""
    from openaudit.standards.references import ReferenceDataError, assess

    try:
        return list(assess(ev, lineage=lineage_section, osaid=osaid, mof=mof)), []
    except ReferenceDataError as exc:
        return [], [f"published assessments were not looked up: {exc}"]


def _waiver_fact(w: Waiver, today: dt.date) -> dict[str, Any]:
    return {"model": w.model, "rule": w.rule or "all rules", "reason": w.reason,
            "expires": w.expires.isoformat() if w.expires else None,
            "days_left": (w.expires - today).days if w.expires else None}


class Standards(Struct, frozen=True):
    """The standards stage's results for one model."""

    osaid: OsaidResult
    mof: MofResult
    grade: GradeResult
    eu_ai_act: EuAiActResult

    def items(self) -> list[tuple[str, Any]]:
        return [(name, getattr(self, name)) for name in self.__struct_fields__]


def assess_standards(ev: Evidence, license: LicenseResult, restrictions: list[Restriction],
                     datasets: Sequence[TrainingDataset] = ()) -> Standards:
    """OSAID 1.0 verdict, MOF class, openness grade and EU AI Act exemption, each with its evidence. ``datasets``:
    the training datasets as the lineage stage read them (``LineageResult.datasets``), an input of OSAID-D2 and
    of the grade's training_data."""
    from openaudit.standards.euaiact import assess as assess_euaiact
    from openaudit.standards.facts import gather
    from openaudit.standards.grade import grade
    from openaudit.standards.mof import classify, components_from_evidence
    from openaudit.standards.osaid import assess

    facts = gather(ev)
    return Standards(
        osaid=assess(facts, license, restrictions, datasets),
        mof=classify(components_from_evidence(ev, license.spdx)).to_result(),
        grade=grade(facts, license, restrictions, datasets),
        eu_ai_act=assess_euaiact(ev, facts, license, restrictions),
    )

# -- warm-up: what an audit needs is loaded while a Hub check waits for the Hub's answers ---------------------
# A Hub check spends most of its time waiting on the network, and the CPU time of a first audit in a process is
# almost all set-up: importing the readers and standards, loading the catalog, rules and vocabulary, compiling the
# reader's patterns (a second audit of the same files takes a few milliseconds). ``start_warm_up`` runs that set-up
# in a background thread from the moment the check's first request is sent (Source.on_request). The audit
# waits for it to finish before it starts, so the two never run at once and the report is the same with or
# without it (OPENAUDIT_NO_WARM_UP=1 turns it off). It never prints; an error in it is swallowed (the audit then
# loads what it needs itself, as a local check does: local targets never start it, there is no wait to fill).

WARM_UP_CARD = """---
license: other
license_name: sample-model-license
license_link: LICENSE
pipeline_tag: text-generation
datasets: [sample/data]
---
# Sample model

A small sample card. Weights, training code (https://github.com/sample/sample) and evaluation results are
published. Not intended for medical use.
"""
WARM_UP_LICENSE = """Sample Model License Agreement

1. Grant of rights. You are granted a non-exclusive, worldwide, non-transferable and royalty-free limited
license to use, reproduce, distribute, copy, create derivative works of, and make modifications to the Model.
2. Additional commercial terms. If the monthly active users of the products made available by Licensee exceed
700 million monthly active users, you must request a license, which we may grant in our sole discretion.
3. You will not use the Model or its Output to improve any other large language model.
4. You may not use the Model for commercial purposes, nor in the European Union.
5. You must retain this notice and state that you changed the files. Your use must comply with the
Acceptable Use Policy.
THE MODEL IS PROVIDED "AS IS", WITHOUT WARRANTIES OF ANY KIND.
"""

_warm_lock = threading.Lock()
_warm_thread: threading.Thread | None = None


def warm_up() -> None:
    """Load what an audit needs, by auditing a small built-in card and license (the report is discarded): the
    modules, the catalog, rules and vocabulary, and the patterns a typical license text makes the reader compile.
    Nothing is printed or kept but those caches, which are the same whoever fills them."""
    from openaudit.card import parse_card
    from openaudit.evidence import SourceFile

    ev = Evidence(kind="hub", id="openaudit/warm-up", revision="0" * 40, requested_revision="main",
                  siblings=["README.md", "LICENSE", "config.json", "model.safetensors"], gated=False)
    ev.files = [SourceFile(name="README.md", role="card", text=WARM_UP_CARD, size=len(WARM_UP_CARD)),
                SourceFile(name="LICENSE", role="license", text=WARM_UP_LICENSE, size=len(WARM_UP_LICENSE))]
    ev.card = parse_card(WARM_UP_CARD, "README.md")
    audit_evidence(ev)


def _warm_quietly() -> None:
    try:
        warm_up()
    except BaseException:  # noqa: BLE001, S110 (a head start only: the audit loads what it needs itself)
        pass


def warm_up_enabled() -> bool:
    import os

    return os.environ.get("OPENAUDIT_NO_WARM_UP", "").strip().lower() in ("", "0", "no", "false", "off")


def start_warm_up() -> None:
    """Start ``warm_up`` in a daemon thread, once per process (later calls do nothing)."""
    global _warm_thread
    with _warm_lock:
        if _warm_thread is not None or not warm_up_enabled():
            return
        _warm_thread = threading.Thread(target=_warm_quietly, name="openaudit-warm-up", daemon=True)
        _warm_thread.start()


WARM_UP_WAIT = 10.0  # seconds an audit waits for the warm-up at most (it takes ~0.1 s of CPU): a backstop only


def wait_for_warm_up() -> None:
    """Wait for a warm-up that was started to finish, so that an audit does not run beside it (if it ever took
    longer than WARM_UP_WAIT, the audit goes ahead: audits are thread-safe, a batch runs several at once)."""
    thread = _warm_thread
    if thread is not None and thread is not threading.current_thread():
        thread.join(WARM_UP_WAIT)


def _file_status(f: SourceFile) -> FileStatus:
    if f.text is None:
        return FileStatus(f.name, f.role, "unreadable", f.error)
    if f.truncated:
        return FileStatus(f.name, f.role, "truncated", f"read up to the size cap ({f.size} bytes in all)")
    return FileStatus(f.name, f.role, "read", f.error)


class _CallableModule(types.ModuleType):
    """``openaudit.audit`` is both this module and the API function: importing the submodule replaces the
    package attribute, so the module itself forwards calls to :func:`audit` (``openaudit.audit("org/name")``)."""

    def __call__(self, target: str, **kwargs: Any) -> Report:
        return audit(target, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:  # inspect.signature(openaudit.audit) / help() show its parameters
        import inspect

        return inspect.signature(audit)


sys.modules[__name__].__class__ = _CallableModule
