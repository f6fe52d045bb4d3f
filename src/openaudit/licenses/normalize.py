"""One normalisation step before a license text is read, so that text tricks do not hide a clause.

Each line is normalised on its own and the number of lines never changes, so a citation (``file:line``)
computed on the normalised text points at the same line of the file. Per line, in order:

1. HTML character references are decoded (``&shy;``, ``&nbsp;``, ``&#8203;``).
2. HTML tags and comments are removed: inline tags (``<b>``, ``<a href=...>``, ``<span>``) without a trace,
   block tags (``<br>``, ``<p>``, ``<div>``) as a space.
3. Unicode NFKC (full-width letters, ligatures, compatibility digits).
4. Format characters (category Cf: soft hyphen, zero-width space/joiners, word joiner, BOM, bidi controls)
   are removed without inserting a space ("com\\u00admercial" is "commercial"); a soft hyphen ending a line
   becomes "-", a word broken across the line break, which the reader joins.
5. On a line written mostly in Latin letters, letters of other scripts that look like ASCII letters
   (``rules/vocabulary/confusables.yaml``) are folded to them.
6. Markdown links ``[text](url)`` keep their text; emphasis markers (``*a*``, ``_a_``, ``**a**``, ``~~a~~``,
   a marker inside a word) are removed; ``snake_case`` and list bullets are kept.
7. Typographic quotes, dashes and spaces become their ASCII forms.

Every step is a plain ``re`` substitution with bounded repetitions or a character table: linear per line.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from openaudit.lazyre import compile as _lazy

__all__ = ["normalize_line", "normalize_lines"]

_ENTITY = _lazy(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_COMMENT = _lazy(r"<!--.{0,2000}?-->")
_TAG = _lazy(r"</?(?P<name>[A-Za-z][A-Za-z0-9]{0,15})\b[^<>]{0,500}>|</?>")
_BLOCK_TAGS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "hr", "h1", "h2", "h3",
                         "h4", "h5", "h6", "blockquote", "pre", "section", "article", "header", "footer", "dd",
                         "dt", "dl"})
_MD_LINK = _lazy(r"!?\[(?P<text>[^\[\]]{0,300})\]\((?:[^()\s]{0,500})(?:\s+\"[^\"]{0,200}\")?\)")
# Emphasis: a run of * or ~ anywhere but before a space at the start (a bullet); _ only at a word's edge.
_EMPHASIS = _lazy(r"(?<=\S)[*~]{1,3}|[*~]{1,3}(?=\S)|(?<![A-Za-z0-9])_{1,3}(?=\w)|(?<=\w)_{1,3}(?![A-Za-z0-9])")
_BULLET_STAR = _lazy(r"^(\s{0,12})\*(?=\s)")

# Same-length replacements of typographic characters.
_CHARMAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\t": " ", "\u3000": " ",
})


@lru_cache(maxsize=1)
def _confusables() -> dict[int, str]:
    from openaudit.licenses.vocabulary import VocabularyError
    from openaudit.paths import rules_dir
    from openaudit.yamlutil import load_file

    data = load_file(rules_dir() / "vocabulary" / "confusables.yaml")
    table = data.get("confusables") if isinstance(data, dict) else None
    if not isinstance(table, dict) or not all(
            isinstance(k, str) and len(k) == 1 and isinstance(v, str) and v.isascii() and v.isalpha()
            for k, v in table.items()):
        raise VocabularyError("confusables.yaml: `confusables` must map single characters to ASCII letters")
    return {ord(k): v for k, v in table.items()}


def _tag(m) -> str:
    name = (m.group("name") or "").lower()
    return " " if name in _BLOCK_TAGS else ""


# Unicode category Cf (format characters) as of Unicode 14-15: soft hyphen, zero-width space and joiners, bidi
# controls, word joiner, invisible operators, BOM, interlinear annotation, tags.
_FORMAT = _lazy(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_LATIN = _lazy(r"[A-Za-z]")
_OTHER_LETTER = _lazy(r"[^\W\d_A-Za-z]")


def _strip_format(text: str) -> str:
    """Remove format characters (Cf); a soft hyphen ending the line becomes "-"."""
    end_soft = text.rstrip(" \t").endswith("\u00ad")
    out = _FORMAT.sub("", text)
    if end_soft:
        out = out.rstrip(" \t") + "-"
    return out


@lru_cache(maxsize=1)
def _confusable_class():
    import re

    return re.compile("[" + "".join(chr(c) for c in _confusables()) + "]")


def _fold_confusables(text: str) -> str:
    if _confusable_class().search(text) is None:
        return text
    if len(_LATIN.findall(text)) < len(_OTHER_LETTER.findall(text)):
        return text  # a line written in another script
    return text.translate(_confusables())


def normalize_line(line: str) -> str:
    """The line as the reader reads it (see the module docstring). Never adds or removes a line break."""
    text = line
    if "&" in text:
        import html  # here: its entity table costs ~1 ms at start-up, and most texts have no "&"

        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    if "<" in text:
        text = _COMMENT.sub("", text)
        text = _TAG.sub(_tag, text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _strip_format(text)
        text = _fold_confusables(text)
    text = text.replace("\r", "").replace("\n", " ")
    if "](" in text:
        text = _MD_LINK.sub(lambda m: m.group("text"), text)
    if "*" in text or "_" in text or "~" in text:
        bullet = _BULLET_STAR.match(text)
        head = ""
        if bullet:
            head, text = text[:bullet.end()], text[bullet.end():]
        text = head + _EMPHASIS.sub("", text)
    return text.translate(_CHARMAP)


# A run of ASCII lines holding none of these is left unchanged by ``normalize_line`` (each of its steps needs one;
# "](" for a link: joining lines can only add a false "](", which only sends the run down the slow path).
_ACTIVE = ("&", "<", "\r", "\n", "](", "*", "_", "~", "\t")
_RUN = 256


def normalize_lines(lines: list[str]) -> list[str]:
    """``normalize_line`` of every line (an empty line stays empty). Runs of lines no step can change are
    copied as they are: one test per run, not per line."""
    out: list[str] = []
    for i in range(0, len(lines), _RUN):
        run = lines[i:i + _RUN]
        joined = "".join(run)
        if joined.isascii() and not any(a in joined for a in _ACTIVE):
            out += run
        else:
            out += [normalize_line(line) if line else line for line in run]
    return out
