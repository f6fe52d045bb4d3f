"""The one interface every evidence source implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

from openaudit.evidence import Evidence


class Source(ABC):
    """A place evidence comes from. ``fetch`` returns normalized Evidence or raises OpenAuditError."""

    kind: str

    @abstractmethod
    def fetch(self) -> Evidence: ...

    @property
    @abstractmethod
    def display(self) -> str: ...
