"""Report renderers, one module per format. ``render`` picks one by name."""

from __future__ import annotations

from typing import TextIO

from openaudit.model import Report

FORMATS = ("table", "json")


def render(reports: list[Report], fmt: str, out: TextIO, *, color: bool | None = None) -> None:
    if fmt == "json":
        from openaudit.report.json import render_json

        render_json(reports, out)
    elif fmt == "table":
        if out.isatty():
            from openaudit.report.terminal import render_terminal

            render_terminal(reports, out, color=color)
        else:
            from openaudit.report.text import render_text

            render_text(reports, out)
    else:  # pragma: no cover - the CLI validates the choice
        raise ValueError(fmt)
