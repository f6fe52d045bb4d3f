"""The report's data model. ``Report.to_dict()`` is the JSON contract (schema/report.schema.json)."""

from __future__ import annotations

import json
from dataclasses import InitVar, asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from openaudit.standards.references import Reference

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
CITATION_SOURCES = ("metadata", "file", "link", "base_model", "catalog")


@dataclass
class Citation:
    """Where a fact came from: a card metadata key, a line of a file, a link, or an upstream model."""

    source: str
    file: str | None = None
    line: int | None = None
    text: str | None = None
    # Where in ``text`` the phrase the finding is about starts (a clause's key phrase), kept as ``key_at``: the
    # human formats centre their shorter quotes on it. Not a field: not in the JSON (nor compared).
    focus: InitVar[int | None] = None

    def __post_init__(self, focus: int | None) -> None:
        self.key_at: int | None = focus


@dataclass
class Threshold:
    value: float
    unit: str
    currency: str | None = None


@dataclass
class Restriction:
    kind: str
    summary: str
    thresholds: list[Threshold] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    clause: Citation | None = None
    origin: str = "text"  # "text": read from the license file; "catalog": known term of the identified license;
    #                       "base_model": inherited from an upstream model's license (see openaudit.lineage)


@dataclass
class LicenseResult:
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


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    evidence: Citation | None = None
    waived: bool = False
    waiver_reason: str | None = None


@dataclass
class FileStatus:
    name: str
    role: str
    status: str  # read | truncated | unreadable
    reason: str | None = None


@dataclass
class Report:
    tool: dict[str, str]
    target: dict[str, Any]
    license: LicenseResult
    restrictions: list[Restriction] = field(default_factory=list)
    osaid: dict[str, Any] = field(default_factory=lambda: {"verdict": "insufficient_evidence", "requirements": []})
    mof: dict[str, Any] = field(default_factory=lambda: {"class": None, "components": []})
    grade: dict[str, Any] = field(default_factory=lambda: {"letter": None, "score": None, "dimensions": {}})
    findings: list[Finding] = field(default_factory=list)
    gate: dict[str, Any] = field(default_factory=lambda: {"passed": True, "violations": []})
    files: list[FileStatus] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    lineage: dict[str, Any] | None = None  # base_model chain and training data (emitted only when traced)
    eu_ai_act: dict[str, Any] | None = None  # EU AI Act open-source exemption (standards/euaiact.py)
    # published assessments (MOT, EU index, OSI) matching this model: shown after our own verdicts, never
    # changing them (standards/references.py); empty when no source has the model
    references: list[Reference] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
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
        return bool(self.gate.get("passed"))
