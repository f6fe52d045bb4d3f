"""Evidence from a GGUF file's header: the ``general.*`` metadata of the GGUF spec, never the tensors.

The reader is our own, small and bounded, rather than the ``gguf`` package (llama.cpp's reader): that one
pulls numpy, requests and tqdm and maps every tensor, where we need a few strings from the key/value section.
It reads GGUF v2 and v3 (little- or big-endian) through a read-only memory map, so skipping the tokenizer
arrays (hundreds of thousands of strings) costs their length prefixes, not a copy. Untrusted input: every
count and length is checked against the bytes left in the file before it is used, nested arrays are limited,
keys and kept strings must be UTF-8, and the whole walk has an element budget. A header that breaks any of
these is a ``GGUFError`` (exit 3: its evidence could not be read), one line, never a traceback.

Mapping to the card metadata the rest of the audit reads (``openaudit.card.Card`` without line numbers):
``general.license`` → ``license`` (a license *text* stored there, several lines or long, becomes a license
file ``<name>#general.license`` read like a LICENSE file), ``general.license.name`` → ``license_name``,
``general.license.link`` → ``license_link``, ``general.name`` → ``model_name``, ``general.tags`` → ``tags``,
``general.base_model.N.{repo_url,organization,name}`` and ``general.source.huggingface.repository`` →
``base_model`` (Hub URLs become Hub ids, so the lineage follows them).
"""

from __future__ import annotations

import mmap
import os
import re
import struct
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from openaudit.card import Card
from openaudit.errors import EvidenceUnavailable, UsageError
from openaudit.evidence import Evidence, SourceFile
from openaudit.sources.base import PathSource

MAGIC = b"GGUF"
MAX_KV = 65_536  # real files carry 20-60 keys
MAX_KEY_BYTES = 65_535
MAX_DEPTH = 4  # arrays of arrays nested deeper than this are refused
MAX_ELEMENTS = 16_000_000  # array elements walked in one header (a 256k vocabulary plus its merges is ~0.6M)
MAX_KEPT_STRING = 2 * 1024 * 1024  # a general.* string longer than this (a license text) is cut here
MAX_KEPT_BYTES = 8 * 1024 * 1024  # all kept general.* values together
MAX_KEPT_ARRAY = 1024  # elements kept of a general.* array (tags, languages)
MAX_BASES = 16
LICENSE_TEXT_MIN = 200  # a general.license value longer than this, or with a line break, is a license text

# type id -> (struct code, size); 8 string, 9 array
_SCALARS = {0: ("B", 1), 1: ("b", 1), 2: ("H", 2), 3: ("h", 2), 4: ("I", 4), 5: ("i", 4), 6: ("f", 4),
            7: ("?", 1), 10: ("Q", 8), 11: ("q", 8), 12: ("d", 8)}
_STRING, _ARRAY = 8, 9
_HUB_URL = re.compile(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<id>[^?#]+?)/?$", re.I)


class GGUFError(EvidenceUnavailable):
    """The GGUF header could not be read: truncated, malformed or beyond a bound (exit 3)."""


class GGUFHeader(Struct):
    """The header of a GGUF file: version, counts and the general.* metadata."""

    version: int
    tensor_count: int
    kv_count: int
    endian: str  # "little" | "big"
    metadata: dict[str, Any] = field(default_factory=dict)  # the general.* keys only
    keys: list[str] = field(default_factory=list)  # every key, in file order
    truncated_keys: list[str] = field(default_factory=list)  # kept values cut at a bound
    header_bytes: int = 0  # where the key/value section ends


class _Reader:
    def __init__(self, buf: Any, size: int, endian: str, where: str):
        self.buf, self.size, self.pos, self.where = buf, size, 0, where
        self.e = "<" if endian == "little" else ">"
        self.elements = 0
        self.kept = 0

    def fail(self, what: str) -> GGUFError:
        return GGUFError(f"{self.where}: not a readable GGUF header: {what}")

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.size:
            raise self.fail(f"truncated at byte {self.pos} ({what} needs {n} more bytes, the file has "
                            f"{max(0, self.size - self.pos)})")

    def scalar(self, code: str, size: int, what: str) -> Any:
        self.need(size, what)
        (v,) = struct.unpack_from(self.e + code, self.buf, self.pos)
        self.pos += size
        return v

    def u32(self, what: str) -> int:
        return self.scalar("I", 4, what)

    def u64(self, what: str) -> int:
        return self.scalar("Q", 8, what)

    def string(self, what: str, keep: bool, cap: int = MAX_KEPT_STRING) -> tuple[str | None, bool]:
        n = self.u64(what + " length")
        self.need(n, what)
        start = self.pos
        self.pos += n
        if not keep:
            return None, False
        take = min(n, cap, max(0, MAX_KEPT_BYTES - self.kept))
        self.kept += take
        raw = bytes(self.buf[start:start + take])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if take < n and exc.start >= take - 3:  # a multi-byte character cut by the cap: drop its start
                text = raw[:exc.start].decode("utf-8")
            else:
                raise self.fail(f"{what} is not UTF-8 text") from None
        return text, take < n

    def _skip_strings(self, count: int, what: str) -> None:
        unpack = struct.Struct(self.e + "Q").unpack_from
        buf, size, pos = self.buf, self.size, self.pos
        for i in range(count):
            if pos + 8 > size:
                self.pos = pos
                raise self.fail(f"truncated at byte {pos} (in {what}[{i}])")
            (n,) = unpack(buf, pos)
            pos += 8 + n
            if pos > size:
                raise self.fail(f"truncated: {what}[{i}] claims {n} bytes, more than the file holds")
        self.pos = pos

    def key(self, what: str) -> str:
        n = self.u64(what + " length")
        if n > MAX_KEY_BYTES:
            raise self.fail(f"{what} is {n} bytes long, more than {MAX_KEY_BYTES}")
        self.need(n, what)
        raw = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(f"{what} is not UTF-8 text") from None

    def value(self, vtype: int, what: str, keep: bool, depth: int = 0) -> tuple[Any, bool]:
        if vtype in _SCALARS:
            code, size = _SCALARS[vtype]
            v = self.scalar(code, size, what)
            return (v if keep else None), False
        if vtype == _STRING:
            return self.string(what, keep)
        if vtype != _ARRAY:
            raise self.fail(f"{what} has unknown value type {vtype}")
        if depth >= MAX_DEPTH:
            raise self.fail(f"{what} nests arrays deeper than {MAX_DEPTH}")
        etype = self.u32(what + " element type")
        count = self.u64(what + " element count")
        if etype in _SCALARS:
            size = _SCALARS[etype][1]
            if count > (self.size - self.pos) // size:
                raise self.fail(f"{what} claims {count} elements, more than the file holds")
            if not keep:
                self.pos += count * size
                return None, False
        elif etype == _STRING:
            if count > (self.size - self.pos) // 8:
                raise self.fail(f"{what} claims {count} strings, more than the file holds")
            if not keep:  # the tokenizer's vocabulary: walk the length prefixes in a tight loop
                self.elements += count
                if self.elements > MAX_ELEMENTS:
                    raise self.fail(f"more than {MAX_ELEMENTS} array elements in the header")
                self._skip_strings(count, what)
                return None, False
        elif etype == _ARRAY:
            if count > (self.size - self.pos) // 12:
                raise self.fail(f"{what} claims {count} arrays, more than the file holds")
        else:
            raise self.fail(f"{what} has unknown element type {etype}")
        self.elements += count
        if self.elements > MAX_ELEMENTS:
            raise self.fail(f"more than {MAX_ELEMENTS} array elements in the header")
        out: list[Any] = []
        cut = False
        for i in range(count):
            k = keep and i < MAX_KEPT_ARRAY
            v, c = self.value(etype, f"{what}[{i}]", k, depth + 1)
            if k:
                out.append(v)
                cut = cut or c
        return (out if keep else None), cut or (keep and count > MAX_KEPT_ARRAY)


def read_header(path: Path, where: str | None = None) -> GGUFHeader:
    """The header of the GGUF file at ``path`` (the general.* values kept, every other value skipped)."""
    where = where or str(path)
    try:
        if not path.is_file():
            raise UsageError(f"{where}: not a regular file")
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < 24:
                head = fh.read(4)
                if head != MAGIC:
                    raise GGUFError(f"{where}: not a GGUF file (no GGUF magic)")
                raise GGUFError(f"{where}: not a readable GGUF header: truncated at byte {size} "
                                "(the fixed header needs 24 bytes)")
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                return _parse(mm, size, where)
    except OSError as exc:
        raise UsageError(f"{where}: cannot read: {exc.strerror or exc}") from None


def _parse(buf: Any, size: int, where: str) -> GGUFHeader:
    if bytes(buf[:4]) != MAGIC:
        raise GGUFError(f"{where}: not a GGUF file (no GGUF magic)")
    (le,) = struct.unpack_from("<I", buf, 4)
    (be,) = struct.unpack_from(">I", buf, 4)
    endian = "little" if le in (2, 3) else "big" if be in (2, 3) else None
    if endian is None:
        version = le if le < 0x10000 else be
        if version == 1:
            raise GGUFError(f"{where}: GGUF version 1 is not supported (the llama.cpp format of 2023; "
                            "convert it with a current llama.cpp)")
        raise GGUFError(f"{where}: unsupported GGUF version {version}")
    r = _Reader(buf, size, endian, where)
    r.pos = 4
    version = r.u32("version")
    tensors = r.u64("tensor count")
    kv = r.u64("key/value count")
    if kv > MAX_KV:
        raise r.fail(f"{kv} keys, more than the {MAX_KV} this reader accepts")
    if tensors > size // 24:  # a tensor entry is at least 24 bytes
        raise r.fail(f"{tensors} tensors, more than the file could describe")
    h = GGUFHeader(version=version, tensor_count=tensors, kv_count=kv, endian=endian)
    for i in range(kv):
        key = r.key(f"key {i + 1} of {kv}")
        vtype = r.u32(f"type of {key!r}")
        keep = key.startswith("general.")
        value, cut = r.value(vtype, repr(key), keep)
        h.keys.append(key)
        if keep:
            h.metadata[key] = value
            if cut:
                h.truncated_keys.append(key)
    h.header_bytes = r.pos
    return h


def _text(v: Any) -> str | None:
    return v.strip() if isinstance(v, str) and v.strip() else None


def _hub_id(url: str) -> str | None:
    m = _HUB_URL.match(url.strip())
    return m.group("id") if m else None


def base_models(meta: dict[str, Any]) -> list[str]:
    """The base models the header names, as Hub ids where a Hub URL is given, else as written."""
    out: list[str] = []
    count = meta.get("general.base_model.count")
    n = count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0
    for i in range(min(n, MAX_BASES)):
        url = _text(meta.get(f"general.base_model.{i}.repo_url"))
        name = _text(meta.get(f"general.base_model.{i}.name"))
        org = _text(meta.get(f"general.base_model.{i}.organization"))
        value = (_hub_id(url) if url else None) or url or (f"{org}/{name}" if org and name else name)
        if value and value not in out:
            out.append(value)
    return out


def card_metadata(meta: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Card metadata from the header's general.* keys, and a license text stored in general.license (or None)."""
    out: dict[str, Any] = {}
    text = None
    lic = meta.get("general.license")
    if isinstance(lic, str) and lic.strip():
        if "\n" in lic.strip() or len(lic) > LICENSE_TEXT_MIN:
            text = lic
        else:
            out["license"] = lic.strip()
    for key, card_key in (("general.license.name", "license_name"), ("general.license.link", "license_link"),
                          ("general.name", "model_name")):
        v = _text(meta.get(key))
        if v:
            out[card_key] = v
    tags = meta.get("general.tags")
    if isinstance(tags, list):
        out["tags"] = [t for t in tags if isinstance(t, str)]
    bases = base_models(meta)
    source = _text(meta.get("general.source.huggingface.repository"))
    if source:
        source = _hub_id(source) or source
        if source not in bases:
            bases.append(source)
    if bases:
        out["base_model"] = bases
    return out, text


def evidence_from_header(h: GGUFHeader, *, kind: str, ident: str, name: str, label: str) -> Evidence:
    """Evidence of one model whose metadata is this header. ``name``: the file name citations use; ``label``:
    how the card is named (``x.gguf (GGUF header)``)."""
    meta, text = card_metadata(h.metadata)
    ev = Evidence(kind=kind, id=ident, offline=True)
    ev.card = Card(path=label, metadata=meta)
    ev.siblings = [name]
    if text is not None:
        ev.files.append(SourceFile(name=f"{name}#general.license", role="license", text=text,
                                   truncated="general.license" in h.truncated_keys, size=len(text.encode())))
    tags = meta.get("tags")
    ev.tags = list(tags) if isinstance(tags, list) else []
    ev.notes.append(f"GGUF v{h.version} header read ({h.kv_count} keys, {h.tensor_count} tensors not read); "
                    "no model card: the header's general.* keys stand for it")
    if h.truncated_keys:
        ev.notes.append("header values cut at the reader's bounds: " + ", ".join(h.truncated_keys[:8]))
    if not any(k in meta for k in ("license", "license_name", "license_link")) and text is None:
        ev.notes.append("the GGUF header declares no license (general.license)")
    return ev


class GGUFSource(PathSource):
    """A single ``.gguf`` file."""

    kind = "gguf"

    def fetch(self) -> Evidence:
        h = read_header(self.path)
        name = self.path.name
        return evidence_from_header(h, kind="gguf", ident=str(self.path), name=name, label=f"{name} (GGUF header)")
