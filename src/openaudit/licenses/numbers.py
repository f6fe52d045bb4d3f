"""Quantities and amounts of money as license texts and command lines write them.

``parse_quantity`` reads a whole expression ("700 million", "1.2B", "$1,000,000", "seven hundred
million", "1 mil-\\nlion"); ``parse_money`` also says which currency (ISO 4217 code, or None when the
text does not say or is ambiguous, e.g. a bare "¥" that may be yuan or yen); ``iter_quantities`` finds
quantities inside running text, with their spans, for the clause extractor; ``parse_amount_option``
reads a command-line value ("800M", "1.2B", "700000000") and raises ValueError with a clear message;
``parse_count`` reads a count the same way (a card's metadata: "7B", "7,000,000,000") and gives None when it
is not one. The one place numbers are parsed: the CLI options, the policy file and the EU AI Act assessment's
parameter and token counts read them here.

Every pattern here is linear-time: no nested quantifiers over the same characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache

from msgspec import Struct

from openaudit.lazyre import compile as _lazy

__all__ = [
    "Quantity",
    "format_quantity",
    "iter_quantities",
    "parse_amount_option",
    "parse_count",
    "parse_money",
    "parse_quantity",
    "scale_factor",
    "short_amount",
]

_SCALE_WORDS = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "mil": 1e6,
    "mio": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "bln": 1e9,
    "trillion": 1e12,
}
# Letter suffixes written against the digits: 1M, 1.2B, 10k.
_SCALE_LETTERS = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}

_Currencies = list[tuple[str, str | None]]


@lru_cache(maxsize=1)
def _currencies() -> tuple[_Currencies, _Currencies]:
    """(written before the amount, written after it): ``rules/vocabulary/currencies.yaml``, checked."""
    from openaudit.paths import rules_dir
    from openaudit.yamlutil import load_file

    data = load_file(rules_dir() / "vocabulary" / "currencies.yaml")
    out = []
    for key in ("before", "after"):
        items = data.get(key) if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            raise ValueError(f"rules/vocabulary/currencies.yaml: `{key}` must be a non-empty list")
        table: _Currencies = []
        for item in items:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and (item[1] is None or (isinstance(item[1], str) and re.fullmatch(r"[A-Z]{3}", item[1])))):
                raise ValueError(f"rules/vocabulary/currencies.yaml: {key}: bad entry {item!r} "
                                 "(expected [pattern, ISO 4217 code or null])")
            table.append((item[0], item[1]))  # compiled within _qty() and when a currency is read
        out.append(table)
    return out[0], out[1]


_NUM = (
    r"(?:\d+(?:\.\d+)?[eE][+-]?\d{1,2}(?![\d.])"  # 7e8, 7E+08, 1.5e6
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,000,000 / 1,000,000.00
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?(?![\d.])"  # 700.000.000 / 1.000.000,00 (two groups at least)
    r"|\d{1,3}(?: \d{3}){2,}(?![\d,.])"  # 700 000 000 (plain spaces: two groups at least, "3 100 million" is not one)
    r"|\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+(?![\d,.])"  # 700 000 with no-break or thin spaces
    r"|\d+(?:_\d{3})+"  # 5_000_000
    r"|\d+(?:\.\d+)?)"  # 700 / 1.2
)
# Chinese numerals and scales: 7亿 (7 x 10^8), 1亿, 5000万, 一亿, 七亿, 三千万.
_CJK_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
               "九": 9}
_CJK_SMALL = {"十": 10, "百": 100, "千": 1000}
_CJK_LARGE = {"万": 1e4, "亿": 1e8}
_WORDNUM_TOKEN = "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_SCALE_WORD_RE = r"(?:hundred|thousand|million|billion|trillion|mil|mio|mln|bln|mn|bn)"
_WORD_NUM = (
    rf"(?:(?:{_WORDNUM_TOKEN}|a)(?:[\s-]+(?:and[\s-]+)?(?:{_WORDNUM_TOKEN}|{_SCALE_WORD_RE}))*)"
)

_CJK_NUM = (r"(?:[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千]{1,8})"
            r"(?:\s?[十百千]?\s?(?:万亿|千万|百万|亿|万)){1,2}")


@lru_cache(maxsize=1)
def _qty() -> re.Pattern[str]:
    """One quantity in running text: optional currency, number, optional scale, optional currency."""
    before, after = _currencies()
    prefix = "|".join(f"(?:{p})" for p, _ in before)
    suffix = "|".join(f"(?:{p})" for p, _ in after)
    source = (
        rf"(?<![A-Za-z0-9_.$€£¥])"
        rf"(?P<pre>(?:(?:{prefix})\s?){{1,2}})?"  # one or two currencies ("RMB ¥"): the alternation once
        rf"(?:(?P<cjk>{_CJK_NUM})|(?P<num>{_NUM})(?:(?P<letter>(?:bn|mm|[kmbt]))(?![a-z])"
        rf"|\s*(?P<scale>{_SCALE_WORD_RE})\b(?:\s+(?P<scale2>{_SCALE_WORD_RE})\b)?)?"
        rf"|(?P<words>\b{_WORD_NUM}\b))"
        rf"(?P<post>\s?(?:{suffix})(?![a-z]))?"
    )
    try:
        return re.compile(source, re.I)
    except re.error:
        for p, _ in before + after:  # name the bad entry
            try:
                re.compile(p, re.I)
            except re.error as e:
                raise ValueError(f"rules/vocabulary/currencies.yaml: bad pattern {p!r}: {e}") from None
        raise


class Quantity(Struct, frozen=True):
    """A quantity found in text: ``value`` (scaled), ``currency`` (ISO code or None), ``span``."""

    value: float
    currency: str | None
    has_currency: bool  # some currency was written (even an ambiguous one like "¥")
    has_scale: bool  # written with a scale word or letter ("million", "M")
    start: int
    end: int
    text: str


def _dehyphenate(text: str) -> str:
    """Join words hyphenated across a line break ("mil-\\nlion" -> "million") and unify spaces."""
    t = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"([A-Za-z])-[ \t]*\n[ \t]*([a-z])", r"\1\2", t)


def _words_value(words: str) -> float | None:
    """Value of an English number written in words: "seven hundred million", "one million"."""
    tokens = [w for w in re.split(r"[\s-]+", words.lower()) if w and w != "and"]
    if not tokens:
        return None
    total = 0.0
    current = 0.0
    seen_number = False
    for tok in tokens:
        if tok == "a" and not seen_number:
            current, seen_number = 1.0, True
        elif tok in _UNITS:
            current += _UNITS[tok]
            seen_number = True
        elif tok in _TENS:
            current += _TENS[tok]
            seen_number = True
        elif tok == "hundred":
            if not seen_number:
                return None
            current = (current or 1.0) * 100
        elif tok in _SCALE_WORDS:
            if not seen_number:
                return None
            total += (current or 1.0) * _SCALE_WORDS[tok]
            current = 0.0
        else:
            return None
    return total + current if seen_number else None


# The characters that group digits (1,000 / 5_000 / 700 000 with plain, no-break or thin spaces), dropped from a
# number before it is read: a translation table, not a regular expression (no pattern to compile).
_GROUPING = dict.fromkeys(map(ord, ",_ \u00a0\u202f\u2009"))


def _num_value(num: str) -> float:
    if "e" in num or "E" in num:
        return float(num)
    if num.count(".") >= 2:  # 700.000.000 / 1.000.000,50: dots group thousands, a comma marks decimals
        num = num.replace(".", "").replace(",", ".")
    return float(num.translate(_GROUPING))


def _currency_of(pre: str | None, post: str | None) -> tuple[str | None, bool]:
    """(ISO code or None, whether any currency was written)."""
    written = False
    code: str | None = None
    for part, table in zip((pre, post), _currencies(), strict=True):
        if not part or not part.strip():
            continue
        part = part.strip()
        for pattern, iso in table:
            if not re.match(pattern, part, re.I):
                continue
            written = True
            found = iso
            if iso is None:
                up = part.upper()
                found = next((c for c in ("CAD", "AUD", "HKD", "SGD") if c in up), None)
                if found is None:
                    return None, True  # "¥" alone: yuan or yen, do not guess
            if code is not None and code != found:
                return None, True  # conflicting currencies: do not guess
            code = found
            break
    return code, written


def _cjk_value(text: str) -> float | None:
    """Value of a Chinese quantity: "7亿", "1.5亿", "5000万", "一亿", "三千万", "十亿"."""
    t = text.replace(" ", "")
    i = 0
    while i < len(t) and (t[i].isdigit() or t[i] == "."):
        i += 1
    if i:
        try:
            value = float(t[:i])
        except ValueError:
            return None
    else:
        value = 0.0
        current = 0
        while i < len(t) and (t[i] in _CJK_DIGITS or t[i] in _CJK_SMALL):
            c = t[i]
            if c in _CJK_DIGITS:
                current = _CJK_DIGITS[c]
            else:
                value += (current or 1) * _CJK_SMALL[c]
                current = 0
            i += 1
        value += current
        if not value:
            return None
    # the scales after the number multiply it: 千万 = 10^3 x 10^4, 百亿 = 10^2 x 10^8
    for c in t[i:]:
        if c in _CJK_SMALL:
            value *= _CJK_SMALL[c]
        elif c in _CJK_LARGE:
            value *= _CJK_LARGE[c]
    return value


def _from_match(m: re.Match[str]) -> Quantity | None:
    if m.group("cjk") is not None:
        value = _cjk_value(m.group("cjk"))
        if value is None:
            return None
        currency, written = _currency_of(m.group("pre"), m.group("post"))
        return Quantity(value, currency, written, True, m.start(), m.end(), m.group(0))
    if m.group("words") is not None:
        words = m.group("words")
        if not re.search(_SCALE_WORD_RE, words, re.I) and not (m.group("pre") or m.group("post")):
            return None  # "one", "five": too common in prose to be a threshold on their own
        value = _words_value(words)
        if value is None:
            return None
        has_scale = bool(re.search(_SCALE_WORD_RE, words, re.I))
    else:
        value = _num_value(m.group("num"))
        has_scale = False
        if m.group("letter"):
            value *= _SCALE_LETTERS[m.group("letter").lower()]
            has_scale = True
        for g in ("scale", "scale2"):
            if m.group(g):
                value *= _SCALE_WORDS[m.group(g).lower()]
                has_scale = True
    currency, written = _currency_of(m.group("pre"), m.group("post"))
    return Quantity(value, currency, written, has_scale, m.start(), m.end(), m.group(0))


def iter_quantities(text: str) -> Iterator[Quantity]:
    """Quantities in running text (text should already be de-hyphenated; offsets refer to ``text``)."""
    for m in _qty().finditer(text):
        if not m.group(0).strip():
            continue
        q = _from_match(m)
        if q is not None:
            yield q


def _parse_whole(text: str) -> Quantity | None:
    t = " ".join(_dehyphenate(text).split())
    if not t:
        return None
    m = _qty().fullmatch(t)
    if m is None:
        return None
    return _from_match(m)


def parse_quantity(text: str) -> float | None:
    """The value of a quantity expression, or None when ``text`` is not one.

    >>> parse_quantity("700 million"), parse_quantity("1.2B"), parse_quantity("version 3.1")
    (700000000.0, 1200000000.0, None)
    """
    q = _parse_whole(text)
    return q.value if q is not None else None


def parse_money(text: str) -> tuple[float, str | None] | None:
    """(amount, ISO currency code) for an amount of money; the code is None when unknown/ambiguous.

    >>> parse_money("US $1,000,000"), parse_money("€ 10M"), parse_money("¥5 million")
    ((1000000.0, 'USD'), (10000000.0, 'EUR'), (5000000.0, None))
    """
    q = _parse_whole(text)
    if q is None:
        return None
    return q.value, q.currency


# A count or amount written on its own (a command-line value, a card's metadata): thousands grouped by commas
# (700,000,000), a decimal comma before one or two digits (1,5M: 1.5 million, never 15 million), plain digits
# with an optional decimal part or exponent; then an optional scale (K/M/B/T, million, bn…).
_OPTION = _lazy(r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}|\d+(?:\.\d+)?(?:e[+-]?\d+)?)"
                r"\s*(?P<suffix>[a-z]+)?", re.I)
_HINT = "expected a non-negative number with an optional K/M/B suffix, e.g. 800M, 1.2B or 700000000"


def _option_number(num: str) -> float:
    if "," in num and re.fullmatch(r"\d+,\d{1,2}", num):
        return float(num.replace(",", "."))  # a decimal comma
    return float(num.replace(",", ""))


def scale_factor(word: str) -> float | None:
    """The multiplier a scale suffix or word stands for ("k", "M", "bn", "billion", "T"), or None."""
    w = word.lower()
    return _SCALE_LETTERS.get(w) or _SCALE_WORDS.get(w)


def parse_count(value: str) -> float | None:
    """A count as a card's metadata or a command line writes it ("7B", "7.24 billion", "70000000000",
    "7,000,000,000", "1,5M", "7e9"), or None. The same grammar as ``parse_amount_option``, without currencies.

    >>> parse_count("7,000,000,000"), parse_count("1,5M"), parse_count("about 7B")
    (7000000000.0, 1500000.0, None)
    """
    try:
        return _parse_amount(value, money=False)
    except ValueError:
        return None


def parse_amount_option(value: str) -> float:
    """Read a command-line amount such as ``800M``, ``1.2B``, ``700000000``, ``700,000,000``, ``$1M``.

    Raises ValueError with a message naming the bad value and the accepted forms.
    """
    return _parse_amount(value, money=True)


def _parse_amount(value: str, *, money: bool) -> float:
    raw = value
    hint = _HINT
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"invalid amount {raw!r}: {hint}")
    t = value.strip().replace("_", "")
    if money:
        t = re.sub(r"^(?:US\$|USD|EUR|GBP|\$|€|£)\s*", "", t, flags=re.I)
        t = re.sub(r"\s*(?:USD|EUR|GBP)$", "", t, flags=re.I)
    m = _OPTION.fullmatch(t)
    if m is None:
        raise ValueError(f"invalid amount {raw!r}: {hint}")
    number = _option_number(m.group("num"))
    suffix = (m.group("suffix") or "").lower()
    if suffix:
        if suffix in _SCALE_LETTERS:
            number *= _SCALE_LETTERS[suffix]
        elif suffix in _SCALE_WORDS and suffix != "hundred":
            number *= _SCALE_WORDS[suffix]
        else:
            raise ValueError(f"invalid amount {raw!r}: unknown suffix {m.group('suffix')!r}; {hint}")
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise ValueError(f"invalid amount {raw!r}: {hint}")
    return number


def format_quantity(value: float) -> str:
    """Short human form: 700000000 -> "700 million", 1200000000 -> "1.2 billion", 50000 -> "50,000"."""
    for scale, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= scale:
            n = value / scale
            s = f"{n:.3f}".rstrip("0").rstrip(".")
            return f"{s} {name}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def short_amount(value: float) -> str:
    """The short form the reports print: 700000000 -> "700M", 1.5e9 -> "1.5B", 50000 -> "50k", 250 -> "250"."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:g}{suffix}"
    return f"{value:g}"
