"""Model card parsing: YAML front matter (safe loading only) and a body kept with line numbers.

We do not use huggingface_hub's RepoCard here: importing huggingface_hub costs ~400 ms and local
checks must start fast. The front-matter grammar matches huggingface_hub's REGEX_YAML_BLOCK.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from openaudit.markdown import Document
from openaudit.markdown import parse as parse_markdown
from openaudit.textutil import split_lines

if TYPE_CHECKING:
    import yaml

# Same shape as huggingface_hub.repocard.REGEX_YAML_BLOCK, anchored at the start (BOM already stripped).
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
MAX_FRONT_MATTER_BYTES = 1024 * 1024
MAX_YAML_NODES = 200_000


class Card(Struct, dict=True):
    """A parsed model card. Line numbers are 1-based lines of the card file."""

    path: str
    metadata: dict[str, Any] = field(default_factory=dict)
    metadata_error: str | None = None
    key_lines: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    body_start: int = 1  # first line of the body (after the closing ---)
    has_front_matter: bool = False

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key)

    @property
    def body_lines(self) -> list[tuple[int, str]]:
        return [(i, self.lines[i - 1]) for i in range(self.body_start, len(self.lines) + 1)]

    @property
    def body(self) -> str:
        return "\n".join(self.lines[self.body_start - 1 :])

    @cached_property
    def markdown(self) -> Document:
        """The body's markdown, parsed once (``openaudit.markdown``); every card reader shares it."""
        return parse_markdown(self.lines, self.body_start)


def _count_nodes(node: yaml.Node, budget: int) -> int:
    """Refuse a document with too many nodes (alias bombs) before it is constructed."""
    import yaml

    seen = 0
    stack = [node]
    while stack:
        n = stack.pop()
        seen += 1
        if seen > budget:
            raise yaml.YAMLError(f"front matter too complex (more than {budget} nodes after aliases)")
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.append(k)
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return seen


def load_yaml_with_lines(text: str) -> tuple[Any, dict[str, int]]:
    """yaml.safe_load with a node budget; also returns the (0-based) line of each top-level key, keyed as
    ``parse_card`` keys the metadata: ``str`` of the key's value (``null:`` and a bare ``?`` are "None", ``true:``
    is "True"), not the key's text."""
    import yaml  # here, not at import: a Hub check sends its first request before it needs a YAML parser

    loader = yaml.SafeLoader(text)
    lines: dict[Any, int] = {}  # by the key's value, as the mapping holds it (1 and true are one key)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _count_nodes(node, MAX_YAML_NODES)
        data = loader.construct_document(node)
        if isinstance(node, yaml.MappingNode):
            for k, _v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    lines[loader.construct_object(k)] = k.start_mark.line  # YAML keeps the last duplicate
    finally:
        loader.dispose()
    return data, {str(k): line for k, line in lines.items()}


def parse_card(text: str, path: str = "README.md") -> Card:
    """Parse a model card. Never raises on bad input: problems land in ``metadata_error``."""
    norm = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    card = Card(path=path, lines=split_lines(norm))
    m = _FRONT_MATTER.match(norm)
    if not m:
        if norm.lstrip().startswith("---"):
            card.metadata_error = "front matter opened with '---' but never closed"
        return card
    card.has_front_matter = True
    block = m.group(1) or ""
    # line (1-based) of the first YAML line: count newlines before the block
    yaml_first_line = norm.count("\n", 0, m.start(1) if m.group(1) is not None else m.end()) + 1
    card.body_start = norm.count("\n", 0, m.end()) + 1 + (0 if norm[m.end() - 1 : m.end()] == "\n" else 1)
    if len(block.encode("utf-8", "replace")) > MAX_FRONT_MATTER_BYTES:
        card.metadata_error = f"front matter larger than {MAX_FRONT_MATTER_BYTES} bytes; not parsed"
        return card
    import yaml

    try:
        data, key_lines = load_yaml_with_lines(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {yaml_first_line + mark.line}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        card.metadata_error = f"invalid YAML front matter{where}: {problem}"
        return card
    except (RecursionError, ValueError, TypeError) as exc:
        card.metadata_error = f"invalid YAML front matter: {exc.__class__.__name__}"
        return card
    if data is None:
        return card
    if not isinstance(data, dict):
        card.metadata_error = "front matter is not a mapping"
        return card
    card.metadata = {str(k): v for k, v in data.items()}
    card.key_lines = {k: yaml_first_line + line for k, line in key_lines.items()}
    return card
