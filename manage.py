#!/usr/bin/env python
"""Django's command-line utility, with ICMS's start-up checks in front of it."""

import os
import sys

# Commands that do not touch the database, so they run without one (e.g. in a Docker build).
COMMANDS_WITHOUT_DATABASE = {
    "check", "collectstatic", "compilemessages", "diffsettings", "findstatic", "help",
    "makemessages", "makemigrations", "version",
}  # fmt: skip


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "icms.settings")
    from django.core.management import execute_from_command_line

    from icms.startup import exit_if_database_unusable, setup_django_or_exit

    setup_django_or_exit()
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command not in COMMANDS_WITHOUT_DATABASE and not {"-h", "--help"} & set(sys.argv):
        exit_if_database_unusable()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
