"""Access gating: the Hub's setting, else ``extra_gated_*`` metadata and "request access" wording in the card."""

from __future__ import annotations

import re

from openaudit.evidence import Evidence
from openaudit.lazyre import compile as _lazy
from openaudit.model import Citation
from openaudit.standards.openness.lines import Line, keyword_pattern
from openaudit.standards.openness.model import MAX_QUOTE, Facts, Gating, all_strings, line_cite, meta_cite, quote

KEYS = ("access", "licen")  # in every _GATE_BODY phrase
_GATE_KEYS_RX = keyword_pattern(KEYS)
_GATE_MANUAL = _lazy(r"\b(requests? (?:will|are|is|shall) (?:be )?(?:processed|reviewed|approved|granted)"
                          r"|(?:manual(?:ly)?|individually) (?:review\w*|approv\w*)|been granted (?:download )?access"
                          r"|approval (?:process|by|from)|within \d+\s*(?:[-–]\s*\d+\s*)?(?:business |working )?days"
                          r"|we will (?:review|evaluate) your request)", re.I)
_GATE_AUTO = _lazy(r"\b((?:processed|granted|approved|accepted)\s+"
                        r"(?:immediately|automatically|instantly|right away)"
                        r"|automatic(?:ally)?\s+(?:approv\w*|grant\w*|accept\w*)|instant access)\b", re.I)
_GATE_BODY = _lazy(r"\b(request(?:ing)? access|access request|accept (?:our|the) licen(?:ce|se) before"
                        r"|apply for access|access (?:is|will be) granted)\b", re.I)


def read_gating(ev: Evidence, lines: list[Line], path: str, facts: Facts) -> None:
    g = ev.gated
    if g is False:
        facts.gating = Gating("open", "the Hub reports the repository is not gated",
                              [Citation(source="metadata", file=None, text="Hub repository setting: gated = false")])
        return
    if g in ("auto", "manual"):
        detail = ("access requests are approved automatically (contact details are shared)" if g == "auto"
                  else "access requests are approved manually by the authors")
        facts.gating = Gating(str(g), detail,
                              [Citation(source="metadata", file=None, text=f"Hub repository setting: gated = {g}")])
        return
    meta = ev.metadata
    cites: list[Citation] = []
    manual: list[Citation] = []
    auto: list[Citation] = []
    for key in sorted(meta, key=lambda k: (ev.card.line_of(k) or 0) if ev.card else 0):
        if not (key.startswith("extra_gated") or key == "gated"):
            continue
        strings = all_strings(meta[key])
        cite = meta_cite(ev, key, " ".join(strings)[:MAX_QUOTE] if strings else meta[key])
        cites.append(cite)
        for s in strings:
            m = _GATE_AUTO.search(s)
            if m:
                auto.append(Citation(source="metadata", file=cite.file, line=cite.line,
                                     text=quote(f"{key}: …{m.group(0)}…")))
                break
            m = _GATE_MANUAL.search(s)
            if m:
                manual.append(Citation(source="metadata", file=cite.file, line=cite.line,
                                       text=quote(f"{key}: …{m.group(0)}…")))
                break
    body = []
    for ln in lines:
        if ln.in_code or _GATE_KEYS_RX.search(ln.low) is None:
            continue
        if _GATE_BODY.search(ln.text):
            body.append(line_cite(path, ln.no, ln.text))
            if _GATE_AUTO.search(ln.text):
                auto.append(line_cite(path, ln.no, ln.text))
            elif _GATE_MANUAL.search(ln.text):
                manual.append(line_cite(path, ln.no, ln.text))
    if g is True:
        cites.insert(0, Citation(source="metadata", file=None, text="Hub repository setting: gated = true"))
    if auto:  # "Requests are processed immediately": an automatic gate, whatever else the text says
        facts.gating = Gating("auto", "the card says access requests are approved automatically (terms must be "
                              "accepted or contact details shared)", auto + cites)
    elif manual:
        facts.gating = Gating("manual", "the card says access requests are reviewed / granted by the authors",
                              manual + cites)
    elif cites or body or g is True:
        facts.gating = Gating("gated", "the card declares an access gate (approval mode not stated)", cites + body)
    else:
        facts.gating = Gating("none_declared", "the card declares no access gate (the Hub's gating setting was not "
                              "checked)" if ev.kind != "hub" else "no gating information from the Hub")
