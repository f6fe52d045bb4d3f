#!/usr/bin/env python3
"""Rebuild openaudit's bundled reference data (rules/references/*.json) from upstream checkouts.

    python scripts/build_references.py [CORPUS] [--mot DIR] [--index DIR] [--osi FILE] [--out DIR]

CORPUS (default ../shared/corpus) holds ``mot/`` and ``osai-index/``; ``--mot`` and ``--index`` point at other
checkouts instead. Both layouts are read:

- Model Openness Tool: a checkout of https://github.com/lfai/model_openness_tool (``models/*.yml``), or the
  corpus snapshot (``models/*.yml`` + ``SOURCES.md``).
- European Open Source AI Index: a checkout of https://github.com/Language-Technology-Assessment/main-database
  (one ``*.yaml`` per system at the root, ``_parameters.yml``), or the corpus snapshot (``models/*.yaml``).
- OSI's OSAID validation results: ``scripts/references/osi-osaid-validation.yaml`` (hand-kept from
  https://opensource.org/ai; OSI publishes no data file).

The snapshot commit and date come from ``git`` in a checkout, else from the folder's SOURCES.md, else from
``--mot-commit/--mot-date`` / ``--index-commit/--index-date``. The output is compact: per record only what a
report shows (ids, verdict, date; links are built from the snapshot commit), one line per record, so a
refresh diffs per model. JSON, not YAML: it is read on every `check` and JSON parses ~50x faster.
MOF classes are computed with ``openaudit.standards.mof.classify`` (the MOT's own logic, re-implemented).
Exit 0 on success, 2 on bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from openaudit.standards.mof import classify  # noqa: E402
from openaudit.standards.mot import release_components  # noqa: E402
from openaudit.standards.references import family_key, hub_id_from_url  # noqa: E402

MOT_REPO = "https://github.com/lfai/model_openness_tool"
INDEX_REPO = "https://github.com/Language-Technology-Assessment/main-database"
MAX_FILE = 1_000_000


class BuildError(Exception):
    pass


def _load_yaml(path: Path):
    if path.stat().st_size > MAX_FILE:
        raise BuildError(f"{path}: larger than {MAX_FILE} bytes")
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def snapshot(folder: Path, commit: str | None, date: str | None) -> tuple[str, str]:
    """(commit, YYYY-MM-DD) of a checkout: given, from git, or from SOURCES.md."""
    if commit and date:
        return commit, date
    if (folder / ".git").exists():
        out = subprocess.run(["git", "-C", str(folder), "log", "-1", "--format=%H %cs"], capture_output=True,
                             text=True, check=False, timeout=30)
        if out.returncode == 0 and out.stdout.strip():
            sha, day = out.stdout.split()
            return commit or sha, date or day
    sources = folder / "SOURCES.md"
    if sources.is_file():
        m = re.search(r"Snapshot commit:\s*`([0-9a-f]{40})`\s*\(commit date (\d{4}-\d{2}-\d{2})",
                      sources.read_text(encoding="utf-8"))
        if m:
            return commit or m.group(1), date or m.group(2)
    raise BuildError(f"{folder}: no git history or SOURCES.md snapshot line; pass the commit and date")


def _str_date(value) -> str | None:
    return str(value)[:10] if value not in (None, "") else None


def _hub_ids(*values) -> list[str]:
    out = []
    for v in values:
        for url in v if isinstance(v, list) else [v]:
            hid = hub_id_from_url(url)
            if hid:
                out.append(hid)
    return list(dict.fromkeys(out))


def build_mot(folder: Path, commit: str, date: str) -> dict:
    models = folder / "models"
    files = sorted(models.glob("*.yml"))
    if not files:
        raise BuildError(f"{models}: no MOT model records (*.yml)")
    records = []
    for path in files:
        try:
            data = _load_yaml(path)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            print(f"build_references: skipped {path.name}: {str(exc).splitlines()[0]}", file=sys.stderr)
            continue
        release = data.get("release") if isinstance(data, dict) else None
        if not isinstance(release, dict) or not release.get("name"):
            print(f"build_references: skipped {path.name}: no release.name", file=sys.stderr)
            continue
        comps, glob = release_components(release)
        result = classify(comps, glob)
        hub = _hub_ids(release.get("huggingface"))
        day = _str_date(release.get("date"))
        records.append({
            "file": path.name,
            "name": str(release["name"]),
            "producer": str(release.get("producer") or "") or None,
            "date": day,
            "hub": hub,
            "family": sorted({f for f in map(family_key, hub) if f}),
            "class": result.mof_class,
            "label": result.label,
            "progress": {str(k): v for k, v in result.progress.items()},
            "blocking": result.blocking,
            # scripts/hide-models.php hides records dated before 2025-01-01 on mot.isitopen.ai
            "listed": bool(day and day >= "2025-01-01"),
        })
    return {
        "source": {"name": "Model Openness Tool (LF AI & Data)", "standard": "MOF 1.0",
                   "url": "https://mot.isitopen.ai", "snapshot": f"{MOT_REPO} @ {commit}", "date": date,
                   "record_url": f"{MOT_REPO}/blob/{commit}/models/{{file}}",
                   "license": "MIT",
                   "attribution": "Model Openness Tool model records, LF AI & Data (MIT), " + MOT_REPO,
                   "caveat": "records are entered by producers or volunteers and can be incomplete; the class is "
                             "computed from the record as written with the MOT's logic"},
        "records": records,
    }


def _index_files(folder: Path) -> list[Path]:
    models = folder / "models"
    if models.is_dir():
        return sorted(models.glob("*.yaml"))
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith(("_", "a_submission")))


def build_index(folder: Path, commit: str, date: str) -> dict:
    params = _load_yaml(folder / "_parameters.yml")
    dims = [{"key": str(p["ref"]), "label": str(p["name"]).strip(), "group": str(g.get("name"))}
            for g in params or [] for p in g.get("params") or []]
    if len(dims) < 6:
        raise BuildError(f"{folder}/_parameters.yml: expected the index's dimensions, found {len(dims)}")
    files = _index_files(folder)
    if not files:
        raise BuildError(f"{folder}: no index records (*.yaml)")
    records = []
    for path in files:
        try:
            data = _load_yaml(path)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            print(f"build_references: skipped {path.name}: {str(exc).splitlines()[0]}", file=sys.stderr)
            continue
        system = data.get("system") if isinstance(data, dict) else None
        if not isinstance(system, dict) or not system.get("name"):
            print(f"build_references: skipped {path.name}: no system.name", file=sys.stderr)
            continue

        def link(key: str, data: dict = data):
            entry = data.get(key)
            return entry.get("link") if isinstance(entry, dict) else None

        hub = _hub_ids(system.get("link"), link("weights_endmodel"))
        base_hub = [h for h in _hub_ids(link("weights_basemodel")) if h.lower() not in {x.lower() for x in hub}]
        grades = {}
        for d in dims:
            entry = data.get(d["key"])
            value = str(entry.get("class")).strip().lower() if isinstance(entry, dict) else ""
            grades[d["key"]] = value if value in ("open", "partial", "closed") else "unknown"
        org = data.get("org") if isinstance(data.get("org"), dict) else {}
        records.append({
            "file": path.name,
            "name": str(system["name"]).strip(),
            "org": str(org.get("name") or "").strip() or None,
            "end_model": str(system.get("endmodelname") or "").strip() or None,
            "base_model": str(system.get("basemodelname") or "").strip() or None,
            "released": _str_date(system.get("releasedate")),
            "hub": hub,
            "base_hub": base_hub,
            "family": sorted({f for f in map(family_key, hub) if f}),
            "grades": grades,
            # models/<file> in the corpus snapshot is <file> at the upstream repository's root
        })
    return {
        "source": {"name": "European Open Source AI Index", "standard": "European Open Source AI Index",
                   "url": "https://osai-index.eu/", "snapshot": f"{INDEX_REPO} @ {commit}", "date": date,
                   # models/<file> in the corpus snapshot is <file> at the upstream repository's root
                   "record_url": f"{INDEX_REPO}/blob/{commit}/{{file}}",
                   "license": "CC-BY-4.0",
                   "attribution": "European Open Source AI Index, https://osai-index.eu/ (CC-BY-4.0); Liesenfeld, A. "
                                  "and Dingemanse, M. (2024), Rethinking open source generative AI: open-washing and "
                                  "the EU AI Act, FAccT '24, doi:10.1145/3630106.3659005",
                   "caveat": "grades a system (usually the largest or latest of a family) on 12 dimensions; the "
                             "index's record dates are model release dates, the grades are as of the snapshot"},
        "dimensions": dims,
        "records": records,
    }


def build_osi(path: Path, standards: Path | None) -> dict:
    data = _load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("systems"), list):
        raise BuildError(f"{path}: expected source, outcomes and systems")
    src = dict(data.get("source") or {})
    outcomes = {str(k): str(v) for k, v in (data.get("outcomes") or {}).items()}
    systems = []
    for s in data["systems"]:
        if not isinstance(s, dict) or s.get("outcome") not in outcomes or not s.get("hub"):
            raise BuildError(f"{path}: bad system entry {s!r}")
        systems.append({k: s[k] for k in ("name", "org", "outcome", "hub", "note") if k in s})
    if standards is not None and standards.is_file():  # the research notes name the same systems
        text = standards.read_text(encoding="utf-8")
        for s in systems:
            if s["name"].replace(" ", "").lower() not in text.replace(" ", "").lower():
                print(f"build_references: warning: {s['name']} is not named in {standards}", file=sys.stderr)
    return {
        "source": {"name": src.get("name"), "standard": src.get("standard"), "url": src.get("url"),
                   "snapshot": f"{src.get('url')} (published with OSAID 1.0)", "date": src.get("published"),
                   "license": src.get("license"), "attribution": src.get("attribution"), "caveat": src.get("caveat")},
        "outcomes": outcomes,
        "systems": systems,
    }


def write(path: Path, what: str, doc: dict) -> None:
    """JSON (not YAML: parsing ~300 KB of YAML costs ~200 ms per run, JSON ~3 ms), one record per line."""
    head = {"_generated": "by scripts/build_references.py - do not edit; rebuild from upstream checkouts instead",
            "_what": what}
    parts = []
    for key, value in {**head, **doc}.items():
        if isinstance(value, list):
            items = ",\n".join("  " + json.dumps(item, ensure_ascii=True, separators=(", ", ": ")) for item in value)
            parts.append(f"{json.dumps(key)}: [\n{items}\n]")
        else:
            parts.append(f"{json.dumps(key)}: " + json.dumps(value, ensure_ascii=True, separators=(", ", ": ")))
    text = "{\n" + ",\n".join(parts) + "\n}\n"
    if json.loads(text) != json.loads(json.dumps({**head, **doc})):
        raise BuildError(f"{path}: generated JSON does not read back identically")
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"),
                    help="folder holding mot/ and osai-index/ (default ../shared/corpus)")
    ap.add_argument("--mot", help="Model Openness Tool checkout (default CORPUS/mot)")
    ap.add_argument("--index", help="European Open Source AI Index main-database checkout (default CORPUS/osai-index)")
    ap.add_argument("--osi", default=str(ROOT / "scripts" / "references" / "osi-osaid-validation.yaml"))
    ap.add_argument("--standards", default=None,
                    help="openness-standards.md to cross-check OSI system names (default: beside CORPUS)")
    ap.add_argument("--mot-commit")
    ap.add_argument("--mot-date")
    ap.add_argument("--index-commit")
    ap.add_argument("--index-date")
    ap.add_argument("--out", default=str(ROOT / "rules" / "references"))
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    mot_dir = Path(args.mot) if args.mot else corpus / "mot"
    index_dir = Path(args.index) if args.index else corpus / "osai-index"
    standards = Path(args.standards) if args.standards else corpus.parent / "reference" / "openness-standards.md"
    out = Path(args.out)
    try:
        for folder in (mot_dir, index_dir):
            if not folder.is_dir():
                raise BuildError(f"{folder}: not a directory")
        mot = build_mot(mot_dir, *snapshot(mot_dir, args.mot_commit, args.mot_date))
        index = build_index(index_dir, *snapshot(index_dir, args.index_commit, args.index_date))
        osi = build_osi(Path(args.osi), standards)
        out.mkdir(parents=True, exist_ok=True)
        write(out / "mot.json", f"Model Openness Tool records: {len(mot['records'])} models, MOF class computed.",
              mot)
        write(out / "osai-index.json", f"European Open Source AI Index: {len(index['records'])} systems, "
              f"{len(index['dimensions'])} graded dimensions.", index)
        write(out / "osi-osaid.json", f"OSI OSAID 1.0 validation-phase results: {len(osi['systems'])} systems.", osi)
    except (BuildError, OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        print(f"build_references: error: {exc}", file=sys.stderr)
        return 2
    print(f"build_references: wrote {out}/mot.json ({len(mot['records'])}), osai-index.json "
          f"({len(index['records'])}), osi-osaid.json ({len(osi['systems'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
