"""CPU time of `openaudit check DIR` on generated hostile cards of up to 2 MiB (issue 15: every reader linear,
no audit of a card of at most 2 MiB over 5 s).

Each card is written to a temporary directory and checked in a fresh process (`--format json`); the CPU time of
that process (user + system, from wait4) is reported with the bar. The size doubles from --min-kib to 2048 KiB,
so a super-linear reader shows as a time that more than doubles per step.

    python bench/hostile_cards.py                 # every shape, 256 KiB to 2 MiB
    python bench/hostile_cards.py --only urls_line --min-kib 64
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BAR_SECONDS = 5.0
HEAD = "---\nlicense: mit\n---\n# M\n\n"


def _repeat(unit: str, size: int, prefix: str = "") -> str:
    return prefix + unit * max(1, (size - len(prefix)) // len(unit))


SHAPES = {
    "commas_training_data": lambda n: _repeat("1,", n, "## Training data\n\n"),
    "dots_training_data": lambda n: _repeat("1.", n, "## Training data\n\n"),
    "urls_line": lambda n: _repeat("https://e.example/abc ", n),
    "hub_links_line": lambda n: _repeat("fine-tuned from https://huggingface.co/o/m ", n),
    "markdown_links_line": lambda n: _repeat("[r](https://github.com/o/r) ", n, "training code "),
    "nested_brackets": lambda n: _repeat("[[a](b)", n),
    "heading_spaces": lambda n: "# a" + " " * (n - 4) + "b",
    "table_rows": lambda n: _repeat("| 1 | 2 |\n", n, "## Evaluation\n| a | b |\n|---|---|\n"),
    "heading_lines": lambda n: _repeat("# h\n", n),
    "numbered_headings": lambda n: "".join(f"## h{i}\n" for i in range(n // 9))[:n],
    "html_headings": lambda n: _repeat("<h2>h</h2>\n", n),
    "list_items": lambda n: _repeat("- a\n", n),
    "short_paragraphs": lambda n: _repeat("a\n\n", n),
    "keyword_paragraph": lambda n: _repeat("the licensed data is not released\n", n),
    "fence_lines": lambda n: _repeat("```\n", n),
    "comment_lines": lambda n: _repeat("<!-- c -->\n", n),
    "text_lines": lambda n: _repeat("trained on data\n", n),
    "sentences": lambda n: _repeat("A. ", n),
}


def cpu_of(card: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as d:
        Path(d, "README.md").write_text(HEAD + card + "\n", encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "openaudit", "check", d, "--format", "json"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "OPENAUDIT_CPU_LIMIT": "600"})
        _, status, usage = os.wait4(proc.pid, 0)
        return usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", choices=sorted(SHAPES))
    ap.add_argument("--min-kib", type=int, default=256)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sizes = []
    k = args.min_kib
    while k < 2048:
        sizes.append(k)
        k *= 2
    sizes.append(2048)
    rows = []
    for name in args.only or sorted(SHAPES):
        times = []
        for kib in sizes:
            cpu, code = cpu_of(SHAPES[name](kib * 1024 - len(HEAD) - 1))
            times.append({"kib": kib, "cpu_s": round(cpu, 2), "exit": code})
        rows.append({"shape": name, "runs": times, "over_bar": times[-1]["cpu_s"] > BAR_SECONDS})
        if not args.json:
            cells = "  ".join(f"{t['kib']:>5} KiB {t['cpu_s']:6.2f} s" for t in times)
            print(f"{name:22s} {cells}{'  OVER 5 s' if rows[-1]['over_bar'] else ''}", flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
    return 1 if any(r["over_bar"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
