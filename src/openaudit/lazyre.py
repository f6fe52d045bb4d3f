"""Regular expressions compiled with plain ``re`` on first use.

The readers define many module-level patterns and one audit uses only some of them; compiling all of
them at import would cost start-up time for nothing. ``compile`` returns a stand-in that calls
``re.compile`` the first time one of its attributes is used and forwards to the compiled pattern after.
Only the public ``re`` API is used.

Compiling is most of what a pattern costs a run, and ``re`` compiles in Python. Under ``re.I`` a character class
that holds i, k or s (``[cs]``, ``[a-z]``), or any class with a character above U+00FF, makes it build a 64K-entry
table (~0.1 ms each, against ~1 us a character otherwise): spell such alternatives out (``licen(?:ce|se)``, not
``licen[cs]e``) in patterns a common run compiles.
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = ["LazyPattern", "compile"]

_lock = threading.Lock()


class LazyPattern:
    """A pattern compiled by ``re.compile`` when first used. Each attribute read through it (``search``,
    ``finditer``…) is then kept on the instance, so later reads are plain attribute lookups."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = int(flags)
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        got = self._compiled
        if got is None:
            with _lock:
                got = self._compiled
                if got is None:
                    got = self._compiled = re.compile(self._pattern, self._flags)
        return got

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not a pattern attribute (and never recurse before __init__ ran)
            raise AttributeError(name)
        value = getattr(self.compiled(), name)
        self.__dict__[name] = value  # found on the instance from now on: __getattr__ is not called again
        return value

    def __repr__(self) -> str:
        return f"LazyPattern({self._pattern!r}, {self._flags})"


def compile(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
