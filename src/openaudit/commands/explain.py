"""``openaudit explain``: a rule, a license, or how a verdict is decided."""

import sys
from typing import Annotated

import typer

from openaudit.commands.common import ListFormatOption, fail, guarded, stdout_errors
from openaudit.errors import EXIT_USAGE, OpenAuditError

_WHAT = ("a rule code (`openaudit rules`), a license id (`openaudit licenses`) or a topic: grade, osaid, mof, "
         "confidence, references")


def explain(
    name: Annotated[str | None, typer.Argument(metavar="NAME", hidden=True, show_default=False)] = None,
    fmt: ListFormatOption = "table",
) -> None:
    """Explain a rule (what, why, how to fix), a license (ids, OSI status, terms and their clauses), how a
    report's grade, OSAID verdict, MOF class or license confidence is decided, or `references` (the published
    assessments shown beside our verdicts: what each assessor measures).

    \b
    Arguments:
      NAME  A rule code (OA201), a license id, Hub id or SPDX id, or a topic:
            grade, osaid, mof, confidence, references.
    """
    import re

    from openaudit.report.topics import TOPICS, render_topic

    if not name:
        fail(f"missing NAME: {_WHAT}", EXIT_USAGE)
    if name.lower() in TOPICS:
        with guarded(False), stdout_errors():
            render_topic(name.lower(), fmt, sys.stdout)
            sys.stdout.flush()
        return

    from openaudit.licenses.catalog import load_catalog
    from openaudit.report.catalog import render_entry, render_rule

    if name.lower() == "references":
        from openaudit.report.catalog import render_references_topic

        with stdout_errors():
            render_references_topic(fmt, sys.stdout)
            sys.stdout.flush()
        return
    if re.fullmatch(r"(?i)OA[0-9]{3}", name):
        from openaudit.engine.rules import load_ruleset

        try:
            rule = load_ruleset().get(name)
        except OpenAuditError as exc:
            fail(exc.message, exc.exit_code)
        if rule is None:
            fail(f"unknown rule {name!r}; `openaudit rules` lists them", EXIT_USAGE)
        with stdout_errors():
            render_rule(rule, fmt, sys.stdout)
            sys.stdout.flush()
        return
    try:
        catalog = load_catalog()
    except OpenAuditError as exc:
        fail(exc.message, exc.exit_code)
    entry = catalog.get(name) or catalog.by_hub_id(name) or catalog.by_spdx(name) or catalog.by_name(name)
    if entry is None:
        fail(f"unknown license or rule {name!r}; `openaudit licenses` and `openaudit rules` list them", EXIT_USAGE)
    with stdout_errors():
        render_entry(entry, fmt, sys.stdout)
        sys.stdout.flush()
