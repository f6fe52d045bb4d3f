"""Error types and the documented exit codes.

Every failure the user can cause or meet ends as one of these, printed as one line.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_EVIDENCE_UNAVAILABLE = 3


class OpenAuditError(Exception):
    """Base class: carries the exit code and a one-line message."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str):
        super().__init__(message)
        self.message = " ".join(str(message).split())  # always one line


class UsageError(OpenAuditError):
    """Bad arguments or unreadable local input (exit 2)."""

    exit_code = EXIT_USAGE


class EvidenceUnavailable(OpenAuditError):
    """The evidence could not be obtained: repo not found, gated, network, offline without cache (exit 3)."""

    exit_code = EXIT_EVIDENCE_UNAVAILABLE


class HubNotFound(EvidenceUnavailable):
    """The Hub has no model repository of that name (or a private one the token cannot see)."""


class HubUnreachable(EvidenceUnavailable):
    """The Hub could not be reached. ``cached``: whether a cached copy of the revision exists (so ``--offline``
    would audit it), None when not known."""

    def __init__(self, message: str, *, cached: bool | None = None):
        super().__init__(message)
        self.cached = cached
