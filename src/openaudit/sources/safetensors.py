"""A safetensors file's ``__metadata__`` (its header only, bounded; the tensors are never read).

The file starts with an 8-byte little-endian length N and N bytes of JSON: the tensor table and, optionally,
``"__metadata__": {str: str}``. Writers put ``__metadata__`` first, so we read at most ``MAX_HEAD`` bytes and
decode just that object; a header whose ``__metadata__`` is not first is parsed whole only when N is at most
``MAX_HEADER`` bytes. Keys read: ``license`` and ``modelspec.license`` (the ModelSpec convention of image
models), ``modelspec.title``/``name``, ``base_model``/``modelspec.base_model``.

``check FILE.safetensors`` audits the file alone (card: the ``__metadata__``); in a model directory or a
cached snapshot a license found there is a weak signal (the tag ``license:<value>``, used only when the card
declares none; the headers are not read when it declares one), said in the notes.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

from openaudit.errors import EvidenceUnavailable, UsageError
from openaudit.evidence import Evidence
from openaudit.sources.base import PathSource

MAX_HEAD = 1024 * 1024  # bytes read to find a leading __metadata__
MAX_HEADER = 16 * 1024 * 1024  # a header parsed whole (to find __metadata__ elsewhere) is at most this
MAX_VALUE = 4096
MAX_FILES = 8  # safetensors files of a directory whose __metadata__ is read
LICENSE_KEYS = ("license", "modelspec.license")
NAME_KEYS = ("modelspec.title", "name")
BASE_KEYS = ("base_model", "modelspec.base_model")


class SafetensorsError(EvidenceUnavailable):
    """The header could not be read (exit 3)."""


def read_metadata(path: Path) -> dict[str, str]:
    """The ``__metadata__`` mapping of a safetensors file ({} when it has none)."""
    where = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise SafetensorsError(f"{where}: not a safetensors file (shorter than its 8-byte header length)")
            (n,) = struct.unpack("<Q", head)
            size = path.stat().st_size
            if n < 2 or n > size - 8:
                raise SafetensorsError(f"{where}: not a readable safetensors header (claims {n} bytes, the file "
                                       f"has {max(0, size - 8)} after the length)")
            data = fh.read(min(n, MAX_HEAD))
    except OSError as exc:
        raise UsageError(f"{where}: cannot read: {exc.strerror or exc}") from None
    meta = _leading(data)
    if meta is None:
        if n > MAX_HEADER:
            raise SafetensorsError(f"{where}: header of {n} bytes, over the {MAX_HEADER}-byte bound, and "
                                   "__metadata__ is not at its start; not read")
        if n > len(data):
            with open(path, "rb") as fh:
                fh.seek(8)
                data = fh.read(n)
        try:
            whole = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise SafetensorsError(f"{where}: the safetensors header is not JSON") from None
        if not isinstance(whole, dict):
            raise SafetensorsError(f"{where}: the safetensors header is not a JSON object")
        meta = whole.get("__metadata__") or {}
    if not isinstance(meta, dict):
        return {}
    return {str(k)[:200]: v[:MAX_VALUE] for k, v in list(meta.items())[:1000] if isinstance(v, str)}


def _leading(data: bytes) -> dict[str, Any] | None:
    """``__metadata__`` when it is the header's first key (decoded alone), else None."""
    text = data.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return None
    rest = stripped[1:].lstrip()
    key = '"__metadata__"'
    if not rest.startswith(key):
        return None
    rest = rest[len(key):].lstrip()
    if not rest.startswith(":"):
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(rest[1:].lstrip())
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _first(meta: dict[str, str], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for k in keys:
        v = meta.get(k, "").strip()
        if v:
            return k, v
    return None


def card_metadata(meta: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if (lic := _first(meta, LICENSE_KEYS)) is not None:
        out["license"] = lic[1]
    if (name := _first(meta, NAME_KEYS)) is not None:
        out["model_name"] = name[1]
    if (base := _first(meta, BASE_KEYS)) is not None:
        out["base_model"] = base[1]
    return out


def add_directory_signals(ev: Evidence, files: list[tuple[str, Path]]) -> None:
    """Read ``__metadata__`` of up to MAX_FILES root safetensors files of a directory or snapshot; a license there
    becomes the weak tag ``license:<value>`` when the card declares no license (said in the notes)."""
    if ev.metadata.get("license") or any(t.lower().startswith("license:") for t in ev.tags):
        return  # the card declares a license: the weak signal would not be used, so the headers are not read
    names = [(n, p) for n, p in files if "/" not in n and n.lower().endswith(".safetensors")][:MAX_FILES]
    for name, path in names:
        try:
            meta = read_metadata(path)
        except (EvidenceUnavailable, UsageError) as exc:
            ev.notes.append(f"{name}: __metadata__ not read: {exc.message.split(': ', 1)[-1]}")
            continue
        lic = _first(meta, LICENSE_KEYS)
        if lic is None:
            continue
        ev.tags.append(f"license:{lic[1]}")
        ev.notes.append(f"{name} __metadata__ {lic[0]}: {lic[1]}: taken as the tag license:{lic[1]} "
                        "(the card declares no license)")
        return


class SafetensorsSource(PathSource):
    """A single ``.safetensors`` file: its ``__metadata__`` stands for the card."""

    kind = "safetensors"

    def fetch(self) -> Evidence:
        from openaudit.card import Card

        meta = read_metadata(self.path)
        name = self.path.name
        ev = Evidence(kind="local", id=str(self.path), offline=True)
        ev.card = Card(path=f"{name} (__metadata__)", metadata=card_metadata(meta))
        ev.siblings = [name]
        ev.notes.append(f"safetensors header read ({len(meta)} __metadata__ keys; tensors not read); no model "
                        "card: the __metadata__ stands for it" if meta else
                        "the safetensors header has no __metadata__: nothing declares a license")
        return ev
