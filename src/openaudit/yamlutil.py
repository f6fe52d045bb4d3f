"""Loading openaudit's own YAML data (rules/, the license catalog, MOF and grade tables).

Safe loading only, with PyYAML's C loader when it is built. An installed wheel carries the bundled YAML
files already parsed, as one JSON document (``openaudit/_bundle.json``, written at build time by
``hatch_build.py``): ``load_file`` takes a bundled file's data from there (~2 ms for all of them with msgspec's
JSON decoder, against ~50 ms to parse the YAML) and parses any other file. The bundle is part of the installed
package, as trusted as its code; nothing is cached at run time. Untrusted YAML (model cards) goes through
``openaudit.card``'s budgeted loader instead."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

BUNDLE = Path(__file__).resolve().parent / "_bundle.json"


def load_data(source: str | IO[str]) -> Any:
    """Parse one bundled (or user-supplied rules/catalog) YAML document with a safe loader."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(source, Loader=loader)  # noqa: S506 - a SafeLoader


@lru_cache(maxsize=1)
def _bundle() -> dict[str, Any]:
    import msgspec

    try:
        data = msgspec.json.decode(BUNDLE.read_bytes())
    except (OSError, msgspec.DecodeError, RecursionError):  # RecursionError: nested too deep for the decoder
        return {}
    return data if isinstance(data, dict) else {}


def bundle_data(key: str) -> Any:
    """A build-time value stored in the bundle beside the parsed files (None without a bundle)."""
    return _bundle().get(key)


@lru_cache(maxsize=1)
def _rules_root() -> str:
    from openaudit.paths import rules_dir

    return str(rules_dir().resolve())


def bundle_key(path: Path) -> str | None:
    """The bundle's key for ``path``: its place under the bundled data directory, or None outside it.

    A path already written under the (resolved) data directory, without "..", is placed as written: resolving
    it costs a system call per path component, ~0.1 ms a file and ~15 ms over the license catalog."""
    root = _rules_root()
    text = os.fspath(path)
    if text.startswith(root) and text[len(root):len(root) + 1] == os.sep:
        rest = text[len(root) + 1:].split(os.sep)
        if all(part not in ("", ".", "..") for part in rest):  # written as resolving would write it
            return "/".join(rest)
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def load_file(path: Path | str) -> Any:
    """The parsed content of one YAML file: from the build-time bundle when it is a bundled file, else parsed."""
    path = Path(path)
    key = bundle_key(path)
    if key is not None:
        files = _bundle().get("files")
        if isinstance(files, dict) and key in files:
            return files[key]
    return load_data(path.read_text(encoding="utf-8"))
