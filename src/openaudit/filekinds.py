"""What a repository file is, from its name: the file-kind vocabulary (``rules/vocabulary/file-kinds.yaml``).

One definition of "weight file" for every reader: the facts (weights present), MOF (the model parameters), the
safety signals (pickle weights), the inventory (a model folder) and ``scan`` (a file name is not a Hub id). The
file is loaded through ``openaudit.yamlutil.load_file`` and checked against a small schema here; a malformed
file raises ``FileKindsError`` naming the file and the entry. Matching is on the base name, case-insensitive:
shell-style ``names`` patterns (``fnmatch``, compiled once into one plain ``re`` per kind) and ``suffixes``
(the longest wins, found by a dictionary look-up per dot of the name: linear in the name).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from msgspec import Struct

from openaudit.paths import rules_dir
from openaudit.yamlutil import load_file

__all__ = ["FileKind", "FileKinds", "FileKindsError", "classify", "load", "load_from", "pickle_files",
           "weight_files"]

LOADS = ("data", "pickle", "code")
MAX_NAME = 1000  # longer base names are not classified (nothing real is that long)


class FileKindsError(ValueError):
    """The file-kind vocabulary does not match its schema."""


class FileKind(Struct, frozen=True):
    """``kind``: weights, training_state or one of the vocabulary's other kinds; ``format`` (a weight format such
    as safetensors or pytorch) and ``loads`` (data, pickle or code) for weights and training state."""

    kind: str
    format: str | None = None
    loads: str | None = None

    @property
    def is_weights(self) -> bool:
        return self.kind == "weights"


class _Matcher(Struct, frozen=True):
    """One kind of file: the names (a pattern) and suffixes that make a file that kind."""

    name: str
    names: re.Pattern[str] | None
    suffixes: frozenset[str]


class FileKinds(Struct, frozen=True):
    """The file kinds vocabulary: weight formats, training state, and the matchers of each kind."""

    formats: dict[str, str]  # weight format -> what loading it does
    training_state: re.Pattern[str]
    weight_matchers: tuple[_Matcher, ...]
    kind_matchers: tuple[_Matcher, ...]
    descriptions: dict[str, str]

    @property
    def suffixes(self) -> frozenset[str]:
        """Every suffix of every kind (weights included)."""
        return frozenset(s for m in (*self.weight_matchers, *self.kind_matchers) for s in m.suffixes)

    def _match(self, matchers: tuple[_Matcher, ...], base: str) -> str | None:
        for m in matchers:
            if m.names is not None and m.names.fullmatch(base):
                return m.name
        dots = [i for i, c in enumerate(base) if c == "."]
        for i in dots:  # the longest suffix first
            ending = base[i:]
            for m in matchers:
                if ending in m.suffixes:
                    return m.name
        return None

    def classify(self, name: str) -> FileKind | None:
        base = str(name).replace("\\", "/").rsplit("/", 1)[-1].lower()
        if not base or len(base) > MAX_NAME:
            return None
        fmt = self._match(self.weight_matchers, base)
        if fmt is not None:
            kind = "training_state" if self.training_state.fullmatch(base) else "weights"
            return FileKind(kind, fmt, self.formats[fmt])
        other = self._match(self.kind_matchers, base)
        return FileKind(other) if other is not None else None


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FileKindsError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip().lower() for v in value)


def _names_pattern(globs: tuple[str, ...], where: str) -> re.Pattern[str] | None:
    if not globs:
        return None
    for g in globs:
        if "/" in g:
            raise FileKindsError(f"{where}: pattern {g!r} must be a base name (no '/')")
    return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs))


def _suffixes(value: Any, where: str) -> frozenset[str]:
    out = _strs(value, where)
    for s in out:
        if not re.fullmatch(r"\.[a-z0-9_.-]{1,20}", s):
            raise FileKindsError(f"{where}: suffix {s!r} must start with '.' and hold no spaces or '/'")
    return frozenset(out)


def _matcher(name: str, item: Any, where: str, extra: frozenset[str] = frozenset()) -> _Matcher:
    if not isinstance(item, dict):
        raise FileKindsError(f"{where}: expected a mapping")
    unknown = set(item) - {"names", "suffixes", "description"} - extra
    if unknown:
        raise FileKindsError(f"{where}: unknown keys {sorted(unknown)}")
    m = _Matcher(name, _names_pattern(_strs(item.get("names"), f"{where}.names"), f"{where}.names"),
                 _suffixes(item.get("suffixes"), f"{where}.suffixes"))
    if m.names is None and not m.suffixes:
        raise FileKindsError(f"{where}: needs `names` or `suffixes`")
    return m


def load_from(path: Path) -> FileKinds:
    """The vocabulary of ``path``, checked (``FileKindsError`` names the entry that is wrong)."""
    where = path.name
    try:
        data = load_file(path)
    except OSError as e:
        raise FileKindsError(f"cannot read the file-kind vocabulary: {e}") from None
    if not isinstance(data, dict):
        raise FileKindsError(f"{where}: expected a mapping")
    unknown = set(data) - {"training_state", "weights", "kinds"}
    if unknown:
        raise FileKindsError(f"{where}: unknown keys {sorted(unknown)}")
    ts = data.get("training_state")
    if not isinstance(ts, dict) or not ts.get("names"):
        raise FileKindsError(f"{where}: training_state needs `names`")
    ts_pattern = _names_pattern(_strs(ts.get("names"), f"{where}: training_state.names"),
                                f"{where}: training_state.names")
    assert ts_pattern is not None
    weights = data.get("weights")
    if not isinstance(weights, dict) or not weights:
        raise FileKindsError(f"{where}: `weights` must be a non-empty mapping of formats")
    formats: dict[str, str] = {}
    weight_matchers = []
    for fmt, item in weights.items():
        w = f"{where}: weights.{fmt}"
        weight_matchers.append(_matcher(str(fmt), item, w, frozenset({"loads"})))
        if item.get("loads") not in LOADS:
            raise FileKindsError(f"{w}: `loads` must be one of {', '.join(LOADS)}")
        formats[str(fmt)] = item["loads"]
    kinds = data.get("kinds")
    if not isinstance(kinds, dict) or not kinds:
        raise FileKindsError(f"{where}: `kinds` must be a non-empty mapping")
    descriptions = {"weights": "model parameters", "training_state": str(ts.get("description") or "")}
    kind_matchers = []
    for kind, item in kinds.items():
        w = f"{where}: kinds.{kind}"
        if kind in ("weights", "training_state"):
            raise FileKindsError(f"{w}: `{kind}` is reserved (see `weights` and `training_state`)")
        kind_matchers.append(_matcher(str(kind), item, w))
        if not isinstance(item.get("description"), str):
            raise FileKindsError(f"{w}: needs a `description`")
        descriptions[str(kind)] = item["description"]
    seen: dict[str, str] = {}
    for m in (*weight_matchers, *kind_matchers):
        for s in m.suffixes:
            if s in seen:
                raise FileKindsError(f"{where}: suffix {s} is claimed by both {seen[s]} and {m.name}")
            seen[s] = m.name
    return FileKinds(formats, ts_pattern, tuple(weight_matchers), tuple(kind_matchers), descriptions)


@lru_cache(maxsize=1)
def load() -> FileKinds:
    """The bundled vocabulary (``rules/vocabulary/file-kinds.yaml``)."""
    return load_from(rules_dir() / "vocabulary" / "file-kinds.yaml")


@lru_cache(maxsize=8192)
def classify(name: str) -> FileKind | None:
    """What the file ``name`` (a repository-relative path) is, or None when no kind claims it.

    >>> classify("model.tflite")
    FileKind(kind='weights', format='tflite', loads='data')
    >>> classify("optimizer.pt")
    FileKind(kind='training_state', format='pytorch', loads='pickle')
    """
    return load().classify(name)


def weight_files(names: Iterable[str]) -> list[str]:
    """The weight files among ``names`` (training state excluded), in order."""
    out = []
    for n in names:
        k = classify(n)
        if k is not None and k.kind == "weights":
            out.append(n)
    return out


def pickle_files(names: Iterable[str]) -> list[str]:
    """The files among ``names`` whose loading unpickles (weights and training state), in order."""
    out = []
    for n in names:
        k = classify(n)
        if k is not None and k.loads == "pickle":
            out.append(n)
    return out
