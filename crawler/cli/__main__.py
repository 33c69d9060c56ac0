"""``python -m crawler.cli`` runs the ``newsdedup`` command."""

import sys

from crawler.cli import main

sys.exit(main())
