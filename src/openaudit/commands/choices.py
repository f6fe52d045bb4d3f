"""The values the commands' options accept, as data: the option definitions in ``common`` (typer) and the entry
point's early reading of a check's command line (``early``, before typer is imported) both use them."""

# Formats: one per renderer in openaudit.report.RENDERERS; the listing commands and diff have fewer.
FORMATS = ("table", "json", "jsonl", "markdown", "sarif", "cyclonedx")
LIST_FORMATS = ("table", "json")
DIFF_FORMATS = ("table", "json", "markdown")
FAIL_ON = ("error", "warning")
SEVERITIES = ("error", "warning", "note")  # --min-severity (SARIF levels)
JOBS = (1, 8)  # --jobs: targets audited at once, lowest and highest
MAX_DEPTH = (0, 10)  # --max-depth: upstream hops followed, lowest and highest
