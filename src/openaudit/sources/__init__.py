"""Evidence sources: the Hugging Face Hub and local directories or card files."""

from __future__ import annotations

from pathlib import Path

from openaudit.errors import UsageError
from openaudit.sources.base import HUB_ID, Source


def resolve(target: str, *, offline: bool = False) -> Source:
    """Pick the source for a TARGET argument: ``ollama:NAME[:TAG]`` is Ollama's store, an existing ``.gguf`` file
    its GGUF header, a ``.safetensors`` file its ``__metadata__``, another existing path is local, otherwise a Hub
    id."""
    if target.startswith("ollama:"):
        from openaudit.sources.ollama import OllamaSource

        return OllamaSource.from_target(target)
    path = Path(target)
    try:
        path = path.expanduser()
    except RuntimeError:  # "~" with HOME unset and no passwd entry: the path as written
        pass
    try:
        exists = path.exists()
        is_file = exists and path.is_file()
    except (OSError, ValueError):
        exists = is_file = False
    if is_file and path.suffix.lower() == ".gguf":
        from openaudit.sources.gguf import GGUFSource

        return GGUFSource(path)
    if is_file and path.suffix.lower() == ".safetensors":
        from openaudit.sources.safetensors import SafetensorsSource

        return SafetensorsSource(path)
    if exists:
        from openaudit.sources.local import LocalSource

        return LocalSource(path)
    return resolve_hub(target, offline=offline)


def resolve_hub(target: str, *, offline: bool = False) -> Source:
    """The Hub source for ``org/name[@revision]``, whatever exists on disk under that name (``openaudit scan``:
    a reference found as a Hub id stays a Hub target)."""
    looks_like_path = target.startswith((".", "/", "~")) or "\\" in target or target.split("@", 1)[0].count("/") > 1
    if looks_like_path or not HUB_ID.match(target) or ".." in target.split("@")[0]:
        raise UsageError(f"{target}: no such file or directory, and not a Hub model id (org/name[@revision])")
    repo_id, _, revision = target.partition("@")
    from openaudit.sources.hub import HubSource

    return HubSource(repo_id, revision or None, offline=offline)


__all__ = ["HUB_ID", "Source", "resolve", "resolve_hub"]
