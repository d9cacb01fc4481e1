"""`python -m epic_events` starts the same program as `python epic_events/project.py`."""

import sys

from epic_events.cli import main

sys.exit(main())
