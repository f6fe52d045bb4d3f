"""Evidence from Ollama's model store: ``ollama:NAME[:TAG]``, read from disk, never from Ollama's server.

The store is ``$OLLAMA_MODELS`` (default ``~/.ollama/models``): ``manifests/<registry>/<namespace>/<name>/<tag>``
is a JSON image manifest whose ``layers`` name content-addressed blobs ``blobs/sha256-<hex>``. We read:

* the license layers (``application/vnd.ollama.image.license``): each is a license file, cited by its own
  lines, named by its blob path; a text whose sha256 does not match its digest is said so;
* the model layer (``application/vnd.ollama.image.model``): its GGUF header only (``openaudit.sources.gguf``),
  which stands for the model card;
* for the official library (``registry.ollama.ai/library/NAME``), the upstream family of NAME from
  ``rules/sources/ollama.yaml``, given to the audit as the tag ``license:<id>``.

Untrusted input: names and tags are validated before they become paths, the manifest is size-capped JSON,
digests must be ``sha256:<64 hex>``, and a manifest or blob that resolves outside the store (a symlink) is
not read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from msgspec import Struct

from openaudit.errors import EvidenceUnavailable, UsageError
from openaudit.evidence import Evidence, SourceFile
from openaudit.sources.base import Source

DEFAULT_REGISTRY = "registry.ollama.ai"
DEFAULT_NAMESPACE = "library"
DEFAULT_TAG = "latest"
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_LAYERS = 64
MAX_MANIFESTS = 10_000
LICENSE_MEDIA = "application/vnd.ollama.image.license"
MODEL_MEDIA = "application/vnd.ollama.image.model"
_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}\Z")
_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}(?::[0-9]{1,5})?\Z")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\Z")
_DIGEST = re.compile(r"^sha256[:-]([0-9a-f]{64})\Z")


def store_dir() -> Path:
    """Ollama's model store: ``$OLLAMA_MODELS`` or ``~/.ollama/models``."""
    env = os.environ.get("OLLAMA_MODELS")
    return Path(env).expanduser() if env else Path.home() / ".ollama" / "models"


class Ref(Struct, frozen=True):
    """An Ollama model reference: registry, namespace, name and tag."""

    registry: str
    namespace: str
    name: str
    tag: str

    @property
    def display(self) -> str:
        """The short form Ollama shows: ``llama3.1:8b``, ``user/model:tag``, ``hf.co/org/repo:tag``."""
        if self.registry == DEFAULT_REGISTRY:
            base = self.name if self.namespace == DEFAULT_NAMESPACE else f"{self.namespace}/{self.name}"
        else:
            base = f"{self.registry}/{self.namespace}/{self.name}"
        return f"{base}:{self.tag}"

    @property
    def library(self) -> bool:
        return self.registry == DEFAULT_REGISTRY and self.namespace == DEFAULT_NAMESPACE

    def manifest(self, root: Path) -> Path:
        return root / "manifests" / self.registry / self.namespace / self.name / self.tag


def parse_ref(value: str) -> Ref:
    """``[ollama:][registry/][namespace/]name[:tag]`` -> Ref; a usage error when it is not one."""
    raw = value[len("ollama:"):] if value.startswith("ollama:") else value
    name, tag = raw, DEFAULT_TAG
    if ":" in raw.rsplit("/", 1)[-1]:
        name, tag = raw.rsplit(":", 1)
    parts = name.split("/")
    if len(parts) == 1:
        parts = [DEFAULT_REGISTRY, DEFAULT_NAMESPACE, parts[0]]
    elif len(parts) == 2:
        parts = [DEFAULT_REGISTRY, *parts]
    ok = (len(parts) == 3 and _HOST.match(parts[0]) and all(_PART.match(p) for p in parts[1:])
          and _TAG.match(tag) and ".." not in raw)
    if not ok:
        raise UsageError(f"not an Ollama model reference: {value!r} (ollama:NAME[:TAG], e.g. ollama:llama3.1:8b)")
    registry, namespace, model = parts
    return Ref(registry, namespace, model, tag)


@lru_cache(maxsize=1)
def families() -> dict[str, dict[str, Any]]:
    """Ollama library names -> {license, upstream} (rules/sources/ollama.yaml)."""
    from openaudit.paths import rules_dir
    from openaudit.yamlutil import load_file

    data = load_file(rules_dir() / "sources" / "ollama.yaml") or {}
    fams = data.get("families") if isinstance(data, dict) else None
    return {str(k): v for k, v in (fams or {}).items() if isinstance(v, dict)}


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, symlinks resolved, stays under ``root`` (resolved too)."""
    from openaudit.textutil import within

    return within(path, root)


def blob_path(root: Path, hexdigest: str) -> Path:
    """``blobs/sha256-<hex>`` (Ollama since 0.1.x on every OS), or the older ``sha256:<hex>`` when only it exists."""
    p = root / "blobs" / f"sha256-{hexdigest}"
    if not p.exists():
        old = root / "blobs" / f"sha256:{hexdigest}"
        if old.exists():
            return old
    return p


def read_manifest(root: Path, ref: Ref) -> tuple[dict[str, Any], bytes]:
    where = f"ollama:{ref.display}"
    path = ref.manifest(root)
    if not path.is_file():
        raise EvidenceUnavailable(f"{where}: not in the Ollama store at {root} (no manifest "
                                  f"{ref.registry}/{ref.namespace}/{ref.name}/{ref.tag}; set OLLAMA_MODELS)")
    if not inside(path, root):
        raise EvidenceUnavailable(f"{where}: its manifest is a link out of the Ollama store; not followed")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        raise EvidenceUnavailable(f"{where}: cannot read its manifest: {exc.strerror or exc}") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise EvidenceUnavailable(f"{where}: manifest larger than {MAX_MANIFEST_BYTES} bytes; not read")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise EvidenceUnavailable(f"{where}: the manifest is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise EvidenceUnavailable(f"{where}: the manifest has no layers list")
    return data, raw


def _layers(data: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    out = []
    for layer in data["layers"][:MAX_LAYERS]:
        if not isinstance(layer, dict):
            continue
        media, digest, size = layer.get("mediaType"), layer.get("digest"), layer.get("size")
        m = _DIGEST.match(digest) if isinstance(digest, str) else None
        if not isinstance(media, str) or m is None:
            continue
        out.append((media, m.group(1), size if isinstance(size, int) and not isinstance(size, bool) else None))
    return out


def size_on_disk(root: Path, data: dict[str, Any]) -> int:
    """Bytes of the blobs this manifest names (each counted once; blobs shared with other tags too)."""
    total = 0
    for _media, hexd, _size in {(m, h, s) for m, h, s in _layers(data)}:
        p = blob_path(root, hexd)
        try:
            if inside(p, root):
                total += p.stat().st_size
        except OSError:
            pass
    return total


def _role(text: str) -> str:
    head = " ".join(text.lstrip()[:400].lower().split())
    return "use_policy" if "acceptable use policy" in head and "license agreement" not in head else "license"


def _read_license(root: Path, hexd: str, name: str) -> SourceFile:
    from openaudit.sources.local import source_file
    from openaudit.textutil import MAX_FILE_BYTES, decode_capped

    path = blob_path(root, hexd)
    if not path.is_file():
        return SourceFile(name=name, role="license", error="license layer missing from the store")
    if not inside(path, root):
        return SourceFile(name=name, role="license", error="a link out of the Ollama store; not followed")
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return SourceFile(name=name, role="license", error=f"cannot read: {exc.strerror or exc}")
    text, err, truncated = decode_capped(data)
    if not truncated and len(data) == size and hashlib.sha256(data).hexdigest() != hexd:
        err = "its content does not match its sha256 digest (modified in the store?)"
    sf = source_file(name, "license", text, err, truncated, size)
    if sf.text is not None:
        sf.role = _role(sf.text)
    return sf


class OllamaSource(Source):
    """One model of Ollama's store, named ``ollama:NAME[:TAG]``."""

    kind = "ollama"

    def __init__(self, ref: Ref, root: Path | None = None):
        self.ref = ref
        self.root = root or store_dir()

    @classmethod
    def from_target(cls, target: str) -> OllamaSource:
        return cls(parse_ref(target))

    @property
    def display(self) -> str:
        return f"ollama:{self.ref.display}"

    def fetch(self) -> Evidence:
        from openaudit.card import Card
        from openaudit.sources.gguf import GGUFError, evidence_from_header, read_header

        root, ref = self.root, self.ref
        data, raw = read_manifest(root, ref)
        layers = _layers(data)
        model = next(((h, s) for m, h, s in layers if m == MODEL_MEDIA), None)
        ev: Evidence | None = None
        header_note = None
        if model is None:
            header_note = "the manifest has no model layer"
        else:
            path = blob_path(root, model[0])
            name = f"blobs/sha256-{model[0]}"
            if not path.is_file():
                header_note = f"model layer {name} missing from the store"
            elif not inside(path, root):
                header_note = f"model layer {name} is a link out of the Ollama store; not followed"
            else:
                try:
                    h = read_header(path, where=f"{self.display} model layer")
                    ev = evidence_from_header(h, kind="ollama", ident=self.display, name=name,
                                              label=f"{name} (GGUF header of the model layer)")
                except GGUFError as exc:
                    header_note = exc.message
        if ev is None:
            ev = Evidence(kind="ollama", id=self.display, offline=True)
            ev.card = Card(path=f"{self.display} (no readable model header)", metadata={})
            ev.notes.append(f"model card metadata unavailable: {header_note}")
        ev.id = self.display
        ev.revision = "sha256:" + hashlib.sha256(raw).hexdigest()  # the manifest digest: what `ollama pull` pins
        ev.requested_revision = ref.tag
        # the model layer is a GGUF file: named so (``#model.gguf``) for the facts that look for weight files
        ev.siblings = [f"blobs/sha256-{h}" + ("#model.gguf" if m == MODEL_MEDIA else "") for m, h, _s in layers]
        licenses = [h for m, h, _s in layers if m == LICENSE_MEDIA]
        for hexd in licenses:
            ev.files.append(_read_license(root, hexd, f"blobs/sha256-{hexd}"))
        if not licenses:
            ev.notes.append("the Ollama manifest has no license layer")
        fam = families().get(ref.name) if ref.library else None
        if fam and isinstance(fam.get("license"), str):
            ev.tags.append(f"license:{fam['license']}")
            ev.notes.append(f"Ollama library name {ref.name!r} is {fam.get('upstream') or fam['license']} "
                            f"(openaudit's map rules/sources/ollama.yaml): tag license:{fam['license']}")
        return ev


def list_models(root: Path | None = None) -> list[Ref]:
    """Every model tag in the store (manifests/<registry>/<namespace>/<name>/<tag>), symlinks not followed."""
    root = root or store_dir()
    base = root / "manifests"
    out: list[Ref] = []
    if not base.is_dir() or not inside(base, root):
        return out

    def dirs(p: Path) -> list[Path]:
        try:
            return sorted(c for c in p.iterdir() if c.is_dir() and not c.is_symlink())
        except OSError:
            return []

    for reg in dirs(base):
        for ns in dirs(reg):
            for name in dirs(ns):
                try:
                    tags = sorted(t for t in name.iterdir() if t.is_file() and not t.is_symlink())
                except OSError:
                    continue
                for tag in tags:
                    if all(_HOST.match(reg.name) and _PART.match(x) for x in (ns.name, name.name)) and \
                            _TAG.match(tag.name):
                        out.append(Ref(reg.name, ns.name, name.name, tag.name))
                    if len(out) >= MAX_MANIFESTS:
                        return out
    return out
