"""Report renderers, one module per format, registered by name in ``RENDERERS``.

A renderer is ``fn(reports: list[Report], out: TextIO) -> None``; it is imported only when its
format is used (keeps rich off the JSON path). Adding a format is one module plus one line here.
"""

from __future__ import annotations

import importlib
from typing import TextIO

from openaudit.model import Report

# format name -> "module:function"
RENDERERS: dict[str, str] = {
    "table": "openaudit.report.table:render_table",
    "json": "openaudit.report.json:render_json",
    "jsonl": "openaudit.report.jsonl:render_jsonl",
    "markdown": "openaudit.report.markdown:render_markdown",
    "sarif": "openaudit.report.sarif:render_sarif",
    "cyclonedx": "openaudit.report.cyclonedx:render_cyclonedx",
}
FORMATS = tuple(RENDERERS)
# Not a --format of its own: what `--quiet` selects (one line per model).
RENDERERS["quiet"] = "openaudit.report.quiet:render_quiet"


def render(reports: list[Report], fmt: str, out: TextIO, *, color: bool | None = None,
           min_severity: str | None = None) -> None:
    """``min_severity`` (sarif only): the least severe finding level written as a result (default warning)."""
    try:
        target = RENDERERS[fmt]
    except KeyError:  # pragma: no cover - the CLI validates the choice
        raise ValueError(fmt) from None
    module, _, func = target.partition(":")
    fn = getattr(importlib.import_module(module), func)
    from openaudit.textutil import RedactingWriter, secrets

    tokens = secrets()
    if tokens:  # a hostile Hub can echo the token in a file it serves: it never reaches a report
        out = RedactingWriter(out, tokens)  # type: ignore[assignment]
    if fmt == "table":
        fn(reports, out, color=color)
    elif fmt == "sarif" and min_severity is not None:
        fn(reports, out, min_severity=min_severity)
    else:
        fn(reports, out)
