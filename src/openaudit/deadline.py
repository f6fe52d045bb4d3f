"""A CPU-time limit on a whole audit (``OPENAUDIT_CPU_LIMIT``), not only on the network.

Every reader is meant to be linear in its input; this is the backstop for one that is not. The limit is a
``SIGPROF`` interval timer (process CPU time), armed for the duration of an audit when it runs in the main
thread of a POSIX process. Python's regex engine checks for signals while it matches, so even a runaway
pattern is stopped. Past the limit the handler raises ``CpuLimitExceeded`` (exit 3, one error line); it keeps
firing every ``_REPEAT`` s while the audit runs, so a broad ``except`` on the way cannot swallow it. A batch that
audits in worker threads is bounded as a whole (``hard=True``): the error line is written and the process
exits with code 3 at once, from a watchdog thread (a signal would wait for the main thread, which waits for
the workers).
Elsewhere (Windows, an audit started from another thread) no limit applies.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from openaudit.errors import EXIT_EVIDENCE_UNAVAILABLE, EvidenceUnavailable

DEFAULT_CPU_LIMIT = 60.0
_REPEAT = 0.25
_state: dict[str, float | bool] = {}


class CpuLimitExceeded(EvidenceUnavailable):
    """The audit used more CPU time than OPENAUDIT_CPU_LIMIT (exit 3: the evidence could not be assessed)."""


def cpu_limit_seconds() -> float:
    """OPENAUDIT_CPU_LIMIT in seconds (fractions allowed); unset or unparsable: the default (60 s)."""
    from openaudit.textutil import env_seconds

    return env_seconds("OPENAUDIT_CPU_LIMIT", DEFAULT_CPU_LIMIT)


def message(what: str, limit: float) -> str:
    return (f"{what}: stopped after {limit:g} s of CPU time (OPENAUDIT_CPU_LIMIT); the input is too costly to "
            "read: the audit is incomplete and does not pass")


@contextmanager
def cpu_deadline(what: str, limit: float | Callable[[], float] | None = None, *, hard: bool = False
                 ) -> Iterator[None]:
    """Bound the CPU time spent inside the block (see the module docstring). Nested uses keep the outer one."""
    import signal

    if hard:  # ``limit`` may be a function: a batch whose list is read as it goes gets more as it takes targets
        with _watchdog(what, cpu_limit_seconds() if limit is None else limit):
            yield
        return
    limit = cpu_limit_seconds() if limit is None or callable(limit) else limit
    if (threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer")
            or _state.get("armed")):
        yield
        return
    start = time.process_time()

    def on_tick(signum: int, frame: object) -> None:
        if time.process_time() - start >= limit:
            raise CpuLimitExceeded(message(what, limit))

    try:
        previous = signal.signal(signal.SIGPROF, on_tick)
    except (ValueError, OSError):  # not the main interpreter / no signal support
        yield
        return
    _state["armed"] = True
    signal.setitimer(signal.ITIMER_PROF, limit, _REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, previous)
        _state["armed"] = False


@contextmanager
def _watchdog(what: str, limit: float | Callable[[], float]) -> Iterator[None]:
    """A thread that ends the process (one error line, exit 3) once the block has used ``limit`` s of CPU.

    Used where the audits run in worker threads: a signal would reach the main thread only when it runs, and it
    waits for the workers. The readers release the interpreter between short calls, so the thread gets to run."""
    start = time.process_time()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(_REPEAT):
            now = limit() if callable(limit) else limit
            if time.process_time() - start >= now:
                line = f"openaudit: error: {message(what, now)}\n"
                try:
                    os.write(2, line.encode("utf-8", "replace"))
                finally:
                    os._exit(EXIT_EVIDENCE_UNAVAILABLE)

    thread = threading.Thread(target=watch, name="openaudit-cpu-limit", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
