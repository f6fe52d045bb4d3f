"""Batch audits: many targets (arguments, ``--from FILE``, ``--author ORG``) with bounded concurrency.

Targets are validated up front (a malformed one is a usage error for the whole run, exit 2). Then up to
``jobs`` targets are audited at once, sharing one ``LineageResolver`` so an upstream model or a dataset card
is fetched once per run. A target whose evidence cannot be obtained does not stop the others: its error is
one ``openaudit: error:`` line on stderr, the other reports are printed, and the exit code is the worst of
all targets (3 evidence unavailable > 2 usage > 1 gate failed > 0).

``--author ORG`` lists the organisation's models with ``HfApi.list_models(author=ORG, expand=[...])``: the
listing carries each model's sha, files, tags, gating and card data, so auditing a model costs only its
file downloads (HEAD+GET per file: 4 requests for a card and one license), not a model_info call.
"""

from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openaudit.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE, EvidenceUnavailable, OpenAuditError, UsageError
from openaudit.model import Report

MAX_JOBS = 8
DEFAULT_JOBS = 8
LIST_EXPAND = ["sha", "siblings", "tags", "gated", "cardData"]
_ORG = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}\Z")
MAX_TARGETS_FILE_BYTES = 1 << 20


@dataclass
class Item:
    target: str
    source: Any  # openaudit.sources.base.Source


@dataclass
class Outcome:
    reports: list[Report] = field(default_factory=list)
    errors: list[tuple[str, OpenAuditError]] = field(default_factory=list)
    exit_code: int = EXIT_OK


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


def list_author(org: str, *, offline: bool) -> list[Item]:
    """Every model of ``org`` on the Hub, each with a HubSource that reuses the listing's data."""
    from openaudit.lineage import _hub_env

    if not _ORG.match(org) or ".." in org:
        raise UsageError(f"not a Hub user or organisation name: {org!r}")
    _hub_env()
    from huggingface_hub import HfApi, constants
    from huggingface_hub import errors as hf_errors

    from openaudit.sources.hub import HubSource, _first_line

    if offline or constants.HF_HUB_OFFLINE:
        raise EvidenceUnavailable(f"--author {org}: listing an organisation's models needs the Hub (offline)")
    try:
        infos = list(HfApi().list_models(author=org, expand=LIST_EXPAND))  # type: ignore[arg-type]
    except hf_errors.HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        raise EvidenceUnavailable(f"--author {org}: listing failed (HTTP {status})") from None
    except Exception as exc:
        raise EvidenceUnavailable(
            f"--author {org}: could not reach the Hub at {constants.ENDPOINT}: {_first_line(exc)}") from None
    if not infos:
        raise EvidenceUnavailable(f"--author {org}: no models found on the Hub")
    return [Item(i.id, HubSource(i.id, None, offline=False, info=i)) for i in infos]


def items_for(targets: list[str], *, offline: bool) -> list[Item]:
    """Resolve every target before any fetch: a malformed target is a usage error for the whole run."""
    from openaudit.sources import resolve

    return [Item(t, resolve(t, offline=offline)) for t in targets]


def run(items: list[Item], *, context: Any = None, policy: Any = None, offline: bool = False,
        rules: tuple[str, ...] = (), max_depth: int | None = None, jobs: int = DEFAULT_JOBS,
        progress: bool = False, debug: bool = False) -> Outcome:
    """Audit ``items`` with at most ``jobs`` at once; reports in the order of ``items``."""
    from openaudit.audit import audit
    from openaudit.lineage import LineageResolver

    resolver = LineageResolver(offline=offline)
    results: list[Report | OpenAuditError | None] = [None] * len(items)

    def one(i: int) -> None:
        item = items[i]
        try:
            results[i] = audit(item.target, context=context, policy=policy, offline=offline, rules=rules,
                               max_depth=max_depth, resolver=resolver, source=item.source)
        except OpenAuditError as exc:
            results[i] = exc
        except Exception as exc:
            if debug:
                raise
            results[i] = UsageError(f"{item.target}: internal error: {exc.__class__.__name__}: {exc} "
                                    "(re-run with --debug and report it)")

    workers = max(1, min(jobs, MAX_JOBS, len(items)))
    bar = _progress(len(items)) if progress and len(items) > 1 else None
    try:
        if bar is not None:
            bar[0].start()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="openaudit") as pool:
            futures = [pool.submit(one, i) for i in range(len(items))]
            for f in futures:
                f.result()
                if bar is not None:
                    bar[0].advance(bar[1])
    finally:
        if bar is not None:
            bar[0].stop()
    out = Outcome()
    for item, r in zip(items, results, strict=True):
        if isinstance(r, Report):
            out.reports.append(r)
            out.exit_code = max(out.exit_code, EXIT_OK if r.passed else EXIT_GATE_FAILED)
        elif isinstance(r, OpenAuditError):
            out.errors.append((item.target, r))
            out.exit_code = max(out.exit_code, r.exit_code if r.exit_code in (2, 3) else EXIT_USAGE)
    return out


def _progress(total: int) -> tuple[Any, Any]:
    """A rich progress bar on stderr (callers only ask for it when stderr is a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    p = Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                 console=Console(file=sys.stderr), transient=True)
    task = p.add_task("audit", total=total)
    return p, task


def summary_text(reports: list[Report], errors: list[tuple[str, OpenAuditError]]) -> str:
    """The table after the reports of a batch: one line per target, then the totals."""
    from openaudit.textutil import sanitize

    rows = [("target", "license", "grade", "gate", "errors", "warnings", "upstream")]
    for r in reports:
        sev = [f.severity for f in r.findings if not f.waived]
        ups = [str(e.get("license")) for e in (r.lineage or {}).get("chain", []) if e.get("status") == "ok"]
        rows.append((sanitize(str(r.target["id"]), one_line=True, limit=60), r.license.id,
                     str(r.grade.get("letter") or "-"), "PASSED" if r.passed else "FAILED",
                     str(sev.count("error")), str(sev.count("warning")),
                     ",".join(dict.fromkeys(ups)) or "-"))
    for target, exc in errors:
        rows.append((sanitize(target, one_line=True, limit=60), "-", "-", f"ERROR (exit {exc.exit_code})", "-", "-",
                     "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["", "Summary:"]
    for row in rows:
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    failed = sum(1 for r in reports if not r.passed)
    lines.append(f"  {len(reports) + len(errors)} targets: {len(reports) - failed} passed, {failed} failed, "
                 f"{len(errors)} not audited")
    return "\n".join(lines) + "\n"
