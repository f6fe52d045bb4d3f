"""`openaudit scan` against `git grep` for the same loader names, on a generated tree.

    python bench/scan_speed.py [--files 5000] [--runs 5] [--json]

Generates a git repository of ``--files`` Python files (about 3.5 KB each, 17 MB for 5,000: imports, classes,
functions, comments that name models), a few of which load a model (``from_pretrained("org/name")``,
``pipeline(model=...)``, ``hf_hub_download``), and a second tree holding only those few files. Then times,
interleaved, ``--runs`` times each, in fresh processes:

- ``git grep -l -E 'from_pretrained|pipeline\\(|hf_hub_download|snapshot_download'`` (the floor: find the files);
- ``openaudit scan --offline --format json`` on the tree (offline with an empty Hub cache, so no model is
  fetched and each reference ends as "not in the cache": the walk, the parsing, and that much auditing);
- the same scan of the second tree: start-up and the same audits without the walk;
- ``openaudit check examples/open-tiny --format json`` (start-up and one local audit: issue 18's "start-up").

Judged by (issue 18): scan <= start-up + 5 x git grep, printed as (scan - start-up) / git grep. The stricter
figure, (scan - scan of the references alone) / git grep, is the cost of the walk itself. The scan's JSON is
checked: every generated reference must be found (exit 1 otherwise). CPU time (user + system of the child)
is printed beside wall time: the host is usually shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
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


def generate(root: Path, files: int) -> dict[str, str]:
    """The tree, as a git repository (files added to the index); returns the generated loader files."""
    rng = random.Random(42)
    loaders: dict[str, str] = {}
    for i in range(files):
        d = root / f"pkg{i // 200:03d}"
        d.mkdir(parents=True, exist_ok=True)
        text = BODY.format(i=i) * 8
        if i % 500 == 7:
            text += rng.choice(LOADERS).format(k=i)
            loaders[f"{d.name}/mod_{i:05d}.py"] = text
        (d / f"mod_{i:05d}.py").write_text(text)
    git_init(root)
    return loaders


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, bytes]:
    """Wall time, CPU time (user + system) and standard output of one run."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped by wait4
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="oa-scan-bench-") as tmp:
        tree, alone = Path(tmp) / "repo", Path(tmp) / "alone"
        loaders = generate(tree, args.files)
        for rel, text in loaders.items():
            (alone / rel).parent.mkdir(parents=True, exist_ok=True)
            (alone / rel).write_text(text)
        git_init(alone)
        expected = {f"acme/model-{int(rel[-8:-3])}" for rel in loaders}
        size = sum(p.stat().st_size for p in tree.rglob("*.py"))
        env = {**os.environ, "HF_HOME": str(Path(tmp) / "hf"), "HF_HUB_OFFLINE": "1"}
        grep = ["git", "grep", "-l", "-E", r"from_pretrained|pipeline\(|hf_hub_download|snapshot_download"]
        scan = [sys.executable, "-m", "openaudit", "scan", "--offline", "--format", "json"]
        start = [sys.executable, "-m", "openaudit", "check", str(ROOT / "examples" / "open-tiny"), "--format", "json"]
        series = {"git grep": (grep, tree), "scan": (scan, tree), "scan, refs alone": (scan, alone),
                  "start-up": (start, tree)}
        wall: dict[str, list[float]] = {k: [] for k in series}
        cpu: dict[str, list[float]] = {k: [] for k in series}
        missed: set[str] = set()
        for _ in range(args.runs):
            for name, (cmd, cwd) in series.items():
                w, c, out = timed(cmd, cwd, env)
                wall[name].append(w)
                cpu[name].append(c)
                if name.startswith("scan"):
                    doc = json.loads(out)
                    found = {m["model"] for m in doc["not_audited"]} | {m["target"]["id"] for m in doc["models"]}
                    missed |= expected - found
        shutil.rmtree(Path(tmp) / "hf", ignore_errors=True)
    med = {k: statistics.median(v) for k, v in wall.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    ratio = (med["scan"] - med["start-up"]) / med["git grep"] if med["git grep"] else float("inf")
    walk = (med["scan"] - med["scan, refs alone"]) / med["git grep"] if med["git grep"] else float("inf")
    result = {"files": args.files, "bytes": size, "load_average": round(load, 2),
              "medians_s": {k: round(v, 3) for k, v in med.items()},
              "cpu_medians_s": {k: round(v, 3) for k, v in med_cpu.items()},
              "ratio_scan_minus_startup_over_grep": round(ratio, 2),
              "ratio_walk_over_grep": round(walk, 2), "goal": 5, "missed": sorted(missed)}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.files} files, {size / 1e6:.1f} MB, load average {load:.1f}; medians of {args.runs} runs "
              "(wall, CPU):")
        for k, v in med.items():
            print(f"  {k:17} {v:7.3f} s  {med_cpu[k]:7.3f} s")
        print(f"  (scan - start-up) / git grep = {ratio:.1f} (goal <= 5)")
        print(f"  (scan - scan of the references alone) / git grep = {walk:.1f} (the walk itself)")
        if missed:
            print(f"  MISSED: {', '.join(sorted(missed))}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
