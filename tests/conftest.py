"""Shared fixtures. ``fake_hub``: a fake Hugging Face Hub on 127.0.0.1 (see tests/fakehub.py).

The suite runs in parallel (pytest-xdist, ``-n auto`` in pyproject.toml), so every test gets its own
``HF_HOME`` (no shared Hub cache between tests or workers) and the fake Hub listens on a free port.

Markers (registered in pyproject.toml): ``slow`` for the tests that run for seconds each: real timeouts,
the CLI end to end against the fake Hub, the pre-commit install. Every test that uses the ``fake_hub``
fixture is marked ``slow`` here; other slow tests carry the marker themselves. ``pytest -m "not slow"``
is the fast tier (run on Python 3.12 and 3.13 in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakehub import FakeHub


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "fake_hub" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _own_hf_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Hub cache of this test's own, inherited by the CLI subprocesses it starts."""
    hf_home: Path = tmp_path_factory.mktemp("hf_home")
    monkeypatch.setenv("HF_HOME", str(hf_home))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    hub = FakeHub().start()
    try:
        yield hub
    finally:
        hub.stop()
    assert not hub.errors, "the fake hub itself failed:\n" + "\n".join(hub.errors)
