"""Shared fixtures. ``fake_hub``: a fake Hugging Face Hub on 127.0.0.1 (see tests/fakehub.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakehub import FakeHub


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    hub = FakeHub().start()
    try:
        yield hub
    finally:
        hub.stop()
    assert not hub.errors, "the fake hub itself failed:\n" + "\n".join(hub.errors)
