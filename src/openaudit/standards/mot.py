"""Model Openness Tool records (``models/*.yml`` of the MOT repository): their components and global licences,
classified by :func:`openaudit.standards.mof.classify`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from openaudit.standards.mof import Component, MofResult, classify
from openaudit.standards.mof_framework import CONTENT_TYPES, MofDataError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping


class MotRecord(Struct):
    """A Model Openness Tool record: the release, its components and licenses."""

    release: dict[str, Any]
    components: list[Component]
    licenses: dict[str, str | None]  # distribution / code / data / document

    def classify(self) -> MofResult:
        return classify(self.components, self.licenses)


def release_components(release: Mapping[str, Any]) -> tuple[list[Component], dict[str, str | None]]:
    """Components and global licences of a MOT ``release`` mapping."""
    glob: dict[str, str | None] = {}
    lic = release.get("license")
    if isinstance(lic, dict):
        for key in ("distribution", *CONTENT_TYPES):
            entry = lic.get(key)
            name = entry.get("name") if isinstance(entry, dict) else None
            glob[key] = str(name) if name not in (None, "") else None
    comps: list[Component] = []
    for raw in release.get("components") or []:
        if not isinstance(raw, dict) or not raw.get("name"):
            continue
        value = raw.get("license")
        comps.append(Component(
            name=str(raw["name"]),
            # absent or null -> inherit (PHP isset() is false for null); "" -> stated, no licence
            license=None if value is None else str(value),
            path=str(raw["component_path"]) if raw.get("component_path") else None,
            license_path=str(raw["license_path"]) if raw.get("license_path") else None,
        ))
    return comps, glob


def load_mot_record(path: str | Path) -> MotRecord:
    """Read one MOT model YAML (``models/*.yml``) with yaml.safe_load."""
    import yaml

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or not isinstance(data.get("release"), dict):
        raise MofDataError(f"{path}: not a MOT model record (no 'release' mapping)")
    release = data["release"]
    comps, glob = release_components(release)
    return MotRecord(release=release, components=comps, licenses=glob)
