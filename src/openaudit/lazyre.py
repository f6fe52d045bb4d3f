"""Regular expressions compiled on first use, and compiled once per machine rather than once per run.

The license reader and the standards assessor define a few hundred module-level patterns; compiling all
of them at import costs ~80 ms, while one audit uses only the detectors whose cheap substring gates
pass. ``compile`` returns a stand-in that compiles the pattern the first time any of its attributes is
used, then stores the compiled pattern's methods on itself, so later calls (``p.search(...)``) cost one
instance-dict lookup, the same as on a real ``re.Pattern``.

Compiling a pattern is parsing it and generating SRE code, both in pure Python (tens of microseconds to
milliseconds per pattern: PyYAML's reader alone compiles one that costs ~7 ms); building the pattern object
from that code is C and takes microseconds. So the generated code of every pattern compiled here is kept in
the user cache (``regex.cache`` beside the data cache, marshal data, see ``openaudit.datacache``), keyed by
the Python build and the SRE version, and reused by later runs. ``warm()`` (called by the CLI once typer has
dispatched, before the audit imports its modules) also puts the cached patterns that plain ``re.compile``
calls made during earlier runs (PyYAML's, openaudit's module-level ones and literal ``re.sub(r"...")``
patterns) into ``re``'s own cache, so those calls find them compiled. At exit the patterns compiled since
warm() are noted; one compiled in two runs is added (at most ``MAX_SEEDED``), so a pattern built from an
input seldom gets in. Nothing is written once the cache has everything a run compiles.
The C side validates the code it is given; on any doubt (other Python, unreadable or corrupt cache, a
pattern that does not round-trip exactly, an ``re`` without the expected cache) the pattern is compiled the
normal way. ``OPENAUDIT_NO_CACHE=1`` turns the cache off.
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
_seeded: dict[tuple[str, int], tuple] = {}  # module-level patterns of plain re calls, cached (see warm)
_modules_at_warm: set[str] | None = None  # modules imported before warm() (typer & co): not recorded
_keys_at_warm: set = set()  # re's cache when warm() ran
_pending: dict[tuple[str, int], int] = {}  # compiled by plain re calls in one earlier run (see _new_seeds)
MAX_PENDING = 400
_save_registered = False
MAX_SEEDED = 300  # module-level patterns kept (re's own cache holds 512)


def _sre_key() -> str:
    import _sre

    return repr(("regex-2", sys.version, sys.maxunicode, _sre.MAGIC, _sre.CODESIZE))


def _cache_path():
    from openaudit import datacache

    return datacache.cache_dir() / "regex.cache"


def _read_cache() -> tuple[dict, dict, dict]:
    """(lazy patterns, seeded patterns, pending patterns) from the cache file; empty on any doubt."""
    from openaudit import datacache

    try:
        if datacache.enabled():
            ok, value = datacache.read_file(_cache_path(), _sre_key(), dict)
            if ok and all(isinstance(value.get(k), dict) for k in ("lazy", "seed", "pending")):
                return value["lazy"], value["seed"], value["pending"]
    except Exception:
        pass
    return {}, {}, {}


def _load() -> dict[tuple[str, int], tuple]:
    global _codes
    if _codes is None:
        lazy, seed, pending = _read_cache()
        _seeded.update(seed)
        _pending.update(pending)
        _codes = lazy
    return _codes


def _writable() -> bool:
    """Whether the cache directory (or the first existing parent, where it would be made) is writable: on a
    read-only cache nothing is recorded, so no run pays for generating code it cannot keep."""
    import os

    from openaudit import datacache

    d = datacache.cache_dir()
    for p in (d, *d.parents):
        if os.path.exists(p):
            return os.path.isdir(p) and os.access(p, os.W_OK | os.X_OK)
    return False


def _register_save() -> None:
    global _save_registered
    if not _save_registered:
        _save_registered = True
        import atexit

        atexit.register(_at_exit)


def _at_exit() -> None:
    try:
        _save()
    except Exception:  # best effort: never a traceback at exit
        pass


def _save() -> None:
    """At exit: merge what this run compiled into the cache file (best effort)."""
    from openaudit import datacache

    seeds, pending_new = _new_seeds()
    with _lock:
        if not _new and not seeds and not pending_new:
            return
        new = dict(_new)
        _new.clear()
    lazy, seed, pending = _read_cache()
    lazy = dict(lazy)
    lazy.update(new)
    seed = dict(seed)
    for key, args in seeds.items():
        if len(seed) >= MAX_SEEDED:
            break
        seed[key] = args
    pending = {k: v for k, v in pending.items() if k not in seed}
    for key in pending_new:
        if len(pending) >= MAX_PENDING:
            break
        pending[key] = 1
    datacache.write_file(_cache_path(), _sre_key(), {"lazy": lazy, "seed": seed, "pending": pending})


def _re_cache() -> dict | None:
    cache = getattr(re, "_cache", None)  # CPython's cache of compiled patterns: {(type, pattern, flags): Pattern}
    return cache if isinstance(cache, dict) else None


def warm() -> None:
    """Put the module-level patterns that plain ``re`` calls compiled in earlier runs into ``re``'s cache, and
    note the modules imported from now on (their patterns are recorded at exit). Never raises; a no-op
    without the cache or on an ``re`` without the expected cache."""
    global _modules_at_warm
    try:
        from openaudit import datacache

        cache = _re_cache()
        if cache is None or not datacache.enabled() or _modules_at_warm is not None:
            return
        import _sre

        _load()
        _modules_at_warm = set(sys.modules)
        _keys_at_warm.update(cache)
        room = getattr(re, "_MAXCACHE", 512) - 64 - len(cache)
        for (pattern, flags), args in list(_seeded.items())[:max(0, room)]:
            key = (str, pattern, flags)
            if key not in cache:
                try:
                    cache[key] = _sre.compile(pattern, *args)
                except Exception:  # the C side rejected it: re compiles it the usual way when asked
                    continue
        if _can_record():
            _register_save()
    except Exception:
        return


def _new_seeds() -> tuple[dict[tuple[str, int], tuple], list[tuple[str, int]]]:
    """Patterns compiled by plain ``re`` calls since warm() and not cached yet: (those seen in an earlier run
    too, with their code: now seeded; those seen for the first time: pending). A pattern is seeded only once
    two runs compiled it, so the patterns of modules and functions (the same every run) get in, while one
    built from an input seldom does; either way at most ``MAX_SEEDED`` are kept."""
    cache = _re_cache()
    if cache is None or _modules_at_warm is None:
        return {}, []
    lazy = _codes or {}
    promote: dict[tuple[str, int], tuple] = {}
    pending: list[tuple[str, int]] = []
    for key, compiled in list(cache.items()):
        if key in _keys_at_warm or type(key) is not tuple or len(key) != 3 or key[0] is not str \
                or type(key[1]) is not str or type(key[2]) is not int or key[2] & re.DEBUG or len(key[1]) > 4000:
            continue
        short = (key[1], key[2])
        if short in _seeded or short in lazy or short in _new:
            continue
        if short not in _pending:
            pending.append(short)
        elif len(_seeded) + len(promote) < MAX_SEEDED:
            args = _code_of(short[0], short[1], compiled)
            if args is not None:
                promote[short] = args
    return promote, pending


def _code_of(pattern: str, flags: int, compiled: re.Pattern[str]) -> tuple | None:
    """The arguments ``_sre.compile`` needs after the pattern, if they rebuild ``compiled`` exactly."""
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]

        p = _parser.parse(pattern, flags)
        args = sre_args(p, flags, _compiler._code(p, flags))
        again = _sre.compile(pattern, *args)
        if again != compiled or again.groupindex != compiled.groupindex:
            return None
        return args
    except Exception:
        return None


def sre_args(parsed: Any, flags: int, code: list) -> tuple:
    """The arguments ``_sre.compile`` takes after the pattern, for a parsed pattern and the code generated for it."""
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    return (int(flags | parsed.state.flags), [int(c) for c in code], parsed.state.groups - 1, groupindex,
            tuple(indexgroup))


def from_args(pattern: str, args: tuple) -> re.Pattern[str] | None:
    """The pattern built from cached ``sre_args``; None if the C side rejects them (never trust a cache)."""
    try:
        import _sre

        return _sre.compile(pattern, *args)
    except Exception:
        return None


def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    from openaudit import datacache

    if not datacache.enabled():
        return re.compile(pattern, flags)
    key = (pattern, int(flags))
    args = _load().get(key)
    if args is not None:
        cached = from_args(pattern, args)
        if cached is not None:
            return cached
    compiled = re.compile(pattern, flags)
    if _can_record():
        args = _code_of(pattern, int(flags), compiled)
        if args is not None:
            with _lock:
                _new[key] = args
            _register_save()
    return compiled


_record: bool | None = None


def _can_record() -> bool:
    global _record
    if _record is None:
        try:
            _record = _writable()
        except Exception:
            _record = False
    return _record


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
