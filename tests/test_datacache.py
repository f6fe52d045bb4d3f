"""The compiled cache of the catalog, rules and regexes (openaudit.datacache, openaudit.lazyre).

A cache file is only a shortcut: a stale, corrupt or foreign one is ignored and rebuilt, changing a YAML
file invalidates it, and without a writable cache directory everything still works."""

from __future__ import annotations

import os
import pickle
import re
import shutil
from pathlib import Path

import pytest

from openaudit import datacache, lazyre
from openaudit.engine import rules as rules_mod
from openaudit.licenses import catalog as catalog_mod
from openaudit.paths import rules_dir

SOME = ["mit.yaml", "apache-2.0.yaml", "llama3.1.yaml"]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("OPENAUDIT_NO_CACHE", raising=False)
    return home / "openaudit"


@pytest.fixture
def licenses_dir(tmp_path: Path) -> Path:
    d = tmp_path / "licenses"
    d.mkdir()
    for name in SOME:
        shutil.copy(rules_dir() / "licenses" / name, d / name)
    return d


@pytest.fixture
def rule_dir(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    d.mkdir()
    shutil.copy(rules_dir() / "identity.yaml", d / "identity.yaml")
    return d


def _touch_forward(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_cache_dir_respects_xdg(cache_home: Path) -> None:
    assert datacache.cache_dir() == cache_home


def test_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert datacache.cache_dir() == Path.home() / ".cache" / "openaudit"


def test_catalog_is_cached_and_equal_to_parsing(cache_home: Path, licenses_dir: Path) -> None:
    first = catalog_mod._bundled_catalog(licenses_dir)
    assert (cache_home / "catalog.pickle").is_file()
    second = catalog_mod._bundled_catalog(licenses_dir)
    parsed = catalog_mod.Catalog(catalog_mod.load_entries(licenses_dir))
    assert [e.id for e in second.entries] == [e.id for e in parsed.entries] == [e.id for e in first.entries]
    assert second.entries == parsed.entries
    assert second.by_hub_id("llama3.1").id == "llama3.1"
    assert second is not first  # the second one came from the file


def test_changing_a_yaml_file_invalidates_the_cache(cache_home: Path, licenses_dir: Path) -> None:
    catalog_mod._bundled_catalog(licenses_dir)
    mit = licenses_dir / "mit.yaml"
    text = mit.read_text(encoding="utf-8")
    name = re.search(r"(?m)^name:\s*(.+)$", text).group(1)
    mit.write_text(text.replace(f"name: {name}", "name: MIT License (edited for the cache test)", 1),
                   encoding="utf-8")
    _touch_forward(mit)
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit").name == "MIT License (edited for the cache test)"


def test_adding_and_removing_a_yaml_file_invalidates_the_cache(cache_home: Path, licenses_dir: Path) -> None:
    assert catalog_mod._bundled_catalog(licenses_dir).get("gpl-3.0") is None
    shutil.copy(rules_dir() / "licenses" / "gpl-3.0.yaml", licenses_dir / "gpl-3.0.yaml")
    assert catalog_mod._bundled_catalog(licenses_dir).get("gpl-3.0") is not None
    (licenses_dir / "mit.yaml").unlink()
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is None


@pytest.mark.parametrize("content", [
    b"",  # empty
    b"not a pickle at all",
    b"\x80\x05\x95",  # truncated
    pickle.dumps({"format": 1, "key": "some other key", "value": "stale"}),  # stale
    pickle.dumps(["a list, not a cache record"]),
])
def test_corrupt_or_stale_cache_is_ignored_and_rebuilt(cache_home: Path, licenses_dir: Path, content: bytes) -> None:
    catalog_mod._bundled_catalog(licenses_dir)
    path = cache_home / "catalog.pickle"
    path.write_bytes(content)
    cat = catalog_mod._bundled_catalog(licenses_dir)
    assert sorted(e.id for e in cat.entries) == sorted(p.stem for p in licenses_dir.glob("*.yaml"))
    ok, value = datacache.read_file(path, datacache.source_key(_catalog_sources(licenses_dir)))
    assert ok and [e.id for e in value.entries] == [e.id for e in cat.entries]  # rewritten, valid again


def _catalog_sources(directory: Path) -> list[Path]:
    here = Path(catalog_mod.__file__).resolve().parent
    return [*datacache.yaml_files(directory), here / "catalog.py", here / "textmatch.py", here.parent / "model.py"]


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_a_cache_file_with_foreign_objects_is_never_loaded(cache_home: Path, licenses_dir: Path) -> None:
    catalog_mod._bundled_catalog(licenses_dir)
    key = datacache.source_key(_catalog_sources(licenses_dir))
    path = cache_home / "catalog.pickle"
    path.write_bytes(pickle.dumps({"format": datacache._FORMAT, "key": key, "value": _Boom()}))
    assert datacache.read_file(path, key) == (False, None)
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is not None


def test_a_broken_yaml_file_is_an_error_and_nothing_is_cached(cache_home: Path, licenses_dir: Path) -> None:
    (licenses_dir / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(catalog_mod.CatalogError):
        catalog_mod._bundled_catalog(licenses_dir)
    assert not (cache_home / "catalog.pickle").exists()


def test_unwritable_cache_dir_falls_back_to_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     licenses_dir: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "sub"))  # cannot be created: a file is in the way
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is not None
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is not None


def test_no_cache_env(cache_home: Path, licenses_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAUDIT_NO_CACHE", "1")
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is not None
    assert not cache_home.exists()


def test_rules_cache_is_invalidated_by_a_yaml_change(cache_home: Path, rule_dir: Path) -> None:
    first = rules_mod._bundled_rules(rule_dir)
    assert (cache_home / "rules.pickle").is_file()
    assert [r.code for r in rules_mod._bundled_rules(rule_dir)] == [r.code for r in first]
    path = rule_dir / "identity.yaml"
    code = first[0].code
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(first[0].title, "A title edited for the cache test", 1), encoding="utf-8")
    _touch_forward(path)
    again = {r.code: r for r in rules_mod._bundled_rules(rule_dir)}
    assert again[code].title == "A title edited for the cache test"
    (cache_home / "rules.pickle").write_bytes(b"garbage")
    assert {r.code: r.title for r in rules_mod._bundled_rules(rule_dir)} == {c: r.title for c, r in again.items()}


def test_regex_code_cache_round_trip(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lazyre, "_codes", None)
    monkeypatch.setattr(lazyre, "_new", {})
    patterns = [(r"\b(?:must|shall)\s+not\b", re.I), (r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[kmb])?", re.I),
                (r"^#{1,6}\s+(.*)$", re.M), (r"caf\u00e9|na\u00efve", 0)]
    for pat, flags in patterns:
        assert lazyre.compile(pat, flags).compiled() == re.compile(pat, flags)
    lazyre._save()
    assert (cache_home / "regex.pickle").is_file()
    monkeypatch.setattr(lazyre, "_codes", None)  # a new run: codes come from the file
    for pat, flags in patterns:
        lp = lazyre.compile(pat, flags)
        assert (pat, int(flags)) in lazyre._load()
        assert lp.compiled() == re.compile(pat, flags)
        assert lp.pattern == pat and lp.groupindex == re.compile(pat, flags).groupindex
    assert lazyre.compile(patterns[1][0], re.I).match("12.5 m").group("unit") == "m"


def test_corrupt_regex_cache_falls_back(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_home.mkdir(parents=True)
    pat = r"\bterritor(?:y|ies)\b"
    bad = {(pat, int(re.I)): (int(re.I), [1, 2, 3, 999999], 0, {}, (None,))}  # invalid SRE code
    datacache.write_file(cache_home / "regex.pickle", lazyre._sre_key(), bad)
    monkeypatch.setattr(lazyre, "_codes", None)
    monkeypatch.setattr(lazyre, "_new", {})
    assert lazyre.compile(pat, re.I).search("the Territory means").group(0) == "Territory"
    (cache_home / "regex.pickle").write_bytes(b"\x00garbage")
    monkeypatch.setattr(lazyre, "_codes", None)
    assert lazyre.compile(pat, re.I).compiled() == re.compile(pat, re.I)


def test_lazy_pattern_compiles_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAUDIT_NO_CACHE", "1")
    lp = lazyre.compile(r"a(b)c", re.I)
    assert "_compiled" not in lp.__dict__
    assert lp.sub("x", "zABCz") == "zxz"
    assert "_compiled" in lp.__dict__ and lp.groups == 1
    assert [m.group(1) for m in lp.finditer("abc ABC")] == ["b", "B"]
