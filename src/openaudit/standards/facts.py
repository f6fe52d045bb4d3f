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
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from openaudit import markdown as md
from openaudit.evidence import Evidence
from openaudit.filekinds import classify
from openaudit.lazyre import LazyPattern
from openaudit.lazyre import compile as _lazy
from openaudit.model import Citation

CODE_HOSTS = ("github.com", "gitlab.com", "codeberg.org")
ROLES = ("training", "data_processing", "inference", "evaluation", "fine_tuning")
ASPECTS = ("provenance", "scope", "selection", "labeling", "processing")
MAX_QUOTE = 200

# Tooling that a card mentions for running or building models in general: never "this model's code".
_TOOL_REPOS = {
    "transformers", "diffusers", "accelerate", "peft", "trl", "optimum", "text-generation-inference",
    "llama.cpp", "whisper.cpp", "ggml", "vllm", "text-generation-webui", "koboldcpp", "llama-cpp-python",
    "ctransformers", "candle", "lollms-webui", "exllama", "exllamav2", "autogptq", "autoawq", "bitsandbytes",
    "flash-attention", "deepspeed", "apex", "pytorch", "tensorflow", "jax", "flax", "xformers", "triton",
    "ollama", "mlc-llm", "gpt4all", "fastchat", "axolotl", "llama-factory", "unsloth", "lm-evaluation-harness",
    "sentence-transformers", "safetensors", "tokenizers", "datasets", "mergekit", "onnxruntime",
    "tensorrt-llm", "openvino", "langchain", "llama_index", "llamaindex", "huggingface_hub", "megatron-lm",
    "nemo", "lmdeploy", "sglang", "mlx", "mlx-examples", "gptq", "awq", "quip-sharp", "lm-studio",
    "bigcode-evaluation-harness", "evaluate", "alignment-handbook", "open_clip", "timm",
}
_TOOL_OWNERS = {
    "ggerganov", "ggml-org", "vllm-project", "pytorch", "oobabooga", "lostruins", "abetlen",
    "marella", "parisneo", "nomic-ai", "turboderp", "ollama", "mlc-ai", "lm-sys", "sgl-project",
    "openaccess-ai-collective", "axolotl-ai-cloud", "hiyouga", "unslothai", "lmstudio-ai", "langchain-ai",
}
# Words too common in model names to link a repository to a model.
_GENERIC_TOKENS = {
    "model", "models", "the", "and", "for", "with", "hf", "base", "chat", "instruct", "instruction", "it",
    "gguf", "gptq", "awq", "exl2", "fp16", "bf16", "fp32", "int8", "int4", "quant", "quantized", "card",
    "ai", "llm", "lm", "llms", "language", "large", "small", "mini", "medium", "tiny", "research", "community",
    "org", "official", "open", "github", "hub", "team", "labs", "lab", "inc", "corp", "project", "code",
    "v0", "v1", "v2", "v3", "md", "main", "new", "version", "original", "release", "repo", "repository",
    "data", "dataset", "train", "training", "eval", "demo", "examples", "example", "tools", "transformer",
    "transformers", "gpt", "bert", "sft", "dpo", "rlhf", "lora", "qlora", "merge", "uncensored",
    "thebloke", "bloke", "bartowski", "details", "summary", "unsloth", "mradermacher", "quantfactory",
    "tensorblock", "lmstudio",
}

_URL = _lazy(r"(?:https?://|(?<![\w/.@-])(?=(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org|arxiv\.org)/))"
                  r"[^\s<>()\[\]\"'`|]+")
_REPO = _lazy(r"^(?:https?://)?(?:www\.)?(github\.com|gitlab\.com|codeberg\.org)/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)",
                   re.I)
_IMAGE = _lazy(r"\.(png|jpe?g|gif|svg|webp)(?:$|[?#])|[?&]raw=true", re.I)
_NOT_OWNERS = {"orgs", "sponsors", "features", "topics", "settings", "marketplace", "login", "about", "pricing",
               "collections", "explore", "search", "apps", "users", "site", "enterprise"}
_HF_MODEL = _lazy(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/([A-Za-z0-9_.-]+)(?:/([A-Za-z0-9_.-]+))?/?"
                       r"(?:$|[#?]|/(?:tree|blob|resolve)/)", re.I)
# "[RoBERTa large model](…) fine-tuned on MNLI": the derivation verb right after the link
_DERIVED_AFTER = _lazy(r"^\W{0,3}\s*(?:model\s+|checkpoint\s+)?(fine-?tuned|finetuned|distilled|quanti[sz]ed)\b",
                            re.I)
_HF_NOT_MODEL = {"datasets", "spaces", "docs", "papers", "blog", "models", "learn", "collections", "organizations",
                 "settings", "join", "login", "api", "tasks", "pricing", "chat", "posts", "new", "search"}
# "a distilled variant of [X]", "fine-tuned from [X]", "based on [X]", "we started from [X]": words just before a
# Hub model link that make it this model's base.
_DERIVED_FROM = _lazy(r"\b(fine-?tun\w*|finetun\w*|distill\w*|initiali[sz]\w*|derived"
                           r"|continu\w*(?: pre-?train\w*)?|quanti[sz]\w*|based|built|start\w*|merg\w*)"
                           r"\s+(?:[\w-]+\s+){0,3}?(?:from|of|on|upon|with)"
                           r"\s+(?:the\s+)?(?:[\w'-]+\s+){0,2}$", re.I)
_HF_DATASET = _lazy(r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/datasets/([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)?)",
                         re.I)
_PAPER_HOSTS = _lazy(
    r"^(?:https?://)?(?:www\.)?(arxiv\.org/(?:abs|pdf)/|openreview\.net/|aclanthology\.org/|(?:www\.)?aclweb\.org/anthology"
    r"|jmlr\.org/papers|proceedings\.mlr\.press|proceedings\.neurips\.cc|papers\.nips\.cc|dl\.acm\.org/doi"
    r"|doi\.org/|ieeexplore\.ieee\.org|link\.springer\.com|semanticscholar\.org/paper|huggingface\.co/papers/"
    r"|ai\.meta\.com/research/publications|research\.google/pubs|biorxiv\.org|medrxiv\.org|ssrn\.com)",
    re.I,
)

_ROLE_RES = {
    "training": _lazy(r"\b(train(?:ing|ed|s)?\b|pre-?train\w*|reproduc\w*|replicat\w*"
                           r"|config(?:s|uration)?\s+files?"
                           r"|hyper-?parameters?)", re.I),
    "data_processing": _lazy(r"\b(data[- ]?(?:prep\w*|processing|pipeline|curation|cleaning|filtering|toolkit)"
                                  r"|pre-?process\w*|dedup\w*|de-?duplicat\w*|dataset (?:creation|construction))",
                                  re.I),
    "inference": _lazy(r"\b(inferenc\w*|serv(?:e|ing)\b|generation\b|chat_completion|run(?:ning)? the model"
                            r"|example code|reference (?:code|implementation)|loading and running|how to use"
                            r"|deploy\w*|sampling"
                            r"|quantiz\w*)", re.I),
    "evaluation": _lazy(r"\b(eval\w*|metrics?\b|benchmark\w*|analysis\b)", re.I),
    "fine_tuning": _lazy(r"\b(fine-?tun\w*)", re.I),
}
_NAME_ROLE = {
    "training": _lazy(r"train", re.I),
    "data_processing": _lazy(r"data[-_]?prep|preprocess|dedup|data[-_]?process", re.I),
    "evaluation": _lazy(r"eval|analysis", re.I),
    "inference": _lazy(r"infer|serve|serving", re.I),
}
_OWN_STRONG = _lazy(
    r"\b(our (?:\w+ )?(?:code|repo(?:sitory)?|github|implementation|codebase|training|library|fork)"
    r"|official (?:code|implementation|repo(?:sitory)?|github)|code for (?:this|the) (?:model|paper)"
    r"|(?:this|the) model'?s? (?:code|repo(?:sitory)?)|core repo|training code|data prep\w*|source code)\b", re.I)
_OWN_WEAK = _lazy(r"\b(code|repo(?:sitory|sitories)?|github|implementation|codebase|library|fork|scripts?)\b",
                       re.I)
_GENERIC_LABEL = _lazy(r"^\s*(?:github|gitlab|codeberg)?\s*(?:repo(?:sitory)?|code|source(?: code)?|codebase"
                            r"|github|gitlab)\s*$", re.I)

_RELEASE_VERB = _lazy(r"\b(releas\w*|open[- ]?sourc\w*|publish\w*|make\w* (?:\w+ )?available|available"
                           r"|provid\w*|shar(?:e|ed|ing)|we (?:also )?(?:offer|include))\b", re.I)
_ALL_CODE = _lazy(r"\ball (?:of )?(?:the |our )?(?:source |training )?code(?:base)?\b"
                       r"|\ball (?:\w+ ){0,2}(?:source code|code and (?:data|configurations?|scripts|configs))\b"
                       r"|\b(?:full|complete|entire) (?:source code|code(?:base)?|training (?:code|pipeline))\b", re.I)
# "we release ... code" / "our code is available": the publisher releases code with no narrower scope.
_CODE_CLAIM = _lazy(r"\bwe (?:also |have )?(?:releas\w*|open[- ]?sourc\w*|publish\w*|make\w* (?:\w+ )?available"
                         r"|provid\w*|shar\w*)\b[^.]{0,80}?\b(?:source )?(?-i:code)\b(?! snippet)"
                         r"|\b(?:our|the) (?:source |training )?(?-i:code)(?:base)? "
                         r"(?:is|are|has been|have been|will be) "
                         r"(?:publicly )?(?:released|available|open[- ]?sourced|public)\b", re.I)
_REPRODUCE = _lazy(r"\b(reproduc\w*|replicat\w*)\b", re.I)
_REPRO_WHERE = _lazy(r"\b(github|repo(?:sitory)?|code|scripts?|readme|instructions|see)\b", re.I)

_WITHHELD = {
    "training_code": [
        _lazy(r"\btraining (?:code|scripts?|pipeline|recipes?)\b[^.]{0,40}\b(?:is|are|was|were|will|has|have)\s+"
                   r"not\b[^.]{0,30}\b(?:released|available|public|shared|open[- ]sourced|published)", re.I),
        _lazy(r"\b(?:do|does|did|will|can)\s*(?:not|n't)\s+"
                   r"(?:release|publish|share|open[- ]source|provide|disclose)"
                   r"\b[^.]{0,40}\btraining (?:code|scripts?|pipeline|recipes?)", re.I),
    ],
    "data_details": [
        _lazy(r"\b(?:do|does|did|will|can)\s*(?:not|n't)\s+(?:disclose|reveal|share details|publish details|"
                   r"provide details)\b[^.]{0,60}\b(?:data|datasets?|corpus|data ?mix|sources)\b", re.I),
        _lazy(r"\b(?:training )?(?:data|datasets?|data sources|data ?mix|corpus)\b[^.]{0,40}\b(?:is|are|was|were|"
                   r"remain|remains)\s+(?:not (?:publicly )?disclosed|undisclosed|confidential)\b", re.I),
        _lazy(r"\bundisclosed\b[^.]{0,20}\b(?:data|datasets?|sources|mix)\b", re.I),
    ],
    "data_not_released": [
        _lazy(r"\b(?:do|does|did|will|can)\s*(?:not|n't)\s+(?:release|publish|share|open[- ]source)\b[^.]{0,40}"
                   r"\b(?:(?:pre-?)?training data|datasets?|corpus|corpora)\b", re.I),
        _lazy(r"\b(?:(?:pre-?)?training data|datasets?|corpus|corpora)\b[^.]{0,40}"
                   r"\b(?:is|are|was|were|will)\s+not\s+"
                   r"(?:be\s+)?(?:publicly\s+)?(?:released|available|shared|published)\b", re.I),
    ],
}
_OPEN_WEIGHTS = _lazy(r"\b(open[- ]weights?|weights[- ]only|only the (?:model )?weights)\b", re.I)
_SELF = _lazy(r"\b(this (?:repo(?:sitory)?|model|release|checkpoint)|the weights of|we (?:are )?releas\w*"
                   r"|our (?:model|release)|is an? open)", re.I)
_COMPARATIVE = _lazy(r"\b(other|compared?|outperform\w*|than|among|best|leading|competitive|rival\w*|state-of)\b",
                          re.I)

_THIRD_PARTY = _lazy(
    r"\b(licen[cs]ed (?:data|datasets?|content|from)|(?:purchased|acquired|bought)\b[^.]{0,30}\bdata"
    r"|third[- ]party (?:data|datasets?|sources|content|corpora)|proprietary (?:data|datasets?|sources|corpus)"
    r"|internal (?:data|datasets?)|(?:data|content) (?:partners?|vendors?|providers?))\b", re.I)

_DATA_HEADING = _lazy(r"\b(data(?:sets?)?|corpus|corpora|data ?mix|datamix|pre-?training mix(?:ture)?)\b", re.I)
_NOT_DATA_HEADING = _lazy(r"\b(eval\w*|test\w*|benchmark\w*|metadata|card contact|collator|loader)\b", re.I)
_DATA_LINE = _lazy(r"\b((?:trained|pre-?trained|fine-?tuned)\s+(?:\w+\s+){0,3}(?:on|with|using)\b"
                        r"|training (?:data|corpus|set|tokens|mix)|data ?mix|dataset size"
                        r"|pre-?training (?:data|corpus))",
                        re.I)
_ASPECT_RES = {
    "provenance": _lazy(r"\b(sources?|sourced|crawl\w*|common ?crawl|web|websites?|books?|wikipedia|arxiv|github"
                             r"|stack ?exchange|news|publicly available|public (?:data|datasets?|sources)|created by"
                             r"|collected from|scraped|synthetic|generated by|origin\w*|refined-?web|c4|the pile)\b",
                             re.I),
    "scope": None,  # _Scope below
    "selection": _lazy(r"\b(selected|selection|sampled|sampling|obtained|collected|collection|curated|curation"
                            r"|chosen|mixture weights?|upsampl\w*|downsampl\w*|weighted|downloaded|licensed|purchased"
                            r"|methodology)\b", re.I),
    "labeling": _lazy(r"\b(label(?:l)?ed|label(?:l)?ing|labels|annotat\w*|human[- ]written|ratings?"
                           r"|preference (?:data|pairs))\b", re.I),
    "processing": _lazy(r"\b(filter\w*|dedup\w*|de-?duplicat\w*|clean(?:ed|ing)?|process(?:ed|ing)|pre-?process\w*"
                             r"|tokeniz\w*|decontaminat\w*|normaliz\w*|pii|removed|quality (?:classifier|filter)"
                             r"|packed)\b", re.I),
}


class _Scope:
    """The scope aspect: a size word, or a number with a unit. The number pattern has bounded gaps and runs only
    when a unit word is on the line: a line of "1,1,1,…" or "1.1.1.…" costs one pass, not one scan per digit."""

    words = _lazy(r"\b(tokens|languages?|cut-?off|size|composition|proportion\w*|mixture|subsets?|categories"
                  r"|domains?|diverse)\b", re.I)
    number = _lazy(r"\b(\d[\d.,]{0,30}\s{0,3}(?:[bmkt]|billion|trillion|million)?\s{0,3}"
                   r"(?:gib|gb|tb|documents|examples|samples|hours|images))\b", re.I)
    units = ("gib", "gb", "tb", "documents", "examples", "samples", "hours", "images")

    def search(self, text: str) -> re.Match[str] | None:
        m = self.words.search(text)
        if m is not None:
            return m
        low = text.lower()
        return self.number.search(text) if any(u in low for u in self.units) else None


_ASPECT_RES["scope"] = _Scope()  # type: ignore[assignment]
_DOC_WORDS = _lazy(r"\b(paper|report|datasheet|data ?card|documentation|blog|polic(?:y|ies)|guide|principles"
                        r"|article|preprint|post|website|readme|details|here|link)\b", re.I)
_DATA_WORDS = _lazy(r"\b(data(?:set)?s?|corpus|corpora|download\w*|mirror)\b", re.I)
_DATA_DOC = _lazy(r"\b(datasheet|data ?card|data sheet|documentation|paper|report|details)\b", re.I)

_CHECKPOINT = _lazy(r"\b(step\d{3,}(?:-tokens\d+\w*)?|ckpt[_-]?\d+|checkpoint[_-]\d+|\w+_checkpoint_\d+"
                         r"|intermediate (?:model )?checkpoints?|(?:training )?checkpoints? (?:every|at each|for every)"
                         r"|\d+ (?:intermediate )?checkpoints)\b", re.I)
_TRAINING_DETAIL = _lazy(r"\b(hyper-?parameters?|learning rate|batch size|warmup|optimi[sz]er|adamw?|lr schedule"
                              r"|gpu hours|a100|h100|tpu\w*|mi250x?|gpus?\b|hidden size|attention heads"
                              r"|num(?:ber of)? layers"
                              r"|context length|training time|carbon)\b", re.I)
_TECH_REPORT = _lazy(r"\b(technical report|tech(?:nical)? report|white ?paper|preprint)\b", re.I)
_PAPER_LABEL = _lazy(r"\b(paper|report|preprint|publication|arxiv|article)\b", re.I)
_BIB_VENUE = _lazy(r"^\s*(journal|booktitle|eprint|archiveprefix)\s*=", re.I)
_EVAL_HEADING = _lazy(r"\b(eval\w*|benchmark\w*|results?|performance)\b", re.I)
_INFER_SNIPPET = _lazy(r"(from_pretrained\(|\bpipeline\(|SentenceTransformer\(|StableDiffusion\w*Pipeline"
                            r"|DiffusionPipeline|\bllama-cli\b|\bllama\.cpp\b|\bollama (?:run|pull)\b|\bvllm serve\b"
                            r"|\bLlama\(\s*model_path|\bmain -m\b|\.generate\(|open_clip\.create_model"
                            r"|timm\.create_model)")
_DOWNLOAD_KEYS = ("download", "from_pretrained", "git lfs", "wget", "ollama pull")
_CHECKPOINT_KEYS = ("step", "ckpt", "checkpoint")
_TRAINING_DETAIL_KEYS = ("hyper", "learning rate", "batch size", "warmup", "optimi", "adam", "lr schedule", "gpu",
                         "a100", "h100", "tpu", "mi250", "hidden size", "attention heads", "layers", "context length",
                         "training time", "carbon")
_THIRD_PARTY_KEYS = ("licen", "purchas", "acquired", "bought", "third", "proprietary", "internal", "partner",
                     "vendor", "provider")
_LINK_KEYS = ("http", "github.com", "gitlab.com", "codeberg.org", "arxiv.org", "huggingface.co", "www.")


def _keys(words: tuple[str, ...]) -> LazyPattern:
    """A pattern that finds any of ``words`` in a lower-cased line: ``any(w in low for w in words)`` in one
    C-level search (the per-line pre-check before a costlier regex)."""
    return _lazy("|".join(re.escape(w) for w in words))


_DOWNLOAD_KEYS_RX = _keys(_DOWNLOAD_KEYS)
_CHECKPOINT_KEYS_RX = _keys(_CHECKPOINT_KEYS)
_TRAINING_DETAIL_KEYS_RX = _keys(_TRAINING_DETAIL_KEYS)
_THIRD_PARTY_KEYS_RX = _keys(_THIRD_PARTY_KEYS)
_LINK_KEYS_RX = _keys(_LINK_KEYS)
_REPORT_KEYS_RX = _keys(("report", "paper", "preprint"))
_DATA_KEYS_RX = _keys(("train", "data", "corpus", "mix"))
_GATE_KEYS_RX = _keys(("access", "licen"))  # in every _GATE_BODY phrase
_STATEMENT_KEYS_RX = _keys((*_CHECKPOINT_KEYS, *_TRAINING_DETAIL_KEYS, "report", "paper", "preprint"))
_DOWNLOAD = _lazy(r"(huggingface-cli download|\bhf download|snapshot_download\(|hf_hub_download\("
                       r"|from_pretrained\("
                       r"|\bgit lfs (?:pull|clone)|\bwget\b\S*\s+\S+\.(?:safetensors|gguf|bin|pt|ckpt)|ollama pull)")
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
_GATE_MANUAL = _lazy(r"\b(requests? (?:will|are|is|shall) (?:be )?(?:processed|reviewed|approved|granted)"
                          r"|(?:manual(?:ly)?|individually) (?:review\w*|approv\w*)|been granted (?:download )?access"
                          r"|approval (?:process|by|from)|within \d+\s*(?:[-–]\s*\d+\s*)?(?:business |working )?days"
                          r"|we will (?:review|evaluate) your request)", re.I)
_GATE_AUTO = _lazy(r"\b((?:processed|granted|approved|accepted)\s+"
                        r"(?:immediately|automatically|instantly|right away)"
                        r"|automatic(?:ally)?\s+(?:approv\w*|grant\w*|accept\w*)|instant access)\b", re.I)
_GATE_BODY = _lazy(r"\b(request(?:ing)? access|access request|accept (?:our|the) licen[cs]e before"
                        r"|apply for access|access (?:is|will be) granted)\b", re.I)


# ---------------------------------------------------------------------------------------------------------------
# Data model


@dataclass
class Fact:
    """One cited fact. ``kind`` says what it is; ``value`` is the thing (a file, a URL, an id, a phrase)."""

    kind: str
    value: str
    citation: Citation
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class CodeRepo:
    url: str  # https://host/owner/name
    host: str
    owner: str
    name: str
    own: bool  # attributed to this model (see module docstring)
    roles: list[str] = field(default_factory=list)
    why: str = ""  # why it is (not) attributed
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Dataset:
    id: str  # Hub dataset id, or the name given in the card
    url: str | None  # where to obtain it (None when only named)
    source: str  # "metadata" | "body"
    citation: Citation


@dataclass
class DataDescription:
    lines: list[Citation] = field(default_factory=list)  # data-section headings and lines about training data
    aspects: dict[str, Citation] = field(default_factory=dict)  # aspect -> first line touching it
    docs: list[Fact] = field(default_factory=list)  # links to data documentation (datasheet, data card, paper)

    @property
    def present(self) -> bool:
        return bool(self.lines)


@dataclass
class Gating:
    # "open" (Hub: not gated) | "none_declared" (no gate in the card; Hub setting unknown) | "auto" | "manual"
    # | "gated" (gated, approval mode unknown)
    status: str
    detail: str
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Facts:
    model: str
    card: bool = False
    names: list[str] = field(default_factory=list)  # distinctive name tokens used to attribute repositories
    code_repos: list[CodeRepo] = field(default_factory=list)
    repo_code: list[Fact] = field(default_factory=list)  # kind = role; value = file name
    weights: list[Fact] = field(default_factory=list)
    papers: list[Fact] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    data: DataDescription = field(default_factory=DataDescription)
    checkpoints: list[Fact] = field(default_factory=list)
    gating: Gating = field(default_factory=lambda: Gating("none_declared", "no access gate declared"))
    evaluations: list[Fact] = field(default_factory=list)
    claims: list[Fact] = field(default_factory=list)  # kind: all_code | code | reproduce
    withheld: list[Fact] = field(default_factory=list)  # kind: training_code | data_details | data_not_released
    #                                                      | open_weights
    inference: list[Fact] = field(default_factory=list)  # usage through a library / a snippet in the card
    downloads: list[Fact] = field(default_factory=list)  # commands in the card that fetch the weights
    third_party: list[Fact] = field(default_factory=list)
    training_details: list[Fact] = field(default_factory=list)
    base_models: list[Fact] = field(default_factory=list)  # base_model metadata, else bases stated in the body
    stated_bases: list[Fact] = field(default_factory=list)  # "distilled variant of [X]" (Hub model links)
    derivative: str | None = None  # quantized | finetune | adapter | merge (when base_model is set)
    body_lines: int = 0  # non-empty lines of the card body

    # -- queries ---------------------------------------------------------------------------------------------
    def own_repos(self, role: str | None = None) -> list[CodeRepo]:
        return [r for r in self.code_repos if r.own and (role is None or role in r.roles)]

    def code_claims(self) -> list[Fact]:
        """Claims that cover every kind of code (all code / code released with no narrower scope / how to
        reproduce training), usable only together with an own repository."""
        return [c for c in self.claims if c.kind in ("all_code", "code", "reproduce")]

    def withheld_of(self, kind: str) -> list[Fact]:
        return [w for w in self.withheld if w.kind == kind]

    def located_datasets(self) -> list[Dataset]:
        return [d for d in self.datasets if d.url]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["data"]["present"] = self.data.present
        return d


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def _quote(text: str) -> str:
    t = " ".join(text[: MAX_QUOTE * 4].split())
    return t if len(t) <= MAX_QUOTE else t[: MAX_QUOTE - 1] + "…"


def _line_cite(path: str, line: int, text: str) -> Citation:
    return Citation(source="file", file=path, line=line, text=_quote(text))


def _meta_cite(ev: Evidence, key: str, value: Any) -> Citation:
    card = ev.card
    if isinstance(value, (list, tuple)):
        shown = ", ".join(str(v) for v in value[:10]) + (", …" if len(value) > 10 else "")
    else:
        shown = str(value)
    return Citation(source="metadata", file=card.path if card else None, line=card.line_of(key) if card else None,
                    text=_quote(f"{key}: {shown}"))


def _tokens(text: str) -> set[str]:
    """Distinctive lower-case words of a name: whole alphanumeric runs ("llm360") and their camel-case /
    letter-digit parts ("llm", "360"), minus generic words, numbers and words under 3 letters."""
    raw = str(text)
    pieces = set(re.split(r"[^a-z0-9]+", raw.lower()))
    split = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)
    split = re.sub(r"([A-Za-z])(\d)", r"\1 \2", split)
    split = re.sub(r"(\d)([A-Za-z])", r"\1 \2", split)
    pieces |= set(re.split(r"[^a-z0-9]+", split.lower()))
    return {t for t in pieces if len(t) >= 3 and not t.isdigit() and t not in _GENERIC_TOKENS
            and not re.fullmatch(r"\d+[bmk]|v\d+|\d+x\d+b?", t)}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def _all_strings(value: Any, depth: int = 0) -> list[str]:
    """Every string inside a metadata value (bounded depth)."""
    if depth > 4:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out.append(str(k))
            out.extend(_all_strings(v, depth + 1))
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(_all_strings(v, depth + 1))
        return out
    return []


def _model_names(ev: Evidence, title: str | None) -> set[str]:
    names: list[str] = []
    ident = ev.id.replace("\\", "/").rstrip("/")
    if ev.kind == "hub":
        names.append(ident)
    else:
        last = ident.rsplit("/", 1)[-1]
        last = re.sub(r"\.(md|markdown|txt)$", "", last, flags=re.I)
        if last.lower() == "readme":  # .../owner__model/README.md
            parts = ident.rsplit("/", 2)
            last = parts[-2] if len(parts) >= 2 else ""
        names.append(last.replace("__", "/"))
    meta = ev.metadata
    for key in ("model_name", "base_model", "model_creator"):
        names.extend(_strings(meta.get(key)))
    if title:
        names.append(title)
    out: set[str] = set()
    for n in names:
        out |= _tokens(n)
    return out


def _split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\[*_`(\"'])", text) if s.strip()]


def _stripped_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """``md.strip_links(text)`` with, for each markdown link, its end in ``text`` and the characters removed up to
    it: the stripped text before any link start is then a slice, not a new strip per link (linear per line)."""
    parts: list[str] = []
    ends: list[int] = []
    removed: list[int] = []
    prev = gone = 0
    for start, end, anchor, _url in md.md_links(text):
        parts.append(text[prev:start])
        parts.append(anchor)
        gone += (end - start) - len(anchor)
        ends.append(end)
        removed.append(gone)
        prev = end
    parts.append(text[prev:])
    return "".join(parts), ends, removed


def _stripped_before(stripped: tuple[str, list[int], list[int]], start: int, size: int) -> str:
    """The last ``size`` characters of the stripped line before position ``start`` of the original line (a link
    start, so never inside a markdown link)."""
    import bisect

    plain, ends, removed = stripped
    k = bisect.bisect_right(ends, start)
    pos = start - (removed[k - 1] if k else 0)
    return plain[max(0, pos - size):pos]


def _links(text: str) -> list[tuple[int, int, str, str | None]]:
    """(start, end, url, anchor text) of every link in a line: markdown links, then bare URLs."""
    out: list[tuple[int, int, str, str | None]] = [(s, e, url, anchor) for s, e, anchor, url in md.md_links(text)]
    taken = [(s, e) for s, e, _u, _a in out]
    j = 0
    for m in _URL.finditer(text):
        while j < len(taken) and taken[j][1] <= m.start():
            j += 1
        if j < len(taken) and taken[j][0] <= m.start() < taken[j][1]:
            continue  # inside a markdown link
        out.append((m.start(), m.end(), m.group(0).rstrip(".,;:!?*_"), None))
    out.sort()
    return out


def _segment(text: str, links: list[tuple[int, int, str, str | None]], i: int) -> str:
    """The words that belong to link ``i``: from the end of the previous link to the start of the next."""
    start = links[i - 1][1] if i > 0 else 0
    end = links[i + 1][0] if i + 1 < len(links) else len(text)
    return md.strip_links(text[start:end])


def _roles_in(text: str) -> set[str]:
    return {role for role, rx in _ROLE_RES.items() if rx.search(text)}


def _line_roles(ln: _Line) -> set[str]:
    """Role words of a whole line, computed once per line (a line may hold thousands of links)."""
    if ln.roles is None:
        ln.roles = frozenset(_roles_in(md.strip_links(ln.text)))
    return set(ln.roles)


# ---------------------------------------------------------------------------------------------------------------
# The card walk


@dataclass(slots=True)
class _Line:
    no: int
    text: str  # with HTML comments removed
    headings: tuple[str, ...]  # enclosing headings, outermost first
    in_code: bool
    is_table: bool
    is_list: bool
    heading: bool = False
    low: str = ""  # lower-cased text, for cheap substring pre-checks before the regexes
    roles: frozenset[str] | None = None  # role words of the whole line (lazily, see _line_roles)


def _walk(ev: Evidence) -> tuple[list[_Line], str | None]:
    """The card body as lines with their heading context (from the card's parsed markdown); also the first H1
    title."""
    card = ev.card
    if card is None:
        return [], None
    doc = card.markdown
    kinds, section, headings, lines, uncommented = doc.kinds, doc.section, doc.headings, doc.lines, doc.uncommented
    out: list[_Line] = []
    append = out.append
    for no in doc.body():
        k = kinds[no]
        text = uncommented[no] if no in uncommented else lines[no - 1]
        i = section[no]
        append(_Line(no, text, headings[i].path if i >= 0 else (), k == md.CODE, k == md.TABLE, k == md.LIST,
                     k == md.HEADING, text.lower()))
    return out, doc.title


# ---------------------------------------------------------------------------------------------------------------
# gather


def gather(ev: Evidence) -> Facts:
    """All openness facts of ``ev``, each cited."""
    lines, title = _walk(ev)
    facts = Facts(model=ev.id, card=ev.card is not None)
    names = _model_names(ev, title)
    facts.names = sorted(names)
    path = ev.card.path if ev.card is not None else "README.md"
    if ev.card is not None:
        kinds = ev.card.markdown.kinds
        facts.body_lines = sum(kinds.count(k) for k in (md.TEXT, md.HEADING, md.TABLE, md.LIST))

    _repo_files(ev, facts)
    _metadata_facts(ev, facts)
    repos: dict[str, CodeRepo] = {}
    paragraphs = _paragraphs(lines)
    prefix: dict[int, str] = {}  # line -> the end of its paragraph's text before it (for statements across lines)
    for para in paragraphs:
        acc = ""
        for ln in para:
            prefix[ln.no] = acc
            acc = (acc + " " + md.strip_links(ln.text.strip()))[-160:]
    for ln in lines:
        if ln.in_code:
            _code_line(ln, path, facts)
            continue
        if not ln.text.strip():
            continue
        _line_links(ln, path, names, repos, facts, prefix.get(ln.no, ""))
        _line_statements(ln, path, facts)
    for para in paragraphs:
        _statements(para, path, facts)
    facts.code_repos = list(repos.values())
    _stated_bases(ev, facts)
    _data_description(lines, path, facts)
    _evaluations(ev, lines, path, facts)
    _gating(ev, lines, path, facts)
    _dedupe(facts)
    return facts


def _code_line(ln: _Line, path: str, facts: Facts) -> None:
    """A line of fenced code: usage snippets, download commands, BibTeX venues, checkpoint names."""
    low = ln.low
    m = _INFER_SNIPPET.search(ln.text) if ("(" in low or "llama" in low or "vllm" in low or "main -m" in low) else None
    if m:
        facts.inference.append(Fact("snippet", m.group(0), _line_cite(path, ln.no, ln.text)))
    m = _DOWNLOAD.search(ln.text) if _DOWNLOAD_KEYS_RX.search(low) else None
    if m:
        facts.downloads.append(Fact("download", m.group(0), _line_cite(path, ln.no, ln.text)))
    m = _BIB_VENUE.search(ln.text) if "=" in low else None
    if m:
        facts.papers.append(Fact("bibtex", m.group(0), _line_cite(path, ln.no, ln.text)))
    m = _CHECKPOINT.search(ln.text) if _CHECKPOINT_KEYS_RX.search(low) else None
    if m:
        facts.checkpoints.append(Fact("checkpoint", m.group(0), _line_cite(path, ln.no, ln.text)))


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
    for ds in _strings(meta.get("datasets")):
        ds = ds.strip()
        if not ds:
            continue
        facts.datasets.append(Dataset(ds, f"https://huggingface.co/datasets/{ds}", "metadata",
                                      _meta_cite(ev, "datasets", ds)))
    if meta.get("model-index"):
        facts.evaluations.append(Fact("model-index", "model-index", _meta_cite(ev, "model-index", "(results)")))
    lib = meta.get("library_name")
    if isinstance(lib, str) and lib.strip().lower() in _OSS_LIBRARIES:
        facts.inference.append(Fact("library", lib.strip(), _meta_cite(ev, "library_name", lib)))
    for b in _strings(meta.get("base_model")):
        facts.base_models.append(Fact("base_model", b, _meta_cite(ev, "base_model", b)))
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


def _line_links(ln: _Line, path: str, names: set[str], repos: dict[str, CodeRepo], facts: Facts,
                prefix: str = "") -> None:
    text = ln.text
    if "](" not in text and not _LINK_KEYS_RX.search(ln.low):
        return
    links = _links(text)
    stripped: tuple[str, list[int], list[int]] | None = None  # the line without link markup, computed once
    for i, (start, _e, url, anchor) in enumerate(links):  # noqa: B007 (_e is used)
        if text[max(0, start - 1):start] == "!" or _IMAGE.search(url):
            continue  # an image, not a link
        seg = _segment(text, links, i)
        cite = _line_cite(path, ln.no, text)
        rm = _REPO.match(url)
        if rm:
            _code_repo(rm, anchor, seg, ln, cite, names, repos)
            continue
        mm = _HF_MODEL.match(url)
        if mm and mm.group(1).lower() not in _HF_NOT_MODEL and (mm.group(2) or re.search(r"[-\d]", mm.group(1))):
            # (a single path segment is a legacy model id such as roberta-large or gpt2, not a user page)
            if stripped is None:
                stripped = _stripped_with_offsets(text)
            before = (prefix + " " + _stripped_before(stripped, start, 160))[-160:]
            after = text[_e:_e + 60]
            d = _DERIVED_FROM.search(before)
            a = None if d else _DERIVED_AFTER.search(after)
            near = f"{anchor or ''} {after[:30]}".lower()  # "based on the [X model card](…)": the text, not the model
            if (d or a) and not any(w in near for w in ("card", "readme", "template")):
                model_id = "/".join(g for g in mm.groups() if g)
                said = before[d.start():] + (anchor or url) if d else (anchor or url) + after[:a.end()]
                verb = (d or a).group(1).lower()
                facts.stated_bases.append(Fact("stated_base", model_id, cite, {"sentence": _quote(said), "verb": verb}))
            continue
        dm = _HF_DATASET.match(url)
        if dm:
            ds_id = dm.group(1).rstrip(".")
            facts.datasets.append(Dataset(ds_id, f"https://huggingface.co/datasets/{ds_id}", "body", cite))
            if _in_data_section(ln):
                facts.data.docs.append(Fact("dataset_card", url, cite))
            continue
        if _PAPER_HOSTS.match(url):
            if _in_data_section(ln) and _DATA_DOC.search(seg):
                facts.data.docs.append(Fact("data_paper", url, cite))
            if not ln.is_table and (_PAPER_LABEL.search(seg) or _PAPER_LABEL.search(anchor or "")
                                    or "arxiv.org" in url.lower()):
                facts.papers.append(Fact("paper", url, cite))
            continue
        if _in_data_section(ln) and url.lower().startswith(("http", "www")):
            words = f"{anchor or ''} {seg}"
            if "huggingface.co/spaces/" in url.lower() or "huggingface.co/" not in url.lower():
                if _DOC_WORDS.search(anchor or "") or (not anchor and _DOC_WORDS.search(seg)):
                    if _DATA_DOC.search(words):
                        facts.data.docs.append(Fact("data_doc", url, cite))
                elif "huggingface.co/" not in url.lower() and (
                        _DATA_WORDS.search(anchor or "") or _DATA_WORDS.search(seg)):
                    facts.datasets.append(Dataset(_quote(anchor or url), url, "body", cite))


def _in_data_section(ln: _Line) -> bool:
    return _data_headings(ln.headings)


@lru_cache(maxsize=256)
def _data_headings(headings: tuple[str, ...]) -> bool:
    return any(_DATA_HEADING.search(h) and not _NOT_DATA_HEADING.search(h) for h in headings)


def _code_repo(rm: re.Match, anchor: str | None, seg: str, ln: _Line, cite: Citation, names: set[str],
               repos: dict[str, CodeRepo]) -> None:
    host, owner, name = rm.group(1).lower(), rm.group(2), re.sub(r"\.git$", "", rm.group(3))
    if owner.lower() in _NOT_OWNERS:
        return
    key = f"{host}/{owner.lower()}/{name.lower()}"
    repo = repos.get(key)
    if repo is None:
        repo = CodeRepo(url=f"https://{host}/{owner}/{name}", host=host, owner=owner, name=name, own=False)
        repos[key] = repo
    repo.citations.append(cite)
    tool = name.lower() in _TOOL_REPOS or owner.lower() in _TOOL_OWNERS
    name_overlap = _tokens(name) & names
    owner_overlap = _tokens(owner) & names
    context = f"{anchor or ''} {seg}"
    own, why = False, ""
    if tool:
        why = "general-purpose tooling, not this model's code"
    elif name_overlap:
        own, why = True, f"repository name shares '{sorted(name_overlap)[0]}' with the model's names"
    elif _OWN_STRONG.search(context):
        own, why = True, f"the card calls it {_OWN_STRONG.search(context).group(0)!r}"
    elif owner_overlap and (_OWN_WEAK.search(context) or _roles_in(context)):
        own, why = True, (f"owner shares '{sorted(owner_overlap)[0]}' with the model's names and the card describes it"
                          " as code")
    elif ln.is_list and anchor is not None and _GENERIC_LABEL.match(re.sub(r"[*_`]", "", anchor)):
        own, why = True, f"listed as the card's own {anchor.strip()!r} resource"
    else:
        why = "not attributed to this model (no shared name, not described as its code)"
    if own and not repo.own:
        repo.own, repo.why = True, why
    elif not repo.why or (tool and not repo.own):
        repo.why = why
    roles = _roles_in(context)
    if not roles:
        roles = _line_roles(ln)
    if not roles and ln.headings:
        roles = _roles_in(ln.headings[-1])
    for role, rx in _NAME_ROLE.items():
        if rx.search(name):
            roles.add(role)
    for r in ROLES:
        if r in roles and r not in repo.roles:
            repo.roles.append(r)


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    """Runs of prose lines: a blank line, heading, table row, code or a new list item ends a paragraph."""
    out: list[list[_Line]] = []
    buf: list[_Line] = []
    for ln in lines:
        if ln.in_code or ln.heading or ln.is_table or not ln.text.strip():
            if buf:
                out.append(buf)
            buf = []
            continue
        if ln.is_list and buf:
            out.append(buf)
            buf = []
        buf.append(ln)
    if buf:
        out.append(buf)
    return out


def _statements(para: list[_Line], path: str, facts: Facts) -> None:
    """Release claims, withheld statements and third-party data mentions, sentence by sentence; each is cited
    at the line where the matched words start."""
    text = ""
    starts: list[int] = []
    for ln in para:
        starts.append(len(text))
        text += md.strip_links(ln.text.strip()) + " "

    def cite_at(pos: int) -> Citation:
        i = max(k for k, s0 in enumerate(starts) if s0 <= pos)
        return _line_cite(path, para[i].no, para[i].text)

    offset = 0
    for sentence in _split_sentences(text):
        base = text.find(sentence, offset)
        offset = base + len(sentence) if base >= 0 else offset
        base = max(base, 0)

        def add(target: list[Fact], kind: str, m: re.Match, base: int = base, sentence: str = sentence) -> None:
            target.append(Fact(kind, m.group(0), cite_at(base + m.start()), {"sentence": _quote(sentence)}))

        low = sentence.lower()
        if "code" in low:
            m = _ALL_CODE.search(sentence)
            if m and _RELEASE_VERB.search(sentence):
                add(facts.claims, "all_code", m)
            else:
                m = _CODE_CLAIM.search(sentence)
                if m and not _roles_in(sentence) - {"training"}:
                    add(facts.claims, "code", m)
        if ("reproduc" in low or "replicat" in low) and "train" in low:
            m = _REPRODUCE.search(sentence)
            if m and _REPRO_WHERE.search(sentence):
                add(facts.claims, "reproduce", m)
        if "not" in low or "n't" in low or "undisclosed" in low or "confidential" in low:
            for kind, rxs in _WITHHELD.items():
                for rx in rxs:
                    m = rx.search(sentence)
                    if m:
                        add(facts.withheld, kind, m)
                        break
        if "weight" in low:
            m = _OPEN_WEIGHTS.search(sentence)
            if m and _SELF.search(sentence) and not _COMPARATIVE.search(sentence):
                add(facts.withheld, "open_weights", m)
        if _THIRD_PARTY_KEYS_RX.search(low):
            m = _THIRD_PARTY.search(sentence)
            if m:
                add(facts.third_party, "third_party", m)


def _line_statements(ln: _Line, path: str, facts: Facts) -> None:
    low = ln.low
    if _STATEMENT_KEYS_RX.search(low) is None:
        return
    text = md.strip_links(ln.text)
    m = _CHECKPOINT.search(text) if _CHECKPOINT_KEYS_RX.search(low) else None
    if m:
        facts.checkpoints.append(Fact("checkpoint", m.group(0), _line_cite(path, ln.no, ln.text)))
    m = _TRAINING_DETAIL.search(text) if _TRAINING_DETAIL_KEYS_RX.search(low) else None
    if m:
        facts.training_details.append(Fact("training_detail", m.group(0), _line_cite(path, ln.no, ln.text)))
    m = _TECH_REPORT.search(text) if not ln.is_table and _REPORT_KEYS_RX.search(low) \
        else None
    if m and not (facts.papers and facts.papers[-1].citation.line == ln.no):
        facts.papers.append(Fact("report_mention", m.group(0), _line_cite(path, ln.no, ln.text)))


def _data_description(lines: list[_Line], path: str, facts: Facts) -> None:
    dd = facts.data
    seen_heading: set[tuple[str, ...]] = set()
    for ln in lines:
        if ln.in_code or not ln.text.strip():
            continue
        in_section = _in_data_section(ln)
        is_heading = ln.heading
        about_data = in_section or (_DATA_KEYS_RX.search(ln.low) is not None
                                    and bool(_DATA_LINE.search(ln.text)))
        if not about_data:
            continue
        if in_section and is_heading:
            key = ln.headings
            if key in seen_heading:
                continue
            seen_heading.add(key)
        cite = _line_cite(path, ln.no, ln.text)
        dd.lines.append(cite)
        plain = md.strip_links(ln.text)
        for aspect, rx in _ASPECT_RES.items():
            if aspect not in dd.aspects and rx.search(plain):
                dd.aspects[aspect] = cite


def _evaluations(ev: Evidence, lines: list[_Line], path: str, facts: Facts) -> None:
    current: tuple[str, ...] | None = None
    for ln in lines:
        if not ln.is_table or not ln.headings:
            continue
        if _EVAL_HEADING.search(ln.headings[-1]) and re.search(r"\d", ln.text):
            if ln.headings != current:
                current = ln.headings
                facts.evaluations.append(Fact("results_table", ln.headings[-1], _line_cite(path, ln.no, ln.text)))


def _gating(ev: Evidence, lines: list[_Line], path: str, facts: Facts) -> None:
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
        strings = _all_strings(meta[key])
        cite = _meta_cite(ev, key, " ".join(strings)[:MAX_QUOTE] if strings else meta[key])
        cites.append(cite)
        for s in strings:
            m = _GATE_AUTO.search(s)
            if m:
                auto.append(Citation(source="metadata", file=cite.file, line=cite.line,
                                     text=_quote(f"{key}: …{m.group(0)}…")))
                break
            m = _GATE_MANUAL.search(s)
            if m:
                manual.append(Citation(source="metadata", file=cite.file, line=cite.line,
                                       text=_quote(f"{key}: …{m.group(0)}…")))
                break
    body = []
    for ln in lines:
        if ln.in_code or _GATE_KEYS_RX.search(ln.low) is None:
            continue
        if _GATE_BODY.search(ln.text):
            body.append(_line_cite(path, ln.no, ln.text))
            if _GATE_AUTO.search(ln.text):
                auto.append(_line_cite(path, ln.no, ln.text))
            elif _GATE_MANUAL.search(ln.text):
                manual.append(_line_cite(path, ln.no, ln.text))
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
