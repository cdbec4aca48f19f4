#!/usr/bin/env python
import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["sandbox_serve"]:
        # The LinkedIn sandbox server has settings of its own: it must start even where the app's own
        # (production's, say) would refuse, so it is handed over before they are read.
        from inmail_studio.sandbox.server import main as serve

        serve(sys.argv[2:])
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inmail_studio.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
