"""GGUF header reading speed: openaudit's bounded reader on a header the size of a real model's (issue #19).

A Llama 3 GGUF carries a 128,256-token vocabulary and ~280,000 merges in its header; both are string arrays
the reader skips by their length prefixes. This writes such a header with the ``gguf`` package (test extra)
and times ``openaudit.sources.gguf.read_header`` on it, and the ``gguf`` package's own ``GGUFReader`` for
comparison (it maps every field with numpy).

    python bench/gguf_header.py            # 7 runs each; --tokens N --merges N --runs N --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def write(path: Path, tokens: int, merges: int) -> None:
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(path), arch="llama")
    w.add_name("bench")
    w.add_license("llama3.1")
    w.add_token_list([f"token{i}" for i in range(tokens)])
    w.add_token_merges([f"a{i} b{i}" for i in range(merges)])
    w.add_tensor("output.weight", np.zeros((16, 16), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=128_256)
    ap.add_argument("--merges", type=int, default=280_147)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from openaudit.sources.gguf import read_header

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "bench.gguf"
        write(p, args.tokens, args.merges)
        size = p.stat().st_size
        ours = timed(lambda: read_header(p), args.runs)
        try:
            import gguf

            theirs = timed(lambda: gguf.GGUFReader(str(p)), max(1, args.runs // 2))
        except ImportError:
            theirs = []
    result = {"header_bytes": size, "tokens": args.tokens, "merges": args.merges,
              "openaudit_median_s": round(statistics.median(ours), 4),
              "gguf_reader_median_s": round(statistics.median(theirs), 4) if theirs else None}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for k, v in result.items():
            print(f"{k:22} {v}")


if __name__ == "__main__":
    main()
