"""Rich terminal output (TTY only). Input strings are passed as Text, so rich markup in a card is shown
literally; NO_COLOR is honoured by rich itself.

Laid out for 80 columns first: each row of a section is its first cell (a kind, a rule code, a dimension…)
in a narrow column that never breaks a word, beside one wrapped paragraph of the other cells; a quote goes
on a line of its own, dimmed. The verdict with its reason is the last line."""

from __future__ import annotations

from typing import TextIO

from openaudit.model import Report
from openaudit.report.view import Section, build_view


def _section_table(section: Section):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    if len(section.columns) <= 1:  # a list of sentences (notes): full width
        table = Table(title=Text(section.title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
                      show_header=False, expand=True, padding=(0, 1))
        table.add_column(overflow="fold", ratio=1)
        for row in section.rows:
            table.add_row(Text("- " + " ".join(row)))
        return table
    head_width = max((len(row[0]) for row in section.rows if row), default=4)
    table = Table(title=Text(section.title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
                  show_header=False, show_lines=False, expand=True, padding=(0, 1))
    table.add_column(no_wrap=True, min_width=min(head_width, 24), max_width=24, overflow="ellipsis")
    table.add_column(overflow="fold", ratio=1)
    second = {i for i, c in enumerate(section.columns) if c in _SECOND_LINE}
    for row in section.rows:
        if not row:
            continue
        body = Text()
        body.append(" · ".join(cell for i, cell in enumerate(row[1:], 1)
                               if cell and cell != "-" and i not in second))
        where = " ".join(row[i] for i in sorted(second) if 0 < i < len(row) and row[i])
        if where:
            body.append("\n")
            body.append(where, style="dim")
        table.add_row(Text(row[0], style="bold"), body)
    return table


# Columns shown on a second, dimmed line under the row: where a fact comes from, and the quote.
_SECOND_LINE = frozenset({"clause", "quote", "where", "declared at", "link"})


def render_terminal(reports: list[Report], out: TextIO, *, color: bool | None = None) -> None:
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, no_color=(color is False) or None, highlight=False, emoji=False)
    for report in reports:
        view = build_view(report)
        summary = Table.grid(padding=(0, 2))
        summary.add_column(style="bold", no_wrap=True)
        summary.add_column()
        for key, value in view.summary:
            style = ("green" if view.passed else "red") if key == "Gate" else "bold" if key == "Grade" else None
            summary.add_row(Text(key), Text(value, style=style or ""))
        console.print(Panel(summary, title=Text(view.heading), title_align="left",
                            border_style="green" if view.passed else "red"))
        for section in view.sections:
            console.print(_section_table(section))
        console.print(Text(view.closing, style="bold green" if view.passed else "bold red"))
