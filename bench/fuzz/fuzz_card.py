"""Fuzz the model card parser: `python bench/fuzz/fuzz_card.py -max_total_time=60`.

parse_card must never raise, whatever the bytes: broken YAML, alias bombs and unsafe tags end in
``metadata_error``.
"""

from __future__ import annotations

import _harness

with _harness.instrumented():
    from openaudit.card import parse_card


def test_one_input(data: bytes) -> None:
    card = parse_card(_harness.text_of(data))
    assert isinstance(card.metadata, dict)
    assert card.metadata_error is None or not card.metadata
    _ = card.body_lines


if __name__ == "__main__":
    _harness.main(test_one_input)
