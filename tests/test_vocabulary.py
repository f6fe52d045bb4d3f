"""The clause reader's vocabulary files (rules/vocabulary): schema checks and what they must hold."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from openaudit.licenses import vocabulary
from openaudit.model import RESTRICTION_KINDS
from openaudit.paths import rules_dir

EU = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
      "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}


def test_bundled_vocabulary_loads() -> None:
    v = vocabulary.load()
    codes = {p.code for p in v.places}
    assert EU | {"IS", "LI", "NO", "CH", "GB", "US", "CN", "KR", "EU", "EEA"} <= codes
    groups = {p.code: set(p.members) for p in v.places if p.members}
    assert groups["EU"] == EU
    assert groups["EEA"] == EU | {"IS", "LI", "NO"}
    assert set(v.kinds) == set(RESTRICTION_KINDS)
    assert {u.unit for u in v.user_units} == {"monthly_active_users", "daily_active_users", "monthly_visits"}


def test_every_zh_pattern_compiles_and_is_bounded() -> None:
    for kind, patterns in vocabulary.load().zh.items():
        for p in patterns:
            re.compile(p)
            assert not re.search(r"(?<!\\)[.\]][*+]", p), (kind, p)  # gaps are written {0,N}


@pytest.fixture
def vocab_copy(tmp_path: Path) -> Path:
    shutil.copytree(rules_dir() / "vocabulary", tmp_path / "vocabulary")
    return tmp_path / "vocabulary"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("places.yaml", '{code: "NO", ', "{code: NO, ", "code"),  # YAML reads NO as false
        ("places.yaml", "{code: PL, names: [Poland", "{code: SE, names: [Poland", "duplicate"),
        ("places.yaml", "members: [AT, BE,", "members: [XX, BE,", "unknown members"),
        ("units.yaml", "- unit: daily_active_users", "- unit: daily_actives", "not one of"),
        ("kinds.yaml", "  unclassified: {", "  unclassifed: {", "kinds must be exactly"),
        ("kinds.yaml", "'非商业'", "'非商业.*'", "unbounded"),
        ("kinds.yaml", "'非商业'", "'非商业('", "invalid pattern"),
        ("kinds.yaml", '  negation: [not, "no",', "  negation: [not, no,", "non-empty strings"),
    ],
)
def test_malformed_vocabulary_is_refused(vocab_copy: Path, file: str, old: str, new: str, message: str) -> None:
    _edit(vocab_copy / file, old, new)
    with pytest.raises(vocabulary.VocabularyError, match=message):
        vocabulary.load_from(vocab_copy)


def test_phrase_set_matches_whole_words_and_prefixes() -> None:
    ps = vocabulary.PhraseSet(["warrant*", "as is", "source code"])
    assert [m.group(0) for m in ps.finditer("No WARRANTIES; provided AS  IS with its source code.")] == [
        "WARRANTIES", "AS  IS", "source code"]
    assert ps.search("unwarranted sourcecode") is None


def test_currencies_are_data() -> None:
    from openaudit.licenses.numbers import _currencies, parse_money

    before, after = _currencies()
    assert ("\\$", "USD") in before and any(code is None for _, code in before)  # "¥" alone: not guessed
    assert parse_money("1亿美元") == (1e8, "USD")
    assert parse_money("EUR 2.000.000") == (2e6, "EUR")
