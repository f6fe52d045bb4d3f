"""The normalized evidence every source produces: the card, the license-like files, repo facts."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from msgspec import Struct, field

from openaudit.card import Card
from openaudit.textutil import split_lines

# Root-level files we read besides the card. Matched case-insensitively on the file name.
_LICENSE_LIKE = re.compile(
    r"^(?:(?:licen(?:ce|se)|copying|notice|use_policy|acceptable[_-]use[_-]policy)(?:[._-].*)?"
    r"|.*licen(?:ce|se).*\.(?:md|txt|rst))$",
    re.I,
)
_README = re.compile(r"^readme\.md$", re.I)


def role_of(filename: str) -> str | None:
    """The role a repo-root file plays in the audit, or None when we do not read it."""
    if "/" in filename:
        return None
    if _README.match(filename):
        return "card"
    if not _LICENSE_LIKE.match(filename):
        return None
    low = filename.lower()
    if low.startswith("notice"):
        return "notice"
    if "use_policy" in low or "acceptable" in low:
        return "use_policy"
    return "license"


class SourceFile(Struct, dict=True):
    """One file we read (or tried to read). ``name`` is repo-relative."""

    name: str
    role: str  # card | license | notice | use_policy
    text: str | None = None
    error: str | None = None  # why it could not be read (gated, missing, binary…)
    truncated: bool = False
    size: int | None = None
    # A virtual file (the access-form text in the card's front matter, see licenses/gated.py): for each of its
    # lines, the line of the card where it sits, so that citations point into the card.
    line_map: tuple[int, ...] | None = None

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text) if self.text is not None else []

    def source_line(self, line: int | None) -> int | None:
        """The line to cite for ``line`` of this text: the card's line for a virtual file, else ``line``."""
        if line is None or not self.line_map:
            return line
        return self.line_map[max(1, min(line, len(self.line_map))) - 1]

    @property
    def readable(self) -> bool:
        return self.text is not None


class Evidence(Struct):
    """Everything known about one target, from the Hub or from disk."""

    kind: str  # "hub" | "local" | "gguf" (a .gguf file's header) | "ollama" (a model of Ollama's store)
    id: str
    revision: str | None = None  # commit sha for hub targets
    requested_revision: str | None = None
    card: Card | None = None
    files: list[SourceFile] = field(default_factory=list)
    siblings: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    gated: Any = None  # False, "auto", "manual" (Hub) or None when unknown
    offline: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def metadata(self) -> dict[str, Any]:
        return self.card.metadata if self.card is not None else {}

    def license_files(self) -> list[SourceFile]:
        return [f for f in self.files if f.role in ("license", "use_policy", "notice")]

    def file(self, name: str) -> SourceFile | None:
        for f in self.files:
            if f.name == name:
                return f
        return None
