"""Find where a phrase stands in a file, tolerant of case, whitespace, line wrapping and markdown."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from openaudit.evidence import SourceFile
from openaudit.lazyre import compile as _lazy
from openaudit.model import Citation
from openaudit.textutil import split_lines

_WORD = _lazy(r"[a-z0-9$€£¥]+(?:[.,][0-9]+)*")  # compiled when a phrase is first located


class WordIndex:
    """Lower-cased words of a text with the 1-based line each word stands on."""

    def __init__(self, lines: list[str]):
        from openaudit.licenses.textmatch import normalize_line

        self.lines = lines
        self.words: list[str] = []
        self.word_line: list[int] = []
        for i, line in enumerate(lines, start=1):
            for w in normalize_line(line):
                self.words.append(w)
                self.word_line.append(i)
        self._joined = " ".join(self.words)
        starts = []
        pos = 0
        for w in self.words:
            starts.append(pos)
            pos += len(w) + 1
        self._starts = starts

    def find(self, phrase: str) -> int | None:
        """Line of the first occurrence of ``phrase`` (compared word by word), or None."""
        from openaudit.licenses.textmatch import normalize_phrase

        needle = normalize_phrase(phrase)
        if not needle:
            return None
        idx = self._joined.find(needle)
        while idx != -1:
            end = idx + len(needle)
            if (idx == 0 or self._joined[idx - 1] == " ") and (end == len(self._joined) or self._joined[end] == " "):
                k = bisect_right(self._starts, idx) - 1
                return self.word_line[k]
            idx = self._joined.find(needle, idx + 1)
        return None


SHARED_INDEX_MAX_CHARS = 100_000  # texts up to this long share one index (every known license text is shorter)


def word_index(text: str) -> WordIndex:
    """The WordIndex of ``text`` split into lines (``SourceFile.lines``). A text's index is built once and shared
    by every phrase looked up in it (the known terms, the fingerprint line), and by every file of a batch with the
    same text (an organisation's models often ship one license file); a long text is indexed anew each time."""
    if len(text) > SHARED_INDEX_MAX_CHARS:
        return WordIndex(split_lines(text))
    return _shared_index(text)


@lru_cache(maxsize=8)
def _shared_index(text: str) -> WordIndex:
    return WordIndex(split_lines(text))


def quote_line(lines: list[str], line: int, limit: int = 300, phrase: str | None = None) -> str:
    """The text of a line, whitespace-collapsed; with ``phrase``, the sentence around it (spanning wrapped lines)."""
    if not 0 < line <= len(lines):
        return ""
    if phrase:
        words = _WORD.findall(phrase.lower())
        window = " ".join(" ".join(lines[i].split()) for i in range(line - 1, min(len(lines), line + 4)))
        pattern = r"\W+".join(re.escape(w) for w in words[:12])
        m = re.search(pattern, window, re.I) if pattern else None
        if m:
            start = max(window.rfind(". ", 0, m.start()) + 2, window.rfind("\n", 0, m.start()) + 1, 0)
            if start == 1:
                start = 0
            end = window.find(". ", m.end())
            text = window[start : end + 1 if end != -1 else len(window)].strip()
            if len(text) > limit:
                # keep the phrase visible: centre the window on it
                head = max(0, m.start() - start - limit // 3)
                text = ("…" if head else "") + text[head : head + limit - 2] + "…"
            return text
    text = " ".join(lines[line - 1].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def locate(phrase: str, files: list[SourceFile]) -> Citation | None:
    """Cite the first file and line where ``phrase`` occurs."""
    for f in files:
        if f.text is None:
            continue
        line = word_index(f.text).find(phrase)
        if line is not None:
            return Citation(source="file", file=f.name, line=f.source_line(line),
                            text=quote_line(f.lines, line, phrase=phrase))
    return None
