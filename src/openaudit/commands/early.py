"""A check of one Hub model asks the Hub its first question while the CLI loads (issue 18).

``openaudit check org/name`` cannot read a file before the Hub has said which commit the revision is
(``model_info``, one round trip), and importing typer and the CLI takes longer than that round trip. So the entry
point (:mod:`openaudit.__main__`) reads the command line with :func:`plan` before it imports typer, and for a
check of one Hub model it sends that request at once, in a background thread
(:func:`openaudit.sources.hubnet.start_model_info`); the check takes the answer (or the error) when it gets
there, instead of sending the same request then.

Only a command line read here completely is sent early: ``check``, one TARGET that names nothing on disk and is
shaped as a Hub model id, and options from :data:`EARLY_OPTIONS` with the values typer accepts for them (the
choices and number ranges of :mod:`openaudit.commands.choices`). Anything else goes the usual way: another command,
``--help``, ``--offline`` (or ``HF_HUB_OFFLINE``), ``--from``, ``--author``, an unknown option, a cluster of short
options, ``--``, shell completion. So a command line typer rejects never makes a request. What the check reads
after its command line (the amounts and regions of the deployment context, the policy file, rule directories)
is not read here: an error found there comes after this request was sent, as the check's own request would have
been had the error been in the Hub's answer instead.

Nothing else changes: the request is the one the check makes first, with the same client, HF_ENDPOINT guards,
token and timeout, and its answer is used once, by the check of that model at that revision.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from openaudit.commands.choices import FAIL_ON, FORMATS, JOBS, MAX_DEPTH, SEVERITIES


def _one_of(values: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda value: value.lower() in values


def _number_in(low: int, high: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        if not value.isascii():  # int() reads any script's digits ("٣", "３"); typer's number parsing does not
            return False
        try:
            return low <= int(value) <= high
        except ValueError:
            return False

    return check


def _any(value: str) -> bool:
    return True


_FORMAT = _one_of(tuple(f for f in FORMATS if f != "cyclonedx"))  # cyclonedx needs a library checked later
# The options of `check` read here: a flag (None), or the test its value must pass. The options not listed send
# nothing early (tests/test_early.py holds the two lists against the command's own).
EARLY_OPTIONS: dict[str, Callable[[str], bool] | None] = {
    "--quiet": None, "-q": None, "--no-color": None, "--debug": None, "--train-on-outputs": None,
    "--distill": None, "--commercial": None, "--non-commercial": None,
    "--format": _FORMAT, "-f": _FORMAT,
    "--fail-on": _one_of(FAIL_ON), "--min-severity": _one_of(SEVERITIES),
    "--jobs": _number_in(*JOBS), "-j": _number_in(*JOBS), "--max-depth": _number_in(*MAX_DEPTH),
    "--output": _any, "-o": _any, "--policy": _any, "--rules": _any,
    "--mau": _any, "--annual-revenue": _any, "--monthly-revenue": _any, "--region": _any,
}
NOT_EARLY = frozenset({"--offline", "--from", "--author", "--limit", "--help", "-h"})
COMPLETION_VARIABLE = "_OPENAUDIT_COMPLETE"  # set by the shell completion typer installs: no check runs


def plan(argv: list[str]) -> tuple[str, str | None] | None:
    """(repo id, revision or None) when ``argv`` (the arguments after ``openaudit``) is a check of one Hub model
    that typer will accept, as described above; None for anything else."""
    if not argv or argv[0] != "check" or os.environ.get(COMPLETION_VARIABLE):
        return None
    targets: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        if not arg.startswith("-") or arg == "-":
            targets.append(arg)
            continue
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in EARLY_OPTIONS:
            return None
        test = EARLY_OPTIONS[name]
        if test is None:
            if eq:  # a flag given a value
                return None
            continue
        if not eq:
            value = next(args, "-")
            if value.startswith("-"):  # missing, or an option where its value should be: left to typer
                return None
        if not test(value):
            return None
    if len(targets) != 1:
        return None
    from openaudit.sources import hub_target

    return hub_target(targets[0])


def start(argv: list[str]) -> bool:
    """Send the first request of the check ``argv`` names, if :func:`plan` finds one; whether it was sent."""
    found = plan(argv)
    if found is None:
        return False
    from openaudit.sources.hubnet import start_model_info

    return start_model_info(*found)
