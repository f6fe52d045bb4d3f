"""Openness facts about one model, read from its card and its repository's file list.

``gather(ev)`` returns a :class:`Facts`: every item carries a :class:`~openaudit.model.Citation`
(``source="metadata"`` for a card front-matter key, ``source="file"`` for a line of the card or a file of
the repository). The OSAID assessment (``standards.osaid``) and the openness grade (``standards.grade``)
are computed from these facts only; nothing here judges.

What is read, and how conservatively:

* **Code repositories** — github.com / gitlab.com / codeberg.org links in the card body (fenced code and
  HTML comments skipped). A link counts as *this model's* code (``own``) only when the repository's name
  shares a distinctive word with the model's names (id, card title, ``model_name``, ``base_model``), or
  its owner does and the words around the link call it code/repository, or the card labels it as its own
  ("our code", "official implementation", a bare "GitHub Repo" entry in a resources list). Well-known
  tooling (transformers, llama.cpp, vLLM, PyTorch, DeepSpeed…) never counts. The *roles* (training,
  data_processing, inference, evaluation, fine_tuning) come from the words around the link (its segment of
  the line, then the line, then the section heading) and from the repository name (``amber-train``).
* **Code in the repository itself** — file names only (``train*.py``, ``scripts/prepare_data.py``,
  ``modeling_*.py``…); nothing is opened or executed.
* **Release claims and withheld statements** — sentences where the publisher says it releases
  (all) code / how to reproduce training, or says something is *not* released/disclosed, or calls the
  release "open-weights" / weights-only.
* **Weights** — weight files among the repository's files (safetensors, bin, gguf, pt, ckpt, onnx…).
* **Papers** — arXiv / OpenReview / ACL Anthology / JMLR / … links outside tables, "technical report"
  mentions, BibTeX entries.
* **Datasets** — ``datasets:`` metadata (Hub dataset ids) and dataset links in the body (Hub dataset pages,
  and links in a training-data section that point to data rather than to a paper).
* **Training-data description** — the lines of data sections ("Training Data", "Dataset", "DataMix"…) and
  lines elsewhere that say what the model was trained on; which of OSAID's five aspects they touch
  (provenance, scope, selection, labeling, processing) by keyword, and links to data documentation.
* **Checkpoints** (``step143000``, ``ckpt_356``, "intermediate checkpoints"), **evaluation results**
  (``model-index`` or an evaluation section with a results table), **training details**
  (hyperparameters, hardware), **third-party data** mentions (licensed / proprietary / purchased data),
  **gating** (``ev.gated`` from the Hub; else ``extra_gated_*`` metadata and "request access" wording:
  "requests are processed immediately" is an automatic gate, "requests will be processed in 1-2 days" /
  "after you have been granted access" a manual one, anything else a gate of unknown mode), and
  **base models** (``base_model``, else a Hub model link the card says this model is "fine-tuned from",
  "a distilled variant of", "based on", "started from"… — also across a line break, or with the verb after
  the link: "[RoBERTa large](…) fine-tuned on"; a link whose text is a *model card* is a template credit,
  not a base) and whether this is a quantization, fine-tune, adapter, merge or other derivative.

Scans are linear in the card size (cards are untrusted): links are found with ``str.find``, not with a
nested-bracket regex, and the costlier regexes only run on lines that contain their key words.

The card readers live in ``standards/openness/`` by job (the data model, the card's lines, links, statements,
the training-data description and evaluations, gating); they read the card's parsed markdown
(``card.markdown``). This module composes them, and reads the repository's file names and the card metadata.
"""

from __future__ import annotations

import re

from openaudit import markdown as md
from openaudit.evidence import Evidence
from openaudit.filekinds import classify
from openaudit.lazyre import compile as _lazy
from openaudit.model import Citation
from openaudit.standards.openness.data import KEYS as data_keys
from openaudit.standards.openness.data import data_section, read_data_description, read_evaluations
from openaudit.standards.openness.gating import KEYS as gate_keys
from openaudit.standards.openness.gating import read_gating
from openaudit.standards.openness.lines import paragraphs_of, walk
from openaudit.standards.openness.links import KEYS as link_keys
from openaudit.standards.openness.links import line_links, model_names
from openaudit.standards.openness.model import (
    ASPECTS,
    CODE_HOSTS,
    ROLES,
    CodeRepo,
    DataDescription,
    Dataset,
    Fact,
    Facts,
    Gating,
    meta_cite,
    string_values,
)
from openaudit.standards.openness.statements import CODE_KEYS as code_keys
from openaudit.standards.openness.statements import KEYS as statement_keys
from openaudit.standards.openness.statements import code_line, line_statements, read_statements

__all__ = ["ASPECTS", "CODE_HOSTS", "ROLES", "CodeRepo", "DataDescription", "Dataset", "Fact", "Facts", "Gating",
           "gather"]

_OSS_LIBRARIES = {
    "transformers", "diffusers", "sentence-transformers", "timm", "open_clip", "peft", "mlx", "keras", "spacy",
    "flair", "fastai", "espnet", "speechbrain", "pyannote-audio", "paddlenlp", "stable-baselines3", "ml-agents",
    "adapter-transformers", "span-marker", "setfit", "gliner", "transformers.js", "nemo", "allennlp", "asteroid",
    "fairseq", "open_lm", "llama.cpp", "vllm", "bertopic", "sample-factory", "stanza", "pythae",
    "tensorflowtts", "k2", "unity-sentis", "mlc-llm", "tf-keras", "fasttext", "sklearn", "scikit-learn", "joblib",
}
_REPO_CODE = {
    "training": _lazy(r"(^|/)(train|training|pretrain|pre_train|finetune|fine_tune|sft|run_clm|run_mlm|run_train)"
                           r"[^/]*\.(py|sh|ipynb|jl)$|(^|/)(train|training)/[^/]+\.(py|sh|yaml|yml|json)$", re.I),
    "data_processing": _lazy(r"(^|/)(preprocess|prepare_data|prepare_dataset|data_prep|dataprep|build_dataset"
                                  r"|tokenize_data|dedup|filter_data|make_dataset|process_data)[^/]*\.(py|sh|ipynb)$",
                                  re.I),
    "inference": _lazy(r"(^|/)(modeling_[^/]+|inference[^/]*|generate[^/]*|run_inference[^/]*|predict[^/]*|chat)"
                            r"\.py$", re.I),
    "evaluation": _lazy(r"(^|/)(eval|evaluate|evaluation|benchmark)[^/]*\.(py|sh|ipynb)$", re.I),
}


def gather(ev: Evidence, *, every_line: bool = False) -> Facts:
    """All openness facts of ``ev``, each cited.

    The readers are given only the lines some reader acts on (each reader's key words; see ``walk``);
    ``every_line`` gives them every line instead (the same facts, slower: the reference the selection is tested
    against)."""
    if every_line:
        lines, title = walk(ev)
    else:
        lines, title = walk(ev, (*link_keys, *statement_keys, *data_keys, *gate_keys), code_keys, data_section)
    facts = Facts(model=ev.id, card=ev.card is not None)
    names = model_names(ev, title)
    facts.names = sorted(names)
    path = ev.card.path if ev.card is not None else "README.md"
    if ev.card is not None:
        kinds = ev.card.markdown.kinds
        facts.body_lines = sum(kinds.count(k) for k in (md.TEXT, md.HEADING, md.TABLE, md.LIST))

    _repo_files(ev, facts)
    _metadata_facts(ev, facts)
    repos: dict[str, CodeRepo] = {}
    paragraphs = paragraphs_of(lines)
    prefix: dict[int, str] = {}  # line -> the end of its paragraph's text before it (for statements across lines)
    for para in paragraphs:
        if not any("huggingface.co" in ln.low or "hf.co" in ln.low for ln in para):
            continue  # only a Hub model link reads the words before it (line_links)
        acc = ""
        for ln in para:
            prefix[ln.no] = acc
            acc = (acc + " " + md.strip_links(ln.text.strip()))[-160:]
    for ln in lines:
        if ln.in_code:
            code_line(ln, path, facts)
            continue
        if not ln.text.strip():
            continue
        line_links(ln, path, names, repos, facts, prefix.get(ln.no, ""))
        line_statements(ln, path, facts)
    for para in paragraphs:
        read_statements(para, path, facts)
    facts.code_repos = list(repos.values())
    _stated_bases(ev, facts)
    read_data_description(lines, path, facts)
    read_evaluations(ev, lines, path, facts)
    read_gating(ev, lines, path, facts)
    _dedupe(facts)
    return facts


def _repo_files(ev: Evidence, facts: Facts) -> None:
    for name in ev.siblings:
        kind = classify(name)
        if kind is not None and kind.is_weights:  # rules/vocabulary/file-kinds.yaml
            facts.weights.append(Fact("weights", name, Citation(source="file", file=name,
                                                                text="file in the repository")))
            continue
        for role, rx in _REPO_CODE.items():
            if rx.search(name):
                facts.repo_code.append(Fact(role, name, Citation(source="file", file=name,
                                                                 text="file in the repository")))
                break


def _metadata_facts(ev: Evidence, facts: Facts) -> None:
    meta = ev.metadata
    for ds in string_values(meta.get("datasets")):
        ds = ds.strip()
        if not ds:
            continue
        facts.datasets.append(Dataset(ds, f"https://huggingface.co/datasets/{ds}", "metadata",
                                      meta_cite(ev, "datasets", ds)))
    if meta.get("model-index"):
        facts.evaluations.append(Fact("model-index", "model-index", meta_cite(ev, "model-index", "(results)")))
    lib = meta.get("library_name")
    if isinstance(lib, str) and lib.strip().lower() in _OSS_LIBRARIES:
        facts.inference.append(Fact("library", lib.strip(), meta_cite(ev, "library_name", lib)))
    for b in string_values(meta.get("base_model")):
        facts.base_models.append(Fact("base_model", b, meta_cite(ev, "base_model", b)))
    if facts.base_models:
        facts.derivative = _derivative(ev)


def _stated_bases(ev: Evidence, facts: Facts) -> None:
    """Without base_model metadata, a base the body states ("a distilled variant of [X]") stands in for it."""
    own = ev.id.lower() if ev.kind == "hub" else None
    known = {b.value.lower() for b in facts.base_models}
    facts.stated_bases = [b for b in facts.stated_bases if b.value.lower() not in (own, *known)]
    if not facts.stated_bases or facts.derivative not in (None, "quantized"):
        return

    def kind(b: Fact) -> str:
        verb = b.detail.get("verb", "")
        return ("quantized" if verb.startswith("quanti") else "merge" if verb.startswith("merg")
                else "finetune" if "tun" in verb else "derived")

    # a quantization's card usually embeds the original card: what *that* was derived from still counts
    stated = [b for b in facts.stated_bases if facts.derivative is None or kind(b) != "quantized"]
    if not stated:
        return
    facts.base_models.insert(0, stated[0])
    facts.derivative = kind(stated[0])


def _derivative(ev: Evidence) -> str:
    meta = ev.metadata
    rel = str(meta.get("base_model_relation") or "").strip().lower()
    if rel in ("quantized", "finetune", "adapter", "merge"):
        return rel
    tags = {t.lower() for t in ev.tags}
    quant = re.compile(r"gguf|gptq|awq|exl2|quantiz|bnb|4bit|8bit|mlx-\dbit|q\d_k|int4|int8", re.I)
    if meta.get("quantized_by") or any(quant.search(t) for t in tags) or quant.search(ev.id) \
            or any((k := classify(s)) is not None and k.format in ("gguf", "ggml") for s in ev.siblings):
        return "quantized"
    if tags & {"merge", "mergekit"}:
        return "merge"
    if str(meta.get("library_name") or "").lower() == "peft" or "adapter_config.json" in ev.siblings:
        return "adapter"
    return "finetune"


def _dedupe(facts: Facts) -> None:
    def uniq(items: list, key) -> list:
        seen = set()
        out = []
        for it in items:
            k = key(it)
            if k in seen:
                continue
            seen.add(k)
            out.append(it)
        return out

    facts.datasets = uniq(facts.datasets, lambda d: (d.url or d.id).lower().rstrip("/"))
    facts.papers = uniq(facts.papers, lambda p: p.value.lower().rstrip("/") if p.kind == "paper"
                        else (p.kind if p.kind == "bibtex" else "line", p.citation.line if p.kind != "bibtex" else 0))
    facts.checkpoints = uniq(facts.checkpoints, lambda c: c.citation.line)
    facts.claims = uniq(facts.claims, lambda c: (c.kind, c.citation.line))
    facts.withheld = uniq(facts.withheld, lambda c: (c.kind, c.citation.line))
    facts.inference = uniq(facts.inference, lambda c: (c.kind, c.citation.line))
    facts.downloads = uniq(facts.downloads, lambda c: c.citation.line)
    facts.third_party = uniq(facts.third_party, lambda c: c.citation.line)
    facts.training_details = uniq(facts.training_details, lambda c: c.citation.line)
    facts.data.docs = uniq(facts.data.docs, lambda c: c.value.lower())
