"""``openaudit licenses``: list the license catalog."""

import sys

from openaudit.commands.common import ListFormatOption, fail, stdout_errors
from openaudit.errors import OpenAuditError


def licenses(fmt: ListFormatOption = "table") -> None:
    """List the license catalog: id, OSI approval, category, name and the kinds of terms it carries."""
    from openaudit.licenses.catalog import load_catalog
    from openaudit.report.catalog import render_list

    try:
        with stdout_errors():
            render_list(load_catalog(), fmt, sys.stdout)
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
