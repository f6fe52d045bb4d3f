"""Hostile inputs, end to end: the CLI in a subprocess on cards built to hurt it.

Each case must end within 10 s and 300 MB of memory (peak RSS of that process after its exec: VmHWM from
/proc, written by a wrapper at exit; wait4's ru_maxrss also counts the forked pytest parent's pages), with exit 0-2,
without a traceback, and without any control sequence from the input reaching the output in any format.
Fixtures are generated in tmp_path (the 60 MB card is never committed).
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from corpus import corpus_license

pytestmark = pytest.mark.slow  # the CLI under time and memory bounds, a 60 MB card, real timeouts

TIME_LIMIT = 10.0  # seconds of CPU for the child; of wall time too, scaled by how oversubscribed the machine is
RSS_LIMIT_MB = 300
TOKEN = "hf_hostilesecret987654321"

# Sequences a hostile card injects; none may reach the terminal.
SGR = "\x1b[38;5;201m"
CLEAR = "\x1b[2J\x1b[H"
OSC8 = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
OSC_TITLE = "\x1b]0;pwned\x07"
C1_CSI = "\x9b31m"
RLO, LRI, PDI = "\u202e", "\u2066", "\u2069"
MARKUP = "[bold red]MARKUP[/bold red] [link=https://evil.example]LINKMARKUP[/link]"
# Markdown/HTML injection (card values end up in PR comments): never raw in the Markdown report.
HTML = ' <img src=x onerror=alert(1)> <script>alert(2)</script> [click](javascript:alert(3)) | cell |'
INJECTED = ("\x1b", "\x07", "\x9b", RLO, LRI, PDI, "\u200b", "\x00", "\x08")
ANSI_LINE = f"{SGR}pink{CLEAR} {OSC8} {OSC_TITLE} {C1_CSI} {RLO}txet desrever{PDI} \u200bzw \x08bs {MARKUP}"




def write_cards(root: Path) -> dict[str, Path]:
    """The six hostile model directories (each with a README.md; some with a LICENSE beside it)."""
    mit = corpus_license("mit.txt")  # a real license file beside some cards: it must still be read
    cards: dict[str, bytes] = {}
    cards["malformed_yaml"] = (
        b"---\nlicense: [mit\nbase_model: : :\n  - bad indent\n---\n"
        b"# Malformed\n\nThe training code is at https://github.com/acme/malformed and the body is still read.\n"
    )
    cards["ansi_markup"] = (
        "---\n"
        f"license: other\nlicense_name: {json.dumps(ANSI_LINE + HTML)}\n"
        f"license_link: {json.dumps('https://x/' + ANSI_LINE)}\nbase_model: {json.dumps(HTML)}\n"
        f"tags: [{json.dumps(ANSI_LINE)}]\n"
        "---\n"
        f"# Model {ANSI_LINE}\n\n{ANSI_LINE}\n"
        f"You may not use this model with more than 700 million monthly active users {ANSI_LINE}.\n"
    ).encode()
    cards["binary_readme"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 64
    levels = ["a: &a [" + ",".join(['"lol"'] * 10) + "]"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    cards["alias_bomb"] = ("---\nlicense: mit\n" + "\n".join(levels) + "\n---\n# Billion laughs\n").encode()
    marker = root / "PWNED-python-tag"
    cards["python_tag"] = (
        "---\n"
        f"license: !!python/object/apply:os.system ['touch {marker}']\n"
        f"base_model: !!python/name:os.system\n"
        "---\n# Python tags\n"
    ).encode()
    paths = {}
    for name, data in cards.items():
        d = root / name
        d.mkdir()
        (d / "README.md").write_bytes(data)
        if name in ("malformed_yaml", "python_tag"):
            (d / "LICENSE").write_text(mit)
        paths[name] = d
    big = root / "huge_card"
    big.mkdir()
    with open(big / "README.md", "wb") as fh:  # 60 MB, written in chunks
        fh.write(b"---\nlicense: apache-2.0\n---\n# Huge\n\n")
        chunk = (b"A very long model card line that repeats and says nothing about licenses at all.\n" * 1024)
        while fh.tell() < 60 * 1024 * 1024:
            fh.write(chunk)
    paths["huge_card"] = big
    return paths


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_cards(tmp_path_factory.mktemp("hostile"))


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "OPENAUDIT_", "HUGGING"))}
    env.update({"HF_HUB_OFFLINE": "1", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8", "COLUMNS": "120",
                "HF_TOKEN": TOKEN})
    env.update(extra)
    return env


def contention() -> float:
    """How oversubscribed the machine is (1.0: not at all), from the load average."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except OSError:
        return 1.0


class Run:
    def __init__(self, code: int, stdout: str, stderr: str, elapsed: float, rss_mb: float, cpu: float,
                 factor: float):
        self.returncode, self.stdout, self.stderr, self.elapsed = code, stdout, stderr, elapsed
        self.rss_mb, self.cpu, self.factor = rss_mb, cpu, factor


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


def run_measured(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
                 limit: float = TIME_LIMIT) -> Run:
    """Run the CLI; returns its exit code, output, wall time, CPU time and peak RSS of the CLI process.

    ru_maxrss from wait4 is not used for memory: Linux carries the forking (pytest) process's high-water mark
    across exec into the child's, so a 300 MB pytest makes every child look 300 MB. The wrapper reads the
    child's own VmHWM (its address space after exec) at exit."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".hwm") as hwm:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _HWM_WRAPPER, hwm.name, *args], stdout=out, stderr=err,
                                env=env or cli_env(), cwd=cwd)
        killer = threading.Timer(limit + 20, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        elapsed = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        peak = hwm.read().strip()
    rss_mb = int(peak) / 1024 if peak.isdigit() else usage.ru_maxrss / 1024  # kilobytes on Linux
    return Run(proc.returncode, stdout, stderr, elapsed, rss_mb, usage.ru_utime + usage.ru_stime, contention())


def assert_clean(run: Run, what: str) -> None:
    assert run.returncode in (0, 1, 2), (what, run.returncode, run.stderr)
    assert run.cpu < TIME_LIMIT, (what, run.cpu)
    assert run.elapsed < TIME_LIMIT * run.factor, (what, run.elapsed, run.factor)
    assert run.rss_mb < RSS_LIMIT_MB, (what, run.rss_mb)
    for text in (run.stdout, run.stderr):
        assert "Traceback" not in text, (what, text[-3000:])
        for seq in INJECTED:
            assert seq not in text, (what, repr(seq))
        assert TOKEN not in text
    if run.returncode == 2:
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("openaudit: error: "), run.stderr


@pytest.mark.parametrize("name", ["malformed_yaml", "ansi_markup", "binary_readme", "alias_bomb", "python_tag",
                                  "huge_card"])
def test_hostile_card_json_and_text(hostile: dict[str, Path], name: str) -> None:
    json_run = run_measured("check", str(hostile[name]), "--format", "json")
    assert_clean(json_run, f"{name} json")
    assert json_run.stdout.isascii()
    report = json.loads(json_run.stdout)
    text_run = json_run
    if name != "huge_card":  # (its text is benign filler: one format is enough to measure it)
        text_run = run_measured("check", str(hostile[name]))  # piped: the plain-text table
        assert_clean(text_run, f"{name} text")

    rules = {f["rule"]: f for f in report["findings"]}
    files = {f["name"]: f for f in report["files"]}
    if name in ("malformed_yaml", "alias_bomb", "python_tag"):
        assert "OA104" in rules, rules
    if name == "malformed_yaml":
        assert report["license"]["id"] == "mit"  # the LICENSE file is still audited
        assert "github.com/acme/malformed" in json_run.stdout  # and so is the body (code link found)
    if name == "alias_bomb":
        assert "too complex" in rules["OA104"]["message"]
    if name == "python_tag":
        assert not (hostile[name].parent / "PWNED-python-tag").exists()
        assert "python" in rules["OA104"]["message"]
    if name == "binary_readme":
        assert files["README.md"]["status"] == "unreadable" and "binary" in files["README.md"]["reason"]
        assert "OA106" in rules
    if name == "huge_card":
        assert files["README.md"]["status"] == "truncated"
        assert "truncated" in rules["OA107"]["message"]
        assert report["license"]["id"] == "apache-2.0"
    if name == "ansi_markup":
        # Markup is shown literally (as text), never interpreted.
        assert "[bold red]MARKUP[/bold red]" in text_run.stdout


@pytest.mark.parametrize("name", ["ansi_markup", "huge_card"])
def test_every_format_is_clean(hostile: dict[str, Path], name: str) -> None:
    """The other formats (JSON and the plain table are checked above): no control sequence, no raw HTML or link
    from the card in Markdown, within the same time and memory bounds; the truncation is said in every one."""
    from concurrent.futures import ThreadPoolExecutor

    formats = ("jsonl", "markdown", "sarif", "cyclonedx")
    with ThreadPoolExecutor(2) as pool:
        runs = dict(zip(formats, pool.map(lambda fmt: run_measured("check", str(hostile[name]), "--format", fmt,
                                                                  limit=TIME_LIMIT + 5), formats), strict=True))
    for fmt, run in runs.items():
        assert_clean(run, f"{name} {fmt}")
        assert len(run.stdout) > 200, (fmt, run.stdout)
        if name == "huge_card" and fmt != "cyclonedx":  # (a BOM lists components, not the audit's findings)
            assert "truncated" in run.stdout, fmt
    if name == "ansi_markup":
        md = runs["markdown"].stdout
        for raw in ("<img", "<script", "](javascript:", "[click](", "| cell |"):
            assert raw not in md, raw
        assert "&lt;img" in md  # shown, escaped


def test_terminal_output_on_a_pty(hostile: dict[str, Path]) -> None:
    """On a real terminal (rich renderer): rich's own styling only; nothing injected survives; markup literal."""
    master, slave = pty.openpty()
    env = cli_env(COLUMNS="200", LINES="50", TERM="xterm-256color")
    env.pop("NO_COLOR")
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "openaudit", "check", str(hostile["ansi_markup"])],
                            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
        assert time.monotonic() - start < TIME_LIMIT + 10
    proc.wait(timeout=10)
    os.close(master)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode in (0, 1), out[-2000:]
    assert "Traceback" not in out
    assert "\x1b[" in out  # it did take the terminal path: rich styles its own output
    for seq in (SGR, "\x1b[2J", "\x1b]", "\x07", "\x9b", RLO, LRI, PDI, "\u200b", "\x08"):
        assert seq not in out, repr(seq)
    assert "MARKUP[/bold" in out.replace("\r\n", "\n")  # rich markup from the card printed literally


def test_non_utf8_crlf_bom_and_utf16(tmp_path: Path) -> None:
    d = tmp_path / "encodings"
    d.mkdir()
    (d / "README.md").write_bytes(b"\xef\xbb\xbf---\r\nlicense: mit\r\ntags:\r\n- x\r\n---\r\n# Caf\xe9 \xff\xfe\r\n")
    (d / "LICENSE").write_bytes(corpus_license("mit.txt").replace("\n", "\r\n").encode("utf-16"))
    (d / "NOTICE").write_bytes(b"Copyright \xa9 2024 Latin-1 Corp\n")
    run = run_measured("check", str(d), "--format", "json")
    assert_clean(run, "encodings")
    report = json.loads(run.stdout)
    files = {f["name"]: f for f in report["files"]}
    assert files["README.md"]["status"] == "read" and "UTF-8" in (files["README.md"]["reason"] or "")
    assert files["LICENSE"]["status"] == "read"
    assert files["NOTICE"]["status"] == "read"
    assert "OA104" not in {f["rule"] for f in report["findings"]}  # BOM + CRLF front matter parsed
    assert report["license"]["id"] == "mit"


def test_repository_code_is_never_imported_or_run(tmp_path: Path) -> None:
    """A model directory full of code that would leave a marker if imported or executed."""
    d = tmp_path / "evil-model"
    d.mkdir()
    marker = tmp_path / "MARKER"
    payload = f"import pathlib\npathlib.Path({str(marker)!r}).write_text(__name__)\n"
    for name in ("modeling_x.py", "configuration_x.py", "__init__.py", "setup.py", "conftest.py",
                 "sitecustomize.py", "usercustomize.py", "yaml.py", "typer.py", "rich.py", "huggingface_hub.py",
                 "openaudit.py", "json.py", "re.py"):
        (d / name).write_text(payload)
    (d / "config.json").write_text(json.dumps({"auto_map": {"AutoModel": "modeling_x.XModel"},
                                               "model_type": "x"}))
    (d / "pytorch_model.bin").write_bytes(b"\x80\x04cposix\nsystem\n")  # a pickle header; never opened
    (d / "README.md").write_text("---\nlicense: mit\n---\n# Evil\n")
    # The installed entry point, run from inside the model directory (the worst case for sys.path).
    script = Path(sys.executable).parent / "openaudit"
    assert script.exists()
    proc = subprocess.run([str(script), "check", ".", "--format", "json"], cwd=d, env=cli_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1), proc.stderr
    assert not marker.exists(), marker.read_text()
    rules = {f["rule"]: f for f in json.loads(proc.stdout)["findings"]}
    assert "OA601" in rules and "pytorch_model.bin" in rules["OA601"]["message"]
    assert "OA602" in rules and "auto_map" in rules["OA602"]["message"]
    # python -m with the model directory as the working directory is Python's own sys.path rule; we run it
    # from elsewhere, as documented.
    run = run_measured("check", str(d), "--format", "json", cwd=tmp_path)
    assert_clean(run, "evil-model")
    assert not marker.exists()


def test_huge_card_through_the_hub_is_read_up_to_the_cap(fake_hub, tmp_path: Path) -> None:
    """huggingface_hub downloads the whole 60 MB README to its cache (streamed); we read only the cap."""
    from fakehub import hub_env

    big = b"---\nlicense: apache-2.0\n---\n# Huge\n" + b"filler line of a very large model card\n" * 1_600_000
    assert len(big) > 60_000_000
    fake_hub.add_repo("acme/huge", {"README.md": big, "model.safetensors": b"\0"})
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="10", HF_TOKEN=TOKEN)
    run = run_measured("check", "acme/huge", "--format", "json", env=env, limit=TIME_LIMIT + 5)
    assert_clean(run, "hub huge card")
    report = json.loads(run.stdout)
    readme = next(f for f in report["files"] if f["name"] == "README.md")
    assert readme["status"] == "truncated", readme
    assert "OA107" in {f["rule"] for f in report["findings"]}


def test_safety_signals_through_the_hub(fake_hub, tmp_path: Path) -> None:
    """OA601 (pickle-only weights) and OA602 (trust_remote_code) from the Hub's file list and tags, with the file
    cited; a repository with safetensors, or only training state in pickle, gets neither. No weight, code or
    config file is ever requested."""
    from fakehub import hub_env

    card = b"---\nlicense: mit\n---\n# m\n"
    fake_hub.add_repo("acme/pickled", {"README.md": card, "pytorch_model.bin": b"\x80\x04", "modeling_acme.py": b"x",
                                       "config.json": b'{"auto_map": {"AutoModel": "modeling_acme.M"}}'},
                      tags=["custom_code", "pytorch"])
    fake_hub.add_repo("acme/safe", {"README.md": card, "pytorch_model.bin": b"\x80\x04", "model.safetensors": b"\0",
                                    "training_args.bin": b"\x80\x04", "sub/helper.py": b"x"})
    fake_hub.add_repo("acme/state", {"README.md": card, "model.gguf": b"GGUF", "optimizer.pt": b"\x80\x04",
                                     "ggml-model-q4_0.bin": b"ggml"})
    # auto_map pointing at another repository's code: only the Hub's custom_code tag says so.
    fake_hub.add_repo("acme/tagonly", {"README.md": card, "model.safetensors": b"\0"}, tags=["custom_code"])
    env = hub_env(fake_hub.url, tmp_path / "hf", OPENAUDIT_TIMEOUT="5", HF_TOKEN=TOKEN)
    found = {}
    for repo in ("acme/pickled", "acme/safe", "acme/state", "acme/tagonly"):
        run = run_measured("check", repo, "--format", "json", env=env)
        assert_clean(run, repo)
        found[repo] = {f["rule"]: f for f in json.loads(run.stdout)["findings"]}
    pickled = found["acme/pickled"]
    assert "pytorch_model.bin" in pickled["OA601"]["message"]
    assert pickled["OA601"]["evidence"]["file"] == "pytorch_model.bin"
    assert "trust_remote_code" in pickled["OA602"]["message"] and "custom_code" in pickled["OA602"]["message"]
    assert "modeling_acme.py" in pickled["OA602"]["message"]
    assert pickled["OA602"]["evidence"]["file"] == "modeling_acme.py"
    assert "pytorch_model.bin" in pickled["OA601"]["evidence"]["text"]
    tagonly = found["acme/tagonly"]
    assert "OA601" not in tagonly and tagonly["OA602"]["evidence"]["text"] == "tags: custom_code"
    for repo in ("acme/safe", "acme/state"):
        assert "OA601" not in found[repo] and "OA602" not in found[repo], (repo, sorted(found[repo]))
    fetched = {r.route.rsplit("/", 1)[-1] for r in fake_hub.requests_to("/resolve/")}
    assert fetched <= {"README.md"}, fetched  # no weights, code or config.json downloaded


def test_settings_from_the_environment_never_crash(hostile: dict[str, Path]) -> None:
    """A malformed OPENAUDIT_MAX_FILE_BYTES or OPENAUDIT_TIMEOUT means the default, never a traceback; a valid
    small cap truncates."""
    target = str(hostile["malformed_yaml"])
    for extra in ({"OPENAUDIT_MAX_FILE_BYTES": "2MB", "OPENAUDIT_TIMEOUT": "abc"},
                  {"OPENAUDIT_MAX_FILE_BYTES": "-1", "OPENAUDIT_TIMEOUT": "inf"}):
        run = run_measured("check", target, "--format", "json", env=cli_env(**extra))
        assert_clean(run, str(extra))
        assert "truncated" not in {f["status"] for f in json.loads(run.stdout)["files"]}
    run = run_measured("check", target, "--format", "json", env=cli_env(OPENAUDIT_MAX_FILE_BYTES="60"))
    assert_clean(run, "cap 60")
    files = {f["name"]: f["status"] for f in json.loads(run.stdout)["files"]}
    assert files == {"README.md": "truncated", "LICENSE": "truncated"}, files
