"""What the clause reader needs besides plain ``re``: ``compile`` (lazy, see ``openaudit.lazyre``) and
``faithful`` (whether a lower-cased copy of a text can stand for it)."""

from __future__ import annotations

from openaudit.lazyre import compile  # noqa: F401 - re-exported for the reader


def faithful(text: str, low: str) -> bool:
    """Whether ``low`` (``text.lower()``) can stand for ``text`` under ``re.IGNORECASE``: lower-casing kept every
    character's position, and no character other than an ASCII letter case-folds to one (the dotless i and
    long s do; lower() keeps them). An ASCII text always can."""
    return text.isascii() or (len(low) == len(text) and "\u0131" not in low and "\u017f" not in low)
