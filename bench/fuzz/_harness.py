"""Shared bits of the atheris harnesses: decode the fuzzer's bytes like openaudit decodes a file."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "src"))



def instrumented():
    """``atheris.instrument_imports()`` when atheris is installed (coverage feedback), else a no-op."""
    try:
        import atheris
    except ImportError:
        import contextlib

        return contextlib.nullcontext()
    return atheris.instrument_imports(include=["openaudit", "yaml"])


with instrumented():
    from openaudit.textutil import decode


def text_of(data: bytes) -> str:
    text, _err = decode(data)
    return text if text is not None else data.decode("latin-1")


def main(test_one_input) -> None:
    import atheris  # pip install atheris (not needed in CI)

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
