"""``--quiet``: one line per model (id, license, grade, OSAID, gate and the first reason), for hooks and batches."""

from __future__ import annotations

from typing import TextIO

from openaudit.model import Report
from openaudit.report.view import closing_line
from openaudit.textutil import sanitize


def quiet_line(report: Report) -> str:
    t = report.target
    rev = f"@{str(t['revision'])[:12]}" if t.get("revision") else ""
    grade = report.grade.letter or "-"
    osaid = report.osaid.verdict or "insufficient_evidence"
    gate = closing_line(report).removeprefix("Gate ")
    parts = [f"{t.get('id')}{rev}", report.license.id, f"grade {grade}", f"OSAID {osaid}", gate]
    return "  ".join(sanitize(p, one_line=True, limit=300) for p in parts)


def render_quiet(reports: list[Report], out: TextIO) -> None:
    for report in reports:
        out.write(quiet_line(report) + "\n")
