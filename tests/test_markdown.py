"""The card's markdown, parsed once (openaudit.markdown): the document model with line numbers, shared by every
card reader (openness facts, MOF components, EU AI Act); and the readers' behaviour on it."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from openaudit import markdown as md
from openaudit.card import parse_card
from openaudit.evidence import Evidence, SourceFile
from openaudit.model import to_data
from openaudit.standards import euaiact
from openaudit.standards.facts import gather
from openaudit.standards.mof import components_from_evidence

CARD = """---
license: mit
---
# Model *X*

Intro line one
continues here.

## Training Data ##
- item one
- item two
| a | b |
|---|---|
<!-- a comment
# not a heading
-->
```python
# not a heading either
```
<h2>Evaluation <b>results</b></h2>
| task | 1.0 |
#no-space is text
####### seven is text
"""


def _doc() -> md.Document:
    return parse_card(CARD).markdown


def test_kinds_and_line_numbers() -> None:
    doc = _doc()
    kinds = {no: doc.kinds[no] for no in doc.body()}
    assert doc.body_start == 4
    assert kinds[4] == md.HEADING and kinds[5] == md.BLANK and kinds[6] == md.TEXT and kinds[7] == md.TEXT
    assert kinds[9] == md.HEADING and kinds[10] == md.LIST and kinds[11] == md.LIST
    assert kinds[12] == md.TABLE and kinds[13] == md.TABLE
    assert [kinds[n] for n in (14, 15, 16)] == [md.BLANK] * 3  # a comment over three lines, a heading inside
    assert [kinds[n] for n in (17, 18, 19)] == [md.CODE] * 3  # fences and what is between them
    assert kinds[20] == md.HEADING and kinds[21] == md.TABLE
    assert kinds[22] == md.TEXT and kinds[23] == md.TEXT
    assert doc.text(15) == "" and doc.text(14) == "" and doc.text(6) == "Intro line one"
    assert [(b.start, b.end, b.info) for b in doc.code_blocks] == [(17, 19, "python")]
    assert doc.paragraphs() == [(6, 7), (10, 10), (11, 11), (22, 23)]


def test_headings_sections_and_paths() -> None:
    doc = _doc()
    got = [(h.line, h.level, h.text, h.raw, h.html, h.path, h.next, h.end) for h in doc.headings]
    n = len(doc.lines)
    assert got == [
        (4, 1, "Model X", "Model *X*", False, ("Model X",), 9, n),
        (9, 2, "Training Data", "Training Data", False, ("Model X", "Training Data"), 20, 19),
        (20, 2, "Evaluation results", "", True, ("Model X", "Evaluation results"), n + 1, n),
    ]
    assert doc.title == "Model X"
    assert doc.path_of(12) == ("Model X", "Training Data") and doc.path_of(5) == ("Model X",)
    assert doc.heading_at(9) is doc.headings[1] and doc.heading_at(10) is None


def test_the_parse_is_cached_on_the_card() -> None:
    card = parse_card(CARD)
    assert card.markdown is card.markdown
    assert isinstance(card.markdown, md.Document)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="# \t\u00a0\u2003ab<*_`", min_size=1, max_size=12))
def test_atx_headings_as_the_commonmark_pattern(line: str) -> None:
    # headings are found by hand (no regex per line): the same as this pattern, closing #s stripped
    m = re.match(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$", line)
    doc = md.parse([line])
    if line.strip().startswith("<"):
        return
    if m is None:
        assert doc.headings == []
    else:
        raw = (m.group(2) or "").rstrip().rstrip("#").rstrip()
        assert [(h.level, h.raw) for h in doc.headings] == [(len(m.group(1)), raw)]


def test_links_scanner() -> None:
    line = "see [FLUX.1 [dev]](https://a.example/x) and [b](<https://b.example> \"t\") [[a](b)"
    assert [(a, u) for _s, _e, a, u in md.md_links(line)] == [
        ("FLUX.1 [dev]", "https://a.example/x"), ("b", "https://b.example"), ("a", "b")]
    assert md.strip_links(line) == "see FLUX.1 [dev] and b [a"


# -- the readers on the shared model ---------------------------------------------------------------------------


def _ev(text: str, name: str = "README.md") -> Evidence:
    return Evidence(kind="local", id="/m/acme__model", card=parse_card(text, name),
                    files=[SourceFile(name, "card", text)])


def test_mof_ignores_links_in_html_comments() -> None:
    # On purpose: a commented-out link is not shown to readers of the card. Before, MOF counted it as code.
    text = ("---\nlicense: mit\n---\n# M\n\n<!-- Training code: [repo](https://github.com/acme/model-train)\n"
            "-->\nSome text.\n")
    names = [c.name for c in components_from_evidence(_ev(text), "MIT")]
    assert "Training code" not in names
    shown = text.replace("<!-- ", "").replace("\n-->", "")
    assert "Training code" in [c.name for c in components_from_evidence(_ev(shown), "MIT")]


def test_mof_sections_end_at_the_next_heading_and_skip_code() -> None:
    text = "# M\n\n## Evaluation\n```\n| in code |\n```\n## Other\n| a | 1 |\n## Results\n\n| b | 2 |\n"
    comps = {c.name: c for c in components_from_evidence(_ev(text), "MIT")}
    assert [e["line"] for e in comps["Evaluation results"].evidence] == [9]


def test_eu_ai_act_reads_the_body_not_the_front_matter() -> None:
    # On purpose: a YAML comment or string in the front matter is not the card's usage section. Before, the
    # EU AI Act reader read every line of the file as prose and cited the YAML line.
    text = "---\nlicense: mit\n# How to use: see below\n---\n# M\n\nNothing else.\n"
    ev = _ev(text)
    status, _reason, cites = euaiact._architecture_usage(ev, gather(ev))
    assert status == "unknown" and all(c.line != 3 for c in cites)
    ev = _ev(text + "\n## How to use\n\nRun it.\n")
    _status, _reason, cites = euaiact._architecture_usage(ev, gather(ev))
    assert [c.line for c in cites if c.file == "README.md"] == [9]


_LINES = [
    "", "", "# Title", "## Training data", "## Evaluation", "### Results", "<h2>Datasets</h2>",
    "We release all the training code.", "The training data is not publicly disclosed.",
    "Fine-tuned from [base](https://huggingface.co/acme/base-7b).", "a distilled variant of",
    "[acme/base-7b](https://huggingface.co/acme/base-7b)", "Code: https://github.com/acme/model-train",
    "- GitHub Repo: [repo](https://github.com/acme/model)", "| task | 71.2 |", "|---|---|",
    "Trained on 2T tokens of web data.", "Checkpoints every 1000 steps: step143000.", "```", "```python",
    "model = AutoModel.from_pretrained('acme/model')", "<!-- hidden", "-->", "<!-- no -->t here",
    "Requests are processed immediately.", "Please request access.", "We used 512 A100 GPUs.",
    "See the technical report.", "plain words", "1. first", "* bullet", "arXiv: https://arxiv.org/abs/2401.00001",
    "licensed data from partners", "weights only release of this model", "not", "reproduce training with the scripts",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=40))
def test_the_line_selection_gives_the_facts_of_every_line(lines: list[str]) -> None:
    # gather hands its readers only the lines some reader acts on; reading every line gives the same facts
    ev = _ev("---\nlicense: mit\n---\n" + "\n".join(lines) + "\n")
    assert to_data(gather(ev)) == to_data(gather(ev, every_line=True))
