"""Trust (issue 15): a hostile repository cannot run code, make the gate pass, hang the job or leak host files
through `scan`, `check`, `lock` and their outputs. docs/threat-model.md names the test for each promise.

Each case asserts the secure outcome: the exit code, no marker file, no canary string in any output format, and
an end within a time bound (a generous wall-clock bound against hangs, not a performance target).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fakehub import FakeHub, hub_env

CANARY = "OPENAUDIT-HOST-CANARY-5e1f"  # a host file's content: never in any output
HANG_LIMIT = 60  # seconds: a hang is stopped here (the tests end in a few seconds)
FORMATS = ("table", "json", "markdown", "sarif")

LLAMA_CARD = "---\nlicense: llama3.1\n---\n# tiny-llama\n\nA toy model for openaudit's trust tests.\n"
LLAMA_LICENSE = """Llama 3.1 Community License Agreement

Llama 3.1 Version Release Date: July 23, 2024

A stand-in for openaudit's tests. It keeps the title and release-date lines by which the license is
recognised. If the products of the licensee had greater than 700 million monthly active users, a separate
license is needed.
"""
MIT_CARD = "---\nlicense: mit\n---\n# relabelled\n\nA toy model for openaudit's trust tests.\n"
_CORPUS_MIT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "licenses" / "mit.txt"
# the real MIT text from the shared corpus (never copied into the project); without the corpus, a line that
# names the license, which reads as a reference to MIT
MIT_LICENSE = _CORPUS_MIT.read_text(encoding="utf-8") if _CORPUS_MIT.exists() else "MIT License\n"


def oa(env: dict[str, str], cwd: Path, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("capture_output", True)
    proc = subprocess.run([sys.executable, "-m", "openaudit", *args], env=env, cwd=cwd, text=True,
                          timeout=HANG_LIMIT, **kwargs)
    for text in (proc.stdout, proc.stderr):
        assert "Traceback" not in (text or ""), text
    return proc


def offline_env(tmp_path: Path, **extra: str | None) -> dict[str, str]:
    return hub_env("http://127.0.0.1:9", tmp_path / "hf", HF_HUB_OFFLINE="1", **extra)


def all_outputs(env: dict[str, str], cwd: Path, *args: str) -> dict[str, subprocess.CompletedProcess[str]]:
    """The same command in every report format."""
    return {fmt: oa(env, cwd, *args, "--format", fmt) for fmt in FORMATS}


def assert_no_canary(runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    for fmt, proc in runs.items():
        assert CANARY not in proc.stdout and CANARY not in proc.stderr, (fmt, proc.stdout[-2000:], proc.stderr)


def model_dir(path: Path, card: str = MIT_CARD, license: str | None = MIT_LICENSE) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "README.md").write_text(card)
    if license is not None:
        (path / "LICENSE").write_text(license)
    return path


# -- 1: no repository content ever executes -------------------------------------------------------------------
def _fsmonitor_config(marker: Path, *, bare: bool) -> str:
    tree = "\tbare = false\n\tworktree = .\n" if bare else ""
    return (f"[core]\n\trepositoryformatversion = 0\n{tree}\tfsmonitor = \"touch {marker}; false\"\n"
            f"\thooksPath = hooks\n[safe]\n\tbareRepository = all\n")


def test_scan_never_runs_a_committed_fake_git_dir(tmp_path: Path) -> None:
    """A committed src/{HEAD,config,objects,refs} is a bare repository to git's discovery; its core.fsmonitor
    must never run, whether `scan src` is asked inside a real work tree or in a plain directory."""
    marker = tmp_path / "PWNED-fsmonitor"
    for name, real_repo in (("plain", False), ("worktree", True)):
        repo = tmp_path / name
        src = repo / "src"
        (src / "objects").mkdir(parents=True)
        (src / "refs").mkdir()
        (src / "HEAD").write_text("ref: refs/heads/main\n")
        (src / "config").write_text(_fsmonitor_config(marker, bare=True))
        (src / "app.py").write_text('m = AutoModel.from_pretrained("./models/tiny")\n')
        model_dir(src / "models" / "tiny")
        if real_repo:
            subprocess.run(["git", "init", "-q", str(repo)], check=True)
        proc = oa(offline_env(tmp_path), repo, "scan", "src", "--format", "json")
        assert not marker.exists(), (name, "the repository's core.fsmonitor ran")
        assert proc.returncode == 0, (name, proc.stderr)
        assert json.loads(proc.stdout)["models"][0]["target"]["kind"] == "local"  # the files were still listed and read


def test_scan_never_runs_the_work_trees_own_git_config(tmp_path: Path) -> None:
    """An unpacked archive can carry a .git/config of its own (fsmonitor, hooks): git still runs, none of it."""
    marker = tmp_path / "PWNED-own-config"
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in ("post-index-change", "fsmonitor-watchman", "pre-commit"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    with open(repo / ".git" / "config", "a") as fh:
        fh.write(f"[core]\n\tfsmonitor = \"touch {marker}; false\"\n\thooksPath = .git/hooks\n")
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("./models/tiny")\n')
    (repo / ".gitignore").write_text("ignored/\n")
    (repo / "ignored").mkdir()
    (repo / "ignored" / "x.py").write_text('m = AutoModel.from_pretrained("./models/gone")\n')
    model_dir(repo / "models" / "tiny")
    model_dir(repo / "models" / "gone")
    proc = oa(offline_env(tmp_path), repo, "scan", "--format", "json")
    assert not marker.exists()
    assert proc.returncode == 0, proc.stderr
    # .gitignore still honoured through git
    assert json.loads(proc.stdout)["models"][0]["target"]["id"] == "models/tiny"


# -- 2: a directory cannot shadow a Hub id ------------------------------------------------------------------
@pytest.fixture
def llama_hub(fake_hub: FakeHub) -> FakeHub:
    fake_hub.add_repo("meta-llama/Llama-3.1-8B", {"README.md": LLAMA_CARD, "LICENSE": LLAMA_LICENSE})
    return fake_hub


def test_a_committed_folder_does_not_shadow_a_hub_id(llama_hub: FakeHub, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    model_dir(repo / "meta-llama" / "Llama-3.1-8B")  # MIT, committed by the pull request
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B")\n')
    (repo / ".openaudit.yaml").write_text("licenses:\n  deny: [llama3.1]\nmodels: [meta-llama/Llama-3.1-8B]\n")
    env = hub_env(llama_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="5")
    proc = oa(env, repo, "scan", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)["models"][0]
    assert report["target"]["kind"] == "hub" and report["license"]["id"] == "llama3.1"
    assert llama_hub.requests_to("/api/models/meta-llama/Llama-3.1-8B")


# -- 6: an edited lock cannot make an offline scan pass ----------------------------------------------------
def test_editing_the_locked_revision_fails_closed(fake_hub: FakeHub, tmp_path: Path) -> None:
    old = fake_hub.add_repo("acme/tiny", {"README.md": MIT_CARD, "LICENSE": MIT_LICENSE})
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("acme/tiny")\n')
    (repo / ".openaudit.yaml").write_text("licenses:\n  deny: [llama3.1]\n")
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="5")
    assert oa(env, repo, "scan").returncode == 0  # the old, permissive revision is now in the Hub cache
    new = fake_hub.add_revision("acme/tiny", {"README.md": LLAMA_CARD, "LICENSE": LLAMA_LICENSE}, branch="main")
    assert oa(env, repo, "lock").returncode == 0
    lock = (repo / "openaudit.lock").read_text()
    assert new in lock and oa({**env, "HF_HUB_OFFLINE": "1"}, repo, "scan").returncode == 1

    (repo / "openaudit.lock").write_text(lock.replace(new, old))  # only `revision:` edited
    fake_hub.add_fault(r"^/api/models/", status=503)
    for extra in ({"HF_HUB_OFFLINE": "1"}, {}):  # offline on purpose, and with the Hub answering 503
        proc = oa({**env, **extra}, repo, "scan", "--format", "json")
        assert proc.returncode not in (0, 1), (extra, proc.returncode, proc.stdout[-1500:])
        assert "openaudit.lock" in proc.stderr and "acme/tiny" in proc.stderr, proc.stderr
    # a revision that is not a commit sha is refused before any use
    (repo / "openaudit.lock").write_text(lock.replace(new, "../../../etc"))
    proc = oa({**env, "HF_HUB_OFFLINE": "1"}, repo, "scan")
    assert proc.returncode == 2 and "revision" in proc.stderr, proc.stderr


# -- 9: scan and check give the same verdict (lineage followed) -------------------------------------------
def test_scan_follows_lineage_like_check(llama_hub: FakeHub, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    model_dir(repo / "models" / "x", "---\nlicense: mit\nbase_model: meta-llama/Llama-3.1-8B\n"
              "base_model_relation: finetune\n---\n# relabelled\n\nA relabelled derivative.\n")
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("./models/x")\n')
    env = hub_env(llama_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="5")
    check = oa(env, repo, "check", "models/x", "--mau", "800M", "--format", "json")
    assert check.returncode == 1, check.stderr
    (repo / ".openaudit.yaml").write_text("context: {mau: 800M}\n")
    scan = oa(env, repo, "scan", "--format", "json")
    assert scan.returncode == 1, scan.stderr
    rules = {f["rule"] for f in json.loads(scan.stdout)["models"][0]["findings"]}
    assert {"OA501", "OA221"} <= rules
    assert rules == {f["rule"] for f in json.loads(check.stdout)["findings"]}


# -- 10: nothing from outside the audited tree reaches any output, nothing blocks --------------------------
@pytest.fixture
def host_secret(tmp_path: Path) -> Path:
    """A host file outside every audited tree, shaped like a license and a model card."""
    secret = tmp_path / "host"
    secret.mkdir()
    text = f"MIT License\n\n{CANARY} Permission is hereby granted {CANARY}\n"
    (secret / "README.md").write_text(f"---\nlicense: mit\n---\n# {CANARY}\n\nmodel = \"{CANARY}\"\n{text}")
    (secret / "LICENSE").write_text(text)
    (secret / "app.py").write_text(f'm = AutoModel.from_pretrained("acme/{CANARY}")  # {CANARY}\n')
    return secret


def test_symlinked_license_and_card_out_of_the_tree_are_not_read(tmp_path: Path, host_secret: Path) -> None:
    m = tmp_path / "model"
    m.mkdir()
    (m / "README.md").symlink_to(host_secret / "README.md")
    (m / "LICENSE").symlink_to(host_secret / "LICENSE")
    (m / "NOTICE").symlink_to("/etc/passwd")
    runs = all_outputs(offline_env(tmp_path), tmp_path, "check", str(m))
    assert_no_canary(runs)
    assert "root:" not in runs["json"].stdout
    report = json.loads(runs["json"].stdout)
    assert report["license"]["id"] == "unknown"
    status = {f["name"]: f for f in report["files"]}
    assert status["LICENSE"]["status"] == "unreadable" and "link" in status["LICENSE"]["reason"]
    # a link inside the model directory is followed
    (m / "LICENSE").unlink()
    (m / "LICENSE.txt").write_text(MIT_LICENSE)
    (m / "LICENSE").symlink_to("LICENSE.txt")
    report = json.loads(oa(offline_env(tmp_path), tmp_path, "check", str(m), "-f", "json").stdout)
    assert {f["name"]: f["status"] for f in report["files"]}["LICENSE"] == "read"


@pytest.mark.parametrize("base", ["ABS", "../../../host", "../../link"])
def test_local_base_model_out_of_the_tree_is_not_read(tmp_path: Path, host_secret: Path, base: str) -> None:
    tree = tmp_path / "tree"
    (tree / "link").parent.mkdir(parents=True)
    (tree / "link").symlink_to(host_secret)
    value = str(host_secret) if base == "ABS" else base
    m = model_dir(tree / "models" / "x", f"---\nlicense: mit\nbase_model: {value}\n---\n# x\n")
    runs = all_outputs(offline_env(tmp_path), tree, "check", str(m))
    assert_no_canary(runs)
    chain = json.loads(runs["json"].stdout)["lineage"]["chain"]
    assert chain and chain[0]["status"] != "ok" and chain[0]["kind"] != "local"


def test_scan_reads_nothing_out_of_the_tree(tmp_path: Path, host_secret: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "leak.py").symlink_to(host_secret / "app.py")  # a symlinked source file
    (repo / "linked").symlink_to(host_secret)  # a symlinked directory, and a model path through it
    (repo / "app.py").write_text(f'a = AutoModel.from_pretrained("{host_secret}")\n'
                                 'b = AutoModel.from_pretrained("./linked")\n'
                                 'c = AutoModel.from_pretrained("../host")\n')
    (repo / "config.yaml").write_text(f"model: {host_secret}\nbase_model: ~/../..{host_secret}\n")
    runs = all_outputs(offline_env(tmp_path), repo, "scan")
    assert_no_canary(runs)
    assert all(p.returncode == 0 for p in runs.values()), {f: p.stderr for f, p in runs.items()}
    assert "no model references found" in runs["table"].stdout


def test_nothing_blocks_on_a_fifo_or_a_kernel_file(tmp_path: Path) -> None:
    m = model_dir(tmp_path / "model")
    (m / "LICENSE").unlink()
    os.mkfifo(m / "LICENSE")
    (m / "LICENSE.md").symlink_to("/proc/kmsg")  # a regular file to stat() whose read() blocks
    (m / "NOTICE").write_text("Copyright 2024 Acme\n")
    (m / "config.json").symlink_to("/proc/kmsg")
    proc = oa(offline_env(tmp_path), tmp_path, "check", str(m), "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    status = {f["name"]: f["status"] for f in json.loads(proc.stdout)["files"]}
    assert status["LICENSE"] == "unreadable" and status["LICENSE.md"] == "unreadable"
    repo = tmp_path / "repo"
    model_dir(repo / "models" / "x")
    (repo / "kmsg.py").symlink_to("/proc/kmsg")
    (repo / "inside.py").write_text('m = AutoModel.from_pretrained("./models/x")\n')
    (repo / "models" / "x" / "LICENSE").unlink()
    (repo / "models" / "x" / "LICENSE").symlink_to("/proc/kmsg")
    os.mkfifo(repo / "fifo.py")
    proc = oa(offline_env(tmp_path), repo, "scan", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["models"][0]["target"]["id"] == "models/x"
    os.mkfifo(repo / ".openaudit.yaml")  # a policy file that would never end: refused, one line, exit 2
    proc = oa(offline_env(tmp_path), repo, "scan")
    assert proc.returncode == 2 and "not a regular file" in proc.stderr and proc.stderr.count("\n") == 1


# -- 11: writes are atomic and never through a symlink ---------------------------------------------------
def test_output_and_lock_never_write_through_a_symlink(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    model_dir(repo / "models" / "x")
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("./models/x")\n')
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (repo / "openaudit.sarif").symlink_to(victim)  # committed by the pull request
    (repo / "locked.lock").symlink_to(victim)
    env = offline_env(tmp_path)
    for args in (("scan", "-f", "sarif", "-o", "openaudit.sarif"), ("lock", "--lock", "locked.lock"),
                 ("check", "models/x", "-o", "openaudit.sarif")):
        proc = oa(env, repo, *args)
        assert proc.returncode == 2 and "symbolic link" in proc.stderr, (args, proc.stderr)
        assert victim.read_text() == "precious\n"
        assert (repo / "openaudit.sarif").is_symlink() and (repo / "locked.lock").is_symlink()
    assert sorted(p.name for p in repo.iterdir()) == ["app.py", "locked.lock", "models", "openaudit.sarif"]


def _small_files(limit: int):
    def cap() -> None:  # "disk full" for this process: writes past `limit` bytes fail (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return cap


def test_a_full_disk_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    model_dir(repo / "models" / "x")
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("./models/x")\n')
    env = offline_env(tmp_path)
    assert oa(env, repo, "scan", "-f", "sarif", "-o", "out.sarif").returncode == 0
    assert oa(env, repo, "lock").returncode == 0
    before = {n: (repo / n).read_bytes() for n in ("out.sarif", "openaudit.lock")}
    for args in (("scan", "-f", "sarif", "-o", "out.sarif"), ("lock",)):
        proc = oa(env, repo, *args, preexec_fn=_small_files(64))
        assert proc.returncode == 2, (args, proc.returncode, proc.stderr)
        assert proc.stderr.startswith("openaudit: error: cannot write") and proc.stderr.count("\n") == 1
    assert {n: (repo / n).read_bytes() for n in before} == before
    assert sorted(p.name for p in repo.iterdir()) == sorted(["app.py", "models", "out.sarif", "openaudit.lock"])


# -- 13: waivers are scoped by target kind ----------------------------------------------------------------
def test_a_hub_waiver_does_not_waive_a_local_directory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    model_dir(repo / "acme" / "evil", LLAMA_CARD, LLAMA_LICENSE)
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("./acme/evil")\n')
    policy = {"licenses": {"deny": ["llama3.1"]},
              "waivers": [{"model": "acme/*", "reason": "contract with Acme for its Hub models"}]}
    (repo / ".openaudit.yaml").write_text(yaml.safe_dump(policy))
    env = offline_env(tmp_path)
    for args in (("scan",), ("check", "acme/evil"), ("check", "./acme/evil")):
        proc = oa(env, repo, *args, "--format", "json")
        assert proc.returncode == 1, (args, proc.stderr)
        data = json.loads(proc.stdout)
        report = data["models"][0] if args[0] == "scan" else data  # scan: one object holding the reports
        assert not report["gate"]["waived"]
    # a waiver written as a path applies to that local directory (and not to a Hub model of the same name)
    policy["waivers"] = [{"model": "./acme/*", "reason": "reviewed in-house"}]
    (repo / ".openaudit.yaml").write_text(yaml.safe_dump(policy))
    for args in (("scan",), ("check", "acme/evil")):
        proc = oa(env, repo, *args, "--format", "json")
        assert proc.returncode == 0, (args, proc.stdout[-1500:], proc.stderr)


# -- 15: the low ones --------------------------------------------------------------------------------------
def test_a_very_deep_tree_is_no_internal_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("./models/x")\n')
    model_dir(repo / "models" / "x")
    fd = os.open(repo, os.O_RDONLY)
    try:  # 1100 levels: the path is longer than PATH_MAX, so it is built relative to each level
        for _ in range(1100):
            os.mkdir("d", dir_fd=fd)
            nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        os.close(os.open("deep.py", os.O_WRONLY | os.O_CREAT, dir_fd=fd))
    finally:
        os.close(fd)
    env = offline_env(tmp_path)
    try:
        proc = oa(env, repo, "scan", "--format", "json")
        assert proc.returncode == 0, proc.stderr
        proc = oa(env, tmp_path, "check", str(repo), "--format", "json")
        assert proc.returncode in (0, 1) and "internal error" not in proc.stderr, proc.stderr
    finally:
        _remove_chain(repo)


def _remove_chain(top: Path) -> None:
    """Remove the d/d/d/... chain without recursion (shutil.rmtree, and so pytest's clean-up, recurses)."""
    fds = [os.open(top, os.O_RDONLY)]
    try:
        while True:
            try:
                fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
            except FileNotFoundError:
                break
        while len(fds) > 1:
            fd = fds.pop()
            for name in os.listdir(fd):
                os.unlink(name, dir_fd=fd)
            os.close(fd)
            os.rmdir("d", dir_fd=fds[-1])
    finally:
        for fd in fds:
            os.close(fd)


def test_a_waiver_expiring_at_a_datetime(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    model_dir(repo / "models" / "x", LLAMA_CARD, LLAMA_LICENSE)
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("./models/x")\n')
    (repo / ".openaudit.yaml").write_text("licenses: {deny: [llama3.1]}\nwaivers:\n"
                                          "  - {model: ./models/*, reason: old, expires: 2020-01-01T00:00:00}\n")
    proc = oa(offline_env(tmp_path), repo, "scan", "--format", "json")
    assert proc.returncode == 1 and "internal error" not in proc.stderr, proc.stderr
    # the expired waiver is said
    assert any(f["rule"] == "OA906" for f in json.loads(proc.stdout)["models"][0]["findings"])
    from openaudit.policy import parse_policy

    waiver = parse_policy({"waivers": [{"model": "acme/*", "reason": "r", "expires": dt.datetime(2030, 1, 1, 12)}]},
                          "p").waivers[0]
    assert waiver.expires == dt.date(2030, 1, 1) and not waiver.expired(dt.date(2029, 12, 31))


_NO_PASSWD = """
import pwd, sys
def _missing(*_args):
    raise KeyError("getpwuid(): uid not found")
pwd.getpwuid = pwd.getpwnam = _missing  # a uid without a passwd entry (containers running as a random uid)
sys.argv = ["openaudit"] + sys.argv[1:]
from openaudit.cli import main
main()
"""


def test_home_unset_without_a_passwd_entry(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    model_dir(repo / "models" / "x")
    (repo / "app.py").write_text('m = AutoModel.from_pretrained("~/x")\nn = AutoModel.from_pretrained("./models/x")\n')
    env = {k: v for k, v in offline_env(tmp_path).items() if k not in ("HOME", "HF_HOME")}
    for args in (("scan", "--format", "json"), ("check", "models/x", "--format", "json"), ("check", "~/x"),
                 ("check", "acme/x")):
        proc = subprocess.run([sys.executable, "-c", _NO_PASSWD, *args], env=env, cwd=repo, capture_output=True,
                              text=True, timeout=HANG_LIMIT)
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert proc.returncode in (0, 1, 2, 3), (args, proc.stderr)
        if args[0] == "scan":
            assert proc.returncode == 0 and json.loads(proc.stdout)["models"][0]["target"]["id"] == "models/x"
    assert not (repo / "~").exists()  # no Hub cache written into the scanned tree


def test_no_github_workflow_command_from_input(tmp_path: Path) -> None:
    """A runner reads a log line as a workflow command when it starts with "::" after leading blanks."""
    repo = tmp_path / "repo"
    m = model_dir(repo / "model", "---\nlicense: other\nlicense_name: \"::error::forged name\"\n"
                  "base_model: \"::error file=app.py::forged base\"\ndatasets: [\"::add-mask::x\"]\n---\n"
                  "# m\n\n::error::forged body\n", None)
    (m / "LICENSE").write_text("::error::forged\n::warning::forged\nYou may not use this model commercially.\n")
    (repo / "::error file=x::forged.py").write_text('m = AutoModel.from_pretrained("./model")\n')
    env = offline_env(tmp_path)
    for args in (("check", "model"), ("check", "model", "model"), ("scan",), ("lock", "--lock", "x.lock")):
        for fmt in (("--format", "table"),) if args[0] != "lock" else ((),):
            proc = oa(env, repo, *args, *fmt)
            lines = (proc.stdout + proc.stderr).splitlines()
            assert not [line for line in lines if line.lstrip().startswith("::")], (args, proc.stdout)
            assert "forged" in proc.stdout or args[0] == "lock", proc.stdout  # said, not hidden


def test_a_closed_stdout_keeps_the_gate_result(tmp_path: Path) -> None:
    m = model_dir(tmp_path / "model")
    llama = model_dir(tmp_path / "llama", LLAMA_CARD, LLAMA_LICENSE)
    env = offline_env(tmp_path)
    for target, want in ((m, 0), (llama, 1)):  # more output than a pipe holds, so the writer meets EPIPE
        proc = subprocess.Popen([sys.executable, "-m", "openaudit", "check", *[str(target)] * 40, "--mau", "1B",
                                 "--format", "json"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()  # `| head -c 10`
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=HANG_LIMIT) == want, err
        assert "Traceback" not in err and "Exception ignored" not in err and err == "", err
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "openaudit", "check", str(m)], env=env, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=HANG_LIMIT)
    assert proc.returncode == 2 and proc.stderr.startswith("openaudit: error: cannot write"), proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_sarif_uris_are_percent_encoded_and_paths_with_spaces_are_scanned(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    model_dir(repo / "my models" / "x 1")
    (repo / "my app#1%.py").write_text('m = AutoModel.from_pretrained("./my models/x 1")\n')
    proc = oa(offline_env(tmp_path), repo, "scan", "--format", "sarif", "--min-severity", "note")
    assert proc.returncode == 0, proc.stderr
    log = json.loads(proc.stdout)
    assert log["runs"][0]["properties"]["models"][0]["id"] == "my models/x 1"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"my%20app%231%25.py"}, uris
