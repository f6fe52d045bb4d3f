"""Fuzz the number and money parsers: `python bench/fuzz/fuzz_numbers.py -max_total_time=60`."""

from __future__ import annotations

import _harness

with _harness.instrumented():
    from openaudit.licenses.numbers import iter_quantities, parse_money, parse_quantity


def test_one_input(data: bytes) -> None:
    text = _harness.text_of(data)
    q = parse_quantity(text)
    assert q is None or q >= 0
    parse_money(text)
    for found in iter_quantities(text):
        assert found.value >= 0


if __name__ == "__main__":
    _harness.main(test_one_input)
