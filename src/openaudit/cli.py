"""Command-line interface. Thin: parse options, call the audit API, render, map errors to exit codes."""

from __future__ import annotations

import sys
from enum import StrEnum
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


class Format(StrEnum):
    """Formats of `openaudit check`: one per renderer in openaudit.report.RENDERERS."""

    table = "table"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


class ListFormat(StrEnum):
    """Formats of the listing commands (licenses, rules, explain)."""

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
        show_default=False, metavar="TARGET")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    offline: Annotated[bool, typer.Option("--offline", help="Use only the Hub cache (also HF_HUB_OFFLINE=1).")]
    = False,
    mau: Annotated[str | None, typer.Option("--mau", help="Your monthly active users (700M, 1.2B, 5_000_000).",
                                            show_default=False)] = None,
    annual_revenue: Annotated[str | None, typer.Option("--annual-revenue", help="Your annual revenue (e.g. 1.2B).",
                                                       show_default=False)] = None,
    monthly_revenue: Annotated[str | None, typer.Option("--monthly-revenue", help="Your monthly revenue.",
                                                        show_default=False)] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="Where you deploy: a country code or EU "
                                                     "(repeatable).", show_default=False)] = None,
    commercial: Annotated[bool | None, typer.Option("--commercial/--non-commercial",
                                                    help="Whether your use is commercial.", show_default=False)]
    = None,
    train_on_outputs: Annotated[bool, typer.Option("--train-on-outputs",
                                                   help="You use the model's outputs to train other models.")]
    = False,
    distill: Annotated[bool, typer.Option("--distill", help="You distil this model into another.")] = False,
    policy_file: Annotated[str | None, typer.Option("--policy", help="Policy file (default: .openaudit.yaml or "
                                                    "[tool.openaudit] in ./pyproject.toml).", show_default=False)]
    = None,
    rules: Annotated[list[str] | None, typer.Option("--rules", help="Extra rule directory (repeatable).",
                                                    show_default=False)] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the report to FILE instead of "
                                               "standard output.", show_default=False)] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")] = False,
) -> None:
    """Audit models: license, terms that bind you, openness.

    Exit 0 gate passed, 1 gate failed, 2 usage error, 3 evidence unavailable.
    """
    from openaudit.audit import audit
    from openaudit.context import DeploymentContext
    from openaudit.policy import load_policy

    reports = []
    try:
        context = DeploymentContext.from_options(
            mau=mau, annual_revenue=annual_revenue, monthly_revenue=monthly_revenue, regions=region or [],
            commercial=commercial, train_on_outputs=train_on_outputs, distill=distill)
        policy = load_policy(policy_file)
        for target in targets:
            reports.append(audit(target, context=context, policy=policy, offline=offline, rules=tuple(rules or ())))
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:  # never a traceback unless asked
        if debug:
            raise
        fail(f"internal error: {exc.__class__.__name__}: {exc} (re-run with --debug and report it)", EXIT_USAGE)
    emit(reports, fmt.value, output, color=False if no_color else None)
    raise typer.Exit(EXIT_OK if all(r.passed for r in reports) else EXIT_GATE_FAILED)


def emit(reports: list, fmt: str, output: str | None, *, color: bool | None = None) -> None:
    """Render to standard output, or to ``output`` (written whole, UTF-8)."""
    import io

    from openaudit.report import render

    if output is None:
        render(reports, fmt, sys.stdout, color=color)
        sys.stdout.flush()
        return
    buf = io.StringIO()
    render(reports, fmt, buf, color=False)
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(buf.getvalue())
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)


@app.command("rules")
def rules_cmd(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
) -> None:
    """List the rules: code, severity, standard and title. `openaudit explain CODE` shows a rule's docs."""
    from openaudit.engine.rules import load_ruleset
    from openaudit.report.catalog import render_rules

    try:
        render_rules(list(load_ruleset()), fmt.value, sys.stdout)
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)


@app.command("licenses")
def licenses_cmd(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
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
    name: Annotated[str, typer.Argument(help="A rule code (OA201) or a license id, Hub id or SPDX id.")],
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
) -> None:
    """Explain a rule (what, why, how to fix) or a license (ids, OSI status, terms and their clauses)."""
    import re

    from openaudit.licenses.catalog import load_catalog
    from openaudit.report.catalog import render_entry, render_rule

    if re.fullmatch(r"(?i)OA[0-9]{3}", name):
        from openaudit.engine.rules import load_ruleset

        try:
            rule = load_ruleset().get(name)
        except OpenAuditError as exc:
            fail(exc.message, exc.exit_code)
        if rule is None:
            fail(f"unknown rule {name!r}; `openaudit rules` lists them", EXIT_USAGE)
        render_rule(rule, fmt.value, sys.stdout)
        return
    try:
        catalog = load_catalog()
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
    entry = catalog.get(name) or catalog.by_hub_id(name) or catalog.by_spdx(name) or catalog.by_name(name)
    if entry is None:
        fail(f"unknown license or rule {name!r}; `openaudit licenses` and `openaudit rules` list them", EXIT_USAGE)
    render_entry(entry, fmt.value, sys.stdout)


def main() -> None:
    """Entry point: click's usage errors become one line on stderr (exit 2), like every other error."""
    try:  # typer >= 0.20 vendors click as typer._click; older typer uses click itself
        from typer._click import exceptions as cx
    except ImportError:  # pragma: no cover
        from click import exceptions as cx

    try:
        code = app(standalone_mode=False)
    except cx.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
        code = EXIT_OK
    except cx.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "openaudit"
        sys.stderr.write(f"openaudit: error: {exc.format_message()} (see '{where} --help')\n")
        code = EXIT_USAGE
    except cx.Abort:
        sys.stderr.write("openaudit: error: interrupted\n")
        code = 130
    sys.exit(code if isinstance(code, int) else EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    main()
