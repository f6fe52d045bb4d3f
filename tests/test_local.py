"""LocalSource and target resolution: which files are read, how bad files are reported, no crash."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

import openaudit.sources.local as local_mod
from openaudit.errors import UsageError
from openaudit.sources import resolve
from openaudit.sources.local import LocalSource

FIXTURES = Path(__file__).parent / "fixtures"
FULL = FIXTURES / "local_full"


def _spy_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every path LocalSource opens for reading."""
    opened: list[Path] = []
    real = local_mod.read_capped

    def spy(path: Path, *args, **kwargs):
        opened.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(local_mod, "read_capped", spy)
    return opened


def test_directory_with_card_license_notice_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _spy_reads(monkeypatch)
    ev = LocalSource(FULL).fetch()

    assert ev.kind == "local"
    assert ev.id == str(FULL)
    assert ev.revision is None and ev.requested_revision is None
    assert ev.offline is False

    roles = {f.name: f.role for f in ev.files}
    assert roles == {"README.md": "card", "LICENSE": "license", "NOTICE": "notice", "USE_POLICY.md": "use_policy"}
    for f in ev.files:
        assert f.readable and f.error is None and not f.truncated
        assert f.size == (FULL / f.name).stat().st_size
    assert "Apache License, Version 2.0" in ev.file("LICENSE").text
    assert "harm people" in ev.file("USE_POLICY.md").text

    # every file is listed, nested ones included, but only root-level files are read
    assert "sub/LICENSE" in ev.siblings
    assert "model.safetensors" in ev.siblings
    assert ev.file("sub/LICENSE") is None
    assert ev.file("model.safetensors") is None
    assert {p.name for p in opened} == {"README.md", "LICENSE", "NOTICE", "USE_POLICY.md"}
    assert all(p.parent == FULL for p in opened)

    # the card is parsed, with metadata and tags
    assert ev.card is not None
    assert ev.card.path == "README.md"
    assert ev.metadata["license"] == "apache-2.0"
    assert ev.card.line_of("license") == 2
    assert ev.tags == ["text-generation", "fixture"]
    assert ev.notes == []
    assert [f.name for f in ev.license_files()] == ["LICENSE", "NOTICE", "USE_POLICY.md"]


def test_vcs_and_cache_directories_are_not_listed(tmp_path: Path) -> None:
    shutil.copytree(FULL, tmp_path / "m")
    (tmp_path / "m" / ".git").mkdir()
    (tmp_path / "m" / ".git" / "LICENSE").write_text("not this one\n")
    (tmp_path / "m" / "__pycache__").mkdir()
    (tmp_path / "m" / "__pycache__" / "x.pyc").write_bytes(b"\x00")
    ev = LocalSource(tmp_path / "m").fetch()
    assert not any(s.startswith((".git/", "__pycache__/")) for s in ev.siblings)
    assert "sub/LICENSE" in ev.siblings


def test_directory_without_card(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text("Some license text.\n")
    ev = LocalSource(tmp_path).fetch()
    assert ev.card is None
    assert ev.metadata == {}
    assert [f.name for f in ev.files] == ["LICENSE"]
    assert any("no README.md" in n for n in ev.notes)


def test_card_file_alone(tmp_path: Path) -> None:
    card = tmp_path / "MODEL_CARD.md"
    card.write_text("---\nlicense: mit\ntags: [a, 1]\n---\n# Card\n")
    (tmp_path / "LICENSE").write_text("should not be read\n")
    ev = LocalSource(card).fetch()
    assert ev.kind == "local"
    assert ev.id == str(card)
    assert [(f.name, f.role) for f in ev.files] == [("MODEL_CARD.md", "card")]
    assert ev.card is not None and ev.card.path == "MODEL_CARD.md"
    assert ev.metadata["license"] == "mit"
    assert ev.tags == ["a", "1"]
    assert ev.siblings == []
    assert any("card file alone" in n for n in ev.notes)


def test_binary_readme_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_bytes(b"---\nlicense: mit\n---\n\x00\x01\x02binary")
    (tmp_path / "LICENSE").write_text("text\n")
    ev = LocalSource(tmp_path).fetch()
    readme = ev.file("README.md")
    assert readme is not None
    assert readme.text is None and not readme.readable
    assert readme.error is not None and "binary" in readme.error
    assert ev.card is None
    assert ev.file("LICENSE").readable


def test_binary_card_file_alone_is_a_usage_error(tmp_path: Path) -> None:
    card = tmp_path / "card.md"
    card.write_bytes(b"\x00\x00\x00")
    with pytest.raises(UsageError, match="binary"):
        LocalSource(card).fetch()


def test_non_utf8_license_is_read_with_a_caveat(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: other\n---\n")
    (tmp_path / "LICENSE").write_bytes("Licence accord\u00e9e \u00e0 tous.\n".encode("latin-1"))
    ev = LocalSource(tmp_path).fetch()
    lic = ev.file("LICENSE")
    assert lic is not None and lic.readable
    assert lic.text is not None and lic.text.startswith("Licence accord")
    assert "\ufffd" in lic.text
    assert lic.error is not None and "UTF-8" in lic.error


def test_utf16_license_without_bom_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_bytes("MIT License\n".encode("utf-16-le"))
    ev = LocalSource(tmp_path).fetch()
    lic = ev.file("LICENSE")
    assert lic is not None and lic.text is None and "binary" in (lic.error or "")


def test_utf16_license_with_bom_is_decoded(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_bytes("MIT License\n".encode("utf-16"))
    ev = LocalSource(tmp_path).fetch()
    lic = ev.file("LICENSE")
    assert lic is not None and lic.text == "MIT License\n"


def test_oversized_license_is_truncated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = local_mod.read_capped
    monkeypatch.setattr(local_mod, "read_capped", lambda p, cap=100: real(p, cap))
    (tmp_path / "LICENSE").write_text("line of license text\n" * 50)
    ev = LocalSource(tmp_path).fetch()
    lic = ev.file("LICENSE")
    assert lic.truncated
    assert lic.size == 21 * 50
    assert lic.text is not None and len(lic.text.encode()) <= 100
    assert lic.text.endswith("line of license text")  # cut at a line boundary


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_named_license_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n")
    os.mkfifo(tmp_path / "LICENSE")
    result: dict = {}
    t = threading.Thread(target=lambda: result.setdefault("ev", LocalSource(tmp_path).fetch()), daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():  # unblock the reader so the thread can end
        with open(tmp_path / "LICENSE", "wb"):
            pass
        pytest.fail("reading a FIFO named LICENSE blocked")
    lic = result["ev"].file("LICENSE")
    assert lic is not None and lic.text is None and lic.error


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_broken_symlink_license_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").symlink_to(tmp_path / "does-not-exist")
    ev = LocalSource(tmp_path).fetch()
    lic = ev.file("LICENSE")
    assert lic is not None and lic.text is None and lic.error


def test_a_path_that_is_neither_file_nor_dir_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        LocalSource(tmp_path / "gone").fetch()


# -- resolve() ----------------------------------------------------------------------------------


def test_resolve_existing_directory_and_file_are_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "org" / "name").mkdir(parents=True)
    (tmp_path / "card.md").write_text("# c\n")
    src = resolve("org/name")  # an existing path wins over the Hub id of the same shape
    assert isinstance(src, LocalSource) and src.kind == "local"
    assert src.path == Path("org/name")
    src = resolve(str(tmp_path / "card.md"))
    assert isinstance(src, LocalSource)
    assert src.display == str(tmp_path / "card.md")


def test_resolve_hub_id_builds_a_hub_source_without_fetching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openaudit.sources.hub import HubSource

    monkeypatch.chdir(tmp_path)
    calls: list[str] = []
    monkeypatch.setattr(HubSource, "fetch", lambda self: calls.append("fetch"))
    src = resolve("org/name")
    assert isinstance(src, HubSource) and src.kind == "hub"
    assert src.repo_id == "org/name" and src.revision is None
    assert src.display == "org/name"
    assert src.offline_flag is False
    assert calls == []

    src = resolve("org/name@rev", offline=True)
    assert isinstance(src, HubSource)
    assert (src.repo_id, src.revision, src.offline_flag) == ("org/name", "rev", True)
    assert src.display == "org/name@rev"

    src = resolve("gpt2")  # legacy id without an org
    assert isinstance(src, HubSource) and src.repo_id == "gpt2"
    assert calls == []


@pytest.mark.parametrize("target", ["./missing-dir", "a/b/c", "../x", "/no/such/dir", "org/na me", "org/name@",
                                    "org/..", "a\\b"])
def test_resolve_rejects_what_is_neither_a_path_nor_a_hub_id(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as info:
        resolve(target)
    assert "not a Hub model id" in info.value.message
    assert info.value.exit_code == 2


@pytest.mark.parametrize("target", ["org/name\n", "org/name@main\n"])
def test_resolve_rejects_a_trailing_newline(target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError):
        resolve(target)
