"""Evidence from a local model directory or a single model card file. Nothing in it is executed.

Nothing outside the audited root is read: a file whose symbolic links lead out of the model directory (for a
model inside a Hugging Face cache, the cache's ``models--*`` folder, where snapshots link to blobs) is listed
but not read ("a link out of the audited tree"), and files are opened without blocking (see
``textutil.open_regular``: a FIFO or /proc/kmsg named LICENSE is unreadable, not a hang)."""

from __future__ import annotations

import os
from pathlib import Path

from openaudit.card import parse_card
from openaudit.errors import UsageError
from openaudit.evidence import Evidence, SourceFile, role_of
from openaudit.sources.base import PathSource
from openaudit.textutil import read_capped, redact_secrets, secrets, within

MAX_LISTED_FILES = 20_000
_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".cache", "node_modules", ".venv"}


OUT_OF_TREE = "not read: a symbolic link out of the audited tree"


def read_file(path: Path, name: str, role: str, root: Path | None = None) -> SourceFile:
    """Read one file into a SourceFile, never raising for unreadable content. With ``root``, a file whose links
    lead outside ``root`` is not read."""
    if root is not None and not within(path, root):
        return SourceFile(name=name, role=role, error=OUT_OF_TREE)
    try:
        text, err, truncated, size = read_capped(path)  # a FIFO or device named LICENSE: "not a regular file"
    except OSError as exc:
        return SourceFile(name=name, role=role, error=f"cannot read: {exc.strerror or exc}")
    return source_file(name, role, text, err, truncated, size)


def source_file(name: str, role: str, text: str | None, err: str | None, truncated: bool, size: int) -> SourceFile:
    """The SourceFile of a decoded file (see textutil.decode_capped), wherever its bytes came from."""
    if text is None:
        return SourceFile(name=name, role=role, error=err, size=size)
    tokens = secrets()
    if tokens:  # a Hub that echoes the token in a file it serves must not get it into a report
        text = redact_secrets(text, tokens, shape=False)
    sf = SourceFile(name=name, role=role, text=text, truncated=truncated, size=size)
    if err:
        sf.error = err  # readable, but with a caveat (e.g. not UTF-8)
    return sf


def walk(root: Path, skip_dir=lambda name: False, limit: int = MAX_LISTED_FILES) -> list[str]:
    """Root-relative POSIX names of the files under ``root``, in sorted order, at most ``limit``. Iterative (a tree
    a thousand levels deep is no recursion error); directory links are not followed; a directory that cannot be
    listed (permissions, a path longer than the system allows) is skipped. Files are only named, not opened."""
    out: list[str] = []
    stack: list[str] = [""]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel) if rel else root) as it:
                entries = sorted(it, key=lambda e: e.name)
        except (OSError, ValueError):
            continue
        subdirs = []
        for e in entries:
            name = f"{rel}/{e.name}" if rel else e.name
            try:
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if not skip_dir(e.name):
                    subdirs.append(name)
                continue
            out.append(name)
            if len(out) >= limit:
                return out
        stack.extend(reversed(subdirs))
    return out


def list_files(root: Path) -> list[str]:
    """Repo-relative file names under ``root`` (bounded; symlinks not followed)."""
    return walk(root, lambda d: d in _SKIP_DIRS, MAX_LISTED_FILES)


def audited_root(path: Path) -> Path:
    """The tree a local target may read from: its directory (a card file's directory), or, inside a Hugging Face
    cache (``models--org--name/snapshots/<sha>``, whose files link to ``../../blobs``), that ``models--*`` folder."""
    here = path if path.is_dir() else path.parent
    parts = here.absolute().parts
    if len(parts) >= 3 and parts[-2] == "snapshots" and parts[-3].startswith("models--"):
        return Path(*parts[:-2])
    return here


class LocalSource(PathSource):
    kind = "local"

    def __init__(self, path: Path, root: Path | None = None):
        super().__init__(path)
        self.root = root  # the audited tree files may be read from (default: see audited_root)

    def fetch(self) -> Evidence:
        path = self.path
        root = self.root if self.root is not None else audited_root(path)
        if not within(path, root):
            raise UsageError(f"{path}: a symbolic link out of the audited tree {root} (not followed)")
        if path.is_file():
            return self._from_card_file(path, root)
        if not path.is_dir():
            raise UsageError(f"not a file or directory: {path}")
        ev = Evidence(kind="local", id=str(path))
        try:
            ev.siblings = list_files(path)
        except OSError as exc:
            raise UsageError(f"cannot list directory {path}: {exc.strerror or exc}") from None
        for name in ev.siblings:
            role = role_of(name)
            if role is None:
                continue
            sf = read_file(path / name, name, role, root)
            ev.files.append(sf)
            if role == "card" and sf.text is not None and ev.card is None:
                ev.card = parse_card(sf.text, name)
        if ev.card is None:
            ev.notes.append("no README.md model card in the directory")
        _tags_from_card(ev)
        from openaudit.sources.safetensors import add_directory_signals

        add_directory_signals(ev, [(n, path / n) for n in ev.siblings if n.lower().endswith(".safetensors")
                                   and not (path / n).is_symlink()])
        return ev

    def _from_card_file(self, path: Path, root: Path) -> Evidence:
        ev = Evidence(kind="local", id=str(path))
        sf = read_file(path, path.name, "card", root)
        if sf.text is None:
            raise UsageError(f"cannot read model card {path}: {sf.error}")
        ev.files.append(sf)
        ev.card = parse_card(sf.text, path.name)
        ev.notes.append("a card file alone: license files beside it were not read")
        _tags_from_card(ev)
        return ev


def _tags_from_card(ev: Evidence) -> None:
    tags = ev.metadata.get("tags")
    if isinstance(tags, list):
        ev.tags = [str(t) for t in tags if isinstance(t, (str, int, float))]
    elif isinstance(tags, str):
        ev.tags = [tags]
