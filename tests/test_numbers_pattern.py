"""The quantity pattern of ``openaudit.licenses.numbers`` finds exactly what its earlier, longer form found.

``_qty`` once wrote the currency alternation twice (``(?:P)(?:\\s?(?:P))?\\s?``); it now writes it once
(``(?:(?:P)\\s?){1,2}``), which halves the currency part of the pattern's compile time. The two forms must
give the same matches (spans and every group) on every corpus license and card and on generated text.
"""

from __future__ import annotations

import re

import pytest
from corpus import CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st

from openaudit.licenses import numbers


def _earlier_pattern() -> re.Pattern[str]:
    """The pattern as ``_qty`` built it before: the currency alternation written twice before the number."""
    before, after = numbers._currencies()
    prefix = "|".join(f"(?:{p})" for p, _ in before)
    suffix = "|".join(f"(?:{p})" for p, _ in after)
    return re.compile(
        rf"(?<![A-Za-z0-9_.$€£¥])"
        rf"(?P<pre>(?:{prefix})(?:\s?(?:{prefix}))?\s?)?"
        rf"(?:(?P<cjk>{numbers._CJK_NUM})|(?P<num>{numbers._NUM})(?:(?P<letter>(?:bn|mm|[kmbt]))(?![a-z])"
        rf"|\s*(?P<scale>{numbers._SCALE_WORD_RE})\b(?:\s+(?P<scale2>{numbers._SCALE_WORD_RE})\b)?)?"
        rf"|(?P<words>\b{numbers._WORD_NUM}\b))"
        rf"(?P<post>\s?(?:{suffix})(?![a-z]))?",
        re.I,
    )


_EARLIER = _earlier_pattern()


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


def _same(text: str) -> None:
    assert _found(numbers._qty(), text) == _found(_EARLIER, text)
    whole = " ".join(text.split())
    assert (numbers._qty().fullmatch(whole) is None) == (_EARLIER.fullmatch(whole) is None)


def test_same_matches_on_written_amounts() -> None:
    for text in ("US $1,000,000", "USD $ 5 million", "RMB ¥ 7亿", "RMB¥7亿", "CN¥ 5000万元", "$ $5", "US$ USD 5",
                 "€ 10M", "EUR € 3bn euros", "¥5 million", "HK$ 2 billion HKD", "pay US dollars 700 million",
                 "CAD $ 1.2B", "JPY ￥ 300 yen", "£ GBP 4", "$  5", "USD  $5", "seven hundred million dollars",
                 "a million US dollars", "S$ S$ S$ 5"):
        _same(text)
    assert numbers.parse_money("RMB ¥ 7亿") == (7e8, "CNY")
    assert numbers.parse_money("USD $ 5 million") == (5e6, "USD")


def test_same_matches_on_corpus_texts() -> None:
    paths = sorted(p for d in ("licenses", "cards") for p in (CORPUS / d).rglob("*") if p.is_file())
    if not paths:
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared sits beside the project)")
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        _same(text)
        _same(numbers._dehyphenate(text))


_TOKENS = ["$", "US", "U.S.", "USD", "US$", "CA$", "C$", "CAD", "A$", "HK$", "S$", "EUR", "€", "£", "GBP", "CN¥",
           "CNY", "RMB", "元", "块", "人民币", "JP¥", "JPY", "¥", "￥", "CHF", "INR", "₹", "KRW", "₩", "dollars",
           "dollar", "euros", "pounds", "sterling", "yuan", "yen", "won", "rupees", "swiss", "francs", "美元",
           "欧元", "日元", "1", "7", "700", "1,000", "2.5", "1.000.000", "10 000 000", "7e8", "亿", "万", "七",
           "千", "million", "billion", "bn", "M", "k", "seven", "hundred", "and", "a", "twenty-one", " ", "  ",
           "\n", "-", ".", ",", "x"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join))
def test_same_matches_on_generated_text(text: str) -> None:
    _same(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=8).map(" ".join))
def test_same_matches_on_generated_phrases(text: str) -> None:
    _same(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,_ \u00a0\u202f\u2009\t", max_size=20))
def test_digit_grouping_is_dropped_as_the_pattern_dropped_it(text: str) -> None:
    """``_num_value`` drops grouping characters with a translation table, as ``re.sub`` with the class did."""
    assert text.translate(numbers._GROUPING) == re.sub(r"[,_ \u00a0\u202f\u2009]", "", text)
