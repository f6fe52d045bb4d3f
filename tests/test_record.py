"""The package's records are msgspec Structs (issue 18: start-up): the behaviour the code relies on (repr, == by
value, frozen results immutable and hashable, the JSON names and omitted keys of to_data, pickling) holds, and no
@dataclass comes back (each cost ~0.3 ms of start-up: its methods were written and compiled per class)."""

from __future__ import annotations

import ast
import copy
import pickle
from pathlib import Path

import pytest
from msgspec import Struct

from openaudit.markdown import CodeBlock, Heading
from openaudit.model import (
    Citation,
    EuAiActCompute,
    MofEvidence,
    MofStep,
    Obligation,
    OsaidRequirement,
    Restriction,
    Threshold,
    Violation,
    to_data,
)

PKG = Path(__file__).resolve().parent.parent / "src" / "openaudit"


def test_records_compare_by_value_and_show_their_fields():
    req = OsaidRequirement("OSAID-W", "Weights", "pass", "open", (Citation("file", "LICENSE", 1),))
    assert req == OsaidRequirement("OSAID-W", "Weights", "pass", "open", (Citation("file", "LICENSE", 1),))
    assert req != OsaidRequirement("OSAID-W", "Weights", "fail", "open", (Citation("file", "LICENSE", 1),))
    assert repr(Violation("r", "m")) == "Violation(rule='r', message='m')"
    assert Restriction("user_cap", "x", [Threshold(1.0, "monthly_active_users")]) == \
        Restriction("user_cap", "x", [Threshold(1.0, "monthly_active_users")])
    assert Violation("r", "m") != ("r", "m")  # another type is never equal


def test_frozen_records_are_immutable_and_hash_by_value_mutable_ones_are_unhashable():
    req = OsaidRequirement("OSAID-W", "Weights", "pass", "open")
    with pytest.raises(AttributeError):
        req.status = "fail"  # type: ignore[misc]
    assert {Violation("r", "m"), Violation("r", "m")} == {Violation("r", "m")}
    assert hash(MofStep(2, "x")) == hash(MofStep(2, "x"))
    with pytest.raises(TypeError):
        hash(Citation("file", "LICENSE", 3))
    cit = Citation("file", "LICENSE", 3)
    cit.line = 4  # a mutable record stays mutable
    assert cit.line == 4


def test_the_key_phrase_of_a_citation_is_not_in_the_json_and_survives_a_copy():
    a = Citation("file", "A", 1, "some text", key_at=3)
    assert to_data(a) == {"source": "file", "file": "A", "line": 1, "text": "some text"}
    assert copy.deepcopy(a).key_at == 3 and copy.copy(a).key_at == 3  # the text terms are deep-copied from a cache


def test_to_data_uses_the_contract_names_and_leaves_out_unset_optional_keys():
    assert to_data(MofStep(2, "x")) == {"class": 2, "label": "x", "needs": []}
    assert to_data(MofEvidence("README.md", 3)) == {"file": "README.md", "line": 3}
    assert to_data(MofEvidence("README.md", 3, "t")) == {"file": "README.md", "line": 3, "text": "t"}
    assert to_data(Obligation("53", "o")) == {"article": "53", "obligation": "o"}
    assert "ambiguous" not in to_data(EuAiActCompute(None, None, None, None, 1e25, None, None))
    assert to_data(EuAiActCompute(None, None, None, None, 1e25, None, None, ambiguous=True))["ambiguous"] is True


def test_records_pickle():
    block = CodeBlock(3, 9, "python")
    assert pickle.loads(pickle.dumps(block)) == block
    head = Heading(1, 1, "T", "T", False, ("T",), 2, 5)
    assert pickle.loads(pickle.dumps(head)) == head


def test_no_dataclass_in_the_package():
    found = []
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for dec in node.decorator_list:
                    target = dec.func if isinstance(dec, ast.Call) else dec
                    if (isinstance(target, ast.Name) and target.id == "dataclass") or \
                            (isinstance(target, ast.Attribute) and target.attr == "dataclass"):
                        found.append(f"{path.relative_to(PKG)}:{node.lineno} {node.name}")
    assert not found, "declare records as msgspec.Struct: " + ", ".join(found)
    assert issubclass(Citation, Struct) and issubclass(CodeBlock, Struct)
