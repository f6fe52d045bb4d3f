from openaudit.cli import run

run()
