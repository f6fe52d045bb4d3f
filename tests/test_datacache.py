"""The compiled cache of the catalog, rules and regexes (openaudit.datacache, openaudit.lazyre), and what a local
check imports (issue #8).

A cache file is only a shortcut: it is keyed by the *content* of the files it was built from, a stale,
corrupt or foreign one is ignored and rebuilt, nothing in it can run code (marshal data, no pickle), and
without a writable cache directory everything still works, without a traceback."""

from __future__ import annotations

import json
import marshal
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from openaudit import datacache, lazyre
from openaudit.engine import rules as rules_mod
from openaudit.licenses import catalog as catalog_mod
from openaudit.paths import rules_dir

ROOT = Path(__file__).resolve().parents[1]
SOME = ["mit.yaml", "apache-2.0.yaml", "llama3.1.yaml"]
EXAMPLE = ROOT / "examples" / "community-capped"  # the README's first example


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


def _catalog_sources(directory: Path) -> list[Path]:
    here = Path(catalog_mod.__file__).resolve().parent
    return [*datacache.yaml_files(directory), here / "catalog.py", here / "textmatch.py", here.parent / "model.py"]


def _record(key: str, payload: bytes) -> bytes:
    """A well-formed cache file (right magic and digest) around ``payload``: what a forger could write."""
    body = marshal.dumps((key, payload))
    return datacache._MAGIC + datacache._blake2b(body).digest() + body


def test_cache_dir_respects_xdg(cache_home: Path) -> None:
    assert datacache.cache_dir() == cache_home


def test_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert datacache.cache_dir() == Path.home() / ".cache" / "openaudit"


def test_catalog_is_cached_as_marshal_data_and_equal_to_parsing(cache_home: Path, licenses_dir: Path) -> None:
    from openaudit.licenses import textmatch

    first = catalog_mod._bundled_catalog(licenses_dir)
    blob = (cache_home / "catalog.cache").read_bytes()
    assert blob.startswith(datacache._MAGIC) and b"\x80\x05" not in blob[:64]  # not a pickle
    assert not list(cache_home.glob("*.pickle"))
    second = catalog_mod._bundled_catalog(licenses_dir)
    parsed = catalog_mod.Catalog(catalog_mod.load_entries(licenses_dir))
    assert second is not first  # the second one came from the file
    assert second.entries == parsed.entries
    assert second.by_hub_id("llama3.1") is second.get("llama3.1")  # shared objects stay shared
    assert textmatch.prepare(second) == textmatch.prepare(parsed)
    text = (rules_dir() / "licenses" / "mit.yaml").read_text(encoding="utf-8")
    assert [m.entry.id for m in textmatch.match_text(text, second)] == \
        [m.entry.id for m in textmatch.match_text(text, parsed)]


def test_an_edit_keeping_size_and_mtime_still_invalidates(cache_home: Path, licenses_dir: Path) -> None:
    """Invalidation is by content hash: an edit that keeps the size and the modification time is seen."""
    catalog_mod._bundled_catalog(licenses_dir)
    mit = licenses_dir / "mit.yaml"
    st = mit.stat()
    text = mit.read_text(encoding="utf-8")
    name = re.search(r"(?m)^name:\s*(.+)$", text).group(1)
    same_length = ("X" * len(name))
    mit.write_text(text.replace(f"name: {name}", f"name: {same_length}", 1), encoding="utf-8")
    os.utime(mit, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert mit.stat().st_size == st.st_size and mit.stat().st_mtime_ns == st.st_mtime_ns
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit").name == same_length


def test_adding_and_removing_a_yaml_file_invalidates_the_cache(cache_home: Path, licenses_dir: Path) -> None:
    assert catalog_mod._bundled_catalog(licenses_dir).get("gpl-3.0") is None
    shutil.copy(rules_dir() / "licenses" / "gpl-3.0.yaml", licenses_dir / "gpl-3.0.yaml")
    assert catalog_mod._bundled_catalog(licenses_dir).get("gpl-3.0") is not None
    (licenses_dir / "mit.yaml").unlink()
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is None


class _Boom:
    def __reduce__(self):
        return (os.system, ("touch pwned-by-cache",))


def _bad_records(key: str) -> list[bytes]:
    good_value = datacache.encode(["a", "list"])
    return [
        b"",
        b"not a cache at all",
        pickle.dumps(_Boom()),  # a pickle: never unpickled
        datacache._MAGIC + b"\x00" * 32 + marshal.dumps((key, good_value)),  # wrong digest
        _record(key, good_value)[:-3],  # truncated
        _record("some other key", good_value),  # stale
        _record(key, b"\x00garbage"),  # right digest, payload not marshal
        _record(key, marshal.dumps((datacache._FORMAT, [("os:system", {}, [])], ("R", 0)))),  # foreign class
        _record(key, marshal.dumps((datacache._FORMAT, [("builtins:eval", {}, [])], ("R", 0)))),
        _record(key, marshal.dumps((datacache._FORMAT, [("openaudit.cli:app", {}, [])], ("R", 0)))),  # not a class
        _record(key, marshal.dumps((datacache._FORMAT, [("openaudit.not_imported:X", {}, [])], ("R", 0)))),
        _record(key, marshal.dumps((datacache._FORMAT, [], ("R", 7)))),  # dangling reference
        _record(key, good_value),  # valid, but a list where a Catalog is expected
    ]


@pytest.mark.parametrize("index", range(13))
def test_corrupt_stale_or_foreign_cache_is_ignored_and_rebuilt(cache_home: Path, licenses_dir: Path, index: int,
                                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path
                                                               ) -> None:
    monkeypatch.chdir(tmp_path)
    catalog_mod._bundled_catalog(licenses_dir)
    key = datacache.source_key(_catalog_sources(licenses_dir))
    path = cache_home / "catalog.cache"
    path.write_bytes(_bad_records(key)[index])
    assert datacache.read_file(path, key, catalog_mod.Catalog) == (False, None)
    cat = catalog_mod._bundled_catalog(licenses_dir)
    assert sorted(e.id for e in cat.entries) == sorted(p.stem for p in licenses_dir.glob("*.yaml"))
    ok, value = datacache.read_file(path, key, catalog_mod.Catalog)
    assert ok and [e.id for e in value.entries] == [e.id for e in cat.entries]  # rewritten, valid again
    assert not (tmp_path / "pwned-by-cache").exists()


def test_values_that_cannot_be_encoded_are_not_cached(cache_home: Path) -> None:
    assert datacache.cached("thing", [], lambda: {"f": open}) == {"f": open}  # noqa: SIM115 - a builtin, not a call
    assert not (cache_home / "thing.cache").exists()
    with pytest.raises(datacache.CacheFormatError):
        datacache.encode(_Boom())


def test_a_broken_yaml_file_is_an_error_and_nothing_is_cached(cache_home: Path, licenses_dir: Path) -> None:
    (licenses_dir / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(catalog_mod.CatalogError):
        catalog_mod._bundled_catalog(licenses_dir)
    assert not (cache_home / "catalog.cache").exists()


def test_unwritable_cache_dir_falls_back_to_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     licenses_dir: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "sub"))  # cannot be created: a file is in the way
    monkeypatch.delenv("OPENAUDIT_NO_CACHE", raising=False)
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is not None
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is not None
    assert lazyre._writable() is False


def test_no_cache_env(cache_home: Path, licenses_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAUDIT_NO_CACHE", "1")
    assert catalog_mod._bundled_catalog(licenses_dir).get("mit") is not None
    assert not cache_home.exists()


def test_rules_cache_is_invalidated_by_a_yaml_change(cache_home: Path, rule_dir: Path) -> None:
    first = rules_mod._bundled_rules(rule_dir)
    assert (cache_home / "rules.cache").is_file()
    assert [r.code for r in rules_mod._bundled_rules(rule_dir)] == [r.code for r in first]
    path = rule_dir / "identity.yaml"
    code = first[0].code
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(first[0].title, "A title edited for the cache test", 1), encoding="utf-8")
    again = {r.code: r for r in rules_mod._bundled_rules(rule_dir)}
    assert again[code].title == "A title edited for the cache test"
    (cache_home / "rules.cache").write_bytes(b"garbage")
    assert {r.code: r.title for r in rules_mod._bundled_rules(rule_dir)} == {c: r.title for c, r in again.items()}


def test_regex_code_cache_round_trip(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lazyre, "_codes", None)
    monkeypatch.setattr(lazyre, "_new", {})
    monkeypatch.setattr(lazyre, "_record", None)
    patterns = [(r"\b(?:must|shall)\s+not\b", re.I), (r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[kmb])?", re.I),
                (r"^#{1,6}\s+(.*)$", re.M), (r"caf\u00e9|na\u00efve", 0)]
    for pat, flags in patterns:
        assert lazyre.compile(pat, flags).compiled() == re.compile(pat, flags)
    lazyre._save()
    assert (cache_home / "regex.cache").is_file()
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
    datacache.write_file(cache_home / "regex.cache", lazyre._sre_key(), {"lazy": bad, "seed": {}, "pending": {}})
    monkeypatch.setattr(lazyre, "_codes", None)
    monkeypatch.setattr(lazyre, "_new", {})
    assert lazyre.compile(pat, re.I).search("the Territory means").group(0) == "Territory"
    (cache_home / "regex.cache").write_bytes(b"\x00garbage")
    monkeypatch.setattr(lazyre, "_codes", None)
    assert lazyre.compile(pat, re.I).compiled() == re.compile(pat, re.I)


def test_lazy_pattern_compiles_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAUDIT_NO_CACHE", "1")
    lp = lazyre.compile(r"a(b)c", re.I)
    assert "_compiled" not in lp.__dict__
    assert lp.sub("x", "zABCz") == "zxz"
    assert "_compiled" in lp.__dict__ and lp.groups == 1
    assert [m.group(1) for m in lp.finditer("abc ABC")] == ["b", "B"]


def _py(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_warm_seeds_module_level_patterns_but_not_runtime_ones(tmp_path: Path) -> None:
    """warm(): a module's ``re.compile`` at import, and a literal pattern in one of its functions, find their
    pattern compiled by earlier runs; a pattern built at run time from varying input is never seeded."""
    (tmp_path / "somemod.py").write_text(
        "import re\nP = re.compile(r'(?P<w>seeded[0-9]+)\\s*pattern', re.I)\n\n"
        "def f(text):\n    return re.sub(r'literal[0-9]+', '', text)\n", encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "PYTHONPATH": str(tmp_path)}
    env.pop("OPENAUDIT_NO_CACHE", None)
    for n in (1, 2):  # two runs: a pattern is seeded once two runs compiled it
        first = _py(f"""
            import re
            from openaudit import lazyre
            lazyre.warm()
            import somemod
            somemod.f("literal1 x")
            re.compile("runtime " + str({n}) + "x")
        """, env, tmp_path)
        assert first.returncode == 0, first.stderr
    lazy, seed, pending = _read_regex_cache(env, tmp_path)
    assert (r"(?P<w>seeded[0-9]+)\s*pattern", int(re.I)) in seed and ("literal[0-9]+", 0) in seed
    assert not any(p.startswith("runtime ") for p, _ in seed)  # each run built another one: never seeded
    assert ("runtime 2x", 0) in pending
    second = _py("""
        import re
        from openaudit import lazyre
        lazyre.warm()
        key = (str, r'(?P<w>seeded[0-9]+)\\s*pattern', int(re.I))
        seeded = re._cache[key]
        import somemod
        assert somemod.P is seeded, "the import did not use the seeded pattern"
        assert somemod.P.match("SEEDED42  pattern").group("w") == "SEEDED42"
        assert (str, "literal[0-9]+", 0) in re._cache and somemod.f("a literal7") == "a "
        print("ok")
    """, env, tmp_path)
    assert second.returncode == 0 and second.stdout.strip() == "ok", second.stderr


def _read_regex_cache(env: dict[str, str], cwd: Path) -> tuple[dict, dict, dict]:
    proc = _py("""
        from openaudit import lazyre
        print(repr(lazyre._read_cache()))
    """, env, cwd)
    assert proc.returncode == 0, proc.stderr
    import ast

    return ast.literal_eval(proc.stdout)


# --- the CLI: what a local check imports, and a broken cache seen from the command line ---------------------

_PROBE = """
import sys, atexit
from openaudit.licenses import catalog
parsed = []
orig = catalog.load_entries
catalog.load_entries = lambda *a, **k: (parsed.append(1), orig(*a, **k))[1]
def report():
    mods = sorted(sys.modules)
    sys.stderr.write("PROBE " + repr({"parsed": len(parsed), "modules": mods}) + "\\n")
atexit.register(report)
sys.argv = ["openaudit", "check", sys.argv[1], "--format", sys.argv[2]]
from openaudit.cli import main
main()
"""


def _probe(tmp_path: Path, fmt: str, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict]:
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(EXAMPLE), fmt], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    line = [x for x in proc.stderr.splitlines() if x.startswith("PROBE ")]
    assert line, proc.stderr
    import ast

    return proc, ast.literal_eval(line[-1][len("PROBE "):])


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "HF_HUB_OFFLINE": "1", "NO_COLOR": "1",
           "HF_HOME": str(tmp_path / "hf")}
    env.pop("OPENAUDIT_NO_CACHE", None)
    return env


HEAVY = ("huggingface_hub", "requests", "httpx", "rich", "pickle", "concurrent", "tomllib", "cyclonedx")


def test_local_json_check_stays_off_the_heavy_imports_and_reads_no_catalog_yaml(tmp_path: Path,
                                                                                 cli_env: dict[str, str]) -> None:
    """Issue #8: a local `check --format json` imports neither the Hub client nor rich, no pickle, no thread
    pool, no TOML parser; with a warm cache it parses none of the catalog's YAML files."""
    proc, cold = _probe(tmp_path, "json", cli_env)
    assert proc.returncode in (0, 1), proc.stderr
    assert cold["parsed"] == 1  # first run: parsed and cached
    proc, warm = _probe(tmp_path, "json", cli_env)
    assert proc.returncode in (0, 1), proc.stderr
    assert warm["parsed"] == 0
    heavy = sorted({m for m in warm["modules"] if m.split(".")[0] in HEAVY})
    assert heavy == [], heavy
    assert json.loads(proc.stdout)["target"]["kind"] == "local"
    assert {p.name for p in (tmp_path / "xdg" / "openaudit").iterdir()} >= {"catalog.cache", "rules.cache",
                                                                           "regex.cache"}


def test_local_table_check_stays_off_the_hub_client(tmp_path: Path, cli_env: dict[str, str]) -> None:
    proc, probe = _probe(tmp_path, "table", cli_env)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not [m for m in probe["modules"] if m.split(".")[0] in ("huggingface_hub", "requests", "httpx", "pickle")]


@pytest.mark.parametrize("damage", ["corrupt", "unwritable", "directory"])
def test_cli_with_a_broken_cache_gives_the_same_report_without_a_traceback(tmp_path: Path, cli_env: dict[str, str],
                                                                          damage: str) -> None:
    args = [sys.executable, "-m", "openaudit", "check", str(EXAMPLE), "--format", "json"]
    good = subprocess.run(args, env={**cli_env, "OPENAUDIT_NO_CACHE": "1"}, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    env = dict(cli_env)
    cache = tmp_path / "xdg" / "openaudit"
    if damage == "corrupt":
        subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, timeout=120)  # fill the cache
        for f in cache.iterdir():
            data = f.read_bytes()
            f.write_bytes(data[: len(data) // 2] + b"\x00garbage")
    elif damage == "unwritable":
        (tmp_path / "a-file").write_text("x", encoding="utf-8")
        env["XDG_CACHE_HOME"] = str(tmp_path / "a-file" / "sub")
    else:  # every cache file is a directory: reads and renames fail
        for name in ("catalog", "rules", "regex", "mof", "grade"):
            (cache / f"{name}.cache").mkdir(parents=True)
    for _ in range(2):
        proc = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert proc.returncode == good.returncode, proc.stderr
        assert proc.stderr == "" and "Traceback" not in proc.stderr
        assert json.loads(proc.stdout) == json.loads(good.stdout)
