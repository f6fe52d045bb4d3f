"""Network cost of a Hub check: requests per cold, warm and offline `openaudit check`, against the fake Hub.

    python bench/requests.py [--json]

Starts tests/fakehub.py (an in-process fake of the Hub HTTP API on 127.0.0.1, imported by path) with one
model ``acme/tiny`` (a card, a LICENSE, a config and weights), then runs ``openaudit check acme/tiny
--format json`` in a subprocess three times with a fresh ``HF_HOME``:

1. cold: empty Hub cache; goal (issue 18, README): 1 + files requests (model_info + one GET per file, all at once);
2. warm: the same revision again; goal: 1 request (model_info; the files come from the Hub cache);
3. offline: ``--offline``; goal: 0 requests.

Also reported: the same three for a model whose card lists a dataset (``datasets: [acme/data]``), since a
dataset card is read too (one more request when online), and the wall time of each run. Every request the
fake Hub saw is listed with ``--verbose``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CARD = """---
license: apache-2.0
tags: [text-generation]
---
# tiny

A toy model card for the request benchmark.
"""
CARD_WITH_DATASET = """---
license: apache-2.0
datasets: [acme/data]
---
# tiny-data

A toy model card for the request benchmark, trained on one dataset.
"""
LICENSE = """                                 Apache License
                           Version 2.0, January 2004

A stand-in for the benchmark: it keeps the title lines by which the license is recognised.
"""
GOALS = {"cold": 3, "warm": 1, "offline": 0}  # cold: model_info + card + LICENSE


def load_fakehub():
    spec = importlib.util.spec_from_file_location("fakehub", ROOT / "tests" / "fakehub.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["fakehub"] = mod
    spec.loader.exec_module(mod)
    return mod


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    fakehub = load_fakehub()
    hub = fakehub.FakeHub().start()
    rows = []
    try:
        hub.add_repo("acme/tiny", {"README.md": CARD, "LICENSE": LICENSE, "config.json": "{}",
                                   "model.safetensors": b"\0" * 64})
        hub.add_repo("acme/tiny-data", {"README.md": CARD_WITH_DATASET, "LICENSE": LICENSE})
        if hasattr(hub, "add_dataset"):
            hub.add_dataset("acme/data", card_data={"license": "cc-by-4.0"})
        for model in ("acme/tiny", "acme/tiny-data"):
            with tempfile.TemporaryDirectory(prefix="oa-requests-") as tmp:
                env = fakehub.hub_env(hub.url, Path(tmp) / "hf", OPENAUDIT_TIMEOUT="10")
                for phase, extra in (("cold", []), ("warm", []), ("offline", ["--offline"])):
                    hub.clear()
                    t0 = time.perf_counter()
                    proc = subprocess.run([sys.executable, "-m", "openaudit", "check", model, "--format", "json",
                                           *extra], env=env, capture_output=True, text=True, timeout=120)
                    wall = time.perf_counter() - t0
                    reqs = hub.requests_to()
                    license_id = None
                    try:
                        license_id = json.loads(proc.stdout)["license"]["id"]
                    except Exception:
                        pass
                    rows.append({"model": model, "phase": phase, "requests": len(reqs), "goal": GOALS[phase],
                                 "exit": proc.returncode, "license": license_id, "wall_s": round(wall, 3),
                                 "seen": [f"{r.method} {r.route} {r.status}" for r in reqs],
                                 "stderr": proc.stderr.strip()[-300:]})
    finally:
        hub.stop()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'model':16} {'phase':8} {'requests':>8} {'goal':>6} {'exit':>4} {'license':12} {'wall':>7}")
        for r in rows:
            goal = f"<={r['goal']}" if r["phase"] == "cold" else str(r["goal"])
            print(f"{r['model']:16} {r['phase']:8} {r['requests']:>8} {goal:>6} {r['exit']:>4} "
                  f"{r['license']!s:12} {r['wall_s']:>6.2f}s")
            if args.verbose:
                for s in r["seen"]:
                    print(f"    {s}")
            if r["exit"] not in (0, 1):
                print(f"    stderr: {r['stderr']}")
    plain = [r for r in rows if r["model"] == "acme/tiny"]
    return 0 if all(r["requests"] <= r["goal"] for r in plain) else 1


if __name__ == "__main__":
    sys.exit(main())
