"""What recognised assessors published about a model, beside (never instead of) our own verdict.

Three bundled sources (``rules/references/*.json``, rebuilt by ``scripts/build_references.py``; JSON because it
is read on every ``check`` and parses ~50x faster than the same data as YAML):

- ``mot``: the Model Openness Tool's model records (LF AI & Data), MOF class computed from each record the way
  the MOT does (``openaudit.standards.mof.classify``).
- ``osai_index``: the European Open Source AI Index (osai-index.eu), 12 dimensions graded open/partial/closed
  per system (CC-BY-4.0: attribution is carried with every reference).
- ``osi``: the Open Source Initiative's published OSAID 1.0 validation-phase results (system names and outcomes).

The stage is fed by ids only: the audited model's Hub id (for a local directory, an ``org__name`` or
``models--org--name`` directory name, else the directory name alone), and its base models' ids (card
``base_model`` and the traced lineage chain). A match is labelled by how it was made (``match``):

- ``exact``: the record assessed this very model;
- ``base_model``: the record assessed this model's base model;
- ``built_on_this``: the record assessed a system built on this model (the index's ``basemodel`` weights);
- ``family``: the record assessed another size or version of this model's family (same Hub organisation and
  family word: ``allenai/OLMo-7B`` and ``allenai/Olmo-3.1-32B-Think`` are both ``allenai/olmo``), or, for OSI,
  the named system as a whole;
- ``base_model_family``: the same, for this model's base model.

Per assessor, only the closest kind of match is kept (exact before base model before family). Nothing here
changes our verdicts: ``differs`` says, in words, when a published verdict disagrees with ours and why.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from openaudit.lazyre import compile as _lazy
from openaudit.model import LineageResult, MofResult, OsaidResult, Reference, ReferenceSource
from openaudit.paths import rules_dir
from openaudit.yamlutil import bundle_data

if TYPE_CHECKING:  # pragma: no cover
    from openaudit.evidence import Evidence

ASSESSORS = ("mot", "osai_index", "osi")
MATCHES = ("exact", "base_model", "built_on_this", "family", "base_model_family")
_MATCH_RANK = {m: i for i, m in enumerate(MATCHES)}
BUNDLE_FILES = {"mot": "mot.json", "osai_index": "osai-index.json", "osi": "osi-osaid.json"}
MAX_PER_ASSESSOR = 3  # family / built-on matches shown per assessor (closest names first)

# Compiled on first use: the four cost ~3 ms at import, and a check may use only some of them.
_HF_URL = _lazy(
    r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/|collections/|papers/|docs/|blog/|models\b)"
    r"([A-Za-z0-9][\w.-]{0,95})/([A-Za-z0-9][\w.-]{0,95})(?:[/?#]|$)")
_HUB_ID = _lazy(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
_TOKEN_SPLIT = _lazy(r"[-_. ]+")
_LOCAL_ORG_NAME = _lazy(r"^(?:models--)?([A-Za-z0-9][\w.-]{0,95}?)(?:__|--)([A-Za-z0-9][\w.-]{0,95})$")


# --------------------------------------------------------------------------------------------------------------
# Ids and families (shared with scripts/build_references.py)


def hub_id_from_url(url: Any) -> str | None:
    """``org/name`` of a Hugging Face model URL, or None (datasets, spaces, collections, papers are not models)."""
    if not isinstance(url, str):
        return None
    m = _HF_URL.match(url.strip())
    if not m:
        return None
    name = m.group(2)
    return f"{m.group(1)}/{name}"


def family_key(model_id: str | None) -> str | None:
    """``org/family-word`` of a Hub id, lower case, or None.

    The family word is the name's first token that starts with a letter, after leading tokens that repeat the
    organisation's name (``meta-llama/Meta-Llama-3-8B`` -> ``meta-llama/llama``). Sizes, versions and suffixes
    (``-7B``, ``-3.1``, ``-Instruct``) are what the family leaves out. A bare name (no org) has no family.
    """
    if not model_id or "/" not in model_id:
        return None
    org, _, name = model_id.strip().lower().partition("/")
    tokens = [t for t in _TOKEN_SPLIT.split(name) if t]
    org_tokens = set(_TOKEN_SPLIT.split(org))
    i = 0
    while i + 1 < len(tokens) and tokens[i] in org_tokens and tokens[i + 1][:1].isalpha():
        i += 1
    if i >= len(tokens) or not tokens[i][:1].isalpha():
        return None
    return f"{org}/{tokens[i]}"


_NOT_ALNUM = _lazy(r"[^a-z0-9]")  # non-ASCII names only
# Every byte but a-z and 0-9: deleted by ``bytes.translate`` (an ASCII name, the usual case, needs no regex).
_NOT_ALNUM_BYTES = bytes(c for c in range(256) if not (97 <= c <= 122 or 48 <= c <= 57))


def _norm(name: str) -> str:
    """``re.sub(r"[^a-z0-9]", "", name.lower())``; called ~660 times when the bundle's keys are built."""
    low = name.lower()
    if low.isascii():
        return low.encode("ascii").translate(None, _NOT_ALNUM_BYTES).decode("ascii")
    return _NOT_ALNUM.compiled().sub("", low)


def target_ids(ev: Evidence) -> tuple[str | None, str | None, str]:
    """(Hub id, bare name, how it was found) of the audited model.

    A Hub target: its id. A local directory (or a card file's directory): ``org__name`` and ``models--org--name``
    directory names give ``org/name``; any other directory name is a bare name, matched on record names only.
    """
    if ev.kind == "hub":
        return ev.id, ev.id.rpartition("/")[2], "hub id"
    from pathlib import PurePath

    p = PurePath(ev.id)
    name = p.name
    if p.suffix.lower() in (".md", ".markdown") or name.lower() == "readme.md":
        name = p.parent.name
    m = _LOCAL_ORG_NAME.match(name)
    if m:
        return f"{m.group(1)}/{m.group(2)}", m.group(2), "directory name"
    return None, (name or None), "directory name"


def base_ids(ev: Evidence, lineage: LineageResult | None) -> list[str]:
    """Hub ids of the base models: the card's ``base_model`` values, then every upstream of the traced chain."""
    out: list[str] = []
    raw = ev.metadata.get("base_model")
    for v in raw if isinstance(raw, list) else [raw]:
        if isinstance(v, str):
            v = hub_id_from_url(v) or v.strip()
            if _HUB_ID.match(v):
                out.append(v)
    for e in lineage.chain if lineage is not None else ():
        if _HUB_ID.match(e.id):
            out.append(e.id)
    return list(dict.fromkeys(out))[:16]


# --------------------------------------------------------------------------------------------------------------
# The bundle


class ReferenceDataError(ValueError):
    pass


def _source(raw: Any, assessor: str) -> ReferenceSource:
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"rules/references/{BUNDLE_FILES[assessor]}: no source mapping")
    return ReferenceSource(id=assessor, name=str(raw.get("name") or assessor), standard=str(raw.get("standard") or ""),
                  url=str(raw.get("url") or ""), snapshot=str(raw.get("snapshot") or ""),
                  record_url=str(raw["record_url"]) if raw.get("record_url") else None,
                  date=str(raw.get("date") or ""), license=str(raw.get("license") or "unknown"),
                  attribution=str(raw["attribution"]) if raw.get("attribution") else None,
                  caveat=str(raw["caveat"]) if raw.get("caveat") else None)


class Bundle(Struct, frozen=True):
    """The bundled published assessments (MOT, the EU openness index, OSI) and their lookups."""

    sources: dict[str, ReferenceSource]
    mot: tuple[dict[str, Any], ...]
    index: tuple[dict[str, Any], ...]
    index_dimensions: tuple[tuple[str, str], ...]  # (key, label) in the index's order
    osi: tuple[dict[str, Any], ...]
    osi_outcomes: dict[str, str]
    # lookups: kind -> key -> positions in ``mot`` / ``index`` (lists when read from the data bundle's JSON)
    mot_keys: dict[str, dict[str, Sequence[int]]] = field(default_factory=dict)
    index_keys: dict[str, dict[str, Sequence[int]]] = field(default_factory=dict)


def _keys(records: tuple[dict[str, Any], ...], name_fields: tuple[str, ...],
          base_name_fields: tuple[str, ...] = ()) -> dict[str, dict[str, Sequence[int]]]:
    """hub / base_hub / family / name / base_name -> record positions, for dictionary lookups per audit."""
    out: dict[str, dict[str, list[int]]] = {k: {} for k in ("hub", "base_hub", "family", "name", "base_name")}

    def add(kind: str, key: Any, i: int) -> None:
        if key:
            out[kind].setdefault(str(key), []).append(i)

    for i, rec in enumerate(records):
        for h in rec.get("hub") or []:
            add("hub", str(h).lower(), i)
        for h in rec.get("base_hub") or []:
            add("base_hub", str(h).lower(), i)
        for f in rec.get("family") or []:
            add("family", f, i)
        for f in name_fields:
            add("name", _norm(str(rec.get(f) or "")), i)
        for f in base_name_fields:
            add("base_name", _norm(str(rec.get(f) or "")), i)
    return {k: {key: tuple(v) for key, v in d.items()} for k, d in out.items()}


BUNDLE_KEYS_KEY = "reference_keys"  # the data bundle's value: ``reference_keys`` of the bundled data (build time)


def reference_keys(directory: str | None = None) -> dict[str, Any]:
    """The lookups of the reference data (``mot_keys``, ``index_keys``), as the data bundle stores them."""
    b = load_bundle(directory)
    return {"mot": b.mot_keys, "index": b.index_keys}


def _read(directory: str | None, assessors: tuple[str, ...] = ASSESSORS) -> dict[str, Any]:
    import json
    from pathlib import Path

    base = Path(directory) if directory else rules_dir() / "references"
    data = {}
    for assessor in assessors:
        name = BUNDLE_FILES[assessor]
        try:
            raw = json.loads((base / name).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ReferenceDataError(f"reference data {base / name} could not be read: {exc.strerror}") from None
        except ValueError as exc:
            raise ReferenceDataError(f"reference data {base / name} is not valid JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise ReferenceDataError(f"reference data {base / name}: expected a mapping")
        data[assessor] = raw
    return data


@lru_cache(maxsize=2)
def load_bundle(directory: str | None = None) -> Bundle:
    """The bundled reference data, parsed on first use (not at import: ~3 ms). The lookups of the bundled data
    come from the wheel's data bundle (made at build time); of other data, or without a bundle, made here."""
    data = _read(directory)
    keys = bundle_data(BUNDLE_KEYS_KEY) if directory is None else None
    dims = tuple((str(d["key"]), str(d["label"])) for d in data["osai_index"].get("dimensions") or []
                 if isinstance(d, dict) and d.get("key"))
    mot = tuple(r for r in data["mot"].get("records") or [] if isinstance(r, dict))
    index = tuple(r for r in data["osai_index"].get("records") or [] if isinstance(r, dict))
    return Bundle(
        sources={a: _source(data[a].get("source"), a) for a in ASSESSORS},
        mot=mot,
        index=index,
        index_dimensions=dims,
        osi=_systems(data["osi"]),
        osi_outcomes={str(k): str(v) for k, v in (data["osi"].get("outcomes") or {}).items()},
        mot_keys=keys["mot"] if isinstance(keys, dict) else _keys(mot, ("name",)),
        index_keys=keys["index"] if isinstance(keys, dict) else _keys(index, ("end_model",), ("base_model",)),
    )


# --------------------------------------------------------------------------------------------------------------
# Result


# --------------------------------------------------------------------------------------------------------------
# Matching


class _Ids(Struct, frozen=True):
    """The ids the audited model is looked up by: its own, its name, and its base models."""

    own: str | None
    own_name: str | None
    how: str
    bases: tuple[str, ...]


def _lookup(ids: _Ids, keys: dict[str, dict[str, Sequence[int]]]) -> dict[int, tuple[str, str]]:
    """Record position -> (match kind, what it matched on), closest kind first, by dictionary lookups."""
    found: dict[int, tuple[str, str]] = {}

    kind_of = {"exact": "hub", "exact_name": "name", "base_model": "hub", "built_on_this": "base_hub",
               "built_on_this_name": "base_name", "family": "family", "base_model_family": "family"}
    own = ids.own.lower() if ids.own else None
    bare = _norm(ids.own_name) if own is None and ids.own_name else None
    steps: list[tuple[str, str | None, str]] = [("exact", own, ids.own or ""), ("exact_name", bare, ids.own_name or "")]
    steps += [("base_model", b.lower(), b) for b in ids.bases]
    steps += [("built_on_this", own, ids.own or ""), ("built_on_this_name", bare, ids.own_name or "")]
    steps += [("family", family_key(ids.own), family_key(ids.own) or "")]
    steps += [("base_model_family", family_key(b), b) for b in ids.bases]
    for kind, key, on in steps:
        if key:
            for i in keys.get(kind_of[kind], {}).get(key, ()):
                found.setdefault(i, (kind.replace("_name", ""), on))
    return found


def _match_note(kind: str, on: str, subject: str, how: str) -> str:
    return {
        "exact": f"this model ({how})",
        "base_model": f"this model's base model {on}",
        "built_on_this": f"{subject}, a system built on this model: its base-model grades describe this model",
        "family": f"same family ({on}), another size or version: {subject}",
        "base_model_family": f"the family of this model's base model {on}: {subject}",
    }[kind]


def _similarity(a: str | None, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, _norm(a or ""), _norm(b)).ratio()


def _keep(found: list[tuple[str, str, dict[str, Any]]], own: str | None) -> list[tuple[str, str, dict[str, Any]]]:
    """Only the closest kind of match; a few of the closest names when that kind is a family-level one."""
    if not found:
        return []
    best = min(_MATCH_RANK[k] for k, _, _ in found)
    kept = [x for x in found if _MATCH_RANK[x[0]] == best]
    kept.sort(key=lambda x: (-_similarity(own, str(x[2].get("name") or "")), str(x[2].get("name") or "")))
    return kept[:MAX_PER_ASSESSOR]


def _requirement_gaps(osaid: OsaidResult) -> str:
    """"this card does not show X, Y; Z is not met" from our OSAID requirements that did not pass."""
    unknown: list[str] = []
    failed: list[str] = []
    for r in osaid.requirements:
        if r.status != "pass":
            name = (r.name or r.id).lower()
            (unknown if r.status == "unknown" else failed).append(name)
    parts = []
    if unknown:
        parts.append("this card does not show the " + ", ".join(unknown))
    if failed:
        parts.append("not met from this model's evidence: " + ", ".join(failed))
    return "; ".join(parts)


_OUR_OSAID = {"conformant": "conformant", "not_conformant": "not conformant",
              "insufficient_evidence": "insufficient evidence"}


def _osi_differs(system: dict[str, Any], osaid: OsaidResult) -> str | None:
    ours = osaid.verdict
    outcome = str(system.get("outcome"))
    name = str(system.get("name"))
    if outcome == "passed" and ours != "conformant":
        gaps = _requirement_gaps(osaid)
        return (f"OSI validated {name} as conformant; {gaps or 'our verdict differs'} (our verdict from the "
                f"evidence: {_OUR_OSAID.get(ours, ours)})")
    if outcome != "passed" and ours == "conformant":
        return (f"OSI's validation did not pass {name}; this model's evidence meets every OSAID requirement we "
                "check (OSI gives no per-system reason to compare with)")
    return None


def _mot_differs(rec: dict[str, Any], mof: MofResult) -> str | None:
    theirs = rec.get("class")
    ours = mof.mof_class
    if theirs == ours:
        return None
    label = mof.label or "Unclassified"
    change = mof.what_would_change
    why = change.partition("; ")[2] if isinstance(change, str) and "; " in change else ""
    return (f"the MOT record of {rec.get('name')} is {rec.get('label')}; this model's evidence supports {label}"
            f"{'; ' + why if why else ''} (the MOT classifies what the producer declared, we classify what the "
            "card and repository show)")


def _comparison(comparable: bool, differs: str | None) -> str:
    if not comparable:
        return "not_compared"
    return "differs" if differs else "agrees"


def _record_url(src: ReferenceSource, rec: dict[str, Any]) -> str:
    from urllib.parse import quote

    if src.record_url and rec.get("file"):
        return src.record_url.replace("{file}", quote(str(rec["file"])))
    return src.url


def _mot_refs(b: Bundle, ids: _Ids, mof: MofResult) -> list[Reference]:
    found = [(kind, on, b.mot[i]) for i, (kind, on) in _lookup(ids, b.mot_keys).items()]
    src = b.sources["mot"]
    out = []
    for kind, on, rec in _keep(found, ids.own or ids.own_name):
        subject = str(rec.get("name"))
        prog = rec.get("progress") or {}
        out.append(Reference(
            assessor="mot", standard=src.standard, subject=subject, subject_id=(rec.get("hub") or [None])[0],
            match=kind, match_note=_match_note(kind, on, subject, ids.how),
            verdict=str(rec.get("label")),
            date=str(rec["date"]) if rec.get("date") else None, date_basis="record date (release.date)",
            url=_record_url(src, rec),
            details={"class": rec.get("class"), "progress": {str(k): v for k, v in prog.items()},
                     "blocking": list(rec.get("blocking") or [])[:8], "listed_on_site": rec.get("listed")},
            differs=_mot_differs(rec, mof) if kind in ("exact", "family") else None,
            comparison=_comparison(kind in ("exact", "family"), _mot_differs(rec, mof)),
            source=src))
    return out


def _index_refs(b: Bundle, ids: _Ids) -> list[Reference]:
    found = [(kind, on, b.index[i]) for i, (kind, on) in _lookup(ids, b.index_keys).items()]
    src = b.sources["osai_index"]
    labels = dict(b.index_dimensions)
    out = []
    for kind, on, rec in _keep(found, ids.own or ids.own_name):
        grades: dict[str, str] = dict((rec.get("grades") or {}).items())
        counts = {g: sum(1 for v in grades.values() if v == g) for g in ("open", "partial", "closed")}
        subject = str(rec.get("end_model") or rec.get("name"))
        verdict = (f"{counts['open']} open, {counts['partial']} partial, {counts['closed']} closed "
                   f"of {len(grades)} dimensions")
        not_open = "; ".join(f"{g}: " + ", ".join(labels.get(k, k) for k, v in grades.items() if v == g)
                             for g in ("partial", "closed", "unknown") if g in grades.values())
        if not_open:
            verdict += f" ({not_open})"
        if kind == "built_on_this":  # the dimensions that describe the base model, i.e. this model
            own = ", ".join(f"{labels.get(k, k)} {grades[k]}" for k in ("datasources_basemodel", "weights_basemodel")
                            if k in grades)
            verdict = f"as the base model: {own}; the system: {verdict}"
        out.append(Reference(
            assessor="osai_index", standard=src.standard, subject=subject,
            subject_id=(rec.get("hub") or [None])[0], match=kind,
            match_note=_match_note(kind, on, f"{rec.get('name')} ({subject})", ids.how),
            verdict=verdict, date=src.date,
            date_basis=f"index snapshot date; model released {rec.get('released') or 'unknown'}",
            url=_record_url(src, rec),
            details={"system": rec.get("name"), "organisation": rec.get("org"), "base_model": rec.get("base_model"),
                     "released": rec.get("released"), "grades": grades, "counts": counts,
                     "dimensions": {k: labels.get(k, k) for k in grades}},
            differs=None, source=src))
    return out


_GLOB = frozenset("*?[")


def _glob_match(name: str, pattern: str) -> bool:
    """``fnmatch.fnmatchcase(name, pattern)``; a pattern that is a plain name, or a plain prefix and a final "*"
    (every bundled OSI pattern), is compared without compiling a regex."""
    if pattern.endswith("*") and _GLOB.isdisjoint(pattern[:-1]):
        return name.startswith(pattern[:-1])
    if _GLOB.isdisjoint(pattern):
        return name == pattern
    return fnmatch.fnmatchcase(name, pattern)


def _osi_found(systems: tuple[dict[str, Any], ...], ids: _Ids) -> list[tuple[str, str, dict[str, Any]]]:
    """(match kind, what it matched on, system) of the OSI systems whose Hub patterns match the ids."""
    found = []
    for system in systems:
        pats = [str(p).lower() for p in system.get("hub") or []]

        def hits(model_id: str | None, pats: list[str] = pats) -> bool:
            return model_id is not None and bool(model_id) and any(_glob_match(model_id.lower(), p) for p in pats)

        if hits(ids.own) or (ids.own is None and ids.own_name and hits(ids.own_name)):
            found.append(("family", ids.own or ids.own_name or "", system))
            continue
        base = next((x for x in ids.bases if hits(x)), None)
        if base:
            found.append(("base_model_family", base, system))
    return found


def _osi_refs(b: Bundle, ids: _Ids, osaid: OsaidResult) -> list[Reference]:
    src = b.sources["osi"]
    out = []
    for kind, on, system in _keep(_osi_found(b.osi, ids), ids.own or ids.own_name):
        name = str(system.get("name"))
        outcome = str(system.get("outcome"))
        note = (f"OSI reviewed the {name} system ({system.get('org')}), not this checkpoint"
                if kind == "family" else f"OSI reviewed the {name} system, the family of this model's base model {on}")
        if system.get("note"):
            note += f"; {system['note']}"
        out.append(Reference(
            assessor="osi", standard=src.standard, subject=name, subject_id=None, match=kind, match_note=note,
            verdict=b.osi_outcomes.get(outcome, outcome), date=src.date, date_basis="published",
            url=src.url, details={"outcome": outcome, "organisation": system.get("org")},
            differs=_osi_differs(system, osaid) if kind == "family" else None,
            comparison=_comparison(kind == "family", _osi_differs(system, osaid)), source=src))
    return out


def _may_match(ids: _Ids) -> bool:
    """False when no bundled record can match ``ids``, decided from the data bundle's lookups (made at build time)
    and the small OSI file, without parsing the MOT and index records; True without a bundle."""
    keys = bundle_data(BUNDLE_KEYS_KEY)
    if not isinstance(keys, dict):
        return True
    if _lookup(ids, keys["mot"]) or _lookup(ids, keys["index"]):
        return True
    return bool(_osi_found(_bundled_osi_systems(), ids))


def _systems(osi: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """The systems of the OSI reference data."""
    return tuple(r for r in osi.get("systems") or [] if isinstance(r, dict))


@lru_cache(maxsize=1)
def _bundled_osi_systems() -> tuple[dict[str, Any], ...]:
    """The bundled OSI systems, read once per process (not once per audit: a batch asks for every model)."""
    return _systems(_read(None, ("osi",))["osi"])


def assess(ev: Evidence, *, lineage: LineageResult | None = None, osaid: OsaidResult | None = None,
           mof: MofResult | None = None, bundle: Bundle | None = None) -> tuple[Reference, ...]:
    """The published assessments that match this model, its base models or their families (may be empty)."""
    own, own_name, how = target_ids(ev)
    ids = _Ids(own=own, own_name=own_name, how=how, bases=tuple(base_ids(ev, lineage)))
    if not (ids.own or ids.own_name or ids.bases):
        return ()
    if bundle is None and not _may_match(ids):
        return ()
    b = bundle or load_bundle()
    return (*_mot_refs(b, ids, mof or MofResult()), *_index_refs(b, ids), *_osi_refs(b, ids, osaid or OsaidResult()))


# --------------------------------------------------------------------------------------------------------------
# `openaudit explain references`

EXPLAIN: dict[str, Any] = {
    "what": "Published assessments of a model by recognised assessors, shown beside openaudit's own verdict "
            "(never replacing it): the Model Openness Tool's MOF class, the European Open Source AI Index's "
            "grades, and OSI's OSAID validation results. Each carries its date, a link and how it was matched.",
    "assessors": {
        "mot": "Model Openness Tool (LF AI & Data, mot.isitopen.ai): producers (or volunteers) declare which of the "
               "17 Model Openness Framework components they release and under which licence; the tool computes "
               "Class III (open model: weights, architecture, docs), II (+ training, inference and evaluation code "
               "and data) or I (+ datasets, preprocessing code, intermediate checkpoints, paper). It measures "
               "what is released under open licences, as declared; records can be incomplete.",
        "osai_index": "European Open Source AI Index (Radboud University, osai-index.eu; CC-BY-4.0): researchers "
                      "grade each generative AI system open / partial / closed on 12 dimensions of availability "
                      "(base and end-model data and weights, training code), documentation (code, hardware, "
                      "preprint, paper, model card, datasheet) and access (licences). It measures openness as a "
                      "gradient, usually for the largest or latest model of a family.",
        "osi": "Open Source Initiative: while writing the Open Source AI Definition 1.0 (released 2024-10-28), "
               "volunteers reviewed a dozen systems' legal documents and components against it; OSI published "
               "which passed, which would pass with other licences, and which did not. A binary verdict on the "
               "four freedoms for a named system (not a checkpoint), with no per-system reason; OSI does not "
               "certify systems.",
    },
    "matches": {
        "exact": "the record assessed this very model (its Hub id, or a local directory's name)",
        "base_model": "the record assessed this model's base model (card base_model or the traced lineage)",
        "built_on_this": "the record assessed a system built on this model (the index's base-model weights)",
        "family": "another size or version of the same family (same organisation and family word), or for OSI "
                  "the named system as a whole",
        "base_model_family": "the family of this model's base model",
    },
    "how": "openaudit's own OSAID, MOF and grade verdicts come only from the evidence it read (card, license files, "
           "repository). When a published verdict differs, `differs` says how and why (e.g. what the card does not "
           "show). Reference data is bundled (no network), with its source, snapshot date and license, and "
           "rebuilt from upstream checkouts by scripts/build_references.py.",
}
