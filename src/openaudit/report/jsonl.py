"""JSON Lines output: one report object per line (the same object as ``--format json``), in the order given.

Suited to batches (``--from``, ``--author``): ``check`` writes each line as its target finishes (one call per
report, in the order targets finish), so a consumer can stream it line by line. ASCII-escaped like JSON."""

from __future__ import annotations

import json
from typing import TextIO

from openaudit.model import Report


def render_jsonl(reports: list[Report], out: TextIO) -> None:
    for r in reports:
        out.write(json.dumps(r.to_dict(), ensure_ascii=True, separators=(",", ":")))
        out.write("\n")
