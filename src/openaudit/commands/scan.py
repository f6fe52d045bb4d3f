"""``openaudit scan``: find the models a code base uses and audit each with the policy."""

import sys
from typing import Annotated

import typer

from openaudit.commands.common import (
    DebugOption,
    FailOnOption,
    FormatOption,
    MinSeverityOption,
    NoColorOption,
    OutputOption,
    PolicyOption,
    QuietOption,
    RulesOption,
    emit,
    fast_start,
    guarded,
    paths_argument,
    say_error,
    write_stdout,
)


def scan(
    paths: Annotated[list[str] | None, paths_argument()] = None,
    fmt: FormatOption = "table",
    output: OutputOption = None,
    policy_file: PolicyOption = None,
    fail_on: FailOnOption = None,
    quiet: QuietOption = False,
    min_severity: MinSeverityOption = "warning",
    summary: Annotated[str | None, typer.Option("--summary", metavar="FILE", show_default=False,
                                                help="Also write the Markdown report to FILE (e.g. a CI job "
                                                "summary), from the same scan.")] = None,
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

    \b
    Arguments:
      PATH...  Files or directories to scan (default: the current directory).

    Exit 0 every gate passed, 1 a gate failed, 2 usage error, 3 evidence unavailable for a model.
    """
    fast_start()
    from openaudit.lock import read_lock
    from openaudit.policy import load_policy
    from openaudit.scan import audit_uses, find_models, render_outcome

    with guarded(debug):
        policy = load_policy(policy_file)
        if fail_on is not None:
            policy.fail_on = fail_on
        uses = find_models(paths or ["."], policy)
        outcome = audit_uses(uses, policy=policy, offline=offline, lock=read_lock(lock_file), lock_file=lock_file,
                             rules=tuple(rules or ()))
    from openaudit.textutil import sanitize

    for line in outcome.error_lines():  # the models that could not be audited: one line each, with where
        say_error(line)
    if offline_ids := outcome.offline_models():
        sys.stderr.write(sanitize(f"openaudit: decided offline from {lock_file} (locked revisions from the Hub "
                                  f"cache): {', '.join(offline_ids)}", one_line=True) + "\n")
    if not uses and fmt == "table" and output is None:
        write_stdout("openaudit: no model references found\n")
    else:
        emit(outcome.reports, "quiet" if quiet and fmt == "table" else fmt, output,
             color=False if no_color else None, min_severity=min_severity,
             render_fn=lambda _reports, f, out, color=None, min_severity=None: render_outcome(
                 outcome, f, out, color=color, min_severity=min_severity))
    if summary:  # the same outcome again as Markdown: one scan gives the report and the job summary
        emit(outcome.reports, "markdown", summary,
             render_fn=lambda _reports, f, out, color=None, min_severity=None: render_outcome(outcome, f, out))
    raise typer.Exit(outcome.exit_code)
