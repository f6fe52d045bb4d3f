"""Start-up cost of `openaudit check <local dir> --format json`, side by side with an empty typer app.

    python bench/startup.py [--runs 7] [--target examples/community-capped] [--json]

The floor any typer CLI pays is importing typer and dispatching one command (typer pulls in pydantic when
it dispatches), so the baseline is an empty typer app with a root callback and one ``check`` command,
written to a temp file and run by the same interpreter. Both are run ``--runs`` times, interleaved
(empty, openaudit, empty, openaudit...) so that load on the machine hits both alike; the medians and their
ratio are printed. Goal (issue 18): ratio <= 1.5. A third series, ``--format table`` piped (the default
format; plain text when stdout is not a terminal), is interleaved too unless ``--no-table``. CPU time
(user + system) is printed beside wall time: on a shared machine it moves less with the load.

Both run in a fresh process with the same environment, as an installed tool runs:

- bytecode caching on, into a temp ``PYTHONPYCACHEPREFIX`` (so ``PYTHONDONTWRITEBYTECODE`` in the calling
  environment does not make openaudit recompile its sources every run while typer's are precompiled);
- one warm-up run of each (bytecode compiled), not counted;
- ``HF_HUB_OFFLINE=1``: a local target never touches the network anyway.

``--instructions`` also counts the instructions of one run of each under valgrind (``--tool=callgrind``; ~15 s
each): deterministic, so a change shows on a loaded shared host where times move by 10-20%.

Measure an installed wheel (``pip install .``): it carries ``openaudit/_bundle.json``, the bundled YAML
parsed at build time. An editable install has no bundle and parses the YAML on every run (~50 ms more);
the output says which one was measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

EMPTY_APP = '''\
import typer

app = typer.Typer(add_completion=False)


@app.callback()
def _root() -> None:
    """An empty typer app."""


@app.command()
def check(targets: list[str], fmt: str = typer.Option("table", "--format", "-f")) -> None:
    print("[]")


if __name__ == "__main__":
    app()
'''


def has_bundle(env: dict[str, str]) -> bool:
    """Whether the openaudit this interpreter imports (with ``env``) carries the build-time data bundle."""
    code = "import pathlib, openaudit; print((pathlib.Path(openaudit.__file__).parent / '_bundle.json').is_file())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


def openaudit_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("openaudit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "openaudit"]


CPU: list[float] = []  # CPU time (user + system) of every run, in the order run


def run(cmd: list[str], env: dict[str, str]) -> float:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    if proc.returncode not in (0, 1):  # 1 = gate failed, still a full audit
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}")
    return dt


def instructions(cmd: list[str], env: dict[str, str]) -> int | None:
    """Instructions one run executes, counted by valgrind's callgrind (None when valgrind is missing)."""
    if shutil.which("valgrind") is None:
        return None
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                          env={**env, "PYTHONHASHSEED": "0"}, cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    m = re.search(r"Collected : (\d+)", proc.stderr)
    return int(m.group(1)) if m else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--target", default="examples/community-capped")  # the README's first example
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-table", action="store_true", help="skip the --format table runs")
    ap.add_argument("--instructions", action="store_true",
                    help="also count the instructions of one run of each under valgrind (deterministic)")
    ap.add_argument("--src", type=Path, help="run openaudit from this source tree instead (python -m openaudit "
                    "with PYTHONPATH=SRC), e.g. an unpacked older commit, for before/after figures")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="oa-startup-") as tmp:
        app = Path(tmp) / "empty_typer_app.py"
        app.write_text(EMPTY_APP, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"), HF_HUB_OFFLINE="1", NO_COLOR="1")
        empty = [sys.executable, str(app), "check", args.target, "--format", "json"]
        oa = [*openaudit_cmd(), "check", args.target, "--format", "json"]
        if args.src:
            oa = [sys.executable, "-m", "openaudit", "check", args.target, "--format", "json"]
            env["PYTHONPATH"] = str(args.src.resolve())
        oa_table = [*oa[:-1], "table"]  # the default format, piped (plain text; a terminal gets rich)

        bundle = has_bundle(env)
        # Warm-up: compile bytecode of both.
        run(empty, env)
        run(oa, env)
        load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        t_empty, t_oa, c_empty, c_oa, t_table = [], [], [], [], []
        run(oa_table, env)
        for _ in range(args.runs):
            t_empty.append(run(empty, env))
            c_empty.append(CPU[-1])
            t_oa.append(run(oa, env))
            c_oa.append(CPU[-1])
            if not args.no_table:
                t_table.append(run(oa_table, env))
        load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        ins = (instructions(empty, env), instructions(oa, env)) if args.instructions else (None, None)

    m_empty, m_oa = statistics.median(t_empty), statistics.median(t_oa)
    res = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cpu, Python {platform.python_version()}, {platform.system()} "
                   f"{platform.machine()}",
        "load_average": [load0, load1],
        "runs": args.runs,
        "target": args.target,
        "src": str(args.src) if args.src else None,
        "empty_typer_s": t_empty,
        "openaudit_s": t_oa,
        "empty_typer_median_s": m_empty,
        "openaudit_median_s": m_oa,
        "ratio": m_oa / m_empty,
        "paired_ratio_median": statistics.median(o / e for o, e in zip(t_oa, t_empty, strict=True)),
        "cpu_empty_typer_median_s": statistics.median(c_empty),
        "cpu_openaudit_median_s": statistics.median(c_oa),
        "cpu_ratio": statistics.median(c_oa) / statistics.median(c_empty),
        "openaudit_table_s": t_table,
        "table_ratio": statistics.median(t_table) / m_empty if t_table else None,
        "data_bundle": bundle,
        "instructions_empty_typer": ins[0],
        "instructions_openaudit": ins[1],
        "instructions_ratio": ins[1] / ins[0] if ins[0] and ins[1] else None,
        "goal_ratio": 1.5,
    }
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"machine: {res['machine']}; {res['when']}; load average {load0:.2f} -> {load1:.2f}")
    print("openaudit: " + ("installed wheel with the build-time data bundle" if bundle else
                           "no data bundle (editable install or --src): the YAML is parsed on every run"))
    print(f"{args.runs} paired runs, `check {args.target} --format json`, medians:")
    def ms(ts: list[float]) -> str:
        return " ".join(f"{t * 1e3:.0f}" for t in ts)

    print(f"  empty typer app (1 command)   {m_empty * 1e3:7.0f} ms   runs: {ms(t_empty)}")
    print(f"  openaudit check               {m_oa * 1e3:7.0f} ms   runs: {ms(t_oa)}")
    print(f"  ratio openaudit / empty app   {res['ratio']:7.2f}      (median of paired ratios "
          f"{res['paired_ratio_median']:.2f}; goal <= 1.5)")
    if t_table:
        print(f"  openaudit check --format table {statistics.median(t_table) * 1e3:6.0f} ms   runs: {ms(t_table)} "
              f"(ratio {res['table_ratio']:.2f}; piped: plain text)")
    print(f"  CPU time (user+sys), medians  {res['cpu_empty_typer_median_s'] * 1e3:.0f} ms vs "
          f"{res['cpu_openaudit_median_s'] * 1e3:.0f} ms: ratio {res['cpu_ratio']:.2f}")
    if args.instructions:
        if ins[0] and ins[1]:
            print(f"  instructions (valgrind)       {ins[0] / 1e6:.0f} M vs {ins[1] / 1e6:.0f} M: ratio "
                  f"{ins[1] / ins[0]:.2f}")
        else:
            print("  instructions: valgrind not found or it failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
