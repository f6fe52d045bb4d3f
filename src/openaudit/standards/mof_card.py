"""MOF components a model card's body shows (part of the heuristic of
:func:`openaudit.standards.mof.components_from_evidence`), read from the card's parsed markdown
(:mod:`openaudit.markdown`): a model card of at least 40 words, a data card (a heading about training data or
datasets with content under it), evaluation results (an evaluation/results heading with a table under it), links
to a technical report, a paper or code (training, inference, evaluation, data preprocessing: a keyword on the
link's line or the line above), and intermediate checkpoints. Each line is read once, per line and not per link:
a line of thousands of links costs linear time (cards are untrusted)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from openaudit import markdown as md
from openaudit.lazyre import LazyPattern
from openaudit.lazyre import compile as _lazy
from openaudit.standards.mof_framework import UNLICENSED

if TYPE_CHECKING:  # pragma: no cover
    from openaudit.card import Card

MIN_CARD_WORDS = 40
LINK_NOTE = "found only as a link in the card; its licence was not checked, so it does not count as open"


class Add(Protocol):
    """How a component sighting is recorded (``components_from_evidence``'s ``add``)."""

    def __call__(self, name: str, license_value: str, evidence: dict[str, Any], path: str | None = None,
                 note: str | None = None) -> None: ...


class _Rx:
    """The card-reading regexes, compiled on first use (keeps ``import`` cheap)."""

    def __init__(self) -> None:
        i = re.I
        self.url = _lazy(r"https?://[^\s)>\]\"'`]+", i)
        self.code_host = _lazy(r"^https?://(?:www\.)?(?:github\.com|gitlab\.com)/[^/\s]+/[^/\s#?]+", i)
        self.arxiv = _lazy(r"^https?://(?:www\.)?(?:arxiv\.org/(?:abs|pdf|html)/|doi\.org/10\.48550/arxiv\.)", i)
        self.tech_report = _lazy(r"\btech(?:nical)?\.?\s+report\b", i)
        self.data_heading = _lazy(
            r"training\s+data|\bdata\s*sets?\b|\bpre-?training\s+data|\bdata\s+card\b", i)
        self.eval_heading = _lazy(r"\bevaluation|\bresults?\b|\bbenchmarks?\b|\bperformance\b", i)
        self.intermediate = _lazy(
            r"\bintermediate\s+(?:model\s+)?(?:checkpoints?|weights|revisions?)\b|\bstep[-_]?\d{3,}\b"
            r"|\b(?:training\s+)?checkpoints?\s+(?:are|were)\s+(?:available|released)\b"
            r"|\brevision\s*=\s*[\"']step", i)
        # What a linked code repository is for; checked on the link's line and the line above, first match wins
        # per kind (a line may name several kinds).
        self.code_kinds: tuple[tuple[str, LazyPattern], ...] = (
            ("Data preprocessing code", _lazy(
                r"\bpre-?processing\b|\bdata\s+(?:processing|pipeline|cleaning|filtering|curation)\b", i)),
            ("Training code", _lazy(
                r"\b(?:pre-?|re-?)?train(?:ing)?\s+(?:code|scripts?|recipes?|repo(?:sitory)?|framework|pipeline"
                r"|library)\b|\bfine-?tuning\s+(?:code|scripts?)\b|\btraining\s*[:|]", i)),
            ("Evaluation code", _lazy(
                r"\beval(?:uation)?\s+(?:code|harness|scripts?|suite|framework|repo(?:sitory)?|pipeline)\b"
                r"|\bevaluation\s*[:|]|lm-evaluation-harness", i)),
            ("Inference code", _lazy(r"\binference\b", i)),
        )


@lru_cache(maxsize=1)
def _rx() -> _Rx:
    return _Rx()


def evidence_entry(file: str, line: int | None = None, text: str | None = None) -> dict[str, Any]:
    """One piece of a component's evidence: ``{"file", "line", "text"}`` (text quoted to 200 characters)."""
    out: dict[str, Any] = {"file": file, "line": line}
    if text is not None:
        # a slice first: a line of thousands of links is quoted once per link, so never copy the whole line
        head = text[:1000].strip()
        out["text"] = (head or text.strip())[:200]
    return out


def _clean_url(url: str) -> str:
    return url.rstrip(".,;:!?*_")


def card_components(card: Card, add: Add, repo_license: str) -> None:
    """Record, through ``add``, the components the body of ``card`` shows (``repo_license`` for what lives in the
    repository, "unlicensed" for what is only linked)."""
    rx = _rx()
    _ev = evidence_entry
    doc = card.markdown
    kinds, lines, uncommented = doc.kinds, doc.lines, doc.uncommented
    words = 0
    for no in doc.body():  # up to the count that makes a model card
        words += len(lines[no - 1].split())
        if words >= MIN_CARD_WORDS:
            break
    if words >= MIN_CARD_WORDS:
        add("Model card", repo_license, _ev(card.path, card.body_start), path=card.path)

    for h in doc.headings:
        heading = h.raw or h.text
        under = range(h.line + 1, h.next)  # its own lines, up to the next heading of any level
        if rx.data_heading.search(heading) and any(kinds[no] not in (md.BLANK, md.CODE) for no in under):
            add("Data card", repo_license, _ev(card.path, h.line, heading))
        if rx.eval_heading.search(heading) and any(kinds[no] == md.TABLE for no in under):
            add("Evaluation results", repo_license, _ev(card.path, h.line, heading))

    prev = ""
    for no in doc.body():
        text = uncommented[no] if no in uncommented else lines[no - 1]
        fenced = kinds[no] == md.CODE
        urls = rx.url.findall(text) if "://" in text else []
        if urls:
            # Per line, not per URL: a line of thousands of links is read in linear time (cards are untrusted).
            context = rx.url.sub(" ", text)
            report = bool(rx.tech_report.search(context))
            kinds_of_code: list[str] | None = None
            for raw in urls:
                url = _clean_url(raw)
                if report:
                    add("Technical report", UNLICENSED, _ev(card.path, no, text), path=url, note=LINK_NOTE)
                elif rx.arxiv.match(url):
                    add("Research paper", UNLICENSED, _ev(card.path, no, text), path=url, note=LINK_NOTE)
                if rx.code_host.match(url) and not fenced:
                    if kinds_of_code is None:
                        near = context + " " + rx.url.sub(" ", prev)
                        kinds_of_code = [name for name, pattern in rx.code_kinds if pattern.search(near)]
                    for name in kinds_of_code:
                        add(name, UNLICENSED, _ev(card.path, no, text), path=url, note=LINK_NOTE)
        if not fenced and rx.intermediate.search(text):
            add("Model parameters (Intermediate)", repo_license, _ev(card.path, no, text),
                note="the card mentions intermediate checkpoints/revisions; assumed to be in this repository")
        if kinds[no] != md.BLANK and (not fenced or text.strip()):
            prev = text
