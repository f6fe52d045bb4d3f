"""The pre-commit hook (.pre-commit-hooks.yaml) run for real with `pre-commit try-repo`.

pre-commit builds the hook's virtualenv from the hook repository with pip, so this test needs PyPI (for
hatchling and openaudit's dependencies) and takes about 90 s (under the 2 min past which it would be marked
slow). The hook repository is
a temporary git repository holding a copy of this project (try-repo would otherwise miss uncommitted files).
The model is a local directory referenced from a config, so the hook needs no Hub.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")

pytestmark = pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed (pip install '.[test]')")


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _hook_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "openaudit-hook"
    repo.mkdir()
    for name in ("src", "rules", "schema"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hook")
    return repo


def _project(tmp_path: Path, policy: str) -> Path:
    app = tmp_path / "app"
    (app / "local-model").mkdir(parents=True)
    (app / "local-model" / "README.md").write_text("---\nlicense: apache-2.0\n---\n# local-model\n\nA toy model.\n")
    (app / "serve.yaml").write_text("model: ./local-model\n")
    (app / ".openaudit.yaml").write_text(policy)
    _git(app, "init", "-q")
    _git(app, "add", "-A")
    return app


def _try_repo(hook: Path, app: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home), HF_HOME=str(home / "hf"), HF_HUB_OFFLINE="1", NO_COLOR="1")
    return subprocess.run([PRE_COMMIT, "try-repo", str(hook), "openaudit", "--all-files", "--verbose"], cwd=app,
                          env=env, capture_output=True, text=True, timeout=600)


def test_pre_commit_try_repo_fails_on_a_denied_model_and_passes_otherwise(tmp_path):
    hook = _hook_repo(tmp_path)
    home = tmp_path / "pre-commit-home"
    app = _project(tmp_path, "licenses:\n  deny: [apache-2.0]\n")
    proc = _try_repo(hook, app, home)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "openaudit" in out and "Failed" in out
    assert "local-model" in out and "OA901" in out

    (app / ".openaudit.yaml").write_text("licenses:\n  allow: [apache-2.0]\n")
    _git(app, "add", "-A")
    proc = _try_repo(hook, app, home)  # the hook's environment is reused: fast
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
