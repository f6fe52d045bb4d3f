"""The clause reader's fast paths (bare words, "# h" headings, one-word paragraphs, runs of plain ASCII lines)
give the sentences, headings, lead-ins, neighbours and normalised lines of the general path (issue 15: hostile
cards of many tiny lines)."""

from __future__ import annotations

from openaudit.evidence import SourceFile
from openaudit.licenses.clauses import extract_from_text
from openaudit.licenses.normalize import normalize_line, normalize_lines
from openaudit.licenses.sentences import read


def test_normalize_lines_runs_match_line_by_line() -> None:
    special = ["a &amp; b", "<b>bold</b> x", "**non**-commercial", "snake_case", "x\ty", "caf\u00e9 \u2019q\u2019",
               "[text](https://e.example)", "~~gone~~", "com\u00admercial", "- * item", ""]
    lines = [f"word{i}" if i % 97 else "plain words here" for i in range(1200)]
    for k, line in enumerate(special):
        lines[37 + 255 * (k % 4) + k] = line  # inside runs, at run edges
    lines[255] = "x]"
    lines[256] = "(y) z"  # "](" only across the join of two lines: still read line by line, unchanged
    got = normalize_lines(lines)
    assert got == [normalize_line(x) if x else x for x in lines]
    assert got[256] == "(y) z" and got[37] == "a & b"


def test_tiny_lines_read_as_sentences_with_their_neighbours() -> None:
    text = "# Title\n\na\n\nb\n\n## Uses\n- one\n- two\n\nYou agree not to use the Model for:\n- weapons\n- spam\n"
    doc, sents = read(SourceFile(name="README.md", role="card", text=text))
    assert [(s.text, s.heading) for s in sents] == [
        ("Title", True), ("a", False), ("b", False), ("Uses", True), ("one", False), ("two", False),
        ("You agree not to use the Model for:", False), ("weapons", False), ("spam", False)]
    assert [s.prev_text for s in sents[1:3]] == ["Title", "a"] and sents[2].next_text == "Uses"
    assert sents[-1].next_text == "" and sents[0].prev_text == ""
    assert sents[4].lead is None
    assert sents[7].lead is sents[6] and sents[8].lead is sents[6]
    assert sents[7].combined == "You agree not to use the Model for: weapons"
    assert [doc.line_of(s.start) for s in sents] == [1, 3, 5, 7, 8, 9, 11, 12, 13]


def test_one_word_item_under_a_lead_in_is_still_read_with_it() -> None:
    rs = extract_from_text("You may not use the Model for:\n\n- commercial\n- military\n")
    assert [r.kind for r in rs] == ["use_restrictions"]
    assert rs[0].clause is not None and rs[0].clause.line == 1
