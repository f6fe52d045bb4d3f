"""`openaudit scan`: finding model references in a code base (tests/fixtures/scan_repo), without false positives."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from openaudit.policy import parse_policy
from openaudit.scan import extract, find_models, hub_id_like

FIXTURE = Path(__file__).parent / "fixtures" / "scan_repo"

EXPECTED_HUB = {
    "acme/const-model": ("app.py", 7),
    "acme/tok-model": ("app.py", 8),
    "acme/multiline-model": ("app.py", 10),
    "acme/pipe-model": ("app.py", 13),
    "acme/dl-model": ("app.py", 14),
    "acme/snap-model": ("app.py", 15),
    "acme/st-model": ("app.py", 16),
    "acme/modelfile-model": ("Modelfile", 2),
    "acme/yaml-model": ("config.yaml", 2),
    "acme/base-model": ("config.yaml", 3),
    "acme/json-model": ("settings.json", 2),
    "acme/toml-model": ("configs/train.toml", 2),
    "acme/docker-model": ("Dockerfile", 2),
    "acme/vllm-json-model": ("Dockerfile", 5),
    "acme/tgi-model": ("docker-compose.yml", 4),
    "acme/compose-env-model": ("docker-compose.yml", 6),
    "acme/serve-model": ("serve.sh", 2),
    "acme/ollama-model": ("serve.sh", 3),
    "acme/flag-model": ("serve.sh", 4),
    "acme/dotenv-model": (".env", 1),
    "acme/notebook-model": ("notebook.ipynb", 8),
}


def _copy_fixture(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    # Places that must never be scanned, whatever they contain.
    for d in ("node_modules/pkg", ".venv/lib", "venv/lib", "vendor/x", "third_party/y",
              ".hf-cache/hub/models--acme--x/snapshots/abc", ".cache/huggingface"):
        (repo / d).mkdir(parents=True)
        (repo / d / "m.py").write_text('AutoModel.from_pretrained("acme/vendored-model")\n')
    return repo


def _found(repo: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[str, int]]]:
    monkeypatch.chdir(repo)
    return {u.target: [(r.file, r.line) for r in u.references] for u in find_models(["."])}


def test_every_reference_style_is_found_and_no_trap(tmp_path, monkeypatch):
    repo = _copy_fixture(tmp_path)
    found = _found(repo, monkeypatch)
    hub = {k: v for k, v in found.items() if k != "local-model"}
    assert hub == {k: [v] for k, v in EXPECTED_HUB.items()}
    assert found["local-model"] == [("serve.yaml", 2)]  # a local model directory referenced by path


def test_gitignore_is_honoured_in_a_git_work_tree(tmp_path, monkeypatch):
    repo = _copy_fixture(tmp_path)
    (repo / "ignored").mkdir()
    (repo / "ignored" / "app.py").write_text('AutoModel.from_pretrained("acme/ignored-model")\n')
    (repo / "also.py").write_text('AutoModel.from_pretrained("acme/untracked-model")\n')
    # Without git: a walk that skips only the ignore dirs, so ignored/ is scanned.
    assert "acme/ignored-model" in _found(repo, monkeypatch)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitignore").write_text("ignored/\n")
    found = _found(repo, monkeypatch)
    assert "acme/ignored-model" not in found
    assert "acme/untracked-model" in found  # untracked but not ignored: scanned
    assert "acme/vendored-model" not in found  # nor in a Hugging Face cache kept inside the tree


def test_explicit_models_in_the_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".openaudit.yaml").write_text("models:\n  - acme/listed-model\n")
    policy = parse_policy({"models": ["acme/listed-model"]}, str(tmp_path / ".openaudit.yaml"))
    uses = find_models([str(tmp_path)], policy)
    assert [(u.target, u.references[0].file, u.references[0].line, u.references[0].how) for u in uses] == [
        ("acme/listed-model", ".openaudit.yaml", 2, "policy")]


@pytest.mark.parametrize("line", [
    'mime = "text/plain"',
    'headers = {"Content-Type": "application/json"}',
    'p = os.path.join("data/x")',
    'p = Path("a/b")',
    'url = "https://huggingface.co/acme/x"',
    'model: https://huggingface.co/acme/x',
    'model = AutoModel.from_pretrained(path)',
    'model = f"{org}/{name}"',
    'model_file: models/model.safetensors',
    'model: data/model',
    'model: outputs/checkpoint-500',
    'model: acme/bad--name',
    'model: acme/x.json',
    '# model: acme/commented',
    '// "model": "acme/commented"',
    'model: acme/x  # openaudit: ignore',
    'pipeline("text-generation")',
    'tokenizer: acme/tokenizer-only',
    'dataset_id: acme/data',
    'image: ghcr.io/acme/server:1.0',
    'ratio = 1/2',
    'FROM python:3.12-slim',
    'model = SentenceTransformer(model_dir)',
    'm = AutoModel.from_pretrained("org/name")',
    'model_id: your-org/your-model',
])
def test_false_positive_traps(line):
    assert extract(line, "f.py") == []


@pytest.mark.parametrize("line, want", [
    ('m = AutoModel.from_pretrained("acme/a")', "acme/a"),
    ("m = AutoModel.from_pretrained('acme/a', trust_remote_code=False)", "acme/a"),
    ('pipe = pipeline(task="summarization", model="acme/a", device=0)', "acme/a"),
    ('hf_hub_download("acme/a", "config.json")', "acme/a"),
    ('snapshot_download(repo_id="acme/a", revision="v1")', "acme/a"),
    ('MODEL_ID=acme/a', "acme/a"),
    ('  - BASE_MODEL=acme/a', "acme/a"),
    ('"model_name_or_path": "acme/a",', "acme/a"),
    ('model_id = "acme/a"', "acme/a"),
    ('ENV HF_MODEL_ID acme/a', "acme/a"),
    ('python -m vllm.entrypoints.openai.api_server --model acme/a', "acme/a"),
    ('text-generation-launcher --model-id acme/a', "acme/a"),
    ('args: ["--model", "acme/a"]', "acme/a"),
    ('ollama pull hf.co/acme/a-GGUF:Q8_0', "acme/a-GGUF"),
    ('model: bigscience/bloom-560m', "bigscience/bloom-560m"),
    ('emb = SentenceTransformer("acme/a", device="cpu")', "acme/a"),
    ('FROM hf.co/acme/a-GGUF:Q4_K_M', "acme/a-GGUF"),
    ('    "m = AutoModel.from_pretrained(\\"acme/a\\")\\n",', "acme/a"),
    ('    "model_id = \\"acme/a\\"\\n",', "acme/a"),
])
def test_reference_styles(line, want):
    assert [t for t, _, _ in extract(line, "f")] == [want]


def test_hub_id_shape():
    assert hub_id_like("meta-llama/Llama-3.1-8B-Instruct")
    assert hub_id_like("Qwen/Qwen2.5-0.5B")
    for bad in ("text/plain", "a/b/c", "/abs", "acme/", "acme/x..y", "-x/y", "acme/x.gguf", "data/x", "a b/c"):
        assert not hub_id_like(bad), bad
