"""The Hub's HTTP layer, shared by every Hub reader (single checks, batches, upstream models, dataset cards).

huggingface_hub does the talking (its shared client, URL and header builders, error classes and cache layout);
this module adds what openaudit needs on top: the HF_ENDPOINT guards on that client, bounded timeouts and
retries (429 ``Retry-After`` honoured process-wide), a wall-clock deadline per check, and reading a file with
one GET at a pinned commit sha (no HEAD: the sha pins the content), stored in the standard Hub cache layout
so that ``--offline`` and ``hf_hub_download`` find it.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from openaudit.errors import EvidenceUnavailable
from openaudit.evidence import SourceFile
from openaudit.textutil import redact_secrets

_SHA = re.compile(r"[0-9a-f]{40}")
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
DEFAULT_TIMEOUT = 20.0

def valid_sha(value: Any) -> bool:
    """A full commit sha as the Hub names revisions: exactly 40 lower-case hex digits (nothing else, no newline)."""
    return isinstance(value, str) and _SHA.fullmatch(value) is not None


def plain_name(value: Any) -> bool:
    """A repository-root file name from a Hub answer that is safe to use in a path or a request."""
    return (isinstance(value, str) and 0 < len(value) <= 255 and value not in (".", "..")
            and _BAD_NAME.search(value) is None)



def timeout_seconds() -> float:
    """OPENAUDIT_TIMEOUT in seconds (fractions allowed); unset or unparsable: the default."""
    from openaudit.textutil import env_seconds

    return env_seconds("OPENAUDIT_TIMEOUT", DEFAULT_TIMEOUT)


def _redact(message: str) -> str:
    """Never let a token reach output, whatever an exception message contains."""
    return " ".join(redact_secrets(message).split())


def first_line(exc: BaseException) -> str:
    if is_timeout(exc):
        return f"timed out after {timeout_seconds():g} s (OPENAUDIT_TIMEOUT)"
    text = str(exc).strip().splitlines()
    return _redact(text[0] if text else exc.__class__.__name__)


def check_deadline_seconds(timeout: float) -> float:
    """Wall-clock budget of one Hub check (model_info and every download): 2 x OPENAUDIT_TIMEOUT + 5 s.

    Every request has its own timeout and a bounded number of retries; this is the backstop over all of them
    (and over waits the Hub asks for with Retry-After): past it we stop waiting and say which files were not read.
    """
    return 2 * timeout + 5


MODEL_INFO_RETRIES = 2  # model_info answered 429 or 502/503/504: retried at most this many times
_RETRY_STATUS = (429, 502, 503, 504)


def retry_rate_limited(call: Any, timeout: float, deadline: float) -> Any:
    """Run ``call`` (a model_info request), retrying a bounded number of times on 429 and 502-504.

    huggingface_hub's ``model_info`` does not retry. We honour a
    ``Retry-After`` (seconds) of at most ``retry_wait_cap(timeout)``; a longer one is not waited for at all (the
    Hub will still refuse after a capped wait): the error says when to retry. Without the header we wait 1 s
    then 2 s (capped the same way), and never past the check deadline.
    """
    from huggingface_hub import errors as hf_errors

    for attempt in range(MODEL_INFO_RETRIES + 1):
        wait_for_pause(deadline)
        try:
            return call()
        except hf_errors.HfHubHTTPError as exc:
            response = getattr(exc, "response", None)
            status = getattr(response, "status_code", None)
            if status not in _RETRY_STATUS or attempt == MODEL_INFO_RETRIES:
                raise
            asked = retry_after(getattr(response, "headers", None) or {})
            if asked is not None and asked > retry_wait_cap(timeout):
                raise
            wait = min(asked if asked is not None else float(2 ** attempt), retry_wait_cap(timeout))
            if time.monotonic() + wait + 1 >= deadline:
                raise
            if asked is not None:
                pause_requests(asked)  # every other Hub request of this process waits too
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


class Sibling(Struct, frozen=True):
    """A file of the repository, as the Hub lists it in ``siblings``."""

    rfilename: str


class ModelAnswer(Struct, frozen=True):
    """What a check reads of the Hub's answer to ``GET /api/models/{id}[/revision/{rev}]``: the commit sha, the
    file names, the tags, the gating and the card data. huggingface_hub's ``ModelInfo`` reads these five keys the
    same way (the card data as a ``ModelCardData``); its module, ``hf_api``, is not imported for it (~35 ms, most
    of a cold check's CPU after the HTTP client). Other keys are not read. A value of the wrong type is a
    malformed answer (:class:`MalformedAnswer`), never a guess."""

    sha: str | None = None
    siblings: list[Sibling] | None = None
    tags: list[str] | None = None
    gated: bool | str | None = None
    card_data: Any = field(default=None, name="cardData")


class MalformedAnswer(Exception):
    """A Hub answer that is not JSON of the shape the Hub sends (the message says where)."""


def model_info(repo_id: str, revision: str | None, timeout: float,
               before_send: Callable[[], None] | None = None) -> ModelAnswer:
    """What ``HfApi().model_info(repo_id, revision=revision, timeout=timeout)`` asks, made of the same
    huggingface_hub pieces (its repo id validation, URL, headers and token, shared HTTP client with our
    HF_ENDPOINT guards, error classification by ``hf_raise_for_status``, ``ModelCardData`` for the card data), read
    into :class:`ModelAnswer`. ``before_send`` is called right before the request is sent (what it starts then
    competes with nothing but the wait). Raises what ``model_info`` raises, and :class:`MalformedAnswer`."""
    with _early_lock:
        early = _early.pop((repo_id, revision), None)
    if early is not None:  # sent while the CLI loaded (start_model_info): its answer, or what it raised
        if before_send is not None:
            before_send()
        early.join()
        return read_model_answer(early.answer())
    send = _model_info_request(repo_id, revision, timeout)
    if before_send is not None:
        before_send()
    return read_model_answer(send())


def _model_info_request(repo_id: str, revision: str | None, timeout: float) -> Callable[[], bytes]:
    """Everything of a model_info request up to sending it (the repo id is validated here); the call sends it and
    returns the answer's body, or raises what huggingface_hub raises for it."""
    from urllib.parse import quote

    from huggingface_hub import constants, get_session
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, validate_repo_id

    validate_repo_id(repo_id)
    url = f"{constants.ENDPOINT}/api/models/{repo_id}"
    if revision is not None:
        url += f"/revision/{quote(revision, safe='')}"
    headers, session = build_hf_headers(), get_session()

    def send() -> bytes:
        r = session.get(url, headers=headers, timeout=timeout)
        hf_raise_for_status(r)
        return r.content

    return send


class _EarlyRequest(threading.Thread):
    """A model_info request sent in the background; ``answer`` returns its body or raises what it raised."""

    def __init__(self, send: Callable[[], bytes]):
        super().__init__(name="openaudit-model-info", daemon=True)
        self._send = send
        self._body: bytes | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            self._body = self._send()
        except BaseException as exc:  # noqa: BLE001 (raised again in the thread that takes the answer)
            self._error = exc

    def answer(self) -> bytes:
        if self._error is not None:
            raise self._error
        return self._body or b""


_early_lock = threading.Lock()
_early: dict[tuple[str, str | None], _EarlyRequest] = {}


def start_model_info(repo_id: str, revision: str | None) -> bool:
    """Send the model_info request of ``repo_id`` at ``revision`` now, in a background thread, as the check of that
    model will (same settings, HF_ENDPOINT guards, token and timeout); the first :func:`model_info` call for them
    takes its answer instead of sending its own. Sends nothing when the Hub is off (``HF_HUB_OFFLINE``) or when
    the check would stop before its request (a cache location it refuses, an invalid repo id): it raises that
    itself. Returns whether a request was sent. The entry point calls this for a check of one Hub model, before
    the CLI is imported (``openaudit.commands.early``)."""
    try:
        constants, timeout = hub_ready()
        if constants.HF_HUB_OFFLINE:
            return False
        send = _model_info_request(repo_id, revision, timeout)
    except Exception:  # noqa: BLE001 (the check meets the same error where it reports it)
        return False
    request = _EarlyRequest(send)
    request.start()  # first: a thread that could not start (RuntimeError) must not be left for the check to join
    with _early_lock:
        _early[(repo_id, revision)] = request
    return True


def read_model_answer(body: bytes) -> ModelAnswer:
    """The :class:`ModelAnswer` in a model_info answer's body; its card data (a mapping) as huggingface_hub's
    ``ModelInfo`` makes it: ``ModelCardData(**card_data, ignore_metadata_errors=True)``."""
    import json

    import msgspec

    # Parsed by the json module, as huggingface_hub parses it (it reads what msgspec's decoder refuses, such as a
    # lone surrogate escape "\ud83d", which JavaScript's JSON.stringify writes for a string cut inside an emoji),
    # then held to ModelAnswer's types.
    try:
        answer = msgspec.convert(json.loads(body), type=ModelAnswer)
    except (ValueError, RecursionError) as exc:  # json's decode error, msgspec's ValidationError
        raise MalformedAnswer(f"the Hub's answer is not model information ({_redact(str(exc))[:200]})") from None
    if isinstance(answer.card_data, dict):
        from huggingface_hub.repocard_data import ModelCardData

        try:
            card_data = ModelCardData(**answer.card_data, ignore_metadata_errors=True)
        except Exception as exc:  # noqa: BLE001 (e.g. a key that is one of its own parameters)
            raise MalformedAnswer(f"the Hub's card data could not be read ({first_line(exc)[:200]})") from None
        answer = msgspec.structs.replace(answer, card_data=card_data)
    return answer


def retry_wait_cap(timeout: float) -> float:
    """The longest Retry-After we wait for: min(10 s, OPENAUDIT_TIMEOUT)."""
    return min(10.0, timeout)


def retry_after(headers: Any) -> float | None:
    try:
        value = headers.get("Retry-After")
    except Exception:  # noqa: BLE001 (headers of a hostile answer: no Retry-After)
        return None
    if value is None:
        return None
    try:
        seconds = float(str(value).strip())
    except ValueError:
        return None  # an HTTP date: not honoured, use the default backoff
    return seconds if seconds >= 0 else None


FILE_RETRIES_5XX = 2  # a file answered 500-504: tried at most this many more times (0.5 s, then 1 s apart)
FILE_RETRIES_429 = 2  # a file answered 429 with a Retry-After we honour: tried at most this many more times
GET_RETRIES = 1  # a file's body download dropped (not timed out): tried once more
_bound_lock = threading.Lock()


def is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or any("Timeout" in k.__name__ for k in type(exc).__mro__)



class DeadlinePassed(Exception):
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


def hub_ready() -> tuple[Any, float]:
    """What every Hub check does before its first request: the huggingface_hub settings (:func:`hub_env`), the
    HF_ENDPOINT guards on its client, and the cache-location check (raises EvidenceUnavailable). Returns
    huggingface_hub's ``constants`` and OPENAUDIT_TIMEOUT."""
    timeout = hub_env()
    from huggingface_hub import constants

    guard_session()
    check_cache_location(constants)
    return constants, timeout


def check_cache_location(constants: Any) -> None:
    """The Hub cache and the offline store must be absolute paths: with HOME unset and no passwd entry (or a
    relative HF_HOME / XDG_CACHE_HOME) huggingface_hub would use ``~/.cache/huggingface`` relative to the current
    directory, which in CI is the repository under audit: its committed files would become the cache."""
    for name in ("HF_HOME", "HF_HUB_CACHE"):
        value = str(getattr(constants, name, "") or "")
        if value and not os.path.isabs(value):
            raise EvidenceUnavailable(f"the Hugging Face cache {name}={value!r} is not an absolute path (HOME unset, "
                                      "or a relative HF_HOME/XDG_CACHE_HOME): set HF_HOME to an absolute directory")


def download_failure(name: str, role: str, exc: BaseException) -> SourceFile:
    """The file entry saying why its download failed (every Hub download path says it the same way)."""
    from huggingface_hub import errors as hf_errors

    if isinstance(exc, DeadlinePassed):
        error = f"download failed: {exc}"
    elif isinstance(exc, hf_errors.GatedRepoError):
        from huggingface_hub import get_token

        error = "gated: " + ("this token has not been granted access (request it on the model page)" if get_token()
                             else "access to the files not granted (set HF_TOKEN)")
    elif isinstance(exc, hf_errors.RemoteEntryNotFoundError):
        error = "listed by the Hub but not found at this revision"
    elif isinstance(exc, hf_errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        error = f"download failed: HTTP {status}" + (" (rate limited)" if status == 429 else "")
    else:
        error = f"download failed: {first_line(exc)}"
    return SourceFile(name=name, role=role, error=error)



def before_deadline(call: Any, deadline: float | None) -> Any:
    """Run ``call`` in a daemon thread and stop waiting for it at ``deadline`` (monotonic).

    An abandoned call keeps running in the background (a thread cannot be killed) until the process
    exits; it only writes to the Hub cache through huggingface_hub's own locks and temporary files.
    """
    if deadline is None:
        return call()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DeadlinePassed("not fetched: the Hub check deadline passed")
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
            box["error"] = exc

    worker = threading.Thread(target=run, name="openaudit-download", daemon=True)
    worker.start()
    worker.join(remaining)
    if worker.is_alive():
        raise DeadlinePassed("no answer before the Hub check deadline (the Hub kept failing or was too slow)")
    if "error" in box:
        raise box["error"]
    return box["value"]



def card_data_dict(card_data: Any) -> dict[str, Any]:
    if card_data is None:
        return {}
    if isinstance(card_data, dict):
        return card_data
    to_dict = getattr(card_data, "to_dict", None)
    if callable(to_dict):
        try:
            return to_dict()
        except Exception:  # noqa: BLE001 (card data that does not convert: none)
            return {}
    return {}


def hub_env() -> float:
    """The huggingface_hub settings every Hub reader applies before huggingface_hub is first imported (it reads
    them at import); returns OPENAUDIT_TIMEOUT. A caller's own setting wins."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # huggingface_hub logs retries on stderr; our report says which files failed and why, and the CLI promises
    # one stderr line on error.
    os.environ.setdefault("HF_HUB_VERBOSITY", "error")
    # No telemetry: huggingface_hub would also ask the Hub for its registry of AI agents (GET
    # /api/agent-harnesses) before the first request of a process whose HF_HOME has no copy from the last day, one
    # round trip more for every check in CI, and a request the user did not ask for.
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    t = timeout_seconds()
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", str(int(max(1, t))))
    os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", str(int(max(1, t))))
    return t


# -- 429: one pause for the whole process -------------------------------------------------------------
_pause_lock = threading.Lock()
_pause_until = 0.0


def pause_requests(seconds: float) -> None:
    """The Hub answered 429 with ``Retry-After: seconds`` (already capped by the caller): no Hub request of this
    process starts before then (a batch slows down as a whole instead of each worker hitting the limit)."""
    global _pause_until
    with _pause_lock:
        _pause_until = max(_pause_until, time.monotonic() + seconds)


def wait_for_pause(deadline: float | None) -> None:
    """Sleep until the process-wide pause is over (never past ``deadline``)."""
    while True:
        with _pause_lock:
            left = _pause_until - time.monotonic()
        if left <= 0:
            return
        if deadline is not None:
            left = min(left, deadline - time.monotonic())
            if left <= 0:
                raise DeadlinePassed("not fetched: the Hub check deadline passed while the Hub asked to wait "
                                     "(HTTP 429)")
        time.sleep(left)


# -- files: one GET at the pinned sha, stored in the Hub cache layout ------------------------------------
def repo_cache_dir(repo_id: str) -> Path:
    """``$HF_HUB_CACHE/models--org--name``: huggingface_hub's cache layout (``file_download.repo_folder_name``) with
    its constants. This module reads and writes that layout itself (see :func:`store_in_cache`) rather than import
    ``file_download``, which costs a check ~20-40 ms of CPU (asyncio, tqdm) for three one-line lookups."""
    from huggingface_hub import constants

    sep = constants.REPO_ID_SEPARATOR
    return Path(constants.HF_HUB_CACHE) / f"models{sep}{repo_id.replace('/', sep)}"


def cached_file(repo_id: str, name: str, sha: str) -> Path | None:
    """The file at commit ``sha`` if the Hub cache holds it: ``snapshots/<sha>/<name>``, unless huggingface_hub
    marked it missing there (``.no_exist/<sha>/<name>``), as its ``try_to_load_from_cache`` reads it. No request."""
    if not valid_sha(sha) or not plain_name(name):
        return None
    root = repo_cache_dir(repo_id)
    try:
        if (root / ".no_exist" / sha / name).is_file():
            return None
        path = root / "snapshots" / sha / name
        return path if path.is_file() else None
    except (OSError, ValueError):  # an unreadable cache entry: not cached
        return None


def file_url(repo_id: str, name: str, sha: str) -> str:
    """The resolve URL of a repository-root file at a commit (``hf_hub_url`` for a model, from its template)."""
    from urllib.parse import quote

    from huggingface_hub import constants

    return constants.HUGGINGFACE_CO_URL_TEMPLATE.format(repo_id=repo_id, revision=quote(sha, safe=""),
                                                        filename=quote(name))


_SAFE_REF = re.compile(r"[A-Za-z0-9][\w.-]{0,99}(?:/[A-Za-z0-9][\w.-]{0,99}){0,3}")


def store_ref(repo_id: str, revision: str, sha: str) -> None:
    """refs/<revision> = sha in the Hub cache (what hf_hub_download writes), so ``hf_hub_download(...,
    local_files_only=True)`` at a branch name finds the files read at its commit. Only plain revision names (no
    ``..``, no absolute path); best effort."""
    if not valid_sha(sha) or revision == sha or not _SAFE_REF.fullmatch(revision) or ".." in revision:
        return
    ref = repo_cache_dir(repo_id) / "refs" / revision
    try:
        if ref.is_file() and ref.read_text(encoding="ascii", errors="replace") == sha:
            return
        ref.parent.mkdir(parents=True, exist_ok=True)
        tmp = ref.with_name(f"{ref.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(sha)
        os.replace(tmp, ref)
    except OSError:
        pass


def store_in_cache(repo_id: str, sha: str, name: str, data: bytes, etag: str | None) -> None:
    """Best effort: blobs/<etag> and snapshots/<sha>/<name> in the Hub cache layout, so a later check (and
    ``--offline``, and ``hf_hub_download``) finds the file without a request. A cache that cannot be written only
    costs that."""
    import shutil

    etag = (etag or "").removeprefix("W/").strip('"')
    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", etag) or not plain_name(name) or not valid_sha(sha):
        return
    root = repo_cache_dir(repo_id)
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


MAX_PARALLEL_REQUESTS = 16  # file GETs in flight at once, whole process (a batch at -j 8: two files per model)
_slots = threading.BoundedSemaphore(MAX_PARALLEL_REQUESTS)


class _Broken(Exception):
    """The connection dropped or the body ended early: the file may be tried once more."""


def _get_once(repo_id: str, name: str, sha: str, timeout: float) -> tuple[bytes, int, str | None]:
    from huggingface_hub import get_session
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status

    from openaudit.textutil import MAX_FILE_BYTES

    url = file_url(repo_id, name, sha)
    try:
        with get_session().stream("GET", url, headers=build_hf_headers(), timeout=timeout,
                                  follow_redirects=True) as r:
            if r.status_code >= 400:
                r.read()
                hf_raise_for_status(r)
            commit = next((h.headers.get("x-repo-commit") for h in [*r.history, r] if h.headers.get("x-repo-commit")),
                          None)
            if commit is not None and commit != sha:
                raise OSError("the Hub answered for another commit than the one asked for")
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
    except Exception as exc:
        if is_timeout(exc) or getattr(exc, "response", None) is not None or isinstance(exc, OSError):
            raise
        name_ = type(exc).__name__
        if any(k in name_ for k in ("Protocol", "ReadError", "WriteError", "Network")):
            raise _Broken(first_line(exc)) from exc
        raise


def get_file(repo_id: str, name: str, role: str, sha: str, deadline: float | None) -> SourceFile:
    """One GET of ``name`` at commit ``sha`` (redirects followed, the token only ever sent to HF_ENDPOINT), at most
    MAX_FILE_BYTES read, stored in the Hub cache. Bounded retries: 500-504 at most FILE_RETRIES_5XX more times
    (0.5 s, 1 s apart); 429 at most FILE_RETRIES_429 more times after its Retry-After (1 s if absent) when that is
    within ``retry_wait_cap`` (a longer one is not waited for); a dropped connection or a body cut short once more;
    a request that timed out never (the user granted it OPENAUDIT_TIMEOUT). Never past ``deadline``."""
    from huggingface_hub import errors as hf_errors

    from openaudit.sources.local import source_file
    from openaudit.textutil import MAX_FILE_BYTES, decode_capped

    timeout = timeout_seconds()
    tries = {"5xx": 0, "429": 0, "broken": 0}
    try:
        while True:
            wait_for_pause(deadline)
            if deadline is not None and time.monotonic() >= deadline:
                raise DeadlinePassed("not fetched: the Hub check deadline passed")
            if not _slots.acquire(timeout=None if deadline is None else max(0.0, deadline - time.monotonic())):
                raise DeadlinePassed("not fetched: the Hub check deadline passed")
            try:
                data, size, etag = _get_once(repo_id, name, sha, timeout)
                break
            except _Broken:
                if tries["broken"] >= GET_RETRIES:
                    raise
                tries["broken"] += 1
                wait = 0.5
            except hf_errors.HfHubHTTPError as exc:
                if isinstance(exc, (hf_errors.GatedRepoError, hf_errors.RepositoryNotFoundError,
                                    hf_errors.RevisionNotFoundError, hf_errors.RemoteEntryNotFoundError)):
                    raise
                response = getattr(exc, "response", None)
                status = getattr(response, "status_code", None)
                if status == 429:
                    asked = retry_after(getattr(response, "headers", None) or {})
                    if tries["429"] >= FILE_RETRIES_429 or (asked is not None and asked > retry_wait_cap(timeout)):
                        raise
                    tries["429"] += 1
                    wait = min(1.0 if asked is None else asked, retry_wait_cap(timeout))
                    pause_requests(wait)
                elif status in (500, 502, 503, 504) and tries["5xx"] < FILE_RETRIES_5XX:
                    tries["5xx"] += 1
                    wait = 0.5 * tries["5xx"]
                else:
                    raise
            finally:
                _slots.release()
            if deadline is not None and time.monotonic() + wait >= deadline:
                raise DeadlinePassed("not fetched: the Hub check deadline passed while retrying")
            time.sleep(wait)
    except _Broken as exc:
        return SourceFile(name=name, role=role, error=f"download failed: {exc}")
    except Exception as exc:  # noqa: BLE001 (network errors come from httpx: a download failure, said)
        return download_failure(name, role, exc)
    if len(data) <= MAX_FILE_BYTES:
        store_in_cache(repo_id, sha, name, data, etag)
    return source_file(name, role, *decode_capped(data), size)  # redacted like any file read


def in_parallel(calls: Sequence[Callable[[], Any]], deadline: float | None,
                late: Callable[[int, BaseException], Any]) -> list[Any]:
    """Run every call at once, each in a daemon thread, and wait for them until ``deadline`` (monotonic).

    A call still running at the deadline is answered by ``late(i, DeadlinePassed)``; one that raised by
    ``late(i, exc)``. Abandoned calls keep running in the background until the process exits (a thread cannot be
    killed); they only write to the Hub cache through temporary files renamed into place."""
    if len(calls) == 1 and deadline is None:
        try:
            return [calls[0]()]
        except Exception as exc:  # noqa: BLE001 (handed to the caller)
            return [late(0, exc)]
    boxes: list[dict[str, Any]] = [{} for _ in calls]

    def run(i: int) -> None:
        try:
            boxes[i]["value"] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
            boxes[i]["error"] = exc

    workers = [threading.Thread(target=run, args=(i,), name="openaudit-hub", daemon=True) for i in range(len(calls))]
    for w in workers:
        w.start()
    out: list[Any] = []
    for i, w in enumerate(workers):
        w.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        if w.is_alive():
            out.append(late(i, DeadlinePassed("no answer before the Hub check deadline (the Hub kept failing or was "
                                              "too slow)")))
        elif "error" in boxes[i]:
            out.append(late(i, boxes[i]["error"]))
        else:
            out.append(boxes[i]["value"])
    return out
