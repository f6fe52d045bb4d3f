"""Identify a target's license from every signal and reconcile them.

Signals: card ``license`` (a Hub id or an SPDX id), ``license_name``, ``license_link``, and the text of
license files (see ``textmatch``). Each signal yields a candidate with a citation; agreement raises
confidence, disagreement becomes a conflict the engine reports. Unknown beats a confident wrong name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openaudit.evidence import Evidence
from openaudit.licenses.catalog import Catalog, LicenseEntry
from openaudit.model import Citation, LicenseResult

# Hub ids that say nothing about which license applies.
PLACEHOLDER_IDS = {"other", "unknown", "none", "noassertion", ""}


@dataclass
class Signal:
    kind: str  # metadata | link | file | prompt (the access-form text, ``extra_gated_prompt``: see gated.py)
    value: str
    entry: LicenseEntry | None
    weight: float
    citation: Citation
    resembles: LicenseEntry | None = None  # a weak text match: the text looks like this license but is not it


@dataclass
class Identification:
    result: LicenseResult
    signals: list[Signal] = field(default_factory=list)
    conflicts: list[tuple[Signal, Signal]] = field(default_factory=list)
    declared: str | None = None  # the card's license value as written
    modified: list[Signal] = field(default_factory=list)  # files resembling the identified license, not matching it


def _card_citation(ev: Evidence, key: str, value: str) -> Citation:
    card = ev.card
    return Citation(
        source="metadata",
        file=card.path if card is not None else None,
        line=card.line_of(key) if card is not None else None,
        text=f"{key}: {value}",
    )


def _metadata_values(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def metadata_signals(ev: Evidence, catalog: Catalog) -> list[Signal]:
    meta = ev.metadata
    signals: list[Signal] = []
    for value in _metadata_values(meta.get("license")):
        v = value.strip()
        if v.lower() in PLACEHOLDER_IDS:
            continue
        entry = catalog.by_hub_id(v) or catalog.by_spdx(v) or catalog.by_name(v)
        signals.append(Signal("metadata", v, entry, 0.9, _card_citation(ev, "license", v)))
    if not signals and not meta.get("license"):
        # Hub tags carry the license as "license:<id>" (derived from the card); use them when the card is silent.
        for tag in ev.tags:
            if tag.lower().startswith("license:") and tag[8:].strip().lower() not in PLACEHOLDER_IDS:
                v = tag[8:].strip()
                entry = catalog.by_hub_id(v) or catalog.by_spdx(v)
                signals.append(Signal("metadata", v, entry, 0.8, Citation(source="metadata", file=None, line=None,
                                                                          text=f"tag: {tag}")))
    for value in _metadata_values(meta.get("license_name")):
        entry = catalog.by_name(value)
        signals.append(Signal("metadata", value, entry, 0.6, _card_citation(ev, "license_name", value)))
    for value in _metadata_values(meta.get("license_link")):
        if _repo_file(ev, value) is not None:
            continue  # a link to a file of this repo: that file's text is the signal (see file_signals)
        entry = catalog.by_url(value)
        cit = _card_citation(ev, "license_link", value)
        cit.source = "link"
        signals.append(Signal("link", value, entry, 0.6, cit))
    return _versioned_by_link(signals)


def declared_name(ev: Evidence) -> str | None:
    """The license name(s) the card declares (``license_name``), as written: shown when the license is unknown
    rather than dropped. None when the card names none."""
    names = [v.strip() for v in _metadata_values(ev.metadata.get("license_name")) if v.strip()]
    return ", ".join(dict.fromkeys(names))[:200] or None


def _versioned_by_link(signals: list[Signal]) -> list[Signal]:
    """A ``license_name`` that is a family's name without its version (Hub cards write ``qwen`` for every Qwen
    agreement) takes the version its ``license_link`` names: the name resolves to one member of the family
    (``qwen``: the 2023 text), the link to the member it really is (the 2024 Qwen2.5 agreement)."""
    links = [s for s in signals if s.kind == "link" and s.entry is not None]
    for s in signals:
        if s.kind != "metadata" or s.entry is None or not (s.citation.text or "").startswith("license_name:"):
            continue
        same = [x for x in links if x.entry is not s.entry and x.entry is not None and s.entry.family
                and x.entry.family == s.entry.family]
        if same and len({x.entry.id for x in same if x.entry is not None}) == 1:
            s.entry = same[0].entry
    return signals


def _repo_file(ev: Evidence, link: str) -> str | None:
    """The repo file a license_link points to: a relative path, or this repo's Hub blob URL."""
    value = link.strip()
    if "://" in value:
        marker = f"huggingface.co/{ev.id}/" if ev.kind == "hub" else None
        if not marker or marker not in value:
            return None
        value = value.split(marker, 1)[1]
        parts = value.split("/", 2)
        if len(parts) == 3 and parts[0] in ("blob", "resolve", "raw"):
            value = parts[2]
    value = value.lstrip("./").split("#", 1)[0].split("?", 1)[0]
    return value if ev.file(value) is not None else None


def reconcile(signals: list[Signal]) -> tuple[LicenseEntry | None, float, list[tuple[Signal, Signal]], str]:
    """Pick the entry the signals support; report pairs that disagree."""
    known = [s for s in signals if s.entry is not None]
    conflicts: list[tuple[Signal, Signal]] = []
    for i, a in enumerate(known):
        for b in known[i + 1 :]:
            if a.entry is not b.entry and not _compatible(a, b):
                conflicts.append((a, b))
    if not known:
        if signals:
            parts = [f"license {s.citation.text} in {s.value}" if s.kind == "file" else f"{s.citation.text!r}"
                     for s in signals]
            return None, 0.0, conflicts, "not in the catalog: " + "; ".join(parts)
        return None, 0.0, conflicts, "no license declared and no license text recognised"
    scores: dict[str, float] = {}
    for s in known:
        assert s.entry is not None
        scores[s.entry.id] = scores.get(s.entry.id, 0.0) + s.weight
    best_id = max(scores, key=lambda k: scores[k])
    best = next(s.entry for s in known if s.entry is not None and s.entry.id == best_id)
    # The text of a license file is what binds the user: a full text match outranks tags and links.
    text_wins = [s for s in known if s.kind == "file" and s.weight >= 0.9]
    if text_wins and conflicts:
        chosen = text_wins[0].entry
        assert chosen is not None
        return chosen, 0.7, conflicts, (
            f"license text in {text_wins[0].value} is {chosen.id}; other signals disagree (see findings)"
        )
    total = sum(scores.values())
    support = scores[best_id]
    # Independent agreeing signals compound: 1 - prod(1 - w).
    miss = 1.0
    for s in known:
        if s.entry is best:
            miss *= 1.0 - s.weight
    confidence = (1.0 - miss) * (support / total)
    if conflicts and support / total < 0.75:
        return None, round(confidence, 2), conflicts, "license signals disagree: " + "; ".join(
            f"{a.kind} says {a.entry.id}, {b.kind} says {b.entry.id}" for a, b in conflicts if a.entry and b.entry
        )
    return best, round(confidence, 2), conflicts, f"identified from {len(known)} signal(s)"


def _compatible(a: Signal, b: Signal) -> bool:
    """Signals that do not contradict: a family entry (e.g. 'bsd') and a member of that family; or a
    ``license_name`` spelling (often version-less, e.g. "qwen") and a license text of the same family,
    which tells the version."""
    ea, eb = a.entry, b.entry
    if ea is None or eb is None:
        return True
    if (ea.family and ea.family == eb.id) or (eb.family and eb.family == ea.id):
        return True
    loose = {a.citation.text.split(":", 1)[0] if a.citation.text else "", b.citation.text.split(":", 1)[0]
             if b.citation.text else ""}
    same_family = bool(ea.family and ea.family == eb.family)
    return same_family and "license_name" in loose and {a.kind, b.kind} == {"metadata", "file"}


def identify(ev: Evidence, catalog: Catalog, extra_signals: list[Signal] | None = None) -> Identification:
    signals = metadata_signals(ev, catalog) + file_signals(ev, catalog) + list(extra_signals or [])
    prompt = prompt_signal(ev, catalog, signals)
    if prompt is not None:
        signals.append(prompt)
    entry, confidence, conflicts, reason = reconcile(signals)
    if prompt is not None and entry is prompt.entry and all(s is prompt for s in signals if s.entry is not None):
        reason = f"identified from the license text in the access form only ({prompt.value})"
    declared = ", ".join(_metadata_values(ev.metadata.get("license"))) or None
    modified = [s for s in signals if s.kind == "file" and entry is not None and s.resembles is entry]
    if modified:
        confidence = min(confidence, 0.5)
        reason = (f"{reason}; but {', '.join(s.value for s in modified)} only resembles the {entry.id} text "
                  "(it may add or change terms)")
    if entry is None:
        result = LicenseResult(
            id="unknown",
            name=None,
            confidence=confidence,
            evidence=[s.citation for s in signals],
            reason=reason,
        )
    else:
        result = LicenseResult(
            id=entry.id,
            name=entry.name,
            spdx=entry.spdx,
            osi_approved=entry.osi_approved,
            confidence=confidence,
            evidence=[s.citation for s in signals if s.entry is entry] or [s.citation for s in signals],
            reason=reason,
        )
    return Identification(result=result, signals=signals, conflicts=conflicts, declared=declared, modified=modified)


def file_signals(ev: Evidence, catalog: Catalog) -> list[Signal]:
    """Signals from the text of license files (acceptable-use policies are recognised, not taken as license)."""
    from openaudit.licenses.locate import WordIndex, quote_line
    from openaudit.licenses.textmatch import match_text

    signals: list[Signal] = []
    for f in ev.files:
        if f.role not in ("license",) or f.text is None:
            continue
        matches = [m for m in match_text(f.text, catalog) if m.entry.category != "policy"]
        if not matches or matches[0].confidence < 0.9:
            # Nothing, or only a resemblance: never name a license from a weak match.
            note = "text not recognised"
            if matches:
                note += f" (resembles {matches[0].entry.id}, but does not match it: it may add or change terms)"
            signals.append(Signal("file", f.name, None, 0.0, Citation(source="file", file=f.name, line=1, text=note),
                                  resembles=matches[0].entry if matches else None))
            continue
        best = matches[0]
        line = WordIndex(f.lines).find(best.first_phrase) or 1
        weight = best.confidence
        signals.append(Signal("file", f.name, best.entry, weight,
                              Citation(source="file", file=f.name, line=line, text=quote_line(f.lines, line))))
    return signals


def prompt_signal(ev: Evidence, catalog: Catalog, others: list[Signal]) -> Signal | None:
    """A supporting signal from the access-form text (``extra_gated_prompt``), or None.

    Only a strong text match counts, with a weight below the card's license and a license file's text. It is
    kept when it agrees with every other known signal, or when nothing else names a license and no license
    file is readable; otherwise it is left out (a note says so): it never names a license against the card or
    a license file, and never makes a conflict of its own.
    """
    from openaudit.licenses import gated
    from openaudit.licenses.locate import WordIndex, quote_line

    pf = gated.prompt_file(ev)
    match = gated.strong_match(ev, catalog) if pf is not None else None
    if pf is None or match is None:
        return None
    line = WordIndex(pf.lines).find(match.first_phrase) or 1
    sig = Signal("prompt", pf.name, match.entry, gated.WEIGHT,
                 Citation(source="file", file=pf.name, line=line, text=quote_line(pf.lines, line)))
    known = [s for s in others if s.entry is not None]
    disagree = [s for s in known if s.entry is not match.entry and not _compatible(s, sig)]
    why = None
    if disagree:
        d = disagree[0]
        assert d.entry is not None
        why = f"the {d.kind} signal ({d.value}) says {d.entry.id}"
    elif not known and others:
        why = "other license signals name a license openaudit does not know"
    elif not known and gated.readable_license_file(ev):
        why = "a license file is readable and is what binds"
    if why is not None:
        gated.note(ev, f"{pf.name} reads as {match.entry.id}, but {why}: the access-form text was not used to "
                       "identify the license")
        return None
    return sig
