"""The pre-commit hook (.pre-commit-hooks.yaml) run for real with `pre-commit try-repo`.

pre-commit builds the hook's virtualenv from the hook repository with pip, so this test needs PyPI (for
hatchling and openaudit's dependencies) and takes about 90 s the first time (pip's cache makes later runs
faster). The hook repository is a temporary git repository holding a copy of this project (try-repo would
otherwise miss uncommitted files). The project under test is a fresh git repository whose app.py loads
`acme/tiny-llama`, served by the fake Hub with a Llama 3.1 license, and whose policy denies llama3.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import hub_env
from test_scan_gate import APP, CARD, DENY, LICENSE  # app.py loads acme/tiny-llama on line 4

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")

pytestmark = [pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed (pip install '.[test]')"),
              pytest.mark.slow]  # installs the hook into a fresh environment


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _hook_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "openaudit-hook"
    repo.mkdir()
    for name in ("src", "rules", "schema"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "hatch_build.py", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hook")
    return repo




def _project(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text(APP)
    (app / ".openaudit.yaml").write_text(DENY)
    _git(app, "init", "-q")
    _git(app, "add", "-A")
    return app


def _try_repo(hook: Path, app: Path, home: Path, hub_url: str, *files: str) -> subprocess.CompletedProcess[str]:
    env = hub_env(hub_url, home / "hf", PRE_COMMIT_HOME=str(home))
    env = {k: v for k, v in env.items() if not k.startswith("PRE_COMMIT") or k == "PRE_COMMIT_HOME"}
    which = ["--files", *files] if files else ["--all-files"]
    return subprocess.run([PRE_COMMIT, "try-repo", str(hook), "openaudit", *which, "--verbose"], cwd=app,
                          env=env, capture_output=True, text=True, timeout=600)


def test_pre_commit_try_repo_fails_on_the_denied_model_and_passes_with_a_waiver(tmp_path, fake_hub):
    fake_hub.add_repo("acme/tiny-llama", {"README.md": CARD, "LICENSE": LICENSE, "model.safetensors": b"\0" * 8})
    hook = _hook_repo(tmp_path)
    home = tmp_path / "pre-commit-home"
    app = _project(tmp_path)
    proc = _try_repo(hook, app, home, fake_hub.url)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "openaudit (model licenses and openness)" in out and "Failed" in out
    assert "acme/tiny-llama" in out and "OA901" in out and "app.py:4" in out
    assert fake_hub.requests_to("/api/models/acme/tiny-llama")  # the hook really asked the (fake) Hub

    # the hook is given the changed files: one without a reference audits nothing; app.py fails again
    (app / "lib.py").write_text("def helper(models):\n    return len(models)\n")
    (app / "README.md").write_text('Load it with `AutoModel.from_pretrained("acme/tiny-llama")`.\n')
    _git(app, "add", "-A")
    asked = len(fake_hub.requests_to("/api/models/acme/tiny-llama"))
    proc = _try_repo(hook, app, home, fake_hub.url, "lib.py", "README.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no model references found" in proc.stdout
    assert len(fake_hub.requests_to("/api/models/acme/tiny-llama")) == asked
    proc = _try_repo(hook, app, home, fake_hub.url, "app.py")
    assert proc.returncode == 1 and "app.py:4" in proc.stdout + proc.stderr

    (app / ".openaudit.yaml").write_text(DENY + "waivers:\n  - {model: acme/tiny-llama, rule: OA901, "
                                                "reason: 'approved by legal, LEG-1'}\n")
    _git(app, "add", "-A")
    proc = _try_repo(hook, app, home, fake_hub.url)  # the hook's environment is reused: fast
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout and "approved by legal" in proc.stdout
