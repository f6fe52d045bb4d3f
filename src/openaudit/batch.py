"""Batch audits: many targets (arguments, ``--from FILE``, ``--author ORG``) with bounded concurrency.

Targets are validated up front (a malformed one is a usage error for the whole run, exit 2). Then up to
``jobs`` targets are audited at once, sharing one ``LineageResolver`` so an upstream model or a dataset card
is fetched once per run. A target whose evidence cannot be obtained does not stop the others: its error is
one ``openaudit: error:`` line on stderr, the other reports are printed, and the exit code is the worst of
all targets (3 evidence unavailable > 2 usage > 1 gate failed > 0).

``--author ORG`` lists the organisation's models with ``HfApi.list_models(author=ORG, expand=[...])``: the
listing carries each model's sha, files, tags, gating and card data, so auditing a model costs only its
file downloads, not a model_info call.

Request budget: in a batch (and for every upstream model) Hub models are read by ``BudgetHubSource``: one GET
per file at the commit sha (no HEAD: the sha pins the content), most decisive first (``hub.fetch_order``: the
card, the file that decides the license, other license files, use policy, notice), and at most
``PER_MODEL_REQUESTS`` requests per model in all (model_info included when the model was not listed), shared out
by role (``ROLE_BUDGET``) so decoys of one role cannot push out another. A file beyond the budget is listed in the
report as not fetched, with the reason (an unread license file fails the gate: OA111). Files
read this way are stored in the Hub cache as ``hf_hub_download`` would, so ``--offline`` can re-check them.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openaudit.errors import EXIT_GATE_FAILED, EXIT_OK, EXIT_USAGE, EvidenceUnavailable, OpenAuditError, UsageError
from openaudit.evidence import SourceFile, role_of
from openaudit.model import Report
from openaudit.sources.hub import HubSource, fetch_order, license_link_name, valid_sha

MAX_JOBS = 8
DEFAULT_JOBS = 8
LIST_EXPAND = ["sha", "siblings", "tags", "gated", "cardData"]
_ORG = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}\Z")
MAX_TARGETS_FILE_BYTES = 1 << 20
PER_MODEL_REQUESTS = 5
ROLE_BUDGET = {"card": 1, "license": 2, "use_policy": 1, "notice": 1}  # per model, in fetch order; sums to 5


@dataclass
class Item:
    target: str
    source: Any  # openaudit.sources.base.Source


@dataclass
class Outcome:
    reports: list[Report] = field(default_factory=list)
    errors: list[tuple[str, OpenAuditError]] = field(default_factory=list)
    exit_code: int = EXIT_OK


class BudgetHubSource(HubSource):
    """A HubSource that reads each file with one GET at the commit sha and makes at most ``budget`` requests.

    The files are chosen card first, then license, use policy and notice files; the model_info request (when
    the model did not come from a listing) counts against the budget. Files already in the Hub cache at that
    sha cost nothing. A file left out is reported as not fetched, with the reason.
    """

    def __init__(self, repo_id: str, revision: str | None = None, *, offline: bool = False, info: Any = None,
                 budget: int = PER_MODEL_REQUESTS):
        super().__init__(repo_id, revision, offline=offline, info=info)
        self.budget = budget
        self._allowed: set[str] | None = None

    def _evidence(self, sha: str, requested: str, stored: dict[str, Any], offline: bool) -> Any:
        ev = super()._evidence(sha, requested, stored, offline)
        if not offline:
            listed = bool(self.info is not None and getattr(self.info, "sha", None))
            names = fetch_order(list(stored.get("siblings") or []),
                                license_link_name(stored.get("card_data"), self.repo_id))
            self._allowed = allowed_files(names, self.budget - (0 if listed else 1))
        return ev

    def role_cap(self, role: str) -> int:
        return self.budget  # the request budget decides which files are fetched (see _download)

    def _download(self, name: str, role: str, sha: str, *, offline: bool, deadline: float | None = None
                  ) -> SourceFile:
        from openaudit.sources.local import read_file

        if offline or self._allowed is None or not valid_sha(sha):
            return super()._download(name, role, sha, offline=offline, deadline=deadline)
        cached = _cached_file(self.repo_id, name, sha)
        if cached is not None:
            return read_file(cached, name, role)
        if name not in self._allowed:
            return SourceFile(name=name, role=role, error=f"not fetched: the batch request budget ({self.budget} "
                              "per model) went to the card and more decisive files (shared out by role)")
        return _get_file(self.repo_id, name, role, sha, deadline)


def allowed_files(names: list[str], budget: int) -> set[str]:
    """The files one model's request budget covers, ``names`` in fetch order (most decisive first).

    Each role has its own share (ROLE_BUDGET: the card, two license files, a use policy, a notice), so files of
    one role (four ``COPYING.n`` decoys, a pile of NOTICEs) cannot push out another role's; a share a model does
    not use goes to its remaining files, most decisive first. With a smaller budget (model_info spent one
    request), the shares of the least decisive roles shrink first."""
    budget = max(0, budget)
    shares = dict(ROLE_BUDGET)
    for role in reversed(list(shares)):
        while sum(shares.values()) > budget and shares[role] > 0:
            shares[role] -= 1
    chosen: list[str] = []
    used: dict[str, int] = {}
    for n in names:
        role = role_of(n) or ""
        if used.get(role, 0) < shares.get(role, 0):
            used[role] = used.get(role, 0) + 1
            chosen.append(n)
    for n in names:
        if len(chosen) >= budget:
            break
        if n not in chosen:
            chosen.append(n)
    return set(chosen[:budget])


def _cached_file(repo_id: str, name: str, sha: str) -> Path | None:
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(repo_id, name, revision=sha)
    except Exception:
        return None
    return Path(found) if isinstance(found, str) else None


def _get_file(repo_id: str, name: str, role: str, sha: str, deadline: float | None) -> SourceFile:
    """One GET of ``name`` at ``sha`` (redirects followed), capped at MAX_FILE_BYTES, stored in the Hub cache."""
    from huggingface_hub import get_session, hf_hub_url
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status

    from openaudit.sources.hub import _before_deadline, download_failure, timeout_seconds
    from openaudit.sources.local import source_file
    from openaudit.textutil import MAX_FILE_BYTES, decode_capped

    timeout = timeout_seconds()

    def get() -> tuple[bytes, int, str | None]:
        url = hf_hub_url(repo_id, name, revision=sha)
        with get_session().stream("GET", url, headers=build_hf_headers(), timeout=timeout,
                                  follow_redirects=True) as r:
            if r.status_code >= 400:
                r.read()
                hf_raise_for_status(r)
            chunks, n = [], 0
            for chunk in r.iter_bytes():
                chunks.append(chunk)
                n += len(chunk)
                if n > MAX_FILE_BYTES:
                    break
            size = int(r.headers.get("content-length") or n) if n <= MAX_FILE_BYTES else n
            etag = None
            for resp in [*r.history, r]:  # the Hub's (linked) etag names the blob, as hf_hub_download does
                etag = resp.headers.get("x-linked-etag") or etag or resp.headers.get("etag")
            return b"".join(chunks), size, etag

    try:
        data, size, etag = _before_deadline(get, deadline)
    except Exception as exc:
        return download_failure(name, role, exc)
    if len(data) <= MAX_FILE_BYTES:
        _store_in_cache(repo_id, sha, name, data, etag)
    return source_file(name, role, *decode_capped(data), size)  # redacted like any file read


def _store_in_cache(repo_id: str, sha: str, name: str, data: bytes, etag: str | None) -> None:
    """Best effort: blobs/<etag> and snapshots/<sha>/<name> in the Hub cache layout, so a later check (and
    ``--offline``) finds the file without a request. A cache that cannot be written only costs that."""
    from huggingface_hub import constants

    etag = (etag or "").removeprefix("W/").strip('"')
    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", etag) or "/" in name or name in (".", ".."):
        return
    root = Path(constants.HF_HUB_CACHE) / ("models--" + repo_id.replace("/", "--"))
    blob, snap = root / "blobs" / etag, root / "snapshots" / sha / name
    try:
        blob.parent.mkdir(parents=True, exist_ok=True)
        snap.parent.mkdir(parents=True, exist_ok=True)
        if not blob.exists():
            tmp = blob.with_name(f"{etag}.{os.getpid()}.{threading.get_ident()}.incomplete")
            tmp.write_bytes(data)
            os.replace(tmp, blob)
        if not snap.exists():
            try:
                os.symlink(os.path.relpath(blob, snap.parent), snap)
            except FileExistsError:
                pass
            except OSError:  # no symlinks (some Windows setups): a copy, as huggingface_hub does
                shutil.copyfile(blob, snap)
    except OSError:
        pass


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


def list_author(org: str, *, offline: bool, limit: int | None = None) -> list[Item]:
    """Every model of ``org`` on the Hub (the first ``limit``), each with a source that reuses the listing's data."""
    from openaudit.lineage import _hub_env

    if not _ORG.match(org) or ".." in org:
        raise UsageError(f"not a Hub user or organisation name: {org!r}")
    _hub_env()
    from huggingface_hub import HfApi, constants
    from huggingface_hub import errors as hf_errors

    from openaudit.sources.hub import _first_line

    if offline or constants.HF_HUB_OFFLINE:
        raise EvidenceUnavailable(f"--author {org}: listing an organisation's models needs the Hub (offline)")
    from openaudit.sources.hub import OffEndpoint, guard_session

    guard_session()  # a pagination Link to another host is refused (it would get the token)
    try:
        infos = list(HfApi().list_models(author=org, expand=LIST_EXPAND, limit=limit))  # type: ignore[arg-type]
    except OffEndpoint as exc:
        raise EvidenceUnavailable(f"--author {org}: listing stopped: {exc}") from None
    except hf_errors.HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        raise EvidenceUnavailable(f"--author {org}: listing failed (HTTP {status})") from None
    except Exception as exc:
        raise EvidenceUnavailable(
            f"--author {org}: could not reach the Hub at {constants.ENDPOINT}: {_first_line(exc)}") from None
    from openaudit.sources import HUB_ID

    # Only well-formed ids of this author (the listing is untrusted input like any card) and a full commit sha.
    infos = [i for i in infos if isinstance(i.id, str) and HUB_ID.match(i.id) and ".." not in i.id and "@" not in i.id
             and i.id.split("/", 1)[0].lower() == org.lower()]
    if not infos:
        raise EvidenceUnavailable(f"--author {org}: no models found on the Hub")
    return [Item(i.id, BudgetHubSource(i.id, None, offline=False, info=i)) for i in infos]


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
    if len(items) > 1:  # a batch: every Hub model within the per-model request budget
        items = [Item(it.target, BudgetHubSource(it.source.repo_id, it.source.revision, offline=it.source.offline_flag))
                 if type(it.source) is HubSource else it for it in items]
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
        if workers == 1:  # one at a time: no thread pool (importing and starting one costs ~10 ms)
            for i in range(len(items)):
                one(i)
                if bar is not None:
                    bar[0].advance(bar[1])
        else:
            from concurrent.futures import ThreadPoolExecutor, as_completed

            from openaudit.deadline import cpu_deadline, cpu_limit_seconds

            # Audits in worker threads cannot be interrupted one by one: the batch as a whole gets
            # OPENAUDIT_CPU_LIMIT per target, and past it the process ends with one error line and exit 3.
            with cpu_deadline(f"batch of {len(items)} targets", cpu_limit_seconds() * len(items), hard=True), \
                    ThreadPoolExecutor(max_workers=workers, thread_name_prefix="openaudit") as pool:
                futures = [pool.submit(one, i) for i in range(len(items))]
                for f in as_completed(futures):  # the bar moves as targets finish, in any order
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
        ups = [str(e.get("license")) if e.get("status") == "ok" else "unknown"
               for e in (r.lineage or {}).get("chain", []) if e.get("status") != "cycle"]
        rows.append((sanitize(str(r.target["id"]), one_line=True, limit=300), r.license.id,
                     str(r.grade.get("letter") or "-"), "PASSED" if r.passed else "FAILED",
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
