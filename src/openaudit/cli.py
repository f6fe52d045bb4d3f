"""Command-line interface. Thin: parse options, call the audit API, render, map errors to exit codes."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from openaudit import __version__
from openaudit.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE, OpenAuditError

app = typer.Typer(
    name="openaudit",
    help="License and openness auditor for AI models. Every finding cites the clause behind it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    table = "table"
    json = "json"


def _version(value: bool) -> None:
    if value:
        print(f"openaudit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """openaudit: what may you do with this model, and how open is it really?"""


def fail(message: str, code: int) -> None:
    """Print one line on stderr and exit with ``code``."""
    from openaudit.textutil import sanitize

    sys.stderr.write(f"openaudit: error: {sanitize(message, one_line=True)}\n")
    raise typer.Exit(code)


@app.command()
def check(
    targets: Annotated[list[str], typer.Argument(
        help="Hub model id (org/name or org/name@revision), a local model directory, or a model card file.",
        show_default=False)],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    offline: Annotated[bool, typer.Option("--offline", help="Use only the Hub cache (also HF_HUB_OFFLINE=1).")]
    = False,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")] = False,
) -> None:
    """Audit models: license, terms that bind you, openness. Exit 0 pass, 1 gate failed, 2 usage, 3 no evidence."""
    from openaudit.audit import audit
    from openaudit.report import render

    reports = []
    try:
        for target in targets:
            reports.append(audit(target, offline=offline))
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:  # never a traceback unless asked
        if debug:
            raise
        fail(f"internal error: {exc.__class__.__name__}: {exc} (re-run with --debug and report it)", EXIT_USAGE)
    render(reports, fmt.value, sys.stdout, color=False if no_color else None)
    sys.stdout.flush()
    raise typer.Exit(EXIT_OK if all(r.passed for r in reports) else EXIT_GATE_FAILED)


@app.command("licenses")
def licenses_cmd(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """List the license catalog: id, OSI approval, category, name and the kinds of terms it carries."""
    from openaudit.licenses.catalog import load_catalog
    from openaudit.report.catalog import render_list

    try:
        render_list(load_catalog(), fmt.value, sys.stdout)
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="A license id (see `openaudit licenses`), Hub id or SPDX id.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Explain one license: its ids, OSI status and the terms that bind you, with the clause for each."""
    from openaudit.licenses.catalog import load_catalog
    from openaudit.report.catalog import render_entry

    try:
        catalog = load_catalog()
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
    entry = catalog.get(name) or catalog.by_hub_id(name) or catalog.by_spdx(name) or catalog.by_name(name)
    if entry is None:
        fail(f"unknown license id {name!r}; `openaudit licenses` lists the known ones", EXIT_USAGE)
    render_entry(entry, fmt.value, sys.stdout)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
