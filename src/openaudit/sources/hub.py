"""Evidence from the Hugging Face Hub: single checks, budgeted batch reads, upstream models, organisation
listings and dataset cards. huggingface_hub is imported lazily (it costs ~400 ms); its HTTP layer, with
openaudit's guards, retries and deadline, is ``openaudit.sources.hubnet``.

Requests: one ``model_info`` call (none when the model came from an organisation listing), then one GET per file
at the commit sha model_info returned (no HEAD: the sha pins the content), every file of the check at once
(card, license, use-policy and notice files, most decisive first within each role's cap). Files are written into
the standard Hub cache layout; a file already there at that sha costs no request, so a repeat check at an
unchanged revision makes one request, and ``--offline`` none: it reads the revision and repo facts that the last
online check stored beside the Hub cache, and the files from the Hub cache.

``on_info`` (optional) is called with the repo facts as soon as model_info (or the listing) has answered, before
the files are read: the lineage resolver starts the upstream models and dataset cards named in the card data
there, so they load in the same round trip as this model's files.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from openaudit.card import parse_card
from openaudit.errors import EvidenceUnavailable, HubNotFound, HubUnreachable, UsageError
from openaudit.evidence import Evidence, SourceFile, role_of
from openaudit.sources.base import HUB_ID, Source
from openaudit.sources.hubnet import (
    DEFAULT_TIMEOUT,
    MalformedAnswer,
    OffEndpoint,
    cached_file,
    card_data_dict,
    check_deadline_seconds,
    download_failure,
    first_line,
    get_file,
    guard_session,
    hub_env,
    hub_ready,
    in_parallel,
    model_info,
    plain_name,
    repo_cache_dir,
    retry_after,
    retry_rate_limited,
    retry_wait_cap,
    store_ref,
    timeout_seconds,
    valid_sha,
)
from openaudit.sources.local import read_file
from openaudit.textutil import redact_secrets, secrets

__all__ = [
    "DEFAULT_TIMEOUT", "PER_MODEL_REQUESTS", "ROLE_BUDGET", "BudgetHubSource", "DatasetUnavailable", "HubSource",
    "OffEndpoint", "allowed_files", "card_data_dict", "check_deadline_seconds", "dataset_card", "fetch_order",
    "first_line", "hub_env", "license_link_name", "list_author_models", "plain_name", "retry_wait_cap",
    "timeout_seconds", "valid_sha",
]

MAX_FILES_PER_ROLE = 8  # a single check reads at most this many files of each role (card, license, …)
PER_MODEL_REQUESTS = 5  # a batch model or an upstream: at most this many requests (model_info included)
ROLE_BUDGET = {"card": 1, "license": 2, "use_policy": 1, "notice": 1}  # per model, in fetch order; sums to 5
_ROLE_ORDER = {"card": 0, "license": 1, "use_policy": 2, "notice": 3}
_MAIN_LICENSE = re.compile(r"licen(?:ce|se)(?:\.(?:md|txt|rst|markdown))?", re.I)
MAX_STORE_BYTES = 4 << 20  # the offline store entry of one revision (siblings, tags, card data)
LIST_EXPAND = ["sha", "siblings", "tags", "gated", "cardData"]
_ORG = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}\Z")



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


class HubSource(Source):
    """A Hub model. ``info``: a ModelInfo from an organisation listing (list_models with expand=sha,siblings,tags,
    gated,cardData), used instead of a model_info request. ``budget``: at most this many requests for the model
    (model_info included when it is made), shared out by role (``allowed_files``); None: every file of each role up
    to MAX_FILES_PER_ROLE. ``on_info``: called with the repo facts before the files are read (see the module
    docstring)."""

    kind = "hub"

    def __init__(self, repo_id: str, revision: str | None = None, *, offline: bool = False, info: Any = None,
                 budget: int | None = None, on_info: Callable[[dict[str, Any]], None] | None = None):
        self.repo_id = repo_id
        self.revision = revision
        self.offline_flag = offline
        self.info = info
        self.budget = budget
        self.on_info = on_info

    def _waiting(self) -> None:
        """Called right before a request is sent: ``on_request`` (see Source), once. Never fails the check."""
        call, self.on_request = self.on_request, None
        if call is not None:
            try:
                call()
            except Exception:  # noqa: BLE001, S110 (a head start only)
                pass

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
        constants, t = hub_ready()
        offline = self.offline_flag or constants.HF_HUB_OFFLINE
        requested = self.revision or "main"
        if offline:
            return self._fetch_offline(constants, requested)
        return self._fetch_online(constants, requested, t)

    def _listed(self) -> bool:
        return self.info is not None and bool(getattr(self.info, "sha", None))

    def _fetch_online(self, constants: Any, requested: str, timeout: float) -> Evidence:
        from huggingface_hub import errors as hf_errors

        deadline = time.monotonic() + check_deadline_seconds(timeout)
        try:
            info = self.info if self._listed() else retry_rate_limited(
                lambda: model_info(self.repo_id, self.revision, timeout, before_send=self._waiting), timeout, deadline)
        except (OffEndpoint, MalformedAnswer) as exc:
            raise EvidenceUnavailable(f"{self.display}: {exc}") from None
        except hf_errors.HFValidationError as exc:
            raise UsageError(f"not a valid Hub model id: {self.display!r} ({first_line(exc)})") from None
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
                asked = retry_after(getattr(response, "headers", None) or {})
                when = f"; it asks to retry after {asked:g} s" if asked is not None else ""
                raise EvidenceUnavailable(f"{self.display}: rate limited by the Hub (HTTP 429){when}") from None
            raise EvidenceUnavailable(f"{self.display}: Hub request failed (HTTP {status})") from None
        except Exception as exc:  # noqa: BLE001 (network errors come from httpx/httpx2; classify without importing it)
            cached = self._has_cached_copy(constants, requested)
            message = f"{self.display}: could not reach the Hub at {constants.ENDPOINT}: {first_line(exc)}"
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
            "card_data": card_data_dict(info.card_data),
        }
        tokens = secrets()
        if tokens:  # what the Hub says is data to report: a token echoed in it is not
            try:
                stored = json.loads(redact_secrets(json.dumps(stored), tokens, shape=False))
            except (TypeError, ValueError):
                stored["card_data"] = {}
        if self.on_info is not None:  # upstream models and dataset cards start now, with this model's files
            try:
                self.on_info(stored)
            except Exception:  # noqa: BLE001, S110 (a head start only)
                pass  # a head start only: the lineage resolver reads them anyway
        self._save_info(constants.HF_HOME, requested, sha, stored)
        store_ref(self.repo_id, requested, sha)
        ev = self._evidence(sha, requested, stored, offline=False)
        order = fetch_order(siblings, license_link_name(stored.get("card_data"), self.repo_id))
        allowed = None if self.budget is None else allowed_files(order, self.budget - (0 if self._listed() else 1))
        slots: list[SourceFile | None] = []
        wanted: list[tuple[int, str, str]] = []
        per_role: dict[str, int] = {}
        for name in order:
            role = role_of(name) or "license"
            per_role[role] = per_role.get(role, 0) + 1
            if allowed is None and per_role[role] > MAX_FILES_PER_ROLE:
                slots.append(SourceFile(name=name, role=role, error=(
                    f"not fetched: more than {MAX_FILES_PER_ROLE} {role.replace('_', ' ')} files in the repository "
                    "root (the first ones, most decisive first, were read)")))
                continue
            cached_path = cached_file(self.repo_id, name, sha)
            if cached_path is not None:  # at this sha: no request
                slots.append(read_file(cached_path, name, role))
            elif allowed is not None and name not in allowed:
                slots.append(SourceFile(name=name, role=role, error=(
                    f"not fetched: the batch request budget ({self.budget} per model) went to the card and more "
                    "decisive files (shared out by role)")))
            else:
                wanted.append((len(slots), name, role))
                slots.append(None)
        if wanted:
            self._waiting()
        fetched = in_parallel(
            [functools.partial(get_file, self.repo_id, name, role, sha, deadline) for _, name, role in wanted],
            deadline, lambda i, exc: download_failure(wanted[i][1], wanted[i][2], exc))
        for (k, _, _), sf in zip(wanted, fetched, strict=True):
            slots[k] = sf
        ev.files = [sf for sf in slots if sf is not None]
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
            snapshot = repo_cache_dir(self.repo_id) / "snapshots" / sha
            return bool(stored) or snapshot.is_dir()
        except Exception:  # noqa: BLE001 (a cache it cannot read: no cached copy)
            return None

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
        snapshot = repo_cache_dir(self.repo_id) / "snapshots" / sha
        if not stored and not snapshot.is_dir():
            raise EvidenceUnavailable(f"{self.display}: offline and revision {sha[:12]} is not in the cache")
        # The stored listing and what the Hub cache holds: a stored listing can name more files, never hide one.
        on_disk = sorted(p.name for p in snapshot.iterdir()) if snapshot.is_dir() else []
        names = list(dict.fromkeys([*(stored.get("siblings") or []), *on_disk]))
        ev = self._evidence(sha, requested, stored, offline=True)
        for name in fetch_order(names, license_link_name(stored.get("card_data"), self.repo_id)):
            role = role_of(name)
            if role is not None:
                cached = cached_file(self.repo_id, name, sha)
                ev.files.append(read_file(cached, name, role) if cached is not None
                                else SourceFile(name=name, role=role, error="offline and not in the cache"))
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



class BudgetHubSource(HubSource):
    """A HubSource within ``budget`` requests (default PER_MODEL_REQUESTS): batch models and upstream models."""

    def __init__(self, repo_id: str, revision: str | None = None, *, offline: bool = False, info: Any = None,
                 budget: int = PER_MODEL_REQUESTS, on_info: Callable[[dict[str, Any]], None] | None = None):
        super().__init__(repo_id, revision, offline=offline, info=info, budget=budget, on_info=on_info)


# -- organisation listings and dataset cards ---------------------------------------------------------------
def list_author_models(org: str, *, limit: int | None = None,
                       on_request: Callable[[], None] | None = None) -> Iterator[Any]:
    """The ModelInfo of every model of ``org`` (the first ``limit``), with sha, files, tags, gating and card data,
    so that auditing one costs only its file downloads. Only well-formed ids of this author are kept (the listing
    is untrusted input like any card).

    The first page is read before this returns: a bad name (UsageError), a listing that fails or is empty
    (EvidenceUnavailable) stop the run before any audit. Later pages are read as the models are consumed, so a
    batch audits the first page while the next one loads; a failure then is raised by the iterator. ``on_request``
    is called right before the first page is asked for (see Source.on_request)."""
    if not _ORG.match(org) or ".." in org:
        raise UsageError(f"not a Hub user or organisation name: {org!r}")
    hub_env()
    from huggingface_hub import HfApi, constants
    from huggingface_hub import errors as hf_errors

    if constants.HF_HUB_OFFLINE:
        raise EvidenceUnavailable(f"--author {org}: listing an organisation's models needs the Hub (offline)")
    guard_session()  # a pagination Link to another host is refused (it would get the token)
    pages = iter(HfApi().list_models(author=org, expand=LIST_EXPAND, limit=limit))  # type: ignore[arg-type]

    def pull() -> Any:
        try:
            return next(pages)
        except StopIteration:
            return None
        except OffEndpoint as exc:
            raise EvidenceUnavailable(f"--author {org}: listing stopped: {exc}") from None
        except hf_errors.HfHubHTTPError as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            raise EvidenceUnavailable(f"--author {org}: listing failed (HTTP {status})") from None
        except Exception as exc:  # noqa: BLE001 (network errors come from httpx: classified without importing it)
            raise EvidenceUnavailable(
                f"--author {org}: could not reach the Hub at {constants.ENDPOINT}: {first_line(exc)}") from None

    def wanted(i: Any) -> bool:
        return (isinstance(i.id, str) and HUB_ID.match(i.id) is not None and ".." not in i.id and "@" not in i.id
                and i.id.split("/", 1)[0].lower() == org.lower())

    if on_request is not None:
        try:
            on_request()
        except Exception:  # noqa: BLE001, S110 (a head start only)
            pass
    first = pull()
    while first is not None and not wanted(first):
        first = pull()
    if first is None:
        raise EvidenceUnavailable(f"--author {org}: no models found on the Hub")

    return _read_ahead(first, pull, wanted)


LISTING_READ_AHEAD = 32  # listed models held ahead of the audits (a page request starts before the audits need it)
_END = object()


def _read_ahead(first: Any, pull: Callable[[], Any], wanted: Callable[[Any], bool]) -> Iterator[Any]:
    """``first``, then every wanted model ``pull`` gives, read by a background thread at most LISTING_READ_AHEAD
    models ahead of the consumer: the next page of a listing loads while the models of this one are audited,
    instead of every worker of a batch waiting for it at the end of each page. An error of the listing is raised
    in order, after the models listed before it. Stopping the iteration stops the reader."""
    import queue
    import threading

    yield first
    ahead: queue.Queue[Any] = queue.Queue(maxsize=LISTING_READ_AHEAD)
    stop = threading.Event()

    def put(x: Any) -> bool:
        while not stop.is_set():
            try:
                ahead.put(x, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            info = pull()
            while info is not None and not stop.is_set():
                if wanted(info) and not put(info):
                    return
                info = pull()
        except BaseException as exc:  # noqa: BLE001 (handed to the consumer, in order)
            put(exc)
            return
        put(_END)

    threading.Thread(target=read, name="openaudit-listing", daemon=True).start()
    try:
        while (x := ahead.get()) is not _END:
            if isinstance(x, BaseException):
                raise x
            yield x
    finally:
        stop.set()


class DatasetUnavailable(Exception):
    """A dataset card could not be read; the message says why (one line, no token)."""


def dataset_card(ds_id: str, *, offline: bool = False) -> tuple[dict[str, Any], list[str], Any]:
    """(card data, tags, gated) of a Hub dataset from one ``dataset_info`` request. Dataset cards are not read
    offline. Raises DatasetUnavailable."""
    import sys

    t = hub_env()
    if offline or ("huggingface_hub" not in sys.modules and (
            os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    ).upper() in ("1", "ON", "YES", "TRUE")):  # what constants.HF_HUB_OFFLINE will say, without the import
        raise DatasetUnavailable("offline: dataset cards are not read offline")
    from huggingface_hub import HfApi, constants
    from huggingface_hub import errors as hf_errors

    if constants.HF_HUB_OFFLINE:
        raise DatasetUnavailable("offline: dataset cards are not read offline")
    guard_session()
    try:
        info = retry_rate_limited(lambda: HfApi().dataset_info(ds_id, timeout=t), t,
                                  time.monotonic() + check_deadline_seconds(t))
    except OffEndpoint as exc:
        raise DatasetUnavailable(str(exc)) from None
    except hf_errors.RepositoryNotFoundError:
        raise DatasetUnavailable("dataset not found on the Hub (or private without access)") from None
    except hf_errors.HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        raise DatasetUnavailable(f"Hub request failed (HTTP {status})") from None
    except Exception as exc:  # noqa: BLE001 (network errors come from httpx: classified without importing it)
        raise DatasetUnavailable(f"could not reach the Hub: {first_line(exc)}") from None
    return card_data_dict(getattr(info, "card_data", None)), [str(x) for x in info.tags or []], info.gated
