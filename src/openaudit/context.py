"""The deployment context a user audits for: scale, revenue, regions, kind of use."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from msgspec import Struct, field

from openaudit.errors import UsageError

EU_MEMBERS = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)
EEA_EXTRA = ("IS", "LI", "NO")


@lru_cache(maxsize=1)
def _regions() -> tuple[frozenset[str], dict[str, str]]:
    """(every accepted code: ISO 3166-1 alpha-2 and the groups; aliases), from rules/vocabulary/countries.yaml."""
    from openaudit.paths import rules_dir
    from openaudit.yamlutil import load_file

    data = load_file(rules_dir() / "vocabulary" / "countries.yaml")
    codes = set(data["countries"]) | set(data["groups"])
    aliases = {str(k): str(v) for k, v in data["aliases"].items()}
    if not all(isinstance(c, str) and len(c) in (2, 3) and c.isalpha() and c.isupper() for c in codes) or not set(
            aliases.values()) <= codes:
        raise ValueError("rules/vocabulary/countries.yaml: codes must be 2-3 capital letters; aliases must name one")
    return frozenset(codes), aliases


def normalize_region(code: str) -> str:
    """An ISO 3166-1 alpha-2 code or a documented group (EU, EEA), from any accepted spelling; else a usage error
    (a typo such as EUR must never pass silently against an EU-excluding license)."""
    codes, aliases = _regions()
    c = str(code).strip().upper().replace(" ", "-")
    c = aliases.get(c, c)
    if c not in codes:
        raise UsageError(f"--region {code!r}: not an ISO 3166-1 alpha-2 country code (DE, GB, KR…) or a group "
                         f"(EU, EEA); also accepted: {', '.join(sorted(aliases))}")
    return c


def expand_regions(codes: list[str]) -> list[str]:
    """A region and everything it is part of or contains: EU <-> its members, EEA <-> EU + IS/LI/NO."""
    out: set[str] = set()
    for raw in codes:
        c = normalize_region(raw)
        out.add(c)
        if c == "EU":
            out.update(EU_MEMBERS)
        elif c == "EEA":
            out.update(EU_MEMBERS + EEA_EXTRA + ("EU",))
        if c in EU_MEMBERS:
            out.update(("EU", "EEA"))
        if c in EEA_EXTRA:
            out.add("EEA")
    return sorted(out)


def parse_amount(text: str, option: str) -> float:
    from openaudit.licenses.numbers import parse_amount_option

    try:
        return parse_amount_option(str(text))
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: {exc}") from None


class DeploymentContext(Struct):
    """How the user deploys the model (users, revenue, regions, uses): what caps and bans are checked against."""

    mau: float | None = None
    annual_revenue: float | None = None
    monthly_revenue: float | None = None
    regions: list[str] = field(default_factory=list)
    commercial: bool | None = None
    train_on_outputs: bool = False
    distill: bool = False

    @classmethod
    def from_options(cls, *, mau: str | None = None, annual_revenue: str | None = None,
                     monthly_revenue: str | None = None, regions: list[str] | None = None,
                     commercial: bool | None = None, train_on_outputs: bool = False,
                     distill: bool = False) -> DeploymentContext:
        return cls(
            mau=parse_amount(mau, "--mau") if mau is not None else None,
            annual_revenue=parse_amount(annual_revenue, "--annual-revenue") if annual_revenue is not None else None,
            monthly_revenue=parse_amount(monthly_revenue, "--monthly-revenue") if monthly_revenue is not None
            else None,
            regions=[normalize_region(r) for r in (regions or [])],
            commercial=commercial,
            train_on_outputs=train_on_outputs,
            distill=distill,
        )

    @classmethod
    def from_mapping(cls, data: Any, where: str) -> DeploymentContext:
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise UsageError(f"{where}: 'context' must be a mapping")
        allowed = {"mau", "annual_revenue", "monthly_revenue", "regions", "region", "commercial",
                   "train_on_outputs", "distill"}
        unknown = set(data) - allowed
        if unknown:
            raise UsageError(f"{where}: unknown key(s) in context: {', '.join(sorted(unknown))}")
        regions = data.get("regions", data.get("region")) or []
        if isinstance(regions, str):
            regions = [regions]
        for key in ("commercial", "train_on_outputs", "distill"):
            if key in data and not isinstance(data[key], bool):
                raise UsageError(f"{where}: context.{key} must be true or false")
        return cls.from_options(
            mau=None if data.get("mau") is None else str(data["mau"]),
            annual_revenue=None if data.get("annual_revenue") is None else str(data["annual_revenue"]),
            monthly_revenue=None if data.get("monthly_revenue") is None else str(data["monthly_revenue"]),
            regions=[str(r) for r in regions],
            commercial=data.get("commercial"),
            train_on_outputs=bool(data.get("train_on_outputs", False)),
            distill=bool(data.get("distill", False)),
        )

    def merged(self, override: DeploymentContext) -> DeploymentContext:
        """Command-line values override the policy file's."""
        return DeploymentContext(
            mau=override.mau if override.mau is not None else self.mau,
            annual_revenue=override.annual_revenue if override.annual_revenue is not None else self.annual_revenue,
            monthly_revenue=override.monthly_revenue if override.monthly_revenue is not None
            else self.monthly_revenue,
            regions=override.regions or self.regions,
            commercial=override.commercial if override.commercial is not None else self.commercial,
            train_on_outputs=override.train_on_outputs or self.train_on_outputs,
            distill=override.distill or self.distill,
        )

    def to_facts(self) -> dict[str, Any]:
        return {
            "mau": self.mau,
            "annual_revenue": self.annual_revenue,
            "monthly_revenue": self.monthly_revenue,
            "regions_given": list(self.regions),
            "regions": expand_regions(self.regions),
            "commercial": self.commercial,
            "train_on_outputs": self.train_on_outputs,
            "distill": self.distill,
        }

    @property
    def given(self) -> bool:
        return any([self.mau is not None, self.annual_revenue is not None, self.monthly_revenue is not None,
                    self.regions, self.commercial is not None, self.train_on_outputs, self.distill])
