"""The rule engine: operators, validation of rule files, templating, and the bundled rules' docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from openaudit.engine.operators import RuleError, evaluate, resolve, validate
from openaudit.engine.rules import RuleSet, load_rule_file, load_rules_from, load_ruleset, render_message

DOC = {
    "license": {"id": "llama3.1", "osi_approved": False, "known": True},
    "context": {"mau": 800e6, "regions": ["DE", "EU"], "commercial": True},
    "restrictions": [{"kind": "user_cap", "mau_cap": 700e6, "territories": []},
                     {"kind": "territory", "mau_cap": None, "territories": ["EU", "GB", "KR"]}],
    "empty": [],
}


@pytest.mark.parametrize("cond, expected", [
    ({"path": "license.id", "equals": "LLAMA3.1"}, True),
    ({"path": "license.id", "not_equals": "mit"}, True),
    ({"path": "license.id", "in": ["mit", "llama3.1"]}, True),
    ({"path": "license.id", "glob": "llama*"}, True),
    ({"path": "license.id", "matches": r"^llama\d"}, True),
    ({"path": "license.osi_approved", "is_false": True}, True),
    ({"path": "license.osi_approved", "is_true": True}, False),
    ({"path": "license.nope", "exists": True}, False),
    ({"path": "empty", "exists": False}, True),
    ({"path": "context.regions", "contains": "eu"}, True),
    ({"path": "context.regions", "intersects": ["FR", "DE"]}, True),
    ({"path": "context.regions", "intersects": ["US"]}, False),
    ({"path": "context.mau", "gt": {"path": "restrictions.0.mau_cap"}}, True),
    ({"path": "context.mau", "lt": {"path": "restrictions.0.mau_cap"}}, False),
    ({"path": "context.mau", "gt": {"path": "restrictions.1.mau_cap"}}, False),  # null cap never compares
    ({"path": "context.mau", "gte": 800e6}, True),
    ({"path": "context.mau", "lte": "800000000"}, False),  # strings are not numbers
    ({"all": [{"path": "license.known", "is_true": True}, {"not": {"path": "license.id", "equals": "mit"}}]}, True),
    ({"any": [{"path": "license.id", "equals": "mit"}, {"path": "license.id", "equals": "apache-2.0"}]}, False),
])
def test_operators(cond, expected):
    validate(cond, "test")
    assert evaluate(cond, DOC) is expected


@pytest.mark.parametrize("cond, message", [
    ({"path": "license.id", "eval": "__import__('os')"}, "exactly one operator"),
    ({"path": "license.id"}, "exactly one operator"),
    ({"path": "license.id", "equals": 1, "in": [1]}, "exactly one operator"),
    ({"equals": "x"}, "needs 'path'"),
    ({"all": []}, "non-empty list"),
    ({"all": [{"path": "a", "equals": 1}], "any": []}, "must stand alone"),
    ({"path": "a", "matches": "("}, "invalid regular expression"),
    ("license.id == 'x'", "non-empty mapping"),
])
def test_invalid_conditions_are_rejected_with_the_place(cond, message):
    with pytest.raises(RuleError, match=message) as exc:
        validate(cond, "my.yaml: OA999: when")
    assert "my.yaml: OA999" in str(exc.value)


def test_resolve_paths_into_lists_and_missing():
    assert resolve(DOC, "restrictions.1.territories.2") == "KR"
    assert resolve(DOC, "restrictions.5.kind").__class__ is object
    assert resolve(DOC, "license.id.deeper").__class__ is object


def test_message_templates_never_evaluate_code():
    doc = {"a": {"n": 700e6, "s": "{b}", "l": ["EU", "GB"]}, "b": "leaked"}
    assert render_message("cap {a.n|num} {a.l|list} {a.s} {missing.key} {__class__}", doc) == \
        "cap 700M EU, GB {b} ? ?"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "custom.yaml"
    p.write_text(text)
    return p


GOOD_RULE = """
rules:
  - code: OA990
    title: Custom rule
    severity: warning
    standard: In-house
    when: {path: license.id, glob: "llama*"}
    message: "{license.id} needs legal review"
    evidence: license.citation
    docs: {what: a, why: b, fix: c}
"""


def test_user_rule_file_loads_and_runs(tmp_path):
    rules = load_rule_file(_write(tmp_path, GOOD_RULE))
    assert rules and rules[0].code == "OA990"
    findings = RuleSet(rules).run({"license": {"id": "llama3.1", "citation": {"source": "metadata", "file": "README.md",
                                                                             "line": 3, "text": "license: llama3.1"}}})
    assert [(f.rule, f.message, f.evidence.line) for f in findings] == [("OA990", "llama3.1 needs legal review", 3)]
    assert RuleSet(rules).run({"license": {"id": "mit"}}) == []


@pytest.mark.parametrize("mutation, message", [
    (("code: OA990", "code: X1"), "'code' must look like OA123"),
    (("severity: warning", "severity: fatal"), "'severity' must be one of"),
    (("docs: {what: a, why: b, fix: c}", "docs: {what: a}"), "'docs' must have exactly"),
    (("    standard: In-house\n", ""), "'standard' is required"),
    (("    title: Custom rule\n", "    title: Custom rule\n    exec: rm -rf /\n"), "unknown key"),
    (("glob: \"llama*\"", "python: \"1+1\""), "exactly one operator"),
])
def test_bad_rule_files_are_rejected_clearly(tmp_path, mutation, message):
    with pytest.raises(RuleError, match=message) as exc:
        load_rule_file(_write(tmp_path, GOOD_RULE.replace(*mutation)))
    assert "custom.yaml" in str(exc.value)


def test_duplicate_codes_are_rejected(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD_RULE)
    (tmp_path / "b.yaml").write_text(GOOD_RULE)
    with pytest.raises(RuleError, match="duplicate rule code OA990"):
        RuleSet(load_rules_from(tmp_path))


def test_data_yaml_files_are_not_rules(tmp_path):
    assert load_rule_file(_write(tmp_path, "bands: {A: 90}\n")) is None


def test_every_bundled_rule_has_docs_and_a_unique_code():
    rules = list(load_ruleset())
    assert len(rules) >= 25
    prefixes = {r.code[:3] for r in rules}
    assert {"OA1", "OA2", "OA9"} <= prefixes
    for r in rules:
        assert len(r.docs["what"]) > 20 and r.docs["why"] and r.docs["fix"], r.code
        assert r.title and r.standard and r.message
