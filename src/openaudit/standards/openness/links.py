"""Links in the card: code repositories (this model's own or not, their roles), Hub models the card says it
is derived from, Hub datasets, papers and data documentation. Links are found with ``str.find`` and bounded
patterns, never a nested-bracket regex (cards are untrusted)."""

from __future__ import annotations

import re

from openaudit import markdown as md
from openaudit.evidence import Evidence
from openaudit.lazyre import compile as _lazy
from openaudit.model import Citation
from openaudit.standards.openness.data import in_data_section
from openaudit.standards.openness.lines import Line, keyword_pattern
from openaudit.standards.openness.model import ROLES, CodeRepo, Dataset, Fact, Facts, line_cite, quote, string_values

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
_DERIVED_AFTER = _lazy(r"^\W{0,3}\s*(?:model\s+|checkpoint\s+)?(fine-?tuned|finetuned|distilled|quanti(?:sed|zed))\b",
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
_DOC_WORDS = _lazy(r"\b(paper|report|datasheet|data ?card|documentation|blog|polic(?:y|ies)|guide|principles"
                        r"|article|preprint|post|website|readme|details|here|link)\b", re.I)
_DATA_WORDS = _lazy(r"\b(data(?:set)?s?|corpus|corpora|download\w*|mirror)\b", re.I)
_DATA_DOC = _lazy(r"\b(datasheet|data ?card|data sheet|documentation|paper|report|details)\b", re.I)
_PAPER_LABEL = _lazy(r"\b(paper|report|preprint|publication|arxiv|article)\b", re.I)
_LINK_KEYS = ("http", "github.com", "gitlab.com", "codeberg.org", "arxiv.org", "huggingface.co", "www.")
_LINK_KEYS_RX = keyword_pattern(_LINK_KEYS)
KEYS = ("](", *_LINK_KEYS)  # a line without any of these has no link (line_links)


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


def model_names(ev: Evidence, title: str | None) -> set[str]:
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
        names.extend(string_values(meta.get(key)))
    if title:
        names.append(title)
    out: set[str] = set()
    for n in names:
        out |= _tokens(n)
    return out


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


def roles_in(text: str) -> set[str]:
    return {role for role, rx in _ROLE_RES.items() if rx.search(text)}


def _line_roles(ln: Line) -> set[str]:
    """Role words of a whole line, computed once per line (a line may hold thousands of links)."""
    if ln.roles is None:
        ln.roles = frozenset(roles_in(md.strip_links(ln.text)))
    return set(ln.roles)


def line_links(ln: Line, path: str, names: set[str], repos: dict[str, CodeRepo], facts: Facts,
                prefix: str = "") -> None:
    text = ln.text
    if "](" not in text and not _LINK_KEYS_RX.search(ln.low):
        return
    links = _links(text)
    stripped: tuple[str, list[int], list[int]] | None = None  # the line without link markup, computed once
    for i, (start, _e, url, anchor) in enumerate(links):
        if text[max(0, start - 1):start] == "!" or _IMAGE.search(url):
            continue  # an image, not a link
        seg = _segment(text, links, i)
        cite = line_cite(path, ln.no, text)
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
            found = d or a
            if found is not None and not any(w in near for w in ("card", "readme", "template")):
                model_id = "/".join(g for g in mm.groups() if g)
                said = before[found.start():] + (anchor or url) if d else (anchor or url) + after[:found.end()]
                verb = found.group(1).lower()
                facts.stated_bases.append(Fact("stated_base", model_id, cite, {"sentence": quote(said), "verb": verb}))
            continue
        dm = _HF_DATASET.match(url)
        if dm:
            ds_id = dm.group(1).rstrip(".")
            facts.datasets.append(Dataset(ds_id, f"https://huggingface.co/datasets/{ds_id}", "body", cite))
            if in_data_section(ln):
                facts.data.docs.append(Fact("dataset_card", url, cite))
            continue
        if _PAPER_HOSTS.match(url):
            if in_data_section(ln) and _DATA_DOC.search(seg):
                facts.data.docs.append(Fact("data_paper", url, cite))
            if not ln.is_table and (_PAPER_LABEL.search(seg) or _PAPER_LABEL.search(anchor or "")
                                    or "arxiv.org" in url.lower()):
                facts.papers.append(Fact("paper", url, cite))
            continue
        if in_data_section(ln) and url.lower().startswith(("http", "www")):
            words = f"{anchor or ''} {seg}"
            if "huggingface.co/spaces/" in url.lower() or "huggingface.co/" not in url.lower():
                if _DOC_WORDS.search(anchor or "") or (not anchor and _DOC_WORDS.search(seg)):
                    if _DATA_DOC.search(words):
                        facts.data.docs.append(Fact("data_doc", url, cite))
                elif "huggingface.co/" not in url.lower() and (
                        _DATA_WORDS.search(anchor or "") or _DATA_WORDS.search(seg)):
                    facts.datasets.append(Dataset(quote(anchor or url), url, "body", cite))


def _code_repo(rm: re.Match, anchor: str | None, seg: str, ln: Line, cite: Citation, names: set[str],
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
    elif owner_overlap and (_OWN_WEAK.search(context) or roles_in(context)):
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
    roles = roles_in(context)
    if not roles:
        roles = _line_roles(ln)
    if not roles and ln.headings:
        roles = roles_in(ln.headings[-1])
    for role, rx in _NAME_ROLE.items():
        if rx.search(name):
            roles.add(role)
    for r in ROLES:
        if r in roles and r not in repo.roles:
            repo.roles.append(r)
