"""A compiled cache of the bundled data (license catalog, rules, YAML configuration).

Parsing ~140 YAML files and validating them costs ~60 ms on every run; loading the result from the cache
costs a few. Each cached value lives in one file under the user cache directory (``$XDG_CACHE_HOME/openaudit``,
default ``~/.cache/openaudit``), named after what it holds.

Invalidation is by content: the file records a key made of the Python and openaudit versions and a BLAKE2
hash of the *contents* of every source file (the YAML files the value was built from and the modules that
parse them); the value is used only when that key equals the key of the files now on disk. So editing,
adding or removing a YAML file, or upgrading openaudit, rebuilds it; timestamps play no part.

No pickle: a cache file is ``marshal`` data (plain strings, numbers, lists, dicts, tuples, sets) written by
``encode`` below, preceded by a magic line and a BLAKE2 digest of the payload. ``marshal`` builds values,
never calls anything, and a file whose digest does not match (truncated, corrupted, hand-edited) is not even
passed to it. Our own objects (the catalog's dataclasses) are stored as a class name and a field dict; on
load the class is looked up only among openaudit classes already imported, instances are made with
``object.__new__`` and their ``__dict__`` filled: no constructor, ``__reduce__`` or other code of the file's
choosing runs. The loaded value must also be an instance of the type the caller expects. Anything else
(missing, stale, corrupt, from another version, unreadable directory) is ignored and rebuilt from the YAML.

Writing is best effort and atomic (temp file + rename): on a read-only, missing or full cache directory
openaudit parses the YAML every run, as it would without a cache. ``OPENAUDIT_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from openaudit import __version__

T = TypeVar("T")
_FORMAT = 2  # bump when the layout of cache files changes
_MAGIC = b"openaudit-cache %d\n" % _FORMAT
_DIGEST = 32
_MARSHAL_VERSION = 4
_SCALARS = (str, int, float, bool, bytes, type(None))
MAX_CACHE_BYTES = 16 << 20  # a cache file larger than this is not ours


class CacheFormatError(ValueError):
    """A value that cannot be stored, or a payload that is not a valid cache record."""


def _blake2b(data: bytes = b"") -> Any:
    try:  # the builtin module: importing hashlib costs ~1.5 ms more
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - not CPython
        from hashlib import blake2b
    return blake2b(data, digest_size=_DIGEST)


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/openaudit`` (an absolute XDG_CACHE_HOME only, per the spec), else ~/.cache/openaudit."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "openaudit"


def enabled() -> bool:
    return os.environ.get("OPENAUDIT_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def source_key(files: Iterable[Path]) -> str:
    """What a cached value was built from: the versions, and a BLAKE2 hash of each file's path and content
    (a missing or unreadable file hashes as such, so it appearing later changes the key)."""
    h = _blake2b()
    for p in files:
        name = os.fsencode(str(p))
        h.update(len(name).to_bytes(8, "little") + name)
        try:
            fd = os.open(p, os.O_RDONLY)
            try:
                size = os.fstat(fd).st_size
                chunks = []
                while True:  # os.read, not open(): ~30% faster on ~140 small files
                    chunk = os.read(fd, max(size + 1, 1 << 16))
                    if not chunk:
                        break
                    chunks.append(chunk)
            finally:
                os.close(fd)
        except OSError:
            h.update(b"\xff" * 8)
            continue
        data = b"".join(chunks)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return repr((_FORMAT, __version__, sys.version, h.hexdigest()))


# --- encoding of values into marshal-able data -------------------------------------------------------------
# node := scalar | ("P", plain data, used as is) | ("R", index of an object) | ("L", [node]) | ("T", (node,))
#       | ("D", [(node, node)]) | ("S", [node]) | ("F", [node])
# object := (class key "module:qualname", {field: plain value}, [(field, node)])


def _is_plain(value: Any, depth: int = 0) -> bool:
    t = type(value)
    if t in _SCALARS:
        return True
    if depth > 50:
        return False
    if t is list or t is tuple or t is set or t is frozenset:
        return all(_is_plain(v, depth + 1) for v in value)
    if t is dict:
        return all(_is_plain(k, depth + 1) and _is_plain(v, depth + 1) for k, v in value.items())
    return False


class _Encoder:
    def __init__(self) -> None:
        self.objects: list[Any] = []
        self.index: dict[int, int] = {}
        self.keep: list[Any] = []  # keep encoded objects alive so their ids stay unique

    def node(self, value: Any) -> Any:
        t = type(value)
        if t in _SCALARS:
            return value
        if _is_plain(value):
            return ("P", value)
        if t is list:
            return ("L", [self.node(v) for v in value])
        if t is tuple:
            return ("T", tuple(self.node(v) for v in value))
        if t is dict:
            return ("D", [(self.node(k), self.node(v)) for k, v in value.items()])
        if t is set or t is frozenset:
            return ("S" if t is set else "F", [self.node(v) for v in value])
        return ("R", self.obj(value))

    def obj(self, value: Any) -> int:
        i = self.index.get(id(value))
        if i is not None:
            return i
        cls = type(value)
        if not cls.__module__.startswith("openaudit.") or "." in cls.__qualname__:
            raise CacheFormatError(f"cannot cache a {cls.__module__}.{cls.__qualname__}")
        state = getattr(value, "__dict__", None)
        if not isinstance(state, dict) or getattr(cls, "__slots__", None):
            raise CacheFormatError(f"cannot cache a {cls.__qualname__} (no instance dict)")
        i = len(self.objects)
        self.index[id(value)] = i
        self.keep.append(value)
        self.objects.append(None)
        fields = getattr(cls, "_cache_fields", None)  # a class may store less and rebuild the rest
        if fields is not None:
            state = {k: state[k] for k in fields}
        plain = {}
        refs = []
        for k, v in state.items():
            if type(k) is not str:
                raise CacheFormatError(f"cannot cache a {cls.__qualname__} (attribute {k!r})")
            if _is_plain(v):
                plain[k] = v
            else:
                refs.append((k, self.node(v)))
        self.objects[i] = (f"{cls.__module__}:{cls.__qualname__}", plain, refs)
        return i


def encode(value: Any) -> bytes:
    """``value`` (plain data and openaudit objects with an instance dict) as marshal bytes."""
    enc = _Encoder()
    root = enc.node(value)
    return marshal.dumps((_FORMAT, enc.objects, root), _MARSHAL_VERSION)


def _class(key: Any) -> type:
    if type(key) is not str or ":" not in key:
        raise CacheFormatError("bad class key")
    module, name = key.split(":", 1)
    mod = sys.modules.get(module)  # never imports anything
    if not module.startswith("openaudit.") or mod is None or not name.isidentifier():
        raise CacheFormatError(f"class {key} is not allowed in a cache file")
    cls = mod.__dict__.get(name)
    if not isinstance(cls, type) or cls.__module__ != module or issubclass(cls, BaseException) \
            or getattr(cls, "__slots__", None):
        raise CacheFormatError(f"class {key} is not allowed in a cache file")
    return cls


def decode(data: bytes) -> Any:
    """The value ``encode`` stored in ``data``; ``CacheFormatError`` (or another ValueError/TypeError) on any
    doubt. Only plain data and already-imported openaudit classes come out; no code of the data's runs."""
    rec = marshal.loads(data)
    if type(rec) is not tuple or len(rec) != 3 or rec[0] != _FORMAT or type(rec[1]) is not list:
        raise CacheFormatError("not a cache record")
    specs = rec[1]
    objs = []
    classes: dict[str, type] = {}
    for spec in specs:  # first make every object (references may point forward or form cycles)
        if type(spec) is not tuple or len(spec) != 3 or type(spec[1]) is not dict or type(spec[2]) is not list:
            raise CacheFormatError("bad object record")
        cls = classes.get(spec[0])
        if cls is None:
            cls = classes[spec[0]] = _class(spec[0])
        obj = object.__new__(cls)
        if not isinstance(getattr(obj, "__dict__", None), dict):
            raise CacheFormatError("bad object record")
        objs.append(obj)

    def node(n: Any) -> Any:
        t = type(n)
        if t in _SCALARS:
            return n
        if t is not tuple or len(n) != 2:
            raise CacheFormatError("bad node")
        tag, v = n
        if tag == "P":  # marshal made it: plain data (no objects of ours, nothing callable)
            return v
        if tag == "R" and type(v) is int and 0 <= v < len(objs):
            return objs[v]
        if tag == "L" and type(v) is list:
            return [node(x) for x in v]
        if tag == "T" and type(v) is tuple:
            return tuple(node(x) for x in v)
        if tag == "D" and type(v) is list:
            return {node(k): node(x) for k, x in v}
        if tag in ("S", "F") and type(v) is list:
            return (set if tag == "S" else frozenset)(node(x) for x in v)
        raise CacheFormatError("bad node")

    for obj, (_key, plain, refs) in zip(objs, specs, strict=True):
        if not all(type(k) is str for k in plain):
            raise CacheFormatError("bad attribute name")
        d = obj.__dict__
        d.update(plain)
        for item in refs:
            if type(item) is not tuple or len(item) != 2 or type(item[0]) is not str:
                raise CacheFormatError("bad attribute")
            d[item[0]] = node(item[1])
        rebuild = getattr(type(obj), "_from_cache", None)
        if rebuild is not None:  # our own classmethod, given the stored fields: the derived ones are recomputed
            built = rebuild(dict(d))
            if type(built) is not type(obj):
                raise CacheFormatError("bad rebuilt object")
            d.update(built.__dict__)
    return node(rec[2])


# --- files ---------------------------------------------------------------------------------------------------


def read_file(path: Path, key: str, expect: type | tuple[type, ...] = object) -> tuple[bool, Any]:
    """(True, value) of a cache file written with ``key`` holding an ``expect``; (False, None) if missing,
    corrupt, stale or of another type. Never raises."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read(MAX_CACHE_BYTES + 1)
    except (OSError, ValueError):
        return False, None
    if len(blob) > MAX_CACHE_BYTES or not blob.startswith(_MAGIC):
        return False, None
    start = len(_MAGIC) + _DIGEST
    body = blob[start:]
    if blob[len(_MAGIC):start] != _blake2b(body).digest():  # truncated or corrupted: never unmarshalled
        return False, None
    try:
        rec = marshal.loads(body)
        if type(rec) is not tuple or len(rec) != 2 or rec[0] != key or type(rec[1]) is not bytes:
            return False, None
        value = decode(rec[1])
    except Exception:  # corrupt, from another version: never trusted
        return False, None
    if not isinstance(value, expect):
        return False, None
    return True, value


def write_file(path: Path, key: str, value: Any) -> bool:
    """Write a cache file atomically; never raises. False if nothing was written (unwritable directory,
    a value that cannot be encoded)."""
    try:
        body = marshal.dumps((key, encode(value)), _MARSHAL_VERSION)
        blob = _MAGIC + _blake2b(body).digest() + body
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except Exception:  # read-only, full disk, a stale temp file, a value we cannot encode: run without a cache
        return False
    return True


def cached(name: str, files: Iterable[Path], build: Callable[[], T], expect: type | tuple[type, ...] = object,
           inputs: str = "") -> T:
    """``build()``, or the value cached under ``name`` if it was built from files with the same contents
    (the data files and the modules that parse them) and the same ``inputs`` (other data it is built from,
    hashed into the key) and is an ``expect``. Errors raised by ``build`` propagate and nothing is cached."""
    if not enabled():
        return build()
    key = source_key(files)
    if inputs:
        key = repr((key, _blake2b(inputs.encode("utf-8", "surrogatepass")).hexdigest()))
    path = cache_dir() / f"{name}.cache"
    ok, value = read_file(path, key, expect)
    if ok:
        return value
    value = build()
    write_file(path, key, value)
    return value


def yaml_files(directory: Path) -> list[Path]:
    """The ``*.yaml`` files of a directory (sorted), for a cache key."""
    try:  # os.listdir, not Path.glob: ~25x faster on ~140 files
        names = sorted(n for n in os.listdir(directory) if n.endswith(".yaml"))
    except OSError:
        return []
    return [directory / n for n in names]
