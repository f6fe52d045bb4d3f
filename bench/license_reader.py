"""Benchmark of openaudit's license reader on the shared corpus: accuracy and speed.

    /work/venv/bin/python bench/license_reader.py [--corpus DIR] [--json] [--repeat N]
                                                   [--no-cards] [--no-clauses] [--verbose]

1. Identification of every license text under corpus/licenses/** (incl. variants/ and scancode/) by
   coverage (``coverage.identify_text``, as ``identify`` does): the answer is the entry the text is or
   modifies (a modified copy is still a name shown to the user, so it is scored too, marked weak, with
   its coverage in the confidence column).
2. Clause extraction (``clauses.extract_restrictions``) on the same files: restrictions found, compared
   with the known ``terms`` of the expected catalog entry (kinds and thresholds). Skipped with a
   message when the module is not there yet. Informational: it never fails the run.
3. Identification of every model card under corpus/cards/** alone (``LocalSource`` on the card file +
   ``identify``): the license the card declares, as a catalog id (see bench/expected.py for what
   "correct" means for a card).

Verdicts come from bench/expected.py: correct / unknown / wrong. Timing is per file, in this one
process, after the catalog is loaded and one warm-up pass is done; each file is timed ``--repeat``
times and its median kept. Exit status: 1 if anything is "wrong" (a confident wrong name is the worst
failure), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import expected as E  # noqa: E402

WEAK = 0.9  # below this confidence a text match is a weak candidate (partial or ambiguous)


def default_corpus() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "corpus"


def pctl(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(q * (len(s) - 1))))]


def timed(fn: Callable[[], Any], repeat: int) -> tuple[Any, float]:
    """Result of fn() and the median of ``repeat`` timings, in seconds."""
    times = []
    result = None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, statistics.median(times)


def timing_summary(seconds: list[float]) -> dict[str, float]:
    total = sum(seconds)
    return {
        "files": len(seconds),
        "per_file_ms_median": statistics.median(seconds) * 1e3 if seconds else 0.0,
        "per_file_ms_p95": pctl(seconds, 0.95) * 1e3,
        "per_file_ms_max": max(seconds) * 1e3 if seconds else 0.0,
        "total_s": total,
        "files_per_s": len(seconds) / total if total else 0.0,
    }


def count(rows: list[dict[str, Any]]) -> dict[str, int]:
    t = {"correct": 0, "unknown": 0, "wrong": 0}
    for r in rows:
        t[r["verdict"]] = t.get(r["verdict"], 0) + 1
    return t


# ------------------------------------------------------------------------------------------------------

def bench_catalog() -> dict[str, Any]:
    from openaudit.licenses.catalog import load_catalog

    load_catalog.cache_clear()
    t0 = time.perf_counter()
    cat = load_catalog()
    first = time.perf_counter() - t0
    again = []
    for _ in range(3):
        load_catalog.cache_clear()
        t0 = time.perf_counter()
        cat = load_catalog()
        again.append(time.perf_counter() - t0)
    return {
        "entries": len(cat.entries),
        "with_fingerprints": sum(1 for e in cat.entries if e.fingerprints),
        "load_s_first": first,
        "load_s_median": statistics.median(again),
    }


def read_license_files(corpus: Path) -> list[tuple[str, Any]]:
    from openaudit.sources.local import read_file

    root = corpus / "licenses"
    out = []
    for p in sorted(x for x in root.rglob("*") if x.is_file()):
        rel = p.relative_to(root).as_posix()
        out.append((rel, read_file(p, p.name, "license")))
    return out


def bench_identification(files: list[tuple[str, Any]], repeat: int) -> dict[str, Any]:
    """Identification by coverage (``coverage.identify_text``, what ``identify`` uses): the answer is the entry a
    text is (``exact``) or modifies (``modified``: shown as weak, with its coverage); anything else is unknown."""
    from openaudit.licenses import coverage as cv
    from openaudit.licenses.catalog import load_catalog

    cat = load_catalog()

    def ident(sf: Any) -> Any:
        cv._identify_cached.cache_clear()  # time the work, not the memo
        return cv.identify_text(sf.text or "", cat, policies=True)

    for _, sf in files:  # warm-up pass
        ident(sf)
    rows = []
    t_pass = time.perf_counter()
    for rel, sf in files:
        ti, secs = timed(lambda sf=sf: ident(sf), repeat)
        named = ti.entry is not None and ti.status in (cv.EXACT, cv.MODIFIED)
        got = ti.entry.id if named else E.UNKNOWN
        exp = E.LICENSES.get(rel)
        c = ti.comparison
        rows.append({
            "file": rel,
            "expected": "|".join(E.acceptable(exp)) or "-",
            "got": got,
            "status": ti.status,
            "confidence": c.coverage if c is not None else (1.0 if named else 0.0),
            "weak": ti.status != cv.EXACT,
            "runners_up": [],
            "category": ti.entry.category if ti.entry is not None else None,
            "verdict": E.verdict(got, exp),
            "ms": secs * 1e3,
        })
    wall = time.perf_counter() - t_pass
    # One plain pass (no repeats), the way the CLI reads them: files/s end to end for identification.
    t0 = time.perf_counter()
    for _, sf in files:
        ident(sf)
    one_pass = time.perf_counter() - t0
    timing = timing_summary([r["ms"] / 1e3 for r in rows])
    timing["one_pass_s"] = one_pass
    timing["one_pass_files_per_s"] = len(files) / one_pass if one_pass else 0.0
    timing["bench_wall_s"] = wall
    return {"rows": rows, "totals": count(rows), "timing": timing}


def bench_clauses(files: list[tuple[str, Any]], repeat: int) -> dict[str, Any]:
    try:
        from openaudit.licenses.clauses import extract_restrictions
    except ImportError as exc:
        return {"skipped": f"openaudit.licenses.clauses.extract_restrictions is not available yet ({exc})"}
    from openaudit.licenses.catalog import load_catalog

    cat = load_catalog()
    for _, sf in files:  # warm-up
        extract_restrictions([sf])
    rows = []
    kinds_expected = kinds_found = kinds_hit = 0
    thr_expected = thr_hit = 0
    for rel, sf in files:
        found, secs = timed(lambda sf=sf: extract_restrictions([sf]), repeat)
        got_kinds = sorted({r.kind for r in found})
        got_thr = {(float(t.value), t.unit) for r in found for t in r.thresholds}
        ok = E.acceptable(E.LICENSES.get(rel))
        entry = next((cat.get(i) for i in ok if cat.get(i) is not None), None)
        row: dict[str, Any] = {
            "file": rel,
            "restrictions": len(found),
            "kinds": got_kinds,
            "thresholds": sorted(f"{v:g} {u}" for v, u in got_thr),
            "territories": sorted({c for r in found for c in r.territories}),
            "ms": secs * 1e3,
        }
        if entry is not None and entry.terms:
            want_kinds = {t.kind for t in entry.terms}
            want_thr = {(float(th["value"]), th["unit"]) for t in entry.terms for th in t.thresholds}
            row["catalog_entry"] = entry.id
            row["missed_kinds"] = sorted(want_kinds - set(got_kinds))
            row["extra_kinds"] = sorted(set(got_kinds) - want_kinds)
            row["missed_thresholds"] = sorted(f"{v:g} {u}" for v, u in want_thr - got_thr)
            kinds_expected += len(want_kinds)
            kinds_found += len(got_kinds)
            kinds_hit += len(want_kinds & set(got_kinds))
            thr_expected += len(want_thr)
            thr_hit += len(want_thr & got_thr)
        rows.append(row)
    compared = [r for r in rows if "catalog_entry" in r]
    return {
        "rows": rows,
        "compared_files": len(compared),
        "kind_recall": kinds_hit / kinds_expected if kinds_expected else None,
        "kind_precision": kinds_hit / sum(len(r["kinds"]) for r in compared) if compared else None,
        "kinds_expected": kinds_expected,
        "kinds_hit": kinds_hit,
        "threshold_recall": thr_hit / thr_expected if thr_expected else None,
        "thresholds_expected": thr_expected,
        "thresholds_hit": thr_hit,
        "restrictions_total": sum(r["restrictions"] for r in rows),
        "timing": timing_summary([r["ms"] / 1e3 for r in rows]),
    }


def bench_negatives(corpus: Path) -> dict[str, Any]:
    """match_text on texts that are not license texts: the Hub docs (hub-*.md) and every model card.

    Each should give no candidate at all. A candidate here, even a weak one, is what ``identify`` would
    report as the license if such a text were a repo's LICENSE file (it takes the top candidate at any
    confidence), so it measures how broad the fingerprints are. Informational: not in the exit status.
    """
    from openaudit.licenses.catalog import load_catalog
    from openaudit.licenses.textmatch import match_text

    cat = load_catalog()
    paths = sorted(corpus.glob("hub-*.md")) + sorted(p for p in (corpus / "cards").rglob("*.md") if p.is_file())
    rows = []
    for p in paths:
        ms = match_text(p.read_text(encoding="utf-8", errors="replace"), cat)
        if ms:
            rows.append({
                "file": p.relative_to(corpus).as_posix(),
                "got": ms[0].entry.id,
                "confidence": ms[0].confidence,
                "phrase": ms[0].first_phrase,
            })
    return {"texts": len(paths), "named": len(rows), "rows": rows}


def bench_cards(corpus: Path, repeat: int) -> dict[str, Any]:
    from openaudit.licenses.catalog import load_catalog
    from openaudit.licenses.identify import identify
    from openaudit.sources.local import LocalSource

    cat = load_catalog()
    root = corpus / "cards"
    paths = sorted(p for p in root.rglob("*.md") if p.is_file())

    def run(p: Path):
        return identify(LocalSource(p).fetch(), cat)

    for p in paths:  # warm-up
        run(p)
    rows = []
    for p in paths:
        rel = p.relative_to(root).as_posix()
        ident, secs = timed(lambda p=p: run(p), repeat)
        res = ident.result
        exp = E.CARDS.get(rel)
        rows.append({
            "file": rel,
            "declared": ident.declared or "",
            "expected": "|".join(E.acceptable(exp)) or "-",
            "got": res.id,
            "confidence": res.confidence,
            "weak": res.id != E.UNKNOWN and res.confidence < 0.5,
            "reason": res.reason,
            "verdict": E.verdict(res.id, exp),
            "ms": secs * 1e3,
        })
    return {"rows": rows, "totals": count(rows), "timing": timing_summary([r["ms"] / 1e3 for r in rows])}


# ------------------------------------------------------------------------------------------------------

def missing_expectations(corpus: Path, lic_rows, card_rows, catalog_ids: set[str]) -> list[str]:
    warnings = []
    for r in lic_rows + card_rows:
        if r["verdict"] == "unlisted":
            warnings.append(f"no expectation in bench/expected.py for {r['file']}")
    seen_lic = {r["file"] for r in lic_rows}
    seen_cards = {r["file"] for r in card_rows}
    for rel in E.LICENSES:
        if lic_rows and rel not in seen_lic:
            warnings.append(f"bench/expected.py lists licenses/{rel}, not in the corpus")
    for rel in E.CARDS:
        if card_rows and rel not in seen_cards:
            warnings.append(f"bench/expected.py lists cards/{rel}, not in the corpus")
    wanted = set()
    for table in (E.LICENSES, E.CARDS):
        for v in table.values():
            ok = E.acceptable(v)
            if E.UNKNOWN in ok:
                continue
            if not any(i in catalog_ids for i in ok):
                wanted.add("|".join(ok))
    for ids in sorted(wanted):
        warnings.append(f"expected id not in the catalog (entry missing or named otherwise): {ids}")
    return warnings


def print_table(title: str, rows: list[dict[str, Any]], extra: str | None = None) -> None:
    print(f"\n== {title} ==")
    w = max(len(r["file"]) for r in rows)
    we = min(45, max(len(r["expected"]) for r in rows))
    wg = min(45, max(len(r["got"]) for r in rows))
    extra_head = f"  {extra}" if extra else ""
    head = f"{'file':<{w}}  {'expected':<{we}}  {'got':<{wg}}  {'conf':>5}  {'verdict':<8} {'ms':>7}{extra_head}"
    print(head)
    print("-" * len(head))
    for r in rows:
        mark = "*" if r.get("weak") else " "
        tail = f"  {r.get(extra, '')}" if extra else ""
        print(f"{r['file']:<{w}}  {r['expected'][:we]:<{we}}  {r['got'][:wg]:<{wg}}  {r['confidence']:>5.2f}{mark}"
              f" {r['verdict']:<8} {r['ms']:>7.2f}{tail}")


def print_timing(label: str, t: dict[str, float]) -> None:
    print(f"{label}: {t['files']} files, per file median {t['per_file_ms_median']:.2f} ms, "
          f"p95 {t['per_file_ms_p95']:.2f} ms, max {t['per_file_ms_max']:.2f} ms; "
          f"{t['files_per_s']:.0f} files/s" + (
              f" (one plain pass: {t['one_pass_s'] * 1e3:.0f} ms, {t['one_pass_files_per_s']:.0f} files/s)"
              if "one_pass_s" in t else ""))


def print_report(res: dict[str, Any], verbose: bool) -> None:
    ident = res.get("identification")
    if ident:
        print_table("license texts: identification (match_text)", ident["rows"])
        print("(* weak candidate: partial or ambiguous match, confidence < 0.9)")
    cl = res.get("clauses")
    if cl and "skipped" not in cl:
        print("\n== license texts: clause extraction (extract_restrictions) ==")
        w = max(len(r["file"]) for r in cl["rows"])
        for r in cl["rows"]:
            gap = ""
            if r.get("missed_kinds") or r.get("missed_thresholds"):
                missed = ", ".join(r["missed_kinds"] + r["missed_thresholds"])
                gap = f"  MISSED vs catalog {r['catalog_entry']}: {missed}"
            if verbose or gap:
                print(f"{r['file']:<{w}}  {r['restrictions']:>2}  {','.join(r['kinds']) or '-'}"
                      f"{'  ' + ';'.join(r['thresholds']) if r['thresholds'] else ''}{gap}")
        if not verbose:
            print("(files whose extraction matches the catalog terms are not listed; --verbose lists all)")
    neg = res.get("negatives")
    if neg and neg["rows"]:
        print("\n== not license texts (Hub docs, model cards) through match_text: should name nothing ==")
        w = max(len(r["file"]) for r in neg["rows"])
        for r in neg["rows"]:
            print(f"{r['file']:<{w}}  {r['got']:<32} {r['confidence']:.2f}  on \"{r['phrase']}\"")
    cards = res.get("cards")
    if cards:
        print_table("model cards alone: identify (LocalSource + identify)", cards["rows"], extra="declared")

    print("\n== summary ==")
    c = res["catalog"]
    print(f"catalog: {c['entries']} entries ({c['with_fingerprints']} with fingerprints); "
          f"load {c['load_s_first'] * 1e3:.0f} ms first, {c['load_s_median'] * 1e3:.0f} ms again (median of 3)")
    if ident:
        t = ident["totals"]
        weak = sum(1 for r in ident["rows"] if r["weak"])
        print(f"license texts: {len(ident['rows'])} files: correct {t['correct']}, unknown {t['unknown']}, "
              f"wrong {t['wrong']}" + (f", unlisted {t['unlisted']}" if t.get("unlisted") else "")
              + f"  ({weak} answered from a weak candidate)")
        print_timing("  identification", ident["timing"])
    if cl:
        if "skipped" in cl:
            print(f"clause extraction: skipped: {cl['skipped']}")
        else:
            kr = cl["kind_recall"]
            kp = cl["kind_precision"]
            tr = cl["threshold_recall"]
            print(f"clause extraction: {cl['restrictions_total']} restrictions from {len(cl['rows'])} files; "
                  f"vs catalog terms of {cl['compared_files']} entries: kind recall "
                  f"{kr if kr is None else f'{kr:.0%}'} ({cl['kinds_hit']}/{cl['kinds_expected']}), "
                  f"kind precision {kp if kp is None else f'{kp:.0%}'}, threshold recall "
                  f"{tr if tr is None else f'{tr:.0%}'} ({cl['thresholds_hit']}/{cl['thresholds_expected']})")
            print_timing("  extraction", cl["timing"])
    if neg:
        print(f"negative controls: {neg['named']} of {neg['texts']} non-license texts get a (weak) license name "
              "from match_text (identify would report it if the text were a LICENSE file)")
    if cards:
        t = cards["totals"]
        print(f"model cards: {len(cards['rows'])} files: correct {t['correct']}, unknown {t['unknown']}, "
              f"wrong {t['wrong']}" + (f", unlisted {t['unlisted']}" if t.get("unlisted") else ""))
        print_timing("  card fetch + identify", cards["timing"])
    m = res["machine"]
    print(f"machine: {m['nproc']} cpu, Python {m['python']}, {m['platform']}, {m['date']}, "
          f"load {m['loadavg_1m']} at start")
    for w in res["warnings"]:
        print(f"warning: {w}")
    bad = [r for part in ("identification", "cards") if res.get(part) for r in res[part]["rows"]
           if r["verdict"] == "wrong"]
    if bad:
        print("\nWRONG:")
        for r in bad:
            print(f"  {r['file']}: got {r['got']} ({r['confidence']}), expected {r['expected']}")


PATHOLOGICAL = {
    "one 200k-character word": "a" * 200_000,
    "50k digits then a unit": "1" * 50_000 + " million monthly active users",
    "20k 'not'": ("not " * 20_000) + "outputs",
    "20k '9,' after 'revenue'": "revenue " + "9," * 20_000 + " $",
    "30k dashes": "- " * 30_000,
    "long gaps after a ban": ("You may not use outputs to " + "x " * 5000) * 5,
    "5k place names": "European Union, " * 5_000,
    "20k list numbers": "\n".join("1." for _ in range(20_000)),
}


def bench_pathological() -> dict[str, float]:
    """Seconds the clause reader takes on inputs built to make a careless reader slow (was a timed test)."""
    from openaudit.licenses.clauses import extract_from_text

    extract_from_text("Warm-up. You may not use it.")
    out = {}
    for name, blob in PATHOLOGICAL.items():
        start = time.perf_counter()
        extract_from_text(blob)
        out[name] = round(time.perf_counter() - start, 3)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=default_corpus(), help="corpus dir (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    ap.add_argument("--repeat", type=int, default=5, help="timings per file; the median is kept (default 5)")
    ap.add_argument("--no-cards", action="store_true", help="skip the model cards")
    ap.add_argument("--no-clauses", action="store_true", help="skip clause extraction")
    ap.add_argument("--no-negatives", action="store_true", help="skip the non-license texts")
    ap.add_argument("--verbose", action="store_true", help="list every file's extracted restrictions")
    args = ap.parse_args(argv)

    corpus = args.corpus.resolve()
    if not (corpus / "licenses").is_dir():
        print(f"license_reader: no licenses/ under {corpus} (use --corpus)", file=sys.stderr)
        return 2

    res: dict[str, Any] = {
        "machine": {
            "nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "loadavg_1m": round(os.getloadavg()[0], 2),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        },
        "corpus": str(corpus),
    }
    res["catalog"] = bench_catalog()
    files = read_license_files(corpus)
    res["identification"] = bench_identification(files, args.repeat)
    if not args.no_clauses:
        res["clauses"] = bench_clauses(files, args.repeat)
        res["pathological_seconds"] = bench_pathological()
    if not args.no_cards and (corpus / "cards").is_dir():
        res["cards"] = bench_cards(corpus, args.repeat)
    if not args.no_negatives and (corpus / "cards").is_dir():
        res["negatives"] = bench_negatives(corpus)

    from openaudit.licenses.catalog import load_catalog

    res["warnings"] = missing_expectations(
        corpus, res["identification"]["rows"], res.get("cards", {}).get("rows", []),
        set(load_catalog().by_id),
    )
    wrong = res["identification"]["totals"]["wrong"] + res.get("cards", {}).get("totals", {}).get("wrong", 0)
    res["ok"] = wrong == 0
    if args.json:
        json.dump(res, sys.stdout, indent=2)
        print()
    else:
        print_report(res, args.verbose)
        if "pathological_seconds" in res:
            print("\nPathological inputs (seconds): " + ", ".join(f"{k}: {v}" for k, v in
                                                             res["pathological_seconds"].items()))
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
