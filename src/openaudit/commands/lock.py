"""``openaudit lock``: record each model the code base uses in openaudit.lock."""

import sys
from typing import Annotated

import typer

from openaudit.commands.common import (
    DebugOption,
    ListFormatOption,
    OfflineOption,
    guarded,
    paths_argument,
    stdout_errors,
)


def lock(
    paths: Annotated[list[str] | None, paths_argument()] = None,
    lock_file: Annotated[str, typer.Option("--lock", metavar="FILE", help="Lock file to write.")] = "openaudit.lock",
    fmt: ListFormatOption = "table",
    policy_file: Annotated[str | None, typer.Option("--policy", metavar="FILE", show_default=False,
                                                    help="Policy file (its `models:` are locked too).")] = None,
    offline: OfflineOption = False,
    debug: DebugOption = False,
) -> None:
    """Record each model the code base uses in openaudit.lock: revision sha, license, key terms and an audit
    digest, so `scan` can decide offline and report drift (OA908). Exit 3 (nothing written) if a model
    cannot be audited. The format is that of the summary printed; the lock file itself is YAML.

    \b
    Arguments:
      PATH...  Files or directories to scan (default: the current directory).
    """
    from openaudit.lock import entry, write_lock
    from openaudit.policy import load_policy
    from openaudit.scan import audit_uses, find_models

    with guarded(debug):
        policy = load_policy(policy_file)
        uses = find_models(paths or ["."], policy)
        outcome = audit_uses(uses, policy=policy, offline=offline)
        if outcome.errors:
            raise outcome.errors[0][1]
        entries = {use.target: entry(r) for use, r in zip(uses, outcome.reports, strict=True)}
        write_lock(lock_file, entries)
    from openaudit.textutil import sanitize

    with stdout_errors():
        if fmt == "json":
            import json

            sys.stdout.write(json.dumps({"lock": lock_file, "models": entries}, indent=2, ensure_ascii=True) + "\n")
            sys.stdout.flush()
            return
        for target, e in entries.items():
            rev = (e["revision"] or "local")[:12]
            sys.stdout.write(sanitize(f"locked {target} @ {rev}: {e['license']} {e['digest'][:19]}", one_line=True)
                             + "\n")
        sys.stdout.write(f"openaudit: wrote {len(entries)} model(s) to {sanitize(lock_file, one_line=True)}\n")
        sys.stdout.flush()
