"""The human report's quotes and citations (issue 16), and the batch summary at the terminal's width.

Expected, written before the runs on the real cards:
- Llama 3.1 (the whole agreement in the card's ``extra_gated_prompt``, a double-quoted YAML string over many
  card lines): the attribution quote holds "Built with Llama", the naming quote holds `include "Llama"`, the
  user cap quote holds "700 million monthly active users"; each is cited at the card line where the paragraph
  holding its clause starts (`<card>:44 (extra_gated_prompt)` for clause i., whose text begins on card line 44),
  not at the line of the prompt text (13).
- A quote longer than the view's window is cut around its focus, the key phrase always inside; without a
  focus it is cut at the end as before.
- The batch summary fits the width it is given (each target on its own line, the rest labelled under it when
  the table is wider); without a width (piped) it stays one line per target.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import openaudit
from openaudit.model import Citation

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LLAMA31 = CORPUS / "cards" / "bartowski__Meta-Llama-3.1-8B-Instruct-GGUF.md"
needs_corpus = pytest.mark.skipif(not LLAMA31.is_file(), reason="the shared corpus (../shared/corpus) is absent")


def test_window_keeps_the_focus() -> None:
    from openaudit.report.view import window

    text = " ".join(f"w{i:03d}" for i in range(80)) + ' and display "Built with X" on a site.'
    focus = text.index('"Built with X"')
    out = window(text, focus, 100)
    assert '"Built with X"' in out and len(out) <= 100
    assert out.startswith("…") and text.startswith(out[1:].split(" ", 1)[0]) is False
    assert window(text, None, 100).startswith("w000") and window(text, None, 100).endswith("…")
    assert window("short", 3, 100) == "short"
    for focus in range(0, len(text), 7):  # wherever the focus is, it is shown and the window is bounded
        out = window(text, focus, 60)
        assert len(out) <= 60
        word = text[focus:].split(" ", 1)[0]
        assert word[:5] in out, (focus, out)


def test_quoted_uses_the_citation_focus() -> None:
    from openaudit.report.view import quoted

    text = "If you distribute the model, you shall provide a copy of this agreement with it, and keep every notice " \
           "the licensor put in it, as long as the model is distributed; you shall also display \"Built with Y\"."
    c = Citation(source="file", file="LICENSE", line=3, text=text, key_at=text.index('display "Built'))
    assert '"Built with Y"' in quoted(c, 100)
    assert '"Built with Y"' not in quoted(Citation(source="file", file="LICENSE", line=3, text=text), 100)


def test_prompt_citation_reads_card_line_then_what_it_is() -> None:
    from openaudit.report.view import cite

    assert cite(Citation(source="file", file="README.md (extra_gated_prompt)", line=44)) == \
        "README.md:44 (extra_gated_prompt)"
    assert cite(Citation(source="file", file="LICENSE", line=7)) == "LICENSE:7"


@needs_corpus
def test_llama31_quotes_hold_the_key_phrase_and_cite_the_card_line() -> None:
    from openaudit.report.text import render_text

    report = openaudit.audit(str(LLAMA31), offline=True)
    by_kind = {r.kind: r for r in report.restrictions}
    card = LLAMA31.read_text(encoding="utf-8").split("\n")
    for kind, phrase in (("attribution", "Built with Llama"), ("naming", "Llama\u201d at the beginning"),
                         ("user_cap", "700 million monthly active users")):
        c = by_kind[kind].clause
        assert c is not None and c.key_at is not None and c.text is not None
        assert c.file is not None and c.file.endswith("(extra_gated_prompt)")
        # the card line cited is where the paragraph holding the clause starts: a few lines above its key phrase
        assert c.line is not None and c.line > 21, (kind, c.line)
        key_line = next(i for i, line in enumerate(card, 1) if i >= c.line and phrase.split()[0] in line)
        assert key_line - c.line <= 6, (kind, c.line, key_line)
    out = io.StringIO()
    render_text([report], out)
    lines = out.getvalue().splitlines()
    attribution = next(line for line in lines if line.strip().startswith("attribution"))
    assert "Built with Llama" in attribution.split("“", 1)[1], attribution
    naming = next(line for line in lines if line.strip().startswith("naming"))
    assert "at the beginning" in naming.split("“", 1)[1], naming
    assert f"{LLAMA31.name}:{by_kind['attribution'].clause.line} (extra_gated_prompt)" in attribution


def _summary(width: int | None) -> str:
    from openaudit.batch import summary_text
    from openaudit.errors import EvidenceUnavailable

    root = Path(__file__).resolve().parents[1] / "examples"
    reports = [openaudit.audit(str(root / name), offline=True) for name in ("open-tiny", "llama-finetune")]
    long_id = "an-organisation-with-a-long-name/and-a-model-with-an-even-longer-name-Instruct-GGUF@0123456789abcdef"
    return summary_text(reports, [(long_id, EvidenceUnavailable(f"{long_id}: not found"))], width=width)


def test_batch_summary_fits_the_terminal_width() -> None:
    for width in (80, 60):
        text = _summary(width)
        lines = text.splitlines()
        assert all(len(line) <= width for line in lines), (width, text)
        assert "and-a-model-with-an-even-longer-name" in text.replace("\n    ", "")  # the id whole, wrapped
        assert any("license apache-2.0" in line for line in lines) and any("ERROR (exit 3)" in line for line in lines)
        assert lines[-1].strip().startswith("3 targets") or lines[-2].strip().startswith("3 targets")
    piped = _summary(None).splitlines()
    assert piped[2].split() == ["target", "license", "grade", "gate", "errors", "warnings", "upstream"]
    assert len([line for line in piped if line.startswith("  ")]) == 5  # header, 3 targets, totals
