"""`openaudit scan` against `git grep` for the same loader names, on a generated tree.

    python bench/scan_speed.py [--files 5000] [--runs 3] [--json]

Generates a git repository of ``--files`` Python files (about 5.6 KB each, 28 MB for 5,000: imports, classes,
functions, comments), a few of which load a model (``from_pretrained("org/name")``, ``pipeline(model=...)``,
``hf_hub_download``), and times, interleaved, ``--runs`` times each:

- ``git grep -l -E 'from_pretrained|pipeline\\(|hf_hub_download|snapshot_download'`` (the floor: find the files);
- ``openaudit scan --offline --format json`` (finds the references; offline, so no model is fetched and each
  reference ends as "not in the cache": the cost measured is the walk and the parsing);
- ``openaudit check examples/open-tiny --format json`` (start-up and one local audit).

Judged by (issue 18): scan <= start-up + 5 x git grep. Medians are printed with the ratio
(scan - start-up) / git grep.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BODY = '''"""Module {i} of a generated code base."""
import os
import sys
from dataclasses import dataclass


@dataclass
class Record{i}:
    name: str
    value: int = {i}

    def describe(self) -> str:
        return f"{{self.name}}={{self.value}}"


def compute_{i}(items: list[int]) -> int:
    # a comment that mentions models and tokenizers without loading any
    total = 0
    for n in items:
        total += n * {i}
    return total
'''
LOADERS = [
    'from transformers import AutoModel\nmodel = AutoModel.from_pretrained("acme/model-{k}")\n',
    'from transformers import pipeline\npipe = pipeline("text-generation", model="acme/model-{k}")\n',
    'from huggingface_hub import hf_hub_download\npath = hf_hub_download("acme/model-{k}", "config.json")\n',
]


def generate(root: Path, files: int) -> None:
    rng = random.Random(42)
    for i in range(files):
        d = root / f"pkg{i // 200:03d}"
        d.mkdir(parents=True, exist_ok=True)
        text = BODY.format(i=i) * 8
        if i % 500 == 7:
            text += rng.choice(LOADERS).format(k=i)
        (d / f"mod_{i:05d}.py").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)


def timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=900)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="oa-scan-bench-") as tmp:
        tree = Path(tmp) / "repo"
        generate(tree, args.files)
        size = sum(p.stat().st_size for p in tree.rglob("*.py"))
        grep = ["git", "grep", "-l", "-E", r"from_pretrained|pipeline\(|hf_hub_download|snapshot_download"]
        scan = [sys.executable, "-m", "openaudit", "scan", "--offline", "--format", "json"]
        start = [sys.executable, "-m", "openaudit", "check", str(ROOT / "examples" / "open-tiny"), "--format", "json"]
        times: dict[str, list[float]] = {"git grep": [], "scan": [], "start-up": []}
        for _ in range(args.runs):
            times["git grep"].append(timed(grep, tree))
            times["scan"].append(timed(scan, tree))
            times["start-up"].append(timed(start, tree))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = (med["scan"] - med["start-up"]) / med["git grep"] if med["git grep"] else float("inf")
    result = {"files": args.files, "bytes": size, "medians_s": {k: round(v, 3) for k, v in med.items()},
              "ratio_scan_minus_startup_over_grep": round(ratio, 2), "goal": 5}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.files} files, {size / 1e6:.1f} MB; medians of {args.runs} runs:")
        for k, v in med.items():
            print(f"  {k:9} {v:7.3f} s")
        print(f"  (scan - start-up) / git grep = {ratio:.1f} (goal <= 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
