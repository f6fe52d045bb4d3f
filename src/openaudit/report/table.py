"""The default human format: rich panels and tables on a terminal, plain text when piped."""

from __future__ import annotations

from typing import TextIO

from openaudit.model import Report


def render_table(reports: list[Report], out: TextIO, *, color: bool | None = None) -> None:
    if out.isatty():
        from openaudit.report.terminal import render_terminal

        render_terminal(reports, out, color=color)
    else:
        from openaudit.report.text import render_text

        render_text(reports, out)
