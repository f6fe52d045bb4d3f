"""OSI Open Source AI Definition (OSAID) 1.0: an evidence-bound assessment of one model.

``assess(facts, license, restrictions)`` checks the requirements of OSAID 1.0 ("preferred form to make
modifications": Parameters, Code, Data Information; and the freedom to use "without having to ask for
permission") against the facts ``standards.facts.gather`` read from the card and the repository. The
requirement ids follow the auditor checklist of the project's standards notes (section 6):

========== ===========================================================================================
OSAID-W    Parameters under OSI-approved terms, with no field-of-use restriction
OSAID-P    An explicit grant accompanies the parameters (OSI FAQ)
OSAID-A    Obtainable without asking permission (interpretation: the Hub's manual-approval gate fails)
OSAID-C1   Training code (incl. the settings used)
OSAID-C2   Data processing and filtering code
OSAID-C3   Inference code and model architecture
OSAID-C4   Validation/testing and supporting code
OSAID-D1   Description of all training data (provenance, scope, selection, labeling, processing)
OSAID-D2   Listing of the publicly available training data and where to obtain it
OSAID-D3   Listing of training data obtainable from third parties and where to obtain it
========== ===========================================================================================

Each requirement is ``pass``, ``fail`` or ``unknown``, with a reason and the citations it rests on.

Decisions (what is honest to say from a model card):

* **fail needs a citation of something that shows the requirement is not met**: a restriction clause of
  the license (kinds ``user_cap``, ``revenue_cap``, ``non_commercial``, ``use_restrictions``,
  ``output_training_ban``, ``territory``, ``no_derivatives``), an identified license of a restrictive
  category (community, RAIL, non-commercial, research, proprietary) that is not OSI-approved, a gate the card
  says is approved by hand, or the publisher's own words: training code / data details *not released or
  not disclosed*, or a self-description of the release as **open-weights / weights-only** while no training
  code is linked. The last one is an interpretation: OSI's own definition of "open weights"
  (opensource.org/ai/open-weights) is a release without training code and data transparency, so a
  publisher calling its release "open-weights" is taken at its word for OSAID-C1 and OSAID-C2. A failing
  requirement without any citation is impossible (it is reported as ``unknown``).
* **Silence is never a failure.** A card that does not mention training code or data gives ``unknown``:
  the code or data may be published elsewhere (a paper, a website) that openaudit does not read. A card
  whose data description is vague ("publicly available sources") or that names datasets without saying
  where to get them is also ``unknown`` (the checklist's PARTIAL means "cannot be confirmed").
* **pass is evidence-bound, not a certificate** (OSI certifies nothing either). Code passes when a
  repository the card attributes to this model is described as covering that part (``amber-train``,
  "Core repo (training, inference…)"), when such files are in the repository, or when the publisher states
  it releases all its code / how to reproduce training *and* links its own repository. Inference also
  passes when the card loads the model through an open-source library. Data information passes when the
  card describes the training data and lists the datasets with a location (Hub dataset ids count), the
  datasets' own documentation being the rest of the description. Linked repositories and datasets are not
  opened: their licenses are not verified (said in the summary).
* **Derivatives**: for a fine-tune, adapter, merge or distillation (``base_model`` set and not a
  quantization; or, without that metadata, the card says it is "fine-tuned from" / "a distilled variant
  of" / "based on" a linked Hub model) the card covers only the last training step, so training code and
  data requirements that would pass become ``unknown`` until the base model is assessed too. A
  quantization inherits the original's facts (its card usually embeds the original card).

Verdict: ``not_conformant`` when any requirement fails (always with a citation); ``conformant`` only when
every requirement passes; ``insufficient_evidence`` otherwise.

On the nine systems OSI's validation phase reported (Pythia, OLMo, Amber, CrystalCoder and T5 pass;
Llama 2, Grok, Phi-2 and Mixtral do not): the five pass here from their cards; Llama 2 is
``not_conformant`` (its license's field-of-use terms, and a manually approved gate), Grok is
``not_conformant`` (its card calls it an "open-weights model" and links no training code); Phi-2 and
Mixtral are ``insufficient_evidence``: their licenses are OSI-approved (MIT, Apache-2.0) and their cards
simply do not say whether training code and data information exist, so no failure can be cited.
"""

from __future__ import annotations

from collections.abc import Sequence

from msgspec.structs import replace

from openaudit.licenses import vocabulary
from openaudit.licenses.vocabulary import field_of_use
from openaudit.model import Citation, LicenseResult, OsaidRequirement, OsaidResult, Restriction, TrainingDataset
from openaudit.standards.facts import CodeRepo, Fact, Facts

OPEN_WEIGHTS_URL = "https://opensource.org/ai/open-weights"
VERDICTS = ("conformant", "not_conformant", "insufficient_evidence")
STATUSES = ("pass", "fail", "unknown")

REQUIREMENTS = (
    ("OSAID-W", "Parameters under OSI-approved terms, no field-of-use restriction"),
    ("OSAID-P", "Explicit grant accompanying the parameters"),
    ("OSAID-A", "Obtainable without asking permission"),
    ("OSAID-C1", "Training code"),
    ("OSAID-C2", "Data processing and filtering code"),
    ("OSAID-C3", "Inference code and model architecture"),
    ("OSAID-C4", "Validation, testing and supporting code"),
    ("OSAID-D1", "Description of all training data"),
    ("OSAID-D2", "Listing of public training data and where to obtain it"),
    ("OSAID-D3", "Listing of third-party training data and where to obtain it"),
)
DERIVED_KINDS = ("finetune", "adapter", "merge", "derived")  # not "quantized": same model, other format
_CAPPED_BY_DERIVATIVE = {"OSAID-C1", "OSAID-C2", "OSAID-D1", "OSAID-D2", "OSAID-D3"}

Result = tuple[str, str, list[Citation]]


def _repo_cites(repos: list[CodeRepo]) -> list[Citation]:
    return [r.citations[0] for r in repos if r.citations]


def _names(repos: list[CodeRepo]) -> str:
    return ", ".join(f"{r.owner}/{r.name}" for r in repos)


def _quote(f: Fact) -> str:
    t = f.detail.get("sentence") or f.citation.text or f.value
    return f"'{t}'" + (f" ({f.citation.file}:{f.citation.line})" if f.citation.line else "")


def license_category(license_id: str) -> str | None:
    """The catalog category of a license id (community, rail, permissive…), or None."""
    try:
        from openaudit.licenses.catalog import load_catalog

        entry = load_catalog().get(license_id)
    except Exception:  # noqa: BLE001 (a broken or missing catalog must not break the assessment)
        return None
    return entry.category if entry is not None else None


# ---------------------------------------------------------------------------------------------------------------
# Requirements


def _kind_at(r: Restriction) -> str:
    """A term named by its kind and where it sits, without restating it (the report lists each term once)."""
    c = r.clause
    return f"{r.kind} at {c.file}:{c.line}" if c is not None and c.file and c.line else r.kind


def _parameters(license: LicenseResult, restrictions: list[Restriction]) -> Result:
    fou = [r for r in restrictions if r.kind in field_of_use()]  # rules/vocabulary/kinds.yaml
    if fou:
        kinds = ", ".join(dict.fromkeys(_kind_at(r) for r in fou))
        cites = [r.clause or Citation(source="catalog", text=r.summary) for r in fou]
        return ("fail", f"the terms restrict the field of use ({kinds}; see the terms). OSAID requires the freedom "
                "to use, modify and share for any purpose", cites)
    name = license.name or license.id
    if license.id == "unknown":
        return ("unknown", f"the license is not identified ({license.reason or 'no license found'}), so its terms "
                "cannot be checked", list(license.evidence))
    unclassified = [r for r in restrictions if r.kind == "unclassified"]
    if license.osi_approved and unclassified:
        # A binding sentence no kind describes may restrict the field of use: not evidence of openness either way.
        cites = [r.clause for r in unclassified if r.clause is not None]
        return ("unknown", f"{name} is OSI-approved, but the text holds binding sentences that were not classified "
                f"(e.g. {unclassified[0].summary}); they need review", cites or list(license.evidence))
    if license.osi_approved:
        return ("pass", f"{name} ({license.spdx or license.id}) is OSI-approved and no field-of-use restriction was "
                "found", list(license.evidence))
    category = license_category(license.id)
    if license.osi_approved is False and vocabulary.category(category).restrictive and license.evidence:
        return ("fail", f"{name} is a {category} license, not OSI-approved; OSAID requires OSI-approved terms for "
                "the parameters", list(license.evidence))
    if license.osi_approved is False:
        return ("unknown", f"{name} is not OSI-approved, but it is not known to restrict use; OSI has not reviewed "
                "such terms for parameters (needs review)", list(license.evidence))
    return ("unknown", f"whether {name} is OSI-approved is not known", list(license.evidence))


def _grant(license: LicenseResult) -> Result:
    if license.id != "unknown" and license.evidence:
        return ("pass", f"the parameters come with an explicit license ({license.name or license.id})",
                list(license.evidence))
    return ("unknown", "no identified license statement accompanies the parameters", list(license.evidence))


def _access(facts: Facts) -> Result:
    g = facts.gating
    if g.status == "open":
        return ("pass", g.detail, list(g.citations))
    if g.status == "none_declared":
        return ("pass", g.detail, [])
    if g.status == "manual":
        return ("fail", f"{g.detail}: users must ask for permission before they can use the model",
                list(g.citations))
    if g.status == "auto":
        return ("unknown", f"{g.detail}; whether a click-through gate counts as asking permission is not settled "
                "by OSI", list(g.citations))
    return ("unknown", f"{g.detail}; whether requests are approved automatically or by hand is not known",
            list(g.citations))


def _code_claims(facts: Facts) -> list[Fact]:
    return facts.code_claims() if facts.own_repos() else []


def _claim_pass(facts: Facts, what: str) -> Result | None:
    claims = _code_claims(facts)
    if not claims:
        return None
    own = facts.own_repos()
    return ("pass", f"the publisher states {_quote(claims[0])} and links its repository ({_names(own[:3])}); "
            f"taken as covering the {what}", [claims[0].citation, *_repo_cites(own[:3])])


def _open_weights_fail(facts: Facts, what: str) -> Result | None:
    ow = facts.withheld_of("open_weights")
    if not ow:
        return None
    return ("fail", f"the card describes the release as {ow[0].value!r} ({_quote(ow[0])}) and links no {what}; "
            f"OSI's definition of open weights ({OPEN_WEIGHTS_URL}) is a release without training code and data "
            "transparency", [ow[0].citation])


def _code(facts: Facts, role: str, what: str, *, library_ok: bool = False, tools_ok: bool = False) -> Result:
    withheld = facts.withheld_of("training_code") if role == "training" else []
    if withheld:
        return ("fail", f"the card says the {what} is not released: {_quote(withheld[0])}", [withheld[0].citation])
    own = facts.own_repos(role)
    files = [f for f in facts.repo_code if f.kind == role]
    if own or files:
        parts = []
        if own:
            parts.append(f"the card links this model's repository {_names(own[:3])} as {what}")
        if files:
            parts.append(f"the repository contains {', '.join(f.value for f in files[:3])}")
        return ("pass", "; ".join(parts), _repo_cites(own[:3]) + [f.citation for f in files[:3]])
    if library_ok and facts.inference:
        f = facts.inference[0]
        how = (f"the card declares the open-source library {f.value!r}" if f.kind == "library"
               else f"the card loads the model with open-source code ({f.value})")
        return ("pass", f"{how}; the architecture and inference code are in that library", [f.citation])
    claimed = _claim_pass(facts, what)
    if claimed:
        return claimed
    if tools_ok:
        tools = [r for r in facts.code_repos if not r.own and role in r.roles]
        if tools:
            return ("pass", f"the card says {what} used the public tool {_names(tools[:2])}", _repo_cites(tools[:2]))
    if role in ("training", "data_processing"):
        failed = _open_weights_fail(facts, what)
        if failed:
            return failed
    others = facts.own_repos()
    if others:
        roles = sorted({r for repo in others for r in repo.roles}) or ["unspecified"]
        return ("unknown", f"the card links this model's repository {_names(others[:3])} (described as: "
                f"{', '.join(roles)}) but does not say it holds the {what}", _repo_cites(others[:3]))
    return ("unknown", f"the card does not link or mention the {what}", [])


def _data_description(facts: Facts) -> Result:
    withheld = facts.withheld_of("data_details")
    if withheld:
        return ("fail", f"the card says training-data details are withheld: {_quote(withheld[0])}",
                [withheld[0].citation])
    dd = facts.data
    located = facts.located_datasets()
    aspects = sorted(dd.aspects)
    missing = [a for a in ("provenance", "scope", "selection", "labeling", "processing") if a not in dd.aspects]
    if located and (dd.present or dd.docs):
        cites = dd.lines[:2] + [d.citation for d in dd.docs[:2]] + [d.citation for d in located[:2]]
        docs = f"; data documentation linked: {', '.join(d.value for d in dd.docs[:3])}" if dd.docs else ""
        return ("pass", f"the card describes the training data (touching {', '.join(aspects) or 'no listed aspect'})"
                f" and points to the datasets' own documentation ({', '.join(d.id for d in located[:4])}){docs}; "
                "completeness is not verifiable from the card", cites)
    if dd.present:
        return ("unknown", f"the card describes the training data only in part (touches {', '.join(aspects) or 'none'}"
                f" of the five aspects; not: {', '.join(missing)}) and lists no dataset with a location",
                dd.lines[:3])
    if located:
        return ("unknown", f"the card lists datasets ({', '.join(d.id for d in located[:4])}) but does not describe "
                "the training data", [d.citation for d in located[:3]])
    return ("unknown", "the card does not describe the training data", [])


def _public_data(facts: Facts) -> Result:
    withheld = facts.withheld_of("data_details")
    if withheld:
        return ("fail", f"the card says the data sources are not disclosed: {_quote(withheld[0])}",
                [withheld[0].citation])
    located = facts.located_datasets()
    if located:
        shown = ", ".join(d.id for d in located[:6]) + (" …" if len(located) > 6 else "")
        return ("pass", f"{len(located)} dataset(s) listed with where to obtain them: {shown} (whether the listing is "
                "complete cannot be checked)", [d.citation for d in located[:6]])
    if facts.data.present:
        return ("unknown", "the card describes training data but lists no dataset with a location",
                facts.data.lines[:2])
    return ("unknown", "the card lists no training dataset", [])


def _third_party_data(facts: Facts, public: Result) -> Result:
    if facts.third_party:
        tp = facts.third_party[:3]
        return ("unknown", f"the card mentions {', '.join(repr(t.value) for t in tp)} without a listing of where to "
                "obtain it", [t.citation for t in tp])
    if public[0] == "pass":
        return ("pass", "the card mentions no licensed, purchased or proprietary training data; the data it lists is "
                "public", [])
    return ("unknown", "without a listing of the training data, third-party sources cannot be ruled out", [])


# ---------------------------------------------------------------------------------------------------------------


def dataset_groups(datasets: Sequence[TrainingDataset]) -> tuple[list[TrainingDataset], list[TrainingDataset],
                                                                  list[TrainingDataset], list[TrainingDataset]]:
    """The training datasets whose Hub card was read, those restricted (non-commercial, no-derivatives), those read
    without a recognised license, and those whose card could not be read (lineage.py reads them)."""
    read = [d for d in datasets if d.status == "ok"]
    restricted = [d for d in datasets if d.restricted]
    unlicensed = [d for d in datasets if d.status == "ok" and d.license_id == "unknown"]
    unread = [d for d in datasets if d.status != "ok"]
    return read, restricted, unlicensed, unread


def _with_citations(cites: tuple[Citation, ...], datasets: list[TrainingDataset]) -> tuple[Citation, ...]:
    return (*cites, *[d.citation for d in datasets if d.citation not in cites])


def _dataset_cards(req: OsaidRequirement, datasets: Sequence[TrainingDataset]) -> OsaidRequirement:
    """OSAID-D2 with what the training datasets' own cards say. OSAID 1.0 asks for a listing of the training data
    and where to obtain it, not for openly licensed data, so the status stays: the licenses read, the restricted
    ones and the ones that could not be read are added to the reason and the evidence."""
    read, restricted, unlicensed, unread = dataset_groups(datasets)
    notes = []
    if read:
        notes.append("dataset cards read on the Hub: " + ", ".join(f"{d.id} {d.license_id}" for d in read[:6]))
    if restricted:
        notes.append("restricted data (" + "; ".join(f"{d.id} is {d.license_id} ({d.restriction_text})"
                                                      for d in restricted)
                     + ") is allowed by OSAID 1.0, which requires the listing, not open data licenses")
    if unread:
        notes.append("not confirmed on the Hub: " + "; ".join(f"{d.id}: {d.reason}" for d in unread[:6]))
    if not notes:
        return req
    return replace(req, reason=f"{req.reason}; " + "; ".join(notes),
                   evidence=_with_citations(req.evidence, restricted + unlicensed + unread))


def assess(facts: Facts, license: LicenseResult, restrictions: list[Restriction],
           datasets: Sequence[TrainingDataset] = ()) -> OsaidResult:
    """The OSAID 1.0 assessment: verdict, per-requirement status with reasons and citations, summary.

    ``datasets``: the training datasets with what their own Hub cards say (``LineageResult.datasets``), for
    OSAID-D2's reason and evidence."""
    public = _public_data(facts)
    results: dict[str, Result] = {
        "OSAID-W": _parameters(license, restrictions),
        "OSAID-P": _grant(license),
        "OSAID-A": _access(facts),
        "OSAID-C1": _code(facts, "training", "training code"),
        "OSAID-C2": _code(facts, "data_processing", "data processing code"),
        "OSAID-C3": _code(facts, "inference", "inference code", library_ok=True),
        "OSAID-C4": _code(facts, "evaluation", "evaluation code", tools_ok=True),
        "OSAID-D1": _data_description(facts),
        "OSAID-D2": public,
        "OSAID-D3": _third_party_data(facts, public),
    }
    if facts.derivative in DERIVED_KINDS and facts.base_models:
        base = facts.base_models[0]
        for rid in _CAPPED_BY_DERIVATIVE:
            status, reason, cites = results[rid]
            if status == "pass":
                results[rid] = ("unknown", f"{reason}; but this model is a {facts.derivative} of {base.value}, whose "
                                "own training code and data must also qualify (assess the base model)",
                                [*cites, base.citation])
    requirements = []
    for rid, name in REQUIREMENTS:
        status, reason, cites = results[rid]
        if status == "fail" and not cites:  # invariant: a failure is always cited
            status, reason = "unknown", reason + " (no citation, so not counted as a failure)"
        req = OsaidRequirement(id=rid, name=name, status=status, reason=reason, evidence=tuple(cites))
        if rid == "OSAID-D2" and datasets:
            req = _dataset_cards(req, datasets)
        requirements.append(req)
    counts = {s: sum(1 for r in requirements if r.status == s) for s in STATUSES}
    if counts["fail"]:
        verdict = "not_conformant"
    elif counts["pass"] == len(requirements):
        verdict = "conformant"
    else:
        verdict = "insufficient_evidence"
    return OsaidResult(verdict=verdict, requirements=tuple(requirements), counts=counts,
                       summary=_summary(verdict, requirements, facts))


def _summary(verdict: str, requirements: list[OsaidRequirement], facts: Facts) -> str:
    failed = [r for r in requirements if r.status == "fail"]
    unknown = [r for r in requirements if r.status == "unknown"]
    if verdict == "not_conformant":
        return ("Not Open Source AI under OSAID 1.0: " + "; ".join(f"{r.id} fails ({r.name.lower()})"
                                                                  for r in failed) + ".")
    if verdict == "conformant":
        return (f"Meets every OSAID 1.0 requirement on the evidence in the card ({len(requirements)} of "
                f"{len(requirements)}). Linked repositories and datasets were not opened: their licenses and "
                "completeness are not verified, and OSI certifies no system.")
    base = ""
    if facts.derivative in DERIVED_KINDS and facts.base_models:
        base = f" Derived from {facts.base_models[0].value}: assess it too."
    return (f"Cannot tell from the evidence: {len(requirements) - len(unknown)} of {len(requirements)} requirements "
            f"pass, none fails with a citable reason; not shown: "
            + ", ".join(r.id for r in unknown) + "." + base)
