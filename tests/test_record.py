"""openaudit.record: the shared repr/==/hash of the package's dataclasses behave as the ones @dataclass generates,
and every dataclass of the package is declared so that @dataclass compiles no method it does not need at import
(issue 18: start-up)."""

from __future__ import annotations

import ast
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from openaudit.markdown import CodeBlock, Heading
from openaudit.model import Citation, OsaidRequirement, Violation
from openaudit.record import FrozenRecord, Record

PKG = Path(__file__).resolve().parent.parent / "src" / "openaudit"


# The same classes twice: with the methods @dataclass generates, and with the shared ones.
@dataclass
class PlainGen:
    a: int
    b: list[str] = field(default_factory=list)
    hidden: str = field(default="h", repr=False)
    ignored: int = field(default=0, compare=False)


@dataclass(eq=False, repr=False)
class PlainRec(Record):
    a: int
    b: list[str] = field(default_factory=list)
    hidden: str = field(default="h", repr=False)
    ignored: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FrozenGen:
    a: int
    b: tuple[str, ...] = ()
    ignored: int = field(default=0, compare=False)


@dataclass(frozen=True, eq=False, repr=False)
class FrozenRec(FrozenRecord):
    a: int
    b: tuple[str, ...] = ()
    ignored: int = field(default=0, compare=False)


def _shown(obj: object) -> str:
    return repr(obj).split("(", 1)[1]


@pytest.mark.parametrize(("gen", "rec"), [(PlainGen, PlainRec), (FrozenGen, FrozenRec)])
def test_repr_and_equality_are_those_of_dataclass(gen, rec):
    args = [(1,), (1, ("x",)), (2, ("x",))]
    for a in args:
        assert _shown(gen(*a)) == _shown(rec(*a))
        assert repr(rec(*a)).startswith(rec.__qualname__ + "(")
    for a in args:
        for b in args:
            assert (gen(*a) == gen(*b)) == (rec(*a) == rec(*b)), (a, b)
            assert (gen(*a) != gen(*b)) == (rec(*a) != rec(*b)), (a, b)
    assert rec(1, (), ignored=0) == rec(1, (), ignored=9)  # a compare=False field is not compared
    assert rec(1) != gen(1)  # another class is never equal (NotImplemented both ways)
    assert rec(1) != (1, ())


def test_a_subclass_instance_is_not_equal_to_its_base():
    @dataclass(frozen=True, eq=False, repr=False)
    class Sub(FrozenRec):
        pass

    assert Sub(1) != FrozenRec(1)
    assert FrozenRec(1) != Sub(1)


def test_frozen_records_hash_by_value_and_mutable_ones_are_unhashable():
    assert hash(FrozenRec(1, ("x",))) == hash(FrozenRec(1, ("x",)))
    assert len({FrozenRec(1), FrozenRec(1), FrozenRec(2)}) == 2
    assert hash(FrozenRec(1)) == hash(FrozenRec(1, (), ignored=7))  # compare=False fields are not hashed either
    with pytest.raises(TypeError):
        hash(PlainRec(1))
    with pytest.raises(TypeError):
        hash(Citation("file", "LICENSE", 3))


def test_the_results_keep_their_behaviour():
    req = OsaidRequirement("OSAID-W", "Weights", "pass", "open", (Citation("file", "LICENSE", 1),))
    assert req == OsaidRequirement("OSAID-W", "Weights", "pass", "open", (Citation("file", "LICENSE", 1),))
    assert req != OsaidRequirement("OSAID-W", "Weights", "fail", "open", (Citation("file", "LICENSE", 1),))
    assert {Violation("r", "m"), Violation("r", "m")} == {Violation("r", "m")}
    assert repr(Violation("r", "m")) == "Violation(rule='r', message='m')"
    with pytest.raises(AttributeError):
        req.status = "fail"  # type: ignore[misc]  # frozen stays frozen
    # Citation's focus is an InitVar, not a field: neither shown nor compared
    assert Citation("file", "A", 1, "t", focus=3) == Citation("file", "A", 1, "t", focus=9)
    assert repr(Citation("file", "A", 1)) == "Citation(source='file', file='A', line=1, text=None)"


def test_slotted_records_keep_their_slots_and_pickle():
    block = CodeBlock(3, 9, "python")
    assert not hasattr(block, "__dict__")
    assert pickle.loads(pickle.dumps(block)) == block
    head = Heading(1, 1, "T", "T", False, ("T",), 2, 5)
    assert not hasattr(head, "__dict__")
    assert head == Heading(1, 1, "T", "T", False, ("T",), 2, 5)


def _dataclasses() -> list[tuple[str, ast.ClassDef, ast.expr]]:
    out = []
    for path in sorted(PKG.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                for dec in node.decorator_list:
                    target = dec.func if isinstance(dec, ast.Call) else dec
                    if isinstance(target, ast.Name) and target.id == "dataclass":
                        out.append((f"{path.relative_to(PKG)}:{node.lineno} {node.name}", node, dec))
    return out


def test_every_dataclass_derives_from_record_and_has_a_docstring():
    """@dataclass compiles no __repr__/__eq__/__hash__ (the Record bases give them), and a docstring spares it
    making one with inspect.signature: both cost start-up time for every class created."""
    found = _dataclasses()
    assert len(found) > 50
    bad = []
    for where, node, dec in found:
        kws = {k.arg: ast.unparse(k.value) for k in dec.keywords} if isinstance(dec, ast.Call) else {}
        frozen = kws.get("frozen") == "True"
        bases = [ast.unparse(b) for b in node.bases]
        want = "FrozenRecord" if frozen else "Record"
        if kws.get("eq") != "False" or kws.get("repr") != "False" or want not in bases:
            bad.append(f"{where}: declare it @dataclass(..., eq=False, repr=False) deriving from {want}")
        if ast.get_docstring(node) is None:
            bad.append(f"{where}: no docstring")
    assert not bad, "\n".join(bad)
