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
from openaudit.errors import EvidenceUnavailable, HubNotFound, HubUnreachable, UsageError
from openaudit.evidence import Evidence, SourceFile, role_of
from openaudit.sources.base import Source
from openaudit.sources.local import read_file
from openaudit.textutil import redact_secrets, secrets

_SHA = re.compile(r"[0-9a-f]{40}")
DEFAULT_TIMEOUT = 20.0
MAX_FILES_PER_ROLE = 8  # a single check reads at most this many files of each role (card, license, …)
_ROLE_ORDER = {"card": 0, "license": 1, "use_policy": 2, "notice": 3}
_MAIN_LICENSE = re.compile(r"licen[cs]e(?:\.(?:md|txt|rst|markdown))?", re.I)
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
MAX_STORE_BYTES = 4 << 20  # the offline store entry of one revision (siblings, tags, card data)


def valid_sha(value: Any) -> bool:
    """A full commit sha as the Hub names revisions: exactly 40 lower-case hex digits (nothing else, no newline)."""
    return isinstance(value, str) and _SHA.fullmatch(value) is not None


def plain_name(value: Any) -> bool:
    """A repository-root file name from a Hub answer that is safe to use in a path or a request."""
    return (isinstance(value, str) and 0 < len(value) <= 255 and value not in (".", "..")
            and _BAD_NAME.search(value) is None)


def license_link_name(card_data: Any, repo_id: str) -> str | None:
    """The repository file the card's ``license_link`` names (``LICENSE.md``, ``./LICENSE``, or a Hub URL into this
    repository), or None when it names another place."""
    link = card_data.get("license_link") if isinstance(card_data, dict) else None
    if not isinstance(link, str) or not link.strip() or len(link) > 2048:
        return None
    link = link.strip().split("#", 1)[0].split("?", 1)[0]
    if "://" in link:
        marker = f"/{repo_id}/".lower()
        low = link.lower()
        k = low.find(marker)
        if k < 0:
            return None
        rest = link[k + len(marker):].split("/")
        if len(rest) < 3 or rest[0] not in ("blob", "resolve", "raw"):
            return None
        link = "/".join(rest[2:])
    link = link.removeprefix("./")
    return link if plain_name(link) else None


def fetch_order(names: list[str], license_link: str | None = None) -> list[str]:
    """The files an audit reads, most decisive first: the card, then the file that decides the license (the one
    ``license_link`` names, LICENSE/LICENCE[.md|.txt]), other LICENSE* files, COPYING*, then use policies and
    notices. Decoys (``COPYING.1`` … ``COPYING.9999``) come after the license file, whatever their number."""
    link = (license_link or "").lower()

    def key(name: str) -> tuple[int, int, int, str]:
        role = role_of(name) or ""
        low = name.lower()
        tier = 0
        if role == "license":
            tier = (0 if low == link else 1 if _MAIN_LICENSE.fullmatch(name) else 2 if low.startswith("licen")
                    else 3 if low.startswith("copying") and len(low) <= 12 else 4)
        return (_ROLE_ORDER.get(role, 9), tier, len(name), low)

    return sorted((n for n in names if plain_name(n) and role_of(n) is not None), key=key)


def timeout_seconds() -> float:
    """OPENAUDIT_TIMEOUT in seconds (fractions allowed); unset or unparsable: the default."""
    from openaudit.textutil import env_seconds

    return env_seconds("OPENAUDIT_TIMEOUT", DEFAULT_TIMEOUT)


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


class OffEndpoint(Exception):
    """A Hub answer (a pagination link, a redirect of an API call) pointed away from HF_ENDPOINT: refused."""


def _origin(url: Any) -> tuple[str, str, int]:
    from urllib.parse import urlsplit

    parts = urlsplit(str(url))
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme, -1)


def _where(url: Any) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"  # never the path or query (they may carry anything)


def _endpoint_origin() -> tuple[str, str, int]:
    from huggingface_hub import constants

    return _origin(constants.ENDPOINT)


def _stay_on_endpoint(request: Any) -> None:
    """httpx request hook: a request that carries the token, or any Hub API request, goes to HF_ENDPOINT only
    (same scheme, host and port). A file download redirected to a CDN is allowed: httpx drops the token on a
    redirect to another host."""
    here = _origin(request.url)
    if here == _endpoint_origin():
        return
    path = getattr(request.url, "path", "") or ""
    if request.headers.get("authorization") is not None or path.startswith("/api/"):
        raise OffEndpoint(f"refused a request to {_where(request.url)}: not HF_ENDPOINT "
                          f"({_where_tuple(_endpoint_origin())}); a Hub answer pointed to another host")


def _where_tuple(origin: tuple[str, str, int]) -> str:
    return f"{origin[0]}://{origin[1]}:{origin[2]}"


def _no_api_redirect_away(response: Any) -> None:
    """httpx response hook: a Hub API answer that redirects to another host is not followed (its JSON would be
    used as the Hub's)."""
    if not getattr(response, "has_redirect_location", False):
        return
    request = response.request
    path = getattr(request.url, "path", "") or ""
    if not path.startswith("/api/"):
        return
    target = request.url.join(response.headers.get("location", ""))
    if _origin(target) != _endpoint_origin():
        raise OffEndpoint(f"refused a redirect of a Hub API answer to {_where(target)}: not HF_ENDPOINT "
                          f"({_where_tuple(_endpoint_origin())})")


def guard_session() -> None:
    """Install the two HF_ENDPOINT hooks on huggingface_hub's shared HTTP client (idempotent; re-checked before
    every Hub use, since huggingface_hub may build a new client)."""
    from huggingface_hub import get_session

    with _bound_lock:
        session = get_session()
        hooks = session.event_hooks
        changed = False
        if _stay_on_endpoint not in hooks.get("request", []):
            hooks.setdefault("request", []).append(_stay_on_endpoint)
            changed = True
        if _no_api_redirect_away not in hooks.get("response", []):
            hooks.setdefault("response", []).append(_no_api_redirect_away)
            changed = True
        if changed:
            session.event_hooks = hooks


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
            Path(hf_home).mkdir(parents=True, exist_ok=True)
            for level in (d.parent, d, d / "refs"):  # this user's only (trusted_store refuses anything else)
                level.mkdir(mode=0o700, exist_ok=True)
            (d / "refs" / quote(requested, safe="")).write_text(sha)
            (d / f"{sha}.json").write_text(json.dumps(info))
        except OSError:
            pass  # the store is an optimisation for offline use; a read-only cache must not fail the audit

    def _load_info(self, hf_home: str, requested: str) -> tuple[str, dict[str, Any]] | None:
        """The stored revision and repo facts, validated: the store is a cache anyone with write access to it could
        have forged, so it is read only from a directory of this user that others cannot write, every value is
        checked (a bad one is dropped), and it can add to what the Hub cache holds but never hide a file."""
        d = self._store_dir(hf_home)
        trusted_store(Path(hf_home) / "openaudit", d)
        sha = requested if valid_sha(requested) else None
        if sha is None:
            try:
                sha = _read_capped(d / "refs" / quote(requested, safe=""), 64).strip()
            except OSError:
                return None
            if not valid_sha(sha):  # a forged ref must not name a path
                raise EvidenceUnavailable(f"{self.display}: the offline store's entry for {requested!r} is not a "
                                          f"commit sha ({d / 'refs'}); run one online check to rewrite it")
        try:
            raw = json.loads(_read_capped(d / f"{sha}.json", MAX_STORE_BYTES))
        except (OSError, ValueError, RecursionError):
            return sha, {}
        return sha, _valid_store(raw)

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
        guard_session()
        check_cache_location(constants)
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
        except OffEndpoint as exc:
            raise EvidenceUnavailable(f"{self.display}: {exc}") from None
        except hf_errors.HFValidationError as exc:
            raise UsageError(f"not a valid Hub model id: {self.display!r} ({_first_line(exc)})") from None
        except hf_errors.GatedRepoError:
            raise EvidenceUnavailable(f"{self.display}: gated repository and no access granted") from None
        except hf_errors.RevisionNotFoundError:
            raise EvidenceUnavailable(f"{self.display}: revision not found: {requested}") from None
        except hf_errors.RepositoryNotFoundError:
            raise HubNotFound(
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
            cached = self._has_cached_copy(constants, requested)
            message = f"{self.display}: could not reach the Hub at {constants.ENDPOINT}: {_first_line(exc)}"
            raise HubUnreachable(unreachable_message(message, cached), cached=cached) from None

        sha = info.sha
        if not sha:
            raise EvidenceUnavailable(f"{self.display}: the Hub returned no commit sha for this revision")
        if not valid_sha(sha):  # it names files and cache paths: never used unless it is 40 hex digits
            raise EvidenceUnavailable(f"{self.display}: the Hub returned an invalid commit sha (not 40 hex digits); "
                                      "refused")
        siblings = [s.rfilename for s in (info.siblings or []) if isinstance(getattr(s, "rfilename", None), str)]
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
        per_role: dict[str, int] = {}
        for name in fetch_order(siblings, license_link_name(stored.get("card_data"), self.repo_id)):
            role = role_of(name) or "license"
            per_role[role] = per_role.get(role, 0) + 1
            if late is not None:
                ev.files.append(SourceFile(name=name, role=role, error=f"not fetched: {late}"))
                continue
            if per_role[role] > self.role_cap(role):
                ev.files.append(SourceFile(name=name, role=role, error=(
                    f"not fetched: more than {self.role_cap(role)} {role.replace('_', ' ')} files in the repository "
                    "root (the first ones, most decisive first, were read)")))
                continue
            sf = self._download(name, role, sha, offline=False, deadline=deadline)
            ev.files.append(sf)
            if time.monotonic() >= deadline:
                late = f"the Hub check deadline ({check_deadline_seconds(timeout):g} s) passed"
        self._finish(ev, stored)
        return ev

    def _has_cached_copy(self, constants: Any, requested: str) -> bool | None:
        """Whether ``--offline`` would find this revision (a look at two small files); None if not known."""
        try:
            loaded = self._load_info(constants.HF_HOME, requested)
            if loaded is None:
                from openaudit.sources.hfcache import cached_revision

                return bool(cached_revision(self.repo_id, requested, Path(constants.HF_HUB_CACHE)))
            sha, stored = loaded
            snapshot = Path(constants.HF_HUB_CACHE) / ("models--" + self.repo_id.replace("/", "--")) / "snapshots" / sha
            return bool(stored) or snapshot.is_dir()
        except Exception:
            return None

    def role_cap(self, role: str) -> int:
        return MAX_FILES_PER_ROLE

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
        # The stored listing and what the Hub cache holds: a stored listing can name more files, never hide one.
        on_disk = sorted(p.name for p in snapshot.iterdir()) if snapshot.is_dir() else []
        names = list(dict.fromkeys([*(stored.get("siblings") or []), *on_disk]))
        ev = self._evidence(sha, requested, stored, offline=True)
        for name in fetch_order(names, license_link_name(stored.get("card_data"), self.repo_id)):
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


def unreachable_message(message: str, cached: bool | None) -> str:
    """``message`` (the Hub could not be reached) and what ``--offline`` would do about it."""
    if cached:
        return f"{message}; a cached copy exists: re-run with --offline to audit it"
    if cached is False:
        return f"{message}; --offline would not help: no cached copy (one online check makes one)"
    return f"{message}; --offline audits a cached copy, if there is one"


def _read_capped(path: Path, limit: int) -> str:
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{path}: larger than {limit} bytes")
    return data.decode("utf-8")


def check_cache_location(constants: Any) -> None:
    """The Hub cache and the offline store must be absolute paths: with HOME unset and no passwd entry (or a
    relative HF_HOME / XDG_CACHE_HOME) huggingface_hub would use ``~/.cache/huggingface`` relative to the current
    directory, which in CI is the repository under audit: its committed files would become the cache."""
    for name in ("HF_HOME", "HF_HUB_CACHE"):
        value = str(getattr(constants, name, "") or "")
        if value and not os.path.isabs(value):
            raise EvidenceUnavailable(f"the Hugging Face cache {name}={value!r} is not an absolute path (HOME unset, "
                                      "or a relative HF_HOME/XDG_CACHE_HOME): set HF_HOME to an absolute directory")


def trusted_store(*dirs: Path) -> None:
    """Refuse a cache directory that another user owns, that anyone may write, or that a group other than the
    user's own may write: what it holds could be forged by them. A directory that does not exist is fine."""
    if not hasattr(os, "getuid"):
        return
    for d in dirs:
        try:
            st = os.stat(d)
        except OSError:
            continue
        # group-writable is fine for the user's own primary group (user-private groups, umask 002)
        if st.st_uid != os.getuid() or st.st_mode & 0o002 or (st.st_mode & 0o020 and st.st_gid != os.getgid()):
            raise EvidenceUnavailable(
                f"offline store {d} is not safe to read (owned by another user or writable by group or others); "
                "fix its owner and mode (chmod o-w, and g-w for a shared group) or remove it")


def _valid_store(raw: Any) -> dict[str, Any]:
    """Only well-formed values of a stored entry; anything else is dropped (it cannot change a decision)."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Any] = {}
    siblings = raw.get("siblings")
    if isinstance(siblings, list):
        out["siblings"] = [n for n in siblings[:100_000] if plain_name(n)]
    tags = raw.get("tags")
    if isinstance(tags, list):
        out["tags"] = [t for t in tags[:10_000] if isinstance(t, str) and len(t) <= 300]
    if raw.get("gated") in (False, True, "auto", "manual", None):
        out["gated"] = raw.get("gated")
    card = raw.get("card_data")
    if isinstance(card, dict):
        out["card_data"] = card
    return out


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
