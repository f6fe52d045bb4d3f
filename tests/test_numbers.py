"""Quantities and money as license texts and command lines write them."""

from __future__ import annotations

import pytest

from openaudit.licenses.numbers import (
    format_quantity,
    iter_quantities,
    parse_amount_option,
    parse_money,
    parse_quantity,
    short_amount,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("700 million", 700_000_000),
        ("700,000,000", 700_000_000),
        ("100 million", 100_000_000),
        ("1 mil-\nlion", 1_000_000),
        ("1 mil-\r\n  lion", 1_000_000),
        ("1M", 1_000_000),
        ("1.2B", 1_200_000_000),
        ("$1,000,000", 1_000_000),
        ("USD 1 million", 1_000_000),
        ("one million", 1_000_000),
        ("seven hundred million", 700_000_000),
        ("two hundred and fifty thousand", 250_000),
        ("a million", 1_000_000),
        ("10 million euros", 10_000_000),
        ("€ 10M", 10_000_000),
        ("5_000_000", 5_000_000),
        ("800M", 800_000_000),
        ("10k", 10_000),
        ("2.5 bn", 2_500_000_000),
        ("US $1,000,000", 1_000_000),
        ("USD $1,000,000", 1_000_000),
        ("20 million US dollars", 20_000_000),
        ("  700   million  ", 700_000_000),
        ("1,000,000.50", 1_000_000.5),
    ],
)
def test_parse_quantity(text: str, value: float) -> None:
    assert parse_quantity(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "version 3.1",
        "Llama 3.1",
        "July 23, 2024",
        "Section 2",
        "Section 1.b.i",
        "1.b.i",
        "50%",
        "million",
        "users",
        "one or more",
        "700 million monthly active users",  # a quantity with a unit is not a bare quantity
        "3 100 million",  # two numbers side by side are not one
    ],
)
def test_parse_quantity_rejects(text: str) -> None:
    assert parse_quantity(text) is None


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("$1,000,000", (1_000_000, "USD")),
        ("US$5", (5, "USD")),
        ("US $1,000,000", (1_000_000, "USD")),
        ("U.S. $5.00", (5, "USD")),
        ("USD $1,000,000", (1_000_000, "USD")),
        ("USD 1 million", (1_000_000, "USD")),
        ("20 million US dollars", (20_000_000, "USD")),
        ("10 million euros", (10_000_000, "EUR")),
        ("€ 10M", (10_000_000, "EUR")),
        ("EUR 10,000,000", (10_000_000, "EUR")),
        ("£2m", (2_000_000, "GBP")),
        ("RMB 10 million", (10_000_000, "CNY")),
        ("10 million yuan", (10_000_000, "CNY")),
        ("CN¥5M", (5_000_000, "CNY")),
        ("JPY 100 million", (100_000_000, "JPY")),
        ("100 million yen", (100_000_000, "JPY")),
        ("¥5 million", (5_000_000, None)),  # yuan or yen: not guessed
        ("￥5 million", (5_000_000, None)),
        ("1 million", (1_000_000, None)),  # no currency written
    ],
)
def test_parse_money(text: str, money: tuple[float, str | None]) -> None:
    got = parse_money(text)
    assert got is not None
    assert got[0] == pytest.approx(money[0])
    assert got[1] == money[1]


@pytest.mark.parametrize("text", ["", "dollars", "version 3.1", "$", "USD"])
def test_parse_money_rejects(text: str) -> None:
    assert parse_money(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("800M", 800_000_000),
        ("800m", 800_000_000),
        ("1.2B", 1_200_000_000),
        ("1.2b", 1_200_000_000),
        ("2bn", 2_000_000_000),
        ("700000000", 700_000_000),
        ("700,000,000", 700_000_000),
        ("700_000_000", 700_000_000),
        ("50k", 50_000),
        ("$1M", 1_000_000),
        ("1e9", 1_000_000_000),
        ("0", 0),
        (" 5 million ", 5_000_000),
    ],
)
def test_parse_amount_option(text: str, value: float) -> None:
    assert parse_amount_option(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1.2X", "-5", "M", "1.2.3", "nan", "inf", "5 hundred"])
def test_parse_amount_option_errors(text: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_amount_option(text)
    message = str(err.value)
    assert repr(text) in message
    assert "800M" in message  # the message shows what is accepted


def test_iter_quantities_spans_and_currency() -> None:
    text = ("more than 100 million monthly active users, or more than 20 million US dollars "
            "(or equivalent) in monthly revenue; Llama 3.1 released July 23, 2024")
    found = list(iter_quantities(text))
    assert [text[q.start:q.end] for q in found][:2] == ["100 million", "20 million US dollars"]
    assert found[0].currency is None and found[0].has_scale
    assert found[1].currency == "USD" and found[1].has_currency
    # numbers without scale or currency are reported as such; callers decide (versions, dates)
    small = [q for q in found if not q.has_scale and not q.has_currency]
    assert {q.value for q in small} >= {3.1, 23, 2024}


def test_iter_quantities_ignores_plain_number_words() -> None:
    assert [q.value for q in iter_quantities("one or more users; five days")] == []


def test_format_quantity() -> None:
    assert format_quantity(700_000_000) == "700 million"
    assert format_quantity(1_200_000_000) == "1.2 billion"
    assert format_quantity(1_000_000) == "1 million"
    assert format_quantity(50_000) == "50,000"
    assert format_quantity(2.5) == "2.50"


@pytest.mark.parametrize(("text", "value"), [
    ("1,5M", 1_500_000),  # a decimal comma: 1.5 million, not 15 million
    ("2,25B", 2_250_000_000),
    ("1,000,000.50", 1_000_000.5),
    ("1.2 B", 1_200_000_000),
])
def test_parse_amount_option_commas(text: str, value: float) -> None:
    assert parse_amount_option(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["1,5000", "1,2,3", "7,000,00"])
def test_parse_amount_option_refuses_odd_commas(text: str) -> None:
    with pytest.raises(ValueError, match="invalid amount"):
        parse_amount_option(text)


@pytest.mark.parametrize(("value", "count"), [
    ("7B", 7e9), ("7.24 billion", 7.24e9), ("70000000000", 7e10), ("7,000,000,000", 7e9), ("7e9", 7e9),
    ("1.5E25", 1.5e25), ("350M", 350e6), ("7,5B", 7.5e9), ("1.2T", 1.2e12),
])
def test_card_metadata_counts_use_the_one_parser(value: str, count: float) -> None:
    # the EU AI Act assessment read metadata counts with its own pattern: "70000000000" and "7,000,000,000"
    # were not numbers to it, while --mau read them
    from openaudit.card import parse_card
    from openaudit.evidence import Evidence
    from openaudit.licenses.numbers import parse_count
    from openaudit.standards.euaiact import compute_estimate

    card = parse_card(f"---\nparameters: \"{value}\"\ntraining_tokens: 1T\n---\n# x\n")
    ev = Evidence(kind="hub", id="acme/x", card=card)
    assert compute_estimate(ev)["parameters"] == pytest.approx(count)
    assert parse_count(value) == pytest.approx(count)
    assert parse_amount_option(value) == pytest.approx(count)


def test_card_text_sizes_use_the_one_parser() -> None:
    from openaudit.card import parse_card
    from openaudit.evidence import Evidence, SourceFile
    from openaudit.standards.euaiact import compute_estimate

    text = "# x\n\nA model with 1,000B parameters, trained on 7,5 trillion tokens.\n"
    card = parse_card(text)
    ev = Evidence(kind="hub", id="acme/x", card=card, files=[SourceFile(name="README.md", role="card", text=text)])
    est = compute_estimate(ev)
    assert est["parameters"] == pytest.approx(1e12)  # thousands grouped: one trillion, not 1.0 billion
    assert est["training_tokens"] == pytest.approx(7.5e12)


@pytest.mark.parametrize(("value", "text"), [(700e6, "700M"), (1.5e9, "1.5B"), (50_000, "50k"), (250, "250"),
                                             (2e12, "2T"), (1e6, "1M"), (0.5, "0.5")])
def test_short_amount(value: float, text: str) -> None:
    assert short_amount(value) == text
