"""The base of the package's dataclasses: one ``__repr__``, ``__eq__`` and ``__hash__`` shared by all of them.

``@dataclass`` writes these methods for each class as source text and compiles it when the class is created,
one ``exec`` per method (Python 3.11). With ~80 dataclasses created by a local check, that was the largest
single cost of start-up (issue 18). So every dataclass is declared ``@dataclass(eq=False, repr=False)`` (plus
``frozen=True`` for the immutable results) and derives from :class:`Record` (mutable) or :class:`FrozenRecord`
(frozen), which give the same behaviour as the generated methods::

    @dataclass(frozen=True, eq=False, repr=False)
    class Violation(FrozenRecord):
        rule: str
        message: str

- ``repr``: ``Violation(rule='x', message='y')``, the fields declared with ``repr=True`` (the default);
- ``==``: equal when of the same class and equal in every field declared with ``compare=True`` (the default);
  another class gives ``NotImplemented``;
- ``hash``: a :class:`FrozenRecord` hashes the values it compares; a :class:`Record` is mutable, so, like a
  mutable dataclass with ``eq=True``, it is unhashable.

``tests/test_record.py`` checks these against what ``@dataclass`` itself generates, and that every dataclass of
the package is declared this way.
"""

from __future__ import annotations

from dataclasses import fields
from reprlib import recursive_repr
from typing import Any

__all__ = ["FrozenRecord", "Record"]


_NAMES: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _names(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of the fields of dataclass ``cls`` shown by repr, and compared by ``==`` (read once per class)."""
    got = _NAMES.get(cls)
    if got is None:
        fs = fields(cls)
        got = _NAMES[cls] = (tuple(f.name for f in fs if f.repr), tuple(f.name for f in fs if f.compare))
    return got


class Record:
    """Base of a mutable dataclass: ``repr`` and ``==`` by field, unhashable (see the module docstring)."""

    __slots__ = ()

    @recursive_repr()
    def __repr__(self) -> str:
        shown = _names(type(self))[0]
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in shown)})"

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in _names(type(self))[1])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()

    # No __hash__: a class that defines __eq__ and not __hash__ is unhashable (Python sets __hash__ to None), as a
    # mutable dataclass with eq=True is.


class FrozenRecord(Record):
    """Base of a frozen dataclass: :class:`Record`'s ``repr`` and ``==``, and hashable by the compared fields."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._compared())
