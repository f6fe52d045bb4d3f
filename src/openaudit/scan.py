"""`openaudit scan`: find the models a code base uses, audit each, and decide.

A reference is taken only in a model-id context and only when the value has the shape of a Hub id
(``org/name``) or is a path to an existing local model directory:

* Python calls: ``*.from_pretrained("org/name")``, ``hf_hub_download("org/name", ...)``,
  ``snapshot_download("org/name")``, ``SentenceTransformer("org/name")``, and keyword arguments such as
  ``pipeline(model="org/name")`` or ``hf_hub_download(repo_id="org/name")``;
* keys in YAML, JSON, TOML, .env, Dockerfiles and compose files, and Python assignments, named like
  ``model``, ``model_id``, ``model_name``, ``base_model``, ``repo_id`` (``MODEL_ID=org/name`` too);
* server command lines: ``--model org/name`` (vLLM), ``--model-id org/name`` (TGI),
  ``vllm serve org/name``, ``ollama run hf.co/org/name``, and ``FROM hf.co/org/name`` in an Ollama Modelfile;
* models of Ollama's store, audited as ``ollama:NAME:TAG`` from disk: ``ollama run|pull NAME[:TAG]`` (shell
  scripts, compose commands, Dockerfiles), ``FROM NAME[:TAG]`` in a Modelfile (``FROM ./x.gguf`` is that GGUF
  file), and model values written ``ollama:NAME[:TAG]`` or, as LiteLLM does, ``ollama/NAME`` / ``ollama_chat/NAME``;
* the ``models:`` list of the policy.

Not taken: MIME types (``text/plain``), file paths with an extension or under data/output folders,
placeholders (``org/name``, ``your-org/your-model``), URLs, f-strings, commented-out lines, and any line
carrying ``openaudit: ignore``.

A value written as a Hub id stays a Hub target even when a folder of that name exists (a committed
``meta-llama/Llama-3.1-8B/`` cannot stand in for the Hub model). A local model is a relative path (``./x``,
``../x``, quoted values may hold spaces) to a directory with a README.md or LICENSE that lies, every link
followed, inside the scanned tree; absolute and ``~`` paths are not taken.

Files: ``git ls-files --cached --others --exclude-standard`` when a ``.git`` lies at or above the scanned
directory (so ``.gitignore`` is honoured), otherwise a walk; vendored, virtualenv, node_modules and VCS folders
are skipped either way. git is run with that ``.git`` named explicitly (no repository discovery inside the
tree: a committed ``src/HEAD``, ``src/config`` is never taken for a repository), with the system config
ignored and ``core.fsmonitor``, hooks and implicit bare repositories disabled, so nothing the repository
configures is ever run. A file whose links lead out of the scanned tree is not read (each folder is resolved
once, each file opened without following a link unless the link stays inside); files are opened without
blocking (a FIFO or /proc/kmsg is skipped) and read once. A byte-level prefilter (``_hits``: anchors found
by one Aho-Corasick pass over the folded bytes) decides which files are decoded and parsed, and which lines.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any, TextIO, cast

from msgspec import Struct, field

from openaudit import filekinds
from openaudit.policy import POLICY_FILES, Policy

LOCK_FILE = "openaudit.lock"
MAX_SCAN_BYTES = 1024 * 1024
MAX_SCAN_FILES = 50_000

IGNORED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".env.d", "node_modules", "vendor", "vendored", "_vendor",
    "third_party", "site-packages", "__pycache__", "__pypackages__", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", "build", "dist", ".eggs", ".cache", ".ipynb_checkpoints",
})
_HF_CACHE_DIRS = ("models--", "datasets--", "spaces--")  # a Hugging Face cache inside the tree (HF_HOME in CI)
_SCAN_SUFFIXES = frozenset({
    ".py", ".pyi", ".ipynb", ".yaml", ".yml", ".json", ".jsonc", ".toml", ".env", ".cfg", ".ini", ".conf",
    ".sh", ".bash", ".zsh", ".js", ".mjs", ".cjs", ".ts", ".dockerfile", ".tf", ".hcl",
})
_SCAN_NAMES = re.compile(r"(?i)^(?:dockerfile|containerfile|makefile|procfile|modelfile|\.env(?:\..+)?|.+\.env)$|"
                         r"^dockerfile\.|\.modelfile$")
_SKIP_NAMES = frozenset({LOCK_FILE, *POLICY_FILES, ".pre-commit-config.yaml", ".pre-commit-hooks.yaml",
                         "package-lock.json", "yarn.lock", "poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock"})

# A Hub id: org/name, each part starting with a letter or digit, no "--" or "..", not ending in "." or "-".
_PART = r"[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?"
HUB_ID = re.compile(rf"^{_PART}/{_PART}$")
_MIME_TOPS = frozenset({"application", "audio", "font", "image", "message", "multipart", "text", "video"})
_PATH_ORGS = frozenset({"data", "dataset", "datasets", "models", "model", "checkpoints", "checkpoint", "ckpt",
                        "output", "outputs", "out", "runs", "tmp", "temp", "cache", "weights", "artifacts", "src",
                        "lib", "tests", "test", "results", "logs", "static", "assets", "config", "configs"})
# documentation placeholders (``org/name`` in a docstring, ``your-org/your-model`` in a sample config)
_PLACEHOLDER_ORGS = frozenset({"org", "orgname", "org-name", "org_name", "your-org", "your_org", "yourorg",
                               "your-organization", "organization", "my-org", "my_org", "myorg", "user",
                               "username", "user-name", "your-username", "your_username", "your-name", "my-username",
                               "owner", "namespace", "repo-owner", "author"})

_KEYS = (r"(?:hf_|hub_)?(?:model|model_id|model_name|model_repo|model_name_or_path|base_model|base_model_id|"
         r"repo_id|pretrained_model_name_or_path|model_checkpoint|checkpoint_id)")
_Q = r"(?:\\?[\"'])"  # a quote, possibly backslash-escaped (JSON strings, notebooks)
_VALUE = r"[^\s\"'`,;)}\]#\\]+"
# a quoted value: up to the same quote, spaces allowed (a local path such as "./my models/x")
_QVALUE = r"(?P<qt>\\?[\"'])(?P<qv>[^\"'`\\\n]{1,300}?)(?P=qt)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # *.from_pretrained("org/name") / hf_hub_download("org/name", ...) / snapshot_download("org/name")
    ("call", re.compile(rf"(?:\.from_pretrained|\bhf_hub_download|\bsnapshot_download|\bSentenceTransformer|"
                        rf"\bCrossEncoder)\(\s*[rRbBuU]?{_QVALUE}")),
    # key: value / key = "value" / "key": "value" / key=value / model="org/name" as a keyword argument
    ("key", re.compile(rf"(?i)(?:^|[\s{{,(\-\[]){_Q}?(?P<k>{_KEYS}){_Q}?\s*(?::|=)\s*"
                       rf"(?:[rRbBuU]?{_QVALUE}|(?P<v>{_VALUE}))")),
    # a default in the code: os.environ.get("MODEL_ID", "org/name"), os.getenv("HF_MODEL", "org/name")
    ("default", re.compile(rf"(?i)\b(?:environ\.get|getenv)\(\s*{_Q}(?P<k>{_KEYS}){_Q}\s*,\s*[rRbBuU]?{_QVALUE}")),
    # Dockerfile legacy form: ENV MODEL_ID org/name
    ("env", re.compile(rf"(?i)^\s*ENV\s+(?P<k>{_KEYS})\s+[\"']?(?P<v>{_VALUE})")),
    # --model org/name, --model=org/name, --model-id org/name, "--model", "org/name"
    ("flag", re.compile(rf"(?i)--(?:model|model[-_]id|model[-_]name|base[-_]model)(?:\s*=\s*|\s+|{_Q}\s*,\s*)"
                        rf"{_Q}?(?P<v>{_VALUE})")),
    # vllm serve org/name
    ("serve", re.compile(rf"\bvllm\s+serve\s+{_Q}?(?P<v>{_VALUE})")),
    # ollama run/pull hf.co/org/name[:tag]
    ("ollama", re.compile(rf"\bollama\s+(?:run|pull)\s+{_Q}?(?:hf\.co|huggingface\.co)/(?P<v>[^\s\"':]+)")),
    # Ollama Modelfile: FROM hf.co/org/name[:tag]
    ("ollama", re.compile(r"(?i)^\s*FROM\s+(?:hf\.co|huggingface\.co)/(?P<v>[^\s\"':]+)")),
    # ollama run/pull NAME[:TAG] (Ollama's store: audited as ollama:NAME[:TAG])
    ("ollama-store", re.compile(rf"\bollama\s+(?:run|pull)\s+{_Q}?(?!hf\.co/|huggingface\.co/)(?P<v>[^\s\"'`;&|)]+)")),
]
# Only in an Ollama Modelfile: FROM NAME[:TAG] (a model of Ollama's store) or FROM ./file.gguf
_MODELFILE = re.compile(r"(?i)^(?:modelfile|.+\.modelfile)$")
_MODELFILE_FROM = re.compile(r"(?i)^\s*FROM\s+(?!hf\.co/|huggingface\.co/)(?P<v>[^\s\"']+)")
_OLLAMA_PREFIX = re.compile(r"^(?:ollama:|ollama(?:_chat)?/)")  # ollama:NAME:TAG, and LiteLLM's ollama/NAME
# a call whose first argument is on the next line: from_pretrained(\n    "org/name",
_OPEN_CALL = re.compile(r"(?:\.from_pretrained|\bhf_hub_download|\bsnapshot_download|\bSentenceTransformer|"
                        r"\bCrossEncoder)\(\s*$")
_LONE_STRING = re.compile(rf"^\s*(?:(?:repo_id|pretrained_model_name_or_path)\s*=\s*)?[rRbBuU]?{_QVALUE}")
_IGNORE_MARK = re.compile(r"(?i)openaudit:\s*ignore")
_COMMENT = re.compile(r"^\s*(?:#|//|;|<!--)")


class Reference(Struct):
    """A line of the scanned tree that references a model."""

    file: str  # relative to the working directory when possible, POSIX separators
    line: int
    text: str  # the line, stripped and capped
    how: str  # call | key | default | env | flag | serve | ollama | ollama-store | policy

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "text": self.text, "how": self.how}


class ModelUse(Struct):
    """One model the code base uses, and everywhere it is referenced."""

    target: str  # a Hub id, a local directory path, ollama:NAME:TAG or a .gguf file path
    kind: str  # hub | local | ollama | gguf
    references: list[Reference] = field(default_factory=list)
    root: str | None = None  # local: the scanned tree it was found in (its files are read only inside it)


def hub_id_like(value: str) -> bool:
    """Whether ``value`` has the shape of a Hub model id and is not one of the usual look-alikes."""
    if not HUB_ID.match(value) or "--" in value or ".." in value:
        return False
    org, name = value.split("/")
    if org.lower() in _MIME_TOPS or org.lower() in _PATH_ORGS or org.lower() in _PLACEHOLDER_ORGS:
        return False
    return not has_file_suffix(name)


def has_file_suffix(name: str) -> bool:
    """Whether ``name`` ends in a suffix of the file-kind vocabulary (``rules/vocabulary/file-kinds.yaml``):
    ``org/model.bin`` is a file, not a Hub id."""
    low = name.lower()
    suffixes = filekinds.load().suffixes
    return any(low[i:] in suffixes for i, c in enumerate(low) if c == ".")


def _local_model_dir(value: str, base: Path, root: Path) -> Path | None:
    """The model directory ``value`` names (relative to the file's folder, then to the scanned root), if it is
    one and lies inside ``root`` with every link followed; absolute and ``~`` paths are never taken."""
    from openaudit.textutil import within

    if not value.startswith(("./", "../")):
        return None
    for anchor in (base, root):
        try:
            p = anchor / value
            if not within(p, root):
                continue
            if p.is_dir() and any((p / n).is_file() for n in ("README.md", "LICENSE", "LICENSE.md", "LICENSE.txt")):
                return Path(os.path.normpath(p.absolute()))
        except (OSError, ValueError):
            continue
    return None


def _ollama_target(value: str, base: Path, root: Path) -> tuple[str | None, str | None]:
    """An Ollama model (``ollama:NAME:TAG``) or, from a Modelfile's FROM, a .gguf file of the scanned tree (relative
    to the Modelfile, inside ``root`` with every link followed; absolute and ``~`` paths are never taken)."""
    from openaudit.errors import UsageError
    from openaudit.sources.ollama import parse_ref
    from openaudit.textutil import within

    if value.lower().endswith(".gguf") or value.startswith(("./", "../", "/", "~")):
        if value.startswith(("/", "~")):
            return None, None
        try:
            p = base / value
            if not within(p, root) or not p.is_file() or p.suffix.lower() != ".gguf":
                return None, None
        except (OSError, ValueError):
            return None, None
        return _display_path(Path(os.path.normpath(p.absolute()))), "gguf"
    try:
        return "ollama:" + parse_ref(_OLLAMA_PREFIX.sub("", value)).display, "ollama"
    except UsageError:
        return None, None


def _display_path(p: Path) -> str:
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive (Windows)
        return p.as_posix()
    return Path(rel).as_posix() if not rel.startswith("..") else p.as_posix()


# -- the byte-level prefilter ------------------------------------------------------------------------------
# Every match of the patterns above contains, on its own line, one of these anchors once the bytes are folded
# (ASCII lower-cased, and the four non-ASCII letters that Python's case-insensitive matching takes for an ASCII
# letter replaced by it): the call names (from_pretrained, hf_hub_download, snapshot_download, SentenceTransformer,
# CrossEncoder), a key (every key ends in "model", "model_id", "model_name", "model_name_or_path", "model_repo",
# "model_checkpoint", "repo_id" or "checkpoint_id", and is followed by a quote, a blank, ":", "=" or ","; the
# flags --model-id and --model-name too), "vllm", "ollama", and the "hf.co/" or "huggingface.co/" of FROM lines.
# A file with none is not decoded nor parsed; in a file with some, only the lines holding one are parsed (and the
# line after an open call, whose argument is on the next line). tests/test_scan_prefilter.py checks the superset.
_ANCHORS = (b"from_pretrained", b"_download", b"sentencetransformer", b"crossencoder", b"repo_id", b"checkpoint_id",
            b"vllm", b"ollama", b".co/")
# what Python's \s matches in text, as UTF-8 (\t-\r, \x1c-\x1f, space, U+0085, U+00A0, U+1680, U+2000-U+200A,
# U+2028, U+2029, U+202F, U+205F, U+3000)
_WS_BYTES = (rb"(?:[\t\n\x0b\x0c\r\x1c-\x1f ]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|"
             rb"\xe2\x81\x9f|\xe3\x80\x80)")
_MODEL_KEY = re.compile(rb"model(?:[-_]id|[-_]name(?:_or_path)?|_repo|_checkpoint)?(?:\\?[\"'])?(?:[:=,]|"
                        + _WS_BYTES + rb")")
# non-ASCII letters that (?i) matches with an ASCII one: U+0130 and U+0131 (i), U+212A KELVIN SIGN (k), U+017F (s)
_FOLDS = ((b"\xc4\xb0", b"i"), (b"\xc4\xb1", b"i"), (b"\xe2\x84\xaa", b"k"), (b"\xc5\xbf", b"s"))
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _fold(data: bytes) -> bytes:
    low = data.lower()  # ASCII only; line breaks are kept (hits are placed by counting them in these bytes)
    if not low.isascii():
        for src, dst in _FOLDS:
            low = low.replace(src, dst)
    return low


_automaton: list[Any] = []  # the anchors and "model", compiled on first use (ahocorasick_rs, as the license reader)


def _hits(folded: bytes) -> list[int]:
    """Where the anchors start in folded bytes, in order; "model" only where it is a key (``_MODEL_KEY``).
    One pass of an Aho-Corasick automaton (linear), then a bounded look at each "model"."""
    if not _automaton:
        import ahocorasick_rs

        _automaton.append(ahocorasick_rs.BytesAhoCorasick([*_ANCHORS, b"model"]))
    model = len(_ANCHORS)
    return sorted(start for which, start, _ in _automaton[0].find_matches_as_indexes(folded, overlapping=True)
                  if which != model or _MODEL_KEY.match(folded, start))


def might_reference(data: bytes) -> bool:
    """Whether a file's bytes (UTF-8 or ASCII; a UTF-16 text is decoded by the caller) may hold a model
    reference: False only when no pattern of ``extract`` can match, so such a file need not be decoded nor
    parsed."""
    return bool(_hits(_fold(data)))


def _anchor_lines(folded: bytes, hits: list[int]) -> list[int]:
    """The indices (0-based, in the line split of ``extract``: "\\r\\n", "\\r" and "\\n" end a line) of the lines
    holding a hit, in order."""
    out: list[int] = []
    line, last = 0, 0
    for pos in hits:  # an anchor starts with neither CR nor LF: no CR LF pair straddles last or pos
        line += folded.count(b"\n", last, pos) + folded.count(b"\r", last, pos) - folded.count(b"\r\n", last, pos)
        last = pos
        if not out or out[-1] != line:
            out.append(line)
    return out


def extract(text: str, file: str, *, base: Path | None = None, root: Path | None = None,
            prefilter: bool = True) -> list[tuple[str, str, Reference]]:
    """Model references in one file's text: (target, kind, reference) triples, in line order. With ``prefilter``
    (the default) only the lines the byte-level prefilter selects are parsed: the same result, faster
    (``prefilter=False`` parses every line; the tests compare the two)."""
    return _extract(text, file, base=base, root=root,
                    folded=_fold(text.encode("utf-8", "surrogatepass")) if prefilter else None)


def _extract(text: str, file: str, *, base: Path | None, root: Path | None, folded: bytes | None,
             hits: list[int] | None = None) -> list[tuple[str, str, Reference]]:
    base = base or Path(".")
    root = root or Path(".")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    modelfile = bool(_MODELFILE.match(file.rsplit("/", 1)[-1]))
    if folded is None or modelfile:  # a Modelfile's FROM lines have no anchor: every line is parsed
        todo: list[int] = list(range(len(lines)))
        continued: set[int] = set()
    else:
        todo = [i for i in _anchor_lines(folded, _hits(folded) if hits is None else hits) if i < len(lines)]
        continued = set()
        for i in todo:  # an open call's argument on the next non-blank line (blank lines keep the call open)
            line = lines[i]
            if len(line) > 4000 or _COMMENT.match(line) or _IGNORE_MARK.search(line) or not _OPEN_CALL.search(line):
                continue
            j = i + 1
            while j < len(lines) and len(lines[j]) <= 4000 and not lines[j].strip():
                j += 1
            if j < len(lines):
                continued.add(j)
        if continued:
            todo = sorted(continued.union(todo))
    out: list[tuple[str, str, Reference]] = []
    seen: set[tuple[str, int]] = set()
    open_call = False
    for i in todo:
        line = lines[i]
        lineno = i + 1
        if folded is not None and not modelfile:
            open_call = i in continued
        if len(line) > 4000 or _COMMENT.match(line) or _IGNORE_MARK.search(line):
            open_call = False
            continue
        matches = [(how, m) for how, pattern in _PATTERNS for m in pattern.finditer(line)]
        if modelfile and (m := _MODELFILE_FROM.match(line)):
            matches.append(("ollama-store", m))
        if open_call and (m := _LONE_STRING.match(line)):
            matches.append(("call", m))
        if line.strip():
            open_call = bool(_OPEN_CALL.search(line))
        for how, m in matches:
            groups = m.groupdict()
            value = (groups.get("qv") or groups.get("v") or "").strip()
            if value.startswith("hf.co/"):
                value = value[len("hf.co/"):]
            target, kind = None, None
            if how == "ollama-store" or _OLLAMA_PREFIX.match(value):
                target, kind = _ollama_target(value, base, root)
            elif hub_id_like(value):
                target, kind = value, "hub"
            elif " " not in value or groups.get("qv"):  # an unquoted value ends at a blank
                local = _local_model_dir(value, base, root)
                if local is not None:
                    target, kind = _display_path(local), "local"
            if target is None or (target.lower(), lineno) in seen:
                continue
            seen.add((target.lower(), lineno))
            assert kind is not None  # set with target
            out.append((target, kind, Reference(file, lineno, " ".join(line.split())[:200], how)))
    return out


def _wanted(rel: str, folders: dict[str, bool] | None = None) -> bool:
    """Whether a file (its path relative to the scanned root) is one scan reads: by its name, outside skipped
    folders (``folders`` caches the answer for each folder)."""
    folder, _, name = rel.rpartition("/")
    if folder:
        ok = folders.get(folder) if folders is not None else None
        if ok is None:
            ok = not any(p in IGNORED_DIRS or p.startswith(_HF_CACHE_DIRS) for p in folder.split("/"))
            if folders is not None:
                folders[folder] = ok
        if not ok:
            return False
    if name in _SKIP_NAMES:
        return False
    dot = name.rfind(".")  # the suffix as pathlib gives it
    return (0 < dot < len(name) - 1 and name[dot:].lower() in _SCAN_SUFFIXES) or bool(_SCAN_NAMES.search(name))


# git, told never to run anything a repository configures: no system config, no fsmonitor, no hooks, no bare
# repository found by discovery, no pager, no prompt, no index refresh written back.
_GIT_SAFE = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "safe.bareRepository=explicit",
             "-c", "core.untrackedCache=false", "-c", "core.pager=cat", "--no-pager")
_GIT_ENV_DROP = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_EXTERNAL_DIFF",
                 "GIT_PAGER", "GIT_DISCOVERY_ACROSS_FILESYSTEM")


def _git_top(root: Path) -> Path | None:
    """The work tree whose ``.git`` (a directory or a gitfile) lies at or above ``root``; None if there is none.
    A ``.git`` below ``root``, or anything git's discovery would take for a repository (``HEAD`` + ``objects`` +
    ``refs`` in a folder), is never used."""
    try:
        here = root.resolve()
    except (OSError, RuntimeError):
        return None
    for d in (here, *here.parents):
        try:
            if os.path.lexists(d / ".git"):
                return d
        except (OSError, ValueError):
            return None
    return None


def _git_listing(root: Path) -> list[str] | None:
    """``git ls-files`` of ``root`` (relative to it), or None when git cannot give it."""
    top = _git_top(root)
    if top is None:
        return None
    env = {k: v for k, v in os.environ.items() if k not in _GIT_ENV_DROP}
    env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0",
                "GIT_NO_REPLACE_OBJECTS": "1"})
    try:
        proc = subprocess.run(["git", *_GIT_SAFE, f"--git-dir={top / '.git'}", f"--work-tree={top}", "-C", str(root),
                               "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                              capture_output=True, timeout=60, check=False, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "surrogateescape").split("\0")


def _source_files(root: Path) -> list[str]:
    """Paths (``root`` joined with the relative name) of the files to scan under ``root``, a directory: git's view
    when in a work tree, else a walk; at most MAX_SCAN_FILES. Whether each lies inside ``root`` is checked when
    it is read (``_read_source``)."""
    from openaudit.sources.local import walk

    listed = _git_listing(root)
    names = (sorted(set(filter(None, listed))) if listed is not None else
             walk(root, lambda d: d in IGNORED_DIRS or d.startswith(_HF_CACHE_DIRS), limit=4 * MAX_SCAN_FILES))
    out: list[str] = []
    folders: dict[str, bool] = {}
    for rel in names:
        if _wanted(rel, folders):
            out.append(os.path.join(root, rel))
            if len(out) >= MAX_SCAN_FILES:
                break
    return out


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _inside(path: str, top: str) -> bool:
    """Whether ``path``, every link followed, is ``top`` (a real path) or lies inside it."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _read_source(path: str, top: str | None = None, folders: dict[str, bool] | None = None) -> bytes | None:
    """The bytes of a regular file of at most MAX_SCAN_BYTES, read once and never blocking (``O_NONBLOCK``, then
    anything but a regular file refused: a FIFO, a device, /proc/kmsg); None for anything else, or when it
    cannot be read. With ``top`` (a real path), only a file that lies inside it with every link followed: its
    folder is resolved once (``folders`` caches the answers), and the file is opened without following a link,
    a link being followed only when it leads inside ``top``."""
    import stat

    flags = _OPEN_FLAGS
    if top is not None:
        folder = os.path.dirname(path) or "."
        ok = folders.get(folder) if folders is not None else None
        if ok is None:
            ok = _inside(folder, top)
            if folders is not None:
                folders[folder] = ok
        if not ok or (not _NOFOLLOW and not _inside(path, top)):
            return None
        flags |= _NOFOLLOW
    try:
        try:
            fd = os.open(path, flags)
        except OSError:
            if not flags & _NOFOLLOW or not os.path.islink(path) or not _inside(path, top or "/"):
                return None
            fd = os.open(path, flags & ~_NOFOLLOW)  # a link that stays inside the tree
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_SCAN_BYTES:  # larger: not source code
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_SCAN_BYTES:
            want = min(st.st_size + 1, MAX_SCAN_BYTES + 1) - size if not chunks else MAX_SCAN_BYTES + 1 - size
            chunk = os.read(fd, want)
            chunks.append(chunk)
            size += len(chunk)
            if len(chunk) < want:  # a short read of a regular file: its end
                break
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks) if size <= MAX_SCAN_BYTES else None


def _file_references(data: bytes, path: str, root: Path) -> list[tuple[str, str, Reference]]:
    """The references in one file's bytes: the prefilter first (most files stop there: not decoded, not parsed),
    then only the lines it selects."""
    from openaudit.textutil import decode

    if data[:2] in _UTF16_BOMS:  # the prefilter reads UTF-8: decode first
        text, _ = decode(data)
        folded = _fold(text.encode("utf-8", "surrogatepass")) if text is not None else b""
    else:
        folded = _fold(data)
        text = None
    hits = _hits(folded)
    if not hits and not _MODELFILE.match(os.path.basename(path)):
        return []
    if text is None:
        text, _ = decode(data)
        if text is None:  # binary
            return []
    file = _display_path(Path(path).absolute())
    return _extract(text, file, base=Path(os.path.dirname(path) or "."), root=root, folded=folded, hits=hits)


def _policy_model(model: str, root: Path) -> tuple[str, str]:
    """(target, kind) of a policy ``models:`` entry: a Hub id stays a Hub id; a path is local only inside ``root``."""
    if hub_id_like(model) or (not model.startswith(("./", "../")) and not _exists(root / model)):
        return model, "hub"
    local = _local_model_dir(model if model.startswith(("./", "../")) else f"./{model}", root, root)
    return (_display_path(local), "local") if local is not None else (model, "hub")


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except (OSError, ValueError):
        return False


# a policy or lock file named as a PATH (a pre-commit hook passes the changed files): every model's verdict may
# change, so the whole tree it lies in is scanned
_TREE_FILES = frozenset({*POLICY_FILES, LOCK_FILE, "pyproject.toml"})


def find_models(paths: list[str] | None = None, policy: Policy | None = None) -> list[ModelUse]:
    """Every model referenced under ``paths`` (files or directories; default ".") and in the policy.

    A file named as a PATH is read whatever its name; local model paths in it are taken inside the working
    directory when it lies there (as a scan of "." would), else inside its folder. A policy file, ``openaudit.lock``
    or ``pyproject.toml`` named as a PATH stands for the whole tree it lies in."""
    from openaudit.errors import UsageError

    uses: dict[str, ModelUse] = {}
    placed: dict[str, set[tuple[str, int]]] = {}

    def add(target: str, kind: str, ref: Reference, root: Path) -> None:
        if policy is not None and kind == "hub" and policy.ignores(target):
            return  # the policy says it is no Hub model (an API model name in a gateway config, say)
        key = target.lower() if kind == "hub" else target
        use = uses.setdefault(key, ModelUse(target, kind, root=str(root) if kind == "local" else None))
        where = placed.setdefault(key, set())
        if (ref.file, ref.line) not in where:
            where.add((ref.file, ref.line))
            use.references.append(ref)

    scanned: set[str] = set()
    for raw in paths or ["."]:
        p = Path(raw)
        if not p.exists():
            raise UsageError(f"no such file or directory: {raw}")
        if not p.is_dir() and p.name in _TREE_FILES:
            p = p.parent
        if p.is_dir():
            root, top = p, os.path.realpath(p)
            if top in scanned:
                continue
            scanned.add(top)
            files = _source_files(p)
        else:
            root = Path(".") if _inside(str(p), os.path.realpath(".")) else p.parent
            files, top = [str(p)], None
        folders: dict[str, bool] = {}
        for path in files:
            data = _read_source(path, top, folders)
            if data is None:
                continue
            for target, kind, ref in _file_references(data, path, root):
                add(target, kind, ref, root)
    if policy is not None:
        for model in policy.models:
            target, kind = _policy_model(model, Path("."))
            add(target, kind, _policy_reference(policy, model), Path("."))
    return sorted(uses.values(), key=lambda u: u.target.lower())


def _policy_reference(policy: Policy, model: str) -> Reference:
    source = policy.source or ".openaudit.yaml"
    path = Path(source.split(" [", 1)[0])
    from openaudit.textutil import read_capped

    try:
        text = read_capped(path, MAX_SCAN_BYTES)[0] or ""
        for n, line in enumerate(text.splitlines(), 1):
            if model in line:
                return Reference(_display_path(path.absolute()), n, " ".join(line.split())[:200], "policy")
    except OSError:
        pass
    return Reference(_display_path(path.absolute()), 1, f"models: {model}", "policy")


# -- auditing what was found ------------------------------------------------------------------------------
_OFFLINE_VALUES = ("1", "ON", "YES", "TRUE")


class ScanOutcome(Struct):
    """The models a scan found, the reports of those audited, and those that could not be."""

    uses: list[ModelUse]
    reports: list = field(default_factory=list)  # list[Report], one per model that could be audited
    errors: list = field(default_factory=list)  # list[tuple[str, OpenAuditError]]: models that could not be

    def unaudited(self) -> list[dict]:
        """The models that could not be audited, with where they are referenced (for the reports)."""
        by_target = {u.target: u for u in self.uses}
        out = []
        for target, exc in self.errors:
            use = by_target.get(target)
            out.append({"model": target, "error": exc.message, "exit_code": exc.exit_code,
                        "references": [r.to_dict() for r in use.references] if use else []})
        return out

    def error_lines(self) -> list[str]:
        """One line per model that could not be audited: the error, where it is referenced, what to do."""
        lines = []
        for u in self.unaudited():
            refs = u["references"]
            where = ", ".join(f"{r['file']}:{r['line']}" for r in refs[:3]) + (
                f" (+{len(refs) - 3} more)" if len(refs) > 3 else "")
            line = u["error"] + (f" (referenced at {where})" if where else "")
            if "not found" in u["error"] and refs and refs[0]["how"] != "policy":
                line += "; if it is not a Hub model, add '# openaudit: ignore' to that line"
            lines.append(line)
        return lines

    def offline_models(self) -> list[str]:
        return [str(r.target.get("id")) for r in self.reports if (r.target.get("lock") or {}).get("decided_from_lock")]

    @property
    def exit_code(self) -> int:
        from openaudit.errors import EXIT_GATE_FAILED, EXIT_OK

        codes = [EXIT_OK] + [EXIT_GATE_FAILED for r in self.reports if not r.passed]
        codes += [exc.exit_code for _, exc in self.errors]
        return max(codes)


def _unreachable(exc: Exception) -> bool:
    msg = getattr(exc, "message", str(exc))
    return "could not reach the Hub" in msg or bool(re.search(r"HTTP (?:5\d\d|429|None)", msg))


def _source(use: ModelUse, revision: str | None = None, *, offline: bool):
    """The evidence source of a use: a Hub id is always read from the Hub (never from a folder of the same name);
    a local directory only inside the tree it was found in."""
    if use.kind == "hub":
        from openaudit.sources import resolve_hub

        return resolve_hub(use.target if revision is None else f"{use.target}@{revision}", offline=offline)
    if use.kind == "ollama":  # read from Ollama's store on this machine
        from openaudit.sources.ollama import OllamaSource

        return OllamaSource.from_target(use.target)
    if use.kind == "gguf":  # a .gguf file of the scanned tree (FROM in a Modelfile)
        from openaudit.sources.gguf import GGUFSource

        return GGUFSource(Path(use.target))
    from openaudit.sources.local import LocalSource

    return LocalSource(Path(use.target), root=Path(use.root) if use.root else None)


def audit_uses(uses: list[ModelUse], *, policy: Policy | None = None, context=None, offline: bool = False,
               lock: dict | None = None, lock_file: str = LOCK_FILE, rules: tuple[str, ...] = (),
               max_depth: int | None = None) -> ScanOutcome:
    """Audit each model with the policy, as `check` does (the same engine: base_model followed up to
    ``max_depth``, datasets read). With a lock: offline (or with the Hub unreachable) the locked revision is read
    from the cache, and its audit must reproduce the lock's digest (an edited or stale lock fails, exit 2);
    online, a changed revision or changed terms is drift (facts ``lock_drift``, OA908)."""
    from openaudit.audit import audit_evidence
    from openaudit.errors import EvidenceUnavailable, OpenAuditError
    from openaudit.lineage import DEFAULT_MAX_DEPTH, LineageResolver
    from openaudit.lock import drift, verify

    lock = lock or {}
    offline = offline or os.environ.get("HF_HUB_OFFLINE", "").upper() in _OFFLINE_VALUES
    outcome = ScanOutcome(uses)
    resolver = LineageResolver(offline=offline)
    cache_only: list[LineageResolver] = []  # decided from the lock: the model and its upstreams from the cache

    def offline_resolver() -> LineageResolver:
        if not cache_only:
            cache_only.append(resolver if offline else LineageResolver(offline=True, catalog=resolver.catalog))
        return cache_only[0]

    depth = DEFAULT_MAX_DEPTH if max_depth is None else max_depth
    for use in uses:
        locked = lock.get(use.target) or next((v for k, v in lock.items() if k.lower() == use.target.lower()), None)
        locked_rev = (locked or {}).get("revision") if use.kind == "hub" and "@" not in use.target else None
        notes: list[str] = []
        from_lock = False
        try:
            res = resolver
            if offline and locked_rev:
                ev = resolver.fetch_target(_source(use, locked_rev, offline=True))
                notes.append(f"Decided offline from {lock_file}: locked revision {locked_rev[:12]} read from the "
                             "Hub cache.")
                from_lock = True
            else:
                try:
                    ev = resolver.fetch_target(_source(use, offline=offline))
                except EvidenceUnavailable as exc:
                    if not (locked_rev and not offline and _unreachable(exc)):
                        raise
                    res = offline_resolver()
                    ev = res.fetch_target(_source(use, locked_rev, offline=True))
                    notes.append(f"The Hub was unreachable ({exc.message}); decided offline from {lock_file}: "
                                 f"locked revision {locked_rev[:12]} read from the Hub cache.")
                    from_lock = True
            trace = res.trace(ev, max_depth=depth, local_root=Path(use.root) if use.root else None)
            report = audit_evidence(ev, context=context, policy=policy, rules=rules, catalog=res.catalog,
                                    lineage=trace)
            if from_lock:
                verify(use.target, locked, report, lock_file)  # the lock must describe what was just audited
            if locked and not from_lock and not ev.offline:
                changes = drift(use.target, locked, report)
                if changes:
                    report = audit_evidence(ev, context=context, policy=policy, rules=rules, catalog=resolver.catalog,
                                            lineage=trace, extra_facts={"lock_drift": changes})
        except OpenAuditError as exc:
            outcome.errors.append((use.target, exc))
            continue
        report.target["references"] = [r.to_dict() for r in use.references]
        if locked is not None:
            report.target["lock"] = {"file": lock_file, "revision": locked.get("revision"),
                                     "digest": locked.get("digest"), "decided_from_lock": from_lock}
        report.notes.extend(notes)
        outcome.reports.append(report)
    return outcome


def scan_document(outcome: ScanOutcome) -> dict:
    """`scan --format json`: one object whatever the number of models: the reports under ``models`` (each the
    `check` report contract), the models that could not be audited under ``not_audited``, and the gate."""
    from openaudit import __version__
    from openaudit.model import SCHEMA_VERSION

    unaudited = outcome.unaudited()
    return {"schema_version": SCHEMA_VERSION, "tool": {"name": "openaudit", "version": __version__},
            "passed": all(r.passed for r in outcome.reports) and not unaudited,
            "models": [r.to_dict() for r in outcome.reports], "not_audited": unaudited}


def render_outcome(outcome: ScanOutcome, fmt: str, out, *, color: bool | None = None,
                   min_severity: str | None = None) -> None:
    """Render a scan: the reports, plus (Markdown, SARIF, table) the models that could not be audited.
    ``min_severity``: SARIF only, the least severe finding written as a result."""
    from openaudit.report import render

    unaudited = outcome.unaudited()
    if fmt in ("markdown", "sarif"):
        from openaudit.textutil import RedactingWriter, secrets

        tokens = secrets()
        stream = cast(TextIO, RedactingWriter(out, tokens)) if tokens else out  # as openaudit.report.render does
        if fmt == "markdown":
            from openaudit.report.markdown import render_markdown

            render_markdown(outcome.reports, stream, unaudited=unaudited)
        else:
            from openaudit.report.sarif import render_sarif

            render_sarif(outcome.reports, stream, unaudited=unaudited, **({"min_severity": min_severity}
                                                                         if min_severity else {}))
    elif fmt == "json":
        import json

        from openaudit.textutil import RedactingWriter, secrets

        tokens = secrets()
        stream = RedactingWriter(out, tokens) if tokens else out
        stream.write(json.dumps(scan_document(outcome), indent=2, ensure_ascii=True) + "\n")
    else:
        render(outcome.reports, fmt, out, color=color)
    if fmt == "quiet":
        for line in outcome.error_lines():
            out.write(f"{line}  NOT AUDITED\n")
    if fmt == "table" and (len(outcome.uses) > 1 or unaudited):
        from openaudit.batch import summary_text

        out.write(summary_text(outcome.reports, outcome.errors))
