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
    path, exists, is_file = _on_disk(target)
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


def _on_disk(target: str) -> tuple[Path, bool, bool]:
    """(the path TARGET names, whether it exists, whether it is a file)."""
    path = Path(target)
    try:
        path = path.expanduser()
    except RuntimeError:  # "~" with HOME unset and no passwd entry: the path as written
        pass
    try:
        exists = path.exists()
        return path, exists, exists and path.is_file()
    except (OSError, ValueError):
        return path, False, False


def hub_id(target: str) -> tuple[str, str | None] | None:
    """(repo id, revision or None) of ``org/name[@revision]``; None if TARGET is not shaped as a Hub model id."""
    looks_like_path = target.startswith((".", "/", "~")) or "\\" in target or target.split("@", 1)[0].count("/") > 1
    if looks_like_path or not HUB_ID.match(target) or ".." in target.split("@")[0]:
        return None
    repo_id, _, revision = target.partition("@")
    return repo_id, revision or None


def hub_target(target: str) -> tuple[str, str | None] | None:
    """What :func:`resolve` makes a Hub source of: TARGET's (repo id, revision) when it names no Ollama model and
    nothing on disk, and is shaped as a Hub model id; None otherwise."""
    if target.startswith("ollama:") or _on_disk(target)[1]:
        return None
    return hub_id(target)


def resolve_hub(target: str, *, offline: bool = False) -> Source:
    """The Hub source for ``org/name[@revision]``, whatever exists on disk under that name (``openaudit scan``:
    a reference found as a Hub id stays a Hub target)."""
    parts = hub_id(target)
    if parts is None:
        raise UsageError(f"{target}: no such file or directory, and not a Hub model id (org/name[@revision])")
    from openaudit.sources.hub import HubSource

    return HubSource(*parts, offline=offline)


__all__ = ["HUB_ID", "Source", "hub_id", "hub_target", "resolve", "resolve_hub"]
