"""What a regular expression cannot match without: its necessary literals, a cheap test before SRE runs.

Most searches of the license reader find nothing: a sentence holding "notice" rarely holds a whole attribution
clause, and SRE tries every alternative of a pattern at every position of the sentence before it says so
(without a literal prefix to skip ahead to, as under ``re.IGNORECASE``). ``derive`` reads a pattern's parse
tree and returns a formula over the literals any match must contain, e.g. for
``\\bretain\\w*\\b[^.;]{0,120}?\\b(?:notices?|credit)\\b|\\bgive\\s+credit\\b``::

    ("or", (("and", (("lit", "retain"), ("or", (("lit", "notice"), ("lit", "credit"))))),
            ("and", (("lit", "give"), ("lit", "credit")))))

``FilteredPattern.search`` and ``finditer`` evaluate it on the lower-cased text (a few ``str in str`` tests)
and run the pattern only if it holds. The formula is necessary, never sufficient, so results are exactly
those of the pattern:

- literals are lower-cased and tested on ``text.lower()``; that is sound for ASCII literals as long as no
  character of the text other than an ASCII letter case-folds to one (dotless i, long s; dotted capital I
  lower-cases to two characters, which the length test catches), so on such text no test is made;
- only what every match must contain is kept: a literal run, every part of a sequence, every alternative of a
  branch (a branch with an unconstrained alternative is unconstrained), the body of a repeat of at least one;
  optional parts, character classes, look-arounds, anchors and back-references constrain nothing;
- literals with other than ASCII characters are cut at those characters.

Formulas are plain tuples, cached with the regex code (``lazyre``): deriving them parses the pattern.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

from openaudit.lazyre import LazyPattern, from_args, sre_args

__all__ = ["FilteredPattern", "compile", "derive", "faithful", "holds"]

Formula = tuple  # ("lit", str) | ("and", tuple[Formula, ...]) | ("or", tuple[Formula, ...])
_MAX_AND = 3  # parts of a sequence kept: the most selective


def derive(pattern: str, flags: int = 0) -> Formula | None:
    """The necessary-literal formula of a pattern, or None if nothing is necessary."""
    from re import _parser  # type: ignore[attr-defined]

    return _seq(_parser.parse(pattern, flags).data)


def _strength(f: Formula) -> int:
    if f[0] == "lit":
        return len(f[1])
    if f[0] == "or":
        return min(_strength(c) for c in f[1])
    return max(_strength(c) for c in f[1])


def _seq(items: list) -> Formula | None:
    from re import _constants as c  # type: ignore[attr-defined]

    parts: list[Formula] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            parts.append(("lit", "".join(run)))
            run.clear()

    for op, av in items:
        if op is c.LITERAL:
            ch = chr(av)
            if ch.isascii():
                run.append(ch.lower())
            else:
                flush()
            continue
        flush()
        f = _node(op, av)
        if f is not None:
            parts.append(f)
    flush()
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    parts.sort(key=_strength, reverse=True)
    return ("and", tuple(parts[:_MAX_AND]))


def _node(op: Any, av: Any) -> Formula | None:
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.SUBPATTERN:
        return _seq(av[3].data)
    if op is c.ATOMIC_GROUP:
        return _seq(av.data)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        lo, _hi, sub = av
        return _seq(sub.data) if lo >= 1 else None
    if op is c.BRANCH:
        alts = []
        for sub in av[1]:
            f = _seq(sub.data)
            if f is None:
                return None
            alts.append(f)
        flat: list[Formula] = []
        for f in alts:
            flat.extend(f[1] if f[0] == "or" else (f,))
        uniq = tuple(dict.fromkeys(flat))
        return uniq[0] if len(uniq) == 1 else ("or", uniq)
    return None  # IN, ANY, NOT_LITERAL, AT, ASSERT(_NOT), GROUPREF(_EXISTS), CATEGORY...


Clauses = tuple  # ((("give",), ("credit", "notice")), (("retain",),)): any group of which every clause has a word


def clauses(f: Formula) -> Clauses:
    """The formula as an OR of ANDs of OR-sets of literals: exact where the formula has that shape (alternatives
    of sequences of words or word choices), weaker (still necessary) where it nests deeper: an alternative inside
    a sequence becomes one OR-set, of one OR-set of each of its sequences."""
    kind, arg = f
    if kind == "lit":
        return (((arg,),),)
    if kind == "or":
        out: list = []
        for x in arg:
            out.extend(clauses(x))
        return tuple(dict.fromkeys(out))
    group: list = []
    for x in arg:
        sub = clauses(x)
        if len(sub) == 1:
            group.extend(sub[0])
        else:  # weaken (A and B) or (C and D) to (A or C): a match of either holds one of them
            group.append(tuple(dict.fromkeys(w for alt in sub for w in alt[0])))
    return (tuple(dict.fromkeys(group)),)


def _test(groups: Clauses) -> Callable[[str], bool]:
    """Whether a lower-cased text satisfies the clauses (one loop, no nested calls: this runs before most
    searches of the reader)."""
    def test(low: str) -> bool:
        for group in groups:
            for words in group:
                for w in words:
                    if w in low:
                        break
                else:
                    break  # no word of this OR-set: the group fails
            else:
                return True
        return False
    return test


def faithful(text: str, low: str) -> bool:
    """Whether ``low`` (``text.lower()``) can stand for ``text`` under ``re.IGNORECASE``: lower-casing kept every
    character's position, and no character other than an ASCII letter case-folds to one (the dotless i and
    long s do; lower() keeps them). An ASCII text always can."""
    return text.isascii() or (len(low) == len(text) and "\u0131" not in low and "\u017f" not in low)


def holds(formula: Formula | None, text: str) -> bool:
    """Whether ``text`` may match a pattern with this formula (True whenever the test cannot be trusted)."""
    if formula is None:
        return True
    low = text.lower()
    return not faithful(text, low) or _test(clauses(formula))(low)


_EMPTY: tuple = ()
_last_lowered: tuple[str, str] = ("", "")  # (text, text.lower()) of the last search (one tuple: thread-safe)


def lowered(pattern: str, flags: int) -> tuple | None:
    """``_sre.compile`` arguments of the pattern for lower-cased text: an ``re.IGNORECASE`` pattern with its
    literals lower-cased and the flag dropped, so SRE compares characters directly (about twice as fast) and
    matches exactly where the original matches the text it was lowered from (a text passing the ``holds``
    checks). None when that cannot be promised: a case-sensitive pattern, inline flags, a cased literal outside
    ASCII, a class range of cased characters outside ASCII."""
    from re import _compiler, _parser  # type: ignore[attr-defined]
    from re import _constants as c  # type: ignore[attr-defined]

    if not flags & re.IGNORECASE or flags & (re.LOCALE | re.ASCII):
        return None
    p = _parser.parse(pattern, flags)
    if p.state.flags & ~(flags | re.UNICODE):
        return None  # inline flags

    def cased(ch: int) -> bool:
        x = chr(ch)
        return x.lower() != x or x.upper() != x

    def fix_set(items: list) -> list | None:
        out = []
        for op, av in items:
            if op is c.LITERAL:
                if av > 127 and cased(av):
                    return None
                out.append((op, ord(chr(av).lower()) if av < 128 else av))
            elif op is c.RANGE:
                lo, hi = av
                if any(cased(ch) for ch in range(max(lo, 128), hi + 1)):
                    return None
                out.append((op, av))
                a, b = max(lo, 65), min(hi, 90)
                if a <= b:
                    out.append((op, (a + 32, b + 32)))
            elif op in (c.NEGATE, c.CATEGORY):
                out.append((op, av))
            else:
                return None
        return out

    def fix(sub) -> bool:
        data = sub.data
        for i, (op, av) in enumerate(data):
            if op is c.LITERAL or op is c.NOT_LITERAL:
                if av > 127 and cased(av):
                    return False
                if av < 128:
                    data[i] = (op, ord(chr(av).lower()))
            elif op is c.IN:
                items = fix_set(av)
                if items is None:
                    return False
                data[i] = (op, items)
            elif op is c.SUBPATTERN:
                if av[1] or av[2] or not fix(av[3]):
                    return False
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                if not fix(av[2]):
                    return False
            elif op is c.BRANCH:
                if not all(fix(x) for x in av[1]):
                    return False
            elif op in (c.ASSERT, c.ASSERT_NOT):
                if not fix(av[1]):
                    return False
            elif op is c.ATOMIC_GROUP:
                if not fix(av):
                    return False
            elif op not in (c.AT, c.ANY, c.CATEGORY):
                return False  # back-references and anything else: keep the original
        return True

    if not fix(p):
        return None
    low_flags = int((flags & ~re.IGNORECASE) | re.UNICODE)
    p.state.flags = low_flags
    return sre_args(p, low_flags, _with_first_chars(_compiler._code(p, low_flags), p, low_flags))


def _first_chars(data: list) -> tuple[list | None, bool]:
    """(character-class items one of which starts every match, whether the sequence can match empty); None
    items when they cannot be told (a negated class, any character, a back-reference)."""
    from re import _constants as c  # type: ignore[attr-defined]

    items: list = []
    for op, av in data:
        if op is c.LITERAL:
            items.append((op, av))
            return items, False
        if op is c.IN:
            if any(o is c.NEGATE for o, _ in av):
                return None, False
            items.extend(av)
            return items, False
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: the next item starts the match
        if op in (c.SUBPATTERN, c.ATOMIC_GROUP):
            sub, empty = _first_chars((av[3] if op is c.SUBPATTERN else av).data)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            sub, empty = _first_chars(av[2].data)
            empty = empty or av[0] == 0
        elif op is c.BRANCH:
            sub, empty = [], False
            for alt in av[1]:
                got, alt_empty = _first_chars(alt.data)
                if got is None:
                    return None, False
                sub.extend(got)
                empty = empty or alt_empty
        else:
            return None, False
        if sub is None:
            return None, False
        items.extend(sub)
        if not empty:
            return items, False
    return items, True


def _with_first_chars(code: list, p: Any, flags: int) -> list:
    """``code`` with an info block naming the characters a match can start with, when SRE found neither a
    literal prefix nor such a set itself (a pattern starting with ``\\b`` or an alternation of groups): its
    search then skips every other position in C instead of trying the pattern there."""
    from re import _compiler  # type: ignore[attr-defined]
    from re import _constants as c  # type: ignore[attr-defined]

    if code[0] != c.INFO or code[2] != 0 or p.getwidth()[0] == 0:
        return code
    items, empty = _first_chars(p.data)
    if not items or empty:
        return code

    class _FirstChars:  # what _compile_info reads of a pattern: its width, and a class to start with
        data = [(c.IN, items)]

        @staticmethod
        def getwidth() -> tuple[int, int]:
            return p.getwidth()

    info: list = []
    _compiler._compile_info(info, _FirstChars, flags)
    if info[2] != c.SRE_INFO_CHARSET:
        return code
    return info + code[1 + code[1]:]


class FilteredPattern(LazyPattern):
    """A lazily compiled pattern whose ``search`` and ``finditer`` first test the necessary literals, then (for
    an ``re.IGNORECASE`` pattern) run a lower-case copy of the pattern on the lower-cased text; only a text it
    matches is searched with the pattern itself, from where the copy matched, for the match object."""

    def compiled(self) -> re.Pattern[str]:
        p = self.__dict__.get("_compiled")
        if p is None:
            p = super().compiled()
            formula, low_args = _derived(*self._args)
            if formula is None and low_args is None:
                return p
            test = _test(formula) if formula is not None else None
            low_p = from_args(self._args[0], low_args) if low_args is not None else None
            low_search = low_p.search if low_p is not None else None
            search, finditer = p.search, p.finditer
            max_len = sys.maxsize

            def first(text: str, pos: int, endpos: int) -> int:
                """-1: no match; else where to search from (pos, or where the lower-case copy matched)."""
                global _last_lowered
                last = _last_lowered  # callers search one sentence with many patterns: lower it once
                if last[0] is text:
                    low = last[1]
                else:
                    low = text.lower()
                    _last_lowered = (text, low)
                if not faithful(text, low):
                    return pos  # no promise on this text: the pattern decides
                if test is not None and not test(low if pos <= 0 and endpos >= len(text)
                                                 else low[max(pos, 0):max(endpos, 0)]):
                    return -1
                if low_search is None:
                    return pos
                m = low_search(low, pos, endpos)
                return -1 if m is None else m.start()

            def filtered_search(text: str, pos: int = 0, endpos: int = max_len) -> re.Match[str] | None:
                at = first(text, pos, endpos)
                return None if at < 0 else search(text, at, endpos)

            def filtered_finditer(text: str, pos: int = 0, endpos: int = max_len):
                at = first(text, pos, endpos)
                return iter(_EMPTY) if at < 0 else finditer(text, at, endpos)

            self.__dict__["search"] = filtered_search
            self.__dict__["finditer"] = filtered_finditer
        return p


_derivations: dict[tuple[str, int], tuple] | None = None
_registered: list[tuple[str, int]] = []


def _derive_all(pattern: str, flags: int) -> tuple:
    try:
        low = lowered(pattern, flags)
    except Exception:
        low = None
    try:
        formula = derive(pattern, flags)
        groups = clauses(formula) if formula is not None else None
    except Exception:  # another Python's parser: search without the test
        groups = None
    return groups, low


def _derived(pattern: str, flags: int) -> tuple:
    """(``clauses`` of the formula, lower-case code) of a pattern."""
    global _derivations
    if _derivations is None:
        _derivations = _load()
    key = (pattern, int(flags))
    got = _derivations.get(key)
    if got is None:
        got = _derivations[key] = _derive_all(*key)
    return got


def _load() -> dict[tuple[str, int], tuple]:
    """The derivations of every pattern made with ``compile`` so far: from the data cache when they and this
    module are unchanged, else derived (a parse and a code generation per pattern, ~0.5 ms apiece)."""
    from pathlib import Path

    from openaudit import datacache

    if not datacache.enabled():
        return {}  # derived one by one, for the patterns a run uses
    keys = sorted(set(_registered))

    def build() -> dict:
        return {key: _derive_all(*key) for key in keys}

    return dict(datacache.cached("prefilters", [Path(__file__)], build, expect=dict, inputs=repr(keys)))


def compile(pattern: str, flags: int = 0) -> Any:  # noqa: A001 - mirrors re.compile
    """Like ``lazyre.compile``, with a necessary-literal test before each ``search`` and ``finditer``."""
    _registered.append((pattern, int(flags)))
    return FilteredPattern(pattern, flags)
