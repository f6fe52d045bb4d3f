"""Command-line interface: the app, its commands (one module each in openaudit.commands) and the entry point
that turns every error into one line and a documented exit code.

Typer builds every registered command's options when it starts (~10 ms for all of ours: issue #8), so the
entry point builds an app holding only the command named on the command line; ``app`` (all commands) serves
help, typos and ``--version``. Only typer's public API is used."""

import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from openaudit import __version__
from openaudit.commands.check import check
from openaudit.commands.common import silence_stdout
from openaudit.commands.diff import diff
from openaudit.commands.explain import explain
from openaudit.commands.inventory import inventory
from openaudit.commands.licenses import licenses
from openaudit.commands.lock import lock
from openaudit.commands.rules import rules
from openaudit.commands.scan import scan
from openaudit.errors import EXIT_OK, EXIT_USAGE

# The commands, in the order `openaudit --help` lists them.
COMMANDS: dict[str, Callable[..., Any]] = {
    "check": check, "scan": scan, "lock": lock, "inventory": inventory, "rules": rules, "licenses": licenses,
    "explain": explain, "diff": diff,
}
# The commands that call ``commands.common.fast_start`` first thing: the entry point (``openaudit.__main__``)
# leaves the garbage collector off until they reach it; every other command runs with it on.
FAST_START = frozenset({"check", "scan", "inventory"})

HELP = "License and openness auditor for AI models. Every finding cites the clause behind it."


def _version(value: bool) -> None:
    if value:
        print(f"openaudit {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """openaudit: what may you do with this model, and how open is it really?"""


def make_app(names: list[str] | None = None) -> typer.Typer:
    """The app with the commands ``names`` (default: all)."""
    new = typer.Typer(name="openaudit", help=HELP, add_completion=True, no_args_is_help=True,
                      pretty_exceptions_enable=False, rich_markup_mode=None,
                      context_settings={"help_option_names": ["-h", "--help"]})
    new.callback()(_root)
    for name in names or COMMANDS:
        new.command(name)(COMMANDS[name])
    return new


app = make_app()

def _app_for(argv: list[str]) -> typer.Typer:
    """An app with only the command named first in ``argv``; ``app`` for anything else."""
    if argv and argv[0] in COMMANDS:
        return make_app([argv[0]])
    return app


def _usage_line(exc: typer.TyperException) -> str:
    """One line for a usage error of typer (a bad option, a missing value...), with where to find help."""
    ctx = getattr(exc, "ctx", None)
    where = getattr(ctx, "command_path", None) or "openaudit"
    return f"{exc.format_message()} (see '{where} --help')"


def run() -> None:
    """The console script's entry point until 2026-12 (``openaudit.cli:run``, now ``openaudit.__main__:run``): a
    wrapper an earlier install wrote (an editable install keeps its scripts until it is reinstalled) still runs the
    CLI, without the start-up tuning of the garbage collector, which must begin before this module is imported."""
    main()


def main() -> None:
    """The CLI: typer's usage errors become one line on stderr (exit 2), like every other error. Called in-process
    by a host program, it leaves the host's garbage collector as it is (the tuning is ``openaudit.__main__.run``'s)."""
    argv = sys.argv[1:]
    try:
        code = _app_for(argv)(args=argv or ["--help"], prog_name="openaudit", standalone_mode=False)
    except typer.TyperException as exc:  # click's usage errors (exit 2) and other errors it reports
        from openaudit.textutil import sanitize

        line = _usage_line(exc) if getattr(exc, "exit_code", 1) == EXIT_USAGE else exc.format_message()
        sys.stderr.write(f"openaudit: error: {sanitize(line, one_line=True)}\n")
        code = getattr(exc, "exit_code", EXIT_USAGE)
    except typer.Abort:
        sys.stderr.write("openaudit: error: interrupted\n")
        code = 130
    except BrokenPipeError:  # a listing piped into `head`: what was asked for was shown
        silence_stdout()
        code = EXIT_OK
    except Exception:  # noqa: BLE001 (reached only with --debug (every command turns errors into one line otherwise))
        import traceback

        from openaudit.textutil import redact_secrets

        sys.stderr.write(redact_secrets(traceback.format_exc()))  # the token never appears, even here
        code = EXIT_USAGE
    code = code if isinstance(code, int) else EXIT_OK
    try:  # the flush at exit must not print "Exception ignored" or change the exit code
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except (OSError, ValueError) as exc:
        silence_stdout()
        reason = getattr(exc, "strerror", None) or exc
        sys.stderr.write(f"openaudit: error: cannot write to standard output: {reason}\n")
        code = max(code, EXIT_USAGE)
    sys.exit(code)
