"""`openaudit inventory`: find the models installed on this machine and audit each, offline.

Where it looks (each store only if it exists; ``--no-stores`` keeps only the PATH arguments):

* the Hugging Face cache (``huggingface_hub.scan_cache_dir``): every cached revision of every model, by repo id;
* Ollama's store (``$OLLAMA_MODELS`` or ``~/.ollama/models``): every ``name:tag`` of its manifests;
* LM Studio's models folder (``~/.lmstudio/models``, and the older ``~/.cache/lm-studio/models``): ``.gguf`` files
  and model directories in it;
* each PATH: a ``.gguf`` file, an Ollama store (a folder with ``manifests/`` and ``blobs/``), a Hugging Face cache
  (a folder of ``models--*``), a model directory (``config.json``, ``model_index.json`` or ``*.safetensors``), or a
  folder walked for those (symlinks not followed, hidden and tool folders skipped, bounded).

Every model is audited like ``openaudit check`` with the run offline: no request is made (upstream models come
from the Hugging Face cache or stay unresolved, which is said). Each report's ``target`` carries
``inventory: {where, location, size_on_disk}``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from msgspec import Struct

from openaudit.filekinds import classify
from openaudit.sources.base import Source

MAX_WALK_ENTRIES = 200_000
MAX_SIZE_ENTRIES = 50_000
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".cache",
                        "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache"})


class Found(Struct):
    """One model found on this machine, where it is, and the source that audits it."""

    target: str  # the name shown and used for errors
    where: str  # hf-cache | ollama | lm-studio | path
    location: str  # the file or folder on disk
    size: int | None  # bytes on disk (None when unknown)
    source: Source


def lmstudio_dirs() -> list[Path]:
    home = Path.home()
    return [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]


def _dir_size(path: Path) -> int | None:
    total, n = 0, 0
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS]
        for fn in filenames:
            n += 1
            if n > MAX_SIZE_ENTRIES:
                return None
            try:
                st = os.lstat(os.path.join(dirpath, fn))
            except OSError:
                continue
            total += st.st_size
    return total


def _is_model_dir(names: set[str]) -> bool:
    """A model's configuration or safetensors weights (``rules/vocabulary/file-kinds.yaml``; .gguf files are found
    one by one, each on its own)."""
    kinds = [classify(n) for n in names]
    return any(k is not None and (k.kind == "model_config" or k.format == "safetensors") for k in kinds)


def _is_ollama_store(path: Path) -> bool:
    return (path / "manifests").is_dir() and (path / "blobs").is_dir()


def _is_hf_cache(path: Path) -> bool:
    try:
        return any(p.name.startswith("models--") and p.is_dir() for p in path.iterdir())
    except OSError:
        return False


class Discovery:
    def __init__(self) -> None:
        self.found: list[Found] = []
        self.warnings: list[str] = []
        self._seen: set[tuple[str, str]] = set()

    def _add(self, key: tuple[str, str], f: Found) -> None:
        if key not in self._seen:
            self._seen.add(key)
            self.found.append(f)

    # -- stores ------------------------------------------------------------------------------------
    def hf_cache(self, root: Path | None = None) -> None:
        from openaudit.sources.hfcache import HFCacheSource, cache_dir, scan

        root = root or cache_dir()
        models, warnings = scan(root)
        self.warnings += warnings
        for m in models:
            self._add(("hf", f"{m.repo_id}@{m.revision}"),
                      Found(f"{m.repo_id}@{m.revision[:12]}", "hf-cache", str(m.snapshot), m.size_on_disk,
                            HFCacheSource(m, root)))

    def ollama(self, root: Path | None = None) -> None:
        from openaudit.errors import OpenAuditError
        from openaudit.sources.ollama import OllamaSource, list_models, read_manifest, size_on_disk, store_dir

        root = root or store_dir()
        for ref in list_models(root):
            try:
                size: int | None = size_on_disk(root, read_manifest(root, ref)[0])
            except OpenAuditError:
                size = None  # the audit says why the manifest cannot be read
            src = OllamaSource(ref, root)
            self._add(("ollama", f"{os.path.realpath(root)}|{ref}"),
                      Found(src.display, "ollama", str(ref.manifest(root)), size, src))

    # -- files and folders -------------------------------------------------------------------------
    def gguf(self, path: Path, where: str) -> None:
        from openaudit.sources.gguf import GGUFSource

        try:
            size = path.stat().st_size
        except OSError:
            size = None
        self._add(("file", os.path.realpath(path)), Found(str(path), where, str(path), size, GGUFSource(path)))

    def model_dir(self, path: Path, where: str) -> None:
        from openaudit.sources.local import LocalSource

        self._add(("file", os.path.realpath(path)),
                  Found(str(path), where, str(path), _dir_size(path), LocalSource(path)))

    def walk(self, top: Path, where: str) -> None:
        entries, links = 0, 0
        for dirpath, dirnames, filenames in os.walk(top):
            here = Path(dirpath)
            names = set(filenames)
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
            entries += len(filenames) + len(dirnames)
            if entries > MAX_WALK_ENTRIES:
                self.warnings.append(f"{top}: more than {MAX_WALK_ENTRIES} entries; the rest was not searched")
                return
            if any(d.startswith("models--") for d in dirnames) and _is_hf_cache(here):
                self.hf_cache(here)  # a Hugging Face cache inside the folder: by repo id, not by snapshot folder
                dirnames[:] = [d for d in dirnames if not d.startswith(("models--", "datasets--", "spaces--"))]
            if "manifests" in dirnames and _is_ollama_store(here):
                self.ollama(here)
                dirnames[:] = [d for d in dirnames if d not in ("manifests", "blobs")]
            for fn in sorted(filenames):
                if fn.lower().endswith(".gguf"):
                    p = here / fn
                    if p.is_symlink():
                        links += 1
                        continue
                    self.gguf(p, where)
            if _is_model_dir(names):
                self.model_dir(here, where)
                dirnames[:] = []  # its subfolders belong to it
        if links:
            self.warnings.append(f"{top}: {links} .gguf symlink(s) not followed")

    def path(self, raw: str) -> None:
        from openaudit.errors import UsageError

        p = Path(raw).expanduser()
        if not p.exists():
            raise UsageError(f"no such file or directory: {raw!r}")
        if p.is_file():
            if p.suffix.lower() != ".gguf":
                raise UsageError(f"{raw}: not a .gguf file or a folder")
            self.gguf(p, "path")
        elif _is_ollama_store(p):
            self.ollama(p)
        elif _is_hf_cache(p):
            self.hf_cache(p)
        elif p.is_dir():
            self.walk(p, "path")
        else:
            raise UsageError(f"{raw}: not a regular file or a folder")


def discover(paths: list[str], *, stores: bool = True) -> Discovery:
    d = Discovery()
    if stores:
        d.hf_cache()
        d.ollama()
        for root in lmstudio_dirs():
            if root.is_dir():
                d.walk(root, "lm-studio")
    for raw in paths:
        d.path(raw)
    return d


def human_size(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def annotate(found: list[Found], reports: list[Any], errors: list[tuple[str, Any]]) -> None:
    """Add ``inventory: {where, location, size_on_disk}`` to each report's target (reports are in found order)."""
    failed = {t for t, _ in errors}
    it = iter(reports)
    for f in found:
        if f.target in failed:
            continue
        r = next(it, None)
        if r is None:
            return
        r.target["inventory"] = {"where": f.where, "location": f.location, "size_on_disk": f.size}


def table(found: list[Found], reports: list[Any], errors: list[tuple[str, Any]]) -> str:
    """The summary table: model, where, size on disk, license, grade, gate; then the totals."""
    from openaudit.textutil import sanitize

    by_target = {f.target: f for f in found}
    rows = [("model", "where", "size", "license", "grade", "gate")]
    failed = dict(errors)
    it = iter(reports)
    for f in found:
        if f.target in failed:
            e = failed[f.target]
            rows.append((sanitize(f.target, one_line=True, limit=200), f.where, human_size(f.size), "-", "-",
                         f"ERROR (exit {e.exit_code})"))
            continue
        r = next(it, None)
        if r is None:
            break
        rows.append((sanitize(f.target, one_line=True, limit=200), by_target[f.target].where, human_size(f.size),
                     sanitize(r.license.id, one_line=True, limit=40), str(r.grade.letter or "-"),
                     "PASSED" if r.passed else "FAILED"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    failed_gates = sum(1 for r in reports if not r.passed)
    total = len(found)
    lines.append("")
    lines.append(f"{total} model{'' if total == 1 else 's'}: {len(reports) - failed_gates} passed, "
                 f"{failed_gates} failed, {len(errors)} not audited (offline: no request made)")
    return "\n".join(lines) + "\n"


def progress_wanted() -> bool:
    return sys.stderr.isatty()
