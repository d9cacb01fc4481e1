"""`python -m epic_events` starts the same program as `python epic_events/project.py`."""

import sys

from epic_events.installed import require_packages

require_packages("-m epic_events")

from epic_events.cli import main  # noqa: E402 - after the check of the packages

sys.exit(main())
