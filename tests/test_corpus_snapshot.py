"""A snapshot of what openaudit says about every text of the shared corpus: it changes only on purpose.

Every model card (``cards/**/*.md``, audited as a directory's README.md) and every license text
(``licenses/**``, audited as a directory's LICENSE) goes through the public API offline, and its JSON report
is reduced to what a user decides on: the license named, each term with its thresholds, territories and
citations, OSAID, MOF, grade, EU AI Act, every finding with its citation, the gate. The reductions live in
``tests/snapshots/corpus.json`` (results only: no corpus text is stored) beside a digest of the whole JSON
report, so a change in any field, wording included, is seen.

A refactor must leave the file as it is. A change on purpose regenerates it and says why in the commit:

    OPENAUDIT_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_corpus_snapshot.py

then review ``git diff tests/snapshots/corpus.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from corpus import CORPUS

SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "corpus.json"
UPDATE = os.environ.get("OPENAUDIT_UPDATE_SNAPSHOT") == "1"


def corpus_texts() -> list[str]:
    """Corpus-relative paths of every card and license text, sorted."""
    if not CORPUS.is_dir():
        return []
    cards = sorted(p for p in (CORPUS / "cards").rglob("*.md") if p.is_file())
    licenses = sorted(p for p in (CORPUS / "licenses").rglob("*") if p.is_file())
    return [p.relative_to(CORPUS).as_posix() for p in cards + licenses]


def _cite(c: dict | None) -> str | None:
    if not c:
        return None
    line = c.get("line")
    return f"{c.get('file')}:{line}" if line is not None else str(c.get("file"))


def reduce(report: dict[str, Any]) -> dict[str, Any]:
    """What a user decides on, from one JSON report (stable order, no volatile fields)."""
    lic = report["license"]
    out: dict[str, Any] = {
        "license": {k: lic.get(k) for k in ("id", "spdx", "osi_approved", "confidence")},
        "terms": sorted(
            ({"kind": r["kind"],
              "thresholds": [[t.get("value"), t.get("unit")] for t in r.get("thresholds") or []],
              "territories": sorted(r.get("territories") or []),
              "cite": _cite(r.get("clause"))}
             for r in report.get("restrictions") or []),
            key=lambda t: json.dumps(t, sort_keys=True)),
        "osaid": (report.get("osaid") or {}).get("verdict"),
        "mof": (report.get("mof") or {}).get("class"),
        "grade": {k: (report.get("grade") or {}).get(k) for k in ("letter", "score")},
        "osaid_requirements": {r.get("id", str(i)): r.get("status")
                               for i, r in enumerate((report.get("osaid") or {}).get("requirements") or [])},
        "eu_ai_act": (report.get("eu_ai_act") or {}).get("exemption"),
        "findings": sorted(f"{f['rule']} {f['severity']} {_cite(f.get('evidence')) or '-'}"
                           for f in report.get("findings") or []),
        "gate": report["gate"]["passed"],
    }
    return out


def audit_text(rel: str) -> dict[str, Any]:
    """The reduced report and full-report digest for one corpus text, audited offline in a scratch directory."""
    from openaudit import audit
    from openaudit.report.json import render_json

    src = CORPUS / rel
    with tempfile.TemporaryDirectory(prefix="oa-snap-") as tmp:
        target = Path(tmp) / "model"
        target.mkdir()
        shutil.copyfile(src, target / ("README.md" if rel.startswith("cards/") else "LICENSE"))
        buf = io.StringIO()
        render_json([audit(str(target), offline=True, max_depth=0)], buf)
        text = buf.getvalue().replace(str(target), "<dir>").replace(tmp, "<tmp>")
    report = json.loads(text)
    if isinstance(report, list):
        report = report[0]
    report.get("tool", {}).pop("version", None)
    digest = hashlib.sha256(json.dumps(report, sort_keys=True).encode()).hexdigest()[:16]
    return {"source_sha256": hashlib.sha256(src.read_bytes()).hexdigest()[:16], "report_sha256": digest,
            **reduce(report)}


def _load() -> dict[str, Any]:
    if not SNAPSHOT.is_file():
        return {}
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


TEXTS = corpus_texts()


@pytest.mark.skipif(not UPDATE, reason="set OPENAUDIT_UPDATE_SNAPSHOT=1 to regenerate the snapshot")
def test_update_snapshot() -> None:
    if not TEXTS:
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared sits beside the project)")
    SNAPSHOT.parent.mkdir(exist_ok=True)
    data = {rel: audit_text(rel) for rel in TEXTS}
    SNAPSHOT.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def test_snapshot_covers_the_corpus() -> None:
    if not TEXTS:
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared sits beside the project)")
    if UPDATE:
        pytest.skip("regenerating")
    recorded = set(_load())
    assert recorded, f"no snapshot at {SNAPSHOT}: regenerate it (see this module's docstring)"
    assert sorted(set(TEXTS) - recorded) == [], "corpus texts without a snapshot entry: regenerate"
    assert sorted(recorded - set(TEXTS)) == [], "snapshot entries for texts no longer in the corpus: regenerate"


@pytest.mark.skipif(UPDATE, reason="regenerating")
@pytest.mark.parametrize("rel", TEXTS or ["<no corpus>"])
def test_corpus_report_unchanged(rel: str) -> None:
    if not TEXTS:
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared sits beside the project)")
    expected = _load().get(rel)
    if expected is None:
        pytest.skip(f"{rel}: not in the snapshot yet (test_snapshot_covers_the_corpus fails for it)")
    if expected["source_sha256"] != hashlib.sha256((CORPUS / rel).read_bytes()).hexdigest()[:16]:
        pytest.skip(f"{rel}: the corpus text changed since the snapshot was taken: regenerate")
    actual = audit_text(rel)
    assert {k: v for k, v in actual.items() if k != "report_sha256"} == \
        {k: v for k, v in expected.items() if k != "report_sha256"}
    assert actual["report_sha256"] == expected["report_sha256"], (
        f"{rel}: the decision fields are the same but the JSON report changed (wording, notes, order...): "
        "if on purpose, regenerate the snapshot")
