"""The report's data model: typed, frozen results that mirror schema/report.schema.json.

Each stage returns one of these (``OsaidResult``, ``MofResult``, ``GradeResult``, ``EuAiActResult``,
``LineageResult``, ``GateResult``, ``Reference``); renderers read their attributes. They become plain JSON data
in one place, :func:`to_data` (``Report.to_dict()``, the JSON contract, and the rule engine's facts): fields in
declaration order, a field's JSON name from its ``field(name=...)`` (``class``), and the fields a class lists in
``omit_none`` left out while they are None (keys the contract has only sometimes); fields a class lists in
``not_json`` are for the human formats only.

The results are ``msgspec.Struct`` classes, like every record of the package: ``repr``, ``==`` by field,
``frozen=True`` immutable and hashable by value, built by msgspec when the class is created instead of compiled
from source text per class as ``@dataclass`` does (issue 18: ~80 records cost ~25 ms of start-up as dataclasses).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from msgspec import Struct, field

SCHEMA_VERSION = 1

# Closed vocabularies of the JSON contract (extend only with a documented reason).
RESTRICTION_KINDS = (
    "user_cap",
    "revenue_cap",
    "non_commercial",
    "use_restrictions",
    "output_training_ban",
    "territory",
    "attribution",
    "naming",
    "share_alike",
    "no_derivatives",
    "registration",
    "modifiable_terms",
    "unclassified",  # a binding sentence of the text that no other kind claims (never silently nothing)
)
THRESHOLD_UNITS = ("monthly_active_users", "daily_active_users", "monthly_visits", "annual_revenue",
                   "monthly_revenue")
SEVERITIES = ("error", "warning", "info")
GRADE_LETTERS = ("A", "B", "C", "D", "E", "F")  # the openness grade, best first
CITATION_SOURCES = ("metadata", "file", "link", "base_model", "catalog")


class Citation(Struct):
    """Where a fact came from: a card metadata key, a line of a file, a link, or an upstream model."""

    source: str
    file: str | None = None
    line: int | None = None
    text: str | None = None
    # Where in ``text`` the phrase the finding is about starts (a clause's key phrase): the human formats centre
    # their shorter quotes on it. Not in the JSON.
    key_at: int | None = None

    not_json: ClassVar[frozenset[str]] = frozenset({"key_at"})


class Threshold(Struct):
    """A number a restriction is bound to (a user or revenue cap) and its unit."""

    value: float
    unit: str
    currency: str | None = None


class Restriction(Struct):
    """One term that binds the user, read from the license text, the catalog or an upstream model."""

    kind: str
    summary: str
    thresholds: list[Threshold] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    clause: Citation | None = None
    origin: str = "text"  # "text": read from the license file; "catalog": known term of the identified license;
    #                       "base_model": inherited from an upstream model's license (see openaudit.lineage)


class LicenseResult(Struct):
    """The identified license, how sure the reading is, and the evidence for it."""

    id: str = "unknown"
    name: str | None = None
    spdx: str | None = None
    osi_approved: bool | None = None
    confidence: float = 0.0
    evidence: list[Citation] = field(default_factory=list)
    reason: str | None = None  # why the id is what it is (especially when unknown)
    osi_reason: str | None = None  # why osi_approved is what it is
    # how each license file was identified (coverage.TextIdentity)
    texts: list[dict[str, Any]] = field(default_factory=list)


class Finding(Struct):
    """One rule's finding: its severity, message, evidence, and whether a policy waived it."""

    rule: str
    severity: str
    message: str
    evidence: Citation | None = None
    waived: bool = False
    waiver_reason: str | None = None


class FileStatus(Struct):
    """A file that was (or could not be) read, and its role."""

    name: str
    role: str
    status: str  # read | truncated | unreadable
    reason: str | None = None


def to_data(obj: Any) -> Any:
    """Plain JSON data (dicts, lists, scalars) of a result: the only conversion of the typed results to dicts."""
    kind = type(obj)
    if kind in _SCALARS:
        return obj
    if kind in _LAYOUTS:
        layout = _LAYOUTS[kind]
    else:
        layout = _LAYOUTS[kind] = _layout(kind)
    if layout is not None:
        out: dict[str, Any] = {}
        for name, key, omit_none in layout:
            value = getattr(obj, name)
            if value is None and omit_none:
                continue
            out[key] = to_data(value)
        return out
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: to_data(v) for k, v in obj.items()}
    return obj


_SCALARS = frozenset({str, int, float, bool, type(None)})
# per type: the (attribute, JSON key, omit when None) of each field of a Struct, None for any other type; read
# once per type instead of once per object (a report is hundreds of objects)
_LAYOUTS: dict[type, tuple[tuple[str, str, bool], ...] | None] = {}


def _layout(kind: type) -> tuple[tuple[str, str, bool], ...] | None:
    if not issubclass(kind, Struct):
        return None
    omit: frozenset[str] = getattr(kind, "omit_none", frozenset())
    internal: frozenset[str] = getattr(kind, "not_json", frozenset())
    return tuple((name, key, name in omit) for name, key in zip(kind.__struct_fields__, kind.__struct_encode_fields__,
                                                                strict=True) if name not in internal)


# ---------------------------------------------------------------------------------------------------------------
# OSAID 1.0 (standards/osaid.py)


class OsaidRequirement(Struct, frozen=True):
    """One requirement of OSI OSAID 1.0 and whether the evidence meets it."""

    id: str  # OSAID-W, OSAID-P, OSAID-A, OSAID-C1..C4, OSAID-D1..D3
    name: str
    status: str  # pass | fail | unknown
    reason: str
    evidence: tuple[Citation, ...] = ()


class OsaidResult(Struct, frozen=True):
    """The OSAID 1.0 assessment: the verdict and each requirement."""

    verdict: str = "insufficient_evidence"  # conformant | not_conformant | insufficient_evidence
    requirements: tuple[OsaidRequirement, ...] = ()
    counts: Mapping[str, int] = field(default_factory=lambda: {"pass": 0, "fail": 0, "unknown": 0})
    summary: str = ""

    def requirement(self, rid: str) -> OsaidRequirement | None:
        return next((r for r in self.requirements if r.id == rid), None)


# ---------------------------------------------------------------------------------------------------------------
# Model Openness Framework (standards/mof.py)


class MofEvidence(Struct, frozen=True):
    """Where a MOF component was found (a card line, a repository file or a link)."""

    omit_none: ClassVar[frozenset[str]] = frozenset({"text"})  # JSON keys only when set

    file: str
    line: int | None = None
    text: str | None = None


class MofComponent(Struct, frozen=True):
    """One component of the Model Openness Framework: whether it is included and how it is licensed."""

    name: str
    mof_class: int = field(name="class")
    content_type: str
    required: bool
    included: bool
    license: str | None
    license_source: str | None
    status: str  # open | open_not_type_appropriate | unlicensed | invalid | missing
    path: str | None
    evidence: tuple[MofEvidence, ...]
    note: str | None


class MofNeed(Struct, frozen=True):
    """A component a MOF class above the one met needs."""

    name: str
    status: str  # missing | unlicensed | invalid
    license: str | None


class MofStep(Struct, frozen=True):
    """What a class above the one met adds and is not included with an open licence."""

    mof_class: int = field(name="class")
    label: str = ""
    needs: tuple[MofNeed, ...] = ()


class MofResult(Struct, frozen=True):
    """The MOF class met, the progress towards each class, and what blocks the next."""

    mof_class: int | None = field(default=None, name="class")  # 1 | 2 | 3 | None (Unclassified)
    label: str = "Unclassified"
    progress: Mapping[str, int] = field(default_factory=dict)  # {"3": %, "2": %, "1": %}
    components: tuple[MofComponent, ...] = ()
    blocking: tuple[str, ...] = ()  # what keeps the next class (3 when Unclassified) from being met
    to_reach: tuple[MofStep, ...] = ()
    what_would_change: str | None = None
    rank: int = 0  # Class I = 3 … Unclassified = 0 (openaudit.policy.mof_rank)


# ---------------------------------------------------------------------------------------------------------------
# Openness grade (standards/grade.py)


class GradeDimension(Struct, frozen=True):
    """One dimension of the openness grade: its status, weight and evidence."""

    status: str  # open | partial | closed
    reason: str
    weight: float
    evidence: tuple[Citation, ...] = ()


class GradeBand(Struct, frozen=True):
    """The lowest score that earns a grade letter."""

    letter: str
    min: float


class GradeResult(Struct, frozen=True):
    """The openness grade: a letter, its score and the dimensions behind it."""

    letter: str | None = None  # A..F; None while not assessed
    score: float | None = None
    rank: int = 0  # A = 6 … F = 1, no grade = 0
    dimensions: Mapping[str, GradeDimension] = field(default_factory=dict)
    bands: tuple[GradeBand, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------------------
# EU AI Act open-source exemption (standards/euaiact.py)


class EuAiActCondition(Struct, frozen=True):
    """One condition of the EU AI Act's open-source exemption and whether it is met."""

    id: str
    name: str
    status: str  # met | not_met | unknown
    reason: str
    evidence: tuple[Citation, ...] = ()


class EuAiActCompute(Struct, frozen=True):
    """The model's training compute as the card states it, against the systemic-risk threshold."""

    omit_none: ClassVar[frozenset[str]] = frozenset({"parameters_stated", "ambiguous"})  # JSON keys only when set

    parameters: float | None
    training_tokens: float | None
    flops: float | None
    method: str | None
    threshold: float
    presumed_systemic_risk: bool | None
    flops_text: str | None
    evidence: tuple[Citation, ...] = ()
    parameters_stated: tuple[float, ...] | None = None  # several sizes stated
    ambiguous: bool | None = None  # the answer depends on which size it is


class Obligation(Struct, frozen=True):
    """An obligation of the EU AI Act (its article), and when it applies."""

    omit_none: ClassVar[frozenset[str]] = frozenset({"condition"})  # JSON keys only when set

    article: str
    obligation: str
    condition: str | None = None


class EuAiActResult(Struct, frozen=True):
    """Whether the EU AI Act's open-source exemption applies, and the obligations left."""

    exemption: str  # likely_applies | does_not_apply | undetermined
    summary: str
    conditions: tuple[EuAiActCondition, ...]
    compute: EuAiActCompute
    remaining_obligations: tuple[Obligation, ...]
    exempted_obligations: tuple[Obligation, ...]
    basis: tuple[str, ...]
    disclaimer: str


# ---------------------------------------------------------------------------------------------------------------
# Lineage (lineage.py)


class LineageLink(Struct, frozen=True):
    """One base_model entry of the chain, followed or not (status)."""

    id: str
    kind: str | None  # hub | local | None (not followed)
    revision: str | None
    relation: str | None
    depth: int
    parent: str
    status: str  # ok | unreachable | invalid | cycle | depth_limit | not_followed
    reason: str | None
    license: str | None
    license_name: str | None
    citation: Citation


class TrainingDataset(Struct, frozen=True):
    """One training dataset of the card's ``datasets`` and what its own Hub card says of its license."""

    id: str
    status: str  # ok | unreachable | invalid
    reason: str | None
    license: str | None
    license_id: str
    license_name: str | None
    category: str | None
    gated: bool | str | None
    non_commercial: bool
    no_derivatives: bool
    citation: Citation

    @property
    def restricted(self) -> bool:
        return self.non_commercial or self.no_derivatives

    @property
    def restriction_text(self) -> str:
        return " and ".join(x for x, on in (("non-commercial", self.non_commercial),
                                             ("no-derivatives", self.no_derivatives)) if on)


class LineageHint(Struct, frozen=True):
    """A hint of the model's family (a tag, a model type, a name) when no base_model is declared."""

    kind: str  # tag | model_type | model_name | name
    value: str
    family: str
    citation: Citation


class LineageResult(Struct, frozen=True):
    """The base_model chain, the licenses that apply along it, and the training datasets."""

    max_depth: int
    declared: bool
    chain: tuple[LineageLink, ...] = ()
    effective_licenses: tuple[str, ...] = ()
    inherited: int = 0
    datasets: tuple[TrainingDataset, ...] = ()
    hints: tuple[LineageHint, ...] = ()


# ---------------------------------------------------------------------------------------------------------------
# Published assessments (standards/references.py)


class ReferenceSource(Struct, frozen=True):
    """A published source of assessments (the bundled snapshot it was taken from)."""

    id: str  # mot | osai_index | osi
    name: str
    standard: str
    url: str
    snapshot: str  # commit or publication the data was taken from
    record_url: str | None  # link of one record, ``{file}`` replaced by the record's file name
    date: str  # the snapshot's date (YYYY-MM-DD)
    license: str
    attribution: str | None
    caveat: str | None


class Reference(Struct, frozen=True):
    """One published assessment that matches the audited model (or its base model, or its family)."""

    assessor: str  # mot | osai_index | osi
    standard: str
    subject: str  # what the assessor assessed, as it names it
    subject_id: str | None  # its Hub id, when the record gives one
    match: str  # exact | base_model | built_on_this | family | base_model_family
    match_note: str  # the match in words ("same family, other size or version: ...")
    verdict: str  # the assessor's verdict in its own terms
    date: str | None  # the date the assessor's record carries (see date_basis)
    date_basis: str  # what ``date`` is
    url: str  # where to read the record
    details: Mapping[str, Any] = field(default_factory=dict)  # class/progress (mot), grades (index), outcome (osi)
    differs: str | None = None  # how and why our verdict from the evidence differs, when it does
    source: ReferenceSource | None = None
    # agrees | differs | not_compared (the index grades dimensions we have no single verdict for; a base-model
    # or built-on match assessed another model)
    comparison: str = "not_compared"


# ---------------------------------------------------------------------------------------------------------------
# The gate (audit.py)


class Violation(Struct, frozen=True):
    """A rule whose finding fails the gate."""

    rule: str
    message: str


class Waived(Struct, frozen=True):
    """A rule a policy waiver set aside, and why."""

    rule: str
    reason: str | None


class GateResult(Struct, frozen=True):
    """Whether the CI gate passed, under which policy and context, and why not."""

    passed: bool = True
    fail_on: str = "error"  # error | warning
    policy: str | None = None  # the policy file, when one was given
    context: Mapping[str, Any] | None = None  # the deployment context, when one was given
    violations: tuple[Violation, ...] = ()
    waived: tuple[Waived, ...] = ()


class Report(Struct):
    """The audit of one model: license, restrictions, standards, findings and gate (the JSON contract)."""

    tool: dict[str, str]
    target: dict[str, Any]
    license: LicenseResult
    restrictions: list[Restriction] = field(default_factory=list)
    osaid: OsaidResult = field(default_factory=lambda: OsaidResult())
    mof: MofResult = field(default_factory=lambda: MofResult())
    grade: GradeResult = field(default_factory=lambda: GradeResult())
    findings: list[Finding] = field(default_factory=list)
    gate: GateResult = field(default_factory=lambda: GateResult())
    files: list[FileStatus] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    lineage: LineageResult | None = None  # base_model chain and training data (emitted only when traced)
    eu_ai_act: EuAiActResult | None = None  # EU AI Act open-source exemption (standards/euaiact.py)
    # published assessments (MOT, EU index, OSI) matching this model: shown after our own verdicts, never
    # changing them (standards/references.py); empty when no source has the model
    references: list[Reference] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = to_data(self)
        order = ["schema_version", "tool", "target", "license", "restrictions", "osaid", "mof", "grade",
                 "references", "findings", "gate", "files", "notes"]
        if self.lineage is not None:
            order.insert(order.index("restrictions") + 1, "lineage")
        if self.eu_ai_act is not None:
            order.insert(order.index("grade") + 1, "eu_ai_act")
        return {k: d[k] for k in order}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=True)

    @property
    def passed(self) -> bool:
        return self.gate.passed
