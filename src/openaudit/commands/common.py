"""What the commands share: their options (defined once), the choice and range checks behind them, and the
output helpers (one error line, the report to standard output or a file, errors to exit codes).

Help shows plain metavars (``FORMAT``, ``N``, ``FILE``), never Python types: a choice is a ``str`` option
checked by a callback that names the values in words, a bounded number is checked the same way, and the
commands' positional arguments are described in each command's help text (typer prints an argument's Python
type beside it, so they are declared ``hidden``; the usage line still shows them).

No ``from __future__ import annotations`` here: typer reads the annotations of these options when it builds
a command, and string annotations cost an ``eval`` each (issue #8, bench/startup.py)."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer

from openaudit.commands.choices import DIFF_FORMATS, FAIL_ON, FORMATS, JOBS, LIST_FORMATS, MAX_DEPTH, SEVERITIES
from openaudit.errors import EXIT_USAGE, OpenAuditError


def in_words(values: tuple[str, ...]) -> str:
    """``table, json or markdown``."""
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def choice(values: tuple[str, ...], what: str) -> Callable[[str | None], str | None]:
    """An option callback accepting one of ``values`` (any case); a bad value is a usage error naming them."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        low = value.lower()
        if low not in values:
            raise typer.BadParameter(f"{value!r} is not {what}; use {in_words(values)}")
        return low

    return check


def completer(values: tuple[str, ...]) -> Callable[[str], list[str]]:
    """Shell completion of a choice option (``--install-completion``)."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete.lower())]

    return complete


def between(low: int, high: int | None = None) -> Callable[[int | None], int | None]:
    """An option callback accepting a whole number from ``low`` to ``high`` (no upper bound: None)."""

    def check(value: int | None) -> int | None:
        if value is None:
            return None
        if value < low or (high is not None and value > high):
            raise typer.BadParameter(f"{value} is out of range: use a number from {low} to {high}" if high is not None
                                     else f"{value} is out of range: use {low} or more")
        return value

    return check


def format_option(values: tuple[str, ...], help: str = "Output format") -> Any:
    """``-f/--format FORMAT``, one of ``values`` (the first is the default)."""
    return typer.Option("--format", "-f", metavar="FORMAT", callback=choice(values, "a format"),
                        autocompletion=completer(values), help=f"{help}: {in_words(values)}.")


FormatOption = Annotated[str, format_option(FORMATS)]
ListFormatOption = Annotated[str, format_option(LIST_FORMATS)]
DiffFormatOption = Annotated[str, format_option(DIFF_FORMATS)]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="One line per model: id, license, grade, OSAID, "
                                           "gate and the first reason (with the table format).")]
FailOnOption = Annotated[str | None, typer.Option(
    "--fail-on", metavar="LEVEL", callback=choice(FAIL_ON, "a level"), autocompletion=completer(FAIL_ON),
    show_default=False, help="Fail on errors only (error), or on warnings too (warning); overrides the policy's "
    "fail_on.")]
MinSeverityOption = Annotated[str, typer.Option(
    "--min-severity", metavar="LEVEL", callback=choice(SEVERITIES, "a severity"), autocompletion=completer(SEVERITIES),
    help="SARIF: the least severe finding written as a result: error, warning or note (note includes "
    "informational ones).")]

# Options several commands share, defined once.
MauOption = Annotated[str | None, typer.Option("--mau", metavar="USERS", show_default=False,
                                               help="Your monthly active users (700M, 1.2B, 5_000_000).")]
AnnualRevenueOption = Annotated[str | None, typer.Option("--annual-revenue", metavar="AMOUNT", show_default=False,
                                                         help="Your annual revenue (e.g. 1.2B).")]
MonthlyRevenueOption = Annotated[str | None, typer.Option("--monthly-revenue", metavar="AMOUNT", show_default=False,
                                                          help="Your monthly revenue.")]
RegionOption = Annotated[list[str] | None, typer.Option("--region", metavar="REGION", show_default=False,
                                                        help="Where you deploy: an ISO 3166-1 country code, EU or "
                                                        "EEA (repeatable).")]
CommercialOption = Annotated[bool | None, typer.Option("--commercial/--non-commercial", show_default=False,
                                                       help="Whether your use is commercial.")]
TrainOnOutputsOption = Annotated[bool, typer.Option("--train-on-outputs",
                                                    help="You use the model's outputs to train other models.")]
DistillOption = Annotated[bool, typer.Option("--distill", help="You distil this model into another.")]
PolicyOption = Annotated[str | None, typer.Option("--policy", metavar="FILE", show_default=False,
                                                  help="Policy file (default: .openaudit.yaml or [tool.openaudit] in "
                                                  "./pyproject.toml).")]
RulesOption = Annotated[list[str] | None, typer.Option("--rules", metavar="DIR", show_default=False,
                                                       help="Extra rule directory (repeatable).")]
OutputOption = Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", show_default=False,
                                                  help="Write the report to FILE instead of standard output.")]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Use only the Hub cache (also HF_HUB_OFFLINE=1).")]
MaxDepthOption = Annotated[int, typer.Option("--max-depth", metavar="N", callback=between(*MAX_DEPTH),
                                             help=f"Follow base_model this many hops upstream, {MAX_DEPTH[0]} to "
                                             f"{MAX_DEPTH[1]} (0: not at all).")]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]
JobsOption = Annotated[int, typer.Option("--jobs", "-j", metavar="N", callback=between(*JOBS),
                                         help=f"Targets audited at once, {JOBS[0]} to {JOBS[1]}.")]


def paths_argument() -> Any:
    """``[PATH]...``: files or directories (described in the command's help text)."""
    return typer.Argument(metavar="PATH", hidden=True, show_default=False)


def say_error(message: str) -> None:
    """One ``openaudit: error:`` line on stderr: control characters and tokens removed."""
    from openaudit.textutil import redact_secrets, sanitize

    sys.stderr.write(f"openaudit: error: {sanitize(redact_secrets(message), one_line=True)}\n")


def say_warning(message: str) -> None:
    from openaudit.textutil import sanitize

    sys.stderr.write(sanitize(f"openaudit: warning: {message}", one_line=True) + "\n")


def fail(message: str, code: int) -> NoReturn:
    """Print one error line on stderr and exit with ``code``."""
    say_error(message)
    raise typer.Exit(code)


_freeze_gc = False  # set by openaudit.__main__.run, the entry point of the openaudit process


def allow_fast_start() -> None:
    """Called by the entry point (``openaudit.__main__.run``), which turned the garbage collector off before
    importing the CLI: this process is the openaudit command, not a program hosting the app or calling
    ``openaudit.cli.main``, and the command about to run calls :func:`fast_start`."""
    global _freeze_gc
    _freeze_gc = True


def fast_start(one_target: bool = False) -> None:
    """Before a command imports the audit modules (issue #8, bench/startup.py): the objects made so far (typer
    & co) live until exit, so the garbage collector need not scan them again (~15% of a local check).

    ``one_target``: the command audits a single target and exits. The collector, off since the process started,
    then stays off: what the audit makes (modules, compiled patterns, loaded data, one report) is freed by
    reference counting or lives until exit, and collecting it found nothing but cost ~1.5% of a local check
    (issue 18). Otherwise it is turned on again: a batch's memory must stay flat however many models it audits."""
    global _freeze_gc
    if _freeze_gc:  # only in the openaudit process (openaudit.__main__.run), once: not in a host program
        import gc

        _freeze_gc = False
        gc.freeze()
        if one_target:
            gc.disable()
        else:
            gc.enable()


def need_cyclonedx(fmt: str) -> None:
    if fmt == "cyclonedx":
        import importlib.util

        if importlib.util.find_spec("cyclonedx") is None:
            fail("--format cyclonedx needs cyclonedx-python-lib: pip install 'cyclonedx-python-lib>=11,<12'",
                 EXIT_USAGE)


@contextmanager
def guarded(debug: bool) -> Iterator[None]:
    """Turn whatever the audit raises into one line and an exit code; a traceback only with --debug."""
    try:
        yield
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except typer.Exit:
        raise
    except Exception as exc:  # never a traceback unless asked
        if debug:
            raise
        fail(f"internal error: {exc.__class__.__name__}: {exc} (re-run with --debug and report it)", EXIT_USAGE)


RenderFn = Callable[..., None]


def emit(reports: Any, fmt: str, output: str | None, *, color: bool | None = None, trailer: str = "",
         render_fn: RenderFn | None = None, min_severity: str | None = None) -> None:
    """Render to standard output, or to ``output`` (written whole, UTF-8). ``render_fn``: instead of
    ``openaudit.report.render`` (same signature)."""
    import io

    if render_fn is None:
        from openaudit.report import render as render_all

        render_fn = render_all
    render: RenderFn = render_fn
    if min_severity is not None and fmt == "sarif":
        render = _with_min_severity(render, min_severity)
    if output is None:
        with stdout_errors():
            render(reports, fmt, sys.stdout, color=color)
            sys.stdout.write(trailer)
            sys.stdout.flush()
        return
    from openaudit.textutil import write_atomic

    buf = io.StringIO()
    render(reports, fmt, buf, color=False)
    try:  # whole or not at all, never through a symlink: a full disk leaves the previous file as it was
        write_atomic(output, buf.getvalue() + trailer)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)


def _with_min_severity(render_fn: RenderFn, min_severity: str) -> RenderFn:
    def render(reports: Any, fmt: str, out: Any, color: bool | None = None) -> None:
        render_fn(reports, fmt, out, color=color, min_severity=min_severity)
    return render


def silence_stdout() -> None:
    """Point standard output at /dev/null, so nothing more (not even the flush at exit) meets the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


@contextmanager
def stdout_errors() -> Iterator[None]:
    """Writing the report to standard output. A reader that went away (``| head``: a broken pipe) is not an
    error: the rest is dropped and the exit code stays the gate's. Any other write error (a full disk) is one
    line and exit 2."""
    try:
        yield
    except BrokenPipeError:
        silence_stdout()
    except OSError as exc:
        silence_stdout()
        fail(f"cannot write the report to standard output: {exc.strerror or exc}", EXIT_USAGE)


def write_stdout(text: str) -> None:
    with stdout_errors():
        sys.stdout.write(text)
        sys.stdout.flush()
