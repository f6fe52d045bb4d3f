"""Evidence from a local model directory or a single model card file. Nothing in it is executed."""

from __future__ import annotations

import os
from pathlib import Path

from openaudit.card import parse_card
from openaudit.errors import UsageError
from openaudit.evidence import Evidence, SourceFile, role_of
from openaudit.sources.base import Source
from openaudit.textutil import read_capped, redact_secrets, secrets

MAX_LISTED_FILES = 20_000
_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".cache", "node_modules", ".venv"}


def read_file(path: Path, name: str, role: str) -> SourceFile:
    """Read one file into a SourceFile, never raising for unreadable content."""
    try:
        if not path.is_file():  # a FIFO or device named LICENSE would block or never end
            return SourceFile(name=name, role=role, error="not a regular file")
        text, err, truncated, size = read_capped(path)
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


def list_files(root: Path) -> list[str]:
    """Repo-relative file names under ``root`` (bounded; symlinks not followed)."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        rel = os.path.relpath(dirpath, root)
        for fn in sorted(filenames):
            out.append(fn if rel == "." else f"{rel}/{fn}".replace(os.sep, "/"))
            if len(out) >= MAX_LISTED_FILES:
                return out
    return out


class LocalSource(Source):
    kind = "local"

    def __init__(self, path: Path):
        self.path = path

    @property
    def display(self) -> str:
        return str(self.path)

    def fetch(self) -> Evidence:
        path = self.path
        if path.is_file():
            return self._from_card_file(path)
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
            sf = read_file(path / name, name, role)
            ev.files.append(sf)
            if role == "card" and sf.text is not None and ev.card is None:
                ev.card = parse_card(sf.text, name)
        if ev.card is None:
            ev.notes.append("no README.md model card in the directory")
        _tags_from_card(ev)
        return ev

    def _from_card_file(self, path: Path) -> Evidence:
        ev = Evidence(kind="local", id=str(path))
        sf = read_file(path, path.name, "card")
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
