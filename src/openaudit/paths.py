"""Where the bundled data lives: inside the wheel (openaudit/_rules) or in a source checkout (rules/)."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _data_dir(packaged: str, checkout: str) -> Path:
    inside = _HERE / packaged
    if inside.is_dir():
        return inside
    return _HERE.parents[1] / checkout


def rules_dir() -> Path:
    return _data_dir("_rules", "rules")


def schema_dir() -> Path:
    return _data_dir("_schema", "schema")
