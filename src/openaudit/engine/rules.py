"""Rules as data: loading, validation and evaluation over a facts document.

A rule file is a YAML mapping with a ``rules:`` list (see rules/README.md). Each rule has a stable
code (OA1xx license identity, OA2xx usage terms, OA3xx OSAID, OA4xx MOF/documentation, OA5xx lineage
and data, OA6xx safety, OA9xx policy), a title, a severity, the standard it encodes, a condition in the
closed operator vocabulary (engine/operators.py), a message template and docs (what / why / fix).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from msgspec import Struct, field

from openaudit.engine.operators import RuleError, evaluate, resolve, validate
from openaudit.licenses.numbers import short_amount
from openaudit.model import SEVERITIES, Citation, Finding
from openaudit.paths import rules_dir
from openaudit.yamlutil import load_file

_CODE = re.compile(r"^OA[0-9]{3}$")
_RULE_KEYS = {"code", "name", "title", "severity", "standard", "for_each", "when", "message", "evidence", "docs"}
_DOC_KEYS = {"what", "why", "fix"}
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)(?:\|([a-z]+))?\}")

class Rule(Struct):
    """One rule of the rule files: its code, severity, standard, message and ``when`` condition."""

    code: str
    name: str
    title: str
    severity: str
    standard: str
    message: str
    docs: dict[str, str]
    when: dict[str, Any] | None = None
    for_each: str | None = None
    evidence: str | None = None
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def human_number(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return short_amount(v)


def render_message(template: str, doc: Any) -> str:
    def sub(m: re.Match[str]) -> str:
        value = resolve(doc, m.group(1))
        if value is None or value.__class__ is object:
            return "?"
        if m.group(2) == "num":
            return human_number(value)
        if m.group(2) == "list" and isinstance(value, list):
            return ", ".join(str(x) for x in value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return _PLACEHOLDER.sub(sub, template)


def parse_rule(raw: Any, source: str, index: int) -> Rule:
    where = f"{source}: rules[{index}]"
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: a rule must be a mapping")
    code = raw.get("code")
    if isinstance(code, str):
        where = f"{source}: {code}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown key(s) {sorted(unknown)}")
    if not isinstance(code, str) or not _CODE.match(code):
        raise RuleError(f"{where}: 'code' must look like OA123")
    for key in ("title", "message", "standard"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise RuleError(f"{where}: '{key}' is required")
    if raw.get("severity") not in SEVERITIES:
        raise RuleError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}")
    docs = raw.get("docs")
    if not isinstance(docs, dict) or set(docs) != _DOC_KEYS or not all(isinstance(v, str) for v in docs.values()):
        raise RuleError(f"{where}: 'docs' must have exactly 'what', 'why' and 'fix' (strings)")
    when = raw.get("when")
    if when is not None:
        validate(when, f"{where}: when")
    for key in ("for_each", "evidence"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise RuleError(f"{where}: '{key}' must be a dotted fact path")
    return Rule(
        code=code,
        name=str(raw.get("name") or code),
        title=raw["title"].strip(),
        severity=raw["severity"],
        standard=raw["standard"].strip(),
        message=raw["message"].strip(),
        docs={k: " ".join(v.split()) for k, v in docs.items()},
        when=when,
        for_each=raw.get("for_each"),
        evidence=raw.get("evidence"),
        source=source,
    )


def load_rule_file(path: Path) -> list[Rule] | None:
    """Rules of one file, or None when the YAML file is data rather than rules (no ``rules:`` key)."""
    try:
        data = load_file(path)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot load rules: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or "rules" not in data:
        return None
    items = data["rules"]
    if not isinstance(items, list):
        raise RuleError(f"{path.name}: 'rules' must be a list")
    return [parse_rule(r, path.name, i) for i, r in enumerate(items)]


class RuleSet:
    def __init__(self, rules: list[Rule]):
        self.rules: dict[str, Rule] = {}
        for r in rules:
            if r.code in self.rules:
                raise RuleError(f"{r.source}: duplicate rule code {r.code} (also in {self.rules[r.code].source})")
            self.rules[r.code] = r

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self.rules.values(), key=lambda r: r.code))

    def get(self, code: str) -> Rule | None:
        return self.rules.get(code.upper())

    def run(self, facts: dict[str, Any], disabled: frozenset[str] = frozenset(),
            severity: dict[str, str] | None = None) -> list[Finding]:
        out: list[Finding] = []
        for rule in self:
            if rule.code in disabled:
                continue
            sev = (severity or {}).get(rule.code, rule.severity)
            items: list[Any] = [None]
            if rule.for_each:
                found = resolve(facts, rule.for_each)
                items = found if isinstance(found, list) else []
            for item in items:
                doc = facts if item is None else {**facts, "item": item}
                if rule.when is not None and not evaluate(rule.when, doc):
                    continue
                out.append(Finding(rule.code, sev, render_message(rule.message, doc), _citation(doc, rule.evidence)))
        return out


def _citation(doc: Any, path: str | None) -> Citation | None:
    if not path:
        return None
    value = resolve(doc, path)
    if not isinstance(value, dict) or "source" not in value:
        return None
    return Citation(source=str(value.get("source")), file=value.get("file"), line=value.get("line"),
                    text=value.get("text"))


def load_rules_from(directory: Path) -> list[Rule]:
    if not directory.is_dir():
        raise RuleError(f"rules directory not found: {directory}")
    rules: list[Rule] = []
    for path in sorted(directory.glob("*.yaml")):
        loaded = load_rule_file(path)
        if loaded:
            rules.extend(loaded)
    return rules


@lru_cache(maxsize=8)
def load_ruleset(extra_dirs: tuple[str, ...] = ()) -> RuleSet:
    rules = list(_bundled_rules())
    for d in extra_dirs:
        rules.extend(load_rules_from(Path(d)))
    return RuleSet(rules)


def _bundled_rules(directory: Path | None = None) -> list[Rule]:
    """The bundled rules (parsed at build time into the wheel's data bundle, see ``openaudit.yamlutil``)."""
    return load_rules_from(directory or rules_dir())
