"""Regular expressions compiled on first use, and compiled once per machine rather than once per run.

The license reader and the standards assessor define a few hundred module-level patterns; compiling all
of them at import costs ~80 ms, while one audit uses only the detectors whose cheap substring gates
pass. ``compile`` returns a stand-in that compiles the pattern the first time any of its attributes is
used, then stores the compiled pattern's methods on itself, so later calls (``p.search(...)``) cost one
instance-dict lookup, the same as on a real ``re.Pattern``.

Compiling a pattern is parsing it and generating SRE code, both in pure Python (tens of microseconds to
milliseconds per pattern); building the pattern object from that code is C and takes microseconds. So the
generated code of every pattern compiled here is kept in the user cache (``regex.pickle`` beside the data
cache, see ``openaudit.datacache``), keyed by the Python build and the SRE version, and reused by later
runs. The C side validates the code it is given; on any doubt (other Python, unreadable or corrupt
cache, a pattern that does not round-trip exactly) the pattern is compiled the normal way.
``OPENAUDIT_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any

__all__ = ["LazyPattern", "compile"]

# Attributes copied onto the stand-in once compiled (everything else goes through __getattr__).
_FORWARD = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
            "pattern", "flags", "groups", "groupindex")

_lock = threading.Lock()
_codes: dict[tuple[str, int], tuple] | None = None  # (pattern, flags) -> arguments of _sre.compile after it
_new: dict[tuple[str, int], tuple] = {}  # compiled in this run and not in the cache file yet


def _sre_key() -> str:
    import _sre

    return repr(("regex-1", sys.version, sys.maxunicode, _sre.MAGIC, _sre.CODESIZE))


def _cache_path():
    from openaudit import datacache

    return datacache.cache_dir() / "regex.pickle"


def _load() -> dict[tuple[str, int], tuple]:
    global _codes
    if _codes is None:
        from openaudit import datacache

        codes: dict[tuple[str, int], tuple] = {}
        if datacache.enabled():
            try:
                ok, value = datacache.read_file(_cache_path(), _sre_key())
                if ok and isinstance(value, dict):
                    codes = value
            except Exception:
                codes = {}
        _codes = codes
    return _codes


def _save() -> None:
    """At exit: merge what this run compiled into the cache file (best effort)."""
    from openaudit import datacache

    with _lock:
        if not _new:
            return
        new = dict(_new)
        _new.clear()
    path, key = _cache_path(), _sre_key()
    ok, value = datacache.read_file(path, key)
    merged = dict(value) if ok and isinstance(value, dict) else {}
    merged.update(new)
    datacache.write_file(path, key, merged)


def _code_of(pattern: str, flags: int, compiled: re.Pattern[str]) -> tuple | None:
    """The arguments ``_sre.compile`` needs after the pattern, if they rebuild ``compiled`` exactly."""
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]

        p = _parser.parse(pattern, flags)
        code = _compiler._code(p, flags)
        groupindex = dict(p.state.groupdict)
        indexgroup = [None] * p.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k
        args = (int(flags | p.state.flags), [int(c) for c in code], p.state.groups - 1, groupindex, tuple(indexgroup))
        again = _sre.compile(pattern, *args)
        if again != compiled or again.groupindex != compiled.groupindex:
            return None
        return args
    except Exception:
        return None


def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    from openaudit import datacache

    if not datacache.enabled():
        return re.compile(pattern, flags)
    key = (pattern, int(flags))
    args = _load().get(key)
    if args is not None:
        try:
            import _sre

            return _sre.compile(pattern, *args)
        except Exception:  # never trust the cache: compile as usual
            pass
    compiled = re.compile(pattern, flags)
    args = _code_of(pattern, int(flags), compiled)
    if args is not None:
        with _lock:
            first = not _new
            _new[key] = args
        if first:
            import atexit

            atexit.register(_save)
    return compiled


class LazyPattern:
    """A ``re.Pattern`` compiled on first attribute access."""

    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)

    def compiled(self) -> re.Pattern[str]:
        """The real pattern (compiled now if it was not yet)."""
        p = self.__dict__.get("_compiled")
        if p is None:
            p = _compile(*self._args)
            d = self.__dict__
            for name in _FORWARD:
                d[name] = getattr(p, name)
            d["_compiled"] = p
        return p

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_args", "_compiled"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0]!r}, {self._args[1]!r})"


def compile(pattern: str, flags: int = 0) -> Any:  # noqa: A001 - mirrors re.compile
    """Like ``re.compile``, but compiled on first use. Typed ``Any`` so callers keep ``re.Pattern`` hints."""
    return LazyPattern(pattern, flags)
