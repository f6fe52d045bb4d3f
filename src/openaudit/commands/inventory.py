"""``openaudit inventory``: find the models installed on this machine and audit each offline."""

from typing import Annotated

import typer

from openaudit.commands.choices import JOBS, MAX_DEPTH
from openaudit.commands.common import (
    FORMATS,
    AnnualRevenueOption,
    CommercialOption,
    DebugOption,
    DistillOption,
    FailOnOption,
    MauOption,
    MonthlyRevenueOption,
    NoColorOption,
    OutputOption,
    PolicyOption,
    RegionOption,
    RulesOption,
    TrainOnOutputsOption,
    between,
    emit,
    fail,
    fast_start,
    format_option,
    guarded,
    need_cyclonedx,
    paths_argument,
    say_error,
    say_warning,
    write_stdout,
)
from openaudit.errors import EXIT_USAGE


def inventory(
    paths: Annotated[list[str] | None, paths_argument()] = None,
    stores: Annotated[bool, typer.Option("--stores/--no-stores", help="Look in the Hugging Face cache, Ollama's "
                                         "store and LM Studio's models folder (--no-stores: only the PATHs).")]
    = True,
    max_depth: Annotated[int, typer.Option("--max-depth", metavar="N", callback=between(*MAX_DEPTH),
                                           help="Follow base_model this many hops upstream in the Hugging Face "
                                           f"cache, {MAX_DEPTH[0]} to {MAX_DEPTH[1]} (0: not at all).")] = 3,
    jobs: Annotated[int, typer.Option("--jobs", "-j", metavar="N", callback=between(*JOBS),
                                      help=f"Models audited at once, {JOBS[0]} to {JOBS[1]}.")] = 8,
    fmt: Annotated[str, format_option(FORMATS, "Output format (table: one summary line per model; the others: "
                                      "every report)")] = "table",
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
    no_color: NoColorOption = False,
    debug: DebugOption = False,
) -> None:
    """Find the models installed on this machine (Hugging Face cache, Ollama, LM Studio, .gguf files and model
    directories under PATHs) and audit each offline: no network request is made.

    \b
    Arguments:
      PATH...  Also audit these: .gguf files, model directories, an Ollama
               store or Hugging Face cache, or folders to search.

    Exit 0 every gate passed, 1 a gate failed, 2 usage error, 3 evidence unavailable for a model (e.g. a
    truncated GGUF header).
    """
    fast_start()
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"  # before huggingface_hub is imported: the whole run is offline
    from openaudit import batch
    from openaudit import inventory as inv
    from openaudit.context import DeploymentContext
    from openaudit.policy import load_policy

    need_cyclonedx(fmt)
    with guarded(debug):
        context = DeploymentContext.from_options(
            mau=mau, annual_revenue=annual_revenue, monthly_revenue=monthly_revenue, regions=region or [],
            commercial=commercial, train_on_outputs=train_on_outputs, distill=distill)
        policy = load_policy(policy_file)
        if fail_on is not None:
            policy.fail_on = fail_on
        found = inv.discover(list(paths or []), stores=stores)
        for w in found.warnings:
            say_warning(w)
        items = [batch.Item(f.target, f.source) for f in found.found]
        outcome = batch.run(items, context=context, policy=policy, offline=True, rules=tuple(rules or ()),
                            max_depth=max_depth, jobs=jobs, progress=inv.progress_wanted(), debug=debug)
        inv.annotate(found.found, outcome.reports, outcome.errors)
    for _target, err in outcome.errors:
        say_error(err.message)
    if fmt == "table":
        text = (inv.table(found.found, outcome.reports, outcome.errors) if found.found
                else "openaudit: no models found\n")
        if output is None:
            write_stdout(text)
        else:
            try:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError as exc:
                fail(f"cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)
    else:
        emit(outcome.reports, fmt, output, color=False if no_color else None)
    raise typer.Exit(outcome.exit_code)
