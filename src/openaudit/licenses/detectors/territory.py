"""Territory: where the license does not apply ("does not apply ... to users located in the European Union"), where
only it applies ("only in the United States"), whom it excludes by domicile, and a defined "Territory". Places
come from ``rules/vocabulary/places.yaml`` and ``countries.yaml``."""

from __future__ import annotations

import re

from openaudit.lazyre import compile as _lazy
from openaudit.licenses import vocabulary as _vocab
from openaudit.licenses.detectors.common import Cand, prohibition
from openaudit.licenses.sentences import Sent, shouting

_I = re.I

_PLACE_CACHE: dict[str, object] = {}


def _place_sets() -> tuple[_vocab.PhraseSet, _vocab.PhraseSet, dict[str, str], dict[str, str]]:
    """Every place of ``rules/vocabulary/places.yaml``: its names (ignoring case) and codes (case-sensitive), with
    the maps from a matched name (lower-cased, spaces collapsed) or code to its code."""
    got = _PLACE_CACHE.get("p")
    if got is None:
        places = _vocab.load().places
        by_name = {" ".join(n.lower().split()): p.code for p in places for n in p.names}
        by_code = {c: p.code for p in places for c in p.codes}
        # names: a text names few of ~300 places, so only those are compiled (``subset``)
        got = _PLACE_CACHE["p"] = (_vocab.PhraseSet(list(by_name), subset=True),
                                   _vocab.PhraseSet(list(by_code), flags=0), by_name, by_code)
    return got  # type: ignore[return-value]


def _place_matches(text: str, lo: int, hi: int, shouting: bool) -> list[tuple[int, int, str]]:
    """Places named in text[lo:hi], by position; a code ("US", "IT") is skipped in an ALL-CAPS sentence, where it
    is a word ("NOT LICENSED TO US")."""
    names, codes, by_name, by_code = _place_sets()
    found = [(m.start(), m.end(), by_name[" ".join(m.group(0).lower().split())]) for m in names.finditer(text, lo, hi)]
    if not shouting:
        found += [(m.start(), m.end(), by_code[m.group(0)]) for m in codes.finditer(text, lo, hi)
                  if text[m.end():m.end() + 2][:1] != "." or not text[m.end() + 1:m.end() + 2].isalnum()]
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[tuple[int, int, str]] = []
    for f in found:
        if out and f[0] < out[-1][1]:
            continue  # inside a longer name found first
        out.append(f)
    return out


_PLACE_GAP = _lazy(
    r"[\s,;/]*(?:(?:and|or|&|as\s+well\s+as)\s+)?(?:the\s+)?(?:territor(?:y|ies)\s+of\s+(?:the\s+)?)?", _I
)
_PLACE_LEAD = _lazy(
    r"[\s,]*(?:the\s+)?(?:(?:whole\s+|entire\s+)?territor(?:y|ies)\s+of\s+(?:the\s+)?|"
    r"(?:any\s+)?(?:member\s+states?|countries)\s+(?:of|in)\s+(?:the\s+)?)?",
    _I,
)
_TERR_EXCLUDE = _lazy(
    r"\b(?:(?:does|do|shall|will|may)\s+not\s+apply\s+(?:in|to|within)|exclud(?:ing|es|ed|e)|"
    r"except(?:\s+for)?|other\s+than|"
    r"not\s+(?:be\s+)?(?:licensed|available|granted|permitted|authori(?:sed|zed)|allowed|offered|provided|"
    r"distributed|made\s+available)(?:\s+(?:for\s+use|to\s+(?:persons|users|entities|residents|individuals|"
    r"companies|anyone)(?:\s+(?:located|resident|residing|domiciled|based|established))?))?\s+(?:in|within|to)|"
    r"(?:is|are)\s+(?:excluded|prohibited|not\s+permitted)\s+(?:in|within))\b",
    _I,
)
_TERR_DOMICILE = _lazy(
    r"\b(?:(?:domiciled|resident|residing|located|headquartered|incorporated|established|based|"
    r"principal\s+place\s+of\s+business(?:\s+is)?)\s+(?:in|within)|(?:residents?|citizens?|nationals?)\s+of|"
    r"(?:users?|entities|persons|people|companies|individuals|customers|organi(?:sations|zations)|licensees)\s+(?:in|from))\b",
    _I,
)
_TERR_USE_IN = _lazy(
    r"\b(?:use[ds]?|using|deploy\w*|distribut\w*|offer\w*|provid\w*|mak\w+\s+available|access\w*|"
    r"host\w*|sell\w*|exploit\w*)\b[^.;]{0,80}?\b(?:in|within|into)\b",
    _I,
)
_LAWFUL = _lazy(r"\blaws?\b|\bregulations?\b|\bviolat\w*|\bcomply|\bcompliance", _I)
_TERR_WITHHELD = _lazy(
    r"\bnot\s+(?:being\s+)?(?:granted|licensed|permitted|authori(?:sed|zed)|available|allowed)|"
    r"\b(?:may|must|shall|will)\s+not\b|\bprohibited\b|\bexcluded\b|\bno\s+(?:rights?|licen(?:ce|se))\b",
    _I,
)
_NOT_TERRITORIAL = _lazy(
    r"\bgoverned\s+by\b|\blaws?\s+of\b|\bcourts?\b|\barbitration\b|\bjurisdiction\b|\bexport\w*\b|"
    r"\bsanction\w*\b|\bdispute\b|\bvenue\b",
    _I,
)
_TERRITORIAL = _lazy(
    r"\bworld-?wide\b|\bterritor(?:y|ies|ial)\b|\bglobal(?:ly)?\b|\bcountr(?:y|ies)\b|\bregions?\b", _I
)
# Words a match of the pattern above needs (gates, see Sent.may).
_NOT_TERRITORIAL_WORDS = ("governed", "law", "court", "arbitration", "jurisdiction", "export", "sanction", "dispute",
                          "venue")
_TERR_EXCLUDE_WORDS = ("not", "exclud", "except", "other", "prohibited")
_TERR_DOMICILE_WORDS = ("domiciled", "resident", "residing", "located", "headquartered", "incorporated",
                        "established", "based", "principal", "citizen", "national", "user", "entities", "person",
                        "people", "compan", "individual", "customer", "organi", "licensee")
_TERR_ONLY = _lazy(r"\b(?:only|solely|exclusively)\s+(?:in|within)\b", _I)
_TERR_OUTSIDE = _lazy(r"\boutside(?:\s+of)?\b", _I)
_THE_TERRITORY = _lazy(r"[\s,]*(?:of\s+)?the\s+Territory\b")
_UNLICENSED = _lazy(r"\b(?:unlicensed|unauthori(?:sed|zed))\b", _I)
_MULTIMODAL = _lazy(r"\bmulti-?modal\b", _I)
_TERRITORY_DEF = _lazy(
    r"^\W{0,3}(?:[a-z0-9]{1,4}[.)]\s+)?\"?territor(?:y|ies)\"?\s+(?:shall\s+)?means?\b", _I
)
_DEF_EXCLUDING = _lazy(r"\b(?:exclud(?:ing|es|e)|except(?:\s+for)?|other\s+than|outside(?:\s+of)?)\b", _I)


def _places_at(text: str, pos: int, shouting: bool) -> list[tuple[int, str]]:
    """The list of places that starts right at ``pos``: "the European Union, United Kingdom and Korea"."""
    found = _place_matches(text, pos, min(len(text), pos + 400), shouting)
    out: list[tuple[int, str]] = []
    lead = _PLACE_LEAD.match(text, pos)
    cursor = lead.end() if lead else pos
    for start, end, code in found:
        if start < cursor:
            continue
        gap = _PLACE_GAP.match(text, cursor)
        if start > (gap.end() if gap else cursor):
            break
        if code not in [c for _, c in out]:
            out.append((start, code))
        cursor = end
    return out


def territory_definition(text: str) -> tuple[str, list[str]] | None:
    """'"Territory" means the worldwide territory, excluding ...': (exclude | only, codes)."""
    m = _TERRITORY_DEF.match(text)
    if not m:
        return None
    caps = shouting(text)
    ex = _DEF_EXCLUDING.search(text)
    if ex:
        places = _places_at(text, ex.end(), caps)
        return ("exclude", [c for _, c in places]) if places else None
    places = _places_at(text, m.end(), caps)
    return ("only", [c for _, c in places]) if places else None


def territory(s: Sent) -> list[Cand]:
    text = s.combined
    if "territor" not in s.low and not _place_matches(text, 0, len(text), False):
        return []
    if s.has(_NOT_TERRITORIAL_WORDS) and _NOT_TERRITORIAL.search(text):
        return []  # governing law, courts, export control: not where the license applies
    shouting = s.shouting
    found: list[tuple[int, list[str], str, int]] = []  # (pos, codes, mode, score)

    def add(pos: int, places: list[tuple[int, str]], mode: str, score: int) -> None:
        if places:
            found.append((places[0][0], [c for _, c in places], mode, score))
        elif _THE_TERRITORY.match(text, pos) and s.doc.territory_def:
            def_mode, codes = s.doc.territory_def
            found.append((pos, list(codes), def_mode, score))

    for m in _TERR_EXCLUDE.finditer(text) if s.has(_TERR_EXCLUDE_WORDS) else ():
        if m.group(0).lower().startswith(("exclud", "except", "other")) and not _TERRITORIAL.search(
                text, max(0, m.start() - 80), m.start()):
            continue  # "excluding Llama 2 or derivative works"
        add(m.end(), _places_at(text, m.end(), shouting), "exclude", 2)
    for m in _TERR_DOMICILE.finditer(text) if s.has(_TERR_DOMICILE_WORDS) else ():
        places = _places_at(text, m.end(), shouting)
        if places and _TERR_WITHHELD.search(text, max(0, m.start() - 200), m.end() + 200):
            found.append((places[0][0], [c for _, c in places], "domicile", 2))
    for m in _TERR_ONLY.finditer(text) if s.has(("only", "solely", "exclusively")) else ():
        add(m.end(), _places_at(text, m.end(), shouting), "only", 1)
    p = prohibition(s)
    if p is not None and not _LAWFUL.search(text):
        for m in _TERR_USE_IN.finditer(text, p.end(), min(len(text), p.end() + 200)):
            if not text[max(0, m.end() - 20):m.end()].lower().endswith(("only in", "only within")):
                add(m.end(), _places_at(text, m.end(), shouting), "exclude", 1)
    if s.has(("outside",)) and (p is not None or _UNLICENSED.search(text)):
        for m in _TERR_OUTSIDE.finditer(text):
            add(m.end(), _places_at(text, m.end(), shouting), "only", 1)
    out = []
    for pos, codes, mode, score in found:
        if pos < s.item_offset or not codes:
            continue
        names = ", ".join(codes)
        if mode == "exclude":
            summary = f"Not licensed in {names}"
        elif mode == "only":
            summary = f"Licensed only in {names}"
        else:
            scope = "Multimodal model rights" if _MULTIMODAL.search(text) else "Rights"
            summary = f"{scope} not granted to individuals or companies domiciled in {names}"
        out.append(Cand("territory", pos, summary, territories=codes, mode=mode, score=score))
    return out
