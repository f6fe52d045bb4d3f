"""A compiled cache of the bundled data (license catalog, rules, YAML configuration).

Parsing ~140 YAML files and validating them costs ~60 ms on every run; unpickling the result costs a few.
Each cached value lives in one file under the user cache directory (``$XDG_CACHE_HOME/openaudit``,
default ``~/.cache/openaudit``), named after what it holds, and records a key: the Python and openaudit
versions plus the path, size and modification time of every source file (the YAML files it was built
from and the modules that parse them). A cache file is used only when it loads cleanly, holds only
openaudit and standard-library objects, and its key equals the key of the files now on disk; anything
else (missing, stale, corrupt, truncated, written by another version) is ignored and rebuilt from the
YAML. Writing is best effort and atomic (temp file + rename): on a read-only or missing cache directory
openaudit parses the YAML every run, as it would without a cache. ``OPENAUDIT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from openaudit import __version__

try:  # the C pickler alone: importing pickle.py costs ~5 ms more
    from _pickle import HIGHEST_PROTOCOL, Unpickler, UnpicklingError, dumps
except ImportError:  # pragma: no cover - not CPython
    from pickle import HIGHEST_PROTOCOL, Unpickler, UnpicklingError, dumps

T = TypeVar("T")
_FORMAT = 1  # bump when the layout of cache files changes

# What a cache file may contain: plain data and openaudit's own dataclasses.
_SAFE_BUILTINS = {"set", "frozenset", "list", "dict", "tuple", "str", "int", "float", "bool", "bytes",
                  "complex", "slice", "range", "getattr"}
_SAFE_MODULES = {"datetime", "collections", "decimal"}


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/openaudit`` (an absolute XDG_CACHE_HOME only, per the spec), else ~/.cache/openaudit."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "openaudit"


def enabled() -> bool:
    return os.environ.get("OPENAUDIT_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def _stat_key(paths: Iterable[Path]) -> list[tuple[str, int, int]]:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            out.append((str(p), -1, -1))
            continue
        out.append((str(p), st.st_size, st.st_mtime_ns))
    return out


def source_key(files: Iterable[Path]) -> str:
    """What a cached value was built from: the versions, and each file's path, size and mtime (compared
    whole, not hashed: importing hashlib would cost more than comparing ~15 kB)."""
    return repr((_FORMAT, __version__, sys.version, HIGHEST_PROTOCOL, _stat_key(files)))


class _Unpickler(Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module == "builtins" and name in _SAFE_BUILTINS) or module in _SAFE_MODULES or \
                module == "openaudit" or module.startswith("openaudit."):
            return super().find_class(module, name)
        raise UnpicklingError(f"{module}.{name} is not allowed in a cache file")


def read_file(path: Path, key: str) -> tuple[bool, Any]:
    """(True, value) of a cache file written with ``key``; (False, None) if missing, corrupt or stale."""
    return _read(path, key)


def write_file(path: Path, key: str, value: Any) -> None:
    """Write a cache file atomically; never raises."""
    _write(path, key, value)


def _read(path: Path, key: str) -> tuple[bool, Any]:
    try:
        data = path.read_bytes()
    except OSError:
        return False, None
    try:
        obj = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # corrupt, truncated, from another version: never trusted
        return False, None
    if not isinstance(obj, dict) or obj.get("format") != _FORMAT or obj.get("key") != key or "value" not in obj:
        return False, None
    return True, obj["value"]


def _write(path: Path, key: str, value: Any) -> None:
    import tempfile  # only when writing (importing it costs a few ms)

    try:
        blob = dumps({"format": _FORMAT, "key": key, "value": value}, protocol=HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except Exception:  # read-only, full disk, unpicklable value: run without a cache
        pass


def cached(name: str, files: Iterable[Path], build: Callable[[], T]) -> T:
    """``build()``, or the value cached under ``name`` if it was built from the same ``files`` (the data files
    and the modules that parse them). Errors raised by ``build`` propagate and nothing is cached."""
    if not enabled():
        return build()
    key = source_key(files)
    path = cache_dir() / f"{name}.pickle"
    ok, value = _read(path, key)
    if ok:
        return value
    value = build()
    _write(path, key, value)
    return value


def yaml_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` files of a directory (sorted), for a cache key."""
    try:
        return sorted(directory.glob("*.yaml"))
    except OSError:
        return []
