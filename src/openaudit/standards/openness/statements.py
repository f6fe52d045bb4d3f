"""What the card says, sentence by sentence or line by line: release claims (all code, code, how to
reproduce training), withheld statements (training code or data not released, data undisclosed, weights only),
third-party data, checkpoints, training details, technical-report mentions; and in fenced code: usage
snippets, download commands, BibTeX venues, checkpoint names."""

from __future__ import annotations

import re

from openaudit import markdown as md
from openaudit.lazyre import compile as _lazy
from openaudit.model import Citation
from openaudit.standards.openness.lines import Line, keyword_pattern
from openaudit.standards.openness.links import roles_in
from openaudit.standards.openness.model import Fact, Facts, line_cite, quote

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
    r"\b(licen(?:ced|sed) (?:data|datasets?|content|from)|(?:purchased|acquired|bought)\b[^.]{0,30}\bdata"
    r"|third[- ]party (?:data|datasets?|sources|content|corpora)|proprietary (?:data|datasets?|sources|corpus)"
    r"|internal (?:data|datasets?)|(?:data|content) (?:partners?|vendors?|providers?))\b", re.I)
_CHECKPOINT = _lazy(r"\b(step\d{3,}(?:-tokens\d+\w*)?|ckpt[_-]?\d+|checkpoint[_-]\d+|\w+_checkpoint_\d+"
                         r"|intermediate (?:model )?checkpoints?|(?:training )?checkpoints? (?:every|at each|for every)"
                         r"|\d+ (?:intermediate )?checkpoints)\b", re.I)
_TRAINING_DETAIL = _lazy(r"\b(hyper-?parameters?|learning rate|batch size|warmup|optimi(?:ser|zer)|adamw?|lr schedule"
                              r"|gpu hours|a100|h100|tpu\w*|mi250x?|gpus?\b|hidden size|attention heads"
                              r"|num(?:ber of)? layers"
                              r"|context length|training time|carbon)\b", re.I)
_TECH_REPORT = _lazy(r"\b(technical report|tech(?:nical)? report|white ?paper|preprint)\b", re.I)
_BIB_VENUE = _lazy(r"^\s*(journal|booktitle|eprint|archiveprefix)\s*=", re.I)
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
_DOWNLOAD_KEYS_RX = keyword_pattern(_DOWNLOAD_KEYS)
_CHECKPOINT_KEYS_RX = keyword_pattern(_CHECKPOINT_KEYS)
_TRAINING_DETAIL_KEYS_RX = keyword_pattern(_TRAINING_DETAIL_KEYS)
_THIRD_PARTY_KEYS_RX = keyword_pattern(_THIRD_PARTY_KEYS)
_REPORT_KEYS_RX = keyword_pattern(("report", "paper", "preprint"))
_STATEMENT_KEYS_RX = keyword_pattern((*_CHECKPOINT_KEYS, *_TRAINING_DETAIL_KEYS, "report", "paper", "preprint"))
_DOWNLOAD = _lazy(r"(huggingface-cli download|\bhf download|snapshot_download\(|hf_hub_download\("
                       r"|from_pretrained\("
                       r"|\bgit lfs (?:pull|clone)|\bwget\b\S*\s+\S+\.(?:safetensors|gguf|bin|pt|ckpt)|ollama pull)")


_SENTENCE_BREAK = _lazy(r"(?<=[.!?])\s+(?=[A-Z\[*_`(\"'])")
# Every sentence check below needs one of these words in the sentence (lower-cased): a paragraph without any
# is not split into sentences at all.
_SENTENCE_KEYS_RX = keyword_pattern(("code", "reproduc", "replicat", "not", "n't", "undisclosed", "confidential",
                                     "weight", *_THIRD_PARTY_KEYS))


# What a line needs for any reader here to act on it: in prose (line_statements, read_statements: a paragraph
# is read when one of its lines holds one of these or a link), in fenced code (code_line).
KEYS = (*_CHECKPOINT_KEYS, *_TRAINING_DETAIL_KEYS, "report", "paper", "preprint", "code", "reproduc", "replicat", "not",
        "n't", "undisclosed", "confidential", "weight", *_THIRD_PARTY_KEYS)
CODE_KEYS = ("(", "llama", "vllm", "main -m", *_DOWNLOAD_KEYS, "=", *_CHECKPOINT_KEYS)


def _split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_BREAK.split(text) if s.strip()]


def code_line(ln: Line, path: str, facts: Facts) -> None:
    """A line of fenced code: usage snippets, download commands, BibTeX venues, checkpoint names."""
    low = ln.low
    m = _INFER_SNIPPET.search(ln.text) if ("(" in low or "llama" in low or "vllm" in low or "main -m" in low) else None
    if m:
        facts.inference.append(Fact("snippet", m.group(0), line_cite(path, ln.no, ln.text)))
    m = _DOWNLOAD.search(ln.text) if _DOWNLOAD_KEYS_RX.search(low) else None
    if m:
        facts.downloads.append(Fact("download", m.group(0), line_cite(path, ln.no, ln.text)))
    m = _BIB_VENUE.search(ln.text) if "=" in low else None
    if m:
        facts.papers.append(Fact("bibtex", m.group(0), line_cite(path, ln.no, ln.text)))
    m = _CHECKPOINT.search(ln.text) if _CHECKPOINT_KEYS_RX.search(low) else None
    if m:
        facts.checkpoints.append(Fact("checkpoint", m.group(0), line_cite(path, ln.no, ln.text)))


def read_statements(para: list[Line], path: str, facts: Facts) -> None:
    """Release claims, withheld statements and third-party data mentions, sentence by sentence; each is cited
    at the line where the matched words start."""
    text = ""
    starts: list[int] = []
    for ln in para:
        starts.append(len(text))
        text += md.strip_links(ln.text.strip()) + " "
    if _SENTENCE_KEYS_RX.search(text.lower()) is None:
        return

    def cite_at(pos: int) -> Citation:
        i = max(k for k, s0 in enumerate(starts) if s0 <= pos)
        return line_cite(path, para[i].no, para[i].text)

    offset = 0
    for sentence in _split_sentences(text):
        base = text.find(sentence, offset)
        offset = base + len(sentence) if base >= 0 else offset
        base = max(base, 0)

        def add(target: list[Fact], kind: str, m: re.Match, base: int = base, sentence: str = sentence) -> None:
            target.append(Fact(kind, m.group(0), cite_at(base + m.start()), {"sentence": quote(sentence)}))

        low = sentence.lower()
        if "code" in low:
            m = _ALL_CODE.search(sentence)
            if m and _RELEASE_VERB.search(sentence):
                add(facts.claims, "all_code", m)
            else:
                m = _CODE_CLAIM.search(sentence)
                if m and not roles_in(sentence) - {"training"}:
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


def line_statements(ln: Line, path: str, facts: Facts) -> None:
    low = ln.low
    if _STATEMENT_KEYS_RX.search(low) is None:
        return
    text = md.strip_links(ln.text)
    m = _CHECKPOINT.search(text) if _CHECKPOINT_KEYS_RX.search(low) else None
    if m:
        facts.checkpoints.append(Fact("checkpoint", m.group(0), line_cite(path, ln.no, ln.text)))
    m = _TRAINING_DETAIL.search(text) if _TRAINING_DETAIL_KEYS_RX.search(low) else None
    if m:
        facts.training_details.append(Fact("training_detail", m.group(0), line_cite(path, ln.no, ln.text)))
    m = _TECH_REPORT.search(text) if not ln.is_table and _REPORT_KEYS_RX.search(low) \
        else None
    if m and not (facts.papers and facts.papers[-1].citation.line == ln.no):
        facts.papers.append(Fact("report_mention", m.group(0), line_cite(path, ln.no, ln.text)))
