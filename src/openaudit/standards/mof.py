"""Model Openness Framework (MOF 1.0) classification, as the Model Openness Tool (MOT) computes it.

The modules, by job: the framework data (the 17 components, their content type and class, the
type-appropriate and open-data licence lists, ``rules/mof.yaml``) and the licence openness test in
``mof_framework``; the classification and its result here; MOT records (``models/*.yml``) in ``mot``; the
heuristic mapping of a repository to components here, its card-body part in ``mof_card``.

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
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from openaudit import model
from openaudit.filekinds import weight_files
from openaudit.lazyre import compile as _lazy
from openaudit.standards.mof_card import card_components
from openaudit.standards.mof_card import evidence_entry as _ev
from openaudit.standards.mof_framework import (
    CONTENT_TYPES,
    STATUSES,
    UNLICENSED,
    ComponentDef,
    Framework,
    MofDataError,
    is_open_license,
    is_type_appropriate,
    load_framework,
)

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping

    from openaudit.evidence import Evidence

__all__ = [
    "CONTENT_TYPES", "STATUSES", "UNLICENSED", "Component", "ComponentDef", "Framework", "MofDataError", "MofResult",
    "classify", "components_from_evidence", "is_open_license", "is_type_appropriate", "load_framework",
    "what_would_change",
]

# --------------------------------------------------------------------------------------------------------------
# Inputs and result


class Component(Struct):
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


class MofResult(Struct):
    """The MOF class a set of components meets, with the progress towards each class."""

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

    def to_result(self) -> model.MofResult:
        """The report's typed MOF result (openaudit.model.MofResult)."""
        return model.MofResult(
            mof_class=self.mof_class,
            label=self.label,
            progress={str(k): v for k, v in self.progress.items()},
            components=tuple(model.MofComponent(
                name=c["name"], mof_class=c["class"], content_type=c["content_type"], required=c["required"],
                included=c["included"], license=c["license"], license_source=c["license_source"],
                status=c["status"], path=c["path"], note=c["note"],
                evidence=tuple(model.MofEvidence(file=e["file"], line=e.get("line"), text=e.get("text"))
                               for e in c["evidence"])) for c in self.components),
            blocking=tuple(self.blocking),
            to_reach=tuple(model.MofStep(mof_class=step["class"], label=step["label"],
                                         needs=tuple(model.MofNeed(name=n["name"], status=n["status"],
                                                                   license=n["license"]) for n in step["needs"]))
                           for step in self.to_reach),
            what_would_change=what_would_change(self.label, self.to_reach),
            rank=rank_of(self.mof_class),
        )


def rank_of(mof_class: int | None) -> int:
    """Class I = 3, II = 2, III = 1, Unclassified = 0 (the policy's ``require.mof_class`` compares ranks)."""
    return 4 - mof_class if mof_class in (1, 2, 3) else 0


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
        found = listed.get(cdef.id)
        if found is None:
            status[cdef.id] = "missing"
            continue
        lic, src = _resolve(found, cdef, glob)
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
        row = listed.get(cdef.id)
        lic, src = resolved.get(cdef.id, (None, "none"))
        rows.append({
            "name": cdef.name,
            "class": cdef.mof_class,
            "content_type": cdef.content_type,
            "required": cdef.required,
            "included": row is not None,
            "license": lic,
            "license_source": src if row is not None else None,
            "status": status[cdef.id],
            "path": row.path if row is not None else None,
            "evidence": list(row.evidence) if row is not None else [],
            "note": row.note if row is not None else None,
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
        needs.sort(key=lambda n: order[fw.by_name[str(n["name"])].id])
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
# Evidence -> components (heuristic)

class _Rx:
    """The repository-file regexes, compiled on first use (keeps ``import`` cheap)."""

    def __init__(self) -> None:
        i = re.I
        self.modeling = _lazy(r"(?:^|/)(?:modeling|modelling)_[^/]+\.py$", i)


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

    card_components(card, add, repo_license)
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
