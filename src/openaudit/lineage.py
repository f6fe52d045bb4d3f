"""Lineage and training data: follow ``base_model`` upstream, read ``datasets`` cards, inherit upstream terms.

``LineageResolver.trace(evidence)`` walks ``base_model`` (a string or a list; ``base_model_relation`` says
finetune, merge, quantized or adapter) through the Hub (``HubSource``: model_info plus the same file reading
as a normal check) and, for local targets only, through local directories named relative to the model
directory. It is depth-limited, cycle-safe, and every upstream and dataset is fetched once per run: the
resolver is shared by all targets of a batch, so forty fine-tunes of one base fetch the base once.

``apply(trace, ...)`` turns a trace into the report's ``lineage`` section, the restrictions inherited from
every upstream license (``origin: "base_model"``, cited ``<upstream id>:<file>:<line>``) and the facts the
OA5xx rules read (rules/lineage.yaml).
"""

from __future__ import annotations

import functools
import os
import re
import threading
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from openaudit.deadline import CpuLimitExceeded
from openaudit.errors import OpenAuditError
from openaudit.evidence import Evidence
from openaudit.lazyre import compile as _lazy
from openaudit.licenses.catalog import Catalog, LicenseEntry, load_catalog
from openaudit.licenses.vocabulary import category
from openaudit.model import (
    Citation,
    LineageHint,
    LineageLink,
    LineageResult,
    Restriction,
    TrainingDataset,
    to_data,
)

DEFAULT_MAX_DEPTH = 3
MAX_BASES_PER_CARD = 16
MAX_CHAIN = 64
RELATIONS = ("finetune", "merge", "quantized", "adapter")
_HUB_PREFIX = _lazy(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/", re.I)  # for a card naming a base model


@functools.lru_cache(maxsize=1)
def _families() -> tuple[re.Pattern[str] | None, dict[str, frozenset[str]]]:
    """Model-family words that, without base_model, hint at an upstream (OA503), and the Hub organisations
    that publish each family's own models (rules/vocabulary/model-families.yaml)."""
    from openaudit.paths import rules_dir
    from openaudit.yamlutil import load_file

    data = load_file(rules_dir() / "vocabulary" / "model-families.yaml")
    owners: dict[str, frozenset[str]] = {}
    for item in (data or {}).get("families") or []:
        if isinstance(item, dict) and isinstance(item.get("word"), str):
            owners[item["word"].lower()] = frozenset(str(o).lower() for o in item.get("owners") or [])
    if not owners:
        return None, {}
    words = "|".join(re.escape(w) for w in sorted(owners, key=len, reverse=True))
    return re.compile(rf"^({words})(?:\d[\w.]*)?$", re.I), owners


class Upstream(Struct):
    """One fetched upstream model (cached per run): its license and its own terms."""

    kind: str  # hub | local
    id: str
    revision: str | None = None
    evidence: Evidence | None = None
    error: str | None = None
    exc: BaseException | None = None  # the error itself, re-raised when this model is also a target
    license_id: str = "unknown"
    license_name: str | None = None
    category: str | None = None
    declared: str | None = None
    license_citation: Citation | None = None
    restrictions: list[Restriction] = field(default_factory=list)
    analysed: bool = False  # license and restrictions read from the evidence (a target's are only when needed)


class Trace(Struct):
    """The base_model chain followed so far, with its datasets and hints."""

    declared: bool
    max_depth: int
    chain: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[tuple[dict[str, Any], Upstream]] = field(default_factory=list)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    hints: list[dict[str, Any]] = field(default_factory=list)
    local_root: Path | None = None  # local targets: base_model paths are followed only inside it


def _values(raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    out = []
    for v in raw[:MAX_BASES_PER_CARD]:
        if isinstance(v, str) and v.strip():
            out.append(v.strip())
    return out


def _base_values(raw: Any) -> tuple[list[str], list[tuple[str, str]]]:
    """The base_model values followed (strings, the first MAX_BASES_PER_CARD) and those that are not, each with why:
    nothing is dropped without a word (OA502)."""
    if raw is None:
        return [], []
    items = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if items is None:
        return [], [(_shown(raw), "base_model is neither a model id nor a list of them: not followed")]
    values: list[str] = []
    dropped: list[tuple[str, str]] = []
    for i, v in enumerate(items):
        if not isinstance(v, str):
            dropped.append((_shown(v), "not a model id (a base_model entry must be a string): not followed"))
        elif not v.strip():
            continue
        elif len(values) >= MAX_BASES_PER_CARD:
            rest = sum(1 for x in items[i:] if not isinstance(x, str) or x.strip())
            dropped.append((v.strip()[:200], f"not followed: a card's first {MAX_BASES_PER_CARD} base_model entries "
                            f"are followed; this and {rest - 1} more are not, and their terms are not included"))
            break
        else:
            values.append(v.strip())
        if len(dropped) >= MAX_BASES_PER_CARD:
            break
    return values, dropped


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _hub_ref(value: str) -> tuple[str, str | None] | None:
    """(repo id, revision) of a base_model value written as a Hub id or URL; None for anything else."""
    if value.startswith(("/", "~", "./", "../", "\\")):
        return None
    from openaudit.sources import HUB_ID

    v = _HUB_PREFIX.sub("", value).strip("/")
    if not HUB_ID.match(v) or ".." in v:
        return None
    repo_id, _, rev = v.partition("@")
    return repo_id, rev or None


def _dataset_ref(value: str) -> str | None:
    """The Hub dataset id a ``datasets`` value names (``org/name``, ``datasets/org/name`` or a URL), or None."""
    from openaudit.sources import HUB_ID

    v = _HUB_PREFIX.sub("", value).strip("/")
    if v.lower().startswith("datasets/"):
        v = v[len("datasets/"):]
    if not HUB_ID.match(v) or "@" in v or ".." in v:
        return None
    return v


def _quietly(call: Any) -> None:
    """A head-start fetch in a background thread: whatever goes wrong, the walk fetches (and reports) it itself."""
    try:
        call()
    except BaseException:  # noqa: BLE001, S110 (even CpuLimitExceeded: the audit's own thread raises it)
        pass


def _meta_citation(ev: Evidence, key: str, value: str) -> Citation:
    card = ev.card
    return Citation(source="metadata", file=card.path if card is not None else None,
                    line=card.line_of(key) if card is not None else None, text=f"{key}: {value}"[:300])


class LineageResolver:
    """Follows base_model and datasets; caches every upstream and dataset for the whole run (thread-safe)."""

    def __init__(self, *, offline: bool = False, catalog: Catalog | None = None, local_root: Path | None = None):
        self.offline = offline
        self.local_root = local_root  # local base_model paths are followed only inside it (see _ref)
        self._catalog = catalog  # loaded on first use: a Hub check makes its resolver before its first request
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self._nodes: dict[str, Upstream] = {}
        self._datasets: dict[str, dict[str, Any]] = {}
        self.fetches = 0  # upstream models and datasets actually fetched (not served from the run cache)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    # -- run cache ---------------------------------------------------------------------------------
    def _once(self, cache: dict[str, Any], key: str, make: Any) -> Any:
        with self._lock:
            if key in cache:
                return cache[key]
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:  # one fetch per key even when several targets ask at once
            with self._lock:
                if key in cache:
                    return cache[key]
            value = make()
            with self._lock:
                cache[key] = value
                self.fetches += 1
            return value

    # -- upstream models ---------------------------------------------------------------------------
    def _ref(self, ev: Evidence, value: str, root: Path | None = None) -> tuple[str, str, str | None] | None:
        """(kind, id, revision) of a base_model value: a local path (local targets only) or a Hub id.

        A local base is a relative path (``../base``, ``./x``) from the model directory that lies, every link
        followed, inside ``root`` (the audited tree: ``local_root`` or the first target's parent directory);
        an absolute or ``~`` path, or one leading out of the tree, is not followed (``invalid``). A value
        written as a Hub id is a Hub id even when a folder of that name exists."""
        if ev.kind == "local" and value.startswith(("./", "../")) and root is not None:
            from openaudit.textutil import within

            here = Path(ev.id)
            try:
                base_dir = here if here.is_dir() else here.parent
                candidate = base_dir / value
                if within(candidate, root) and candidate.exists():
                    return "local", os.path.normpath(str(candidate)), None
            except (OSError, ValueError):
                pass
            return None
        ref = _hub_ref(value)
        return None if ref is None else ("hub", ref[0], ref[1])

    @staticmethod
    def _key(kind: str, ident: str, revision: str | None) -> str:
        if kind == "local":
            try:
                return "local:" + str(Path(ident).resolve())
            except OSError:
                return "local:" + ident
        return f"hub:{ident.lower()}@{revision or ''}"

    def _key_of(self, ev: Evidence) -> str:
        return self._key(ev.kind, ev.id, None if ev.kind == "local" else (ev.requested_revision
                                                                          if ev.requested_revision != "main"
                                                                          else None))

    def upstream(self, kind: str, ident: str, revision: str | None, source: Any = None,
                 offline: bool = False, on_info: Any = None) -> Upstream:
        """``offline``: read from the Hub cache only (an upstream of a model read offline, such as an installed
        GGUF file or Ollama model, whatever the run's setting), cached apart from the same model read online.
        ``on_info``: see ``_prefetcher`` (Hub models read online only)."""
        offline = offline and not self.offline
        key = self._key(kind, ident, revision) + ("#offline" if offline else "")
        node: Upstream = self._once(self._nodes, key, lambda: self._fetch_upstream(
            kind, ident, revision, source, offline=offline, on_info=None if offline else on_info))
        if node.evidence is not None and not node.analysed:  # first read as a target: its license not yet needed
            with self._lock:
                lock = self._key_locks.setdefault(key, threading.Lock())
            with lock:
                if not node.analysed:
                    self._analyse(node)
        return node

    def forget_target(self, source: Any) -> None:
        """A batch target's report is out: drop its evidence from the run cache unless another target's lineage
        used it (then it stays, analysed, for the others), so a long batch holds one evidence per upstream, not one
        per target. A later target naming it as its base reads it again (its files from the Hub cache)."""
        key = self._target_key(source)
        if key is None:
            return
        with self._lock:
            node = self._nodes.get(key)
            if node is not None and not node.analysed:
                del self._nodes[key]
                self._key_locks.pop(key, None)

    def _target_key(self, source: Any) -> str | None:
        kind = getattr(source, "kind", None)
        if kind == "hub":
            return self._key("hub", source.repo_id, source.revision)
        if kind == "local":
            return self._key("local", str(source.path), None)
        return None

    # -- head start: upstreams and dataset cards load with the files of the model that names them ---------------
    def _prefetcher(self, depth: int, max_depth: int, datasets: bool = False) -> Any:
        """The ``on_info`` hook of a Hub model at ``depth`` (1: a target): when its model_info has answered, the
        base models named in its card data (when ``depth`` <= ``max_depth``) and, for a target, its dataset cards
        start loading in background threads, through the run cache. The walk that follows (``trace``) reads the
        same cache, so it waits for them instead of fetching again; a value the README's front matter does not
        repeat only costs its request. Each hop thus adds at most one round trip, not two."""

        def hook(stored: dict[str, Any]) -> None:
            card = stored.get("card_data") if isinstance(stored, dict) else None
            if not isinstance(card, dict):
                return
            calls: list[Any] = []
            if depth <= max_depth:
                values, _ = _base_values(card.get("base_model"))
                for value in values:
                    ref = _hub_ref(value)
                    if ref is not None:
                        ident, rev = ref
                        calls.append(lambda i=ident, r=rev: self.upstream(
                            "hub", i, r, on_info=self._prefetcher(depth + 1, max_depth)))
            if datasets:
                for value in _values(card.get("datasets")):
                    ds = _dataset_ref(value)
                    if ds is not None:
                        calls.append(lambda v=ds: self._once(self._datasets, v.lower(), lambda: self._fetch_dataset(v)))
            for call in calls:
                threading.Thread(target=_quietly, args=(call,), name="openaudit-prefetch", daemon=True).start()

        return hook

    def fetch_target(self, source: Any, max_depth: int = DEFAULT_MAX_DEPTH) -> Evidence:
        """A target's evidence through the run cache: a model that is both a target and an upstream of another
        target of the batch is fetched once. Raises the source's error like ``source.fetch()``. A Hub target's
        upstream models (up to ``max_depth`` hops) and dataset cards start loading as soon as its model_info has
        answered, in the same round trip as its files (see ``_prefetcher``)."""
        key = self._target_key(source)
        if key is None:
            return source.fetch()
        if source.kind == "hub" and not self.offline and getattr(source, "on_info", False) is None:
            source.on_info = self._prefetcher(1, max_depth, datasets=True)
        kind, ident = ("hub", source.repo_id) if source.kind == "hub" else ("local", str(source.path))
        revision = source.revision if source.kind == "hub" else None
        # Not analysed here (its license is the audit's own work): only if another target names it as its base.
        node: Upstream = self._once(self._nodes, key, lambda: self._fetch_upstream(kind, ident, revision, source,
                                                                                   analyse=False))
        if node.exc is not None:
            raise node.exc
        assert node.evidence is not None
        return node.evidence

    def _fetch_upstream(self, kind: str, ident: str, revision: str | None, source: Any = None,
                        offline: bool = False, on_info: Any = None, analyse: bool = True) -> Upstream:
        node = Upstream(kind=kind, id=ident, revision=revision)
        try:
            if source is not None:
                ev = source.fetch()
            elif kind == "local":
                from openaudit.sources.local import LocalSource

                ev = LocalSource(Path(ident)).fetch()
            else:  # one GET per file, at most PER_MODEL_REQUESTS requests (upstreams are often repeated)
                from openaudit.sources.hub import BudgetHubSource

                ev = BudgetHubSource(ident, revision, offline=self.offline or offline, on_info=on_info).fetch()
        except CpuLimitExceeded:
            raise  # the audit's CPU limit: the whole audit stops, not only this upstream
        except OpenAuditError as exc:
            node.error, node.exc = exc.message, exc
            return node
        except Exception as exc:  # noqa: BLE001 (an upstream must never break the audit of its derivative)
            node.error, node.exc = f"{exc.__class__.__name__}: {exc}", exc
            return node
        node.evidence = ev
        node.revision = ev.revision
        if analyse:
            self._analyse(node)
        return node

    def _analyse(self, node: Upstream) -> None:
        """The upstream's license and its own terms, from its evidence."""
        from openaudit.licenses.identify import declared_name, identify
        from openaudit.licenses.terms import reconcile

        ev = node.evidence
        assert ev is not None
        ident_ = identify(ev, self.catalog)
        entry = self.catalog.get(ident_.result.id)
        node.license_id = ident_.result.id
        node.license_name = ident_.result.name or declared_name(ev)
        node.category = entry.category if entry else None
        node.declared = ident_.declared
        node.license_citation = ident_.result.evidence[0] if ident_.result.evidence else None
        node.restrictions, _ = reconcile(ev, ident_.base or entry, self.catalog, texts=ident_.texts)
        node.analysed = True

    def trace(self, ev: Evidence, *, max_depth: int = DEFAULT_MAX_DEPTH, local_root: Path | None = None) -> Trace:
        bases, dropped = _base_values(ev.metadata.get("base_model"))
        bases = bases or [d for d, _ in dropped]
        tr = Trace(declared=bool(bases), max_depth=max_depth)
        if ev.kind == "local":  # the audited tree: where the model directory lies
            here = Path(ev.id)
            model = here if here.is_dir() else here.parent
            tr.local_root = local_root or self.local_root or model.absolute().parent
        self._walk(ev, 1, {self._key_of(ev)}, tr, root=True)
        tr.datasets = [self.dataset_entry(ev, v) for v in _values(ev.metadata.get("datasets"))]
        if not bases:
            tr.hints = hints(ev)
        return tr

    def _walk(self, ev: Evidence, depth: int, ancestors: set[str], tr: Trace, root: bool = False) -> None:
        relation = ev.metadata.get("base_model_relation")
        relation = str(relation).strip().lower() if isinstance(relation, (str, int, float)) else None
        values, dropped = _base_values(ev.metadata.get("base_model"))

        def said(value: str, status: str, reason: str) -> None:
            citation = _meta_citation(ev, "base_model", value)
            if not root and citation.file:
                citation.file = f"{ev.id}:{citation.file}"
            tr.chain.append({"id": value, "kind": None, "revision": None, "relation": relation, "depth": depth,
                             "parent": ev.id, "status": status, "reason": reason, "license": None,
                             "license_name": None, "citation": citation})

        for value, why in dropped:
            said(value, "invalid" if why.startswith(("not a model id", "base_model is neither")) else "not_followed",
                 why)
        for k, value in enumerate(values):
            if len(tr.chain) >= MAX_CHAIN:
                said(value, "not_followed", f"not followed: the lineage already has {MAX_CHAIN} entries; this and "
                     f"{len(values) - k - 1} more base_model entries of {ev.id} are not, and their terms are not "
                     "included")
                return
            entry: dict[str, Any] = {
                "id": value, "kind": None, "revision": None, "relation": relation, "depth": depth,
                "parent": ev.id, "status": "ok", "reason": None, "license": None, "license_name": None,
                "citation": _meta_citation(ev, "base_model", value),
            }
            if not root and entry["citation"].file:  # a key of an upstream card: "<upstream id>:README.md"
                entry["citation"].file = f"{ev.id}:{entry['citation'].file}"
            tr.chain.append(entry)
            ref = self._ref(ev, value, tr.local_root)
            if ref is None:
                entry.update(status="invalid", reason="neither a Hub model id nor a local path inside the audited "
                             "tree (absolute paths and links out of it are not followed)")
                continue
            kind, ident, rev = ref
            entry.update(kind=kind, id=ident, revision=rev)
            key = self._key(kind, ident, rev)
            if key in ancestors:
                entry.update(status="cycle", reason="already in this chain: base_model loops back (not followed)")
                continue
            if depth > tr.max_depth:
                entry.update(status="depth_limit",
                             reason=f"not followed: beyond --max-depth {tr.max_depth}; its terms are not included")
                continue
            node = self.upstream(kind, ident, rev, offline=ev.offline and kind == "hub",
                                 on_info=self._prefetcher(depth + 1, tr.max_depth))
            if node.error is not None:  # "org/name: repository not found…" -> "repository not found…"
                reason = node.error
                for prefix in (f"{ident}@{rev}: " if rev else None, f"{ident}: "):
                    if prefix and reason.startswith(prefix):
                        reason = reason[len(prefix):]
                entry.update(status="unreachable", reason=reason)
                continue
            entry.update(revision=node.revision, license=node.license_id, license_name=node.license_name)
            if node.license_id == "unknown":
                entry["reason"] = "its license could not be identified: its terms are unknown"
            tr.nodes.append((entry, node))
            assert node.evidence is not None
            self._walk(node.evidence, depth + 1, ancestors | {key}, tr, root=False)

    # -- datasets ----------------------------------------------------------------------------------
    def dataset_entry(self, ev: Evidence, value: str) -> dict[str, Any]:
        base: dict[str, Any] = {"id": value, "status": "invalid", "reason": "not a Hub dataset id",
                                "license": None, "license_id": "unknown", "license_name": None, "category": None,
                                "gated": None, "non_commercial": False, "no_derivatives": False,
                                "citation": _meta_citation(ev, "datasets", value)}
        v = _dataset_ref(value)
        if v is None:
            return base
        data = self._once(self._datasets, v.lower(), lambda: self._fetch_dataset(v))
        return {**base, **data, "id": v, "citation": base["citation"]}

    def _fetch_dataset(self, ds_id: str) -> dict[str, Any]:
        from openaudit.sources.hub import DatasetUnavailable, dataset_card

        try:
            card, tags, gated = dataset_card(ds_id, offline=self.offline)
        except DatasetUnavailable as exc:
            return {"status": "unreachable", "reason": str(exc)}
        declared = _values(card.get("license"))
        if not declared:
            declared = [t[8:] for t in tags if t.lower().startswith("license:")]
        entries = [e for e in (self._license(v) for v in declared) if e is not None]
        out: dict[str, Any] = {"status": "ok", "reason": None, "license": ", ".join(declared) or None,
                               "gated": gated if gated is not None else False}
        if entries:
            e = entries[0]
            out.update(license_id=e.id, license_name=e.name, category=e.category)
        else:
            out["reason"] = ("no license declared on the dataset card" if not declared
                             else "license not in the catalog: " + ", ".join(declared))
        kinds = set().union(*(e.restriction_kinds() for e in entries))  # catalog terms and category
        out["non_commercial"] = "non_commercial" in kinds
        out["no_derivatives"] = "no_derivatives" in kinds
        return out

    def _license(self, value: str) -> LicenseEntry | None:
        c = self.catalog
        v = value.strip()
        if v.lower() in ("other", "unknown", "none", "noassertion", ""):
            return None
        return c.by_hub_id(v) or c.by_spdx(v) or c.by_name(v)


def hints(ev: Evidence) -> list[dict[str, Any]]:
    """Model-family words in tags, model_type or the model's name when no base_model is declared."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    family_re, owners = _families()
    if family_re is None:
        return out
    # A model published by the family's own organisation (meta-llama/* for Llama) is the family, not a
    # derivative hiding its base.
    org = ev.id.split("/", 1)[0].lower() if ev.kind == "hub" and "/" in ev.id else None

    def scan(kind: str, value: str, citation: Citation) -> None:
        for token in re.split(r"[-_./\s]+", value):
            m = family_re.match(token)
            word = m.group(1).lower() if m else ""
            if m and word not in seen and not (org and org in owners.get(word, ())):
                seen.add(word)
                out.append({"kind": kind, "value": value[:200], "family": m.group(1).lower(), "citation": citation})

    meta = ev.metadata
    for tag in _values(meta.get("tags")) or ev.tags:
        scan("tag", tag, _meta_citation(ev, "tags", tag))
    for key in ("model_type", "model_name"):
        for v in _values(meta.get(key)):
            scan(key, v, _meta_citation(ev, key, v))
    name = ev.id.rstrip("/").rsplit("/", 1)[-1]
    scan("name", name, Citation(source="metadata", file=None, line=None, text=f"model id: {ev.id}"))
    return out


def _family_compatible(a: LicenseEntry | None, b: LicenseEntry | None) -> bool:
    if a is None or b is None:
        return False
    return a.id == b.id or (a.family is not None and a.family == b.id) or (b.family is not None and b.family == a.id)


def _rkey(r: Restriction) -> tuple:
    return (r.kind, tuple(sorted((t.unit, t.value) for t in r.thresholds)), tuple(sorted(r.territories)))


def _where(c: Citation | None) -> str:
    if c is None:
        return "?"
    return (c.file or c.source) + (f":{c.line}" if c.line else "")


def empty_facts() -> dict[str, Any]:
    return {"traced": False, "declared": False, "base_models": [], "chain": [], "unresolved": [], "laundering": [],
            "hints": [], "hints_text": "", "datasets": [], "datasets_restricted": [], "datasets_unknown": [],
            "inherited_kinds": [], "effective_licenses": [], "unread_license_files": []}


def apply(trace: Trace, ev: Evidence, license_id: str, license_citation: Citation | None,
          restrictions: list[Restriction], catalog: Catalog
          ) -> tuple[list[Restriction], dict[str, Any], LineageResult]:
    """Effective restrictions (own + inherited), the lineage facts (for the rules) and the report's lineage section.

    The section's ``datasets`` (what each training dataset's own card says) are an input of the standards stage:
    OSAID-D2 and the grade's training_data read them (standards/osaid.py, standards/grade.py)."""

    # The same license's terms are not repeated (its own or an upstream's copy); another license's term of the
    # same kind is (Llama's "Built with Llama" is not MIT's notice).
    seen = {(license_id, _rkey(r)) for r in restrictions}
    inherited: list[Restriction] = []
    for _entry, node in trace.nodes:
        for r in node.restrictions:
            k = (node.license_id if node.license_id != "unknown" else "unknown:" + node.id, _rkey(r))
            if k in seen:
                continue
            seen.add(k)
            c = r.clause
            file = f"{node.id}:{c.file}" if c is not None and c.file else node.id
            inherited.append(Restriction(
                kind=r.kind,
                summary=f"{r.summary} (inherited from {node.id}, {node.license_id})",
                thresholds=list(r.thresholds), territories=list(r.territories),
                clause=Citation(source="base_model", file=file, line=c.line if c else None,
                                text=c.text if c else None, key_at=c.key_at if c else None),
                origin="base_model"))
    own = catalog.get(license_id)
    laundering = []
    if license_id != "unknown":
        for entry, node in trace.nodes:
            up = catalog.get(node.license_id)
            if up is None or category(up.category).relicensable or _family_compatible(own, up):
                continue
            laundering.append({
                "upstream": node.id, "relation": entry["relation"] or "derivative", "depth": entry["depth"],
                "upstream_license": node.license_id, "license": license_id,
                "citation": to_data(license_citation) if license_citation else None,
                "upstream_citation": to_data(node.license_citation) if node.license_citation else None,
                "where": _where(license_citation),
                "upstream_where": f"{node.id}:{_where(node.license_citation)}",
            })
    chain = [{**e, "citation": to_data(e["citation"])} for e in trace.chain]
    typed_datasets = tuple(TrainingDataset(**{k: d[k] for k in _DATASET_FIELDS}) for d in trace.datasets)
    datasets = [{**to_data(d), "restriction_text": d.restriction_text} for d in typed_datasets]
    hints_ = [{**h, "citation": to_data(h["citation"])} for h in trace.hints]
    effective = [license_id] + [n.license_id for _, n in trace.nodes]
    if any(e["status"] in ("unreachable", "invalid", "depth_limit", "not_followed") for e in trace.chain):
        effective.append("unknown")  # an upstream whose license could not be read: its terms are unknown
    effective = list(dict.fromkeys(effective))
    facts = {
        "traced": True,
        "declared": trace.declared,
        "base_models": [e["id"] for e in chain if e["depth"] == 1],
        "chain": chain,
        # a cycle is said too (the card's base_model is wrong), though every model in it was audited once
        "unresolved": [e for e in chain if e["status"] in ("unreachable", "invalid", "depth_limit", "cycle",
                                                           "not_followed")
                       or (e["status"] == "ok" and e["license"] == "unknown")],
        "laundering": laundering,
        "hints": hints_,
        "hints_text": ", ".join(f"{h['kind']} {h['value']!r} ({h['family']})" for h in hints_),
        "datasets": datasets,
        "datasets_restricted": [d for d in datasets if d["non_commercial"] or d["no_derivatives"]],
        "datasets_unknown": [d for d in datasets if d["status"] != "ok" or d["license_id"] == "unknown"],
        "inherited_kinds": sorted({r.kind for r in inherited}),
        "effective_licenses": effective,
        # an upstream's license file that was not read (budget, deadline, gated…): its terms are not all known (OA506)
        "unread_license_files": [
            {"upstream": node.id, "name": f.name, "reason": f.error,
             "citation": {"source": "file", "file": f"{node.id}:{f.name}", "line": None, "text": None}}
            for _, node in trace.nodes if node.evidence is not None
            for f in node.evidence.files if f.role == "license" and f.text is None],
    }
    section = LineageResult(
        max_depth=trace.max_depth,
        declared=trace.declared,
        chain=tuple(LineageLink(**{k: e[k] for k in _LINK_FIELDS}) for e in trace.chain),
        effective_licenses=tuple(effective),
        inherited=len(inherited),
        datasets=typed_datasets,
        hints=tuple(LineageHint(kind=h["kind"], value=h["value"], family=h["family"], citation=h["citation"])
                    for h in trace.hints),
    )
    return restrictions + inherited, facts, section


_LINK_FIELDS = LineageLink.__struct_fields__
_DATASET_FIELDS = TrainingDataset.__struct_fields__
