"""The openness grade: six dimensions modelled on the European Open Source AI Index, a 0-100 score, a letter.

``grade(facts, license, restrictions)`` grades each dimension ``open`` / ``partial`` / ``closed`` with a reason
and the citations it rests on, then rolls them into a weighted score and a letter. Weights, points and the
letter bands live in ``rules/grade.yaml`` (loaded on first use; see that file for the rationale):
weights 20, training code 20, training data 20, documentation 15, license 15, access 10; A >= 85, B >= 70,
C >= 55, D >= 40, E >= 25, F below.

Unlike the OSAID assessment (``standards.osaid``), the grade measures how much openness the card and the
repository *show*: a dimension with no evidence is ``closed`` ("not shown"), as the index grades what it can
find. The reasons say when "closed" means "not shown" rather than "stated to be withheld".

Dimensions:

* **weights** — open: weight files in the repository, or the card shows how to load/download the weights
  or names published checkpoints; closed: none of these (e.g. a card file alone that never shows them).
* **training_code** — open: training code of this model is linked / present / claimed with its repository;
  partial: only other code of this model (inference, evaluation, fine-tuning), or a derivative's own
  training code; closed: none, or the card says it is withheld / calls the release open-weights.
* **training_data** — open: the card describes the data and lists the datasets with a location; partial:
  described without locations, or listed without a description, or a derivative's own data only;
  closed: nothing, or the card says details are withheld.
* **documentation** — five items: a paper or technical report, a training-data description, evaluation
  results, training details (hyperparameters, hardware), a substantive card (>= 40 lines). open: a paper
  and at least three others; partial: at least two items; closed: fewer.
* **license** — open: OSI-approved and no field-of-use restriction; partial: identified, not OSI-approved
  but not restrictive (e.g. CC-BY-4.0) and no field-of-use restriction; closed: field-of-use
  restrictions, a restrictive license (community, RAIL, non-commercial, research, proprietary), or no
  identified license.
* **access** — open: not gated (or no gate declared); partial: gated with automatic approval or an unknown
  approval mode; closed: manual approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from openaudit.licenses.vocabulary import category as category_of
from openaudit.licenses.vocabulary import field_of_use
from openaudit.model import (
    GRADE_LETTERS,
    Citation,
    GradeBand,
    GradeDimension,
    GradeResult,
    LicenseResult,
    Restriction,
    TrainingDataset,
)
from openaudit.paths import rules_dir
from openaudit.standards.facts import Facts
from openaudit.standards.osaid import DERIVED_KINDS, dataset_groups, license_category

DIMENSIONS = ("weights", "training_code", "training_data", "documentation", "license", "access")
STATUSES = ("open", "partial", "closed")
MIN_CARD_LINES = 40

Dim = tuple[str, str, list[Citation]]


class GradeConfigError(ValueError):
    pass


@lru_cache(maxsize=4)
def load_config(path: str | None = None) -> dict[str, Any]:
    """Weights, points and bands from ``rules/grade.yaml`` (or ``path``), validated."""
    import yaml

    from openaudit.yamlutil import load_file

    file = rules_dir() / "grade.yaml" if path is None else path
    try:
        data = load_file(file)
    except (OSError, yaml.YAMLError) as exc:
        raise GradeConfigError(f"{file}: cannot load the grade configuration: {str(exc).splitlines()[0]}") from None
    return validate_config(data, str(file))


def validate_config(data: Any, where: str = "grade.yaml") -> dict[str, Any]:
    if not isinstance(data, dict) or set(data) != {"points", "weights", "bands"}:
        raise GradeConfigError(f"{where}: expected exactly the keys points, weights, bands")
    points, weights, bands = data["points"], data["weights"], data["bands"]
    if not isinstance(points, dict) or set(points) != set(STATUSES) or not all(
            isinstance(v, (int, float)) and 0 <= v <= 1 for v in points.values()):
        raise GradeConfigError(f"{where}: points must give open, partial, closed a number in [0, 1]")
    if not isinstance(weights, dict) or set(weights) != set(DIMENSIONS) or not all(
            isinstance(v, (int, float)) and v >= 0 for v in weights.values()):
        raise GradeConfigError(f"{where}: weights must give each of {', '.join(DIMENSIONS)} a number >= 0")
    if abs(sum(weights.values()) - 100) > 1e-9:
        raise GradeConfigError(f"{where}: weights must sum to 100 (they sum to {sum(weights.values())})")
    letters = [b.get("letter") if isinstance(b, dict) else None for b in bands] if isinstance(bands, list) else None
    if letters != list(GRADE_LETTERS):
        raise GradeConfigError(f"{where}: bands must list the letters {', '.join(GRADE_LETTERS)} in order")
    mins = [b.get("min") for b in bands]
    if not all(isinstance(m, (int, float)) for m in mins) or mins != sorted(mins, reverse=True) \
            or len(set(mins)) != len(mins) or mins[-1] != 0:
        raise GradeConfigError(f"{where}: band minimums must strictly decrease and the last must be 0")
    return {"points": dict(points), "weights": dict(weights),
            "bands": [{"letter": b["letter"], "min": b["min"]} for b in bands]}


def letter_for(score: float, bands: list[dict[str, Any]]) -> str:
    for b in bands:
        if score >= b["min"]:
            return str(b["letter"])
    return str(bands[-1]["letter"])


def rank_of(letter: str | None) -> int:
    """A=6 … F=1, no grade = 0 (same scale as ``openaudit.policy.grade_rank``)."""
    return len(GRADE_LETTERS) - GRADE_LETTERS.index(letter) if letter in GRADE_LETTERS else 0


# ---------------------------------------------------------------------------------------------------------------
# Dimensions


def _weights(facts: Facts) -> Dim:
    if facts.weights:
        names = ", ".join(f.value for f in facts.weights[:3]) + (" …" if len(facts.weights) > 3 else "")
        return ("open", f"weight files in the repository: {names}", [f.citation for f in facts.weights[:3]])
    shown = facts.downloads or [f for f in facts.inference if f.kind == "snippet"]
    if shown:
        return ("open", "the card shows how to download or load the weights", [shown[0].citation])
    if facts.checkpoints:
        return ("open", "the card names published checkpoints", [facts.checkpoints[0].citation])
    return ("closed", "not shown: no weight file in the repository listing and the card shows no way to get them", [])


def _training_code(facts: Facts) -> Dim:
    derived = facts.derivative in DERIVED_KINDS
    withheld = facts.withheld_of("training_code") or facts.withheld_of("open_weights")
    own = facts.own_repos("training")
    files = [f for f in facts.repo_code if f.kind == "training"]
    claims = facts.code_claims() if facts.own_repos() else []
    cites = [r.citations[0] for r in own[:2]] + [f.citation for f in files[:2]] + [c.citation for c in claims[:1]]
    if (own or files or claims) and not facts.withheld_of("training_code"):
        if derived:
            return ("partial", f"training code for the {facts.derivative} step is shown; the base model's is not "
                    "assessed here", cites)
        return ("open", "this model's training code is linked or present"
                + (f" ({', '.join(r.owner + '/' + r.name for r in own[:2])})" if own else ""), cites)
    if withheld:
        return ("closed", f"the card says: '{withheld[0].detail.get('sentence') or withheld[0].citation.text}'",
                [withheld[0].citation])
    other = facts.own_repos()
    if other:
        roles = sorted({r for repo in other for r in repo.roles}) or ["unspecified"]
        return ("partial", f"only other code of this model is linked ({', '.join(roles)})",
                [r.citations[0] for r in other[:2]])
    return ("closed", "not shown: the card links no code of this model", [])


def _training_data(facts: Facts) -> Dim:
    withheld = facts.withheld_of("data_details")
    if withheld:
        return ("closed", f"the card says: '{withheld[0].detail.get('sentence') or withheld[0].citation.text}'",
                [withheld[0].citation])
    located = facts.located_datasets()
    described = facts.data.present or bool(facts.data.docs)
    cites = [d.citation for d in located[:2]] + facts.data.lines[:1]
    if located and described:
        if facts.derivative in DERIVED_KINDS:
            return ("partial", f"the {facts.derivative} data is listed; the base model's data is not assessed here",
                    cites)
        return ("open", f"training data described and listed with locations ({', '.join(d.id for d in located[:3])})",
                cites)
    if located:
        return ("partial", "datasets are listed but the card does not describe the training data", cites)
    if described:
        aspects = ", ".join(sorted(facts.data.aspects)) or "no specific aspect"
        return ("partial", f"training data described ({aspects}) but no dataset is listed with a location", cites)
    return ("closed", "not shown: the card neither describes nor lists the training data", [])


def _documentation(facts: Facts) -> Dim:
    items: list[tuple[str, Citation | None]] = []
    papers = [p for p in facts.papers if p.kind in ("paper", "bibtex", "report_mention")]
    has_paper = bool(papers)
    if papers:
        items.append(("paper or technical report", papers[0].citation))
    if facts.data.present or facts.data.docs:
        items.append(("training-data description", (facts.data.lines or [d.citation for d in facts.data.docs])[0]))
    if facts.evaluations:
        items.append(("evaluation results", facts.evaluations[0].citation))
    if len(facts.training_details) >= 2:
        items.append(("training details", facts.training_details[0].citation))
    if facts.body_lines >= MIN_CARD_LINES:
        items.append((f"a model card of {facts.body_lines} lines", None))
    names = ", ".join(n for n, _ in items) or "nothing"
    cites = [c for _, c in items if c is not None]
    if has_paper and len(items) >= 4:
        return ("open", f"documented: {names}", cites)
    if len(items) >= 2:
        return ("partial", f"documented: {names}" + ("" if has_paper else "; no paper or technical report"), cites)
    return ("closed", f"documented: {names}", cites)


def _license(license: LicenseResult, restrictions: list[Restriction]) -> Dim:
    fou = [r for r in restrictions if r.kind in field_of_use()]  # rules/vocabulary/kinds.yaml
    name = license.name or license.id
    if fou:
        kinds = ", ".join(dict.fromkeys(r.kind for r in fou))
        return ("closed", f"field-of-use restrictions ({kinds})",
                [r.clause or Citation(source="catalog", text=r.summary) for r in fou[:3]])
    if license.id == "unknown":
        return ("closed", "no identified license", list(license.evidence))
    unclassified = [r for r in restrictions if r.kind == "unclassified"]
    if license.osi_approved and unclassified:
        return ("partial", f"{name} is OSI-approved, but the text holds binding sentences that were not classified",
                [r.clause for r in unclassified[:3] if r.clause is not None] or list(license.evidence))
    if license.osi_approved:
        return ("open", f"{name} is OSI-approved", list(license.evidence))
    category = license_category(license.id)
    if category_of(category).restrictive:  # rules/vocabulary/license-categories.yaml
        return ("closed", f"{name} is a {category} license", list(license.evidence))
    return ("partial", f"{name} is not OSI-approved but no field-of-use restriction is known", list(license.evidence))


def _access(facts: Facts) -> Dim:
    g = facts.gating
    if g.status in ("open", "none_declared"):
        return ("open", g.detail, list(g.citations))
    if g.status == "manual":
        return ("closed", g.detail, list(g.citations))
    return ("partial", g.detail, list(g.citations))


# ---------------------------------------------------------------------------------------------------------------


def _dataset_cards(dim: Dim, datasets: Sequence[TrainingDataset]) -> Dim:
    """training_data with what the training datasets' own cards say. The grade measures how open the release is:
    training_data is capped at partial when a dataset is non-commercial or no-derivatives, or its card was read and
    shows no recognised license. A dataset card that could not be read (offline, network, not found) is only noted,
    so the grade does not depend on whether the Hub answered."""
    _read, restricted, unlicensed, unread = dataset_groups(datasets)
    said = ([f"{d.id} is {d.license_id} ({d.restriction_text})" for d in restricted]
            + [f"{d.id}: {d.reason or 'license unknown'}" for d in unlicensed + unread])
    if not said:
        return dim
    status, reason, cites = dim
    cites = [*cites, *[d.citation for d in restricted + unlicensed + unread if d.citation not in cites]]
    if status == "open" and (restricted or unlicensed):
        status = "partial"
    return status, f"{reason}; per the dataset cards: " + "; ".join(said), cites


def grade(facts: Facts, license: LicenseResult, restrictions: list[Restriction],
          datasets: Sequence[TrainingDataset] = ()) -> GradeResult:
    """The openness grade: letter, score, rank, the dimensions, and the bands and weights it was scored with.

    ``datasets``: the training datasets with what their own Hub cards say (``LineageResult.datasets``), for
    training_data."""
    config = load_config()
    results: dict[str, Dim] = {
        "weights": _weights(facts),
        "training_code": _training_code(facts),
        "training_data": _dataset_cards(_training_data(facts), datasets),
        "documentation": _documentation(facts),
        "license": _license(license, restrictions),
        "access": _access(facts),
    }
    weights, points = config["weights"], config["points"]
    total = sum(weights.values())
    score = round(100 * sum(weights[d] * points[results[d][0]] for d in DIMENSIONS) / total, 1)
    letter = letter_for(score, config["bands"])
    dimensions = {d: GradeDimension(status=results[d][0], reason=results[d][1], weight=weights[d],
                                    evidence=tuple(results[d][2])) for d in DIMENSIONS}
    return GradeResult(letter=letter, score=score, rank=rank_of(letter), dimensions=dimensions,
                       bands=tuple(GradeBand(letter=b["letter"], min=b["min"]) for b in config["bands"]),
                       weights=dict(weights))
