"""The openness facts' data model: each fact carries its citation (``source="metadata"`` for a card
front-matter key, ``source="file"`` for a line of the card or a file of the repository); and the helpers
that quote and cite."""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from openaudit.evidence import Evidence
from openaudit.model import Citation

CODE_HOSTS = ("github.com", "gitlab.com", "codeberg.org")
ROLES = ("training", "data_processing", "inference", "evaluation", "fine_tuning")
ASPECTS = ("provenance", "scope", "selection", "labeling", "processing")
MAX_QUOTE = 200


class Fact(Struct):
    """One cited fact. ``kind`` says what it is; ``value`` is the thing (a file, a URL, an id, a phrase)."""

    kind: str
    value: str
    citation: Citation
    detail: dict[str, Any] = field(default_factory=dict)


class CodeRepo(Struct):
    """A code repository the card links to, and whether it is attributed to this model."""

    url: str  # https://host/owner/name
    host: str
    owner: str
    name: str
    own: bool  # attributed to this model (see module docstring)
    roles: list[str] = field(default_factory=list)
    why: str = ""  # why it is (not) attributed
    citations: list[Citation] = field(default_factory=list)


class Dataset(Struct):
    """A training dataset named by the card, and where to obtain it."""

    id: str  # Hub dataset id, or the name given in the card
    url: str | None  # where to obtain it (None when only named)
    source: str  # "metadata" | "body"
    citation: Citation


class DataDescription(Struct):
    """What the card says about its training data, by aspect."""

    lines: list[Citation] = field(default_factory=list)  # data-section headings and lines about training data
    aspects: dict[str, Citation] = field(default_factory=dict)  # aspect -> first line touching it
    docs: list[Fact] = field(default_factory=list)  # links to data documentation (datasheet, data card, paper)

    @property
    def present(self) -> bool:
        return bool(self.lines)


class Gating(Struct):
    """How access to the weights is gated, as the card (or the Hub) says."""

    # "open" (Hub: not gated) | "none_declared" (no gate in the card; Hub setting unknown) | "auto" | "manual"
    # | "gated" (gated, approval mode unknown)
    status: str
    detail: str
    citations: list[Citation] = field(default_factory=list)


class Facts(Struct):
    """The openness facts gathered from a card and its repository, for the standards to assess."""

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



def quote(text: str) -> str:
    t = " ".join(text[: MAX_QUOTE * 4].split())
    return t if len(t) <= MAX_QUOTE else t[: MAX_QUOTE - 1] + "…"


def line_cite(path: str, line: int, text: str) -> Citation:
    return Citation(source="file", file=path, line=line, text=quote(text))


def meta_cite(ev: Evidence, key: str, value: Any) -> Citation:
    card = ev.card
    if isinstance(value, (list, tuple)):
        shown = ", ".join(str(v) for v in value[:10]) + (", …" if len(value) > 10 else "")
    else:
        shown = str(value)
    return Citation(source="metadata", file=card.path if card else None, line=card.line_of(key) if card else None,
                    text=quote(f"{key}: {shown}"))


def string_values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def all_strings(value: Any, depth: int = 0) -> list[str]:
    """Every string inside a metadata value (bounded depth)."""
    if depth > 4:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out.append(str(k))
            out.extend(all_strings(v, depth + 1))
        return out
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.extend(all_strings(v, depth + 1))
        return out
    return []
