"""`openaudit.lock`: what each model was when it was last reviewed, so `scan` can decide offline and spot drift.

    # openaudit.lock: written by `openaudit lock`; commit it.
    version: 1
    models:
      acme/tiny-llama:
        kind: hub
        revision: 0123abcd...            # the commit sha audited (null for a local directory)
        license: llama3.1
        terms:                           # restriction kinds and their thresholds
          - {kind: user_cap, thresholds: [{value: 700000000.0, unit: monthly_active_users}]}
        digest: sha256:...               # of the canonical JSON of the license and its restrictions

The digest covers the license (id, SPDX id, name) and each restriction's kind, summary, thresholds,
territories, origin and quoted clause text, not line numbers, so it changes when the terms change.

The lock is input like any other file of the repository. A Hub entry's ``revision`` must be a 40-hex commit
sha (anything else is an invalid lock, exit 2, before any use). When `scan` decides from the lock (offline, or
the Hub unreachable), the audit of the locked revision must reproduce the entry's license, terms and digest:
an entry whose ``revision`` was edited, or that is stale, fails (exit 2) instead of deciding the gate.
The file is written whole or not at all (a temporary file beside it, renamed), never through a symlink.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml

from openaudit.errors import UsageError
from openaudit.model import Report

LOCK_VERSION = 1
HEADER = ("# openaudit.lock: written by `openaudit lock`; commit it. `openaudit scan` decides offline from it\n"
          "# (HF_HUB_OFFLINE=1 or the Hub unreachable) and reports drift (OA908) when a model changed upstream.\n")


def _thresholds(r: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in (("value", float(t.value)), ("unit", t.unit), ("currency", t.currency)) if v is not None}
            for t in r.thresholds]


def key_terms(report: Report) -> list[dict[str, Any]]:
    terms = []
    for r in report.restrictions:
        t: dict[str, Any] = {"kind": r.kind}
        if r.thresholds:
            t["thresholds"] = _thresholds(r)
        if r.territories:
            t["territories"] = list(r.territories)
        if t not in terms:
            terms.append(t)
    return terms


def digest(report: Report) -> str:
    lic = report.license
    doc = {
        "license": {"id": lic.id, "spdx": lic.spdx, "name": lic.name},
        "restrictions": [{"kind": r.kind, "summary": r.summary, "thresholds": _thresholds(r),
                          "territories": list(r.territories), "origin": r.origin,
                          "clause": r.clause.text if r.clause else None} for r in report.restrictions],
    }
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def entry(report: Report) -> dict[str, Any]:
    return {
        "kind": report.target["kind"],
        "revision": report.target.get("revision"),
        "license": report.license.id,
        "terms": key_terms(report),
        "digest": digest(report),
    }


MAX_LOCK_BYTES = 4 * 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{40}")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def write_lock(path: str | Path, entries: dict[str, dict[str, Any]]) -> None:
    from openaudit.textutil import write_atomic

    data = {"version": LOCK_VERSION, "models": {k: entries[k] for k in sorted(entries, key=str.lower)}}
    text = HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=False, default_flow_style=False, width=120)
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def read_lock(path: str | Path) -> dict[str, dict[str, Any]]:
    """The lock's models (id -> entry); {} when the file does not exist. Invalid files are usage errors."""
    from openaudit.textutil import read_capped

    p = Path(path)
    if not p.exists() and not p.is_symlink():
        return {}
    try:
        text, err, truncated, _ = read_capped(p, MAX_LOCK_BYTES)
        if text is None or truncated:
            raise UsageError(f"{p}: invalid lock file: {err or f'larger than {MAX_LOCK_BYTES} bytes'}")
        data = yaml.safe_load(text)
    except OSError as exc:
        raise UsageError(f"{p}: cannot read the lock file: {exc.strerror or exc}") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise UsageError(f"{p}: invalid lock file: {str(exc).splitlines()[0] if str(exc) else 'YAML'}") from None
    if not isinstance(data, dict) or data.get("version") != LOCK_VERSION or not isinstance(data.get("models"), dict):
        raise UsageError(f"{p}: invalid lock file (expected version: {LOCK_VERSION} and a 'models' mapping)")
    models = {}
    for k, v in data["models"].items():
        if not isinstance(v, dict):
            raise UsageError(f"{p}: models.{k} must be a mapping")
        rev, dig = v.get("revision"), v.get("digest")
        if v.get("kind", "hub") == "hub" and not (isinstance(rev, str) and _SHA.fullmatch(rev)):
            raise UsageError(f"{p}: models.{k}.revision must be a 40-hex commit sha")
        if dig is not None and not (isinstance(dig, str) and _DIGEST.fullmatch(dig)):
            raise UsageError(f"{p}: models.{k}.digest must be sha256: and 64 hex digits")
        models[str(k)] = v
    return models


def verify(model: str, locked: dict[str, Any] | None, report: Report, lock_file: str = "openaudit.lock") -> None:
    """Fail closed (UsageError, exit 2) unless the audit of the locked revision reproduces the lock entry: its
    revision, license, key terms and digest. Used when a decision is taken from the lock instead of the Hub."""
    locked = locked or {}
    now = entry(report)
    wrong = [k for k in ("revision", "license", "terms", "digest") if locked.get(k) != now[k]]
    if wrong:
        raise UsageError(
            f"{model}: {lock_file} does not match its locked revision {str(locked.get('revision'))[:12]} "
            f"({', '.join(wrong)} differ: the lock records {locked.get('license')} "
            f"{str(locked.get('digest'))[7:19]}, the cached revision audits to {now['license']} "
            f"{now['digest'][7:19]}); "
            "the lock was edited or is stale, so it cannot decide the gate: re-run `openaudit lock` with the Hub "
            "reachable and review the change")


def drift(model: str, locked: dict[str, Any], report: Report) -> list[dict[str, Any]]:
    """What changed since the lock: the revision, the terms (digest), or both."""
    out = []
    now_rev = report.target.get("revision")
    if locked.get("revision") and now_rev and locked["revision"] != now_rev:
        out.append({"model": model, "what": "revision", "locked": str(locked["revision"])[:12],
                    "current": str(now_rev)[:12]})
    now = digest(report)
    if locked.get("digest") and locked["digest"] != now:
        was = locked.get("license") or "?"
        out.append({"model": model, "what": "terms", "locked": f"{was} {str(locked['digest'])[7:19]}",
                    "current": f"{report.license.id} {now[7:19]}"})
    return out
