"""`tongban`: the operator's command, a thin wrapper over manage.py's commands.

tongban setup                    migrate, collect static files, seed the demo city once
tongban serve [--port 8000]      serve with gunicorn (+ the embedded scheduler)
tongban seed --scale small|city  build the demo city
tongban audit verify|seal|checkpoint  check or extend the audit chain, or checkpoint its head
tongban keys rotate|status       rotate the personal-data key (re-encrypting every row) or show it
tongban calendar import FILE     load holidays and make-up working days
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tongban", *sys.argv[1:]])


if __name__ == "__main__":
    main()
