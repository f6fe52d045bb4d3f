"""`openaudit explain grade|osaid|mof|confidence`: how each answer of a report is decided. The grade's weights
and bands, the OSAID requirements and the MOF classes are read from the data and modules the audit uses, so
they cannot drift from the behaviour; the confidence weights restate licenses/identify.py (keep in step)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any, TextIO


def _grade() -> dict[str, Any]:
    from openaudit.standards.grade import load_config

    cfg = load_config()
    return {
        "topic": "grade",
        "summary": "An openness grade modelled on the European Open Source AI Index: six dimensions, each open / "
                   "partial / closed from cited evidence, weighted into a 0-100 score and a letter.",
        "formula": "score = 100 * sum(weight * points(status)) / sum(weight)",
        "points": cfg["points"],
        "weights": cfg["weights"],
        "bands": cfg["bands"],
        "source": "rules/grade.yaml",
    }


def _osaid() -> dict[str, Any]:
    from openaudit.standards.osaid import REQUIREMENTS

    return {
        "topic": "osaid",
        "summary": "OSI Open Source AI Definition 1.0, checked requirement by requirement against the card, the "
                   "repository's files and the license. Each requirement passes, fails (only with a cited reason) "
                   "or is unknown (the card is silent).",
        "verdicts": {
            "conformant": "every requirement passes",
            "not_conformant": "a requirement fails, with a cited reason (e.g. a user cap in the license)",
            "insufficient_evidence": "nothing fails, but some requirement cannot be confirmed from the card",
        },
        "requirements": [{"id": i, "name": n} for i, n in REQUIREMENTS],
        "source": "src/openaudit/standards/osaid.py",
    }


def _mof() -> dict[str, Any]:
    from openaudit.standards.mof import load_framework

    fw = load_framework()
    classes = []
    for cls in (3, 2, 1):
        comps = [c.name for c in fw.components if c.mof_class == cls and c.required]
        classes.append({"class": cls, "label": fw.labels.get(cls, f"Class {cls}"), "adds_components": comps})
    return {
        "topic": "mof",
        "summary": "The Model Openness Framework class, by the Model Openness Tool's algorithm: a class is reached "
                   "when every required component of it and of the classes below it is released under an open "
                   "license appropriate to its type (code, data, document). Otherwise the model is Unclassified.",
        "classes": classes,
        "source": "rules/mof.yaml, src/openaudit/standards/mof.py",
    }


def _confidence() -> dict[str, Any]:
    return {
        "topic": "confidence",
        "summary": "How sure the license identification is, from 0 to 1. Every signal names a license with a "
                   "weight: the card's `license` id, `license_name`, `license_link`, Hub `license:` tags, the text "
                   "of each license file (matched against the catalog's canonical texts), and the access-form "
                   "text. Agreeing signals compound (1 - product of (1 - weight)), scaled by the share of the "
                   "weight that agrees; a license file's text outranks tags and links.",
        "signals": {
            "card license id": 0.9,
            "Hub license: tag (only when the card is silent)": 0.8,
            "license_name": 0.6,
            "license_link to a known URL": 0.6,
            "license file text": "up to 0.95 for a full match of the canonical text",
            "access-form text (extra_gated_prompt)": "a weaker, supporting source",
        },
        "caps": ["a license file that only resembles the license (added or changed terms): 0.5 at most, OA110",
                 "signals that disagree: the license is unknown unless one side holds 75% of the weight (OA103)"],
        "source": "src/openaudit/licenses/identify.py",
    }


TOPICS: dict[str, Callable[[], dict[str, Any]]] = {
    "grade": _grade, "osaid": _osaid, "mof": _mof, "confidence": _confidence,
}


def _wrap(text: str, indent: str = "  ", width: int = 80, hang: str = "") -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent + hang)


def render_topic(name: str, fmt: str, out: TextIO) -> None:
    data = TOPICS[name]()
    if fmt == "json":
        out.write(json.dumps(data, indent=2) + "\n")
        return
    out.write(f"{name}\n{_wrap(data['summary'])}\n\n")
    if name == "grade":
        out.write(f"  {data['formula']}\n\n  dimension       weight\n")
        for dim, w in data["weights"].items():
            out.write(f"  {dim:<15} {w:>6g}\n")
        out.write("\n  points: " + ", ".join(f"{k} = {v:g}" for k, v in data["points"].items()) + "\n")
        out.write("  letters: " + ", ".join(f"{b['letter']} >= {b['min']:g}" for b in data["bands"]) + "\n")
    elif name == "osaid":
        for k, v in data["verdicts"].items():
            out.write(_wrap(f"{k}: {v}", hang="    ") + "\n")
        out.write("\n")
        for r in data["requirements"]:
            out.write(f"  {r['id']:<9} {r['name']}\n")
    elif name == "mof":
        for c in data["classes"]:
            out.write(_wrap(f"{c['label']}: adds " + ", ".join(c["adds_components"]), hang="    ") + "\n")
    elif name == "confidence":
        for k, v in data["signals"].items():
            out.write(_wrap(f"{k}: {v}", hang="    ") + "\n")
        out.write("\n")
        for c in data["caps"]:
            out.write(_wrap("- " + c, hang="  ") + "\n")
    out.write(f"\n  defined in {data['source']}\n")
