"""Batch audits: many targets (arguments, ``--from FILE``, ``--author ORG``) with bounded concurrency.

Targets are validated up front (a malformed one is a usage error for the whole run, exit 2). Then up to
``jobs`` targets are audited at once, sharing one ``LineageResolver`` so an upstream model or a dataset card
is fetched once per run. A target whose evidence cannot be obtained does not stop the others: its error is
one ``openaudit: error:`` line on stderr, the other reports are printed, and the exit code is the worst of
all targets (3 evidence unavailable > 2 usage > 1 gate failed > 0).

``--author ORG`` lists the organisation's models with ``HfApi.list_models(author=ORG, expand=[...])``: the
listing carries each model's sha, files, tags, gating and card data, so auditing a model costs only its
file downloads, not a model_info call.

Request budget: in a batch (and for every upstream model) Hub models are read by
``openaudit.sources.hub.BudgetHubSource``: one GET per file at the commit sha, all at once, most decisive first
(the card, the file that decides the license, other license files, use policy, notice), and at most
``PER_MODEL_REQUESTS`` requests per model in all (model_info included when the model was not listed), shared out
by role so decoys of one role cannot push out another. A file beyond the budget is listed in the report as not
fetched, with the reason (an unread license file fails the gate: OA111).

Streaming: with ``on_done`` (``check -f jsonl`` on standard output) each target is handed over as it finishes and
nothing of it is kept, neither its report nor its evidence in the shared resolver (unless another target's
lineage used it), so memory stays flat as the list grows.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import nullcontext
from itertools import chain, islice
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from openaudit.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE, EvidenceUnavailable, OpenAuditError, UsageError
from openaudit.model import Report

# openaudit.sources.hub is imported where a Hub source is made: a single check of a local directory (which goes
# through ``run`` too) does not need it at start-up.

MAX_JOBS = 8
DEFAULT_JOBS = 8
MAX_TARGETS_FILE_BYTES = 1 << 20


def __getattr__(name: str) -> Any:
    if name == "PER_MODEL_REQUESTS":  # re-exported, imported on first use (see above)
        from openaudit.sources.hub import PER_MODEL_REQUESTS

        return PER_MODEL_REQUESTS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DEFAULT_JOBS", "MAX_JOBS", "Item", "Outcome", "items_for", "list_author", "run",
           "summary_text", "targets_from_file"]


class Item(Struct):
    """One target of a batch and the source that reads it."""

    target: str
    source: Any  # openaudit.sources.base.Source


class Outcome(Struct):
    """What a batch produced: the reports, the targets that failed, and the exit code."""

    reports: list[Report] = field(default_factory=list)
    errors: list[tuple[str, OpenAuditError]] = field(default_factory=list)
    exit_code: int = EXIT_OK
    count: int = 0  # targets audited or failed (a listing that failed midway is one more error)


def targets_from_file(path: str) -> list[str]:
    """One target per line; blank lines and ``#`` comments (whole-line or trailing) are ignored."""
    try:
        p = Path(path) if path != "-" else None
        if p is not None and p.is_file() and p.stat().st_size > MAX_TARGETS_FILE_BYTES:
            raise UsageError(f"--from {path}: larger than {MAX_TARGETS_FILE_BYTES} bytes")
        text = sys.stdin.read(MAX_TARGETS_FILE_BYTES) if p is None else p.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read --from {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--from {path}: not UTF-8 text") from None
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            out.append(line)
    return out


def list_author(org: str, *, offline: bool, limit: int | None = None) -> Iterator[Item]:
    """Every model of ``org`` on the Hub (the first ``limit``), each with a source that reuses the listing's data.
    The first page is read now (errors stop the run before any audit); the next ones as the batch goes (see
    ``sources.hub.list_author_models``)."""
    if offline:
        raise EvidenceUnavailable(f"--author {org}: listing an organisation's models needs the Hub (offline)")
    from openaudit.audit import start_warm_up
    from openaudit.sources.hub import BudgetHubSource, list_author_models

    # the audits' set-up loads while the first page of the listing is on its way (see openaudit.audit.warm_up)
    return (Item(i.id, BudgetHubSource(i.id, None, offline=False, info=i))
            for i in list_author_models(org, limit=limit, on_request=start_warm_up))


def items_for(targets: list[str], *, offline: bool) -> list[Item]:
    """Resolve every target before any fetch: a malformed target is a usage error for the whole run."""
    from openaudit.sources import resolve

    return [Item(t, resolve(t, offline=offline)) for t in targets]


def run(items: Iterable[Item], *, context: Any = None, policy: Any = None, offline: bool = False,
        rules: tuple[str, ...] = (), max_depth: int | None = None, jobs: int = DEFAULT_JOBS,
        progress: bool = False, debug: bool = False,
        on_done: Callable[[Item, Report | OpenAuditError], None] | None = None) -> Outcome:
    """Audit ``items`` with at most ``jobs`` at once. ``items`` may be a lazy iterable (``list_author``): a target
    is taken when a worker is free, so an organisation's listing loads while its first models are audited.

    Without ``on_done``: the reports in the order of ``items`` (``Outcome.reports``). With ``on_done``: each target
    is handed to it as soon as it finishes (in the order they finish, one call at a time) and is not kept, so memory
    stays flat however long the list (``Outcome`` then holds the errors and the exit code only). A listing that
    fails midway is one more error (exit 3) after the targets it had given."""
    from openaudit.audit import audit
    from openaudit.deadline import cpu_deadline, cpu_limit_seconds
    from openaudit.lineage import LineageResolver

    resolver = LineageResolver(offline=offline)
    total = len(items) if isinstance(items, Sized) else None
    pending = iter(items)
    listing_error: list[OpenAuditError] = []
    head: list[Item] = []
    try:
        head += islice(pending, 2)
        many = len(head) > 1
    except OpenAuditError as exc:  # a listing that failed right after its first model: that one is still audited
        listing_error.append(exc)
        many, pending = True, iter(())
    queue = enumerate(chain(head, pending))
    results: dict[int, tuple[Item, Report | OpenAuditError]] = {}
    out = Outcome()
    done_lock = threading.Lock()
    bar = _progress(total) if progress and many else None

    def finished(item: Item, r: Report | OpenAuditError) -> None:
        with done_lock:
            out.count += 1
            if isinstance(r, Report):
                out.exit_code = max(out.exit_code, EXIT_OK if r.passed else EXIT_GATE_FAILED)
            else:
                out.exit_code = max(out.exit_code, r.exit_code if r.exit_code in (2, 3) else EXIT_USAGE)
            if on_done is not None:
                if not isinstance(r, Report):
                    out.errors.append((item.target, r))
                on_done(item, r)
            if bar is not None:
                bar[0].advance(bar[1])

    def one(i: int, item: Item) -> None:
        source = item.source
        if many and type(source).__module__ == "openaudit.sources.hub":
            from openaudit.sources.hub import BudgetHubSource, HubSource

            if type(source) is HubSource:  # a batch: every Hub model within the request budget
                source = BudgetHubSource(source.repo_id, source.revision, offline=source.offline_flag)
        r: Report | OpenAuditError
        try:
            r = audit(item.target, context=context, policy=policy, offline=offline, rules=rules,
                      max_depth=max_depth, resolver=resolver, source=source)
        except OpenAuditError as exc:
            r = exc
        except Exception as exc:
            if debug:
                raise
            r = UsageError(f"{item.target}: internal error: {exc.__class__.__name__}: {exc} "
                           "(re-run with --debug and report it)")
        if on_done is None:
            results[i] = (item, r)
        else:
            resolver.forget_target(source)  # streamed: nothing of this target is kept
        finished(item, r)

    workers = 1 if not many else max(1, min(jobs, MAX_JOBS, MAX_JOBS if total is None else total))
    try:
        if bar is not None:
            bar[0].start()
        # Audits in worker threads cannot be interrupted one by one: the batch as a whole gets OPENAUDIT_CPU_LIMIT
        # per target (per target taken so far, for a listing read as it goes), and past it the process ends with
        # one error line and exit 3.
        with cpu_deadline(f"batch of {total if total is not None else 'listed'} targets",
                          lambda: cpu_limit_seconds() * (total if total is not None else out.count + workers),
                          hard=True) if workers > 1 else nullcontext():
            _pool(one, queue, workers, listing_error)
    finally:
        if bar is not None:
            bar[0].stop()
    if on_done is None:
        for i in sorted(results):
            item, r = results[i]
            if isinstance(r, Report):
                out.reports.append(r)
            else:
                out.errors.append((item.target, r))
    for failure in listing_error:
        finished(Item("(listing)", None), failure)
        if on_done is None:
            out.errors.append(("(listing)", failure))
    return out


def _pool(task: Callable[[int, Item], None], queue: Iterator[tuple[int, Item]], workers: int,
          listing_error: list[OpenAuditError]) -> None:
    """``task(i, item)`` for each item of ``queue`` on ``workers`` threads (one: this thread), each taking the next
    item when free (nothing is taken ahead, so a lazy listing loads as it is needed). An error of the listing
    itself stops the taking and lands in ``listing_error``; an exception of a task (only with --debug) is raised."""
    lock = threading.Lock()
    failed: list[BaseException] = []

    def work() -> None:
        while not failed:
            with lock:
                try:
                    i, item = next(queue)
                except StopIteration:
                    return
                except OpenAuditError as exc:
                    listing_error.append(exc)
                    return
            try:
                task(i, item)
            except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
                failed.append(exc)
                return

    if workers == 1:  # no threads
        work()
    else:
        threads = [threading.Thread(target=work, name=f"openaudit-{k}") for k in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    if failed:
        raise failed[0]


def _progress(total: int | None) -> tuple[Any, Any]:
    """A rich progress bar on stderr (callers only ask for it when stderr is a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    p = Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                 console=Console(file=sys.stderr), transient=True, redirect_stdout=False)
    task = p.add_task("audit", total=total)
    return p, task


def _pack(items: list[str], width: int, indent: str) -> list[str]:
    """``items`` on lines of at most ``width`` columns, two spaces apart, an item broken only when it is longer
    than a line."""
    import textwrap

    lines: list[str] = []
    line = ""
    for item in items:
        if line and len(indent) + len(line) + 2 + len(item) > width:
            lines.append(indent + line)
            line = ""
        line = f"{line}  {item}" if line else item
        if len(indent) + len(line) > width:
            *full, line = textwrap.wrap(line, width=width - len(indent), break_on_hyphens=False) or [""]
            lines += [indent + f for f in full]
    if line:
        lines.append(indent + line)
    return lines


def summary_text(reports: list[Report], errors: list[tuple[str, OpenAuditError]], width: int | None = None) -> str:
    """The table after the reports of a batch: one line per target, then the totals. ``width``: the terminal's
    (None: piped, one line per target whatever its length, for grep); when the table is wider, each target gets
    its own line with the other columns, labelled, wrapped under it."""
    from openaudit.textutil import sanitize

    rows = [("target", "license", "grade", "gate", "errors", "warnings", "upstream")]
    for r in reports:
        sev = [f.severity for f in r.findings if not f.waived]
        # upstream licenses; "unknown" for an upstream that could not be read (a cycle adds nothing)
        ups = [str(e.license) if e.status == "ok" else "unknown"
               for e in (r.lineage.chain if r.lineage is not None else ()) if e.status != "cycle"]
        rows.append((sanitize(str(r.target["id"]), one_line=True, limit=300), r.license.id,
                     str(r.grade.letter or "-"), "PASSED" if r.passed else "FAILED",
                     str(sev.count("error")), str(sev.count("warning")),
                     ",".join(dict.fromkeys(ups)) or "-"))
    for target, exc in errors:
        rows.append((sanitize(target, one_line=True, limit=300), "-", "-", f"ERROR (exit {exc.exit_code})", "-", "-",
                     "-"))
    table = [(row[0] if len(row[0]) <= 60 else row[0][:59] + "…", *row[1:]) for row in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(rows[0]))]
    lines = ["", "Summary:"]
    if width is None or 2 + sum(widths) + 2 * (len(widths) - 1) <= width:
        for row in table:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    else:  # narrow: the target on its own line(s), the rest labelled under it
        import textwrap

        for name, lic, letter, gate, n_err, n_warn, upstream in rows[1:]:
            lines += textwrap.wrap(name, width=width, initial_indent="  ", subsequent_indent="    ",
                                   break_on_hyphens=False)
            items = [gate, f"license {lic}", f"grade {letter}" if letter != "-" else "",
                     f"{n_err} error(s), {n_warn} warning(s)" if n_err != "-" else "",
                     f"upstream {upstream}" if upstream != "-" else ""]
            lines += _pack([i for i in items if i], width, "    ")
    failed = sum(1 for r in reports if not r.passed)
    total = len(reports) + len(errors)
    totals = (f"  {total} target{'' if total == 1 else 's'}: {len(reports) - failed} passed, {failed} failed, "
              f"{len(errors)} not audited")
    if width is not None and len(totals) > width:
        import textwrap

        lines += textwrap.wrap(totals.strip(), width=width, initial_indent="  ", subsequent_indent="    ")
    else:
        lines.append(totals)
    return "\n".join(lines) + "\n"
