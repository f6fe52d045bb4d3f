"""Rich terminal output (TTY only). Input strings are passed as Text, so rich markup in a card is shown
literally; NO_COLOR is honoured by rich itself."""

from __future__ import annotations

from typing import TextIO

from openaudit.model import Report
from openaudit.report.view import build_view


def render_terminal(reports: list[Report], out: TextIO, *, color: bool | None = None) -> None:
    from rich import box
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, no_color=(color is False) or None, highlight=False, emoji=False)
    for report in reports:
        view = build_view(report)
        summary = Table.grid(padding=(0, 2))
        summary.add_column(style="bold")
        summary.add_column()
        for key, value in view.summary:
            style = ("green" if view.passed else "red") if key == "Gate" else "bold" if key == "Grade" else None
            summary.add_row(Text(key), Text(value, style=style or ""))
        console.print(Panel(summary, title=Text(view.heading), title_align="left",
                            border_style="green" if view.passed else "red"))
        for section in view.sections:
            table = Table(title=Text(section.title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
                          show_lines=False, expand=True)
            for col in section.columns:
                table.add_column(col, overflow="fold")
            for row in section.rows:
                table.add_row(*[Text(cell) for cell in row])
            console.print(table)
        console.print(Text(view.closing, style="bold green" if view.passed else "bold red"))
