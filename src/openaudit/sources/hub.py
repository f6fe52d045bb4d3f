"""Evidence from the Hugging Face Hub through huggingface_hub (imported lazily: it costs ~400 ms).

Request budget: one ``model_info`` call, then ``hf_hub_download`` per file pinned to the commit sha
that model_info returned. A file already in the Hub cache at that sha costs no request, so a repeat
check at an unchanged revision makes one request. Offline (``--offline`` or HF_HUB_OFFLINE=1) we read
the revision and repo facts that the last online check stored beside the Hub cache.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from openaudit.card import parse_card
from openaudit.errors import EvidenceUnavailable, UsageError
from openaudit.evidence import Evidence, SourceFile, role_of
from openaudit.sources.base import Source
from openaudit.sources.local import read_file
from openaudit.textutil import redact_secrets, secrets

_SHA = re.compile(r"^[0-9a-f]{40}$")
DEFAULT_TIMEOUT = 20.0


def timeout_seconds() -> float:
    raw = os.environ.get("OPENAUDIT_TIMEOUT")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value < 24 * 3600 else DEFAULT_TIMEOUT  # also refuses nan and inf


def _redact(message: str) -> str:
    """Never let a token reach output, whatever an exception message contains."""
    return " ".join(redact_secrets(message).split())


def _first_line(exc: BaseException) -> str:
    if _is_timeout(exc):
        return f"timed out after {timeout_seconds():g} s (OPENAUDIT_TIMEOUT)"
    text = str(exc).strip().splitlines()
    return _redact(text[0] if text else exc.__class__.__name__)


def _cause(exc: BaseException) -> str:
    """The underlying reason of a huggingface_hub error that wraps another (HTTP status or network error)."""
    cause = exc.__cause__ or exc
    status = getattr(getattr(cause, "response", None), "status_code", None)
    if status is not None:
        return f"HTTP {status}" + (" (rate limited)" if status == 429 else "")
    return _first_line(cause)


def check_deadline_seconds(timeout: float) -> float:
    """Wall-clock budget of one Hub check (model_info and every download): 2 x OPENAUDIT_TIMEOUT + 5 s.

    huggingface_hub retries a file whose metadata request keeps failing (5xx, network) with exponential
    backoff for ~25 s; past this budget we stop waiting for it and do not fetch the remaining files.
    """
    return 2 * timeout + 5


MODEL_INFO_RETRIES = 2  # model_info answered 429 or 502/503/504: retried at most this many times
_RETRY_STATUS = (429, 502, 503, 504)


def _retry_rate_limited(call: Any, timeout: float, deadline: float) -> Any:
    """Run ``call`` (a model_info request), retrying a bounded number of times on 429 and 502-504.

    huggingface_hub's ``model_info`` does not retry (only file downloads go through its backoff). We honour a
    ``Retry-After`` (seconds) of at most ``retry_wait_cap(timeout)``; a longer one is not waited for at all (the
    Hub will still refuse after a capped wait): the error says when to retry. Without the header we wait 1 s
    then 2 s (capped the same way), and never past the check deadline.
    """
    from huggingface_hub import errors as hf_errors

    for attempt in range(MODEL_INFO_RETRIES + 1):
        try:
            return call()
        except hf_errors.HfHubHTTPError as exc:
            response = getattr(exc, "response", None)
            status = getattr(response, "status_code", None)
            if status not in _RETRY_STATUS or attempt == MODEL_INFO_RETRIES:
                raise
            asked = _retry_after(getattr(response, "headers", None) or {})
            if asked is not None and asked > retry_wait_cap(timeout):
                raise
            wait = min(asked if asked is not None else float(2 ** attempt), retry_wait_cap(timeout))
            if time.monotonic() + wait + 1 >= deadline:
                raise
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def retry_wait_cap(timeout: float) -> float:
    """The longest Retry-After we wait for: min(10 s, OPENAUDIT_TIMEOUT)."""
    return min(10.0, timeout)


def _retry_after(headers: Any) -> float | None:
    try:
        value = headers.get("Retry-After")
    except Exception:
        return None
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None  # an HTTP date: not honoured, use the default backoff
    return seconds if seconds >= 0 else None


HEAD_RETRIES = 1  # a file's metadata request answered 500-504 again on huggingface_hub's retry: one more try
GET_RETRIES = 1  # a file's body download dropped or timed out: resumed at most once
_bound_lock = threading.Lock()
_tls = threading.local()


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or any("Timeout" in k.__name__ for k in type(exc).__mro__)


def bound_hub_client(timeout: float) -> None:
    """Make huggingface_hub's file downloads honour OPENAUDIT_TIMEOUT exactly and retry a bounded number of times.

    Left alone, ``hf_hub_download`` retries a failing metadata request (5xx, 429, timeout, dropped connection)
    up to 5 times with 1-8 s backoff (~25 s, each try with a 60 s timeout), and a failing body download 5 times
    more. Here: every request times out after ``timeout`` seconds (fractions allowed); after a failed first
    try the metadata request is retried only on 500-504, at most ``HEAD_RETRIES`` more times 0.5 s apart; a
    request that timed out is not repeated (the user granted it ``timeout``); a body download that broke (not
    timed out) is resumed at most ``GET_RETRIES`` times. 429 is handled in ``HubSource._download`` (Retry-After,
    capped). These are huggingface_hub internals: each patch is applied only if the name exists with the
    expected shape, and the check deadline bounds the whole check whatever happens.
    """
    import inspect

    from huggingface_hub import constants, file_download

    with _bound_lock:
        constants.HF_HUB_ETAG_TIMEOUT = timeout
        constants.HF_HUB_DOWNLOAD_TIMEOUT = timeout
        if isinstance(getattr(file_download, "_ETAG_RETRY_TIMEOUT", None), (int, float)):
            file_download._ETAG_RETRY_TIMEOUT = timeout
        head = getattr(file_download, "_httpx2_follow_hub_redirects_with_backoff", None)
        if callable(head) and not getattr(head, "_openaudit", False):

            def bounded_head(method: str, url: str, *, retry_on_errors: bool = False, **kwargs: Any) -> Any:
                if retry_on_errors:
                    first = getattr(_tls, "timed_out", None)
                    if first is not None and first[0] == url:
                        _tls.timed_out = None
                        raise first[1]
                    kwargs.setdefault("max_retries", HEAD_RETRIES)
                    kwargs.setdefault("base_wait_time", 0.5)
                    kwargs.setdefault("max_wait_time", 1.0)
                    kwargs.setdefault("retry_on_exceptions", ())
                    kwargs.setdefault("retry_on_status_codes", (500, 502, 503, 504))
                try:
                    return head(method, url, retry_on_errors=retry_on_errors, **kwargs)
                except Exception as exc:
                    if not retry_on_errors and _is_timeout(exc):
                        _tls.timed_out = (url, exc)
                    raise

            bounded_head._openaudit = True  # type: ignore[attr-defined]
            file_download._httpx2_follow_hub_redirects_with_backoff = bounded_head
        get = getattr(file_download, "http_get", None)
        if callable(get) and not getattr(get, "_openaudit", False):
            try:
                has_retries = "_nb_retries" in inspect.signature(get).parameters
            except (TypeError, ValueError):
                has_retries = False
            if has_retries:

                def bounded_get(*args: Any, **kwargs: Any) -> Any:
                    if "_nb_retries" not in kwargs:  # the first try (its own resumes pass the remaining count)
                        kwargs["_nb_retries"] = GET_RETRIES
                        _tls.get_started = time.monotonic()
                    else:
                        # A resume comes 1 s after the failure; one after a timeout is not made.
                        limit = float(getattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", 0) or 0)
                        if time.monotonic() - getattr(_tls, "get_started", time.monotonic()) >= 1 + 0.9 * limit:
                            raise TimeoutError("the download timed out")
                    return get(*args, **kwargs)

                bounded_get._openaudit = True  # type: ignore[attr-defined]
                file_download.http_get = bounded_get


class _DeadlinePassed(Exception):
    pass


def download_failure(name: str, role: str, exc: BaseException) -> SourceFile:
    """The file entry saying why its download failed (every Hub download path says it the same way)."""
    from huggingface_hub import errors as hf_errors

    if isinstance(exc, _DeadlinePassed):
        error = f"download failed: {exc}"
    elif isinstance(exc, hf_errors.GatedRepoError):
        from huggingface_hub import get_token

        error = "gated: " + ("this token has not been granted access (request it on the model page)" if get_token()
                             else "access to the files not granted (set HF_TOKEN)")
    elif isinstance(exc, hf_errors.RemoteEntryNotFoundError):
        error = "listed by the Hub but not found at this revision"
    elif isinstance(exc, hf_errors.HfHubHTTPError):
        error = f"download failed (HTTP {getattr(getattr(exc, 'response', None), 'status_code', None)})"
    else:
        error = f"download failed: {_first_line(exc)}"
    return SourceFile(name=name, role=role, error=error)


def _before_deadline(call: Any, deadline: float | None) -> Any:
    """Run ``call`` in a daemon thread and stop waiting for it at ``deadline`` (monotonic).

    An abandoned call keeps running in the background (a thread cannot be killed) until the process
    exits; it only writes to the Hub cache through huggingface_hub's own locks and temporary files.
    """
    if deadline is None:
        return call()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _DeadlinePassed("not fetched: the Hub check deadline passed")
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="openaudit-download", daemon=True)
    worker.start()
    worker.join(remaining)
    if worker.is_alive():
        raise _DeadlinePassed("no answer before the Hub check deadline (the Hub kept failing or was too slow)")
    if "error" in box:
        raise box["error"]
    return box["value"]


class HubSource(Source):
    kind = "hub"

    def __init__(self, repo_id: str, revision: str | None = None, *, offline: bool = False, info: Any = None):
        self.repo_id = repo_id
        self.revision = revision
        self.offline_flag = offline
        # A ModelInfo from a listing (list_models with expand=sha,siblings,tags,gated,cardData): used instead of
        # a model_info request, so a batch over an organisation costs only the file downloads per model.
        self.info = info

    @property
    def display(self) -> str:
        return self.repo_id + (f"@{self.revision}" if self.revision else "")

    # -- metadata store beside the Hub cache (for --offline) ------------------------------------
    def _store_dir(self, hf_home: str) -> Path:
        return Path(hf_home) / "openaudit" / ("models--" + self.repo_id.replace("/", "--"))

    def _save_info(self, hf_home: str, requested: str, sha: str, info: dict[str, Any]) -> None:
        d = self._store_dir(hf_home)
        try:
            (d / "refs").mkdir(parents=True, exist_ok=True)
            (d / "refs" / quote(requested, safe="")).write_text(sha)
            (d / f"{sha}.json").write_text(json.dumps(info))
        except OSError:
            pass  # the store is an optimisation for offline use; a read-only cache must not fail the audit

    def _load_info(self, hf_home: str, requested: str) -> tuple[str, dict[str, Any]] | None:
        d = self._store_dir(hf_home)
        sha = requested if _SHA.match(requested) else None
        if sha is None:
            try:
                sha = (d / "refs" / quote(requested, safe="")).read_text().strip()
            except OSError:
                return None
        try:
            return sha, json.loads((d / f"{sha}.json").read_text())
        except (OSError, ValueError):
            return sha, {}

    # -- fetching -------------------------------------------------------------------------------
    def fetch(self) -> Evidence:
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        # huggingface_hub logs retries ("Retrying in 1s…") on stderr; our report says which files failed and why,
        # and the CLI promises one stderr line on error. Read at its first import, so a caller's setting wins.
        os.environ.setdefault("HF_HUB_VERBOSITY", "error")
        t = timeout_seconds()
        # huggingface_hub reads these as integers at import; the exact (possibly fractional) value is set below.
        os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", str(int(max(1, t))))
        os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", str(int(max(1, t))))
        from huggingface_hub import constants

        bound_hub_client(t)
        offline = self.offline_flag or constants.HF_HUB_OFFLINE
        requested = self.revision or "main"
        if offline:
            return self._fetch_offline(constants, requested)
        return self._fetch_online(constants, requested, t)

    def _fetch_online(self, constants: Any, requested: str, timeout: float) -> Evidence:
        from huggingface_hub import HfApi
        from huggingface_hub import errors as hf_errors

        api = HfApi()
        deadline = time.monotonic() + check_deadline_seconds(timeout)
        try:
            info = self.info if self.info is not None and getattr(self.info, "sha", None) else _retry_rate_limited(
                lambda: api.model_info(self.repo_id, revision=self.revision, timeout=timeout), timeout, deadline)
        except hf_errors.HFValidationError as exc:
            raise UsageError(f"not a valid Hub model id: {self.display!r} ({_first_line(exc)})") from None
        except hf_errors.GatedRepoError:
            raise EvidenceUnavailable(f"{self.display}: gated repository and no access granted") from None
        except hf_errors.RevisionNotFoundError:
            raise EvidenceUnavailable(f"{self.display}: revision not found: {requested}") from None
        except hf_errors.RepositoryNotFoundError:
            raise EvidenceUnavailable(
                f"{self.display}: repository not found on the Hub (or private without access)"
            ) from None
        except hf_errors.HfHubHTTPError as exc:
            response = getattr(exc, "response", None)
            status = getattr(response, "status_code", None)
            if status == 429:
                asked = _retry_after(getattr(response, "headers", None) or {})
                when = f"; it asks to retry after {asked:g} s" if asked is not None else ""
                raise EvidenceUnavailable(f"{self.display}: rate limited by the Hub (HTTP 429){when}") from None
            raise EvidenceUnavailable(f"{self.display}: Hub request failed (HTTP {status})") from None
        except Exception as exc:  # network errors come from httpx/httpx2; classify without importing it
            raise EvidenceUnavailable(
                f"{self.display}: could not reach the Hub at {constants.ENDPOINT}: {_first_line(exc)}"
            ) from None

        sha = info.sha
        if not sha:
            raise EvidenceUnavailable(f"{self.display}: the Hub returned no commit sha for this revision")
        siblings = [s.rfilename for s in (info.siblings or [])]
        stored = {
            "siblings": siblings,
            "tags": list(info.tags or []),
            "gated": info.gated,
            "card_data": _card_data_dict(info.card_data),
        }
        tokens = secrets()
        if tokens:  # what the Hub says is data to report: a token echoed in it is not
            try:
                stored = json.loads(redact_secrets(json.dumps(stored), tokens, shape=False))
            except (TypeError, ValueError):
                stored["card_data"] = {}
        self._save_info(constants.HF_HOME, requested, sha, stored)
        ev = self._evidence(sha, requested, stored, offline=False)
        late = None  # set once the check deadline has passed: later files are not fetched
        for name in siblings:
            role = role_of(name)
            if role is None:
                continue
            if late is not None:
                ev.files.append(SourceFile(name=name, role=role, error=f"not fetched: {late}"))
                continue
            sf = self._download(name, role, sha, offline=False, deadline=deadline)
            ev.files.append(sf)
            if time.monotonic() >= deadline:
                late = f"the Hub check deadline ({check_deadline_seconds(timeout):g} s) passed"
        self._finish(ev, stored)
        return ev

    def _fetch_offline(self, constants: Any, requested: str) -> Evidence:
        loaded = self._load_info(constants.HF_HOME, requested)
        if loaded is None:  # never checked online by openaudit: the revision the Hub cache's refs name, if any
            from openaudit.sources.hfcache import cached_revision

            sha = cached_revision(self.repo_id, requested, Path(constants.HF_HUB_CACHE))
            loaded = (sha, {}) if sha else None
        if loaded is None:
            raise EvidenceUnavailable(
                f"{self.display}: offline and this revision is not in the cache (run one online check first)"
            )
        sha, stored = loaded
        snapshot = Path(constants.HF_HUB_CACHE) / ("models--" + self.repo_id.replace("/", "--")) / "snapshots" / sha
        if not stored and not snapshot.is_dir():
            raise EvidenceUnavailable(f"{self.display}: offline and revision {sha[:12]} is not in the cache")
        names = stored.get("siblings") or (sorted(p.name for p in snapshot.iterdir()) if snapshot.is_dir() else [])
        ev = self._evidence(sha, requested, stored, offline=True)
        for name in names:
            role = role_of(name)
            if role is not None:
                ev.files.append(self._download(name, role, sha, offline=True))
        self._finish(ev, stored)
        return ev

    def _evidence(self, sha: str, requested: str, stored: dict[str, Any], offline: bool) -> Evidence:
        return Evidence(
            kind="hub",
            id=self.repo_id,
            revision=sha,
            requested_revision=requested,
            siblings=list(stored.get("siblings") or []),
            tags=[str(t) for t in stored.get("tags") or []],
            gated=stored.get("gated"),
            offline=offline,
        )

    def _download(self, name: str, role: str, sha: str, *, offline: bool,
                  deadline: float | None = None) -> SourceFile:
        from huggingface_hub import errors as hf_errors
        from huggingface_hub import hf_hub_download

        timeout = timeout_seconds()

        def fetch_once() -> str:
            return hf_hub_download(self.repo_id, name, revision=sha, local_files_only=offline, etag_timeout=timeout)

        def fetch() -> str:
            # 429 on a file: one more try after Retry-After (1 s if absent) if that is at most min(10 s, timeout).
            try:
                return fetch_once()
            except hf_errors.LocalEntryNotFoundError as exc:
                response = getattr(exc.__cause__, "response", None)
                if offline or getattr(response, "status_code", None) != 429:
                    raise
                asked = _retry_after(getattr(response, "headers", None) or {})
                if asked is not None and asked > retry_wait_cap(timeout):
                    raise  # not worth a capped wait: the Hub would refuse again
                wait = min(1.0 if asked is None else asked, retry_wait_cap(timeout))
                if deadline is not None and time.monotonic() + wait + 1 >= deadline:
                    raise
                time.sleep(wait)
                return fetch_once()

        try:
            path = _before_deadline(fetch, deadline)
        except (_DeadlinePassed, hf_errors.GatedRepoError, hf_errors.RemoteEntryNotFoundError) as exc:
            return download_failure(name, role, exc)
        except hf_errors.LocalEntryNotFoundError as exc:
            if offline:
                return SourceFile(name=name, role=role, error="offline and not in the cache")
            # Online: the metadata request failed for a transient reason (network, timeout, 5xx) even after
            # huggingface_hub's retries, and no cached copy exists. Say why, not "offline".
            return SourceFile(name=name, role=role, error=f"download failed: {_cause(exc)}")
        except Exception as exc:
            return download_failure(name, role, exc)
        return read_file(Path(path), name, role)

    def _finish(self, ev: Evidence, stored: dict[str, Any]) -> None:
        card_file = next((f for f in ev.files if f.role == "card" and f.text is not None), None)
        if card_file is not None:
            ev.card = parse_card(card_file.text or "", card_file.name)
        else:
            # Gated or missing README: audit the card data model_info returned (no line numbers).
            from openaudit.card import Card

            data = stored.get("card_data") or {}
            ev.card = Card(path="model_info.cardData", metadata=data if isinstance(data, dict) else {})
            ev.notes.append("README.md could not be read; auditing the card metadata returned by model_info")
        if not ev.tags:
            tags = ev.metadata.get("tags")
            ev.tags = [str(t) for t in tags] if isinstance(tags, list) else []


def _card_data_dict(card_data: Any) -> dict[str, Any]:
    if card_data is None:
        return {}
    if isinstance(card_data, dict):
        return card_data
    to_dict = getattr(card_data, "to_dict", None)
    if callable(to_dict):
        try:
            return to_dict()
        except Exception:
            return {}
    return {}
