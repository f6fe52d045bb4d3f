#!/usr/bin/env python3
"""Build rules/licenses/index/ (derived data for coverage identification) from canonical license texts.

The project carries no copy of the texts: for each catalog entry this writes the hashes of the text's word
shingles in order, its fill-in and optional word ranges, the positions of its version number and its short
section headings (see src/openaudit/licenses/coverage.py), and the source it was built from (path and SHA-256).

Sources, first found wins:
  1. the shared corpus: <corpus>/licenses/<id>.txt, licenses/variants/<id>.txt, licenses/scancode/<id>.LICENSE,
     then the same under the released evaluation set (<corpus>/evaluation-2026-11/)
  2. ScanCode's license database, as packaged on PyPI (licensedcode-data): <scancode-data>/<key>.LICENSE for the
     entry's `scancode` keys (get it with `pip download --no-deps licensedcode-data==32.1.0` and unzip it)

Usage: python scripts/build_license_index.py [--corpus ../shared/corpus] [--scancode-data DIR]
Entries with no text found keep fingerprint matching only (listed at the end). Output is deterministic.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from openaudit.licenses import coverage  # noqa: E402
from openaudit.licenses.catalog import load_entries  # noqa: E402
from openaudit.licenses.textmatch import tokens  # noqa: E402

# A fill-in field: a bracketed placeholder with a letter in it, not a markdown link "[text](url)".
PLACEHOLDER = re.compile(r"\[[^\[\]\n]*[A-Za-z][^\[\]\n]{0,78}\](?!\()|<[^<>\n]*[A-Za-z][^<>\n]{0,78}>|"
                         r"\{[^{}\n]*[A-Za-z][^{}\n]{0,40}\}")
HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S|(?:article|section|part|chapter)\s+[0-9ivx]+\b|"
                     r"[0-9]{1,2}(?:\.[0-9]{1,2})*\.?\s+[A-Z“\"]|"
                     r"[IVX]{1,5}\.\s+\S|[A-Z][A-Z0-9 ,.&'’:-]{6,}$)")
# A numbered clause that opens with its title: "2. Additional Commercial Terms. If, on ..."
TITLED = re.compile(r"^\s*((?:[0-9]{1,2}(?:\.[0-9]{1,2})*\.?|[IVX]{1,5}\.|\([a-z]\))\s+[A-Z][^.:\n]{2,70}[.:])\s")
OPTIONAL_FROM = ["end", "of", "terms", "and", "conditions"]


def _running_text(line: str) -> bool:
    """A line that is the license's own running text rather than a heading (a wrapped warranty disclaimer, a
    numbered clause that starts with a sentence): more than seven words after its number, or a comma in it. The
    index keeps only short headings, never the license's sentences."""
    words = line.lstrip("#").split()
    if words and re.fullmatch(r"\(?[0-9ivxIVX]{1,5}(?:\.[0-9]{1,2})*[.)]?", words[0]):
        words = words[1:]
    return len(words) > 7 or "," in line


EVALUATION = "evaluation-2026-11/"  # the released evaluation set's texts (released for building on 2026-12-06)
# Corpus files named otherwise than the entry (checked by hand: same title, version and date).
ALIASES = {"yi-1.0": "licenses/variants/yi-v1.0.txt",
           "nvidia-open-model-license": "licenses/scancode/nvidia-open-model.LICENSE",
           "nexusflow": EVALUATION + "licenses/nexusraven-v2.txt"}


def find_text(entry, corpus: Path, scancode_data: Path | None) -> tuple[str, str] | None:
    alias = [ALIASES[entry.id]] if entry.id in ALIASES else []
    for rel in (*alias, *(f"{d}licenses/{entry.id}.txt" for d in ("", EVALUATION)),
                *(f"{d}licenses/variants/{entry.id}.txt" for d in ("", EVALUATION)),
                *(f"{d}licenses/scancode/{entry.id}.LICENSE" for d in ("", EVALUATION))):
        p = corpus / rel
        if p.is_file():
            return p.read_text(encoding="utf-8", errors="replace"), f"shared/corpus/{rel}"
    if scancode_data is not None:
        for key in entry.scancode or [entry.id]:
            p = scancode_data / f"{key}.LICENSE"
            if p.is_file():
                return (p.read_text(encoding="utf-8", errors="replace"),
                        f"licensedcode-data 32.1.0 (PyPI): licensedcode/data/licenses/{key}.LICENSE")
    return None


def ranges(flags: list[bool]) -> list[list[int]]:
    out: list[list[int]] = []
    for k, f in enumerate(flags):
        if f:
            if out and out[-1][1] == k:
                out[-1][1] = k + 1
            else:
                out.append([k, k + 1])
    return out


def build(entry, text: str, source: str) -> dict:
    words, where = tokens(text)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A fill-in field is a bracketed placeholder used once or twice ("[yyyy]", "<copyright holders>"); a bracketed
    # word repeated through the text is a name ("FLUX.1 [dev]"). On a short line (a copyright or title line) the
    # whole line is fill-in; on a longer one only the placeholder's own words.
    counts: dict[str, int] = {}
    for m in PLACEHOLDER.finditer(text):
        counts[m.group(0).lower()] = counts.get(m.group(0).lower(), 0) + 1
    by_line: dict[int, list[int]] = {}
    for k, ln in enumerate(where):
        by_line.setdefault(ln, []).append(k)
    fill = [False] * len(words)
    for n, line in enumerate(raw_lines, start=1):
        found = [m for m in PLACEHOLDER.finditer(line) if counts.get(m.group(0).lower(), 0) <= 2]
        ks = by_line.get(n, [])
        if not found or not ks:
            continue
        if len(ks) <= 12:
            for k in ks:
                fill[k] = True
            continue
        line_words = [words[k] for k in ks]
        for m in found:
            sub = tokens(m.group(0))[0]
            for i in range(len(line_words) - len(sub) + 1):
                if sub and line_words[i:i + len(sub)] == sub:
                    for j in range(i, i + len(sub)):
                        fill[ks[j]] = True
                    break
    optional = [False] * len(words)
    for k in range(len(words) - len(OPTIONAL_FROM), 0, -1):
        if words[k:k + len(OPTIONAL_FROM)] == OPTIONAL_FROM:
            for j in range(k + len(OPTIONAL_FROM), len(words)):
                optional[j] = True
            break
    version = (entry.version or "").lower().lstrip("v")
    version_at = [k for k, w in enumerate(words) if version and re.fullmatch(r"[0-9]+(?:\.[0-9]+)+", version)
                  and w.lstrip("v") == version]
    headings = []
    first_word_of_line: dict[int, int] = {}
    for k, ln in enumerate(where):
        first_word_of_line.setdefault(ln, k)
    for ln, k in sorted(first_word_of_line.items()):
        line = raw_lines[ln - 1].strip()
        titled = TITLED.match(line)
        if HEADING.match(line) and len(line.split()) <= 10 and not _running_text(line):
            headings.append([k, " ".join(line.lstrip("#").split())[:80]])
        elif titled and len(titled.group(1).split()) <= 9 and not _running_text(titled.group(1)):
            headings.append([k, " ".join(titled.group(1).split())[:80]])
    hashes = coverage.shingles(words)
    return {
        "format": coverage.FORMAT,
        "id": entry.id,
        "source": {"path": source, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()},
        "k": coverage.K,
        "words": len(words),
        "hashes": coverage.pack(hashes),
        "fill_in": ranges(fill),
        "optional": ranges(optional),
        "version_at": version_at,
        "headings": headings,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--scancode-data", type=Path, default=None,
                    help="licensedcode/data/licenses of the licensedcode-data wheel")
    ap.add_argument("--out", type=Path, default=ROOT / "rules" / "licenses" / "index")
    args = ap.parse_args()
    entries = load_entries(ROOT / "rules" / "licenses")
    args.out.mkdir(parents=True, exist_ok=True)
    sketch: dict[str, str] = {}
    missing = []
    written = set()
    for e in sorted(entries, key=lambda e: e.id):
        if e.category == "family":
            continue
        found = find_text(e, args.corpus, args.scancode_data)
        if found is None:
            missing.append(e.id)
            continue
        data = build(e, *found)
        (args.out / f"{e.id}.json").write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n",
                                               encoding="utf-8")
        written.add(f"{e.id}.json")
        hs = sorted({h for h in coverage.unpack(data["hashes"]) if h % coverage.SKETCH_MOD == 0})
        sketch[e.id] = coverage.pack(hs)
    for old in args.out.glob("*.json"):
        if old.name != "_sketch.json" and old.name not in written:
            old.unlink()
    (args.out / "_sketch.json").write_text(
        json.dumps({"format": coverage.FORMAT, "k": coverage.K, "mod": coverage.SKETCH_MOD, "entries": sketch},
                   separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(written)} entries indexed; no text for {len(missing)}: {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
