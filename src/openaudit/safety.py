"""Safety signals about loading a model: pickle weights and code that runs with ``trust_remote_code``.

Computed from file *names* (the Hub's sibling list or a local directory listing) and the card metadata;
nothing is downloaded for it and nothing from the repository is imported or executed. For a local
directory we also read ``config.json`` (size-capped, parsed as JSON data) to see an ``auto_map``; for a
Hub repository we rely on the ``custom_code`` tag the Hub derives from that same ``auto_map`` rather than
spending two more requests on ``config.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from openaudit.evidence import Evidence
from openaudit.filekinds import classify
from openaudit.lazyre import compile as _lazy

# Python files at the repository root: modelling code transformers imports under trust_remote_code.
_ROOT_PY = _lazy(r"^[^/]+\.py$", re.I)
MAX_CONFIG_BYTES = 1024 * 1024


def _citation(name: str | None, text: str | None = None) -> dict[str, Any] | None:
    if not name:
        return None
    return {"source": "file", "file": name, "line": None, "text": text}


def _local_auto_map(ev: Evidence) -> bool | None:
    """Whether a local directory's config.json declares ``auto_map`` (None: no readable config.json)."""
    if ev.kind != "local" or "config.json" not in ev.siblings:
        return None
    from openaudit.sources.local import audited_root
    from openaudit.textutil import open_regular, within

    path = Path(ev.id) / "config.json"
    try:
        if not within(path, audited_root(Path(ev.id))):  # a link out of the model directory is not followed
            return None
        with open_regular(path) as fh:  # never blocks (a FIFO or /proc file is refused)
            raw = fh.read(MAX_CONFIG_BYTES + 1) or b""
        if len(raw) > MAX_CONFIG_BYTES:
            return None
        data = json.loads(raw.decode("utf-8-sig", errors="replace"))
    except (OSError, ValueError, RecursionError):
        return None
    return isinstance(data, dict) and bool(data.get("auto_map"))


def safety_facts(ev: Evidence) -> dict[str, Any]:
    """The ``safety`` facts the OA6xx rules read (documented in rules/README.md)."""
    names = [str(n) for n in ev.siblings]
    # what a file is and what loading it does: rules/vocabulary/file-kinds.yaml (training state is pickle too,
    # but nobody loads it to run the model)
    kinds = [(n, classify(n)) for n in names]
    pickles = [n for n, k in kinds if k is not None and k.loads == "pickle"]
    pickle_weights = [n for n, k in kinds if k is not None and k.is_weights and k.loads == "pickle"]
    safe = [n for n, k in kinds if k is not None and k.is_weights and k.loads == "data"]
    custom_code = [n for n in names if _ROOT_PY.match(n)]
    auto_map = _local_auto_map(ev)
    tags = {str(t).lower() for t in ev.tags}
    meta_tags = ev.metadata.get("tags")
    if isinstance(meta_tags, list):
        tags |= {str(t).lower() for t in meta_tags if isinstance(t, (str, int, float))}
    custom_code_tag = "custom_code" in tags
    signals = []
    if auto_map:
        signals.append("config.json declares auto_map")
    if custom_code_tag:
        signals.append("the repository is tagged custom_code (the Hub sets it when config.json has auto_map)")
    if custom_code:
        signals.append("Python files at the repository root: " + ", ".join(custom_code[:10])
                       + (f" and {len(custom_code) - 10} more" if len(custom_code) > 10 else ""))
    remote_code = bool(auto_map or custom_code_tag or custom_code)
    if auto_map:
        code_citation = _citation("config.json", "auto_map")
    elif custom_code:
        code_citation = _citation(custom_code[0], "Python file at the repository root")
    elif custom_code_tag:  # auto_map pointing at code in another repository: only the Hub's tag says so
        code_citation = {"source": "metadata", "file": None, "line": None, "text": "tags: custom_code"}
    else:
        code_citation = None
    return {
        "pickle_weights": pickle_weights,
        "pickle_files": pickles,
        "safetensors": any(k is not None and k.format == "safetensors" for _n, k in kinds),
        "safe_weights": safe,
        "pickle_only": bool(pickle_weights) and not safe,
        "custom_code": custom_code,
        "auto_map": auto_map,
        "custom_code_tag": custom_code_tag,
        "remote_code": remote_code,
        "remote_code_signals": signals,
        "pickle_citation": _citation(pickle_weights[0] if pickle_weights else None,
                                     "pickle weights; no safetensors: " + ", ".join(pickle_weights[:5])),
        "remote_code_citation": code_citation,
    }
