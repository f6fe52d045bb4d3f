"""Run an evaluation set (an ``expected.yaml`` and the files it names) through ``openaudit check`` and judge it.

The default set is ``../shared/corpus/evaluation-2026-11`` beside the repo; ``--set DIR`` runs any directory
with the same ``expected.yaml`` format (e.g. a held-out set). Every case runs the CLI in a subprocess, the way
a user runs it:

* ``licenses``: each text is served as a Hub repo by the fake Hub (``tests/fakehub.py``) with a minimal card
  (``license: other``, nothing else) and the text as ``LICENSE``, and again as a local directory holding the
  same two files. Repo and directory names are neutral (``evaluation/license-NN``), so only the text speaks.
* ``cards``: the card is served as ``README.md`` of a Hub repo named by the case's ``id``, with
  ``license_file`` as ``LICENSE`` (``shared:PATH`` is relative to the corpus root, the set's parent by
  default; any other path to the set), ``gated`` (false, auto or manual; no token is sent unless ``--token``)
  and ``base_chain`` (``[[repo, license], ...]``: each repo's card declares that license and, as
  ``base_model``, the next repo of the chain).
* ``hostile``: the card is the ``README.md`` of a local directory (``generated:huge`` is a 60 MB card). The run
  must exit 0, 1 or 2 without a traceback within 10 s of CPU (and of wall time, scaled by the load) and
  300 MB of peak RSS; ``no_escape``: no control sequence in the JSON or the plain-text output; ``no_file``:
  that path must not appear.

How a case is judged (the set's README): ``license`` is a case-insensitive regex searched in
"id name spdx" of the JSON report; ``osi_approved`` by identity (``null`` is not ``false``); every
``thresholds`` entry ``(value, unit)`` present among the restrictions' thresholds; every ``kinds`` entry
present and every ``not_kinds`` entry absent; every ``territories`` code in a ``territory`` restriction; the
OSAID verdict (``not:X`` = anything but X); ``finding`` a regex searched in "RULE message" of the findings.

It prints one PASS/FAIL line per case with the reasons, then totals; ``--json`` prints the same as JSON. The
exit status is always 0: this is a measure, not a gate (tests/test_evaluation.py holds the bar).

Importable: ``run_set(set_dir)`` returns the ``CaseResult`` list, ``judge(expect, report)`` the reasons a
report misses its expectation.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT.parent / "shared" / "corpus" / "evaluation-2026-11"
sys.path.insert(0, str(ROOT / "tests"))  # the fake Hub lives with the tests

from fakehub import FakeHub, hub_env  # noqa: E402

MINIMAL_CARD = "---\nlicense: other\n---\n"
TIME_LIMIT = 10.0  # seconds (hostile cases)
RSS_LIMIT_MB = 300
CASE_TIMEOUT = 120.0  # any run is killed after this long (a hang is a failure, not a stuck measure)
HUGE_MB = 60
TOKEN = "hf_evaluationtoken0123456789"
# Control characters a hostile card injects; none may reach the output (ESC, BEL, CSI, bidi overrides).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x9b\u202a-\u202e\u2066-\u2069]")

# Runs the CLI and writes the process's own peak RSS (VmHWM) at exit: wait4's ru_maxrss would also count the
# pages of the forking parent (see tests/test_hostile.py).
_HWM_WRAPPER = """
import atexit, sys
def _peak(path=sys.argv[1]):
    try:
        with open('/proc/self/status') as fh:
            kb = next((line.split()[1] for line in fh if line.startswith('VmHWM:')), '')
        with open(path, 'w') as fh:
            fh.write(kb)
    except OSError:
        pass
atexit.register(_peak)
sys.argv = ['openaudit'] + sys.argv[2:]
from openaudit.__main__ import run
run()
"""


@dataclass
class Run:
    exit_code: int | None
    stdout: str
    stderr: str
    wall: float
    cpu: float
    rss_mb: float | None


@dataclass
class CaseResult:
    section: str  # licenses | cards | hostile
    name: str  # the file or repo id the case is known by
    mode: str  # hub | local
    passed: bool
    reasons: list[str] = field(default_factory=list)
    wrong_name: bool = False  # a license was named and does not match the expected regex
    license: str | None = None  # "id name spdx" of the report
    exit_code: int | None = None
    wall: float = 0.0
    cpu: float = 0.0
    rss_mb: float | None = None

    def line(self) -> str:
        head = f"{'PASS' if self.passed else 'FAIL'} {self.section} {self.name} [{self.mode}]"
        return head + (" " + "; ".join(self.reasons) if self.reasons else "")


# -- judging --------------------------------------------------------------------------------------------------
def license_text(report: dict[str, Any]) -> str:
    lic = report.get("license") or {}
    return " ".join(str(lic.get(k) or "") for k in ("id", "name", "spdx")).lower()


def judge(expect: dict[str, Any] | None, report: dict[str, Any]) -> tuple[list[str], bool]:
    """The reasons ``report`` (the JSON report as a dict) misses ``expect``, and whether a license was named
    wrongly (the regex does not match and the report does not say ``unknown``)."""
    expect = expect or {}
    reasons: list[str] = []
    wrong = False
    lic = report.get("license") or {}
    if "license" in expect:
        text = license_text(report)
        if not re.search(str(expect["license"]), text, re.I):
            reasons.append(f"license {text!r} !~ {expect['license']}")
            wrong = (lic.get("id") or "unknown") != "unknown"
    if "osi_approved" in expect and lic.get("osi_approved") is not expect["osi_approved"]:
        reasons.append(f"osi_approved {lic.get('osi_approved')} != {expect['osi_approved']}")
    restrictions = [r for r in report.get("restrictions") or [] if isinstance(r, dict)]
    found = [(float(t.get("value")), t.get("unit")) for r in restrictions for t in r.get("thresholds") or []
             if isinstance(t, dict) and isinstance(t.get("value"), (int, float))]
    for want in expect.get("thresholds") or []:
        pair = (float(want["value"]), want["unit"])
        if pair not in found:
            reasons.append(f"threshold {want['value']:.0f} {want['unit']} not in "
                           f"{[(int(v) if v.is_integer() else v, u) for v, u in found]}")
    kinds = sorted({str(r.get("kind")) for r in restrictions})
    for kind in expect.get("kinds") or []:
        if kind not in kinds:
            reasons.append(f"kind {kind} not in {kinds}")
    for kind in expect.get("not_kinds") or []:
        if kind in kinds:
            reasons.append(f"kind {kind} present")
    places = {str(t) for r in restrictions if r.get("kind") == "territory" for t in r.get("territories") or []}
    for code in expect.get("territories") or []:
        if code not in places:
            reasons.append(f"territory {code} not in {sorted(places)}")
    if "osaid" in expect:
        verdict = (report.get("osaid") or {}).get("verdict")
        want = str(expect["osaid"])
        if want.startswith("not:"):
            if verdict == want[4:]:
                reasons.append(f"osaid {verdict} is {want[4:]}")
        elif verdict != want:
            reasons.append(f"osaid {verdict} != {want}")
    if "finding" in expect:
        texts = [f"{f.get('rule')} {f.get('message')}".lower() for f in report.get("findings") or []
                 if isinstance(f, dict)]
        if not any(re.search(str(expect["finding"]), t, re.I) for t in texts):
            reasons.append(f"no finding ~ {expect['finding']} in {sorted({t.split()[0] for t in texts if t})}")
    return reasons, wrong


# -- running --------------------------------------------------------------------------------------------------
def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = CASE_TIMEOUT) -> Run:
    """``openaudit ARGS`` in a subprocess: exit code, output, wall and CPU time, peak RSS of the CLI process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".hwm") as hwm:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _HWM_WRAPPER, hwm.name, *args], stdout=out, stderr=err,
                                env=env, cwd=cwd)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.monotonic() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        peak = hwm.read().strip()
    rss = int(peak) / 1024 if peak.isdigit() else None
    return Run(code, stdout, stderr, wall, usage.ru_utime + usage.ru_stime, rss)


def _contention() -> float:
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:
        return 1.0


def _report_of(run: Run) -> tuple[dict[str, Any] | None, list[str]]:
    """The JSON report of a check run, or the reasons there is none."""
    if run.exit_code not in (0, 1):
        tail = (run.stderr.strip().splitlines() or ["(no output)"])[-1][:300]
        return None, [f"exit {run.exit_code}: {tail}"]
    try:
        report = json.loads(run.stdout)
    except ValueError as exc:
        return None, [f"output is not JSON: {exc}"]
    return (report, []) if isinstance(report, dict) else (None, ["output is not a JSON object"])


def _result(section: str, name: str, mode: str, expect: dict[str, Any] | None, run: Run) -> CaseResult:
    report, reasons = _report_of(run)
    wrong = False
    lic = None
    if report is not None:
        reasons, wrong = judge(expect, report)
        lic = license_text(report)
        if "Traceback" in run.stderr:
            reasons.append("traceback on stderr")
    return CaseResult(section, name, mode, not reasons, reasons, wrong, lic, run.exit_code, round(run.wall, 3),
                      round(run.cpu, 3), run.rss_mb)


class _Set:
    """An evaluation set on disk: ``expected.yaml`` and the files it names."""

    def __init__(self, set_dir: Path, corpus: Path | None = None) -> None:
        self.dir = set_dir
        self.corpus = corpus or set_dir.parent
        data = yaml.safe_load((set_dir / "expected.yaml").read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{set_dir / 'expected.yaml'}: not a mapping")
        self.data = data

    def cases(self, section: str) -> list[dict[str, Any]]:
        items = self.data.get(section) or []
        return [c for c in items if isinstance(c, dict)] if isinstance(items, list) else []

    def path(self, ref: str) -> Path:
        """A file named by the set: ``shared:PATH`` under the corpus root, anything else under the set."""
        base, rel = (self.corpus, ref[len("shared:"):]) if ref.startswith("shared:") else (self.dir, ref)
        path = (base / rel).resolve()
        if not path.is_relative_to(base.resolve()):
            raise ValueError(f"{ref!r} leaves the set")
        return path

    def read(self, ref: str) -> bytes:
        return self.path(ref).read_bytes()


def _base_chain_repos(chain: Iterable[Any]) -> list[tuple[str, dict[str, bytes]]]:
    links = [(str(x[0]), str(x[1])) for x in chain if isinstance(x, (list, tuple)) and len(x) == 2]
    repos = []
    for i, (repo, lic) in enumerate(links):
        card = {"license": lic}
        if i + 1 < len(links):
            card["base_model"] = links[i + 1][0]
        repos.append((repo, {"README.md": "---\n" + yaml.safe_dump(card, sort_keys=False) + "---\n"}))
    return repos


def _write_huge(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(b"---\nlicense: apache-2.0\n---\n# Huge\n\n")
        chunk = b"A very long model card line that repeats and says nothing about licenses at all.\n" * 1024
        while fh.tell() < HUGE_MB * 1024 * 1024:
            fh.write(chunk)


def _error_case(section: str, name: str, mode: str, exc: BaseException) -> CaseResult:
    return CaseResult(section, name, mode, False, [f"case not run: {type(exc).__name__}: {exc}"])


def run_set(set_dir: Path | str = DEFAULT_SET, *, corpus: Path | str | None = None, jobs: int = 2,
            sections: Iterable[str] = ("licenses", "cards", "hostile"), modes: Iterable[str] = ("hub", "local"),
            token: bool = False, progress: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:
    """Run every case of the set (in the order of ``expected.yaml``) and judge it."""
    s = _Set(Path(set_dir), Path(corpus) if corpus else None)
    sections, modes = tuple(sections), tuple(modes)
    hub = FakeHub().start()
    work = Path(tempfile.mkdtemp(prefix="openaudit-eval-"))
    jobs_list: list[Callable[[], CaseResult]] = []
    try:
        cwd = work / "cwd"  # an empty working directory: no Hub id resolves to a local path, no policy file
        cwd.mkdir()
        env = hub_env(hub.url, work / "hf-home", **({"HF_TOKEN": TOKEN} if token else {}))
        local_env = hub_env(hub.url, work / "hf-home-local", HF_HUB_OFFLINE="1")

        def job(section: str, name: str, mode: str, expect: Any, args: list[str], run_env: dict[str, str]):
            def go() -> CaseResult:
                return _result(section, name, mode, expect if isinstance(expect, dict) else {},
                               run_cli(args, run_env, cwd))
            return go

        if "licenses" in sections:
            for i, case in enumerate(s.cases("licenses"), 1):
                name = str(case.get("file"))
                try:
                    files = {"README.md": MINIMAL_CARD.encode(), "LICENSE": s.read(name)}
                except (OSError, ValueError) as exc:
                    jobs_list.extend((lambda e=exc, m=m, n=name: _error_case("licenses", n, m, e)) for m in modes)
                    continue
                if "hub" in modes:
                    repo = f"evaluation/license-{i:02d}"
                    hub.add_repo(repo, files)
                    jobs_list.append(job("licenses", name, "hub", case.get("expect"),
                                         ["check", repo, "--format", "json"], env))
                if "local" in modes:
                    d = work / "local" / f"license-{i:02d}"
                    d.mkdir(parents=True)
                    for fname, data in files.items():
                        (d / fname).write_bytes(data)
                    jobs_list.append(job("licenses", name, "local", case.get("expect"),
                                         ["check", str(d), "--format", "json"], local_env))
        if "cards" in sections:
            for case in s.cases("cards"):
                name = str(case.get("id"))
                try:
                    card = s.read(str(case["card"])) if case.get("card") != "minimal" else MINIMAL_CARD.encode()
                    files = {"README.md": card}
                    if case.get("license_file"):
                        files["LICENSE"] = s.read(str(case["license_file"]))
                    gated = case.get("gated") or False
                    if gated not in (False, "auto", "manual"):
                        raise ValueError(f"gated: {gated!r}")
                    for repo, repo_files in _base_chain_repos(case.get("base_chain") or []):
                        hub.add_repo(repo, repo_files)
                    hub.add_repo(name, files, gated=gated)
                except (OSError, ValueError, KeyError) as exc:
                    jobs_list.append(lambda e=exc, n=name: _error_case("cards", n, "hub", e))
                    continue
                jobs_list.append(job("cards", name, "hub", case.get("expect"), ["check", name, "--format", "json"],
                                     env))
        if "hostile" in sections:
            for i, case in enumerate(s.cases("hostile"), 1):
                jobs_list.append(_hostile_job(s, i, case, work, cwd, local_env))
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            futures = [pool.submit(j) for j in jobs_list]
            results = []
            for fut in futures:
                res = fut.result()
                if progress:
                    progress(res)
                results.append(res)
        return results
    finally:
        hub.stop()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


def _hostile_job(s: _Set, i: int, case: dict[str, Any], work: Path, cwd: Path,
                 env: dict[str, str]) -> Callable[[], CaseResult]:
    ref = str(case.get("card"))
    expect = case.get("expect") if isinstance(case.get("expect"), dict) else {}

    def go() -> CaseResult:
        d = work / "hostile" / f"case-{i:02d}"
        try:
            d.mkdir(parents=True)
            if ref == "generated:huge":
                _write_huge(d / "README.md")
            else:
                (d / "README.md").write_bytes(s.read(ref))
        except (OSError, ValueError) as exc:
            return _error_case("hostile", ref, "local", exc)
        no_file = Path(str(expect["no_file"])) if expect.get("no_file") else None
        before = no_file.stat().st_mtime if no_file and no_file.exists() else None
        factor = _contention()
        runs = [run_cli(["check", str(d), "--format", "json"], env, cwd)]
        if expect.get("no_escape"):
            runs.append(run_cli(["check", str(d)], env, cwd))  # the plain-text table, piped
        reasons: list[str] = []
        report = None
        for run, fmt in zip(runs, ("json", "text"), strict=False):
            if run.exit_code not in (0, 1, 2):
                reasons.append(f"{fmt}: exit {run.exit_code}")
            elif run.exit_code == 2:
                lines = run.stderr.strip().splitlines()
                if len(lines) != 1 or not lines[0].startswith("openaudit: error: "):
                    reasons.append(f"{fmt}: exit 2 without one error line")
            if "Traceback" in run.stdout + run.stderr:
                reasons.append(f"{fmt}: traceback")
            if run.cpu >= TIME_LIMIT:
                reasons.append(f"{fmt}: {run.cpu:.1f} s of CPU")
            if run.wall >= TIME_LIMIT * factor:
                reasons.append(f"{fmt}: {run.wall:.1f} s wall (limit {TIME_LIMIT * factor:.0f} s at this load)")
            if run.rss_mb is not None and run.rss_mb >= RSS_LIMIT_MB:
                reasons.append(f"{fmt}: {run.rss_mb:.0f} MB peak RSS")
            if expect.get("no_escape") and CONTROL.search(run.stdout + run.stderr):
                reasons.append(f"{fmt}: a control sequence reached the output")
        if no_file and no_file.exists() and (before is None or no_file.stat().st_mtime != before):
            reasons.append(f"{no_file} was written")
        json_run = runs[0]
        if json_run.exit_code in (0, 1):
            report, bad = _report_of(json_run)
            reasons += bad
            if report is not None and "finding" in expect:
                reasons += judge({"finding": expect["finding"]}, report)[0]
        elif "finding" in expect:
            reasons.append(f"no report to find {expect['finding']} in")
        return CaseResult("hostile", ref, "local", not reasons, reasons, False,
                          license_text(report) if report else None, json_run.exit_code, round(json_run.wall, 3),
                          round(json_run.cpu, 3), json_run.rss_mb)

    return go


# -- summary and command line ---------------------------------------------------------------------------------
def summarize(results: list[CaseResult]) -> dict[str, Any]:
    sections: dict[str, dict[str, int]] = {}
    for r in results:
        t = sections.setdefault(r.section, {"passed": 0, "total": 0})
        t["total"] += 1
        t["passed"] += r.passed
    return {"passed": sum(r.passed for r in results), "total": len(results), "sections": sections,
            "wrong_names": [f"{r.section} {r.name} [{r.mode}]: {r.license}" for r in results if r.wrong_name]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", dest="set_dir", default=str(DEFAULT_SET), help="directory holding expected.yaml")
    ap.add_argument("--corpus", default=None, help="root for shared: paths (default: the set's parent)")
    ap.add_argument("--only", action="append", choices=("licenses", "cards", "hostile"),
                    help="run only this section (repeatable)")
    ap.add_argument("--mode", action="append", choices=("hub", "local"), help="license cases: hub, local or both")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("--token", action="store_true", help="send a token the fake Hub grants (gated files readable)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    args = ap.parse_args(argv)
    set_dir = Path(args.set_dir)
    if not (set_dir / "expected.yaml").is_file():
        print(f"evaluate: no expected.yaml in {set_dir}", file=sys.stderr)
        return 0
    started = time.monotonic()
    show = None if args.json else (lambda r: print(r.line(), flush=True))
    results = run_set(set_dir, corpus=args.corpus, jobs=args.jobs, sections=args.only or ("licenses", "cards",
                      "hostile"), modes=args.mode or ("hub", "local"), token=args.token, progress=show)
    summary = summarize(results)
    summary["seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        print(json.dumps({"set": str(set_dir), "summary": summary, "cases": [asdict(r) for r in results]}, indent=2))
    else:
        parts = ", ".join(f"{k} {v['passed']}/{v['total']}" for k, v in summary["sections"].items())
        print(f"\n{summary['passed']}/{summary['total']} passed ({parts}) in {summary['seconds']} s")
        for w in summary["wrong_names"]:
            print(f"WRONG NAME {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
