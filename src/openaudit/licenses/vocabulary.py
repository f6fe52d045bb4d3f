"""The clause reader's vocabulary, as data: places, threshold units and the restriction-kind vocabulary
(``rules/vocabulary/*.yaml``), loaded through ``openaudit.yamlutil.load_file`` and checked against a small
schema here. A malformed file raises ``VocabularyError`` naming the file and the entry.

Patterns built from the data are plain ``re`` (compiled on first use), with every phrase escaped and
spaces turned into ``\\s+``: a place or unit list costs one alternation, linear in the text it reads.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from msgspec import Struct

from openaudit.lazyre import LazyPattern
from openaudit.lazyre import compile as _lazy
from openaudit.model import RESTRICTION_KINDS, THRESHOLD_UNITS
from openaudit.paths import rules_dir
from openaudit.yamlutil import load_file

__all__ = ["Category", "Place", "Vocabulary", "VocabularyError", "categories", "field_of_use", "load",
           "phrase_pattern"]


class VocabularyError(ValueError):
    """A vocabulary file does not match its schema."""


class Place(Struct, frozen=True):
    """A country or group of countries: its names and codes (a group lists its members)."""

    code: str
    names: tuple[str, ...]
    codes: tuple[str, ...]  # case-sensitive abbreviations
    members: tuple[str, ...] = ()  # a group's member codes


class Unit(Struct, frozen=True):
    """A unit of a user cap (monthly active users…) and the phrases that name it."""

    unit: str
    phrases: tuple[str, ...]
    zh: tuple[str, ...] = ()


class Vocabulary(Struct, frozen=True):
    """The words the term readers look for (places, units, revenue, modality…), loaded from YAML."""

    places: tuple[Place, ...]
    user_units: tuple[Unit, ...]
    revenue_qualifiers: tuple[str, ...]
    revenue_nouns: tuple[str, ...]
    monthly_words: tuple[str, ...]
    annual_words: tuple[str, ...]
    zh_revenue_nouns: tuple[str, ...]
    zh_monthly_words: tuple[str, ...]
    kinds: dict[str, str]  # kind -> description
    zh: dict[str, tuple[str, ...]]  # kind -> Chinese patterns
    harmful_purposes: tuple[str, ...]  # a prohibition for one of these purposes is a use restriction
    zh_thresholds: dict[str, Any]
    modality: dict[str, tuple[str, ...]]
    unclassified_subjects: tuple[str, ...]
    boilerplate: tuple[str, ...]
    zh_binding: tuple[str, ...]
    licensee: tuple[str, ...]
    not_bound: tuple[str, ...]
    mechanics: tuple[str, ...]
    not_prohibitions: tuple[str, ...]
    weak_prohibition: tuple[str, ...]
    zh_boilerplate: tuple[str, ...]


def _strs(value: Any, where: str, *, empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or (not value and not empty) or not all(
            isinstance(v, str) and v.strip() for v in value):
        raise VocabularyError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _map(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VocabularyError(f"{where}: expected a mapping")
    return value


def _places(data: Any, where: str) -> tuple[Place, ...]:
    data = _map(data, where)
    out: list[Place] = []
    for section in ("places", "groups"):
        items = data.get(section)
        if not isinstance(items, list) or not items:
            raise VocabularyError(f"{where}: `{section}` must be a non-empty list")
        for i, item in enumerate(items):
            w = f"{where}: {section}[{i}]"
            item = _map(item, w)
            unknown = set(item) - {"code", "names", "codes", "members"}
            if unknown:
                raise VocabularyError(f"{w}: unknown keys {sorted(unknown)}")
            code = item.get("code")
            if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2,3}", code):
                raise VocabularyError(f"{w}: `code` must be 2-3 capital letters")
            members = _strs(item.get("members", []), f"{w}.members", empty=True)
            if section == "groups" and not members:
                raise VocabularyError(f"{w}: a group needs `members`")
            out.append(Place(code, _strs(item.get("names"), f"{w}.names"),
                             _strs(item.get("codes", []), f"{w}.codes", empty=True), members))
    codes = [p.code for p in out]
    dup = {c for c in codes if codes.count(c) > 1}
    if dup:
        raise VocabularyError(f"{where}: duplicate codes {sorted(dup)}")
    for p in out:
        missing = set(p.members) - set(codes)
        if missing:
            raise VocabularyError(f"{where}: group {p.code} names unknown members {sorted(missing)}")
    return tuple(out)


_SIMPLE_NAME = re.compile(r"[A-Z][A-Za-z .'-]{2,40}")


def _with_countries(places: tuple[Place, ...], path: Path) -> tuple[Place, ...]:
    """``places`` and every country of ``countries.yaml`` (ISO 3166-1, shared with ``--region``) by its plain English
    name ("Poland", "Sweden"; names with parentheses or "&" are left to ``places.yaml``'s own spellings)."""
    try:
        data = load_file(path)
    except OSError:
        return places
    countries = data.get("countries") if isinstance(data, dict) else None
    if not isinstance(countries, dict):
        return places
    by_code = {p.code: p for p in places}
    known = {n.lower() for p in places for n in p.names}
    out = list(places)
    for code, name in countries.items():
        if not isinstance(code, str) or not isinstance(name, str) or not _SIMPLE_NAME.fullmatch(name):
            continue
        if name.lower() in known:
            continue
        if code in by_code:
            p = by_code[code]
            out[out.index(p)] = by_code[code] = Place(p.code, (*p.names, name), p.codes, p.members)
        else:
            out.append(Place(code, (name,), ()))
        known.add(name.lower())
    return tuple(out)


def _check_patterns(patterns: tuple[str, ...], where: str, compile_check: bool = True) -> None:
    for p in patterns:
        if compile_check:
            try:
                re.compile(p)
            except re.error as e:
                raise VocabularyError(f"{where}: invalid pattern {p!r}: {e}") from None
        if re.search(r"[*+]\)?[*+{]|\)[*+]", p) or re.search(r"(?<!\\)[.\]][*+]", p):
            raise VocabularyError(f"{where}: pattern {p!r} has an unbounded repetition (use {{0,N}})")


def _field_of_use(kinds: dict[str, Any], where: str) -> dict[str, str]:
    out = {}
    for kind, item in kinds.items():
        if isinstance(item, dict) and "field_of_use" in item:
            if not isinstance(item["field_of_use"], str) or not item["field_of_use"].strip():
                raise VocabularyError(f"{where}: kinds.{kind}.field_of_use must be a phrase")
            out[str(kind)] = item["field_of_use"].strip()
    if not out:
        raise VocabularyError(f"{where}: no kind is marked `field_of_use`")
    return out


def field_of_use_from(path: Path) -> dict[str, str]:
    """The restriction kinds that limit who may use the model or for what (``field_of_use`` in ``kinds.yaml``),
    each with the phrase that names it, in the file's order."""
    try:
        data = _map(load_file(path), path.name)
    except OSError as e:
        raise VocabularyError(f"cannot read the vocabulary: {e}") from None
    kinds = _map(data.get("kinds"), f"{path.name}: kinds")
    unknown = set(kinds) - set(RESTRICTION_KINDS)
    if unknown:
        raise VocabularyError(f"{path.name}: unknown kinds {sorted(unknown)}")
    return _field_of_use(kinds, path.name)


@lru_cache(maxsize=1)
def field_of_use() -> dict[str, str]:
    """The bundled field-of-use kinds (``rules/vocabulary/kinds.yaml``): kind -> the phrase that names it."""
    return field_of_use_from(rules_dir() / "vocabulary" / "kinds.yaml")


class Category(Struct, frozen=True):
    """A license category of the catalog and what it means to the assessments (``license-categories.yaml``)."""

    name: str
    description: str
    open: bool = False  # grants use, modification and distribution for any purpose
    restrictive: bool = False  # limits who may use the work or for what
    relicensable: bool = False  # a model under it may be released under another license downstream
    implies: tuple[str, ...] = ()  # restriction kinds every license of the category carries


_CATEGORY_KEYS = {"description", "open", "restrictive", "relicensable", "implies"}


def categories_from(path: Path) -> dict[str, Category]:
    """The license categories of ``path``, checked (``VocabularyError`` names the entry that is wrong)."""
    where = path.name
    try:
        data = _map(load_file(path), where)
    except OSError as e:
        raise VocabularyError(f"cannot read the vocabulary: {e}") from None
    items = _map(data.get("categories"), f"{where}: categories")
    if not items:
        raise VocabularyError(f"{where}: `categories` must not be empty")
    out: dict[str, Category] = {}
    for name, item in items.items():
        w = f"{where}: categories.{name}"
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z-]{1,30}", name):
            raise VocabularyError(f"{w}: a category is a lower-case word (a-z, '-')")
        item = _map(item, w)
        unknown = set(item) - _CATEGORY_KEYS
        if unknown:
            raise VocabularyError(f"{w}: unknown keys {sorted(unknown)}")
        if not isinstance(item.get("description"), str) or not item["description"].strip():
            raise VocabularyError(f"{w}: needs a `description`")
        flags = {}
        for key in ("open", "restrictive", "relicensable"):
            value = item.get(key, False)
            if not isinstance(value, bool):
                raise VocabularyError(f"{w}: `{key}` must be true or false")
            flags[key] = value
        if flags["open"] and flags["restrictive"]:
            raise VocabularyError(f"{w}: a category cannot be both `open` and `restrictive`")
        implies = _strs(item.get("implies", []), f"{w}.implies", empty=True)
        bad = set(implies) - set(RESTRICTION_KINDS)
        if bad:
            raise VocabularyError(f"{w}: `implies` names unknown restriction kinds {sorted(bad)}")
        out[name] = Category(name, item["description"].strip(), implies=implies, **flags)
    return out


@lru_cache(maxsize=1)
def categories() -> dict[str, Category]:
    """The bundled license categories (``rules/vocabulary/license-categories.yaml``)."""
    return categories_from(rules_dir() / "vocabulary" / "license-categories.yaml")


def category(name: str | None) -> Category:
    """The bundled category ``name``; an unknown or missing category is neither open, restrictive nor
    relicensable."""
    found = categories().get(name) if name else None
    return found if found is not None else Category(str(name), "unknown category")


def load_from(directory: Path, *, compile_check: bool = True) -> Vocabulary:
    """The vocabulary of ``directory``, checked against the schema. ``compile_check=False`` skips compiling the
    Chinese patterns to prove them valid (~6 ms, for nothing when a text has no Chinese): the bundled vocabulary
    is proven by the tests, and its patterns are compiled when a Chinese text is read."""
    places_file, units_file, kinds_file = (directory / n for n in ("places.yaml", "units.yaml", "kinds.yaml"))
    try:
        places = _places(load_file(places_file), places_file.name)
        units = _map(load_file(units_file), units_file.name)
        kinds_data = _map(load_file(kinds_file), kinds_file.name)
    except OSError as e:
        raise VocabularyError(f"cannot read the vocabulary: {e}") from None

    places = _with_countries(places, directory / "countries.yaml")
    user_units: list[Unit] = []
    for i, item in enumerate(units.get("users") or []):
        w = f"{units_file.name}: users[{i}]"
        item = _map(item, w)
        unit = item.get("unit")
        if unit not in THRESHOLD_UNITS:
            raise VocabularyError(f"{w}: unit {unit!r} is not one of {', '.join(THRESHOLD_UNITS)}")
        user_units.append(Unit(unit, _strs(item.get("phrases"), f"{w}.phrases"),
                               _strs(item.get("zh", []), f"{w}.zh", empty=True)))
    if not user_units:
        raise VocabularyError(f"{units_file.name}: `users` must be a non-empty list")
    rev = _map(units.get("revenue"), f"{units_file.name}: revenue")

    kinds = _map(kinds_data.get("kinds"), f"{kinds_file.name}: kinds")
    if set(kinds) != set(RESTRICTION_KINDS):
        raise VocabularyError(f"{kinds_file.name}: kinds must be exactly {', '.join(RESTRICTION_KINDS)}; "
                              f"missing {sorted(set(RESTRICTION_KINDS) - set(kinds))}, "
                              f"unknown {sorted(set(kinds) - set(RESTRICTION_KINDS))}")
    descriptions: dict[str, str] = {}
    zh: dict[str, tuple[str, ...]] = {}
    for kind, item in kinds.items():
        w = f"{kinds_file.name}: kinds.{kind}"
        item = _map(item, w)
        if not isinstance(item.get("description"), str):
            raise VocabularyError(f"{w}: needs a `description`")
        descriptions[kind] = item["description"]
        unknown = set(item) - {"description", "zh", "purposes", "field_of_use"}
        if unknown:
            raise VocabularyError(f"{w}: unknown keys {sorted(unknown)}")
        if "zh" in item:
            zh[kind] = _strs(item["zh"], f"{w}.zh")
            _check_patterns(zh[kind], f"{w}.zh", compile_check)
    _field_of_use(kinds, kinds_file.name)
    zt = _map(kinds_data.get("zh_thresholds"), f"{kinds_file.name}: zh_thresholds")
    _strs(zt.get("comparators"), f"{kinds_file.name}: zh_thresholds.comparators")
    for key in ("license_consequence", "attribution_consequence"):
        if not isinstance(zt.get(key), str):
            raise VocabularyError(f"{kinds_file.name}: zh_thresholds.{key} must be a pattern")
        _check_patterns((zt[key],), f"{kinds_file.name}: zh_thresholds.{key}", compile_check)
    modality_data = _map(kinds_data.get("modality"), f"{kinds_file.name}: modality")
    modality = {}
    for key in ("prohibition", "limitation", "obligation", "permission", "condition", "negation"):
        modality[key] = _strs(modality_data.get(key), f"{kinds_file.name}: modality.{key}")
    uncl = _map(kinds_data.get("unclassified"), f"{kinds_file.name}: unclassified")
    return Vocabulary(
        places=places,
        user_units=tuple(user_units),
        revenue_qualifiers=_strs(rev.get("qualifiers"), f"{units_file.name}: revenue.qualifiers"),
        revenue_nouns=_strs(rev.get("nouns"), f"{units_file.name}: revenue.nouns"),
        monthly_words=_strs(rev.get("monthly_words"), f"{units_file.name}: revenue.monthly_words"),
        annual_words=_strs(rev.get("annual_words"), f"{units_file.name}: revenue.annual_words"),
        zh_revenue_nouns=_strs(rev.get("zh_nouns"), f"{units_file.name}: revenue.zh_nouns"),
        zh_monthly_words=_strs(rev.get("zh_monthly_words"), f"{units_file.name}: revenue.zh_monthly_words"),
        kinds=descriptions,
        harmful_purposes=_strs(_map(kinds.get("use_restrictions"), "use_restrictions").get("purposes"),
                               f"{kinds_file.name}: kinds.use_restrictions.purposes"),
        zh=zh,
        zh_thresholds=dict(zt),
        modality=modality,
        unclassified_subjects=_strs(uncl.get("subjects"), f"{kinds_file.name}: unclassified.subjects"),
        boilerplate=_strs(uncl.get("boilerplate"), f"{kinds_file.name}: unclassified.boilerplate"),
        zh_binding=_strs(uncl.get("zh_binding"), f"{kinds_file.name}: unclassified.zh_binding"),
        licensee=_strs(uncl.get("licensee"), f"{kinds_file.name}: unclassified.licensee"),
        not_bound=_strs(uncl.get("not_bound"), f"{kinds_file.name}: unclassified.not_bound"),
        mechanics=_strs(uncl.get("mechanics"), f"{kinds_file.name}: unclassified.mechanics"),
        weak_prohibition=_strs(modality_data.get("weak_prohibition"), f"{kinds_file.name}: modality.weak_prohibition"),
        not_prohibitions=_strs(modality_data.get("not_prohibitions"), f"{kinds_file.name}: modality.not_prohibitions"),
        zh_boilerplate=_strs(uncl.get("zh_boilerplate"), f"{kinds_file.name}: unclassified.zh_boilerplate"),
    )


@lru_cache(maxsize=1)
def load() -> Vocabulary:
    """The bundled vocabulary (``rules/vocabulary``)."""
    return load_from(rules_dir() / "vocabulary", compile_check=False)


def phrase_regex(phrases: tuple[str, ...] | list[str]) -> str:
    """One alternation of ``phrases`` (longest first), each escaped, spaces as ``\\s+``, "-" as ``[\\s-]``."""
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        words = [re.escape(w).replace(r"\-", r"[\s-]?") for w in p.split()]
        parts.append(r"\s+".join(words))
    return "(?:" + "|".join(parts) + ")"


def terms_regex(terms: tuple[str, ...] | list[str]) -> str:
    """``phrase_regex`` where an entry ending in "*" is a prefix ("warrant*": warranty, warranties)."""
    parts = []
    for p in sorted(set(terms), key=len, reverse=True):
        parts.append(_term_regex(p))
    return "(?:" + "|".join(parts) + ")"


def _term_regex(term: str) -> str:
    """One entry of ``terms_regex``."""
    words = [re.escape(w).replace(r"\-", r"[\s-]?") for w in term.rstrip("*").split()]
    return r"\s+".join(words) + (r"[\w-]{0,20}" if term.endswith("*") else "")


def _key_word(term: str) -> str | None:
    r"""A letter run every match of ``term`` holds as a whole letter run of the text (lower-cased): its longest one,
    taken from a word without "-" (``[\s-]?`` may join it to the next) that does not end a "*" prefix. None when
    the term has no such word."""
    words = term.rstrip("*").lower().split()
    if term.endswith("*"):
        words = words[:-1]
    runs = [r for w in words if "-" not in w for r in _LETTERS.findall(w)]
    return max(runs, key=len) if runs else None


def terms_pattern(terms: tuple[str, ...] | list[str]) -> LazyPattern:
    """Whole words or phrases of ``terms`` (see ``terms_regex``), ignoring case."""
    return _lazy(r"(?<![\w-])" + terms_regex(terms) + r"(?![\w-])", re.I)


_LETTERS = re.compile(r"[^\W\d_]+")


_WORDS_OF: list[tuple[str, str, frozenset[str]]] = []  # the last text read: (text, lower-cased, its words)


def _words_of(text: str) -> tuple[str, frozenset[str]]:
    """(``text`` lower-cased, the set of its letter runs); the last text's are kept, as several phrase sets
    read the same sentence one after the other."""
    if _WORDS_OF and _WORDS_OF[0][0] is text:
        return _WORDS_OF[0][1], _WORDS_OF[0][2]
    low = text.lower()
    words = frozenset(_LETTERS.findall(low))
    _WORDS_OF[:] = [(text, low, words)]
    return low, words


class PhraseSet:
    """Whole-word phrases (``terms_regex`` syntax: "*" ends a prefix), found with one compiled alternation run only
    on texts that hold the first word of some phrase (a set test), instead of on every sentence.

    ``subset=True`` (a long list of which a text names few, like the places): the alternation compiled holds only
    the phrases whose key word (``_key_word``) occurs in the texts read so far, in the same order, so it finds
    what the whole list finds; it grows when a text names more, and after ``_SUBSET_GROWTHS`` growths the whole
    list is compiled instead."""

    _SUBSET_GROWTHS = 3

    def __init__(self, terms: tuple[str, ...] | list[str], flags: int = re.I, *, subset: bool = False) -> None:
        body = terms_regex(terms)
        # compiled on first use (openaudit.lazyre): a phrase set whose first words never occur costs nothing
        self.pattern = _lazy(body + r"(?![\w-])", flags)  # anchored use: .match at a known word start
        self.full = _lazy(r"(?<![\w-])" + body + r"(?![\w-])", flags)
        firsts: set[str] = set()
        prefixes: set[str] = set()
        for t in terms:
            words = _LETTERS.findall(t.rstrip("*").lower())
            if not words:
                raise VocabularyError(f"phrase {t!r} has no letters")
            if t.endswith("*") and len(words) == 1:
                prefixes.add(words[0])
            else:
                firsts.add(words[0])
        self.firsts = frozenset(firsts)
        self.prefixes = tuple(sorted(prefixes))
        self._flags = flags
        self._subset = subset
        if subset:
            self._ordered = sorted(set(terms), key=len, reverse=True)  # the order of terms_regex
            keyed: dict[str, list[int]] = {}
            self._unkeyed = frozenset(i for i, t in enumerate(self._ordered) if _key_word(t) is None)
            for i, t in enumerate(self._ordered):
                k = _key_word(t)
                if k is not None:
                    keyed.setdefault(k, []).append(i)
            self._keyed = keyed
            self._keys = frozenset(keyed)
            # (phrases compiled, their pattern or None, growths so far): replaced as a whole (threads share it);
            # _anchored: the same for ``match`` (no look-behind: run at a known word start)
            self._current: tuple[frozenset[int], re.Pattern[str] | None, int] = (frozenset(), None, 0)
            self._anchored: tuple[frozenset[int], re.Pattern[str] | None, int] = (frozenset(), None, 0)

    def may_occur(self, text: str) -> bool:
        low, words = _words_of(text)
        if not self.firsts.isdisjoint(words):
            return True
        return any(p in low for p in self.prefixes)

    def _matcher(self, text: str, anchored: bool = False) -> re.Pattern[str] | LazyPattern | None:
        """What to run on ``text`` (``may_occur`` was true): the whole list (``full``, or ``pattern`` when
        ``anchored``), or a subset holding every phrase that can occur in it; None when none can."""
        if not self._subset:
            return self.pattern if anchored else self.full
        _, words = _words_of(text)
        needed = self._unkeyed.union(*(self._keyed[k] for k in self._keys.intersection(words)))
        if not needed:
            return None
        have, pattern, growths = self._anchored if anchored else self._current
        if pattern is not None and needed <= have:
            return pattern
        if growths >= self._SUBSET_GROWTHS:
            return self.pattern if anchored else self.full
        have = have | needed
        body = "(?:" + "|".join(_term_regex(t) for i, t in enumerate(self._ordered) if i in have) + ")"
        pattern = re.compile(body + r"(?![\w-])" if anchored else r"(?<![\w-])" + body + r"(?![\w-])", self._flags)
        if anchored:
            self._anchored = (have, pattern, growths + 1)
        else:
            self._current = (have, pattern, growths + 1)
        return pattern

    def match(self, text: str, pos: int) -> re.Match[str] | None:
        """A phrase starting right at ``pos`` (``pattern.match``), run only when one can occur in ``text``."""
        if not self.may_occur(text):
            return None
        m = self._matcher(text, anchored=True)
        return None if m is None else m.match(text, pos)

    def finditer(self, text: str, lo: int = 0, hi: int | None = None):
        if not self.may_occur(text):
            return iter(())
        m = self._matcher(text)
        return iter(()) if m is None else m.finditer(text, lo, len(text) if hi is None else hi)

    def search(self, text: str, lo: int = 0, hi: int | None = None) -> re.Match[str] | None:
        if not self.may_occur(text):
            return None
        m = self._matcher(text)
        return None if m is None else m.search(text, lo, len(text) if hi is None else hi)


def phrase_pattern(phrases: tuple[str, ...] | list[str], flags: int = re.I) -> LazyPattern:
    r"""A pattern finding any of ``phrases`` as whole words (``\b`` only next to a word character)."""
    return _lazy(r"(?<![\w-])" + phrase_regex(phrases) + r"(?![\w-])", flags)
