"""Loading openaudit's own YAML data (rules/, the license catalog, MOF and grade tables).

Safe loading only, with PyYAML's C loader when it is built (about 10x faster than the pure-Python one).
Untrusted YAML (model cards) goes through ``openaudit.card``'s budgeted loader instead."""

from __future__ import annotations

from typing import IO, Any


def load_data(source: str | IO[str]) -> Any:
    """Parse one bundled (or user-supplied rules/catalog) YAML document with a safe loader."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(source, Loader=loader)  # noqa: S506 - a SafeLoader
