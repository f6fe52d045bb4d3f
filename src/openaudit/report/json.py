"""JSON output: one report object, or an array for several targets. ASCII-escaped, so no raw control
or bidi characters from the input can reach a terminal that displays it."""

from __future__ import annotations

import json
from typing import TextIO

from openaudit.model import Report


def render_json(reports: list[Report], out: TextIO) -> None:
    data = reports[0].to_dict() if len(reports) == 1 else [r.to_dict() for r in reports]
    out.write(json.dumps(data, indent=2, ensure_ascii=True))
    out.write("\n")
