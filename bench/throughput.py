"""Reading speed: license identification and clause extraction over the whole corpus, in one process.

    python bench/throughput.py [--corpus DIR] [--passes 9] [--json]

Reads every file under ``corpus/licenses/**`` (canonical texts, variants, ScanCode LicenseDB files) into
memory, loads the catalog, does one warm-up pass, then ``--passes`` timed passes of each of:

- identification: ``textmatch.match_text(text, catalog)`` per file;
- extraction: ``clauses.extract_restrictions([file])`` per file;
- both: identification then extraction per file (what ``openaudit check`` does with a license file).

Reported per stage: files/s of the median pass and of the best pass (wall clock), files/s of the best pass
in CPU time of this process (``time.process_time``: less sensitive to other processes on a shared machine),
and per-file milliseconds (median over files of each file's median time). Goal (issue #8): >= 500 files/s
for identification + clause extraction ("both"), judged on the best pass in CPU time: on a shared machine the
other passes measure the neighbours too (the median pass of the same code varies by +-30% from run to run
here), and, as ``timeit`` puts it, the fastest run is the lower bound of what the code costs, the others
add interference. The median pass is printed beside it. The load average before and after is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def default_corpus() -> Path:
    return ROOT.parent / "shared" / "corpus"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=default_corpus())
    ap.add_argument("--passes", type=int, default=9)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from openaudit.evidence import SourceFile
    from openaudit.licenses.catalog import load_catalog
    from openaudit.licenses.clauses import extract_restrictions
    from openaudit.licenses.textmatch import match_text

    paths = sorted(p for p in (args.corpus / "licenses").rglob("*") if p.is_file())
    if not paths:
        print(f"no license files under {args.corpus / 'licenses'}", file=sys.stderr)
        return 2
    files = [SourceFile(name=p.name, role="license", text=p.read_text(encoding="utf-8", errors="replace"))
             for p in paths]
    t0 = time.perf_counter()
    catalog = load_catalog()
    catalog_s = time.perf_counter() - t0

    stages = {
        "identification": lambda f: match_text(f.text or "", catalog),
        "extraction": lambda f: extract_restrictions([f]),
        "both": lambda f: (match_text(f.text or "", catalog), extract_restrictions([f])),
    }
    load0 = os.getloadavg()[0]
    for f in files:  # warm-up: lazy regexes, caches
        stages["both"](f)
    res: dict = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cpu, Python {platform.python_version()}, {platform.system()} "
                   f"{platform.machine()}",
        "files": len(files),
        "chars": sum(len(f.text or "") for f in files),
        "catalog_load_s": catalog_s,
        "catalog_entries": len(catalog.entries),
        "stages": {},
    }
    for name, fn in stages.items():
        per_file: list[list[float]] = [[] for _ in files]
        passes = []
        cpu_passes = []
        for _ in range(max(1, args.passes)):
            tp = time.perf_counter()
            cp = time.process_time()
            for i, f in enumerate(files):
                t = time.perf_counter()
                fn(f)
                per_file[i].append(time.perf_counter() - t)
            cpu_passes.append(time.process_time() - cp)
            passes.append(time.perf_counter() - tp)
        med_file = [statistics.median(ts) for ts in per_file]
        res["stages"][name] = {
            "files_per_s_median_pass": len(files) / statistics.median(passes),
            "files_per_s_best_pass": len(files) / min(passes),
            "files_per_s_cpu_best_pass": len(files) / max(min(cpu_passes), 1e-9),
            "per_file_ms_median": statistics.median(med_file) * 1e3,
            "per_file_ms_p95": sorted(med_file)[int(0.95 * (len(med_file) - 1))] * 1e3,
            "pass_s": passes,
            "pass_cpu_s": cpu_passes,
        }
    res["load_average"] = [load0, os.getloadavg()[0]]
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"machine: {res['machine']}; {res['when']}; load average {load0:.2f} -> {res['load_average'][1]:.2f}")
    print(f"corpus: {len(files)} license files, {res['chars']} characters; catalog of "
          f"{res['catalog_entries']} entries loaded in {catalog_s * 1e3:.0f} ms")
    print(f"{'stage':16} {'files/s (median pass)':>22} {'(best pass)':>12} {'(best, CPU)':>12} "
          f"{'ms/file median':>15} {'p95':>7}")
    for name, s in res["stages"].items():
        print(f"{name:16} {s['files_per_s_median_pass']:22.0f} {s['files_per_s_best_pass']:12.0f} "
              f"{s['files_per_s_cpu_best_pass']:12.0f} {s['per_file_ms_median']:15.2f} {s['per_file_ms_p95']:7.2f}")
    both = res["stages"]["both"]
    verdict = "met" if both["files_per_s_cpu_best_pass"] >= 500 else "NOT met"
    print(f"identification + extraction: {both['files_per_s_cpu_best_pass']:.0f} files/s (best pass, CPU time), "
          f"{both['files_per_s_median_pass']:.0f} files/s (median pass, wall); goal (issue #8) >= 500 on the best "
          f"pass: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
