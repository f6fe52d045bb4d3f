"""Field-of-use kinds and license categories as data (rules/vocabulary/kinds.yaml `field_of_use`,
rules/vocabulary/license-categories.yaml): one definition read by OSAID, the grade, the EU AI Act assessment,
the rules' facts, the catalog and lineage; a license's restrictions come from its catalog terms, not its id."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from openaudit.licenses import vocabulary
from openaudit.licenses.catalog import CatalogError, LicenseEntry, load_catalog, parse_entry
from openaudit.model import RESTRICTION_KINDS, Citation, LicenseResult, Restriction
from openaudit.paths import rules_dir
from openaudit.standards import euaiact, grade, osaid

APACHE = LicenseResult(id="apache-2.0", name="Apache License 2.0", spdx="Apache-2.0", osi_approved=True,
                       evidence=[Citation(source="metadata", text="license: apache-2.0")])


def _restriction(kind: str) -> Restriction:
    return Restriction(kind=kind, summary=f"a {kind} term", clause=Citation(source="file", file="LICENSE", line=3))


@pytest.mark.parametrize("kind", [k for k in RESTRICTION_KINDS if k != "unclassified"])
def test_every_reader_agrees_on_the_field_of_use_kinds(kind: str) -> None:
    limiting = kind in vocabulary.field_of_use()
    rs = [_restriction(kind)]
    assert (osaid._parameters(APACHE, rs)[0] == "fail") == limiting
    assert (grade._license(APACHE, rs)[0] == "closed") == limiting
    status, why, _ = euaiact._licence(APACHE, rs, "permissive")
    assert (status == "not_met") == limiting
    if limiting:
        assert vocabulary.field_of_use()[kind] in why


def test_field_of_use_kinds() -> None:
    assert list(vocabulary.field_of_use()) == ["user_cap", "revenue_cap", "non_commercial", "use_restrictions",
                                               "output_training_ban", "territory", "no_derivatives"]


def test_kind_descriptions_are_whole() -> None:
    # a comma inside an unquoted flow mapping cut these descriptions in two (the rest became a key)
    kinds = vocabulary.load().kinds
    assert kinds["territory"].endswith("or the only places where it does")
    assert kinds["unclassified"].endswith("that no other kind claims")


def test_categories_cover_the_catalog() -> None:
    cats = vocabulary.categories()
    used = {e.category for e in load_catalog().entries if e.category}
    assert used <= set(cats)
    assert {c for c, v in cats.items() if v.open} == {"permissive", "copyleft", "weak-copyleft", "public-domain"}
    assert {c for c, v in cats.items() if v.restrictive} == {"community", "non-commercial", "research",
                                                            "proprietary", "rail"}
    for unknown in (None, "no-such"):
        c = vocabulary.category(unknown)
        assert not (c.open or c.restrictive or c.relicensable or c.implies)


def test_an_unknown_category_is_refused_by_the_catalog() -> None:
    with pytest.raises(CatalogError, match="category 'open-ish' is not one of"):
        parse_entry({"id": "x", "name": "X", "category": "open-ish"}, "x.yaml")


def test_no_derivatives_comes_from_the_terms_not_the_id() -> None:
    # Lineage used to call a dataset license no-derivatives when its id contained "-nd".
    entry = parse_entry({"id": "acme-nd-tools-1.0", "name": "ACME ND Tools License", "category": "permissive"},
                        "acme.yaml")
    assert "no_derivatives" not in entry.restriction_kinds()
    catalog = load_catalog()
    for lid in ("cc-by-nd-4.0", "cc-by-nc-nd-4.0", "cc-by-nc-nd-3.0"):
        assert "no_derivatives" in catalog.get(lid).restriction_kinds(), lid
    # the data agrees with the names: every Creative Commons ND license carries the term
    for e in catalog.entries:
        if e.spdx and "-ND" in e.spdx.upper():
            assert "no_derivatives" in e.restriction_kinds(), e.id


def test_non_commercial_from_the_category_or_the_terms() -> None:
    cat = vocabulary.categories()
    assert cat["non-commercial"].implies == ("non_commercial",)
    bare = LicenseEntry(id="acme-nc", name="ACME NC", category="non-commercial")
    assert bare.restriction_kinds() == {"non_commercial"}
    assert LicenseEntry(id="acme-r", name="ACME research", category="research").restriction_kinds() == set()


@pytest.fixture
def cats_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "license-categories.yaml"
    shutil.copy(rules_dir() / "vocabulary" / "license-categories.yaml", dst)
    return dst


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["categories"]["permissive"].update(restrictive=True), "both `open` and `restrictive`"),
    (lambda d: d["categories"]["permissive"].update(open="yes"), "`open` must be true or false"),
    (lambda d: d["categories"]["research"].update(implies=["research_only"]), "unknown restriction kinds"),
    (lambda d: d["categories"]["data"].pop("description"), "categories.data: needs a `description`"),
    (lambda d: d["categories"]["data"].update(osi=True), "unknown keys"),
    (lambda d: d["categories"].update({"Open Source": {"description": "x"}}), "a lower-case word"),
])
def test_category_schema_errors(cats_copy: Path, change, message: str) -> None:
    data = yaml.safe_load(cats_copy.read_text(encoding="utf-8"))
    change(data)
    cats_copy.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError, match=message.replace("(", r"\(")):
        vocabulary.categories_from(cats_copy)


def test_field_of_use_schema_errors(tmp_path: Path) -> None:
    src = yaml.safe_load((rules_dir() / "vocabulary" / "kinds.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "kinds.yaml"
    src["kinds"]["user_cap"]["field_of_use"] = ""
    path.write_text(yaml.safe_dump(src), encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError, match="kinds.user_cap.field_of_use must be a phrase"):
        vocabulary.field_of_use_from(path)
    for k in src["kinds"].values():
        k.pop("field_of_use", None)
    path.write_text(yaml.safe_dump(src), encoding="utf-8")
    with pytest.raises(vocabulary.VocabularyError, match="no kind is marked"):
        vocabulary.field_of_use_from(path)
