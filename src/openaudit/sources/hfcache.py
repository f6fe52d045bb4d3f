"""Evidence from the Hugging Face cache on this machine: every cached revision of every model, offline.

``huggingface_hub.scan_cache_dir`` lists the cache (``$HF_HUB_CACHE``, default ``~/.cache/huggingface/hub``):
repo id, commit sha, refs (``main``…), files and size on disk. A cached revision is audited like a Hub
revision (kind ``hub``, its repo id and sha, ``offline: true``) from the files in its snapshot: the card and the
license-like files at the root, read with the same caps as a local directory. A snapshot file that resolves
outside the cache (a hostile symlink) is not read. No request is made: nothing here calls the Hub.
"""

from __future__ import annotations

from pathlib import Path

from msgspec import Struct

from openaudit.errors import EvidenceUnavailable
from openaudit.evidence import Evidence, SourceFile, role_of
from openaudit.sources.base import Source

MAX_FILES = 20_000


def cache_dir() -> Path:
    """The Hub cache huggingface_hub uses (HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub)."""
    import os

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # as HubSource.fetch, before the first import
    os.environ.setdefault("HF_HUB_VERBOSITY", "error")
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


class CachedModel(Struct):
    """A model snapshot in the Hugging Face cache and its files."""

    repo_id: str
    revision: str  # commit sha
    refs: list[str]
    snapshot: Path
    files: list[tuple[str, Path]]  # (name relative to the snapshot, path in the snapshot)
    size_on_disk: int


def scan(root: Path | None = None) -> tuple[list[CachedModel], list[str]]:
    """Every cached model revision, and the warnings of the scan (corrupted entries, one line each)."""
    root = root or cache_dir()
    if not root.is_dir():
        return [], []
    from huggingface_hub import scan_cache_dir

    try:
        info = scan_cache_dir(root)
    except Exception as exc:  # noqa: BLE001 (CacheNotFound, a cache it cannot walk)
        return [], [f"Hugging Face cache {root}: not scanned: {' '.join(str(exc).split())[:300]}"]
    out: list[CachedModel] = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id.lower()):
        if repo.repo_type != "model":
            continue
        for rev in sorted(repo.revisions, key=lambda r: (-r.last_modified, r.commit_hash)):
            files = []
            for f in list(rev.files)[:MAX_FILES]:
                try:
                    rel = f.file_path.relative_to(rev.snapshot_path).as_posix()
                except ValueError:
                    continue
                files.append((rel, f.file_path))
            out.append(CachedModel(repo.repo_id, rev.commit_hash, sorted(rev.refs), rev.snapshot_path,
                                   sorted(files), rev.size_on_disk))
    warnings = [f"Hugging Face cache: {' '.join(str(w).split())[:300]}" for w in info.warnings]
    return out, warnings


def _inside(path: Path, root: Path) -> bool:
    from openaudit.sources.ollama import inside

    return inside(path, root)


class HFCacheSource(Source):
    """One cached revision of a Hub model, read from the snapshot folder only."""

    kind = "hf-cache"

    def __init__(self, model: CachedModel, root: Path | None = None):
        self.model = model
        self.root = root

    @property
    def display(self) -> str:
        return f"{self.model.repo_id}@{self.model.revision[:12]}"

    def fetch(self) -> Evidence:
        from openaudit.card import parse_card
        from openaudit.sources.local import read_file

        m = self.model
        root = self.root or cache_dir()
        if not m.snapshot.is_dir():
            raise EvidenceUnavailable(f"{self.display}: the cached snapshot is gone")
        ev = Evidence(kind="hub", id=m.repo_id, revision=m.revision,
                      requested_revision=(m.refs[0] if m.refs else m.revision), offline=True)
        ev.siblings = [name for name, _p in m.files]
        for name, path in m.files:
            role = role_of(name)
            if role is None:
                continue
            if not _inside(path, root):
                ev.files.append(SourceFile(name=name, role=role, error="a link out of the Hugging Face cache; "
                                           "not followed"))
                continue
            sf = read_file(path, name, role)
            ev.files.append(sf)
            if role == "card" and sf.text is not None and ev.card is None:
                ev.card = parse_card(sf.text, name)
        if ev.card is None:
            from openaudit.card import Card

            ev.card = Card(path="README.md", metadata={})
            ev.notes.append("no README.md model card in the cached snapshot")
        tags = ev.metadata.get("tags")  # as a local directory's card gives them
        if isinstance(tags, list):
            ev.tags = [str(t) for t in tags if isinstance(t, (str, int, float))]
        elif isinstance(tags, str):
            ev.tags = [tags]
        from openaudit.sources.safetensors import add_directory_signals

        add_directory_signals(ev, [(n, p) for n, p in m.files if n.lower().endswith(".safetensors") and
                                   _inside(p, root)])
        ev.notes.append(f"read from the Hugging Face cache ({root}), revision {m.revision[:12]}"
                        + (f" ({', '.join(m.refs)})" if m.refs else " (no ref points at it)"))
        return ev


def cached_revision(repo_id: str, requested: str, root: Path | None = None) -> str | None:
    """The commit sha the cache's ``refs/<requested>`` names (or ``requested`` when it is a cached sha)."""
    import re

    root = root or cache_dir()
    folder = root / ("models--" + repo_id.replace("/", "--"))
    if re.fullmatch(r"[0-9a-f]{40}", requested):
        return requested if (folder / "snapshots" / requested).is_dir() else None
    if "/" in requested or requested in (".", "..") or not requested:
        return None
    try:
        with open(folder / "refs" / requested, encoding="ascii") as fh:
            sha = fh.read(64).strip()
    except (OSError, UnicodeDecodeError):
        return None
    return sha if re.fullmatch(r"[0-9a-f]{40}", sha) and (folder / "snapshots" / sha).is_dir() else None
