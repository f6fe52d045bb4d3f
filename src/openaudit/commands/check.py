"""``openaudit check``: audit models named on the command line, in a file, or by a Hub author."""

import itertools
import sys
from collections.abc import Iterable
from typing import Annotated, Any

import typer

from openaudit.commands.common import (
    AnnualRevenueOption,
    CommercialOption,
    DebugOption,
    DistillOption,
    FailOnOption,
    FormatOption,
    JobsOption,
    MauOption,
    MaxDepthOption,
    MinSeverityOption,
    MonthlyRevenueOption,
    NoColorOption,
    OfflineOption,
    OutputOption,
    PolicyOption,
    QuietOption,
    RegionOption,
    RulesOption,
    TrainOnOutputsOption,
    between,
    emit,
    fail,
    fast_start,
    guarded,
    need_cyclonedx,
    say_error,
)
from openaudit.errors import EXIT_USAGE, HubNotFound, HubUnreachable, OpenAuditError, UsageError


def check(
    targets: Annotated[list[str] | None, typer.Argument(metavar="TARGET", hidden=True, show_default=False)] = None,
    from_file: Annotated[str | None, typer.Option("--from", metavar="FILE", show_default=False,
                                                  help="Read targets from FILE, one per line (# comments; "
                                                  "- for stdin).")] = None,
    author: Annotated[str | None, typer.Option("--author", metavar="ORG", show_default=False,
                                               help="Audit every model of this Hub user or organisation.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", metavar="N", callback=between(1), show_default=False,
                                              help="With --author: audit at most N models (in the Hub's listing "
                                              "order).")] = None,
    max_depth: MaxDepthOption = 3,
    jobs: JobsOption = 8,
    fmt: FormatOption = "table",
    offline: OfflineOption = False,
    mau: MauOption = None,
    annual_revenue: AnnualRevenueOption = None,
    monthly_revenue: MonthlyRevenueOption = None,
    region: RegionOption = None,
    commercial: CommercialOption = None,
    train_on_outputs: TrainOnOutputsOption = False,
    distill: DistillOption = False,
    policy_file: PolicyOption = None,
    rules: RulesOption = None,
    fail_on: FailOnOption = None,
    output: OutputOption = None,
    quiet: QuietOption = False,
    min_severity: MinSeverityOption = "warning",
    no_color: NoColorOption = False,
    debug: DebugOption = False,
) -> None:
    """Audit models: license, terms that bind you, openness.

    \b
    Arguments:
      TARGET...  A Hub model id (org/name or org/name@revision), a local model
                 directory, a model card file, a .gguf file or an Ollama model
                 (ollama:NAME[:TAG]).

    Exit 0 gate passed, 1 gate failed, 2 usage error, 3 evidence unavailable.
    """
    fast_start(one_target=len(targets or ()) == 1 and not from_file and not author)
    from openaudit import batch
    from openaudit.context import DeploymentContext
    from openaudit.policy import load_policy

    if not targets and not from_file and not author:
        fail("no TARGET given (or use --from FILE / --author ORG)", EXIT_USAGE)
    if limit is not None and not author:
        fail("--limit applies to --author only", EXIT_USAGE)
    need_cyclonedx(fmt)
    with guarded(debug):
        context = DeploymentContext.from_options(
            mau=mau, annual_revenue=annual_revenue, monthly_revenue=monthly_revenue, regions=region or [],
            commercial=commercial, train_on_outputs=train_on_outputs, distill=distill)
        policy = load_policy(policy_file)
        if fail_on is not None:
            policy.fail_on = fail_on
        names = list(targets or []) + (batch.targets_from_file(from_file) if from_file else [])
        if not names and not author:
            raise UsageError(f"--from {from_file}: no targets in the file")
        items: Iterable[batch.Item] = batch.items_for(names, offline=offline)  # malformed: fails before any fetch
        if author:  # its listing is read as the batch goes (the first page now)
            items = itertools.chain(items, batch.list_author(author, offline=offline, limit=limit))
        stream = _jsonl_stream(names) if fmt == "jsonl" and output is None else None
        outcome = batch.run(items, context=context, policy=policy, offline=offline, rules=tuple(rules or ()),
                            max_depth=max_depth, jobs=jobs, progress=sys.stderr.isatty(), debug=debug,
                            on_done=stream)
    if stream is not None:  # each line (or error line) went out as its target finished
        raise typer.Exit(outcome.exit_code)
    for target, err in outcome.errors:  # the targets that could not be audited: one line each
        say_error(error_line(target, err) if target in names else err.message)
    if outcome.reports:
        quiet_table = quiet and fmt == "table"
        many = outcome.count > 1 and fmt == "table" and not quiet_table
        width = None
        if many and output is None:
            from openaudit.report.catalog import terminal_width

            width = terminal_width(sys.stdout)
        emit(outcome.reports, "quiet" if quiet_table else fmt, output, color=False if no_color else None,
             trailer=batch.summary_text(outcome.reports, outcome.errors, width=width) if many else "",
             min_severity=min_severity)
    raise typer.Exit(outcome.exit_code)


def _jsonl_stream(names: list[str]) -> Any:
    """``check -f jsonl`` on standard output: each report line (or error line on stderr) is written as soon as its
    target finishes, in the order targets finish, and not kept (a 10,000-model batch holds one report at a time
    per worker). Other formats and ``--output`` need every report first."""
    from openaudit.commands.common import stdout_errors
    from openaudit.report import render

    def done(item: Any, result: Any) -> None:
        if isinstance(result, OpenAuditError):
            say_error(error_line(item.target, result) if item.target in names else result.message)
            return
        with stdout_errors():
            render([result], "jsonl", sys.stdout)
            sys.stdout.flush()

    return done


def error_line(target: str, err: OpenAuditError) -> str:
    """The error line of a TARGET the user named that is no local path and failed as a Hub id: both are said
    (a mistyped directory reads as a Hub id)."""
    if isinstance(err, HubNotFound):
        return (f"{target}: not found: no such local file or directory, and no Hub repository of that name (or a "
                "private one your token cannot see)")
    if isinstance(err, HubUnreachable):
        return f"{err.message}; and no local file or directory of that name"
    return err.message
