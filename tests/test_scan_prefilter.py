"""The byte-level prefilter of `openaudit scan` (issue 18) drops no reference the parser finds.

A file is decoded and parsed only when its folded bytes hold an anchor (a loader name, a model key followed
by its separator, "vllm", "ollama", ".co/"), and then only the lines holding one (plus the line after an open
call). So the prefilter must accept every text in which the line parser (``extract(..., prefilter=False)``)
finds a reference, however the reference is written: case changes (with the non-ASCII letters that Python's
case-insensitive matching takes for ASCII ones), Unicode blanks where the patterns allow ``\\s``, CR or CRLF line
ends, a call's argument on a later line, escaped JSON quotes, UTF-8 and UTF-16 byte-order marks. Also here: the
changed-files mode of the pre-commit hook (file arguments), and the containment checks of the faster walk.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openaudit import scan
from openaudit.scan import extract, find_models, might_reference

ROOT = Path(__file__).resolve().parents[1]

# References the parser finds, each written in an unusual way; the file name decides Modelfile parsing.
ODD = [
    ("x.py", 'm = AutoModel.from_pretrained(\r\n\r\n    "acme/crlf-split-call")\r\n'),
    ("x.py", 'm = AutoModel.from_pretrained(\r    "acme/cr-split-call")\r'),
    ("x.py", 'tok = AutoTokenizer.from_pretrained(  \n\u2003\n\t"acme/blank-line-of-em-space")\n'),
    ("x.py", 'snapshot_download(\n  repo_id="acme/next-line-kwarg")\n'),
    ("x.py", 'CrossEncoder(\n\tr"acme/cross-encoder")'),
    ("x.py", 'emb = SentenceTransformer(b"acme/st")'),
    ("x.py", 'MODEL\u2003= "acme/em-space"'),
    ("x.yaml", "model\u00a0: acme/nbsp"),
    ("x.yaml", "model\x1c: acme/file-separator"),
    ("x.py", 'MODEL_\u0130D = "acme/dotted-capital-i"'),
    ("x.py", 'REPO_\u0131D="acme/dotless-i"'),
    ("x.yaml", "chec\u212apoint_id: acme/kelvin-sign"),
    ("x.yaml", "ba\u017fe_model: acme/long-s"),
    ("x.ipynb", '    "cfg = {\\"model\\": \\"acme/escaped-json\\"}\\n",'),
    ("Dockerfile", "ENV\tHF_MODEL_ID\x0bacme/env-vertical-tab"),
    ("x.py", 'name = os.getenv("HF_MODEL"\u3000, "acme/ideographic-space")'),
    ("x.py", 'name = OS.ENVIRON.GET( "Pretrained_Model_Name_Or_Path" , "acme/env-default")'),
    ("x.sh", "exec vllm  serve\t'acme/served'"),
    ("x.yaml", 'command: ["--Model-Id", "acme/tgi-flag"]'),
    ("x.sh", "python train.py --BASE_MODEL=acme/base-flag"),
    ("x.sh", "python -m srv --model-name\u2009acme/thin-space-flag"),
    ("Dockerfile", "FROM Hf.Co/acme/gguf-repo:Q4_K_M"),
    ("Modelfile", "FROM llama3.2:1b\nPARAMETER temperature 0.2\n"),
    ("x.sh", "ollama pull qwen2.5:7b"),
    ("x.yaml", "litellm_params:\n  model: ollama/llama3\n"),
    ("x.toml", "MODEL_NAME_OR_PATH = 'acme/long-key'"),
    ("x.env", "BASE_MODEL_ID=acme/dotenv"),
    ("x.py", "pipe = pipeline(task, model = 'acme/kw-arg')  # a trailing comment"),
    ("x.py", "\ufeff\nmodel_checkpoint = 'acme/after-a-bom'"),
    ("x.py", "x = 1\u2028model_repo = 'acme/after-a-line-separator'"),
]


@pytest.mark.parametrize(("name", "text"), ODD, ids=[t[1][:40] for t in ODD])
def test_odd_references_pass_the_prefilter(name, text):
    full = extract(text, name, prefilter=False)
    assert full, "the parser itself finds this reference (else the case proves nothing)"
    assert might_reference(text.encode("utf-8")) or name == "Modelfile"
    assert extract(text, name) == full


@pytest.mark.parametrize("between", ["\n" + " " * 4001 + "\n", "\n# a comment\n", "\nx = 1\n",
                                     "\n" + "\u2003" * 4001 + "\n", "\n\n\n", "\r\n \r\n"])
def test_an_open_call_ends_where_the_parser_ends_it(between):
    text = f'm = AutoModel.from_pretrained({between}    "acme/x")\n'
    assert extract(text, "x.py") == extract(text, "x.py", prefilter=False)


def test_the_prefilter_drops_plain_code():
    body = (ROOT / "bench" / "scan_speed.py").read_text().split("BODY = '''", 1)[1].split("'''", 1)[0]
    assert "models" in body  # prose that names models, a key-like word, and no reference
    assert not might_reference(body.encode() * 8)
    assert not might_reference(b"# models are loaded elsewhere\nout = remodel(x, model.config)\n")


def test_the_unicode_tables_are_those_of_python_re():
    """Every character Python's ``\\s`` matches in text is a blank of the prefilter (as UTF-8), and every
    character that ``(?i)`` matches with an ASCII letter folds to that letter."""
    ws = re.compile(scan._WS_BYTES)
    letter = re.compile(r"(?i)[a-z]")
    for cp in range(0x110000):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        if re.fullmatch(r"\s", ch):
            assert ws.fullmatch(ch.encode()), hex(cp)
        if letter.fullmatch(ch):
            folded = scan._fold(ch.encode())
            assert len(folded) == 1 and re.fullmatch(rf"(?i){re.escape(folded.decode())}", ch), hex(cp)


# -- generated variants: the prefilter never changes what the parser finds ---------------------------------
_BLANKS = [" ", "\t", "\x0b", "\x0c", "\x1f", "\u00a0", "\u2003", "\u3000", "\u205f"]
_BREAKS = ["\n", "\r\n", "\r"]
_SWAPS = {"i": ["I", "\u0130", "\u0131"], "k": ["K", "\u212a"], "s": ["S", "\u017f"]}
_FILLER = ["", "import os", "# a comment about models", "x = compute(models)", "   ", "\u2003", "model",
           "value = model.generate(ids)", "# from_pretrained(", "print('openaudit: ignore')", "}", "data = {"]


@st.composite
def _variant(draw):
    name, text = draw(st.sampled_from(ODD))
    out = []
    for ch in text:
        if ch == " " and draw(st.booleans()):
            ch = draw(st.sampled_from(_BLANKS)) * draw(st.integers(1, 3))
        elif ch.isascii() and ch.isalpha() and draw(st.integers(0, 3)) == 0:
            ch = draw(st.sampled_from([ch.swapcase(), *_SWAPS.get(ch.lower(), [])]))
        elif ch == "\n":
            ch = draw(st.sampled_from(_BREAKS)) * draw(st.integers(1, 2))
        out.append(ch)
    before = draw(st.lists(st.sampled_from(_FILLER), max_size=4))
    after = draw(st.lists(st.sampled_from(_FILLER), max_size=4))
    brk = draw(st.sampled_from(_BREAKS))
    return name, brk.join([*before, "".join(out), *after])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_variant())
def test_generated_variants_parse_alike_with_and_without_the_prefilter(case):
    name, text = case
    full = extract(text, name, prefilter=False)
    assert extract(text, name) == full
    if full and name != "Modelfile":
        assert might_reference(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*"modelMODEL_idnrepochkt:=,'\"\\ \t\n\r(/acme-x1.", "from_pretrained(", "\u2003",
                                 "\u0130", "\u212a", "repo_id", "--"]), max_size=80).map("".join))
def test_random_texts_parse_alike_with_and_without_the_prefilter(text):
    full = extract(text, "x.py", prefilter=False)
    assert extract(text, "x.py") == full
    if full:
        assert might_reference(text.encode("utf-8", "surrogatepass"))


# -- files: encodings, line numbers, each file read once -----------------------------------------------------
def _targets(paths: list[str]) -> dict[str, list[tuple[str, int]]]:
    return {u.target: [(r.file, r.line) for r in u.references] for u in find_models(paths)}


def test_encodings_and_line_ends_in_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("utf16.py").write_bytes('\n\nm = AutoModel.from_pretrained("acme/utf16")\n'.encode("utf-16"))
    Path("bom.py").write_bytes(b"\xef\xbb\xbfm = AutoModel.from_pretrained('acme/utf8-bom')\n")
    Path("cr.py").write_bytes(b"import x\rm = AutoModel.from_pretrained(\r\r  'acme/cr-only')\r")
    Path("bad.yaml").write_bytes(b"\xfd\xfe\xff: 1\nname: \xe2\x80\nmodel\xe2\x80\x83: acme/after-bad-bytes \xff\n")
    Path("binary.py").write_bytes(b"\0\0model: acme/in-a-binary\n")
    found = _targets(["."])
    assert found == {"acme/utf16": [("utf16.py", 3)], "acme/utf8-bom": [("bom.py", 1)],
                     "acme/cr-only": [("cr.py", 4)], "acme/after-bad-bytes": [("bad.yaml", 3)]}


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_a_folder_swapped_for_a_link_out_of_the_tree_is_not_read(tmp_path, monkeypatch):
    """git's index still lists sub/app.py after sub/ became a link to a folder outside the tree: not read. A file
    link that stays inside the tree is read; a FIFO is skipped without blocking."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "app.py").write_text('m = AutoModel.from_pretrained("acme/outside")\n')
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "sub" / "app.py").write_text('m = AutoModel.from_pretrained("acme/inside")\n')
    (repo / "real.py").write_text('m = AutoModel.from_pretrained("acme/real")\n')
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    (repo / "sub" / "app.py").unlink()
    (repo / "sub").rmdir()
    (repo / "sub").symlink_to(outside, target_is_directory=True)
    (repo / "alias.py").symlink_to("real.py")
    (repo / "leak.py").symlink_to(outside / "app.py")
    os.mkfifo(repo / "pipe.py")
    monkeypatch.chdir(repo)
    assert _targets(["."]) == {"acme/real": [("alias.py", 1), ("real.py", 1)]}


def test_changed_files_find_what_a_tree_scan_finds_in_them(tmp_path, monkeypatch):
    """What a pre-commit hook does (file arguments): a file's references, local model paths included, are those
    a scan of the whole tree finds in it; a policy or lock file stands for the whole tree."""
    monkeypatch.chdir(tmp_path)
    model = Path("models/local-x")
    model.mkdir(parents=True)
    (model / "README.md").write_text("---\nlicense: mit\n---\n# x\n")
    Path("src/deep").mkdir(parents=True)
    Path("src/deep/app.py").write_text('a = AutoModel.from_pretrained("../../models/local-x")\n'
                                       'b = AutoModel.from_pretrained("acme/hub-model")\n')
    Path("other.py").write_text('c = AutoModel.from_pretrained("acme/other")\n')
    Path(".openaudit.yaml").write_text("deny: []\n")
    tree = _targets(["."])
    assert tree == {"models/local-x": [("src/deep/app.py", 1)], "acme/hub-model": [("src/deep/app.py", 2)],
                    "acme/other": [("other.py", 1)]}
    assert _targets(["src/deep/app.py"]) == {k: v for k, v in tree.items() if k != "acme/other"}
    assert _targets(["other.py"]) == {"acme/other": [("other.py", 1)]}
    for name in (".openaudit.yaml", "openaudit.lock", "pyproject.toml"):
        Path(name).touch()
        assert _targets([name]) == tree, name
        assert _targets([name, "other.py"]) == tree, name


# -- the pre-commit hook passes the files a tree scan would read ---------------------------------------------
def _hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return next(h for h in hooks if h["id"] == "openaudit")


def _sample_paths() -> list[str]:
    names = [f"a{s}" for s in scan._SCAN_SUFFIXES] + [f"B{s.upper()}" for s in scan._SCAN_SUFFIXES]
    names += [*scan._SCAN_SUFFIXES, "..py", "x.", "a.py.bak", "README.md", "notes.txt", "img.png", "Dockerfile",
              "dockerfile.gpu", "Containerfile", "Makefile", "Procfile", "Modelfile", "x.Modelfile", ".env",
              ".env.local", "prod.env", "Dockerfile~", "mydockerfile", "env", ".envrc", "x.lock"]
    names += sorted(scan._SKIP_NAMES) + sorted(scan._TREE_FILES)
    paths = names + [f"src/{n}" for n in names]
    paths += [f"{d}/a.py" for d in scan.IGNORED_DIRS] + [f"src/{d}/x/a.yaml" for d in scan.IGNORED_DIRS]
    paths += [f"{p}a--b/a.py" for p in scan._HF_CACHE_DIRS] + ["src/.env.x/foo", "a/.env.d/b.env", "Vendor/a.py"]
    return paths


def test_the_hook_passes_the_files_a_tree_scan_reads():
    hook = _hook()
    assert hook["pass_filenames"] is True and hook["entry"] == "openaudit scan"
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for path in _sample_paths():
        selected = bool(files.search(path)) and not exclude.search(path)
        scanned = scan._wanted(path) or path.rsplit("/", 1)[-1] in scan._TREE_FILES
        assert selected == scanned, path


def test_a_named_modelfile_is_read_in_a_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("gpu.Modelfile").write_text("FROM hf.co/acme/gguf-model:Q4_K_M\n")
    assert _targets(["."]) == {"acme/gguf-model": [("gpu.Modelfile", 1)]}
