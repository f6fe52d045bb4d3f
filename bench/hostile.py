"""Time and memory of `openaudit check` on the hostile cards of tests/test_hostile.py.

    python bench/hostile.py [--json]

Builds the same six hostile model directories as the test (malformed YAML, ANSI/markup injection, a binary
README, a YAML alias bomb, python tags, a 60 MB card; a real MIT text from ../shared/corpus beside two of
them) in a temp directory, runs the CLI on each (``--format json`` and the piped table) the way the test
does (a wrapper reads the child's own peak RSS, VmHWM, at exit) and prints wall time, CPU time and peak RSS
per case beside the bounds the test enforces (10 s of CPU, 300 MB). The test asserts the bounds; this script
only shows the margins.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

import test_hostile as H  # noqa: E402  (tests/ on sys.path: the test's own fixture builders)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="oa-hostile-") as tmp:
        cards = H.write_cards(Path(tmp))
        for name, path in cards.items():
            formats = [["--format", "json"]] + ([] if name == "huge_card" else [[]])
            for fmt in formats:
                run = H.run_measured("check", str(path), *fmt)
                rows.append({"case": name, "format": fmt[1] if fmt else "table", "exit": run.returncode,
                             "wall_s": round(run.elapsed, 3), "cpu_s": round(run.cpu, 3),
                             "rss_mb": round(run.rss_mb, 1)})
    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"load_average": load, "cpu_limit_s": H.TIME_LIMIT, "rss_limit_mb": H.RSS_LIMIT_MB,
                          "runs": rows}, indent=2))
        return 0
    print(f"bounds: {H.TIME_LIMIT:.0f} s CPU, {H.RSS_LIMIT_MB} MB peak RSS; load average {load}")
    for r in rows:
        print(f"{r['case']:16s} {r['format']:6s} exit {r['exit']}  wall {r['wall_s']:5.2f} s  "
              f"cpu {r['cpu_s']:5.2f} s  max RSS {r['rss_mb']:6.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
