"""Quantities and money as license texts and command lines write them."""

from __future__ import annotations

import pytest

from openaudit.licenses.numbers import (
    format_quantity,
    iter_quantities,
    parse_amount_option,
    parse_money,
    parse_quantity,
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
