"""The shared corpus beside the project (../shared/corpus): read at test time, never copied into the repo."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_license(name: str) -> str:
    """The text of ``licenses/<name>`` from the corpus; the calling test is skipped if the corpus is absent."""
    path = CORPUS / "licenses" / name
    if not path.is_file():
        pytest.skip(f"shared corpus license {name} not found at {path} (../shared sits beside the project)")
    return path.read_text(encoding="utf-8")
