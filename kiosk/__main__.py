"""``python -m kiosk`` runs the ``shufang`` command."""

import sys

from kiosk.cli import main

sys.exit(main())
