"""``openaudit diff``: compare two revisions of a model."""

from typing import Annotated

import typer

from openaudit.commands.common import DebugOption, DiffFormatOption, OfflineOption, emit, fail, guarded
from openaudit.errors import EXIT_OK, EXIT_USAGE


def diff(
    old: Annotated[str | None, typer.Argument(metavar="OLD", hidden=True, show_default=False)] = None,
    new: Annotated[str | None, typer.Argument(metavar="NEW", hidden=True, show_default=False)] = None,
    fmt: DiffFormatOption = "table",
    output: Annotated[str | None, typer.Option("--output", "-o", metavar="FILE", show_default=False,
                                               help="Write the comparison to FILE instead of standard output.")]
    = None,
    offline: OfflineOption = False,
    debug: DebugOption = False,
) -> None:
    """Compare two revisions: license, restrictions, grade, OSAID verdict, with the clauses in each.

    \b
    Arguments:
      OLD  The old revision: org/name@REV_A, or a local directory.
      NEW  The new revision: org/name@REV_B, or a local directory.

    Exit 0 terms not stricter, 1 terms became stricter, 2 usage error, 3 evidence unavailable.
    """
    if not old or not new:
        fail("diff needs two targets: OLD and NEW (org/name@REV_A org/name@REV_B, or two local directories)",
             EXIT_USAGE)
    from openaudit.audit import audit
    from openaudit.diff import diff_reports, render_diff

    with guarded(debug):
        result = diff_reports(audit(old, offline=offline), audit(new, offline=offline))
    emit(result, fmt, output, render_fn=lambda res, f, stream, color=None: render_diff(res, f, stream))
    raise typer.Exit(1 if result["stricter"] else EXIT_OK)
