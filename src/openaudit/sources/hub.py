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
    return value if value > 0 else DEFAULT_TIMEOUT


def _redact(message: str) -> str:
    """Never let a token reach output, whatever an exception message contains."""
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        token = os.environ.get(var)
        if token and len(token) >= 4:
            message = message.replace(token, "***")
    message = re.sub(r"\bhf_[A-Za-z0-9]{8,}\b", "hf_***", message)
    return " ".join(message.split())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return _redact(text[0] if text else exc.__class__.__name__)


def _cause(exc: BaseException) -> str:
    """The underlying reason of a huggingface_hub error that wraps another (HTTP status or network error)."""
    cause = exc.__cause__ or exc
    status = getattr(getattr(cause, "response", None), "status_code", None)
    if status is not None:
        return f"HTTP {status}"
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

    huggingface_hub's ``model_info`` does not retry (only file downloads go through its backoff). We honour
    ``Retry-After`` (seconds) up to ``min(10, OPENAUDIT_TIMEOUT)``, else wait 1 s then 2 s, and never wait
    past the check deadline.
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
            wait = _retry_after(getattr(response, "headers", None) or {})
            wait = min(wait if wait is not None else float(2 ** attempt), 10.0, timeout)
            if time.monotonic() + wait + 1 >= deadline:
                raise
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


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


class _DeadlinePassed(Exception):
    pass


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
        os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", str(int(max(1, t))))
        os.environ.setdefault("HF_HUB_DOWNLOAD_TIMEOUT", str(int(max(1, t))))
        from huggingface_hub import constants, file_download

        # After a failed HEAD (timeout, network error, 5xx) hf_hub_download retries with a fixed 60 s timeout per
        # attempt; OPENAUDIT_TIMEOUT bounds every Hub request, that one included. (A private name: guarded.)
        if isinstance(getattr(file_download, "_ETAG_RETRY_TIMEOUT", None), (int, float)):
            file_download._ETAG_RETRY_TIMEOUT = max(1.0, t)

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
            status = getattr(getattr(exc, "response", None), "status_code", None)
            why = " (rate limited)" if status == 429 else ""
            raise EvidenceUnavailable(f"{self.display}: Hub request failed (HTTP {status}{why})") from None
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

        try:
            path = _before_deadline(
                lambda: hf_hub_download(self.repo_id, name, revision=sha, local_files_only=offline), deadline)
        except _DeadlinePassed as exc:
            return SourceFile(name=name, role=role, error=f"download failed: {exc}")
        except hf_errors.GatedRepoError:
            from huggingface_hub import get_token

            hint = ("this token has not been granted access (request it on the model page)" if get_token()
                    else "access to the files not granted (set HF_TOKEN)")
            return SourceFile(name=name, role=role, error=f"gated: {hint}")
        except hf_errors.RemoteEntryNotFoundError:
            return SourceFile(name=name, role=role, error="listed by the Hub but not found at this revision")
        except hf_errors.LocalEntryNotFoundError as exc:
            if offline:
                return SourceFile(name=name, role=role, error="offline and not in the cache")
            # Online: the metadata request failed for a transient reason (network, timeout, 5xx) even after
            # huggingface_hub's retries, and no cached copy exists. Say why, not "offline".
            return SourceFile(name=name, role=role, error=f"download failed: {_cause(exc)}")
        except hf_errors.HfHubHTTPError as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            return SourceFile(name=name, role=role, error=f"download failed (HTTP {status})")
        except Exception as exc:
            return SourceFile(name=name, role=role, error=f"download failed: {_first_line(exc)}")
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
