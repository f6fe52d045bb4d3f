"""Build hook: parse the bundled YAML data (rules/) once at build time into ``openaudit/_bundle.json``.

At run time ``openaudit.yamlutil.load_file`` reads a bundled file's data from it instead of parsing the
YAML (about 1 ms instead of 50). Editable installs get no bundle and parse the YAML, so edits show at once.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import yaml
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def build_bundle(rules: Path) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = {}
    for path in sorted(rules.rglob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            files[path.relative_to(rules).as_posix()] = yaml.load(fh, Loader=loader)  # noqa: S506 - a SafeLoader
    return {"format": 1, "files": files, **_derived(rules, files)}


def _derived(rules: Path, files: dict) -> dict:
    """What the runtime derives from the bundled data the same way every run, derived here by the code being
    built: the license catalog's fingerprint and exclude phrases normalized
    (``openaudit.licenses.textmatch.bundle_phrases``), the catalog's lookups (``catalog.lookup_keys``) and the
    published references' lookups (``references.reference_keys``)."""
    import sys

    src = str(Path(rules).resolve().parent / "src")
    sys.path.insert(0, src)
    try:
        from openaudit.licenses import catalog, textmatch
        from openaudit.standards import references
    finally:
        sys.path.remove(src)
    phrases: list[str] = []
    for key, data in files.items():
        if key.startswith("licenses/") and isinstance(data, dict):
            for field in ("fingerprints", "exclude"):
                value = data.get(field)
                for p in [value] if isinstance(value, str) else value if isinstance(value, list) else []:
                    if isinstance(p, (str, int, float)):
                        phrases.append(str(p))
    return {
        textmatch.BUNDLE_PHRASES_KEY: textmatch.bundle_phrases(phrases),
        catalog.BUNDLE_KEYS_KEY: catalog.lookup_keys(catalog.load_entries(rules / "licenses")),
        references.BUNDLE_KEYS_KEY: references.reference_keys(str(rules / "references")),
    }


class BundleHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        bundle = build_bundle(Path(self.root) / "rules")
        fd, name = tempfile.mkstemp(prefix="openaudit-bundle-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(bundle, fh, ensure_ascii=True, separators=(",", ":"))
        self._tmp = name
        build_data["force_include"][name] = "openaudit/_bundle.json"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp:
            os.unlink(tmp)
