"""Plain-text output for pipes and logs: no colour, no box drawing, stable line-oriented layout."""

from __future__ import annotations

from typing import TextIO

from openaudit.model import Report
from openaudit.report.view import build_view


def render_text(reports: list[Report], out: TextIO) -> None:
    for n, report in enumerate(reports):
        if n:
            out.write("\n")
        view = build_view(report)
        out.write(f"openaudit: {view.heading}\n")
        width = max(len(k) for k, _ in view.summary)
        for key, value in view.summary:
            out.write(f"  {key.ljust(width)}  {value}\n")
        for section in view.sections:
            out.write(f"\n{section.title}:\n")
            for row in section.rows:
                out.write("  " + "  ".join(cell for cell in row if cell) + "\n")
        out.write(f"\n{view.closing}\n")
