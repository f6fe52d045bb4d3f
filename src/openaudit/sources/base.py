"""The one interface every evidence source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

from openaudit.evidence import Evidence
from openaudit.lazyre import compile as _lazy

# org/name with an optional @revision; the org may be omitted for legacy ids such as "gpt2". Compiled on first
# use: a check of a local directory never needs it.
HUB_ID = _lazy(r"^(?:[A-Za-z0-9][\w.-]{0,95}/)?[A-Za-z0-9][\w.-]{0,95}(?:@[\w./-]{1,200})?\Z")


class Source(ABC):
    """A place evidence comes from. ``fetch`` returns normalized Evidence or raises OpenAuditError."""

    kind: str
    # Called once, right before the first network request of ``fetch`` is sent (sources that make none never call
    # it): CPU work that can run while the answer is awaited starts there (openaudit.audit.start_warm_up).
    on_request: Callable[[], None] | None = None

    @abstractmethod
    def fetch(self) -> Evidence: ...

    @property
    @abstractmethod
    def display(self) -> str: ...


class PathSource(Source):
    """A source read from one path on disk (a directory, a GGUF or a safetensors file), shown as that path."""

    def __init__(self, path: Path):
        self.path = path

    @property
    def display(self) -> str:
        return str(self.path)
