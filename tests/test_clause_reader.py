"""The clause reader on wording it was not written against (issue 14): terms missed in unseen wording, text
tricks that hide a clause, false restrictions, unclassified binding sentences, reading only some lines.

Every sentence here was written for these tests, in varied wording; the expected answer was written from
reading the sentence, before running the reader on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from openaudit.evidence import SourceFile
from openaudit.licenses.clauses import extract_from_text, extract_restrictions
from openaudit.model import Restriction

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
COMMON = Path("/usr/share/common-licenses")  # Debian's copies of the GPL family, MPL, Apache, BSD, CC0


def kinds(rs: list[Restriction]) -> set[str]:
    return {r.kind for r in rs}


def one(rs: list[Restriction], kind: str) -> Restriction:
    found = [r for r in rs if r.kind == kind]
    assert len(found) == 1, f"expected one {kind}, got {[(r.kind, r.summary) for r in rs]}"
    return found[0]


def thresholds(r: Restriction) -> list[tuple[float, str, str | None]]:
    return [(t.value, t.unit, t.currency) for t in r.thresholds]


# ---------------------------------------------------------------------------------------------------------------
# Terms missed in unseen wording
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("If your annual recurring revenue exceeds US$5 million, you must obtain a commercial license from the "
         "Licensor.", "revenue_cap", [(5e6, "annual_revenue", "USD")]),
        ("Companies whose ARR is above $12,000,000 are not licensed under these terms and must contact us.",
         "revenue_cap", [(12e6, "annual_revenue", "USD")]),
        ("Organisations with a yearly turnover greater than EUR 3 million need a separate agreement.",
         "revenue_cap", [(3e6, "annual_revenue", "EUR")]),
        ("Products with more than 50 million daily active users require a separate license from us.",
         "user_cap", [(5e7, "daily_active_users", None)]),
        ("Where the DAU of your service exceeds 2,000,000, this license terminates automatically.",
         "user_cap", [(2e6, "daily_active_users", None)]),
    ],
)
def test_thresholds_in_unseen_units(text: str, kind: str, expected: list) -> None:
    r = one(extract_from_text(text), kind)
    assert thresholds(r) == expected


def test_threshold_held_in_a_defined_term() -> None:
    text = (
        '1.4 "Revenue Threshold" shall mean gross annual revenue of EUR 2,000,000.\n'
        "\n"
        "1.5 \"Licensee\" means you.\n"
        "\n"
        "3. Any Licensee whose revenue exceeds the Revenue Threshold must purchase an enterprise license.\n"
    )
    r = one(extract_from_text(text), "revenue_cap")
    assert thresholds(r) == [(2e6, "annual_revenue", "EUR")]
    assert r.clause is not None and r.clause.line == 5  # cited where the term is crossed, not where defined


def test_threshold_held_in_a_parenthesised_term() -> None:
    text = (
        "This license is free for entities with fewer than 1,000,000 monthly active users (the \"Cap\").\n"
        "Entities above the Cap are not licensed under these terms and must request a license from the Licensor.\n"
    )
    r = one(extract_from_text(text), "user_cap")
    assert thresholds(r) == [(1e6, "monthly_active_users", None)]


@pytest.mark.parametrize(
    "text",
    [
        "Licensee may not use the Model, or any part of it, to improve any AI model other than the Model itself.",
        "You shall not use the Software to develop or enhance a competing machine learning model.",
        "Distillation of the Model into other models is prohibited.",
        "Knowledge distillation using this model is strictly forbidden.",
        "You shall refrain from using the Materials to train any other large language model.",
    ],
)
def test_training_and_distillation_bans_without_the_word_outputs(text: str) -> None:
    assert "output_training_ban" in kinds(extract_from_text(text))


@pytest.mark.parametrize(
    "text",
    [
        "The Licensee shall refrain from using the Model for any commercial purpose.",
        "You must refrain from commercial use of the weights.",
    ],
)
def test_shall_refrain_from(text: str) -> None:
    assert "non_commercial" in kinds(extract_from_text(text))


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("The Model is not licensed for use in Poland or Sweden.", ["PL", "SE"]),
        ("Users located in Austria, Belgium and Portugal may not use the Model.", ["AT", "BE", "PT"]),
        ("This license does not apply in DE, FR or NL.", ["DE", "FR", "NL"]),
        ("You may not deploy the Model in Latvia, Lithuania, Estonia or Finland.", ["LV", "LT", "EE", "FI"]),
        ("The rights granted herein are not available to residents of the European Economic Area.", ["EEA"]),
        ("Users in the Russian Federation, Belarus and Iran are excluded from this license.", ["RU", "BY", "IR"]),
    ],
)
def test_place_lists(text: str, codes: list[str]) -> None:
    r = one(extract_from_text(text), "territory")
    assert r.territories == codes


# ---------------------------------------------------------------------------------------------------------------
# Texts written in Chinese
# ---------------------------------------------------------------------------------------------------------------


def test_chinese_user_cap() -> None:
    r = one(extract_from_text("如果您的产品月活跃用户超过1亿,您必须向许可方申请商业许可。"), "user_cap")
    assert thresholds(r) == [(1e8, "monthly_active_users", None)]


def test_chinese_revenue_cap_in_yi() -> None:
    r = one(extract_from_text("年收入超过7亿元人民币的企业须获得单独授权。"), "revenue_cap")
    assert thresholds(r) == [(7e8, "annual_revenue", "CNY")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("本模型仅限学术研究使用,不得用于商业目的。", "non_commercial"),
        ("您不得使用本模型的输出来训练或改进其他大语言模型。", "output_training_ban"),
        ("您在分发本模型时必须保留原始版权声明。", "attribution"),
        ("商业使用前,您须通过电子邮件向许可方登记。", "registration"),
    ],
)
def test_chinese_kinds(text: str, kind: str) -> None:
    assert kind in kinds(extract_from_text(text))


def test_chinese_sentences_are_cited_on_their_own_line() -> None:
    text = "第一条 定义。\n本协议适用于本模型。\n您不得将本模型用于商业用途。\n"
    r = one(extract_from_text(text), "non_commercial")
    assert r.clause is not None and r.clause.line == 3


# ---------------------------------------------------------------------------------------------------------------
# Text tricks that hide a clause
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "You may not use the Model for com\u00admercial purposes.",  # soft hyphen
        "You may not use the Model for comm\u200bercial purposes.",  # zero-width space
        "You may not use the Model for co\u2060mmer\ufeffcial purposes.",  # word joiner, BOM
        "You may not use the Model for \u0441\u043emm\u0435r\u0441i\u0430l purposes.",  # Cyrillic с о е а
        # full-width letters
        "You may not use the Model for \uff43\uff4f\uff4d\uff4d\uff45\uff52\uff43\uff49\uff41\uff4c purposes.",
        "YOU MAY NOT USE THE MODEL FOR ANY COMMERCIAL PURPOSE WHATSOEVER, DIRECTLY OR INDIRECTLY.",
        "You may *not* use the Model for _commercial_ purposes.",
        "You may not use the Model for com*mer*cial purposes.",
        "You may <b>not</b> use the Model for <a href=\"https://example.com/x\">commercial</a> purposes.",
        "You may not use the Model for [commercial](https://example.com/terms) purposes.",
        "You may not use the Model for commer&shy;cial purposes.",
    ],
)
def test_tricks_do_not_hide_non_commercial(text: str) -> None:
    assert "non_commercial" in kinds(extract_from_text(text))


@pytest.mark.parametrize(
    "amount",
    ["700 000 000", "700.000.000", "7e8", "7E+08", "seven hundred million", "700\u00a0000\u00a0000", "0.7 billion"],
)
def test_numbers_in_any_notation(amount: str) -> None:
    text = f"If your products exceed {amount} monthly active users, you must request a license from the Licensor."
    r = one(extract_from_text(text), "user_cap")
    assert thresholds(r) == [(7e8, "monthly_active_users", None)]


def test_all_caps_threshold_is_read() -> None:
    text = ("IF YOUR PRODUCTS HAVE MORE THAN 10 MILLION MONTHLY ACTIVE USERS, YOU MUST REQUEST A LICENSE FROM THE "
            "LICENSOR, WHICH THE LICENSOR MAY GRANT IN ITS SOLE DISCRETION.")
    r = one(extract_from_text(text), "user_cap")
    assert thresholds(r) == [(1e7, "monthly_active_users", None)]


def test_all_caps_codes_are_words_not_places() -> None:
    text = "THIS SOFTWARE MAY NOT BE USED IN IT SYSTEMS THAT DO NOT BELONG TO US."
    assert "territory" not in kinds(extract_from_text(text))


def test_citation_keeps_the_line_after_html_and_emphasis() -> None:
    text = "<p>Preamble</p>\n\n**Terms**\n\nYou may <i>not</i> use the Model\nfor *commercial* purposes.\n"
    r = one(extract_from_text(text), "non_commercial")
    assert r.clause is not None and r.clause.line in (5, 6)


# ---------------------------------------------------------------------------------------------------------------
# False restrictions
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "If your service has more than 1 million monthly active users, you must display \"Powered by Foo\" in its "
        "interface.",
        "Licensees with over 100 million monthly active users must prominently display \"Built with Foo\". This "
        "requirement does not apply to research use.",
        "When a product built on the Model exceeds 20 million US dollars in monthly revenue, you shall credit Foo "
        "Labs in the product's documentation.",
    ],
)
def test_threshold_that_only_triggers_attribution_is_not_a_cap(text: str) -> None:
    rs = extract_from_text(text)
    assert not kinds(rs) & {"user_cap", "revenue_cap"}, [(r.kind, r.summary) for r in rs]
    assert one(rs, "attribution").thresholds


def test_threshold_that_triggers_a_notice_is_not_a_cap() -> None:
    rs = extract_from_text("If your deployment exceeds 5 million monthly active users, you must notify the Licensor "
                           "in writing within 30 days.")
    assert not kinds(rs) & {"user_cap", "revenue_cap"}
    assert one(rs, "registration").thresholds


def test_threshold_that_triggers_a_fee_is_a_cap() -> None:
    r = one(extract_from_text("Licensees with annual revenue over $2M shall pay a license fee of 1% of that "
                              "revenue."), "revenue_cap")
    assert "fee" in r.summary


@pytest.mark.parametrize(
    "text",
    [
        "The Threshold shall not apply to a non-profit organisation's use of the Model for non-commercial research.",
        "This limitation shall not be construed to restrict non-commercial use of the Model.",
    ],
)
def test_exemptions_mentioning_non_commercial_are_not_bans(text: str) -> None:
    assert "non_commercial" not in kinds(extract_from_text(text))


def test_gpl_conveyance_condition_is_not_non_commercial() -> None:
    text = ("c) Convey individual copies of the object code with a copy of the written offer to provide the "
            "Corresponding Source. This alternative is allowed only occasionally and noncommercially, and only if "
            "you received the object code with such an offer, in accord with subsection 6b.")
    assert "non_commercial" not in kinds(extract_from_text(text))


# ---------------------------------------------------------------------------------------------------------------
# Never silently nothing
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "You may not use the Model to make decisions about a person's eligibility for employment.",
        "The Licensee shall refrain from deploying the weights on devices sold to minors.",
        "The Model may be used only for evaluating speech recognition systems.",
        "Use of the Model in medical devices is prohibited.",
        "You must delete the Model within 30 days after the end of your evaluation period.",
        "This license is granted only to individuals; companies must obtain a separate license.",
    ],
)
def test_binding_sentences_no_kind_claims_are_unclassified(text: str) -> None:
    r = one(extract_from_text(text), "unclassified")
    assert r.clause is not None and r.clause.line == 1 and r.clause.text


@pytest.mark.parametrize(
    "text",
    [
        "This permission notice and the copyright notice above shall be kept in every copy of the Software.",
        "THE MODEL COMES WITHOUT ANY WARRANTY. THE AUTHORS SHALL NOT BE LIABLE FOR ANY DAMAGES OF ANY KIND.",
        "You must give any other recipients of the Work a copy of this License.",
        "The Licensor shall not be bound by any additional terms communicated by You.",
        "Nothing in this License shall be construed as limiting any right you have under applicable law.",
        "You are not required to accept this License, since you have not signed it.",
        "\"Contribution\" shall mean any work of authorship submitted to the Licensor.",
    ],
)
def test_boilerplate_is_not_unclassified(text: str) -> None:
    assert "unclassified" not in kinds(extract_from_text(text))


def test_unclassified_is_bounded_per_file() -> None:
    text = "\n\n".join(f"You may not use the Model for purpose number {i} of this list of odd duties."
                       for i in range(40))
    rs = [r for r in extract_from_text(text) if r.kind == "unclassified"]
    assert 1 <= len(rs) <= 12
    assert "more binding sentences" in rs[-1].summary or len(rs) < 12


# ---------------------------------------------------------------------------------------------------------------
# Reading only some lines (the passages of a known license that were added or changed)
# ---------------------------------------------------------------------------------------------------------------


def test_only_lines_reads_the_given_ranges() -> None:
    text = ("You may not use the Model for commercial purposes.\n\n"
            "Redistribution must retain the above copyright notice.\n\n"
            "The Model is not licensed for use in Poland.\n")
    f = SourceFile(name="LICENSE", role="license", text=text)
    assert kinds(extract_restrictions([f], only_lines={"LICENSE": [(5, 5)]})) == {"territory"}
    assert kinds(extract_restrictions([f], only_lines={"LICENSE": [(1, 3)]})) == {"non_commercial", "attribution"}
    assert extract_restrictions([f], only_lines={"LICENSE": []}) == []
    assert kinds(extract_restrictions([f], only_lines={"OTHER": [(1, 1)]})) == {
        "non_commercial", "attribution", "territory"}  # a file not named is read whole


def test_only_lines_keeps_definitions_from_the_whole_file() -> None:
    text = ('"Threshold" means 10 million monthly active users.\n\n'
            "Unchanged text.\n\n"
            "If you exceed the Threshold, you must obtain a separate license from us.\n")
    f = SourceFile(name="LICENSE", role="license", text=text)
    r = one(extract_restrictions([f], only_lines={"LICENSE": [(5, 5)]}), "user_cap")
    assert thresholds(r) == [(1e7, "monthly_active_users", None)]


# ---------------------------------------------------------------------------------------------------------------
# Real texts of open licenses: no restrictive kind the license does not have
# ---------------------------------------------------------------------------------------------------------------

_OPEN_TEXTS = {
    # path: kinds the license really has (beyond these, nothing)
    COMMON / "GPL-2": {"share_alike", "attribution"},
    COMMON / "GPL-3": {"share_alike", "attribution"},
    COMMON / "LGPL-2.1": {"share_alike", "attribution"},
    COMMON / "LGPL-3": {"share_alike", "attribution"},
    COMMON / "MPL-2.0": {"share_alike", "attribution"},
    COMMON / "MPL-1.1": {"share_alike", "attribution"},
    COMMON / "Apache-2.0": {"attribution"},
    COMMON / "BSD": {"attribution"},
    COMMON / "CC0-1.0": set(),
    CORPUS / "licenses" / "mit.txt": {"attribution"},
    CORPUS / "licenses" / "bsd-3-clause.txt": {"attribution"},
    CORPUS / "licenses" / "apache-2.0.txt": {"attribution"},
    CORPUS / "licenses" / "cc-by-nc-4.0.txt": {"attribution", "non_commercial"},
    CORPUS / "licenses" / "cc-by-nc-nd-4.0.txt": {"attribution", "non_commercial", "no_derivatives"},
    CORPUS / "licenses" / "scancode" / "cc-by-4.0.LICENSE": {"attribution"},
    CORPUS / "licenses" / "scancode" / "cc-by-sa-4.0.LICENSE": {"attribution", "share_alike"},
    CORPUS / "licenses" / "scancode" / "cc-by-nd-4.0.LICENSE": {"attribution", "no_derivatives"},
    CORPUS / "licenses" / "scancode" / "cc-by-nc-sa-4.0.LICENSE": {"attribution", "non_commercial", "share_alike"},
}


@pytest.mark.parametrize("path", list(_OPEN_TEXTS), ids=lambda p: p.name)
def test_open_license_texts_have_only_their_own_kinds(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} not found (Debian's common-licenses or the shared corpus)")
    rs = extract_from_text(path.read_text(encoding="utf-8", errors="replace"))
    extra = kinds(rs) - _OPEN_TEXTS[path]
    assert not extra, [(r.kind, r.clause.line if r.clause else None, r.summary) for r in rs if r.kind in extra]


# ---------------------------------------------------------------------------------------------------------------
# End to end: an unknown license with a term no kind describes
# ---------------------------------------------------------------------------------------------------------------


def test_unknown_license_with_an_unclassified_term_reports_oa213_and_is_not_open(tmp_path: Path) -> None:
    import openaudit

    (tmp_path / "README.md").write_text("---\nlicense: other\n---\n# Pebble\n\nA small model.\n", encoding="utf-8")
    (tmp_path / "LICENSE").write_text(
        "Pebble Model License\n\n"
        "1. You are granted a worldwide, royalty-free license to use and modify the Model.\n\n"
        "2. You must delete all copies of the Model within ninety days after you first download it.\n",
        encoding="utf-8")
    report = openaudit.audit(str(tmp_path), offline=True)
    r = one(report.restrictions, "unclassified")
    assert r.clause is not None and (r.clause.file, r.clause.line) == ("LICENSE", 5)
    oa213 = [f for f in report.findings if f.rule == "OA213"]
    assert oa213 and oa213[0].severity == "warning" and oa213[0].evidence is not None
    assert report.osaid.verdict != "conformant"
    assert report.license.osi_approved is not True


def test_eu_ai_act_licence_condition_is_unknown_with_an_unclassified_term() -> None:
    from openaudit.model import Citation, LicenseResult
    from openaudit.standards.euaiact import _licence

    apache = LicenseResult(id="apache-2.0", name="Apache License 2.0", spdx="Apache-2.0", osi_approved=True)
    r = Restriction(kind="unclassified", summary="Binding sentence not classified (prohibition): \"...\"",
                    clause=Citation(source="file", file="LICENSE", line=204, text="You may not ..."))
    status, reason, cites = _licence(apache, [r], "permissive")
    assert status == "unknown" and "not classified" in reason and cites[0].line == 204
    assert _licence(apache, [], "permissive")[0] == "met"
