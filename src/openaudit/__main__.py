"""The entry point of the ``openaudit`` process: the console script (``openaudit.__main__:run``) and
``python -m openaudit``.

It lives apart from :mod:`openaudit.cli`, which imports typer: the start-up tuning of the garbage collector must
begin before typer, click and pydantic are imported (the collector otherwise runs over and over while they load,
for objects that live until exit: ~2% of a local check, issue 18). Only this process tunes its collector; a
program that imports :mod:`openaudit.cli` or calls :func:`openaudit.cli.main` in-process keeps its own."""

import atexit
import gc
import sys

HELP_FLAGS = frozenset({"-h", "--help"})


def run() -> None:
    """The ``openaudit`` command: :func:`openaudit.cli.main` in a process of its own, with the start-up tuning only
    such a process may do.

    - The collector is off from the start, while the CLI is imported and typer dispatches.
    - A command that calls ``commands.common.fast_start`` (``cli.FAST_START``: check, scan, inventory) gets it
      there: the objects made so far are frozen, and the collector stays off for a check of one target and is on
      again for anything else (a batch's memory must stay flat). Every other command, ``--help``, ``--version``
      and a usage error naming no such command run with the collector on, as in any program.
    - At exit the interpreter's last collection would walk every object still alive, even with the collector
      disabled: ~30-40 ms of CPU once huggingface_hub, its HTTP client and the audit are loaded, for memory the
      operating system takes back anyway; frozen objects are left out of it (``gc.freeze``, public API), and
      files are closed and flushed as usual.
    - A check of one Hub model sends its first request before the CLI is imported (:mod:`openaudit.commands.early`):
      the round trip overlaps the import of typer and the CLI."""
    gc.disable()
    argv = sys.argv[1:]
    try:
        _ask_early(argv)
        from openaudit import cli
        from openaudit.commands.common import allow_fast_start
    except KeyboardInterrupt:  # before the CLI could turn it into its error line
        sys.stderr.write("openaudit: error: interrupted\n")
        sys.exit(130)

    if argv and argv[0] in cli.FAST_START and not HELP_FLAGS.intersection(argv):
        allow_fast_start()
    else:
        gc.enable()
    atexit.register(gc.freeze)
    cli.main()


def _ask_early(argv: list[str]) -> None:
    """``openaudit.commands.early.start``; anything it raises is left for the check to meet and report (the early
    request is a head start only)."""
    try:
        from openaudit.commands.early import start

        start(argv)
    except Exception:  # noqa: BLE001, S110 (a head start only)
        pass


if __name__ == "__main__":
    run()
