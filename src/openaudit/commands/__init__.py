"""The commands of the ``openaudit`` CLI: one module per command (``check``, ``scan``, ``lock``, ``inventory``,
``rules``, ``licenses``, ``explain``, ``diff``), the options and output helpers they share in ``common``.

A command module imports typer and ``common`` only at its top; the audit modules it calls are imported inside
the command function, so that ``openaudit --help`` or one command never pays for the others (bench/startup.py).
``openaudit.cli`` holds the app, registers the commands and turns errors into one line and an exit code."""
