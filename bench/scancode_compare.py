"""Compare openaudit's license identification with ScanCode's on the corpus license texts.

    /work/venv/bin/python bench/scancode_compare.py [--corpus DIR] [--json] [--keep-tmp]

Creates bench/.venv-scancode (if missing) and installs scancode-toolkit-mini (with pluggy<1.5) from PyPI
there; exits 2 when ScanCode cannot be installed or run. Copies every file under corpus/licenses/** to
a temporary directory (flat names, in /tmp only), then:

* ScanCode: one warm-up scan of a single file (builds/loads the license index, timed separately), then
  ``scancode --license --timing --json-pp OUT DIR -n 1`` on all copies: wall time of that run, and the
  per-file license-scan time ScanCode reports with ``--timing``;
* openaudit: one fresh process (same interpreter as this script) that imports openaudit, loads the
  catalog and runs ``match_text`` on the same copies: wall time of the process, and per-file match time.

ScanCode's license expression keys are mapped to our catalog ids through each entry's ``scancode`` keys
and ``spdx`` id (Catalog.by_spdx). Both readers are scored against bench/expected.py with the same
verdicts (correct / unknown / wrong); a ScanCode key that maps to no catalog entry is reported as
"unmapped" (add the key to the right entry's ``scancode`` list, or it is a license we lack).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import expected as E  # noqa: E402

VENV = HERE / ".venv-scancode"
SCANCODE = VENV / "bin" / "scancode"
REQUIREMENTS = ["scancode-toolkit-mini", "pluggy<1.5"]

# ScanCode keys that name no particular license: a detection made only of these is "unknown".
GENERIC_KEYS = {
    "unknown", "unknown-license-reference", "free-unknown", "unknown-spdx", "other-permissive",
    "other-copyleft", "proprietary-license", "commercial-license", "warranty-disclaimer",
    "generic-cla", "generic-exception", "generic-tos", "public-domain", "public-domain-disclaimer",
    "license-file-reference", "see-license", "no-license",
}


def default_corpus() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "corpus"


def license_files(corpus: Path) -> list[Path]:
    root = corpus / "licenses"
    return sorted(p for p in root.rglob("*") if p.is_file())


def pctl(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q * (len(s) - 1))))
    return s[k]


# ------------------------------------------------------------------------------------------------------
# ScanCode setup
# ------------------------------------------------------------------------------------------------------

def fail(msg: str) -> None:
    print(f"scancode_compare: {msg}", file=sys.stderr)
    sys.exit(2)


def ensure_scancode() -> str:
    """Create the venv and install ScanCode if needed; return its version line."""
    if not SCANCODE.exists():
        print(f"setting up ScanCode in {VENV} (one time; a few minutes)…", file=sys.stderr)
        py = VENV / "bin" / "python"
        ok = py.exists() and subprocess.run([str(py), "-m", "pip", "--version"], capture_output=True).returncode == 0
        if not ok:  # missing or half-made venv: (re)create it
            r = subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"cannot create venv {VENV}: {r.stderr.strip() or r.stdout.strip()}")
        pip = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip", "setuptools", "wheel"], capture_output=True, text=True)
        r = subprocess.run([*pip, *REQUIREMENTS], capture_output=True, text=True)
        if r.returncode != 0 or not SCANCODE.exists():
            tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-15:])
            fail(f"cannot install {' '.join(REQUIREMENTS)} into {VENV}:\n{tail}")
    r = subprocess.run([str(SCANCODE), "--version"], capture_output=True, text=True)
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-15:])
        fail(f"ScanCode is installed in {VENV} but does not run:\n{tail}")
    return (r.stdout.strip().splitlines() or ["?"])[0]


def run_scancode(target: Path, out: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    cmd = [str(SCANCODE), "--license", "--timing", "--quiet", "--json-pp", str(out), str(target), "-n", "1"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, r


# ------------------------------------------------------------------------------------------------------
# Scoring
# ------------------------------------------------------------------------------------------------------

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]*")
_OPERATORS = {"and", "or", "with"}


def expression_keys(expr: str | None) -> list[str]:
    if not expr:
        return []
    return [k for k in _KEY.findall(expr) if k.lower() not in _OPERATORS]


def scancode_map(catalog) -> dict[str, list[str]]:
    """ScanCode key or SPDX id (lower case) -> ids of every catalog entry that lists it."""
    out: dict[str, list[str]] = {}
    for e in catalog.entries:
        keys = [*e.scancode, *([e.spdx] if e.spdx else [])]
        if e.spdx and e.spdx.startswith("LicenseRef-scancode-"):
            keys.append(e.spdx[len("LicenseRef-scancode-"):])
        for k in keys:
            ids = out.setdefault(k.lower(), [])
            if e.id not in ids:
                ids.append(e.id)
    return out


def score_scancode(expr: str | None, spdx_expr: str | None, expected, keymap) -> tuple[str, str]:
    """(got, verdict) for ScanCode's file-level license expression.

    Generic keys (unknown-license-reference, proprietary-license...) are ignored; no specific key left
    means unknown. Each specific key is mapped to the catalog entries listing it (a key several entries
    list counts as correct when the expected one is among them). Several distinct licenses for one text
    are correct only if all are acceptable. A key no entry lists is "unmapped".
    """
    keys = expression_keys(expr)
    specific = [k for k in keys if k.lower() not in GENERIC_KEYS]
    if not specific:
        return E.UNKNOWN, E.verdict(E.UNKNOWN, expected)
    ok = E.acceptable(expected)
    spdx_keys = expression_keys(spdx_expr)
    groups: list[list[str]] = []
    unmapped: list[str] = []
    for i, k in enumerate(keys):
        if k.lower() in GENERIC_KEYS:
            continue
        ids = keymap.get(k.lower()) or (keymap.get(spdx_keys[i].lower()) if len(spdx_keys) == len(keys) else None)
        if not ids:
            if k not in unmapped:
                unmapped.append(k)
        elif ids not in groups:
            groups.append(ids)
    picked = [next((i for i in g if i in ok), g[0]) for g in groups]
    picked = list(dict.fromkeys(picked))
    if unmapped:
        return " + ".join(picked + [f"{k}?" for k in unmapped]), "unmapped"
    got = " + ".join(picked)
    if len(picked) > 1:
        return got, ("correct" if ok and all(i in ok for i in picked) else "wrong")
    return got, E.verdict(got, expected)


OPENAUDIT_RUNNER = r"""
import json, sys, time
t0 = time.perf_counter()
from openaudit.licenses.catalog import load_catalog
from openaudit.licenses.textmatch import match_text
t1 = time.perf_counter()
catalog = load_catalog()
t2 = time.perf_counter()
out = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    s = time.perf_counter()
    ms = match_text(text, catalog)
    out.append({"file": path, "seconds": time.perf_counter() - s,
                "got": ms[0].entry.id if ms else "unknown", "confidence": ms[0].confidence if ms else 0.0})
t3 = time.perf_counter()
json.dump({"import_s": t1 - t0, "catalog_load_s": t2 - t1, "match_total_s": t3 - t2, "files": out}, sys.stdout)
"""


def run_openaudit(paths: list[Path]) -> tuple[float, dict]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", OPENAUDIT_RUNNER, *map(str, paths)], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        print(r.stderr, file=sys.stderr)
        raise SystemExit("openaudit run failed")
    return wall, json.loads(r.stdout)


# ------------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=default_corpus(), help="corpus dir (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temporary copies and ScanCode's JSON")
    ap.add_argument("--scancode-json", type=Path, metavar="FILE", help=(
        "re-score the ScanCode output of an earlier run (its meta.json is read for the timings) instead of "
        "running ScanCode again"))
    args = ap.parse_args(argv)

    from openaudit.licenses.catalog import load_catalog

    corpus = args.corpus.resolve()
    files = license_files(corpus)
    if not files:
        fail(f"no license files under {corpus / 'licenses'}")
    previous = None
    if args.scancode_json:
        previous = json.loads(args.scancode_json.read_text(encoding="utf-8"))
        meta = args.scancode_json.with_name("meta.json")
        prev_meta = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
        version = prev_meta.get("version", "ScanCode (earlier run)")
    else:
        version = ensure_scancode()
    catalog = load_catalog()

    tmp = Path(tempfile.mkdtemp(prefix="openaudit-scancode-", dir="/tmp"))
    try:
        target = tmp / "licenses"
        target.mkdir()
        rel_of: dict[str, str] = {}
        copies: list[Path] = []
        for p in files:
            rel = p.relative_to(corpus / "licenses").as_posix()
            flat = rel.replace("/", "__")
            shutil.copyfile(p, target / flat)
            rel_of[flat] = rel
            copies.append(target / flat)

        if previous is not None:
            scan = previous
            warm_s, sc_wall = prev_meta.get("warmup_s"), prev_meta.get("wall_s")
        else:
            # Warm-up: the first scan after install builds the license index (cached in the venv afterwards).
            warm_dir = tmp / "warm"
            warm_dir.mkdir()
            shutil.copyfile(copies[0], warm_dir / copies[0].name)
            warm_s, r = run_scancode(warm_dir, tmp / "warm.json")
            if r.returncode != 0:
                fail(f"ScanCode warm-up scan failed:\n{(r.stderr or r.stdout)[-2000:]}")

            sc_wall, r = run_scancode(target, tmp / "scan.json")
            if r.returncode != 0:
                fail(f"ScanCode scan failed:\n{(r.stderr or r.stdout)[-2000:]}")
            scan = json.loads((tmp / "scan.json").read_text(encoding="utf-8"))
            (tmp / "meta.json").write_text(json.dumps({"version": version, "warmup_s": warm_s, "wall_s": sc_wall}))

        oa_wall, oa = run_openaudit(copies)
    finally:
        if not args.keep_tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    keymap = scancode_map(catalog)
    sc_by_rel: dict[str, dict] = {}
    for f in scan.get("files", []):
        if f.get("type") != "file":
            continue
        name = Path(f["path"]).name
        if name in rel_of:
            sc_by_rel[rel_of[name]] = f
    oa_by_rel = {rel_of[Path(f["file"]).name]: f for f in oa["files"]}

    rows = []
    for p in files:
        rel = p.relative_to(corpus / "licenses").as_posix()
        exp = E.LICENSES.get(rel)
        sc = sc_by_rel.get(rel, {})
        expr = sc.get("detected_license_expression")
        if expr is None and sc.get("license_detections"):
            expr = " AND ".join(d.get("license_expression", "") for d in sc["license_detections"])
        sc_got, sc_verdict = score_scancode(expr, sc.get("detected_license_expression_spdx"), exp, keymap)
        timings = sc.get("scan_timings") or {}
        sc_secs = sum(v for v in timings.values() if isinstance(v, (int, float))) if timings else None
        o = oa_by_rel[rel]
        rows.append({
            "file": rel,
            "expected": "|".join(E.acceptable(exp)) or "-",
            "scancode_expression": expr or "",
            "scancode_got": sc_got,
            "scancode_verdict": sc_verdict,
            "scancode_s": sc_secs,
            "openaudit_got": o["got"],
            "openaudit_confidence": o["confidence"],
            "openaudit_verdict": E.verdict(o["got"], exp),
            "openaudit_s": o["seconds"],
        })

    def totals(key: str) -> dict[str, int]:
        t = {"correct": 0, "unknown": 0, "wrong": 0, "unmapped": 0, "unlisted": 0}
        for row in rows:
            t[row[key]] = t.get(row[key], 0) + 1
        return {k: v for k, v in t.items() if v or k in ("correct", "unknown", "wrong")}

    sc_times = [r["scancode_s"] for r in rows if r["scancode_s"] is not None]
    oa_times = [r["openaudit_s"] for r in rows]
    n = len(rows)
    result = {
        "machine": {
            "nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_1m": round(os.getloadavg()[0], 2),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        },
        "corpus": str(corpus),
        "files": n,
        "catalog_entries": len(catalog.entries),
        "scancode": {
            "version": version,
            "warmup_s": warm_s,
            "wall_s": sc_wall,
            "files_per_s": n / sc_wall if sc_wall else None,
            "per_file_ms_median": statistics.median(sc_times) * 1e3 if sc_times else None,
            "per_file_ms_p95": pctl(sc_times, 0.95) * 1e3 if sc_times else None,
            "totals": totals("scancode_verdict"),
        },
        "openaudit": {
            "wall_s": oa_wall,
            "import_s": oa["import_s"],
            "catalog_load_s": oa["catalog_load_s"],
            "match_total_s": oa["match_total_s"],
            "files_per_s": n / oa_wall,
            "files_per_s_matching": n / oa["match_total_s"] if oa["match_total_s"] else None,
            "per_file_ms_median": statistics.median(oa_times) * 1e3,
            "per_file_ms_p95": pctl(oa_times, 0.95) * 1e3,
            "totals": totals("openaudit_verdict"),
        },
        "speed_ratio_wall": sc_wall / oa_wall if sc_wall else None,
        "speed_ratio_per_file_median": (
            statistics.median(sc_times) / statistics.median(oa_times) if sc_times and oa_times else None
        ),
        "rows": rows,
    }
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
    else:
        print_report(result)
    return 0


def print_report(res: dict) -> None:
    rows = res["rows"]
    w = max(len(r["file"]) for r in rows)
    head = f"{'file':<{w}}  {'expected':<28} {'scancode':<34} {'sc':<8} {'openaudit':<28} {'oa':<8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        sc = r["scancode_got"] if len(r["scancode_got"]) <= 34 else r["scancode_got"][:33] + "…"
        print(f"{r['file']:<{w}}  {r['expected'][:28]:<28} {sc:<34} {r['scancode_verdict']:<8} "
              f"{r['openaudit_got'][:28]:<28} {r['openaudit_verdict']:<8}")
    sc, oa = res["scancode"], res["openaudit"]
    print()
    print(f"{res['files']} license files; catalog {res['catalog_entries']} entries; {sc['version']}")
    print()
    print(f"{'':<28}{'ScanCode':>14}{'openaudit':>14}")
    for k in ("correct", "unknown", "wrong", "unmapped"):
        print(f"{k:<28}{sc['totals'].get(k, 0):>14}{oa['totals'].get(k, 0):>14}")
    def num(v, spec: str) -> str:
        return format(v, spec) if isinstance(v, (int, float)) else "n/a".rjust(int(spec.split(".")[0].lstrip(">")))

    print(f"{'wall time, one run (s)':<28}{num(sc['wall_s'], '>14.2f')}{num(oa['wall_s'], '>14.2f')}")
    print(f"{'files/s (wall)':<28}{num(sc['files_per_s'], '>14.1f')}{num(oa['files_per_s'], '>14.1f')}")
    print(f"{'per-file ms, median':<28}{num(sc['per_file_ms_median'], '>14.2f')}"
          f"{num(oa['per_file_ms_median'], '>14.2f')}")
    print(f"{'per-file ms, p95':<28}{num(sc['per_file_ms_p95'], '>14.2f')}{num(oa['per_file_ms_p95'], '>14.2f')}")
    print(f"{'startup (s)':<28}{'':>14}{oa['import_s'] + oa['catalog_load_s']:>14.2f}"
          f"   (openaudit: import {oa['import_s']:.2f} + catalog {oa['catalog_load_s']:.2f})")
    print(f"ScanCode warm-up scan of 1 file (index load): {num(sc['warmup_s'], '.1f')} s")
    ratios = []
    if res["speed_ratio_wall"]:
        ratios.append(f"wall {res['speed_ratio_wall']:.0f}x")
    if res["speed_ratio_per_file_median"]:
        ratios.append(f"per-file median {res['speed_ratio_per_file_median']:.0f}x")
    print("speed ratio ScanCode/openaudit: " + (", ".join(ratios) or "n/a"))
    print(f"machine: {res['machine']['nproc']} cpu, Python {res['machine']['python']}, {res['machine']['date']}, "
          f"load {res['machine']['loadavg_1m']} at start")
    bad = [r for r in rows if r["scancode_verdict"] in ("wrong", "unmapped")]
    if bad:
        print("\nScanCode wrong/unmapped:")
        for r in bad:
            print(f"  {r['file']}: {r['scancode_expression']} -> {r['scancode_got']} (expected {r['expected']})")
    bad = [r for r in rows if r["openaudit_verdict"] != "correct"]
    if bad:
        print("\nopenaudit not correct:")
        for r in bad:
            print(f"  {r['file']}: {r['openaudit_got']} ({r['openaudit_confidence']}) "
                  f"[{r['openaudit_verdict']}] expected {r['expected']}")


if __name__ == "__main__":
    sys.exit(main())
