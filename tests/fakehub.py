"""An in-process fake of the Hugging Face Hub HTTP API, enough for ``huggingface_hub`` to run unmodified.

Served routes (the ones ``HfApi.model_info`` and ``hf_hub_download`` use):

* ``GET /api/models/{repo_id}`` and ``GET /api/models/{repo_id}/revision/{rev}``: model info JSON.
* ``HEAD`` / ``GET /{repo_id}/resolve/{rev}/{filename}``: file metadata and bytes. Regular files answer 200
  with ``X-Repo-Commit``, a quoted ``ETag`` (the git blob sha) and ``Content-Length``. Files marked LFS
  answer 302 to a "CDN" on another host name (``localhost`` instead of ``127.0.0.1``, so huggingface_hub
  does not follow the redirect on HEAD and drops the Authorization header on GET), with ``X-Linked-Etag``
  (sha256) and ``X-Linked-Size``, like the real Hub.
* ``GET /_cdn/{sha256}``: the LFS "CDN".
* ``GET /api/models?author=...&expand=...``: ``HfApi.list_models``, ``page_size`` models per page, the next page
  in a ``Link: <...>; rel="next"`` header like the real Hub; ``expand`` keeps only the listed properties.
* ``GET /api/datasets/{dataset_id}``: ``HfApi.dataset_info`` for datasets added with ``add_dataset``.

Errors carry ``X-Error-Code``/``X-Error-Message`` exactly as ``huggingface_hub.utils.hf_raise_for_status``
classifies them: RepoNotFound (401 without a token, 404 with one, as the real Hub does), RevisionNotFound
(404), EntryNotFound (404, with X-Repo-Commit), GatedRepo (403 on files of a gated repo without a granted token).

Every request is recorded (``hub.requests``, ``hub.requests_to(pattern, method)``) without the Authorization
value, with when it arrived and was answered (``rounds(requests)``: how many of them ran one after the other);
``hub.max_inflight`` is the most requests answered at once. ``hub.add_fault`` injects a status, extra
headers, a delay or a dropped connection for requests matching a method and path pattern, for all or the first
``times`` of them (after the first ``after``). Exceptions inside the fake itself land in
``hub.errors`` (the ``fake_hub`` fixture fails the test on them).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import yaml

_SHA = re.compile(r"^[0-9a-f]{40}$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def card_data_of(readme: bytes | None) -> dict[str, Any] | None:
    """The Hub's ``cardData``: the README front matter as a mapping (None when absent or not a mapping)."""
    if not readme:
        return None
    text = readme.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n")
    m = _FRONT_MATTER.match(text)
    if not m or not m.group(1):
        return None
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


@dataclass
class RecordedRequest:
    method: str
    path: str  # raw request path, query string included
    headers: dict[str, str]  # lower-cased names; the Authorization value is replaced by "<redacted>"
    has_auth: bool
    status: int | None = None  # None when the connection was dropped
    started: float = 0.0  # time.monotonic() when the request arrived
    ended: float | None = None  # ... and when its answer was sent (bench/latency.py counts sequential rounds)

    @property
    def route(self) -> str:
        return unquote(urlsplit(self.path).path)


@dataclass
class Fault:
    """Applied to requests whose method matches (None: any) and whose path matches ``path`` (a regex, searched)."""

    path: str
    method: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    drop: bool = False  # close the connection without answering
    times: int | None = None  # how many requests it applies to (None: all)
    after: int = 0  # how many matching requests are answered normally before it applies

    def matches(self, method: str, path: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return re.search(self.path, path) is not None


@dataclass
class Revision:
    sha: str
    files: dict[str, bytes]


@dataclass
class Repo:
    repo_id: str
    revisions: dict[str, Revision]  # keyed by sha
    refs: dict[str, str]  # branch or tag name -> sha
    gated: bool | str = False  # False | "auto" | "manual"
    card_data: dict[str, Any] | None = None  # None: parsed from README.md front matter of the revision
    tags: list[str] | None = None  # None: derived from the card
    private: bool = False
    lfs: set[str] = field(default_factory=set)  # file names served through the LFS/CDN redirect
    granted_tokens: set[str] | None = None  # gated/private access; None: any bearer token is granted

    def resolve(self, rev: str) -> Revision | None:
        if rev in self.refs:
            return self.revisions[self.refs[rev]]
        if _SHA.match(rev):
            return self.revisions.get(rev)
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hub: FakeHub):
        self.hub = hub
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self):  # type: ignore[override]
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, addr

    def handle_error(self, request, client_address):
        """Clients hanging up mid-response are normal; anything else is a bug in the fake, kept for the fixture."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            self.hub.errors.append("".join(traceback.format_exception(exc)))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real Hub; every response carries Content-Length
    server_version = "FakeHub/1.0"
    timeout = 30  # idle keep-alive connections end eventually
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr logging
        pass

    def do_GET(self) -> None:
        self.server.hub._dispatch(self, "GET")

    def do_HEAD(self) -> None:
        self.server.hub._dispatch(self, "HEAD")

    def do_POST(self) -> None:
        self.server.hub._dispatch(self, "POST")


class FakeHub:
    """A fake Hub on 127.0.0.1 with in-memory repos. Use ``start()``/``stop()`` or the ``fake_hub`` fixture."""

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self.errors: list[str] = []  # tracebacks of exceptions raised inside the fake itself
        self._cdn_blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None
        self.datasets: dict[str, dict[str, Any]] = {}  # dataset id -> {"card_data", "gated", "tags", "sha"}
        self.page_size = 10  # models per page of GET /api/models (the next page is in the Link header)
        self.inflight = 0  # requests being answered right now
        self.max_inflight = 0  # the most requests answered at once (reset with ``clear``)

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeHub:
        self._server = _Server(self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fakehub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket: later connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def url(self) -> str:
        assert self.port is not None, "fake hub not started"
        return f"http://127.0.0.1:{self.port}"

    @property
    def cdn_url(self) -> str:
        assert self.port is not None, "fake hub not started"
        return f"http://localhost:{self.port}"

    # -- repos ------------------------------------------------------------------------------------
    def add_repo(self, repo_id: str, files: Mapping[str, bytes | str], *, gated: bool | str = False,
                 card_data: dict[str, Any] | None = None, tags: list[str] | None = None, private: bool = False,
                 lfs: Iterable[str] = (), branch: str = "main",
                 granted_tokens: Iterable[str] | None = None) -> str:
        """Create (or replace) a repo with one commit on ``branch``; returns the commit sha."""
        self.repos[repo_id] = Repo(repo_id=repo_id, revisions={}, refs={}, gated=gated, card_data=card_data,
                                   tags=tags, private=private, lfs=set(lfs),
                                   granted_tokens=set(granted_tokens) if granted_tokens is not None else None)
        return self.add_revision(repo_id, files, branch=branch)

    def add_revision(self, repo_id: str, files: Mapping[str, bytes | str], *, branch: str | None = None) -> str:
        """Add a commit (optionally moving ``branch`` to it); returns its sha."""
        repo = self.repos[repo_id]
        blobs = {name: (data.encode() if isinstance(data, str) else bytes(data)) for name, data in files.items()}
        h = hashlib.sha1(repo_id.encode())
        h.update(str(len(repo.revisions)).encode())
        for name in sorted(blobs):
            h.update(name.encode() + b"\0" + git_blob_sha(blobs[name]).encode())
        sha = h.hexdigest()
        repo.revisions[sha] = Revision(sha=sha, files=blobs)
        if branch is not None:
            repo.refs[branch] = sha
        return sha

    def add_dataset(self, dataset_id: str, *, card_data: dict[str, Any] | None = None, gated: bool | str = False,
                    tags: list[str] | None = None) -> None:
        """A dataset repo, as far as ``HfApi.dataset_info`` sees it (GET /api/datasets/{id})."""
        self.datasets[dataset_id] = {"card_data": card_data, "gated": gated, "tags": tags,
                                     "sha": hashlib.sha1(dataset_id.encode()).hexdigest()}

    def set_ref(self, repo_id: str, name: str, sha: str) -> None:
        self.repos[repo_id].refs[name] = sha

    # -- observation and faults -------------------------------------------------------------------
    def add_fault(self, path: str, **kwargs: Any) -> Fault:
        fault = Fault(path=path, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Forget recorded requests (repos and faults stay)."""
        with self._lock:
            self.requests.clear()
            self.max_inflight = self.inflight

    def requests_to(self, pattern: str = "", method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            reqs = list(self.requests)
        return [r for r in reqs if (method is None or r.method == method) and re.search(pattern, r.route)]

    # -- request handling -------------------------------------------------------------------------
    def _dispatch(self, h: _Handler, method: str) -> None:
        with self._lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
        rec: list[RecordedRequest] = []
        try:
            self._dispatch_one(h, method, rec)
        finally:
            with self._lock:
                self.inflight -= 1
            for r in rec:
                r.ended = time.monotonic()

    def _dispatch_one(self, h: _Handler, method: str, out: list[RecordedRequest]) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        if length:
            h.rfile.read(length)  # keep the keep-alive stream in step even for requests we refuse
        auth = h.headers.get("Authorization")
        headers = {k.lower(): ("<redacted>" if k.lower() == "authorization" else v) for k, v in h.headers.items()}
        rec = RecordedRequest(method=method, path=h.path, headers=headers, has_auth=bool(auth),
                              started=time.monotonic())
        out.append(rec)
        with self._lock:
            self.requests.append(rec)
            fault = next((f for f in self.faults if f.matches(method, rec.route)), None)
            if fault is not None and fault.after > 0:
                fault.after -= 1
                fault = None
            if fault is not None and fault.times is not None:
                fault.times -= 1
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                h.close_connection = True
                try:
                    h.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if fault.status is not None:
                rec.status = fault.status
                self._send(h, method, fault.status, fault.body, fault.headers)
                return
        try:
            status, body, extra = self._route(method, rec.path, auth)
        except Exception:  # a bug in the fake: answer 500 and keep the traceback for the fixture to report
            self.errors.append(traceback.format_exc())
            status, body, extra = _error(500, None, "fakehub internal error")
        rec.status = status
        self._send(h, method, status, body, extra)

    def _send(self, h: _Handler, method: str, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        h.send_response(status)
        names = {k.lower() for k in headers}
        for k, v in headers.items():
            h.send_header(k, v)
        if "content-length" not in names:
            h.send_header("Content-Length", str(len(body)))
        if "content-type" not in names:
            h.send_header("Content-Type", "application/octet-stream")
        h.end_headers()
        if method != "HEAD" and body:
            try:
                h.wfile.write(body)
            except OSError:
                pass

    def _route(self, method: str, raw_path: str, auth: str | None) -> tuple[int, bytes, dict[str, str]]:
        """Route on the raw (still percent-encoded) path: a revision such as refs/pr/1 arrives as refs%2Fpr%2F1."""
        path = urlsplit(raw_path).path
        if method not in ("GET", "HEAD"):
            return _error(405, None, "Method not allowed")
        if path in ("/api/models", "/api/models/"):
            if method != "GET":
                return _error(405, None, "Method not allowed")
            return self._list_models(raw_path, auth)
        if path.startswith("/api/datasets/"):
            if method != "GET":
                return _error(405, None, "Method not allowed")
            ds_id = path[len("/api/datasets/"):].partition("/revision/")[0]
            return self._dataset_info(unquote(ds_id).strip("/"))
        if path.startswith("/api/models/"):
            if method != "GET":
                return _error(405, None, "Method not allowed")
            repo_id, sep, rev = path[len("/api/models/"):].partition("/revision/")
            return self._model_info(unquote(repo_id).strip("/"), unquote(rev) if sep else None, auth)
        if path.startswith("/_cdn/"):
            return self._cdn(path[len("/_cdn/"):])
        if "/resolve/" in path:
            repo_id, _, rest = path.lstrip("/").partition("/resolve/")
            rev, _, filename = rest.partition("/")
            return self._resolve(unquote(repo_id), unquote(rev), unquote(filename), auth)
        return _error(404, None, "Not found")

    def _access(self, repo: Repo, auth: str | None) -> bool:
        token = auth[len("Bearer "):].strip() if auth and auth.startswith("Bearer ") else None
        if not token:
            return False
        return repo.granted_tokens is None or token in repo.granted_tokens

    def _repo(self, repo_id: str, auth: str | None) -> Repo | None:
        repo = self.repos.get(repo_id)
        if repo is None or (repo.private and not self._access(repo, auth)):
            return None
        return repo

    def _model_info(self, repo_id: str, rev: str | None, auth: str | None) -> tuple[int, bytes, dict[str, str]]:
        repo = self._repo(repo_id, auth)
        if repo is None:
            return _repo_not_found(repo_id, auth)
        rev = rev or "main"
        revision = repo.resolve(rev)
        if revision is None:
            return _error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
        readme = revision.files.get("README.md")
        card = repo.card_data if repo.card_data is not None else card_data_of(readme)
        tags = repo.tags
        if tags is None:
            tags = [str(t) for t in (card or {}).get("tags") or [] if isinstance(t, (str, int, float))]
            lic = (card or {}).get("license")
            if isinstance(lic, str):
                tags.append(f"license:{lic}")
        author = repo_id.split("/")[0] if "/" in repo_id else None
        info: dict[str, Any] = {
            "_id": hashlib.md5(repo_id.encode()).hexdigest()[:24],
            "id": repo_id,
            "modelId": repo_id,
            "author": author,
            "sha": revision.sha,
            "lastModified": "2024-07-23T00:00:00.000Z",
            "createdAt": "2024-07-01T00:00:00.000Z",
            "private": repo.private,
            "disabled": False,
            "gated": repo.gated,
            "downloads": 0,
            "likes": 0,
            "tags": tags,
            "siblings": [{"rfilename": name} for name in sorted(revision.files)],
            "spaces": [],
            "usedStorage": sum(len(b) for b in revision.files.values()),
        }
        if card is not None:
            info["cardData"] = card
        body = json.dumps(info).encode()
        return 200, body, {"Content-Type": "application/json; charset=utf-8"}

    def _list_models(self, raw_path: str, auth: str | None) -> tuple[int, bytes, dict[str, str]]:
        """GET /api/models?author=&search=&expand=...&cursor=: pages of ``page_size`` models, sorted by id, the next
        page's URL in a ``Link: <...>; rel="next"`` header (as the real Hub paginates). With ``expand``, only the
        listed properties (plus ``id`` and ``_id``) are returned."""
        from urllib.parse import parse_qs, urlencode

        query = parse_qs(urlsplit(raw_path).query)
        author = (query.get("author") or [None])[0]
        search = (query.get("search") or [None])[0]
        expand = query.get("expand") or query.get("expand[]") or []
        start = int((query.get("cursor") or ["0"])[0])
        limit = int((query.get("limit") or ["0"])[0]) or None
        ids = sorted(r for r in self.repos
                     if (author is None or r.split("/")[0] == author) and (search is None or search in r)
                     and self._repo(r, auth) is not None)
        size = min(self.page_size, limit) if limit else self.page_size
        page = ids[start:start + size]
        items = []
        for repo_id in page:
            _, body, _ = self._model_info(repo_id, None, auth)
            info = json.loads(body)
            if expand:
                info = {k: v for k, v in info.items() if k in ("id", "_id") or k in expand}
            items.append(info)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if start + size < len(ids) and not (limit and start + size >= limit):
            params = [(k, v) for k, vs in query.items() if k != "cursor" for v in vs] + [("cursor", str(start + size))]
            headers["Link"] = f'<{self.url}/api/models?{urlencode(params)}>; rel="next"'
        return 200, json.dumps(items).encode(), headers

    def _dataset_info(self, ds_id: str) -> tuple[int, bytes, dict[str, str]]:
        ds = self.datasets.get(ds_id)
        if ds is None:
            return _error(401, "RepoNotFound", "Repository not found")
        card = ds["card_data"]
        tags = ds["tags"]
        if tags is None:
            lic = (card or {}).get("license")
            tags = [f"license:{x}" for x in ([lic] if isinstance(lic, str) else lic or []) if isinstance(x, str)]
        author = ds_id.split("/")[0] if "/" in ds_id else None
        info: dict[str, Any] = {"_id": ds["sha"][:24], "id": ds_id, "author": author,
                                "sha": ds["sha"], "private": False, "disabled": False, "gated": ds["gated"],
                                "downloads": 0, "likes": 0, "tags": tags, "siblings": [{"rfilename": "README.md"}],
                                "lastModified": "2024-07-23T00:00:00.000Z", "createdAt": "2024-07-01T00:00:00.000Z"}
        if card is not None:
            info["cardData"] = card
        return 200, json.dumps(info).encode(), {"Content-Type": "application/json; charset=utf-8"}

    def _resolve(self, repo_id: str, rev: str, filename: str, auth: str | None) -> tuple[int, bytes, dict[str, str]]:
        repo = self._repo(repo_id, auth)
        if repo is None:
            return _repo_not_found(repo_id, auth)
        revision = repo.resolve(rev)
        if revision is None:
            return _error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
        commit = {"X-Repo-Commit": revision.sha}
        if repo.gated and not self._access(repo, auth):
            status, body, headers = _error(
                403, "GatedRepo",
                f"Access to model {repo_id} is restricted. You must have access to it and be authenticated to "
                "access it. Please log in.")
            return status, body, {**headers, **commit}
        data = revision.files.get(filename)
        if data is None:
            status, body, headers = _error(404, "EntryNotFound", "Entry not found")
            return status, body, {**headers, **commit}
        if filename in repo.lfs:
            sha256 = hashlib.sha256(data).hexdigest()
            self._cdn_blobs[sha256] = data
            return 302, b"", {
                **commit,
                "Location": f"{self.cdn_url}/_cdn/{sha256}?filename={quote(filename)}",
                "ETag": f'"{git_blob_sha(sha256.encode())}"',
                "X-Linked-Etag": f'"{sha256}"',
                "X-Linked-Size": str(len(data)),
            }
        return 200, data, {**commit, "ETag": f'"{git_blob_sha(data)}"'}

    def _cdn(self, sha256: str) -> tuple[int, bytes, dict[str, str]]:
        data = self._cdn_blobs.get(sha256)
        if data is None:
            return 404, b"NoSuchKey", {}
        return 200, data, {"ETag": f'"{sha256}"'}


def _error(status: int, code: str | None, message: str) -> tuple[int, bytes, dict[str, str]]:
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Error-Message": message}
    if code:
        headers["X-Error-Code"] = code
    return status, json.dumps({"error": message}).encode(), headers


def _repo_not_found(repo_id: str, auth: str | None) -> tuple[int, bytes, dict[str, str]]:
    # The real Hub answers 401 to anonymous requests (it does not reveal whether a private repo exists).
    return _error(401 if not auth else 404, "RepoNotFound", "Repository not found")


def rounds(requests: Iterable[RecordedRequest]) -> int:
    """The most requests that ran strictly one after the other (each answered before the next arrived): the
    sequential round trips a client needed, whatever its CPU time between them."""
    count, last_end = 0, float("-inf")
    for r in sorted((r for r in requests if r.ended is not None), key=lambda r: r.ended or 0.0):
        if r.started >= last_end:
            count += 1
            last_end = r.ended or 0.0
    return count


_DEAD: list[socket.socket] = []  # bound, never listening: held so that no other test or worker takes the port


def dead_endpoint() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connections are refused at once).

    The port stays bound (without ``listen``) for the life of the process, so a fake Hub started later by
    a parallel test cannot get the same port and answer instead."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    _DEAD.append(s)
    return f"http://127.0.0.1:{s.getsockname()[1]}"


def hub_env(endpoint: str, hf_home: os.PathLike[str] | str, **extra: str | None) -> dict[str, str]:
    """Environment for an openaudit subprocess talking to ``endpoint``; ``extra`` values of None unset a var."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "HUGGING_FACE_", "HUGGINGFACE_", "OPENAUDIT_")) and k != "TRANSFORMERS_OFFLINE"}
    env.update({
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(hf_home),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
        "COLUMNS": "120",
    })
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env
