"""``openaudit rules``: list the rules."""

import sys

from openaudit.commands.common import ListFormatOption, fail, stdout_errors
from openaudit.errors import OpenAuditError


def rules(fmt: ListFormatOption = "table") -> None:
    """List the rules: code, severity, standard and title. `openaudit explain CODE` shows a rule's docs."""
    from openaudit.engine.rules import load_ruleset
    from openaudit.report.catalog import render_rules

    try:
        with stdout_errors():
            render_rules(list(load_ruleset()), fmt, sys.stdout)
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
