"""The closed operator vocabulary of rule conditions. Nothing from a rule file is ever evaluated as code.

A condition is a mapping with exactly one of:
  all: [cond, ...]          every sub-condition holds
  any: [cond, ...]          at least one holds
  not: cond                 the sub-condition does not hold
or a test on one value, ``{path: <dotted path>, <op>: <operand>}`` where op is one of:
  exists (true|false)       the value is present and not null/empty
  equals                    ==
  not_equals                !=
  in                        the value is one of a list
  contains                  a list value contains the operand
  intersects                a list value shares an element with a list operand
  gt, gte, lt, lte          numeric comparison (false when either side is not a number)
  matches                   the string value matches a regular expression (Python re.search, bounded input)
  glob                      the string value matches a shell-style glob (case-insensitive)
  is_true / is_false        the value is exactly true / false
An operand may be ``{path: <dotted path>}`` to compare with another fact (e.g. a cap from the license).
"""

from __future__ import annotations

import fnmatch
import operator
import re
from collections.abc import Callable
from typing import Any

from openaudit.errors import UsageError

_MISSING = object()


class RuleError(UsageError):
    """A rule file is malformed. The message names the file, the rule and the problem."""


def resolve(doc: Any, path: str) -> Any:
    """Value at a dotted path ('context.mau', 'item.thresholds.0.value'); _MISSING when absent."""
    cur = doc
    for part in path.split("."):
        if isinstance(cur, dict):
            if part not in cur:
                return _MISSING
            cur = cur[part]
        elif isinstance(cur, list) and part.lstrip("-").isdigit():
            i = int(part)
            if not -len(cur) <= i < len(cur):
                return _MISSING
            cur = cur[i]
        else:
            return _MISSING
    return cur


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or v is _MISSING or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    return None


def _compare(v: Any, o: Any, op: Callable[[float, float], bool]) -> bool:
    a, b = _num(v), _num(o)
    return a is not None and b is not None and op(a, b)


def _present(v: Any) -> bool:
    return v is not _MISSING and v is not None and v != [] and v != {} and v != ""


def _operand(value: Any, doc: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"path"}:
        return resolve(doc, str(value["path"]))
    return value


def _as_list(v: Any) -> list[Any]:
    if v is _MISSING or v is None:
        return []
    return v if isinstance(v, list) else [v]


def _ci(v: Any) -> Any:
    return v.lower() if isinstance(v, str) else v


VALUE_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "exists": lambda v, o: _present(v) == bool(o),
    "equals": lambda v, o: v is not _MISSING and _ci(v) == _ci(o),
    "not_equals": lambda v, o: v is _MISSING or _ci(v) != _ci(o),
    "in": lambda v, o: v is not _MISSING and _ci(v) in [_ci(x) for x in _as_list(o)],
    "contains": lambda v, o: _ci(o) in [_ci(x) for x in _as_list(v)],
    "intersects": lambda v, o: bool({_ci(x) for x in _as_list(v)} & {_ci(x) for x in _as_list(o)}),
    "gt": lambda v, o: _compare(v, o, operator.gt),
    "gte": lambda v, o: _compare(v, o, operator.ge),
    "lt": lambda v, o: _compare(v, o, operator.lt),
    "lte": lambda v, o: _compare(v, o, operator.le),
    "matches": lambda v, o: isinstance(v, str) and re.search(str(o), v[:10_000]) is not None,
    "glob": lambda v, o: isinstance(v, str) and fnmatch.fnmatchcase(v.lower(), str(o).lower()),
    "is_true": lambda v, o: (v is True) == bool(o),
    "is_false": lambda v, o: (v is False) == bool(o),
}
LOGIC_OPS = ("all", "any", "not")


def validate(cond: Any, where: str) -> None:
    """Reject anything outside the vocabulary, with the place it was found."""
    if not isinstance(cond, dict) or not cond:
        raise RuleError(f"{where}: a condition must be a non-empty mapping")
    logic = [k for k in cond if k in LOGIC_OPS]
    if logic:
        if len(cond) != 1:
            raise RuleError(f"{where}: '{logic[0]}' must stand alone in its mapping")
        key = logic[0]
        sub = cond[key]
        if key == "not":
            validate(sub, f"{where}.not")
        else:
            if not isinstance(sub, list) or not sub:
                raise RuleError(f"{where}.{key}: expected a non-empty list of conditions")
            for i, c in enumerate(sub):
                validate(c, f"{where}.{key}[{i}]")
        return
    if "path" not in cond or not isinstance(cond["path"], str):
        raise RuleError(f"{where}: a test needs 'path' (a dotted fact path) and one operator")
    ops = [k for k in cond if k != "path"]
    if len(ops) != 1 or ops[0] not in VALUE_OPS:
        raise RuleError(
            f"{where}: expected exactly one operator from {', '.join(sorted(VALUE_OPS))} or all/any/not, "
            f"got {ops or 'none'}"
        )
    if ops[0] == "matches":
        try:
            re.compile(str(cond["matches"]))
        except re.error as exc:
            raise RuleError(f"{where}: invalid regular expression: {exc}") from None


def evaluate(cond: dict[str, Any], doc: Any) -> bool:
    if "all" in cond:
        return all(evaluate(c, doc) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, doc) for c in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], doc)
    op = next(k for k in cond if k != "path")
    return bool(VALUE_OPS[op](resolve(doc, cond["path"]), _operand(cond[op], doc)))
