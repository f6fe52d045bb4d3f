"""Model card parsing: front matter grammar, safe YAML only, line numbers, hostile input."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from openaudit.card import parse_card


def test_simple_card_metadata_lines_and_body() -> None:
    text = "---\nlicense: mit\nlanguage: [en]\n---\n# Title\n\nBody text.\n"
    card = parse_card(text, "README.md")
    assert card.has_front_matter
    assert card.metadata == {"license": "mit", "language": ["en"]}
    assert card.metadata_error is None
    assert card.path == "README.md"
    assert card.line_of("license") == 2
    assert card.line_of("language") == 3
    assert card.line_of("missing") is None
    assert card.body_start == 5
    assert card.lines[card.body_start - 1] == "# Title"
    assert card.body_lines[0] == (5, "# Title")
    assert card.body.startswith("# Title\n\nBody text.")


def test_crlf_line_endings() -> None:
    card = parse_card("---\r\nlicense: apache-2.0\r\ntags:\r\n  - a\r\n---\r\n# Hi\r\nmore\r\n")
    assert card.metadata == {"license": "apache-2.0", "tags": ["a"]}
    assert card.metadata_error is None
    assert card.line_of("license") == 2
    assert card.line_of("tags") == 3
    assert card.body_start == 6
    assert card.lines[card.body_start - 1] == "# Hi"
    assert all("\r" not in line for line in card.lines)


def test_lone_cr_line_endings() -> None:
    card = parse_card("---\rlicense: mit\r---\rbody\r")
    assert card.metadata == {"license": "mit"}
    assert card.line_of("license") == 2
    assert card.lines[card.body_start - 1] == "body"


def test_utf8_bom_is_ignored() -> None:
    card = parse_card("\ufeff---\nlicense: mit\n---\nbody\n")
    assert card.has_front_matter
    assert card.metadata == {"license": "mit"}
    assert card.line_of("license") == 2
    assert card.lines[card.body_start - 1] == "body"


def test_no_front_matter() -> None:
    text = "# A card\nlicense: mit\n\nNo YAML here.\n"
    card = parse_card(text)
    assert not card.has_front_matter
    assert card.metadata == {}
    assert card.metadata_error is None
    assert card.line_of("license") is None
    assert card.body_start == 1
    assert card.body_lines[1] == (2, "license: mit")


def test_empty_front_matter() -> None:
    card = parse_card("---\n---\n# Body\n")
    assert card.has_front_matter
    assert card.metadata == {}
    assert card.metadata_error is None
    assert card.body_start == 3
    assert card.lines[card.body_start - 1] == "# Body"


def test_front_matter_of_only_blank_lines_or_comment() -> None:
    card = parse_card("---\n# just a comment\n\n---\nbody\n")
    assert card.has_front_matter
    assert card.metadata == {}
    assert card.metadata_error is None
    assert card.lines[card.body_start - 1] == "body"


def test_unclosed_front_matter() -> None:
    card = parse_card("---\nlicense: mit\n# Title\nbody\n")
    assert card.metadata == {}
    assert card.metadata_error is not None
    assert "never closed" in card.metadata_error
    # nothing of the unclosed block is taken as metadata
    assert card.line_of("license") is None


def test_card_ending_right_after_closing_fence() -> None:
    card = parse_card("---\nlicense: mit\n---")
    assert card.metadata == {"license": "mit"}
    assert card.body_lines == []
    assert card.body == ""


def test_leading_blank_lines_before_front_matter_keep_real_line_numbers() -> None:
    text = "\n\n---\ntitle: x\nlicense: mit\n---\nbody\n"
    card = parse_card(text)
    lines = text.split("\n")
    assert card.metadata["license"] == "mit"
    assert lines[card.line_of("license") - 1] == "license: mit"
    assert card.line_of("license") == 5
    assert lines[card.body_start - 1] == "body"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_line_of_is_the_real_1_based_line(newline: str) -> None:
    raw = [
        "---",
        "# a comment",
        "language:",
        "  - en",
        "  - fr",
        "description: >",
        "  folded text",
        "  on two lines",
        "",
        "license: llama3.1",
        "license_name: Llama 3.1",
        "---",
        "# Model",
        "text",
    ]
    card = parse_card(newline.join(raw) + newline)
    assert card.metadata_error is None
    for key in ("language", "description", "license", "license_name"):
        line = card.line_of(key)
        assert line is not None
        assert raw[line - 1].startswith(f"{key}:"), (key, line)
    assert card.line_of("license") == 10
    assert card.body_start == 13
    assert raw[card.body_start - 1] == "# Model"


def test_duplicate_key_cites_the_line_of_the_value_used() -> None:
    # YAML keeps the last value of a duplicated key: the citation must point at that line.
    card = parse_card("---\nlicense: mit\ntags: [a]\nlicense: llama3.1\n---\n")
    assert card.metadata["license"] == "llama3.1"
    assert card.line_of("license") == 4


def test_invalid_yaml_reports_the_card_line() -> None:
    text = "---\nlicense: mit\ntags: x: y\n---\nbody\n"
    card = parse_card(text)
    assert card.metadata == {}
    assert card.metadata_error is not None
    assert card.metadata_error.startswith("invalid YAML front matter")
    # "tags: x: y" is line 3 of the card file
    assert "line 3" in card.metadata_error
    assert card.has_front_matter
    assert card.lines[card.body_start - 1] == "body"


def test_invalid_yaml_line_accounts_for_leading_blank_lines() -> None:
    card = parse_card("\n---\na: 1\nb: 2\nc: [1, 2\nd: }\n---\n")
    assert card.metadata_error is not None
    assert "line " in card.metadata_error
    n = int(card.metadata_error.split("line ")[1].split(":")[0])
    assert 5 <= n <= 7  # the broken flow sequence starts on line 5


def test_python_object_tag_is_rejected_and_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (
        "---\n"
        "license: mit\n"
        f"x: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path ['{marker}']]\n"
        f"y: !!python/object/apply:os.system ['touch {marker}']\n"
        "---\n"
    )
    card = parse_card(text)
    assert not marker.exists()
    assert card.metadata == {}
    assert card.metadata_error is not None
    assert "python/object" in card.metadata_error
    assert "line 3" in card.metadata_error


@pytest.mark.parametrize("tag", ["!!python/name:os.system", "!!python/object/new:os.system ['true']",
                                 "!!python/module:os", "!!python/object:builtins.object {}"])
def test_other_unsafe_or_bad_tags_give_metadata_error(tag: str) -> None:
    card = parse_card(f"---\nlicense: mit\nx: {tag}\n---\n")
    assert card.metadata == {}
    assert card.metadata_error is not None


def test_front_matter_that_is_a_list() -> None:
    card = parse_card("---\n- license: mit\n- b\n---\nbody\n")
    assert card.metadata == {}
    assert card.metadata_error == "front matter is not a mapping"
    assert card.lines[card.body_start - 1] == "body"


def test_front_matter_that_is_a_scalar() -> None:
    card = parse_card("---\njust a string\n---\n")
    assert card.metadata == {}
    assert card.metadata_error == "front matter is not a mapping"


def test_non_string_keys_are_stringified() -> None:
    card = parse_card("---\n1: one\ntrue: yes\nlicense: mit\n---\n")
    assert card.metadata_error is None
    assert card.metadata["license"] == "mit"
    assert all(isinstance(k, str) for k in card.metadata)


def _billion_laughs(levels: int = 9, fanout: int = 9) -> str:
    lines = ["---", "a0: &a0 [" + ", ".join(['"lol"'] * fanout) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fanout) + "]")
    lines += ["license: mit", "---", "body", ""]
    return "\n".join(lines)


def _parse_with_deadline(text: str, seconds: float):
    result: dict = {}

    def work() -> None:
        result["card"] = parse_card(text)

    t = threading.Thread(target=work, daemon=True)
    start = time.process_time()  # CPU time of this process: a busy machine does not inflate it
    t.start()
    t.join(seconds * 6)  # wall time: only a guard against a hang
    elapsed = time.process_time() - start
    assert not t.is_alive(), f"parse_card did not return within {seconds * 6} s"
    return result["card"], elapsed


def test_yaml_alias_bomb_is_refused_quickly() -> None:
    card, elapsed = _parse_with_deadline(_billion_laughs(9, 9), 10.0)
    assert elapsed < 2.0
    assert card.metadata == {}
    assert card.metadata_error is not None
    assert "too complex" in card.metadata_error


def test_small_alias_use_is_fine() -> None:
    card = parse_card("---\nbase: &b [x, y]\ncopy: *b\nlicense: mit\n---\n")
    assert card.metadata_error is None
    assert card.metadata["copy"] == ["x", "y"]
    assert card.line_of("license") == 4


def test_deeply_nested_yaml_does_not_crash() -> None:
    depth = 1000
    card, elapsed = _parse_with_deadline("---\nx: " + "[" * depth + "]" * depth + "\n---\n", 10.0)
    assert elapsed < 5.0
    # either parsed or refused, but never an exception out of parse_card
    assert card.metadata_error is not None or "x" in card.metadata


@pytest.mark.parametrize("value", ["2024-13-45", "1" * 5000])
def test_values_python_cannot_construct_give_metadata_error_not_exception(value: str) -> None:
    card = parse_card(f"---\nlicense: mit\nx: {value}\n---\n")
    assert card.metadata_error is None or card.metadata == {}


def test_oversized_front_matter_is_not_parsed() -> None:
    from openaudit.card import MAX_FRONT_MATTER_BYTES

    count = MAX_FRONT_MATTER_BYTES // 1000 + 5
    block = "license: mit\n" + "".join(f"k{i}: {'v' * 1000}\n" for i in range(count))
    card = parse_card("---\n" + block + "---\nbody\n")
    assert card.metadata == {}
    assert card.metadata_error is not None and "larger than" in card.metadata_error


@pytest.mark.parametrize("doc", ["a: &a [*a]", "a: &a {x: *a}"])
def test_recursive_alias_is_refused_quickly(doc: str) -> None:
    card, elapsed = _parse_with_deadline(f"---\n{doc}\nlicense: mit\n---\n", 10.0)
    assert elapsed < 2.0
    assert card.metadata == {}
    assert card.metadata_error is not None


def test_key_lines_name_the_keys_of_the_metadata() -> None:
    """A key's line is filed under the key the metadata has: str of its value, not its text (found by the fuzz test:
    a bare ``?`` key is None, so the metadata held "None" and the lines ""; ``true`` and ``1`` are one key)."""
    card = parse_card("---\n?\n---\n")
    assert card.metadata == {"None": None} and card.key_lines == {"None": 2}
    card = parse_card("---\nnull: x\n1: y\ntrue: z\n2024-01-01: d\nlicense: mit\n---\n")
    assert card.metadata == {"None": "x", "1": "z", "2024-01-01": "d", "license": "mit"}
    assert card.key_lines == {"None": 2, "1": 4, "2024-01-01": 5, "license": 6}
    assert card.line_of("license") == 6
