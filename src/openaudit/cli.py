"""Command-line interface. Thin: parse options, call the audit API, render, map errors to exit codes.

No ``from __future__ import annotations`` here: typer reads every command's annotations when it starts, and
string annotations cost an ``eval`` each (~20 ms for all commands; issue #8, bench/startup.py)."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated

import typer

from openaudit import __version__
from openaudit.errors import EXIT_OK, EXIT_USAGE, OpenAuditError, UsageError

app = typer.Typer(
    name="openaudit",
    help="License and openness auditor for AI models. Every finding cites the clause behind it.",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(StrEnum):
    """Formats of `openaudit check`: one per renderer in openaudit.report.RENDERERS."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    sarif = "sarif"
    cyclonedx = "cyclonedx"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"


class MinSeverity(StrEnum):
    """The least severe finding written as a SARIF result."""

    error = "error"
    warning = "warning"
    note = "note"


QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="One line per model: id, license, grade, OSAID, "
                                           "gate and the first reason (with the table format).")]
FailOnOption = Annotated[FailOn | None, typer.Option("--fail-on", help="Fail on errors only, or on warnings too "
                                                     "(overrides the policy's fail_on).", show_default=False)]
MinSeverityOption = Annotated[MinSeverity, typer.Option("--min-severity", help="SARIF: the least severe finding "
                                                        "written as a result (note includes informational ones).")]


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
RulesOption = Annotated[list[str] | None, typer.Option("--rules", metavar="DIR", show_default=False,
                                                       help="Extra rule directory (repeatable).")]
OutputOption = Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", show_default=False,
                                                  help="Write the report to FILE instead of standard output.")]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show a traceback on internal errors.")]


class ListFormat(StrEnum):
    """Formats of the listing commands (licenses, rules, explain)."""

    table = "table"
    json = "json"


class DiffFormat(StrEnum):
    """Formats of `openaudit diff` (openaudit.diff.FORMATS)."""

    table = "table"
    json = "json"
    markdown = "markdown"


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


def say_error(message: str) -> None:
    """One ``openaudit: error:`` line on stderr: control characters and tokens removed."""
    from openaudit.textutil import redact_secrets, sanitize

    sys.stderr.write(f"openaudit: error: {sanitize(redact_secrets(message), one_line=True)}\n")


def fail(message: str, code: int) -> None:
    """Print one error line on stderr and exit with ``code``."""
    say_error(message)
    raise typer.Exit(code)


def _fast_start() -> None:
    """Before a command imports the audit modules (issue #8, bench/startup.py): the objects made so far (typer
    & co) live until exit, so the garbage collector need not scan them again (~15% of a local check)."""
    global _freeze_gc
    if _freeze_gc:  # only in the openaudit process (main), once: not in a host program using the app
        import gc

        _freeze_gc = False
        gc.freeze()


_freeze_gc = False  # set by main()


@app.command()
def check(
    targets: Annotated[list[str] | None, typer.Argument(
        help="Hub model id (org/name or org/name@revision), a local model directory, a model card file, a .gguf "
        "file or an Ollama model (ollama:NAME[:TAG]).",
        show_default=False, metavar="TARGET")] = None,
    from_file: Annotated[str | None, typer.Option("--from", metavar="FILE",
                                                  help="Read targets from FILE, one per line (# comments; "
                                                  "- for stdin).", show_default=False)] = None,
    author: Annotated[str | None, typer.Option("--author", metavar="ORG",
                                               help="Audit every model of this Hub user or organisation.",
                                               show_default=False)] = None,
    limit: Annotated[int | None, typer.Option("--limit", metavar="N",
                                              min=1, help="With --author: audit at most N models (in the "
                                              "Hub's listing order).", show_default=False)] = None,
    max_depth: Annotated[int, typer.Option("--max-depth", metavar="N", min=0, max=10,
                                           help="Follow base_model this many hops upstream (0: not at all).")] = 3,
    jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N", min=1, max=8, help="Targets audited at once.")] = 8,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    offline: Annotated[bool, typer.Option("--offline", help="Use only the Hub cache (also HF_HUB_OFFLINE=1).")]
    = False,
    mau: MauOption = None,
    annual_revenue: AnnualRevenueOption = None,
    monthly_revenue: MonthlyRevenueOption = None,
    region: RegionOption = None,
    commercial: CommercialOption = None,
    train_on_outputs: TrainOnOutputsOption = False,
    distill: DistillOption = False,
    policy_file: Annotated[str | None, typer.Option("--policy", metavar="FILE",
                                                    help="Policy file (default: .openaudit.yaml or "
                                                    "[tool.openaudit] in ./pyproject.toml).", show_default=False)]
    = None,
    rules: RulesOption = None,
    fail_on: FailOnOption = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
    min_severity: MinSeverityOption = MinSeverity.warning,
    no_color: NoColorOption = False,
    debug: DebugOption = False,
) -> None:
    """Audit models: license, terms that bind you, openness.

    Exit 0 gate passed, 1 gate failed, 2 usage error, 3 evidence unavailable.
    """
    _fast_start()
    from openaudit import batch
    from openaudit.context import DeploymentContext
    from openaudit.policy import load_policy

    if not targets and not from_file and not author:
        fail("no TARGET given (or use --from FILE / --author ORG)", EXIT_USAGE)
    if limit is not None and not author:
        fail("--limit applies to --author only", EXIT_USAGE)
    if fmt == Format.cyclonedx:
        import importlib.util

        if importlib.util.find_spec("cyclonedx") is None:
            fail("--format cyclonedx needs cyclonedx-python-lib: pip install 'cyclonedx-python-lib>=11,<12'",
                 EXIT_USAGE)
    with guarded(debug):
        context = DeploymentContext.from_options(
            mau=mau, annual_revenue=annual_revenue, monthly_revenue=monthly_revenue, regions=region or [],
            commercial=commercial, train_on_outputs=train_on_outputs, distill=distill)
        policy = load_policy(policy_file)
        if fail_on is not None:
            policy.fail_on = fail_on.value
        names = list(targets or []) + (batch.targets_from_file(from_file) if from_file else [])
        if not names and not author:
            raise UsageError(f"--from {from_file}: no targets in the file")
        items = batch.items_for(names, offline=offline)  # a malformed target fails the run before any fetch
        if author:
            items += batch.list_author(author, offline=offline, limit=limit)
        outcome = batch.run(items, context=context, policy=policy, offline=offline, rules=tuple(rules or ()),
                            max_depth=max_depth, jobs=jobs, progress=sys.stderr.isatty(), debug=debug)
    for _target, err in outcome.errors:  # the targets that could not be audited: one line each
        say_error(err.message)
    if outcome.reports:
        quiet_table = quiet and fmt == Format.table
        many = len(items) > 1 and fmt == Format.table and not quiet_table
        emit(outcome.reports, "quiet" if quiet_table else fmt.value, output, color=False if no_color else None,
             trailer=batch.summary_text(outcome.reports, outcome.errors) if many else "",
             min_severity=min_severity.value)
    raise typer.Exit(outcome.exit_code)


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


def emit(reports: list, fmt: str, output: str | None, *, color: bool | None = None, trailer: str = "",
         render_fn=None, min_severity: str | None = None) -> None:
    """Render to standard output, or to ``output`` (written whole, UTF-8). ``render_fn``: instead of
    ``openaudit.report.render`` (same signature)."""
    import io

    if render_fn is None:
        from openaudit.report import render as render_fn
    render = render_fn
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


def _with_min_severity(render_fn, min_severity: str):
    def render(reports, fmt, out, color=None):
        return render_fn(reports, fmt, out, color=color, min_severity=min_severity)
    return render


def _silence_stdout() -> None:
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
        _silence_stdout()
    except OSError as exc:
        _silence_stdout()
        fail(f"cannot write the report to standard output: {exc.strerror or exc}", EXIT_USAGE)


@app.command()
def scan(
    paths: Annotated[list[str] | None, typer.Argument(help="Files or directories to scan (default: the current "
                                                      "directory).", show_default=False, metavar="PATH")]
    = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    output: OutputOption = None,
    policy_file: Annotated[str | None, typer.Option("--policy", metavar="FILE",
                                                    help="Policy file (default: .openaudit.yaml or "
                                                    "[tool.openaudit] in ./pyproject.toml).", show_default=False)]
    = None,
    fail_on: FailOnOption = None,
    quiet: QuietOption = False,
    min_severity: MinSeverityOption = MinSeverity.warning,
    summary: Annotated[str | None, typer.Option("--summary", metavar="FILE",
                                                help="Also write the Markdown report to FILE (e.g. a CI job "
                                                "summary), from the same scan.", show_default=False)] = None,
    lock_file: Annotated[str, typer.Option("--lock", metavar="FILE",
                                           help="Lock file written by `openaudit lock` (used when it "
                                           "exists).")] = "openaudit.lock",
    offline: Annotated[bool, typer.Option("--offline", help="Use only the Hub cache (also HF_HUB_OFFLINE=1); with "
                                          "a lock, the locked revisions.")] = False,
    rules: RulesOption = None,
    no_color: NoColorOption = False,
    debug: DebugOption = False,
) -> None:
    """Find the models a code base uses (from_pretrained, pipeline, hf_hub_download, server flags, config keys,
    the policy's `models:`), audit each with the policy and exit with the worst result.

    Exit 0 every gate passed, 1 a gate failed, 2 usage error, 3 evidence unavailable for a model.
    """
    _fast_start()
    from openaudit.lock import read_lock
    from openaudit.policy import load_policy
    from openaudit.scan import audit_uses, find_models, render_outcome

    with guarded(debug):
        policy = load_policy(policy_file)
        if fail_on is not None:
            policy.fail_on = fail_on.value
        uses = find_models(paths or ["."], policy)
        outcome = audit_uses(uses, policy=policy, offline=offline, lock=read_lock(lock_file), lock_file=lock_file,
                             rules=tuple(rules or ()))
    from openaudit.textutil import sanitize

    for line in outcome.error_lines():  # the models that could not be audited: one line each, with where
        say_error(line)
    if offline_ids := outcome.offline_models():
        sys.stderr.write(sanitize(f"openaudit: decided offline from {lock_file} (locked revisions from the Hub "
                                  f"cache): {', '.join(offline_ids)}", one_line=True) + "\n")
    if not uses and fmt == Format.table and output is None:
        with stdout_errors():
            sys.stdout.write("openaudit: no model references found\n")
            sys.stdout.flush()
    else:
        emit(outcome.reports, "quiet" if quiet and fmt == Format.table else fmt.value, output,
             color=False if no_color else None, min_severity=min_severity.value,
             render_fn=lambda _reports, f, out, color=None, min_severity=None: render_outcome(
                 outcome, f, out, color=color, min_severity=min_severity))
    if summary:  # the same outcome again as Markdown: one scan gives the report and the job summary
        emit(outcome.reports, "markdown", summary,
             render_fn=lambda _reports, f, out, color=None, min_severity=None: render_outcome(outcome, f, out))
    raise typer.Exit(outcome.exit_code)


@app.command()
def lock(
    paths: Annotated[list[str] | None, typer.Argument(help="Files or directories to scan (default: the current "
                                                      "directory).", show_default=False, metavar="PATH")]
    = None,
    lock_file: Annotated[str, typer.Option("--lock", metavar="FILE", help="Lock file to write.")] = "openaudit.lock",
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format of the summary (the lock file "
                                            "itself is YAML).")] = ListFormat.table,
    policy_file: Annotated[str | None, typer.Option("--policy", metavar="FILE",
                                                    help="Policy file (its `models:` are locked too).",
                                                    show_default=False)] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Use only the Hub cache (also HF_HUB_OFFLINE=1).")]
    = False,
    debug: DebugOption = False,
) -> None:
    """Record each model the code base uses in openaudit.lock: revision sha, license, key terms and an audit
    digest, so `scan` can decide offline and report drift (OA908). Exit 3 (nothing written) if a model
    cannot be audited."""
    from openaudit.lock import entry, write_lock
    from openaudit.policy import load_policy
    from openaudit.scan import audit_uses, find_models

    with guarded(debug):
        policy = load_policy(policy_file)
        uses = find_models(paths or ["."], policy)
        outcome = audit_uses(uses, policy=policy, offline=offline)
        if outcome.errors:
            raise outcome.errors[0][1]
        entries = {use.target: entry(r) for use, r in zip(uses, outcome.reports, strict=True)}
        write_lock(lock_file, entries)
    from openaudit.textutil import sanitize

    with stdout_errors():
        if fmt == ListFormat.json:
            import json

            sys.stdout.write(json.dumps({"lock": lock_file, "models": entries}, indent=2, ensure_ascii=True) + "\n")
            sys.stdout.flush()
            return
        for target, e in entries.items():
            rev = (e["revision"] or "local")[:12]
            sys.stdout.write(sanitize(f"locked {target} @ {rev}: {e['license']} {e['digest'][:19]}", one_line=True)
                             + "\n")
        sys.stdout.write(f"openaudit: wrote {len(entries)} model(s) to {sanitize(lock_file, one_line=True)}\n")
        sys.stdout.flush()


@app.command()
def inventory(
    paths: Annotated[list[str] | None, typer.Argument(help="Also audit these: .gguf files, model directories, an "
                                                      "Ollama store or Hugging Face cache, or folders to search.",
                                                      show_default=False, metavar="PATH")] = None,
    stores: Annotated[bool, typer.Option("--stores/--no-stores", help="Look in the Hugging Face cache, Ollama's "
                                         "store and LM Studio's models folder (--no-stores: only the PATHs).")]
    = True,
    max_depth: Annotated[int, typer.Option("--max-depth", metavar="N", min=0, max=10,
                                           help="Follow base_model this many hops upstream, in the Hugging Face "
                                           "cache (0: not at all).")] = 3,
    jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N", min=1, max=8, help="Models audited at once.")] = 8,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format (table: one summary line per model; "
                                        "the others: every report).")] = Format.table,
    mau: MauOption = None,
    annual_revenue: AnnualRevenueOption = None,
    monthly_revenue: MonthlyRevenueOption = None,
    region: RegionOption = None,
    commercial: CommercialOption = None,
    train_on_outputs: TrainOnOutputsOption = False,
    distill: DistillOption = False,
    policy_file: Annotated[str | None, typer.Option("--policy", metavar="FILE",
                                                    help="Policy file (default: .openaudit.yaml or "
                                                    "[tool.openaudit] in ./pyproject.toml).", show_default=False)]
    = None,
    rules: RulesOption = None,
    fail_on: FailOnOption = None,
    output: OutputOption = None,
    no_color: NoColorOption = False,
    debug: DebugOption = False,
) -> None:
    """Find the models installed on this machine (Hugging Face cache, Ollama, LM Studio, .gguf files and model
    directories under PATHs) and audit each offline: no network request is made.

    Exit 0 every gate passed, 1 a gate failed, 2 usage error, 3 evidence unavailable for a model (e.g. a
    truncated GGUF header).
    """
    _fast_start()
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"  # before huggingface_hub is imported: the whole run is offline
    from openaudit import batch
    from openaudit import inventory as inv
    from openaudit.context import DeploymentContext
    from openaudit.policy import load_policy
    from openaudit.textutil import sanitize

    if fmt == Format.cyclonedx:
        import importlib.util

        if importlib.util.find_spec("cyclonedx") is None:
            fail("--format cyclonedx needs cyclonedx-python-lib: pip install 'cyclonedx-python-lib>=11,<12'",
                 EXIT_USAGE)
    with guarded(debug):
        context = DeploymentContext.from_options(
            mau=mau, annual_revenue=annual_revenue, monthly_revenue=monthly_revenue, regions=region or [],
            commercial=commercial, train_on_outputs=train_on_outputs, distill=distill)
        policy = load_policy(policy_file)
        if fail_on is not None:
            policy.fail_on = fail_on.value
        found = inv.discover(list(paths or []), stores=stores)
        for w in found.warnings:
            sys.stderr.write(sanitize(f"openaudit: warning: {w}", one_line=True) + "\n")
        items = [batch.Item(f.target, f.source) for f in found.found]
        outcome = batch.run(items, context=context, policy=policy, offline=True, rules=tuple(rules or ()),
                            max_depth=max_depth, jobs=jobs, progress=inv.progress_wanted(), debug=debug)
        inv.annotate(found.found, outcome.reports, outcome.errors)
    for _target, err in outcome.errors:
        say_error(err.message)
    if fmt == Format.table:
        text = (inv.table(found.found, outcome.reports, outcome.errors) if found.found
                else "openaudit: no models found\n")
        if output is None:
            sys.stdout.write(text)
        else:
            try:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError as exc:
                fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)
    else:
        emit(outcome.reports, fmt.value, output, color=False if no_color else None)
    raise typer.Exit(outcome.exit_code)


@app.command("rules")
def rules_cmd(
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
) -> None:
    """List the rules: code, severity, standard and title. `openaudit explain CODE` shows a rule's docs."""
    from openaudit.engine.rules import load_ruleset
    from openaudit.report.catalog import render_rules

    try:
        with stdout_errors():
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
        with stdout_errors():
            render_list(load_catalog(), fmt.value, sys.stdout)
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)


@app.command()
def explain(
    name: Annotated[str, typer.Argument(help="A rule code (OA201), a license id, Hub id or SPDX id, or a topic: "
                                        "grade, osaid, mof, confidence, references.")],
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = ListFormat.table,
) -> None:
    """Explain a rule (what, why, how to fix), a license (ids, OSI status, terms and their clauses), how a
    report's grade, OSAID verdict, MOF class or license confidence is decided, or `references` (the published
    assessments shown beside our verdicts: what each assessor measures)."""
    import re

    from openaudit.report.topics import TOPICS, render_topic

    if name.lower() in TOPICS:
        with guarded(False):
            render_topic(name.lower(), fmt.value, sys.stdout)
        return

    from openaudit.licenses.catalog import load_catalog
    from openaudit.report.catalog import render_entry, render_rule

    if name.lower() == "references":
        from openaudit.report.catalog import render_references_topic

        render_references_topic(fmt.value, sys.stdout)
        return
    if re.fullmatch(r"(?i)OA[0-9]{3}", name):
        from openaudit.engine.rules import load_ruleset

        try:
            rule = load_ruleset().get(name)
        except OpenAuditError as exc:
            fail(exc.message, exc.exit_code)
        if rule is None:
            fail(f"unknown rule {name!r}; `openaudit rules` lists them", EXIT_USAGE)
        with stdout_errors():
            render_rule(rule, fmt.value, sys.stdout)
            sys.stdout.flush()
        return
    try:
        catalog = load_catalog()
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
    entry = catalog.get(name) or catalog.by_hub_id(name) or catalog.by_spdx(name) or catalog.by_name(name)
    if entry is None:
        fail(f"unknown license or rule {name!r}; `openaudit licenses` and `openaudit rules` list them", EXIT_USAGE)
    with stdout_errors():
        render_entry(entry, fmt.value, sys.stdout)
        sys.stdout.flush()


@app.command("diff")
def diff_cmd(
    old: Annotated[str, typer.Argument(help="The old revision: org/name@REV_A, or a local directory.",
                                       show_default=False, metavar="TARGET@REV_A")],
    new: Annotated[str, typer.Argument(help="The new revision: org/name@REV_B, or a local directory.",
                                       show_default=False, metavar="TARGET@REV_B")],
    fmt: Annotated[DiffFormat, typer.Option("--format", "-f", help="Output format.")] = DiffFormat.table,
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE",
                                               help="Write the comparison to FILE instead of "
                                               "standard output.", show_default=False)] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Use only the Hub cache (also HF_HUB_OFFLINE=1).")]
    = False,
    debug: DebugOption = False,
) -> None:
    """Compare two revisions: license, restrictions, grade, OSAID verdict, with the clauses in each.

    Exit 0 terms not stricter, 1 terms became stricter, 2 usage error, 3 evidence unavailable.
    """
    from openaudit.audit import audit
    from openaudit.diff import diff_reports, render_diff

    with guarded(debug):
        result = diff_reports(audit(old, offline=offline), audit(new, offline=offline))
    emit(result, fmt.value, output, render_fn=lambda res, f, stream, color=None: render_diff(res, f, stream))
    raise typer.Exit(1 if result["stricter"] else EXIT_OK)


def _app_for(argv: list[str]) -> typer.Typer:
    """``app`` with only the command named first in ``argv`` (typer builds every registered command's options
    at start-up, ~10 ms for all of ours: issue #8); ``app`` itself for anything else (help, typos, --version)."""
    import copy

    if not argv or argv[0].startswith("-"):
        return app
    try:
        chosen = [c for c in app.registered_commands
                  if (c.name or c.callback.__name__).lower().replace("_", "-") == argv[0]]
        if len(chosen) != 1 or app.registered_groups:
            return app
        one = copy.copy(app)
        one.registered_commands = chosen
        return one
    except Exception:  # a typer without these attributes: the whole app
        return app


def main() -> None:
    """Entry point: click's usage errors become one line on stderr (exit 2), like every other error."""
    try:  # typer >= 0.20 vendors click as typer._click (Abort lives in typer.exceptions); older typer uses click
        from typer._click import exceptions as cx
        from typer.exceptions import Abort
    except ImportError:  # pragma: no cover
        from click import exceptions as cx
        from click.exceptions import Abort

    global _freeze_gc
    _freeze_gc = True
    try:
        code = _app_for(sys.argv[1:])(standalone_mode=False)
    except cx.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n" if exc.ctx else "")
        code = EXIT_OK
    except cx.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "openaudit"
        sys.stderr.write(f"openaudit: error: {exc.format_message()} (see '{where} --help')\n")
        code = EXIT_USAGE
    except Abort:
        sys.stderr.write("openaudit: error: interrupted\n")
        code = 130
    except BrokenPipeError:  # a listing piped into `head`: what was asked for was shown
        _silence_stdout()
        code = EXIT_OK
    except Exception:  # reached only with --debug (every command turns errors into one line otherwise)
        import traceback

        from openaudit.textutil import redact_secrets

        sys.stderr.write(redact_secrets(traceback.format_exc()))  # the token never appears, even here
        code = EXIT_USAGE
    code = code if isinstance(code, int) else EXIT_OK
    try:  # the flush at exit must not print "Exception ignored" or change the exit code
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (OSError, ValueError) as exc:
        _silence_stdout()
        reason = getattr(exc, "strerror", None) or exc
        sys.stderr.write(f"openaudit: error: cannot write to standard output: {reason}\n")
        code = max(code, EXIT_USAGE)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
