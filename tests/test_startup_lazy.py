"""Start-up (issue 18): a local check compiles and imports only what the texts it reads can need, and what is
gated this way still reads the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openaudit.evidence import Evidence, SourceFile
from openaudit.licenses.textmatch import tokens
from openaudit.standards import euaiact

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

PROBE = """
import json, sys
import openaudit
report = openaudit.audit(sys.argv[1], offline=True)
from openaudit.standards import euaiact
from openaudit.licenses.detectors import caps
print(json.dumps({"license": report.license.id,
                  "fee_compiled": caps._FEE_CONSEQUENCE._compiled is not None,
                  "html": "html.entities" in sys.modules,
                  "monetised_compiled": euaiact._MONETISED._compiled is not None}))
"""


@pytest.mark.slow
def test_a_local_check_of_a_plain_text_leaves_unneeded_work_undone():
    """The example's texts hold no "&" (no HTML entity to decode) and no paid-access words ("royalty-free" is
    no royalty fee): neither the entity table nor the monetisation pattern is loaded."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(EXAMPLES / "community-capped")], capture_output=True,
                         text=True, env=env, timeout=120, check=True)
    got = json.loads(out.stdout)
    assert got["license"]  # the audit ran
    assert got == {**got, "html": False, "monetised_compiled": False}
    # its user cap leads to "a separate license" with no attribution duty: the fee pattern is never needed
    assert got["fee_compiled"] is False


def _monetised(text: str) -> str:
    ev = Evidence(kind="local", id="t", files=[SourceFile(name="README.md", role="card", text=text)])
    return euaiact._monetised(ev)[0]


@pytest.mark.parametrize(("line", "status"), [
    ("We grant a worldwide, royalty-free license.", "unknown"),
    ("Commercial users pay royalty fees of 2% of revenue.", "not_met"),
    ("ROYALTIES OF 5% apply to every sale.", "not_met"),
    ("A royalty payment is due each quarter.", "not_met"),
])
def test_royalties_are_monetised_and_royalty_free_is_not(line, status):
    assert _monetised(f"# Model\n\n{line}\n") == status


def test_copyright_lines_are_left_out_of_the_words_in_any_case():
    text = "Copyright 2024 Acme\nCOPYRIGHT (c) Acme\n\u00a9 Acme Corp\nCopyr\u0131ght 2023 X\nThe license text.\n"
    words, lines = tokens(text)
    assert words[:2] == ["the", "license"]
    assert set(lines) == {5}


def test_the_policy_and_the_card_reader_import_neither_the_standards_nor_yaml():
    """A Hub check imports the policy, the evidence and the card reader before it sends its first request: they
    must not pull in the standards (the grade letters live in openaudit.model) or a YAML parser (the card reader
    imports PyYAML when it parses front matter), which the warm-up loads while the request is out."""
    probe = ("import json, sys\n"
             "import openaudit.policy, openaudit.card, openaudit.evidence, openaudit.licenses.catalog\n"
             "print(json.dumps(sorted(m for m in sys.modules if m == 'yaml' or m.startswith('openaudit.standards'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(out.stdout) == []
    from openaudit.card import parse_card

    card = parse_card("---\nlicense: mit\n---\n# x\n")  # and reading front matter still works
    assert card.metadata == {"license": "mit"} and card.key_lines == {"license": 2}
