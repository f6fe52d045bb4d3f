"""CycloneDX 1.6 ML-BOM (``--format cyclonedx``), built with cyclonedx-python-lib.

* The audited model is a ``machine-learning-model`` component (the BOM's ``metadata.component`` for one
  target; for several targets every model is a top-level component), with a ``pkg:huggingface`` purl for Hub
  targets, its license (an SPDX id or expression, else a named license with a URL to the license file when
  the Hub can serve it), and openaudit's verdicts as ``openaudit:``-namespaced properties: license id, OSI
  approval, OSAID verdict, MOF class, grade, gate, EU AI Act exemption, one property per restriction, and the
  published assessments (``openaudit:reference.<assessor>``, with their source's attribution).
* The base-model chain (the report's ``lineage`` section, when the audit traced it) becomes
  ``machine-learning-model`` components; training datasets (``datasets:`` of the card, from the same section)
  become ``data`` components. Dependencies: the model depends on its direct bases and datasets, each base on
  its own bases.
* The library has no ``modelCard`` model yet, so ``modelCard.modelParameters.datasets`` (references to the
  dataset components) is added to the serialized JSON; the tests validate the result against the CycloneDX 1.6
  JSON schema.

cyclonedx-python-lib is imported here only, when this format is asked for, so the CLI's start-up and other
formats do not pay for it.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from openaudit.model import Citation, Report

HF = "https://huggingface.co"
NS = "openaudit:"


def _spdx_license(spdx: str | None, name: str | None, url: str | None = None) -> Any | None:
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
    from cyclonedx.spdx import fixup_id, is_expression

    if spdx and not spdx.startswith("LicenseRef-"):
        fixed = fixup_id(spdx)
        if fixed:
            return DisjunctiveLicense(id=fixed)
        if is_expression(spdx) and " " in spdx:
            return LicenseExpression(spdx)
    if name or spdx:
        return DisjunctiveLicense(name=name or spdx, url=XsUri(url) if url else None)
    return None


def _license_url(report: Report) -> str | None:
    """Where the license text can be read: the Hub file at the audited commit, or a license_link URL."""
    t = report.target
    for c in report.license.evidence:
        if c.source == "link" and c.text:
            for word in c.text.split():
                if word.startswith(("http://", "https://")):
                    return word
        if c.source == "file" and c.file and t.get("kind") == "hub" and c.file.lower() != "readme.md":
            rev = t.get("revision") or "main"
            return f"{HF}/{t['id']}/blob/{rev}/{c.file}"
    return None


def _declared_name(report: Report) -> str | None:
    """For an unidentified license: the name the card declares (``license_name``, or ``license`` other than
    "other"), so the BOM still names what the publisher says it is."""
    for key in ("license_name", "license"):
        for c in report.license.evidence:
            if c.source == "metadata" and c.text and c.text.startswith(key + ":"):
                value = c.text[len(key) + 1:].strip()
                if value and value.lower() not in ("other", "unknown"):
                    return value
    return None


def _where(c: Citation | None) -> str:
    if c is None:
        return ""
    if c.source == "catalog":
        return "catalog"
    return f"{c.file or c.source}{':' + str(c.line) if c.line else ''}"


def _purl(repo_id: str, revision: str | None) -> Any | None:
    from packageurl import PackageURL

    if "/" in repo_id:
        ns, name = repo_id.split("/", 1)
    else:
        ns, name = None, repo_id
    try:
        return PackageURL(type="huggingface", namespace=ns, name=name, version=revision or None)
    except ValueError:
        return None


def _catalog_spdx(license_id: str | None) -> tuple[str | None, str | None, str | None]:
    """SPDX id, name and the first published URL of the license text, from the catalog entry of ``license_id``."""
    if not license_id or license_id == "unknown":
        return None, None, None
    try:
        from openaudit.licenses.catalog import load_catalog

        entry = load_catalog().get(license_id)
    except Exception:  # noqa: BLE001 (the BOM must not fail on a catalog problem)
        return None, None, None
    if entry is None:
        return None, None, None
    urls = [u for u in getattr(entry, "urls", None) or [] if isinstance(u, str) and u.startswith("https://")]
    return getattr(entry, "spdx", None), getattr(entry, "name", None), (urls[0] if urls else None)


def _props(pairs: list[tuple[str, Any]]) -> list[Any]:
    from cyclonedx.model import Property

    out = []
    for k, v in pairs:
        if v is None or v == "":
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        out.append(Property(name=NS + k, value=str(v)))
    return out


def _model_component(report: Report, ref: str) -> Any:
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri
    from cyclonedx.model.component import Component, ComponentType

    t = report.target
    lic = report.license
    hub = t.get("kind") == "hub"
    name = str(t["id"])
    if t.get("kind") == "ollama":  # ollama:NAME:TAG as Ollama names it
        name = name.removeprefix("ollama:")
    elif t.get("kind") == "gguf":  # a .gguf file: its file name
        import os

        name = os.path.basename(name) or name
    elif not hub:  # a local path: the directory's (or card's parent directory's) name
        import os

        p = os.path.abspath(name)
        name = os.path.basename(os.path.dirname(p) if os.path.isfile(p) else p) or name
    comp = Component(type=ComponentType.MACHINE_LEARNING_MODEL, name=name, bom_ref=ref,
                     version=t.get("revision") or t.get("requested_revision") or None,
                     purl=_purl(t["id"], t.get("revision")) if hub else None)
    cd = _spdx_license(lic.spdx, lic.name or (lic.id if lic.id != "unknown" else _declared_name(report)),
                       _license_url(report) or _catalog_spdx(lic.id)[2])
    if cd is not None:
        comp.licenses.add(cd)
    if hub:
        comp.external_references.add(ExternalReference(type=ExternalReferenceType.DISTRIBUTION,
                                                       url=XsUri(f"{HF}/{t['id']}")))
    grade = report.grade
    eu = report.eu_ai_act
    pairs: list[tuple[str, Any]] = [
        ("license.id", lic.id),
        ("license.spdx", lic.spdx),
        ("license.osi_approved", "unknown" if lic.osi_approved is None else lic.osi_approved),
        ("license.confidence", f"{lic.confidence:.2f}"),
        ("license.evidence", ", ".join(_where(c) for c in lic.evidence[:3])),
        ("osaid.verdict", report.osaid.verdict),
        ("mof.class", report.mof.mof_class if report.mof.mof_class is not None else "unclassified"),
        ("grade", grade.letter or "not assessed"),
        ("grade.score", grade.score),
        ("gate", "passed" if report.passed else "failed"),
        ("gate.violations", ", ".join(sorted({v.rule for v in report.gate.violations}))),
        ("eu_ai_act.exemption", eu.exemption if eu is not None else None),
        ("target.kind", t.get("kind")),
        ("target.requested_revision", t.get("requested_revision")),
    ]
    for c in eu.conditions if eu is not None else ():
        pairs.append((f"eu_ai_act.{c.id}", c.status))
    if eu is not None and eu.compute.flops_text:
        pairs.append(("eu_ai_act.training_flops", f"{eu.compute.flops_text} ({eu.compute.method})"))
    for r in report.restrictions:
        pairs.append(("restriction", f"{r.kind}: {r.summary}" + (f" ({_where(r.clause)})" if r.clause else "")))
    if report.lineage is None:
        pairs.append(("lineage", "not traced"))
    for x in report.references or []:  # published assessments, after our own verdicts
        pairs.append((f"reference.{x.assessor}",
                      f"{x.subject}: {x.verdict} ({x.match}; {x.date or 'undated'}; {x.url})"
                      + (f"; differs: {x.differs}" if x.differs else f"; {x.comparison.replace('_', ' ')}")))
    for src in {x.source.id: x.source for x in report.references or [] if x.source is not None}.values():
        pairs.append((f"reference.{src.id}.source", f"{src.attribution or src.name}; {src.license}; "
                                                   f"snapshot {src.date}"))
    comp.properties.update(_props(pairs))
    return comp


def _lineage_components(report: Report, model_ref: str, prefix: str) -> tuple[list[Any], dict[str, list[str]],
                                                                                 list[str]]:
    """Components for bases and datasets, the dependency map (ref -> refs), and the dataset refs."""
    from cyclonedx.model import ExternalReference, ExternalReferenceType, XsUri
    from cyclonedx.model.component import Component, ComponentType

    lineage = report.lineage
    comps: list[Any] = []
    deps: dict[str, list[str]] = {model_ref: []}
    by_id: dict[str, str] = {str(report.target["id"]): model_ref}
    seen: set[str] = set()
    for i, e in enumerate(lineage.chain if lineage is not None else ()):
        if not e.id:
            continue
        ident = e.id
        ref = by_id.get(ident) or f"{prefix}base-{i}"
        parent_ref = by_id.get(e.parent, model_ref)
        deps.setdefault(parent_ref, [])
        if ref not in deps[parent_ref]:
            deps[parent_ref].append(ref)
        if ident in by_id:
            continue  # a cycle back to a component already listed
        by_id[ident] = ref
        if ref in seen:
            continue
        seen.add(ref)
        hub = e.kind == "hub"
        comp = Component(type=ComponentType.MACHINE_LEARNING_MODEL, name=ident, bom_ref=ref,
                         version=e.revision or None, purl=_purl(ident, e.revision) if hub else None)
        spdx, cname, curl = _catalog_spdx(e.license)
        lic = _spdx_license(spdx, e.license_name or cname or (e.license if e.license not in (None, "unknown")
                                                              else None), curl)
        if lic is not None:
            comp.licenses.add(lic)
        if hub:
            comp.external_references.add(ExternalReference(type=ExternalReferenceType.DISTRIBUTION,
                                                           url=XsUri(f"{HF}/{ident}")))
        comp.properties.update(_props([("lineage.relation", e.relation), ("lineage.depth", e.depth),
                                       ("lineage.status", e.status), ("license.id", e.license),
                                       ("lineage.reason", e.reason)]))
        deps.setdefault(ref, [])
        comps.append(comp)
    ds_refs: list[str] = []
    for i, d in enumerate(lineage.datasets if lineage is not None else ()):
        if not d.id:
            continue
        ref = f"{prefix}dataset-{i}"
        ident = d.id
        comp = Component(type=ComponentType.DATA, name=ident, bom_ref=ref)
        spdx, cname, curl = _catalog_spdx(d.license_id)
        lic = _spdx_license(spdx, d.license_name or cname or d.license, curl)
        if lic is not None:
            comp.licenses.add(lic)
        if d.status != "invalid":
            comp.external_references.add(ExternalReference(type=ExternalReferenceType.DISTRIBUTION,
                                                           url=XsUri(f"{HF}/datasets/{ident}")))
        comp.properties.update(_props([("dataset.status", d.status), ("license.id", d.license_id),
                                       ("dataset.non_commercial", d.non_commercial),
                                       ("dataset.no_derivatives", d.no_derivatives)]))
        deps[model_ref].append(ref)
        deps.setdefault(ref, [])
        ds_refs.append(ref)
        comps.append(comp)
    return comps, deps, ds_refs


def build_bom(reports: list[Report]) -> dict[str, Any]:
    """The CycloneDX 1.6 BOM of ``reports`` as a JSON-ready dict."""
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.dependency import Dependency
    from cyclonedx.output.json import JsonV1Dot6

    from openaudit import __version__

    bom = Bom()
    bom.metadata.tools.components.add(Component(type=ComponentType.APPLICATION, name="openaudit",
                                                version=__version__, group=None))
    single = len(reports) == 1
    all_deps: dict[str, list[str]] = {}
    datasets_of: dict[str, list[str]] = {}
    by_ref: dict[str, Any] = {}
    for n, report in enumerate(reports):
        prefix = "" if single else f"t{n}-"
        model_ref = f"{prefix}model"
        model = _model_component(report, model_ref)
        by_ref[model_ref] = model
        if single:
            bom.metadata.component = model
        else:
            bom.components.add(model)
        comps, deps, ds_refs = _lineage_components(report, model_ref, prefix)
        for c in comps:
            bom.components.add(c)
            by_ref[str(c.bom_ref)] = c
        all_deps.update(deps)
        datasets_of[model_ref] = ds_refs
    for ref, children in all_deps.items():
        bom.dependencies.add(Dependency(ref=by_ref[ref].bom_ref,
                                        dependencies=[Dependency(ref=by_ref[c].bom_ref) for c in children]))
    data: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())
    # modelCard is not modelled by the library: add the training datasets by reference.
    models = ([data["metadata"]["component"]] if single else
              [c for c in data.get("components", []) if c.get("bom-ref") in datasets_of])
    for comp in models:
        refs = datasets_of.get(comp.get("bom-ref"), [])
        if refs:
            comp["modelCard"] = {"modelParameters": {"datasets": [{"ref": r} for r in refs]}}
    return data


def render_cyclonedx(reports: list[Report], out: TextIO) -> None:
    out.write(json.dumps(build_bom(reports), indent=2, ensure_ascii=True))
    out.write("\n")
