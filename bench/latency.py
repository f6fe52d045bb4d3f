"""Round trips per Hub check and per batch model, against a loopback Hub that answers every request late.

    python bench/latency.py [--delay 0.1] [--models 40] [--jobs 8] [--repeat 1] [--memory] [--json]

A check is network-bound: it cannot finish before it has learnt the commit sha (one round trip) and read the
card and license files (one more, if they are fetched in parallel). This benchmark starts the fake Hub of the
tests (tests/fakehub.py, on 127.0.0.1) with a delay of ``--delay`` seconds on every answer, then times, in
fresh subprocesses as a user runs them:

- start-up: ``openaudit check examples/open-tiny --format json --offline`` (a local target: no request), median of 5;
- cold: ``check acme/tiny`` with an empty Hub cache (card + LICENSE, no upstream);
- warm: the same check again (same revision: the files come from the Hub cache);
- batch: ``check --author acme-batch --jobs N`` over ``--models`` models (card + LICENSE each), cold.

Two measures of round trips: "wall" = (wall time - start-up) / delay, what a user waits for (it includes the
import of huggingface_hub and the audit's CPU time, so it is noisy on a shared machine); "network" = the most
requests the fake Hub answered one after the other (tests/fakehub.py ``rounds``), the sequential round trips
the client needed whatever its CPU time. A batch's are divided by the number of models. Judged by (issue 18):
cold <= 3 round trips after start-up; batch <= 0.33 per model at --jobs 8 (the floor is 0.25: two files per
model over eight connections). The batch also reports its CPU time (user + sys of the process) per model after
the start-up's: a load-robust measure of what a model costs the client, which is what bounds a batch once the
requests overlap (one interpreter lock). ``--repeat N`` runs the start-up, cold, warm, lineage and batch runs N
times each (each repeat with a fresh Hub cache) and reports the medians. ``--memory`` also runs cold batches of
100 and 400 models without delay and compares their peak RSS (goal: the 400-model batch within 1.15x of the
100-model one). Absolute times are noisy on a shared machine; the ratios are what the benchmark reports.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARD = "---\nlicense: apache-2.0\n---\n# {name}\n\nA toy model card for the latency benchmark.\n"
LICENSE_STANDIN = "Apache License\nVersion 2.0, January 2004\n"
TUNED = ("---\nlicense: apache-2.0\nbase_model: acme/base\nbase_model_relation: finetune\ndatasets:\n- acme/data\n"
         "---\n# tuned\n\nA toy fine-tune for the latency benchmark.\n")


def load_fakehub():
    spec = importlib.util.spec_from_file_location("fakehub", ROOT / "tests" / "fakehub.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["fakehub"] = mod
    spec.loader.exec_module(mod)
    return mod


def license_text() -> str:
    corpus = ROOT.parent / "shared" / "corpus" / "licenses" / "apache-2.0.txt"
    return corpus.read_text(encoding="utf-8") if corpus.exists() else LICENSE_STANDIN


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, int, float]:
    """(wall seconds, exit code, peak RSS in KiB, CPU seconds: user + sys) of one openaudit run."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "openaudit", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        print(f"  exit {proc.returncode}: {err.strip()[-300:]}", file=sys.stderr)
    return wall, proc.returncode, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--delay", type=float, default=0.1, help="seconds added to every Hub answer")
    ap.add_argument("--models", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=1, help="run every measure N times, interleaved; report medians")
    ap.add_argument("--memory", action="store_true", help="also compare peak RSS of 100- and 400-model batches")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    fakehub = load_fakehub()
    rounds = fakehub.rounds
    hub = fakehub.FakeHub().start()
    lic = license_text()
    out: dict[str, object] = {"delay_s": args.delay, "models": args.models, "jobs": args.jobs}
    try:
        hub.add_repo("acme/tiny", {"README.md": CARD.format(name="tiny"), "LICENSE": lic})
        for i in range(max(args.models, 400 if args.memory else 0)):
            org = "acme-batch" if i < args.models else "acme-big"
            hub.add_repo(f"{org}/m{i:04d}", {"README.md": CARD.format(name=f"m{i}"), "LICENSE": lic})
        with tempfile.TemporaryDirectory(prefix="oa-latency-") as tmp:
            # As a user runs it: huggingface_hub's telemetry setting left to openaudit (the tests' environment turns
            # it off; left on, huggingface_hub would ask the Hub for its AI-agent registry first).
            env = fakehub.hub_env(hub.url, Path(tmp) / "hf", OPENAUDIT_TIMEOUT="30", HF_HUB_DISABLE_TELEMETRY=None)
            local = str(ROOT / "examples" / "open-tiny")
            hub.add_repo("acme/base", {"README.md": CARD.format(name="base"), "LICENSE": lic})
            hub.add_repo("acme/tuned", {"README.md": TUNED, "LICENSE": lic})
            hub.add_dataset("acme/data", card_data={"license": "cc-by-4.0"})
            runs: dict[str, list[tuple[float, float, int, int]]] = {}  # label -> (wall, cpu, requests, rounds)

            def timed(label: str, argv: list[str], env_k: dict[str, str]) -> None:
                hub.clear()
                wall, _, _, cpu = run(argv, env_k)
                reqs = hub.requests_to()
                runs.setdefault(label, []).append((wall, cpu, len(reqs), rounds(reqs)))

            for k in range(args.repeat):  # interleaved: every measure once per repeat, each with a fresh Hub cache
                env_k = {**env, "HF_HOME": str(Path(tmp) / f"hf-{k}")}
                hub.faults.clear()
                for _ in range(5 if args.repeat == 1 else 3):
                    timed("startup", ["check", local, "--format", "json", "--offline"], env_k)
                hub.add_fault("", delay=args.delay)
                timed("cold", ["check", "acme/tiny", "--format", "json"], env_k)
                timed("warm", ["check", "acme/tiny", "--format", "json"], env_k)
                timed("lineage", ["check", "acme/tuned", "--format", "json"], env_k)
                timed("batch", ["check", "--author", "acme-batch", "--jobs", str(args.jobs), "--format", "jsonl"],
                      env_k)

            def med(label: str, i: int) -> float:
                return statistics.median(r[i] for r in runs[label])

            def entry(label: str) -> dict[str, object]:
                wall = med(label, 0)
                return {"wall_s": round(wall, 3), "cpu_s": round(med(label, 1), 3), "requests": round(med(label, 2)),
                        "network_rounds": med(label, 3), "round_trips": round((wall - startup) / args.delay, 2)}

            startup, startup_cpu = med("startup", 0), med("startup", 1)
            batch = entry("batch")
            out.update({
                "repeat": args.repeat,
                "startup_s": round(startup, 3),
                "startup_cpu_s": round(startup_cpu, 3),
                "cold": {**entry("cold"), "goal": 3},
                "warm": entry("warm"),
                "lineage": entry("lineage"),
                "batch": {**batch,
                          "round_trips_per_model": round((med("batch", 0) - startup) / args.delay / args.models, 3),
                          "network_rounds_per_model": round(med("batch", 3) / args.models, 3),
                          "cpu_ms_per_model": round((med("batch", 1) - startup_cpu) * 1000 / args.models, 1),
                          "floor": 2 / args.jobs, "goal": 0.33},
            })
            if args.memory:
                hub.faults.clear()
                rss = {}
                for n, org in ((100, "acme-big"), (400, "acme-big")):
                    env_n = {**env, "HF_HOME": str(Path(tmp) / f"hf-{n}")}
                    rss[n] = run(["check", "--author", org, "--limit", str(n), "--jobs", str(args.jobs),
                                  "--format", "jsonl"], env_n)[2]
                out["memory"] = {"peak_rss_kib_100": rss[100], "peak_rss_kib_400": rss[400],
                                 "ratio": round(rss[400] / rss[100], 3), "goal": 1.15}
    finally:
        hub.stop()
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"delay {args.delay * 1000:.0f} ms per request; start-up (local check) {out['startup_s']:.3f} s "
          f"(CPU {out['startup_cpu_s']:.3f} s)" + (f"; medians of {args.repeat} runs" if args.repeat > 1 else ""))
    c, w, ln, b = out["cold"], out["warm"], out["lineage"], out["batch"]
    print("  (round trips: wall = (time - start-up) / delay; network = requests answered one after the other)")
    for label, x, goal in (("cold check", c, " (goal <= 3)"), ("warm check", w, ""),
                           ("1-hop lineage", ln, " (base model + dataset card)")):
        print(f"  {label:13s} {x['wall_s']:6.2f} s  CPU {x['cpu_s']:.2f} s  {x['requests']:3d} requests  "
              f"wall {x['round_trips']:5.2f}  network {x['network_rounds']} round trips{goal}")
    print(f"  batch of {args.models} at -j {args.jobs}: {b['wall_s']:6.2f} s  {b['requests']} requests  "
          f"wall {b['round_trips_per_model']:.3f}  network {b['network_rounds_per_model']:.3f} round trips per model "
          f"(floor {b['floor']:.2f}, goal <= 0.33)")
    print(f"    CPU {b['cpu_s']:.2f} s: {b['cpu_ms_per_model']:.1f} ms per model after start-up's "
          f"(network needs {args.delay * 1000 * 2 / args.jobs:.0f} ms per model at -j {args.jobs})")
    if "memory" in out:
        m = out["memory"]
        print(f"  peak RSS: 100 models {m['peak_rss_kib_100'] / 1024:.0f} MiB, 400 models "
              f"{m['peak_rss_kib_400'] / 1024:.0f} MiB: ratio {m['ratio']:.2f} (goal <= 1.15)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
