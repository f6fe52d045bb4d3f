"""Identify a target's license from every signal and reconcile them.

Signals: card ``license`` (a Hub id or an SPDX id), ``license_name``, ``license_link``, and the text of
license files (see ``textmatch``). Each signal yields a candidate with a citation; agreement raises
confidence, disagreement becomes a conflict the engine reports. Unknown beats a confident wrong name.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import Struct, field

from openaudit.evidence import Evidence
from openaudit.licenses.catalog import Catalog, LicenseEntry
from openaudit.model import Citation, LicenseResult

# Hub ids that say nothing about which license applies.
PLACEHOLDER_IDS = {"other", "unknown", "none", "noassertion", ""}


class Signal(Struct):
    """One hint of the license (metadata, a link, a file, the access prompt), its weight and citation."""

    kind: str  # metadata | link | file | prompt (the access-form text, ``extra_gated_prompt``: see gated.py)
    value: str
    entry: LicenseEntry | None
    weight: float
    citation: Citation
    resembles: LicenseEntry | None = None  # a weak text match: the text looks like this license but is not it
    text: Any = None  # coverage.TextIdentity of a license file (kind file / reference)
    key: str | None = None  # the card metadata key it was read from: license, license_name, license_link, tag


class Identification(Struct):
    """The license identified from all signals, with the signals, conflicts and modified texts behind it."""

    result: LicenseResult
    signals: list[Signal] = field(default_factory=list)
    conflicts: list[tuple[Signal, Signal]] = field(default_factory=list)
    declared: str | None = None  # the card's license value as written
    modified: list[Signal] = field(default_factory=list)  # files resembling the identified license, not matching it
    base: LicenseEntry | None = None  # the catalog license a modified text modifies (its terms are checked in it)
    texts: dict[str, Any] = field(default_factory=dict)  # file name -> coverage.TextIdentity
    notes: list[str] = field(default_factory=list)  # what the reading says beside the result (for the report)


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
        signals.append(Signal("metadata", v, entry, 0.9, _card_citation(ev, "license", v), key="license"))
    if not signals and not meta.get("license"):
        # Hub tags carry the license as "license:<id>" (derived from the card); use them when the card is silent.
        for tag in ev.tags:
            if tag.lower().startswith("license:") and tag[8:].strip().lower() not in PLACEHOLDER_IDS:
                v = tag[8:].strip()
                entry = catalog.by_hub_id(v) or catalog.by_spdx(v)
                signals.append(Signal("metadata", v, entry, 0.8, Citation(source="metadata", file=None, line=None,
                                                                          text=f"tag: {tag}"), key="tag"))
    for value in _metadata_values(meta.get("license_name")):
        entry = catalog.by_name(value)
        signals.append(Signal("metadata", value, entry, 0.6, _card_citation(ev, "license_name", value),
                              key="license_name"))
    for value in _metadata_values(meta.get("license_link")):
        if _repo_file(ev, value) is not None:
            continue  # a link to a file of this repo: that file's text is the signal (see file_signals)
        entry = catalog.by_url(value)
        cit = _card_citation(ev, "license_link", value)
        cit.source = "link"
        signals.append(Signal("link", value, entry, 0.6, cit, key="license_link"))
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
        if s.kind != "metadata" or s.entry is None or s.key != "license_name":
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
    same_family = bool(ea.family and ea.family == eb.family)
    return same_family and "license_name" in (a.key, b.key) and {a.kind, b.kind} == {"metadata", "file"}


def identify(ev: Evidence, catalog: Catalog, extra_signals: list[Signal] | None = None) -> Identification:
    notes: list[str] = []
    ident = _identify(ev, catalog, extra_signals, notes)
    ident.notes = notes
    return ident


def _identify(ev: Evidence, catalog: Catalog, extra_signals: list[Signal] | None, notes: list[str]) -> Identification:
    from openaudit.licenses import coverage as cv

    files = file_signals(ev, catalog)
    signals = metadata_signals(ev, catalog) + files + list(extra_signals or [])
    prompt = prompt_signal(ev, catalog, signals, notes)
    if prompt is not None:
        signals.append(prompt)
    if not signals and ev.card is not None:
        signals += _card_reference(ev, catalog)
    entry, confidence, conflicts, reason = reconcile(signals)
    if prompt is not None and entry is prompt.entry and all(s is prompt for s in signals if s.entry is not None):
        reason = f"identified from the license text in the access form only ({prompt.value})"
    refs = [s for s in signals if s.kind == "reference" and s.entry is not None and s.entry is entry]
    if refs and all(s.kind == "reference" for s in signals if s.entry is not None):
        ref_id = refs[0].entry.id if refs[0].entry is not None else "a license"
        reason = (f"{refs[0].value} line {refs[0].citation.line} refers to {ref_id}: a reference to the "
                  "license, not its text (the text itself was not read)")
    declared = ", ".join(_metadata_values(ev.metadata.get("license"))) or None
    texts = {s.value: s.text for s in files if s.text is not None}
    changed = [s for s in files if s.kind == "file" and s.text is not None and s.text.status == cv.MODIFIED]
    versions = [s for s in files if s.kind == "file" and s.text is not None and s.text.status == cv.VERSION_UNKNOWN]
    modified = [s for s in signals if s.kind == "file" and entry is not None and s.resembles is entry
                and s.text is not None and s.text.status == cv.RESEMBLES]
    if changed:
        # The license file is a known license with passages added, removed or changed: it binds as written.
        s = changed[0]
        base = s.text.entry
        what = s.text.describe()
        result = LicenseResult(
            id=f"modified-{base.id}", name=f"modified {base.name}", spdx=None, osi_approved=False,
            osi_reason=f"{s.value} is a modified copy of the {base.id} text ({what})"
                       + ("" if base.osi_approved else f"; {base.id} itself is not OSI-approved"),
            confidence=0.9,
            evidence=[s.citation] + [x.citation for x in signals if x is not s and x.entry is base],
            reason=f"{s.value} is the {base.id} text with changes: {what}",
            texts=[t.to_dict(name) for name, t in texts.items()])
        # A card or link naming another license contradicts the text (which binds).
        shown = Signal("file", f"{s.value} (modified)", base, 0.0, s.citation)
        clash = [(m, shown) for m in signals if m.kind in ("metadata", "link") and m.entry is not None
                 and m.entry is not base and not _compatible(m, shown)]
        return Identification(result=result, signals=signals, conflicts=clash, declared=declared, modified=changed,
                              base=base, texts=texts)
    if versions and (entry is None or entry.family != versions[0].text.entry.family or entry is versions[0].text.entry):
        s = versions[0]
        other = s.text.entry
        family = other.family or other.id
        fam_entry = catalog.get(family)
        rid = family if fam_entry is None or fam_entry.category == "family" else f"{family}-unknown-version"
        name = " ".join(re.sub(rf"(?i)\bv?{re.escape(other.version or '')}\b", " ", other.name).split()) \
            if other.version else other.name
        result = LicenseResult(
            id=rid, name=f"{name} (version unknown)", spdx=None, osi_approved=False,
            osi_reason=f"{s.value} is a version of the {family} license that openaudit does not hold",
            confidence=0.6, evidence=[s.citation],
            reason=f"{s.value} is the {family} family's license text in another version than {other.id} "
                   f"({s.text.describe()}); its terms are read from the text",
            texts=[t.to_dict(name_) for name_, t in texts.items()])
        return Identification(result=result, signals=signals, conflicts=conflicts, declared=declared, texts=texts)
    if modified:
        confidence = min(confidence, 0.5)
        reason = (f"{reason}; but {', '.join(s.value for s in modified)} only resembles the "
                  f"{entry.id if entry is not None else 'known'} text "
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
    result.osi_approved, result.osi_reason = _osi(ev, entry, signals, files, prompt)
    result.texts = [t.to_dict(name) for name, t in texts.items()]
    return Identification(result=result, signals=signals, conflicts=conflicts, declared=declared, modified=modified,
                          texts=texts)


def _card_reference(ev: Evidence, catalog: Catalog) -> list[Signal]:
    """When nothing else names a license: a line of the card's License section that names one, said as a
    reference (the license text itself is not in the repository)."""
    from openaudit.licenses import coverage as cv
    from openaudit.licenses.locate import quote_line

    card = ev.card
    assert card is not None
    ref = cv.card_reference(card.body_lines, catalog)
    if ref is None or ref.entry is None:
        return []
    return [Signal("reference", card.path, ref.entry, 0.5,
                   Citation(source="file", file=card.path, line=ref.line,
                            text=f"refers to {ref.entry.id} ({ref.reference}): {quote_line(card.lines, ref.line)}"),
                   text=ref)]


def _osi(ev: Evidence, entry: LicenseEntry | None, signals: list[Signal], files: list[Signal],
         prompt: Signal | None) -> tuple[bool | None, str]:
    """OSI approval: true only for an unmodified OSI-approved text or SPDX id; false for any other text, with the
    reason; null only when nothing readable says what the license is."""
    from openaudit.licenses import coverage as cv

    readable = [s for s in files if s.kind in ("file", "reference")]
    if entry is not None:
        flag = entry.osi_approved
        if flag is None:
            return None, f"{entry.id} has no SPDX id whose OSI approval is known"
        if not flag:
            return False, f"{entry.name} is not on the OSI's list of approved licenses (SPDX license list)"
        for s in readable:
            t = s.text
            if t is None or (t.entry is not None and t.entry.category == "policy"):
                continue
            if s.entry is entry:
                f = ev.file(s.value)
                if (t.status == cv.REFERENCE and f is not None and f.text is not None
                        and cv.adds_conditions(f.text, entry)):
                    return False, (f"{s.value} names {entry.id} but adds words of its own that may restrict or "
                                   "condition it: read it")
                continue
            if t.status == cv.REFERENCE and t.entry is None:
                continue
            return False, (f"{s.value} is not the {entry.id} text ({s.citation.text}): the license that binds is not "
                           "only the OSI-approved one")
        how = "license text" if any(s.entry is entry and s.kind == "file" for s in readable) else "license id"
        return True, f"{entry.spdx or entry.id} is OSI-approved (SPDX license list), from the {how}"
    if readable:
        s = readable[0]
        return False, f"the license text in {s.value} is not a known OSI-approved license text"
    if prompt is not None or any(s.kind == "prompt" for s in signals):
        return False, "the license text in the access form is not a known OSI-approved license text"
    declared = [s for s in signals if s.kind in ("metadata", "link")]
    if declared:
        return False, f"{declared[0].citation.text!r} names no OSI-approved license openaudit knows"
    lic = ev.metadata.get("license") if isinstance(ev.metadata, dict) else None
    if isinstance(lic, str) and lic.strip().lower() == "other":
        return False, "the card declares license: other (not an OSI-approved license id)"
    return None, "no license text or license id to judge"


def file_signals(ev: Evidence, catalog: Catalog) -> list[Signal]:
    """Signals from the text of license files, identified by coverage (``coverage.identify_text``): the text of a
    known license (fill-in fields aside), a modified copy, another version of a known family, a resemblance, a
    reference to a license named elsewhere, or unknown. Acceptable-use policies are recognised, not taken as the
    license."""
    from openaudit.licenses import coverage as cv
    from openaudit.licenses.locate import quote_line

    signals: list[Signal] = []
    for f in ev.files:
        if f.role not in ("license",) or f.text is None:
            continue
        ref = cv.reference(f.text, catalog)
        ti = cv.identify_text(f.text, catalog)
        if ref is not None and ti.status not in (cv.EXACT, cv.MODIFIED, cv.VERSION_UNKNOWN):
            e = ref.entry
            what = (f"refers to {e.id} ({ref.reference})" if e is not None
                    else f"refers to a license elsewhere ({ref.reference})")
            signals.append(Signal("reference", f.name, e, 0.7 if e is not None else 0.0,
                                  Citation(source="file", file=f.name, line=ref.line,
                                           text=f"{what}: {quote_line(f.lines, ref.line)}"), text=ref))
            continue
        if ti.status == cv.EXACT:
            line = ti.line
            if ti.method == "coverage":
                line = _fingerprint_line(f.text, ti.entry) or ti.line
            signals.append(Signal("file", f.name, ti.entry, 0.95,
                                  Citation(source="file", file=f.name, line=line, text=quote_line(f.lines, line)),
                                  text=ti))
            continue
        c = ti.comparison
        cov = f" (coverage {c.coverage:.0%} of the {ti.entry.id} text, {c.explained:.0%} of the file)" \
            if c is not None and ti.entry is not None else ""
        line = c.passages[0].lines[0] if c is not None and c.passages else ti.line
        if ti.status == cv.MODIFIED:
            note = f"modified {ti.entry.id} text{cov}: {ti.describe()}"
        elif ti.status == cv.VERSION_UNKNOWN:
            note = f"a {ti.entry.family or ti.entry.id} license text in a version openaudit does not hold{cov}"
        elif ti.status == cv.RESEMBLES:
            note = (f"text not recognised (resembles {ti.entry.id}, but does not match it: it may add or change "
                    f"terms){cov}")
        else:
            note = "text not recognised"
        signals.append(Signal("file", f.name, None, 0.0, Citation(source="file", file=f.name, line=line, text=note),
                              resembles=ti.entry if ti.status in (cv.RESEMBLES, cv.MODIFIED) else None, text=ti))
    return signals


def _fingerprint_line(text: str, entry: LicenseEntry) -> int | None:
    from openaudit.licenses.locate import word_index

    if not entry.fingerprints:
        return None
    return word_index(text).find(entry.fingerprints[0])


def prompt_signal(ev: Evidence, catalog: Catalog, others: list[Signal],
                  notes: list[str] | None = None) -> Signal | None:
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
                 Citation(source="file", file=pf.name, line=pf.source_line(line), text=quote_line(pf.lines, line)))
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
        gated.note(notes, f"{pf.name} reads as {match.entry.id}, but {why}: the access-form text was not used to "
                       "identify the license")
        return None
    return sig
